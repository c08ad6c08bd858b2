// The built pack, started the way the engine starts it, speaking gRPC: nothing but the port on
// stdout, complete metadata, configuration checks, and the same diagnostics as the test kit.

import * as assert from "assert";
import * as path from "path";
import { allPolicies } from "../../policies";
import { PolicyPackConfig, PolicyTester, TestResource } from "../../testkit/engine";
import { PackServer } from "../../testkit/grpc";
import { unknown } from "../../testkit/protocol";
import { demoResources } from "../../demo/workloads";
import { deployment, hardenedPodSpec, pod } from "../support/workloads";

const ROOT = path.resolve(__dirname, "../..");
const VERSION = require("../../package.json").version as string;

describe("the pack's gRPC server (as the engine runs it)", function () {
    this.timeout(120000);
    let server: PackServer;

    before(async () => {
        server = await PackServer.start(ROOT);
    });
    after(async () => {
        await server?.close();
    });

    it("writes only its port to stdout", () => {
        assert.strictEqual(server.stdout(), `${server.port}\n`);
    });

    it("describes every policy with complete metadata and a config schema", async () => {
        const info = await server.info();
        assert.strictEqual(info.name, "container-guard");
        assert.strictEqual(info.version, VERSION);
        assert.deepStrictEqual(info.policies.map((p) => p.name), allPolicies.map((p) => p.name));
        for (const p of info.policies) {
            assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, "kebab-case");
            assert.ok(p.displayName && p.description && p.remediationSteps && p.url.startsWith("https://"), p.name);
            assert.ok(p.severity, p.name);
            assert.ok(p.tags.length > 0, p.name);
            assert.ok(p.framework?.name, p.name);
            assert.ok(p.configSchema && Object.keys(p.configSchema.properties).length > 0, p.name);
            assert.strictEqual(p.enforcementLevel, p.severity === "high" || p.severity === "critical" ? "mandatory" : "advisory", p.name);
            assert.strictEqual(p.type, "resource");
        }
        const pss = info.policies.filter((p) => p.tags.includes("pss"));
        assert.strictEqual(pss.length, 19);
        for (const p of pss) {
            assert.ok(p.tags.includes("pss:baseline") !== p.tags.includes("pss:restricted"), p.name);
            assert.strictEqual(p.configSchema!.properties.version.default, "latest");
        }
    });

    const cases: [string, TestResource][] = [
        ["privileged with unknown image", deployment({ containers: [{ name: "a", image: unknown, securityContext: { privileged: true } }] })],
        ["hardened", deployment(hardenedPodSpec())],
        ["unknown securityContext", pod({ hostIPC: true, containers: [{ name: "a", image: "i", securityContext: unknown }] })],
        ["not a workload", { type: "kubernetes:core/v1:Service", props: { metadata: { name: "s" }, spec: { type: "ClusterIP" } } }],
        ...demoResources.map((r): [string, TestResource] => [`demo ${r.name}`, { type: r.type, name: r.name, props: r.props as Record<string, unknown> }]),
    ];
    const configs: [string, PolicyPackConfig | undefined][] = [
        ["defaults", undefined],
        ["restricted profile", require("../../config/restricted.json")],
        ["per-policy options", { all: "mandatory", "pss-sysctls": { version: "v1.26" }, "pss-privileged": { enforcementLevel: "disabled" } }],
    ];

    for (const [configName, config] of configs) {
        it(`gives the same diagnostics as the test kit (${configName})`, async () => {
            await server.configure(config);
            const kit = new PolicyTester({ policies: allPolicies, version: VERSION }, config);
            for (const [name, r] of cases) {
                const viaServer = await server.analyze(r);
                const viaKit = await kit.analyze(r);
                assert.deepStrictEqual(viaServer.violations, viaKit.violations, name);
                assert.deepStrictEqual(viaServer.notApplicable, viaKit.notApplicable, name);
            }
        });
    }

    it("rejects configuration that names a policy the pack does not have", async () => {
        await assert.rejects(() => server.configure({ "pss-privilegd": "mandatory" }), (err: Error) => {
            assert.ok(err.message.includes('policy "pss-privilegd" is not a policy of this pack') && err.message.includes('Did you mean "pss-privileged"?'), err.message);
            return true;
        });
    });

    it("fails the analysis with a clear error for a misspelled option", async () => {
        await server.configure({ "pss-run-as-user": { verson: "v1.30" } });
        await assert.rejects(() => server.analyze(deployment(hardenedPodSpec())), (err: Error) => {
            assert.ok(err.message.includes('invalid configuration for policy "pss-run-as-user"') && err.message.includes('Did you mean "version"?'), err.message);
            return true;
        });
        await server.configure(undefined);
    });
});
