import { IMAGE_TAGS, defineImagePolicy, nist800190 } from "../../src/images/image-policy";
import { verifyImages } from "../../src/supply-chain/image-verification";
import { provenancePolicyOptions, verificationOptionProblems } from "../../src/supply-chain/policy-options";

/** Images that are pulled and run must carry a signed attestation (SLSA provenance, an SBOM) meeting conditions. */
export const imageProvenance = defineImagePolicy({
    name: "image-provenance",
    displayName: "Attested provenance",
    description:
        "Images that are pulled and run and that a configured requirement covers must carry a signed in-toto " +
        "attestation of the required predicate type (SLSA provenance, CycloneDX or SPDX SBOM, …) from one of the " +
        "requirement's trusted signers, meeting its conditions (builder, source repository, build type).",
    severity: "high",
    tags: [...IMAGE_TAGS, "attestations"],
    remediationSteps:
        "Attest images where they are built: `cosign attest --key cosign.key --type slsaprovenance1 --predicate " +
        "provenance.json <image>@<digest>` (or keyless in CI; GitHub's actions/attest-build-provenance and the SLSA " +
        "generators produce SLSA provenance). List the images, trusted signers, predicate type and conditions in " +
        'the policy\'s requirements: {"images": ["ghcr.io/acme/*"], "keyless": […], "predicateType": ' +
        '"slsaprovenance1", "conditions": {"sourceRepository": "github.com/acme/*"}}.',
    url: "https://slsa.dev/spec/v1.0/provenance",
    framework: nist800190("4.1.5 Use of untrusted images"),
    options: provenancePolicyOptions,
    uses: ["run"],
    active: (o) => o.requirements.length > 0,
    checkOptions: (o) => verificationOptionProblems("attestation", o),
    check: (images, ev) => verifyImages("attestation", images, ev),
});
