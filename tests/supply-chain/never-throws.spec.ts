// Property: whatever a registry or evidence directory hands over, judging it yields an outcome with a
// reason and never throws (and never accepts it without a trusted signature).

import * as assert from "assert";
import fc from "fast-check";
import { compileProvenanceRequirements, compileSignatureRequirements } from "../../src/supply-chain";
import { type EvidenceItem } from "../../src/supply-chain/evidence";
import { evaluateItem } from "../../src/supply-chain/verify";
import { COSIGN_SIGN, keyedBundle, statement, testKey } from "../support/signing";

const key = testKey();
const DIGEST = `sha256:${"e".repeat(64)}`;
const signature = compileSignatureRequirements([{ images: ["**"], keys: [key.publicPem] }]).requirements[0];
const provenance = compileProvenanceRequirements([
    {
        images: ["**"],
        keys: [key.publicPem],
        predicateType: "slsaprovenance1",
        conditions: { sourceRepository: "github.com/*/*" },
    },
]).requirements[0];

/** JSON-ish values built from the keys and values bundles and envelopes use. */
const junk = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof(
        { depthSize: "small" },
        fc.constantFrom(
            "application/vnd.dev.sigstore.bundle.v0.3+json",
            "application/vnd.in-toto+json",
            "",
            "AAAA",
            key.hint,
            "sha256:" + "e".repeat(64),
            null,
            0,
            -1,
            true,
        ),
        fc.string({ maxLength: 12 }),
        fc.base64String({ maxLength: 40 }),
        fc.array(tie("v"), { maxLength: 3 }),
        fc.dictionary(
            fc.constantFrom(
                "mediaType",
                "verificationMaterial",
                "publicKey",
                "hint",
                "certificate",
                "rawBytes",
                "x509CertificateChain",
                "certificates",
                "tlogEntries",
                "dsseEnvelope",
                "payload",
                "payloadType",
                "signatures",
                "sig",
                "keyid",
                "messageSignature",
                "messageDigest",
                "digest",
                "signature",
                "critical",
                "image",
                "docker-manifest-digest",
                "type",
                "__proto__",
            ),
            tie("v"),
            { maxKeys: 5 },
        ),
    ),
})).v;

describe("supply chain: judging arbitrary evidence never throws", () => {
    it("random bundles, legacy signatures and attestations give a rejected outcome with a reason", async () => {
        await fc.assert(
            fc.asyncProperty(
                junk,
                fc.uint8Array({ maxLength: 64 }),
                fc.string({ maxLength: 20 }),
                fc.integer({ min: 0, max: 2 }),
                async (json, bytes, sig, kind) => {
                    const item: EvidenceItem =
                        kind === 0
                            ? { kind: "bundle", json, where: "x" }
                            : kind === 1
                              ? { kind: "legacy-signature", payload: Buffer.from(bytes), signature: sig, where: "x" }
                              : { kind: "legacy-attestation", envelope: json, where: "x", rekorBundle: json };
                    for (const requirement of [signature, provenance]) {
                        const outcome = await evaluateItem(item, requirement, DIGEST, {
                            trustedRootJson: undefined,
                            trustedRootPath: undefined,
                        });
                        assert.strictEqual(outcome.accepted, false);
                        assert.ok(outcome.irrelevant || typeof outcome.problem === "string");
                    }
                },
            ),
            { numRuns: 1500 },
        );
    });

    it(
        "a valid bundle whose signed envelope is replaced by junk is never accepted (the unsigned parts may change " +
            "freely)",
        async () => {
            const good = keyedBundle(key, statement(DIGEST, COSIGN_SIGN)) as Record<string, unknown>;
            assert.strictEqual(
                (
                    await evaluateItem({ kind: "bundle", json: good, where: "x" }, signature, DIGEST, {
                        trustedRootJson: undefined,
                        trustedRootPath: undefined,
                    })
                ).accepted,
                true,
            );
            await fc.assert(
                fc.asyncProperty(
                    fc.constantFrom("mediaType", "verificationMaterial", "dsseEnvelope"),
                    junk,
                    async (field, value) => {
                        const json = { ...good, [field]: value };
                        const outcome = await evaluateItem({ kind: "bundle", json, where: "x" }, signature, DIGEST, {
                            trustedRootJson: undefined,
                            trustedRootPath: undefined,
                        });
                        // The media type and the key hint are not signed and not trusted: changing them may leave the
                        // signature valid. The envelope is what the trusted key signed: junk in its place never passes.
                        assert.ok(!(outcome.accepted && field === "dsseEnvelope"));
                        assert.ok(outcome.accepted || typeof outcome.problem === "string");
                    },
                ),
                { numRuns: 500 },
            );
        },
    );
});
