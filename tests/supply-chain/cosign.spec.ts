// Integration: signatures and attestations made by the real cosign v3 (both layouts), stored in real
// go-containerregistry registries on 127.0.0.1 (referrers API on and off, and the stock `registry`),
// verified by the engine. Needs scripts/supply-chain-tools.sh; skipped without it (failing under CI).

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseImageRef } from "../../src/images/image-ref";
import {
    type ProvenanceRequirement,
    type SignatureRequirement,
    Verifier,
    collectEvidence,
    compileProvenanceRequirements,
    compileSignatureRequirements,
    keyFingerprint,
    parsePublicKey,
} from "../../src/supply-chain";
import { RegistryProcess, ToolBox, requireTools } from "../support/supply-chain-tools";

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
    runDetails: {
        builder: { id: "https://github.com/actions/runner/github-hosted" },
        metadata: { invocationId: "42" },
    },
};

function fingerprintOf(pubFile: string): string {
    const key = parsePublicKey(fs.readFileSync(pubFile, "utf8"));
    assert.ok(typeof key !== "string", typeof key === "string" ? key : "");
    return `${keyFingerprint(key).slice(0, 19)}…`;
}

describe("supply chain: real cosign signatures in real registries", function () {
    this.timeout(120_000);
    let tools: ToolBox;
    let withReferrers: RegistryProcess;
    let withoutReferrers: RegistryProcess;
    let stock: RegistryProcess;
    let trusted: { key: string; pub: string };
    let other: { key: string; pub: string };
    let verifier: Verifier;

    before(async function () {
        const bin = requireTools(this);
        tools = new ToolBox(bin);
        [withReferrers, withoutReferrers, stock] = await Promise.all([
            RegistryProcess.start(bin, "oci-registry", true),
            RegistryProcess.start(bin, "oci-registry", false),
            RegistryProcess.start(bin, "registry"),
        ]);
        trusted = tools.keyPair("trusted");
        other = tools.keyPair("other");
        verifier = new Verifier({
            insecureRegistries: [withReferrers.host, withoutReferrers.host, stock.host],
            timeoutSeconds: 10,
        });
    });
    after(() => {
        verifier?.close();
        for (const r of [withReferrers, withoutReferrers, stock]) {
            r?.stop();
        }
        tools?.cleanup();
    });

    const signatureRequirement = (host: string): SignatureRequirement => {
        const c = compileSignatureRequirements([
            { images: [`${host}/**`], keys: [fs.readFileSync(trusted.pub, "utf8")] },
        ]);
        assert.deepStrictEqual(c.errors, []);
        return c.requirements[0];
    };
    const provenanceRequirement = (host: string, conditions: object): ProvenanceRequirement => {
        const c = compileProvenanceRequirements([
            {
                images: [`${host}/**`],
                keys: [fs.readFileSync(trusted.pub, "utf8")],
                predicateType: "slsaprovenance1",
                conditions,
            },
        ]);
        assert.deepStrictEqual(c.errors, []);
        return c.requirements[0];
    };

    it("verifies a cosign v3 signature found through the referrers API, and fails the unsigned image", async () => {
        const host = withReferrers.host;
        const digest = tools.pushRandomImage(`${host}/team/app:v1`);
        tools.sign(trusted.key, `${host}/team/app@${digest}`);
        const signed = await verifier.verifySignature(parseImageRef(`${host}/team/app:v1`), signatureRequirement(host));
        assert.strictEqual(signed.status, "verified", signed.reason);
        assert.strictEqual(signed.digest, digest);
        assert.match(signed.evidence ?? "", /\(the OCI referrers API\)$/);

        const unsignedDigest = tools.pushRandomImage(`${host}/team/unsigned:v1`);
        const unsigned = await verifier.verifySignature(
            parseImageRef(`${host}/team/unsigned:v1`),
            signatureRequirement(host),
        );
        assert.strictEqual(unsigned.status, "failed");
        assert.ok(
            unsigned.reason.startsWith(`no signature found for ${unsignedDigest.slice(0, 19)}…`),
            unsigned.reason,
        );
    });

    it("fails an image signed with another key, naming that key's fingerprint", async () => {
        const host = withReferrers.host;
        const digest = tools.pushRandomImage(`${host}/team/stranger:v1`);
        tools.sign(other.key, `${host}/team/stranger@${digest}`);
        const v = await verifier.verifySignature(
            parseImageRef(`${host}/team/stranger@${digest}`),
            signatureRequirement(host),
        );
        assert.strictEqual(v.status, "failed");
        assert.strictEqual(
            v.reason,
            `no signature from the expected signer (key ${fingerprintOf(trusted.pub)}): found 1 signature: by key ` +
                `${fingerprintOf(other.pub)} (not trusted).`,
        );
    });

    it("verifies a legacy .sig signature and rejects one copied to another image's tag (replay)", async () => {
        const host = withReferrers.host;
        const digest = tools.pushRandomImage(`${host}/team/legacy:v1`);
        tools.sign(trusted.key, `${host}/team/legacy@${digest}`, true);
        const v = await verifier.verifySignature(parseImageRef(`${host}/team/legacy:v1`), signatureRequirement(host));
        assert.strictEqual(v.status, "verified", v.reason);
        assert.match(v.evidence ?? "", /^the legacy tag sha256-[0-9a-f]{64}\.sig, layer 0$/);

        const victim = tools.pushRandomImage(`${host}/team/legacy:v2`);
        tools.run("crane", [
            "copy",
            `${host}/team/legacy:${digest.replace(":", "-")}.sig`,
            `${host}/team/legacy:${victim.replace(":", "-")}.sig`,
        ]);
        const replay = await verifier.verifySignature(
            parseImageRef(`${host}/team/legacy@${victim}`),
            signatureRequirement(host),
        );
        assert.strictEqual(replay.status, "failed");
        assert.ok(
            replay.reason.startsWith(`the signature is for ${digest.slice(0, 19)}…, not for ${victim.slice(0, 19)}…`),
            replay.reason,
        );
    });

    it("checks SLSA v1 provenance made by cosign attest (bundle and legacy) against conditions", async () => {
        const host = withReferrers.host;
        const digest = tools.pushRandomImage(`${host}/team/built:v1`);
        tools.attest(trusted.key, `${host}/team/built@${digest}`, "slsaprovenance1", PROVENANCE);
        const pass = await verifier.verifyAttestation(
            parseImageRef(`${host}/team/built:v1`),
            provenanceRequirement(host, {
                builderId: "https://github.com/actions/runner/*",
                buildType: "https://actions.github.io/buildtypes/workflow/v1",
                sourceRepository: "github.com/acme/*",
            }),
        );
        assert.strictEqual(pass.status, "verified", pass.reason);
        const fail = await verifier.verifyAttestation(
            parseImageRef(`${host}/team/built:v1`),
            provenanceRequirement(host, { sourceRepository: "github.com/other/*" }),
        );
        assert.strictEqual(fail.status, "failed");
        assert.match(
            fail.reason,
            /its source repository is "https:\/\/github\.com\/acme\/app", expected "github\.com\/other\/\*"/,
        );

        const legacyDigest = tools.pushRandomImage(`${host}/team/built-legacy:v1`);
        tools.attest(trusted.key, `${host}/team/built-legacy@${legacyDigest}`, "slsaprovenance1", PROVENANCE, true);
        const legacy = await verifier.verifyAttestation(
            parseImageRef(`${host}/team/built-legacy@${legacyDigest}`),
            provenanceRequirement(host, { sourceRepository: "github.com/acme/app" }),
        );
        assert.strictEqual(legacy.status, "verified", legacy.reason);
        assert.match(legacy.evidence ?? "", /\.att, layer 0$/);
    });

    it(
        "finds bundles through the sha256-<hex> tag on registries without the referrers API (ours and the stock " +
            "registry)",
        async () => {
            for (const host of [withoutReferrers.host, stock.host]) {
                const digest = tools.pushRandomImage(`${host}/team/fallback:v1`);
                tools.sign(trusted.key, `${host}/team/fallback@${digest}`);
                tools.attest(trusted.key, `${host}/team/fallback@${digest}`, "slsaprovenance1", PROVENANCE);
                assert.ok(
                    tools
                        .run("crane", ["ls", `${host}/team/fallback`])
                        .split("\n")
                        .includes(digest.replace(":", "-")),
                    "cosign wrote the fallback tag",
                );
                const v = await verifier.verifySignature(
                    parseImageRef(`${host}/team/fallback:v1`),
                    signatureRequirement(host),
                );
                assert.strictEqual(v.status, "verified", `${host}: ${v.reason}`);
                assert.match(v.evidence ?? "", /\(the referrers tag sha256-[0-9a-f]{64}\)$/);
                const a = await verifier.verifyAttestation(
                    parseImageRef(`${host}/team/fallback:v1`),
                    provenanceRequirement(host, { sourceRepository: "github.com/acme/app" }),
                );
                assert.strictEqual(a.status, "verified", `${host}: ${a.reason}`);
            }
        },
    );

    it("resolves a multi-arch tag to the index digest cosign signed, not a platform manifest", async () => {
        const host = withReferrers.host;
        const amd = tools.pushRandomImage(`${host}/team/multi:amd64`);
        const arm = tools.pushRandomImage(`${host}/team/multi:arm64`);
        tools.run("crane", [
            "index",
            "append",
            "-m",
            `${host}/team/multi@${amd}`,
            "-m",
            `${host}/team/multi@${arm}`,
            "-t",
            `${host}/team/multi:v1`,
        ]);
        const index = tools.digest(`${host}/team/multi:v1`);
        assert.ok(index !== amd && index !== arm);
        tools.sign(trusted.key, `${host}/team/multi@${index}`);

        const resolution = await verifier.resolveDigest(parseImageRef(`${host}/team/multi:v1`));
        assert.deepStrictEqual(resolution, {
            status: "resolved",
            digest: index,
            fromTag: "v1",
            pinned: `${host}/team/multi:v1@${index}`,
        });
        const v = await verifier.verifySignature(parseImageRef(`${host}/team/multi:v1`), signatureRequirement(host));
        assert.strictEqual(v.status, "verified", v.reason);
        assert.strictEqual(v.digest, index);
        const child = await verifier.verifySignature(
            parseImageRef(`${host}/team/multi@${amd}`),
            signatureRequirement(host),
        );
        assert.strictEqual(child.status, "failed", "a platform manifest is not covered by the index's signature");
    });

    it("collects real cosign evidence into a directory and verifies it with the registry gone", async () => {
        const registry = await RegistryProcess.start(tools.bin, "oci-registry", true);
        const dir = path.join(tools.home, "evidence");
        try {
            const host = registry.host;
            const digest = tools.pushRandomImage(`${host}/team/offline:v1`);
            tools.sign(trusted.key, `${host}/team/offline@${digest}`);
            tools.sign(trusted.key, `${host}/team/offline@${digest}`, true);
            tools.attest(trusted.key, `${host}/team/offline@${digest}`, "slsaprovenance1", PROVENANCE);
            const results = await collectEvidence([`${host}/team/offline:v1`], dir, { insecureRegistries: [host] });
            assert.strictEqual(results[0].error, undefined);
            assert.strictEqual(results[0].written, 3);
            registry.stop();
            const offline = new Verifier({ evidenceDir: dir });
            const sig = await offline.verifySignature(
                parseImageRef(`${host}/team/offline:v1`),
                signatureRequirement(host),
            );
            assert.strictEqual(sig.status, "verified", sig.reason);
            assert.strictEqual(sig.digest, digest);
            const att = await offline.verifyAttestation(
                parseImageRef(`${host}/team/offline:v1`),
                provenanceRequirement(host, { builderId: "https://github.com/actions/runner/github-hosted" }),
            );
            assert.strictEqual(att.status, "verified", att.reason);
        } finally {
            registry.stop();
        }
    });
});
