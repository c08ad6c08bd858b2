// The built pack, started the way the engine starts it, speaking gRPC: nothing but the port on
// stdout, complete metadata, configuration checks, and the same diagnostics as the test kit.

import * as assert from "assert";
import * as path from "path";
import { allPolicies } from "../../policies";
import { PackServer, type PolicyPackConfig, PolicyTester, secret, type TestResource, unknown } from "../../testkit";
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
        assert.deepStrictEqual(
            info.policies.map((p) => p.name),
            allPolicies.map((p) => p.name),
        );
        for (const p of info.policies) {
            assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, "kebab-case");
            assert.ok(p.displayName && p.description && p.remediationSteps && p.url.startsWith("https://"), p.name);
            assert.ok(p.severity, p.name);
            assert.ok(p.tags.length > 0, p.name);
            assert.ok(p.framework?.name, p.name);
            assert.ok(p.configSchema && Object.keys(p.configSchema.properties).length > 0, p.name);
            assert.strictEqual(
                p.enforcementLevel,
                p.severity === "high" || p.severity === "critical" ? "mandatory" : "advisory",
                p.name,
            );
            assert.strictEqual(p.type, p.tags.includes("stack") ? "stack" : "resource", p.name);
            assert.ok(
                p.configSchema.properties.exclude && p.configSchema.properties.allowAnnotationExemptions,
                `${p.name} accepts exemptions`,
            );
        }
        const pss = info.policies.filter((p) => p.tags.includes("pss:baseline") || p.tags.includes("pss:restricted"));
        assert.strictEqual(pss.length, 19);
        for (const p of pss) {
            assert.ok(p.tags.includes("pss:baseline") !== p.tags.includes("pss:restricted"), p.name);
            assert.strictEqual(p.configSchema!.properties.version.default, "latest");
        }
    });

    const cases: [string, TestResource][] = [
        [
            "privileged with unknown image",
            deployment({ containers: [{ name: "a", image: unknown, securityContext: { privileged: true } }] }),
        ],
        ["hardened", deployment(hardenedPodSpec())],
        [
            "unknown securityContext",
            pod({ hostIPC: true, containers: [{ name: "a", image: "i", securityContext: unknown }] }),
        ],
        [
            "not a workload",
            { type: "kubernetes:core/v1:Service", props: { metadata: { name: "s" }, spec: { type: "ClusterIP" } } },
        ],
        ...demoResources.map((r): [string, TestResource] => [
            `demo ${r.name}`,
            { type: r.type, name: r.name, props: r.props as Record<string, unknown> },
        ]),
    ];
    const configs: [string, PolicyPackConfig | undefined][] = [
        ["defaults", undefined],
        ["restricted profile", require("../../config/restricted.json")],
        [
            "per-policy options",
            {
                all: "mandatory",
                "pss-sysctls": { version: "v1.26" },
                "pss-privileged": { enforcementLevel: "disabled" },
            },
        ],
    ];

    for (const [configName, config] of configs) {
        it(`gives the same diagnostics as the test kit (${configName})`, async () => {
            await server.configure(config);
            const kit = new PolicyTester({ policies: allPolicies, version: VERSION }, config);
            for (const [name, r] of cases) {
                const viaServer = await server.analyze(r);
                const viaKit = await kit.analyze(r);
                assert.deepStrictEqual(viaServer.violations, viaKit.violations, name);
                // The same policies are not applicable; the server words the reason of those skipped
                // from the type token alone as the SDK does (src/sdk/applicability.ts), naming the policy.
                const names = (r: typeof viaServer) => r.notApplicable.map((n) => n.policyName);
                assert.deepStrictEqual(names(viaServer), names(viaKit), name);
                for (const n of viaServer.notApplicable) {
                    assert.ok(n.reason?.includes(n.policyName), `${name}: ${n.policyName}: ${n.reason}`);
                }
            }
        });
    }

    it("remediates like the test kit: the same policies change the same props", async () => {
        const config: PolicyPackConfig = {
            "pss-allow-privilege-escalation": "remediate",
            "pss-capabilities-restricted": "remediate",
            "pss-seccomp-restricted": "remediate",
        };
        await server.configure(config);
        const r = deployment({
            containers: [{ name: "a", image: unknown, env: [{ name: "PASSWORD", value: secret("s3cret") }] }],
        });
        const viaServer = await server.remediate(r);
        const viaKit = await new PolicyTester({ policies: allPolicies, version: VERSION }, config).remediate(r);
        assert.deepStrictEqual(
            viaServer.map((x) => x.policyName),
            viaKit.remediatedBy,
        );
        assert.deepStrictEqual(viaServer[viaServer.length - 1].properties, viaKit.props);
        await server.configure(undefined);
    });

    it("judges the stack like the test kit", async () => {
        const resources: TestResource[] = [
            { ...deployment(hardenedPodSpec()), urn: "urn:pulumi:s::p::kubernetes:apps/v1:Deployment::web" },
            {
                type: "kubernetes:core/v1:Namespace",
                urn: "urn:pulumi:s::p::kubernetes:core/v1:Namespace::prod",
                props: { metadata: { name: "prod" } },
            },
        ];
        await server.configure({ all: "mandatory" });
        const viaServer = await server.analyzeStack(resources);
        const viaKit = await new PolicyTester(
            { policies: allPolicies, version: VERSION },
            { all: "mandatory" },
        ).analyzeStack(resources);
        assert.ok(viaServer.violations.length >= 2);
        assert.deepStrictEqual(viaServer, viaKit);
        await server.configure(undefined);
    });

    it("keeps the findings of a large stack within what the engine accepts in one response", async function () {
        this.timeout(300_000);
        // 8,000 Deployments without NetworkPolicies: about 9 MB of stack findings, which the engine's 4 MiB limit
        // refused (the whole analysis failed). Each policy now lists what fits and says how many it left out.
        const resources: TestResource[] = Array.from({ length: 8000 }, (_, i) => {
            const name = `a-deployment-with-a-long-descriptive-name-${String(i).padStart(5, "0")}`;
            return {
                ...deployment(hardenedPodSpec()),
                name,
                urn: `urn:pulumi:prod::shop::kubernetes:apps/v1:Deployment::${name}`,
                props: {
                    ...deployment(hardenedPodSpec()).props,
                    metadata: { name, namespace: `team-${i % 40}` },
                },
            };
        });
        await server.configure({ all: "mandatory" });
        try {
            const viaServer = await server.analyzeStack(resources);
            const viaKit = await new PolicyTester(
                { policies: allPolicies, version: VERSION },
                { all: "mandatory" },
            ).analyzeStack(resources);
            const count = (vs: typeof viaKit.violations) => {
                const byPolicy = new Map<string, number>();
                for (const v of vs) {
                    const left = /\n(\d+) more findings? of this policy (?:is|are) not listed/.exec(v.message);
                    byPolicy.set(v.policyName, (byPolicy.get(v.policyName) ?? 0) + (left ? Number(left[1]) : 1));
                }
                return byPolicy;
            };
            const summaries = viaServer.violations.filter((v) => /more findings of this policy/.test(v.message));
            assert.ok(summaries.length >= 1, "some findings did not fit and were summarized");
            assert.ok(viaServer.violations.length < viaKit.violations.length);
            assert.deepStrictEqual(count(viaServer.violations), count(viaKit.violations), "every finding is counted");
            for (const s of summaries) {
                assert.strictEqual(s.enforcementLevel, "mandatory", "a summary blocks as its findings would");
                assert.ok(s.message.includes("container-guard scan"), s.message);
            }
        } finally {
            await server.configure(undefined);
        }
    });

    it("reads scanner reports relative to the pack's directory (where the engine runs the pack)", async () => {
        const config = { "image-vulnerabilities": { reports: ["tests/fixtures/scanners/grype-redis.json"] } };
        const r = pod({ containers: [{ name: "a", image: "redis:7.2" }] });
        await server.configure(config);
        const viaServer = await server.analyze(r);
        await server.configure(undefined);
        const found = viaServer.violations.filter((v) => v.policyName === "image-vulnerabilities");
        assert.strictEqual(found.length, 1);
        assert.ok(
            found[0].message.includes("(2 CRITICAL; Grype report tests/fixtures/scanners/grype-redis.json)"),
            found[0].message,
        );
        assert.deepStrictEqual(
            viaServer.violations,
            (await new PolicyTester({ policies: allPolicies, version: VERSION }, config).analyze(r)).violations,
        );
    });

    it("rejects configuration that names a policy the pack does not have", async () => {
        await assert.rejects(
            () => server.configure({ "pss-privilegd": "mandatory" }),
            (err: Error) => {
                assert.ok(
                    err.message.includes('policy "pss-privilegd" is not a policy of this pack') &&
                        err.message.includes('Did you mean "pss-privileged"?'),
                    err.message,
                );
                return true;
            },
        );
    });

    it("rejects a misspelled option when configured, once, without a doubled prefix or a stack trace", async () => {
        await assert.rejects(
            () => server.configure({ "pss-run-as-user": { verson: "v1.30" } }),
            (err: Error) => {
                assert.ok(
                    err.message.includes(
                        'invalid policy pack configuration: policy "pss-run-as-user": verson is not',
                    ) && err.message.includes('Did you mean "version"?'),
                    err.message,
                );
                assert.ok(!err.message.includes("container-guard:"), err.message);
                assert.ok(!/\n\s+at /.test(err.message), err.message);
                return true;
            },
        );
        await server.configure(undefined);
    });

    it("suggests enforcementLevel for a misspelling of it", async () => {
        await assert.rejects(
            () => server.configure({ "pss-privileged": { enforcmentLevel: "advisory" } }),
            (err: Error) => {
                assert.ok(err.message.includes('Did you mean "enforcementLevel"?'), err.message);
                assert.match(err.message, /known: [^)]*enforcementLevel/);
                return true;
            },
        );
        await server.configure(undefined);
    });
});
