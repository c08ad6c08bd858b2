// Key-based signatures and attestations against an in-process registry: both cosign layouts, both
// referrer lookups, binding to the digest, conditions, coalescing, and the evidence directory.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseImageRef } from "../../src/images/image-ref";
import {
    type ProvenanceRequirement,
    type SignatureRequirement,
    Verifier,
    collectEvidence,
    compileProvenanceRequirements,
    compileSignatureRequirements,
} from "../../src/supply-chain";
import { FakeRegistry, OCI_INDEX } from "../support/fake-registry";
import {
    COSIGN_SIGN,
    SLSA_V1,
    type TestKey,
    attachBundle,
    attachLegacy,
    keyedBundle,
    legacyAttestationLayer,
    legacySignatureLayer,
    simpleSigningPayload,
    statement,
    testKey,
} from "../support/signing";

const PROVENANCE = {
    buildDefinition: {
        buildType: "https://actions.github.io/buildtypes/workflow/v1",
        externalParameters: {
            workflow: {
                repository: "https://github.com/acme/app",
                ref: "refs/heads/main",
                path: ".github/workflows/build.yml",
            },
        },
        resolvedDependencies: [
            {
                uri: "git+https://github.com/acme/app@refs/heads/main",
                digest: { gitCommit: "0123456789abcdef0123456789abcdef01234567" },
            },
        ],
    },
    runDetails: { builder: { id: "https://github.com/actions/runner/github-hosted" }, metadata: { invocationId: "1" } },
};

function signatureRequirement(host: string, keys: TestKey[], images = [`${host}/team/*`]): SignatureRequirement {
    const c = compileSignatureRequirements(
        [{ images, keys: keys.map((k) => k.publicPem) }],
        "image-signature.requirements",
    );
    assert.deepStrictEqual(c.errors, []);
    return c.requirements[0];
}

function provenanceRequirement(
    host: string,
    keys: TestKey[],
    conditions?: object,
    predicateType = "slsaprovenance1",
): ProvenanceRequirement {
    const c = compileProvenanceRequirements(
        [
            {
                images: [`${host}/team/*`],
                keys: keys.map((k) => k.publicPem),
                predicateType,
                ...(conditions && { conditions }),
            },
        ],
        "image-provenance.requirements",
    );
    assert.deepStrictEqual(c.errors, []);
    return c.requirements[0];
}

