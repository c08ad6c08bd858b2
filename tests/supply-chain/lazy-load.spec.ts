// Start-up cost: loading the supply-chain module (which the policies will import) must not load the
// Sigstore libraries; they are loaded by the first verification that needs them.

import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { skipUnlessBuilt } from "../support/built";

const ROOT = path.resolve(__dirname, "../..");
const BUILT = path.join(ROOT, "dist/src/supply-chain/index.js");

/** Runs a script in a fresh Node process (a clean module cache) and returns its JSON output. */
function probe(script: string): { sigstore: string[]; verified?: string } {
    const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    assert.strictEqual(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
}

describe("supply chain: start-up cost", () => {
    before(skipUnlessBuilt(BUILT));

    it("importing the module loads no @sigstore package and prints nothing", () => {
        const r = spawnSync(
            process.execPath,
            [
                "-e",
                `require(${JSON.stringify(BUILT)}); process.stdout.write(JSON.stringify({ sigstore: ` +
                    `Object.keys(require.cache).filter((k) => k.includes("@sigstore")) }))`,
            ],
            { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
        );
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual(r.stderr, "");
        assert.deepStrictEqual(JSON.parse(r.stdout), { sigstore: [] });
    });

    it("loading the pack's policies (with image-signature and image-provenance) loads none and opens no socket", () => {
        // The policies themselves (the library and pack entries also load @pulumi/policy, whose
        // @pulumi/pulumi runtime loads npm's own sigstore package through pacote).
        const policies = path.join(ROOT, "dist/policies/index.js");
        const r = spawnSync(
            process.execPath,
            [
                "-e",
                `const { allPolicies } = require(${JSON.stringify(policies)});
                const names = allPolicies.map((p) => p.name);
                const stdio = [process.stdin, process.stdout, process.stderr];
                const handles = process._getActiveHandles()
                    .filter((h) => !stdio.includes(h))
                    .map((h) => h.constructor.name);
                process.stdout.write(JSON.stringify({
                    sigstore: Object.keys(require.cache).filter((k) => k.includes("@sigstore")),
                    policies: names.filter((n) => n === "image-signature" || n === "image-provenance"),
                    handles,
                }))`,
            ],
            { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
        );
        assert.strictEqual(r.status, 0, r.stderr);
        assert.deepStrictEqual(JSON.parse(r.stdout), {
            sigstore: [],
            policies: ["image-signature", "image-provenance"],
            handles: [],
        });
    });

    it("the first verification loads them", () => {
        const out = probe(`
            const sc = require(${JSON.stringify(BUILT)});
            const { generateKeyPairSync } = require("crypto");
            const pem = generateKeyPairSync("ec", { namedCurve: "P-256" })
                .publicKey.export({ format: "pem", type: "spki" });
            const fs = require("fs"), os = require("os"), path = require("path");
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cg-lazy-"));
            const digest = "sha256:" + "d".repeat(64);
            const evidence = path.join(dir, "sha256-" + "d".repeat(64));
            fs.mkdirSync(evidence);
            fs.writeFileSync(
                path.join(evidence, "x.sigstore.json"),
                JSON.stringify({ mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json" }),
            );
            const req = sc.compileSignatureRequirements([{ images: ["**"], keys: [pem] }]).requirements[0];
            const { parseImageRef } = require(${JSON.stringify(path.join(ROOT, "dist/src/images/image-ref.js"))});
            const image = parseImageRef("ghcr.io/a/b@" + digest);
            new sc.Verifier({ evidenceDir: dir }).verifySignature(image, req).then((v) => {
                fs.rmSync(dir, { recursive: true, force: true });
                const sigstore = Object.keys(require.cache).filter((k) => k.includes("@sigstore/verify"));
                process.stdout.write(JSON.stringify({ sigstore, verified: v.status }));
            });
        `);
        assert.strictEqual(out.verified, "failed");
        assert.ok(out.sigstore.length > 0, "the verifier was loaded for the verification");
    });
});
