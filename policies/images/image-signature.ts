import { IMAGE_TAGS, defineImagePolicy, nist800190 } from "../../src/images/image-policy";
import { verifyImages } from "../../src/supply-chain/image-verification";
import { signaturePolicyOptions, verificationOptionProblems } from "../../src/supply-chain/policy-options";

/** Images that are pulled and run must carry a cosign signature from a trusted signer. */
export const imageSignature = defineImagePolicy({
    name: "image-signature",
    displayName: "Signed images",
    description:
        "Images that are pulled and run and that a configured requirement covers must carry a valid cosign " +
        "signature over their manifest digest from one of the requirement's trusted signers (keys or keyless " +
        "identities).",
    severity: "high",
    tags: [...IMAGE_TAGS, "signatures"],
    remediationSteps:
        "Sign images where they are built, over their digest: `cosign sign --key cosign.key <image>@<digest>`, or " +
        "keyless in CI (`cosign sign <image>@<digest>` in GitHub Actions with id-token: write). " +
        "List the images to check and their trusted signers in the policy's requirements: " +
        '{"images": ["ghcr.io/acme/*"], "keys": ["-----BEGIN PUBLIC KEY-----…"]} or "keyless": [{"issuer": ' +
        '"https://token.actions.githubusercontent.com", "subjectRegExp": "^https://github.com/acme/.*"}]. ' +
        "Pin images by digest so that what runs is what was verified. Without registry access at preview time, " +
        "verify from an evidence directory (evidenceDir).",
    url: "https://docs.sigstore.dev/cosign/verifying/verify/",
    framework: nist800190("4.1.5 Use of untrusted images"),
    options: signaturePolicyOptions,
    uses: ["run"],
    // Without requirements no image is covered: nothing to judge, and no registry is ever asked.
    active: (o) => o.requirements.length > 0,
    checkOptions: (o) => verificationOptionProblems("signature", o),
    check: (images, ev) => verifyImages("signature", images, ev),
});
