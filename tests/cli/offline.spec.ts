// `container-guard scan --offline`: the policies that can reach registries (image-signature,
// image-provenance) verify from their evidence directory only, and a configuration that gives them
// none is an error rather than a silent network call; without the flag they reach registries as
// configured.

import * as assert from "assert";
import * as path from "path";
import { parseArgs } from "../../cli/args";
import { collectEvidence } from "../../src/supply-chain";
import { deploymentManifest, parseReport, runCli, tempDir, writeFile, yamlDocs } from "../support/cli";
import { SignedRegistry } from "../support/signed-registry";

describe("container-guard scan --offline", function () {
    this.timeout(60_000);
    const reg = new SignedRegistry();
    let dir = "";
    let manifests = "";

    before(async () => {
        await reg.start();
        dir = tempDir("cg-scan-offline-");
        await collectEvidence([reg.signed.tag, reg.unsigned.tag], path.join(dir, "evidence"), {
            insecureRegistries: [reg.host],
        });
        manifests = writeFile(
            dir,
            "app.yaml",
            yamlDocs(
                deploymentManifest("signed", { containers: [{ name: "app", image: reg.signed.tag }] }),
                deploymentManifest("unsigned", { containers: [{ name: "app", image: reg.unsigned.tag }] }),
            ),
        );
    });
    after(() => reg.stop());

    /** A configuration with image-signature requirements (and the evidence directory when asked). */
    function config(name: string, withEvidence: boolean): string {
        return writeFile(
            dir,
            name,
            JSON.stringify({
                all: "disabled",
                "image-signature": {
                    enforcementLevel: "mandatory",
                    requirements: [{ images: [`${reg.host}/team/*`], keys: [reg.trusted.publicPem] }],
                    insecureRegistries: [reg.host],
                    ...(withEvidence && { evidenceDir: path.join(dir, "evidence") }),
                },
            }),
        );
    }

    const scan = (...args: string[]) => runCli(["scan", "--format", "json", ...args, manifests], { cwd: dir });
    const findingsOf = (stdout: string) =>
        parseReport(stdout).findings.map((f) => `${f.resource?.name} ${f.policy} ${f.enforcementLevel}`);

    it("is parsed as a flag", () => {
        assert.deepStrictEqual(
            [parseArgs(["scan", "--offline", "x.yaml"]), parseArgs(["scan", "x.yaml"])].map(
                (a) => a.command === "scan" && a.offline === true,
            ),
            [true, false],
        );
    });

    it("verifies from the evidence directory and sends no request to the registry", async () => {
        const before = reg.registry.requests.length;
        const r = await scan("--offline", "--policy-pack-config", config("with-evidence.json", true));
        assert.deepStrictEqual(findingsOf(r.stdout), ["unsigned image-signature mandatory"], r.stderr);
        assert.match(parseReport(r.stdout).findings[0].message, /evidence directory/);
        assert.strictEqual(r.code, 1);
        assert.strictEqual(reg.registry.requests.length, before);
    });

    it("refuses a configuration without an evidence directory instead of reaching the registry", async () => {
        const before = reg.registry.requests.length;
        const r = await scan("--offline", "--policy-pack-config", config("no-evidence.json", false));
        assert.strictEqual(r.code, 2, r.stderr);
        assert.match(
            r.stderr,
            new RegExp(
                /invalid policy pack configuration: .*"image-signature": offline is true /.source +
                    /\(container-guard scan --offline sets it\) but evidenceDir is not set/.source,
            ),
        );
        assert.strictEqual(reg.registry.requests.length, before);
    });

    it("without the flag, reaches the registry as configured", async () => {
        const before = reg.registry.requests.length;
        const r = await scan("--policy-pack-config", config("online.json", false));
        assert.deepStrictEqual(findingsOf(r.stdout), ["unsigned image-signature mandatory"], r.stderr);
        assert.ok(reg.registry.requests.length > before, "the registry was not asked");
    });
});