describe("supply chain: key-based verification against a registry", () => {
    const reg = new FakeRegistry();
    let host = "";
    const trusted = testKey();
    const stranger = testKey();
    let verifier: Verifier;

    before(async () => {
        host = await reg.start();
    });
    after(() => reg.stop());
    beforeEach(() => {
        reg.referrersApi = true;
        verifier = new Verifier({ insecureRegistries: [host], timeoutSeconds: 5 });
    });
    afterEach(() => verifier.close());

    const image = (repoTag: string) => parseImageRef(`${host}/${repoTag}`);

    it(
        "passes an image signed by a trusted key (cosign v3 " +
            "bundle referrer) and says which signer, digest and tag",
        async () => {
            const digest = reg.pushImage("team/signed", "1.0");
            attachBundle(reg, "team/signed", digest, keyedBundle(trusted, statement(digest, COSIGN_SIGN)));
            const v = await verifier.verifySignature(
                image("team/signed:1.0"),
                signatureRequirement(host, [stranger, trusted]),
            );
            assert.strictEqual(v.status, "verified", v.reason);
            assert.strictEqual(v.digest, digest);
            assert.strictEqual(v.resolvedFromTag, "1.0");
            assert.strictEqual(v.signer, `key ${trusted.fingerprint.slice(0, 19)}…`);
            assert.match(
                v.reason,
                new RegExp(
                    /^signed by key sha256:[0-9a-f]{12}… \(referrer sha256:[0-9a-f]{12}… \(the OCI referrers API\)\)\. /
                        .source + /Verified the digest the tag "1\.0" names now/.source,
                ),
            );
            assert.ok(v.reason.includes(`team/signed:1.0@${digest}`), "the reason gives the pinned reference");
        },
    );

    it("verifies the written digest without resolving when the image is pinned", async () => {
        const digest = reg.pushImage("team/pinned", "1.0");
        attachBundle(reg, "team/pinned", digest, keyedBundle(trusted, statement(digest, COSIGN_SIGN)));
        reg.deleteTag("team/pinned", "1.0");
        const v = await verifier.verifySignature(image(`team/pinned@${digest}`), signatureRequirement(host, [trusted]));
        assert.strictEqual(v.status, "verified", v.reason);
        assert.strictEqual(v.resolvedFromTag, undefined);
        assert.strictEqual(verifier.stats.resolutions, 0);
    });

    it("finds bundles through the sha256-<hex> tag when the registry has no referrers API", async () => {
        reg.referrersApi = false;
        const digest = reg.pushImage("team/fallback", "1.0");
        attachBundle(reg, "team/fallback", digest, keyedBundle(trusted, statement(digest, COSIGN_SIGN)));
        const v = await verifier.verifySignature(image("team/fallback:1.0"), signatureRequirement(host, [trusted]));
        assert.strictEqual(v.status, "verified", v.reason);
        assert.match(v.evidence ?? "", /the referrers tag sha256-[0-9a-f]{64}\)$/);
    });

    it("fails an unsigned image, saying where it looked and which signer was expected", async () => {
        const digest = reg.pushImage("team/unsigned", "1.0");
        const v = await verifier.verifySignature(image("team/unsigned:1.0"), signatureRequirement(host, [trusted]));
        assert.strictEqual(v.status, "failed");
        assert.ok(
            v.reason.startsWith(
                `no signature found for ${digest.slice(0, 19)}… (looked in the OCI referrers API and the legacy tag ` +
                    `${digest.replace(":", "-")}.sig, registry); expected one from key ` +
                    `${trusted.fingerprint.slice(0, 19)}…`,
            ),
            v.reason,
        );
        assert.match(
            v.reason,
            /The image names no digest: this is about sha256:[0-9a-f]{12}…, the digest its tag "1\.0" names now\.$/,
        );
    });

    it("fails an image signed by another key, naming the key it found and the one expected", async () => {
        const digest = reg.pushImage("team/stranger", "1.0");
        attachBundle(reg, "team/stranger", digest, keyedBundle(stranger, statement(digest, COSIGN_SIGN)));
        const v = await verifier.verifySignature(
            image(`team/stranger@${digest}`),
            signatureRequirement(host, [trusted]),
        );
        assert.strictEqual(v.status, "failed");
        assert.strictEqual(
            v.reason,
            `no signature from the expected signer (key ${trusted.fingerprint.slice(0, 19)}…): found 1 signature: by ` +
                `key ${stranger.fingerprint.slice(0, 19)}… (not trusted).`,
        );
    });

    it("fails a signature by a trusted key over another image's digest (replay)", async () => {
        const other = reg.pushImage("team/other", "1.0");
        const digest = reg.pushImage("team/replayed", "1.0");
        attachBundle(reg, "team/replayed", digest, keyedBundle(trusted, statement(other, COSIGN_SIGN)));
        const v = await verifier.verifySignature(
            image(`team/replayed@${digest}`),
            signatureRequirement(host, [trusted]),
        );
        assert.strictEqual(v.status, "failed");
        assert.ok(
            v.reason.startsWith(
                `the signature is for ${other.slice(0, 19)}…, not for ${digest.slice(0, 19)}… (copied from another ` +
                    `image?)`,
            ),
            v.reason,
        );
    });

    it("fails a bundle whose payload was altered after signing (bad signature)", async () => {
        const digest = reg.pushImage("team/tampered", "1.0");
        const other = reg.pushImage("team/tampered-other", "1.0");
        // Signed for another digest, then the payload was rewritten to name this one: the signature no longer matches.
        attachBundle(
            reg,
            "team/tampered",
            digest,
            keyedBundle(trusted, statement(other, COSIGN_SIGN), { tamperedPayload: statement(digest, COSIGN_SIGN) }),
        );
        const v = await verifier.verifySignature(
            image(`team/tampered@${digest}`),
            signatureRequirement(host, [trusted]),
        );
        assert.strictEqual(v.status, "failed");
        assert.ok(
            v.reason.includes(
                `by key ${trusted.fingerprint.slice(0, 19)}… (its signature does not verify with key ` +
                    `${trusted.fingerprint.slice(0, 19)}…)`,
            ),
            v.reason,
        );
    });

    it("does not take an attestation for a signature, nor a signature for an attestation", async () => {
        const digest = reg.pushImage("team/attested-only", "1.0");
        attachBundle(
            reg,
            "team/attested-only",
            digest,
            keyedBundle(trusted, statement(digest, SLSA_V1, PROVENANCE)),
            SLSA_V1,
        );
        const sig = await verifier.verifySignature(
            image(`team/attested-only@${digest}`),
            signatureRequirement(host, [trusted]),
        );
        assert.strictEqual(sig.status, "failed");
        assert.match(sig.reason, /^no signature found/);

        const signedOnly = reg.pushImage("team/signed-only", "1.0");
        attachBundle(reg, "team/signed-only", signedOnly, keyedBundle(trusted, statement(signedOnly, COSIGN_SIGN)));
        const att = await verifier.verifyAttestation(
            image(`team/signed-only@${signedOnly}`),
            provenanceRequirement(host, [trusted]),
        );
        assert.strictEqual(att.status, "failed");
        assert.match(
            att.reason,
            new RegExp(
                /^no https:\/\/slsa\.dev\/provenance\/v1 attestation found for sha256:[0-9a-f]{12}… .*/.source +
                    /\(found attestations of other types: https:\/\/sigstore\.dev\/cosign\/sign\/v1\)/.source,
            ),
        );
    });

    it("rejects an in-toto payload of the wrong payload type", async () => {
        const digest = reg.pushImage("team/payload-type", "1.0");
        attachBundle(
            reg,
            "team/payload-type",
            digest,
            keyedBundle(trusted, statement(digest, COSIGN_SIGN), { payloadType: "application/json" }),
        );
        const v = await verifier.verifySignature(
            image(`team/payload-type@${digest}`),
            signatureRequirement(host, [trusted]),
        );
        assert.strictEqual(v.status, "failed");
        assert.ok(
            v.reason.includes('its payload type is "application/json", not application/vnd.in-toto+json'),
            v.reason,
        );
    });

    it("passes a legacy .sig signature and rejects a legacy signature of another digest", async () => {
        const digest = reg.pushImage("team/legacy", "1.0");
        attachLegacy(reg, "team/legacy", digest, "sig", [
            legacySignatureLayer(trusted, simpleSigningPayload(`${host}/team/legacy`, digest)),
        ]);
        const ok = await verifier.verifySignature(image("team/legacy:1.0"), signatureRequirement(host, [trusted]));
        assert.strictEqual(ok.status, "verified", ok.reason);
        assert.match(ok.evidence ?? "", /^the legacy tag sha256-[0-9a-f]{64}\.sig, layer 0$/);

        const victim = reg.pushImage("team/legacy-replay", "1.0");
        attachLegacy(reg, "team/legacy-replay", victim, "sig", [
            legacySignatureLayer(trusted, simpleSigningPayload(`${host}/team/legacy`, digest)),
        ]);
        const replay = await verifier.verifySignature(
            image(`team/legacy-replay@${victim}`),
            signatureRequirement(host, [trusted]),
        );
        assert.strictEqual(replay.status, "failed");
        assert.ok(
            replay.reason.startsWith(`the signature is for ${digest.slice(0, 19)}…, not for ${victim.slice(0, 19)}…`),
            replay.reason,
        );
    });

    it("names a legacy signature by an unknown key without claiming to know the key", async () => {
        const digest = reg.pushImage("team/legacy-stranger", "1.0");
        attachLegacy(reg, "team/legacy-stranger", digest, "sig", [
            legacySignatureLayer(stranger, simpleSigningPayload(`${host}/team/legacy-stranger`, digest)),
        ]);
        const v = await verifier.verifySignature(
            image(`team/legacy-stranger@${digest}`),
            signatureRequirement(host, [trusted]),
        );
        assert.strictEqual(v.status, "failed");
        assert.ok(
            v.reason.includes(
                `found 1 signature: by a key (legacy signatures do not say which) (its signature does not verify ` +
                    `with key ${trusted.fingerprint.slice(0, 19)}…)`,
            ),
            v.reason,
        );
    });

    describe("attestations", () => {
        it("passes SLSA provenance that meets builder, build type and source repository conditions", async () => {
            const digest = reg.pushImage("team/provenance", "1.0");
            attachBundle(
                reg,
                "team/provenance",
                digest,
                keyedBundle(trusted, statement(digest, SLSA_V1, PROVENANCE)),
                SLSA_V1,
            );
            const req = provenanceRequirement(host, [trusted], {
                builderId: "https://github.com/actions/runner/*",
                buildType: "https://actions.github.io/buildtypes/workflow/v1",
                sourceRepository: ["github.com/acme/*"],
                fields: [{ path: "buildDefinition.externalParameters.workflow.ref", equals: "refs/heads/main" }],
            });
            const v = await verifier.verifyAttestation(image("team/provenance:1.0"), req);
            assert.strictEqual(v.status, "verified", v.reason);
            assert.match(
                v.reason,
                new RegExp(
                    /^https:\/\/slsa\.dev\/provenance\/v1 attestation /.source +
                        /signed by key sha256:[0-9a-f]{12}… meets the conditions/.source,
                ),
            );
        });

        it("a signature check that fails first does not spoil the evidence an attestation check shares", async () => {
            // Both checks share the digest's referrers list. The signature check fails at once (its legacy
            // `.sig` lookup gets a 500) while the list is still on its way; the attestation check must get
            // the list, not the abandoned request's "did not answer".
            const digest = reg.pushImage("team/shared", "1.0");
            attachBundle(
                reg,
                "team/shared",
                digest,
                keyedBundle(trusted, statement(digest, SLSA_V1, PROVENANCE)),
                SLSA_V1,
            );
            reg.hooks.push((req, res, p) => {
                if (p.startsWith("/v2/team/shared/manifests/") && p.endsWith(".sig")) {
                    res.writeHead(500).end();
                    return true;
                }
                if (p.startsWith("/v2/team/shared/referrers/")) {
                    const list = JSON.stringify(reg.referrersOf("team/shared", digest));
                    setTimeout(() => res.writeHead(200, { "Content-Type": OCI_INDEX }).end(list), 300);
                    return true;
                }
                return false;
            });
            try {
                const ref = image(`team/shared@${digest}`);
                const [signature, attestation] = await Promise.all([
                    verifier.verifySignature(ref, signatureRequirement(host, [trusted])),
                    verifier.verifyAttestation(ref, provenanceRequirement(host, [trusted])),
                ]);
                assert.strictEqual(signature.status, "error");
                assert.match(signature.reason, /answered 500 Internal Server Error/);
                assert.strictEqual(attestation.status, "verified", attestation.reason);
            } finally {
                reg.hooks.length = 0;
            }
        });

        it("fails provenance from the wrong source repository or builder, saying what it found", async () => {
            const digest = reg.pushImage("team/provenance-bad", "1.0");
            attachBundle(
                reg,
                "team/provenance-bad",
                digest,
                keyedBundle(trusted, statement(digest, SLSA_V1, PROVENANCE)),
                SLSA_V1,
            );
            const req = provenanceRequirement(host, [trusted], {
                sourceRepository: "github.com/acme-evil/*",
                builderId: "https://builder.example/*",
            });
            const v = await verifier.verifyAttestation(image(`team/provenance-bad@${digest}`), req);
            assert.strictEqual(v.status, "failed");
            assert.strictEqual(
                v.reason,
                `the https://slsa.dev/provenance/v1 attestation does not meet the conditions of ` +
                    `image-provenance.requirements[0]: by key ${trusted.fingerprint.slice(0, 19)}…: ` +
                    'its builder id is "https://github.com/actions/runner/github-hosted", expected ' +
                    '"https://builder.example/*"; ' +
                    'its source repository is "https://github.com/acme/app", expected "github.com/acme-evil/*"',
            );
        });

        it("reads legacy .att attestations (in-toto Statement v0.1, as cosign attest writes)", async () => {
            const digest = reg.pushImage("team/legacy-att", "1.0");
            attachLegacy(reg, "team/legacy-att", digest, "att", [
                legacyAttestationLayer(
                    trusted,
                    statement(digest, SLSA_V1, PROVENANCE, "https://in-toto.io/Statement/v0.1"),
                    SLSA_V1,
                ),
            ]);
            const v = await verifier.verifyAttestation(
                image(`team/legacy-att@${digest}`),
                provenanceRequirement(host, [trusted], { sourceRepository: "github.com/acme/app" }),
            );
            assert.strictEqual(v.status, "verified", v.reason);
            assert.match(v.evidence ?? "", /\.att, layer 0$/);
        });

        it("accepts an SBOM predicate with a version suffix for the unversioned type", async () => {
            const digest = reg.pushImage("team/sbom", "1.0");
            attachBundle(
                reg,
                "team/sbom",
                digest,
                keyedBundle(trusted, statement(digest, "https://cyclonedx.org/bom/v1.5", { bomFormat: "CycloneDX" })),
            );
            const v = await verifier.verifyAttestation(
                image(`team/sbom@${digest}`),
                provenanceRequirement(host, [trusted], undefined, "cyclonedx"),
            );
            assert.strictEqual(v.status, "verified", v.reason);
        });
    });

    it("300 resources sharing 10 images cause 10 verifications and one registry round per image", async () => {
        const req = signatureRequirement(host, [trusted]);
        const tags: string[] = [];
        for (let i = 0; i < 10; i++) {
            const digest = reg.pushImage(`team/shared${i}`, "1.0");
            attachBundle(reg, `team/shared${i}`, digest, keyedBundle(trusted, statement(digest, COSIGN_SIGN)));
            tags.push(`team/shared${i}:1.0`);
        }
        const before = reg.requests.length;
        const verdicts = await Promise.all(
            Array.from({ length: 300 }, (_, i) => verifier.verifySignature(image(tags[i % 10]), req)),
        );
        assert.ok(verdicts.every((v) => v.status === "verified"));
        assert.strictEqual(verifier.stats.verifications, 10);
        assert.strictEqual(verifier.stats.resolutions, 10);
        // Per image: HEAD tag, referrers, referrer manifest, bundle blob, legacy .sig.
        assert.strictEqual(reg.requests.length - before, 50);
        const again = await verifier.verifySignature(image(tags[0]), req);
        assert.strictEqual(again, verdicts[0], "a later caller gets the cached verdict");
        assert.strictEqual(reg.requests.length - before, 50);
    });

    it("judges image IDs and missing tags without throwing", async () => {
        const req = signatureRequirement(host, [trusted]);
        const id = await verifier.verifySignature(parseImageRef(`sha256:${"a".repeat(64)}`), req);
        assert.strictEqual(id.status, "error");
        assert.match(id.reason, /image ID names local content/);
        const missing = await verifier.verifySignature(image("team/nothing:9.9"), req);
        assert.strictEqual(missing.status, "failed");
        assert.strictEqual(missing.reason, `the tag "9.9" does not exist in ${host}/team/nothing (registry)`);
    });

    describe("evidence directory", () => {
        let dir = "";
        before(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "cg-evidence-"));
        });
        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("collects bundles, legacy signatures and attestations, and verifies them offline with tags", async () => {
            const digest = reg.pushImage("team/offline", "2.0");
            attachBundle(reg, "team/offline", digest, keyedBundle(trusted, statement(digest, COSIGN_SIGN)));
            attachLegacy(reg, "team/offline", digest, "sig", [
                legacySignatureLayer(trusted, simpleSigningPayload(`${host}/team/offline`, digest)),
            ]);
            attachLegacy(reg, "team/offline", digest, "att", [
                legacyAttestationLayer(trusted, statement(digest, SLSA_V1, PROVENANCE), SLSA_V1),
            ]);
            const results = await collectEvidence([`${host}/team/offline:2.0`], dir, {
                insecureRegistries: [host],
            });
            assert.deepStrictEqual(
                results.map((r) => [r.image, r.digest, r.written, r.error]),
                [[`${host}/team/offline:2.0`, digest, 3, undefined]],
            );
            const files = fs
                .readdirSync(path.join(dir, digest.replace(":", "-")))
                .map((f) => f.replace(/^[0-9a-f]{32}/, "X"))
                .sort();
            assert.deepStrictEqual(files, ["X.att.json", "X.sig.json", "X.sigstore.json"]);
            assert.deepStrictEqual(JSON.parse(fs.readFileSync(path.join(dir, "tags.json"), "utf8")), {
                [`${host}/team/offline:2.0`]: digest,
            });
            const again = await collectEvidence([`${host}/team/offline:2.0`], dir, { insecureRegistries: [host] });
            assert.deepStrictEqual([again[0].written, again[0].present], [0, 3]);

            const requestsBefore = reg.requests.length;
            const offline = new Verifier({ evidenceDir: dir });
            const sig = await offline.verifySignature(image("team/offline:2.0"), signatureRequirement(host, [trusted]));
            assert.strictEqual(sig.status, "verified", sig.reason);
            assert.strictEqual(sig.digest, digest);
            const att = await offline.verifyAttestation(
                image("team/offline:2.0"),
                provenanceRequirement(host, [trusted], { sourceRepository: "github.com/acme/app" }),
            );
            assert.strictEqual(att.status, "verified", att.reason);
            const other = await offline.verifySignature(
                image("team/offline:3.0"),
                signatureRequirement(host, [trusted]),
            );
            assert.strictEqual(other.status, "failed");
            assert.strictEqual(
                other.reason,
                `the tag "3.0" does not exist in ${host}/team/offline (evidence directory ${dir})`,
            );
            assert.strictEqual(reg.requests.length, requestsBefore, "no request reaches the registry");

            // tags.json is data: a value that is not a digest never becomes a path.
            fs.writeFileSync(path.join(dir, "tags.json"), JSON.stringify({ [`${host}/team/evil:1`]: "../../etc" }));
            const evil = await new Verifier({ evidenceDir: dir }).verifySignature(
                image("team/evil:1"),
                signatureRequirement(host, [trusted]),
            );
            assert.strictEqual(evil.status, "failed");
            assert.match(evil.reason, /^the tag "1" does not exist/);
        });

        it("reports unreadable evidence files instead of passing or throwing", async () => {
            const digest = `sha256:${"b".repeat(64)}`;
            const sub = path.join(dir, digest.replace(":", "-"));
            fs.mkdirSync(sub, { recursive: true });
            fs.writeFileSync(path.join(sub, "broken.sigstore.json"), "{not json");
            const offline = new Verifier({ evidenceDir: dir });
            const v = await offline.verifySignature(
                image(`team/broken@${digest}`),
                signatureRequirement(host, [trusted]),
            );
            assert.strictEqual(v.status, "error");
            assert.match(
                v.reason,
                new RegExp(
                    /^could not verify: no readable signature for sha256:bbbbbbbbbbbb… .* /.source +
                        /Could not read: .*broken\.sigstore\.json is not valid JSON/.source,
                ),
            );
        });
    });
});
