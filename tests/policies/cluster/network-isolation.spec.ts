// Stack policy: every workload's pods isolated by a NetworkPolicy in the same stack.

import * as assert from "assert";
import { allPolicies } from "../../../policies";
import { type PolicyPackConfig, PolicyTester, type TestResource, unknown } from "../../../testkit";
import { workloadProps } from "../../support/workloads";

type Obj = Record<string, unknown>;
let seq = 0;

function workload(
    type: string,
    name: string,
    namespace: string | undefined,
    labels: Obj,
    provider?: Obj,
): TestResource {
    const metadata: Obj = { name, ...(namespace !== undefined && { namespace }) };
    return {
        type,
        name,
        urn: `urn:pulumi:dev::shop::${type}::${name}-${seq++}`,
        props: workloadProps(type, { containers: [{ name: "c", image: "i" }] }, { labels }, metadata),
        ...(provider && { provider: { type: "pulumi:providers:kubernetes", props: provider } }),
    };
}

function netpol(name: string, namespace: string | undefined, spec: Obj): TestResource {
    return {
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        name,
        urn: `urn:pulumi:dev::shop::kubernetes:networking.k8s.io/v1:NetworkPolicy::${name}-${seq++}`,
        props: { metadata: { name, ...(namespace && { namespace }) }, spec },
    };
}

const defaultDeny = (ns: string, types = ["Ingress", "Egress"]) =>
    netpol(`deny-${ns}`, ns, { podSelector: {}, policyTypes: types });

async function run(resources: TestResource[], config: PolicyPackConfig = {}) {
    const t = new PolicyTester({ policies: allPolicies }, { "network-isolation": "mandatory", ...config });
    return (await t.analyzeStack(resources)).violations.filter((v) => v.policyName === "network-isolation");
}

describe("stack: network-isolation", () => {
    const web = workload("kubernetes:apps/v1:Deployment", "web", "shop", { app: "web", tier: "front" });

    it("reports a workload in a namespace without NetworkPolicies, attributed to the workload", async () => {
        const [v, ...rest] = await run([web]);
        assert.strictEqual(rest.length, 0);
        assert.strictEqual(v.urn, web.urn);
        assert.strictEqual(v.enforcementLevel, "mandatory");
        assert.ok(
            v.message.includes(
                'Deployment shop/web: no NetworkPolicy in namespace "shop" isolates its pods (app=web, tier=front) ' +
                    "for Ingress",
            ),
            v.message,
        );
        assert.ok(v.message.includes("(spec.template.metadata.labels)"), v.message);
    });

    it("a namespace-wide default-deny policy covers every workload in its namespace only", async () => {
        const other = workload("kubernetes:batch/v1:CronJob", "report", "billing", { app: "report" });
        const vs = await run([web, other, defaultDeny("shop")]);
        assert.deepStrictEqual(
            vs.map((v) => v.urn),
            [other.urn],
        );
    });

    it("a policy that selects the pods covers them; a policy for other pods does not", async () => {
        const sel = (matchLabels: Obj, matchExpressions?: Obj[]) =>
            netpol("np", "shop", {
                podSelector: { matchLabels, ...(matchExpressions && { matchExpressions }) },
                policyTypes: ["Ingress"],
            });
        assert.strictEqual((await run([web, sel({ app: "web" })])).length, 0);
        assert.strictEqual((await run([web, sel({ app: "api" })])).length, 1);
        assert.strictEqual((await run([web, sel({ app: "web", extra: "x" })])).length, 1);
        assert.strictEqual(
            (await run([web, sel({}, [{ key: "tier", operator: "In", values: ["front", "back"] }])])).length,
            0,
        );
        assert.strictEqual(
            (await run([web, sel({}, [{ key: "tier", operator: "NotIn", values: ["front"] }])])).length,
            1,
        );
        assert.strictEqual((await run([web, sel({}, [{ key: "app", operator: "Exists" }])])).length, 0);
        assert.strictEqual((await run([web, sel({}, [{ key: "app", operator: "DoesNotExist" }])])).length, 1);
    });

    it("resolves namespaces: metadata, then the provider's namespace, then default", async () => {
        const viaProvider = workload(
            "kubernetes:apps/v1:Deployment",
            "api",
            undefined,
            { app: "api" },
            { namespace: "team-a" },
        );
        const plain = workload("kubernetes:apps/v1:Deployment", "plain", undefined, { app: "plain" });
        assert.deepStrictEqual(
            (await run([viaProvider, plain, defaultDeny("team-a")])).map((v) => v.urn),
            [plain.urn],
        );
        assert.deepStrictEqual(
            (await run([viaProvider, plain, defaultDeny("default")])).map((v) => v.urn),
            [viaProvider.urn],
        );
        const [msg] = await run([plain]);
        assert.ok(msg.message.includes('namespace "default"'));
    });

    it("requires Egress isolation when configured", async () => {
        assert.strictEqual((await run([web, defaultDeny("shop", ["Ingress"])])).length, 0);
        const [v] = await run([web, defaultDeny("shop", ["Ingress"])], {
            "network-isolation": { enforcementLevel: "mandatory", requireEgress: true },
        });
        assert.ok(v.message.includes("for Egress"), v.message);
        assert.strictEqual(
            (await run([web, defaultDeny("shop")], { "network-isolation": { requireEgress: true } })).length,
            0,
        );
    });

    it("directions: Ingress, Egress or both; the finding names the missing ones", async () => {
        const ni = (options: Obj) => ({ "network-isolation": { enforcementLevel: "mandatory" as const, ...options } });
        const ingressOnly = defaultDeny("shop", ["Ingress"]);
        const egressOnly = defaultDeny("shop", ["Egress"]);
        assert.strictEqual((await run([web, egressOnly], ni({ directions: ["Egress"] }))).length, 0);
        const [v] = await run([web, ingressOnly], ni({ directions: ["Egress"] }));
        assert.ok(v.message.includes("(app=web, tier=front) for Egress ("), v.message);
        assert.ok(v.message.includes("policyTypes: [Egress]"), v.message);
        const [both] = await run([web], ni({ directions: ["Egress", "Ingress"] }));
        assert.ok(both.message.includes("for Ingress and Egress"), both.message);
        assert.ok(both.message.includes("policyTypes: [Ingress, Egress]"), both.message);
        assert.ok(!both.message.includes("requireEgress"), both.message);
        assert.strictEqual(
            (await run([web, defaultDeny("shop")], ni({ directions: ["Ingress", "Egress"] }))).length,
            0,
        );
    });

    it("requireEgress (deprecated) adds Egress to directions, and its findings name the replacement", async () => {
        const ni = (options: Obj) => ({ "network-isolation": { enforcementLevel: "mandatory" as const, ...options } });
        const ingressOnly = defaultDeny("shop", ["Ingress"]);
        const [v] = await run([web, ingressOnly], ni({ requireEgress: true }));
        assert.ok(v.message.includes("for Egress ("), v.message);
        assert.ok(
            v.message.endsWith(
                "; the deprecated option requireEgress added Egress: set directions: [Ingress, Egress] instead",
            ),
            v.message,
        );
        // Same verdicts as directions: [Ingress, Egress].
        for (const stack of [
            [web],
            [web, ingressOnly],
            [web, defaultDeny("shop", ["Egress"])],
            [web, defaultDeny("shop")],
        ]) {
            const old = await run(stack, ni({ requireEgress: true }));
            const current = await run(stack, ni({ directions: ["Ingress", "Egress"] }));
            assert.deepStrictEqual(
                old.map((x) => x.message.replace(/; the deprecated option.*$/, "")),
                current.map((x) => x.message),
            );
        }
        const [egressOnly] = await run([web], ni({ requireEgress: true, directions: ["Egress"] }));
        assert.ok(egressOnly.message.includes("for Egress (") && !egressOnly.message.includes("Ingress and"));
    });

    it("directions is checked: known directions, at least one, each once", async () => {
        const bad = async (directions: unknown, message: RegExp) =>
            assert.rejects(run([web], { "network-isolation": { directions } }), message);
        await bad([], /directions must name at least one direction/);
        await bad(["Ingress", "Ingress"], /directions lists "Ingress" more than once/);
        await bad(["ingress"], /must be one of "Ingress", "Egress"/);
        await bad("Ingress", /must be an array/);
    });

    it("a rule that allows everything does not isolate", async () => {
        const allowAll = netpol("allow-all", "shop", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{}] });
        assert.strictEqual((await run([web, allowAll])).length, 1);
        const allowSome = netpol("allow-mon", "shop", {
            podSelector: {},
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ namespaceSelector: { matchLabels: { name: "monitoring" } } }] }],
        });
        assert.strictEqual((await run([web, allowSome])).length, 0);
    });

    it("without policyTypes a policy isolates Ingress, and Egress when it has egress rules", async () => {
        const cfg = { "network-isolation": { requireEgress: true } };
        assert.strictEqual((await run([web, netpol("i", "shop", { podSelector: {} })], cfg)).length, 1);
        assert.strictEqual(
            (
                await run(
                    [
                        web,
                        netpol("ie", "shop", {
                            podSelector: {},
                            egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" } }] }],
                        }),
                    ],
                    cfg,
                )
            ).length,
            0,
        );
    });

    it("ignores patches, judges every item of a list, and every workload kind", async () => {
        const patch = workload("kubernetes:apps/v1:DeploymentPatch", "p", "shop", { app: "x" });
        assert.strictEqual((await run([patch])).length, 0);
        const list: TestResource = {
            type: "kubernetes:core/v1:PodList",
            urn: "urn:pulumi:dev::shop::kubernetes:core/v1:PodList::l",
            props: {
                items: [
                    workloadProps("kubernetes:core/v1:Pod", {}, { labels: { a: "1" } }, { name: "p1", namespace: "x" }),
                    workloadProps("kubernetes:core/v1:Pod", {}, { labels: { a: "2" } }, { name: "p2", namespace: "y" }),
                ],
            },
        };
        const vs = await run([list, defaultDeny("x")]);
        assert.strictEqual(vs.length, 1);
        assert.ok(
            vs[0].message.includes(`namespace "y"`) && vs[0].message.includes("(items[1].metadata.labels)"),
            vs[0].message,
        );
        for (const type of [
            "kubernetes:core/v1:Pod",
            "kubernetes:apps/v1:StatefulSet",
            "kubernetes:apps/v1:DaemonSet",
            "kubernetes:batch/v1:Job",
            "kubernetes:argoproj.io/v1alpha1:Rollout",
        ]) {
            assert.strictEqual((await run([workload(type, "w", "z", { app: "w" })])).length, 1, type);
        }
    });

    it("is undecided while a NetworkPolicy's namespace or selector is unknown, and decided otherwise", async () => {
        const unknownNs = netpol("np", undefined, { podSelector: {}, policyTypes: ["Ingress"] });
        (unknownNs.props.metadata as Obj).namespace = unknown;
        const [v] = await run([web, unknownNs]);
        assert.strictEqual(v.enforcementLevel, "advisory");
        assert.ok(v.message.includes("metadata.namespace is not known during preview"), v.message);
        const unknownSelector = netpol("np", "shop", { podSelector: unknown, policyTypes: ["Ingress"] });
        const [u] = await run([web, unknownSelector]);
        assert.strictEqual(u.enforcementLevel, "advisory");
        // A known default-deny decides regardless of the unknown policy.
        assert.strictEqual((await run([web, unknownSelector, defaultDeny("shop")])).length, 0);
    });

    it("exemptions apply per workload", async () => {
        const vs = await run([web], {
            "network-isolation": {
                enforcementLevel: "mandatory",
                exclude: [{ namespace: "shop", reason: "legacy namespace, isolated by the service mesh (NET-9)" }],
            },
        });
        assert.strictEqual(vs[0].enforcementLevel, "advisory");
        assert.ok(vs[0].message.includes("NET-9"));
    });

    it("judges a 10,000-resource stack correctly", async () => {
        const resources: TestResource[] = [];
        for (let ns = 0; ns < 100; ns++) {
            for (let w = 0; w < 95; w++) {
                resources.push(workload("kubernetes:apps/v1:Deployment", `w${w}`, `ns${ns}`, { app: `a${w % 7}` }));
            }
            if (ns % 2 === 0) {
                resources.push(defaultDeny(`ns${ns}`));
            } else {
                resources.push(
                    netpol(`np${ns}`, `ns${ns}`, {
                        podSelector: { matchLabels: { app: "a0" } },
                        policyTypes: ["Ingress"],
                    }),
                );
            }
            for (let i = 0; i < 4; i++) {
                resources.push({
                    type: "kubernetes:core/v1:ConfigMap",
                    urn: `urn:cm:${ns}:${i}`,
                    props: { metadata: { name: `cm${i}`, namespace: `ns${ns}` }, data: { a: "b" } },
                });
            }
        }
        assert.strictEqual(resources.length, 10000);
        const vs = await run(resources);
        // Odd namespaces: 95 workloads, of which those with app=a0 (w % 7 == 0: 14) are covered.
        assert.strictEqual(vs.length, 50 * (95 - 14));
    });
});
