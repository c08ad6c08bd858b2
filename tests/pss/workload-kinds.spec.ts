// Every pod-bearing resource type a Pulumi program can declare is judged, at the right JSON path.
// The list of types comes from the installed @pulumi/kubernetes SDK itself, so a new API version
// added there is tested automatically.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { allPolicies } from "../../policies";
import { PolicyTester, type TestResource } from "../../testkit";
import { podSpecPathOf, workloadProps } from "../support/workloads";

const POD_KINDS = [
    "Pod",
    "PodTemplate",
    "ReplicationController",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
];

/** Type tokens of pod-bearing resources in the installed @pulumi/kubernetes SDK. */
function sdkPodTokens(): string[] {
    const root = path.dirname(require.resolve("@pulumi/kubernetes/package.json"));
    const tokens = new Set<string>();
    const walk = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, e.name);
            if (e.isDirectory() && e.name !== "node_modules") {
                walk(p);
            } else if (e.name.endsWith(".js")) {
                for (const m of fs.readFileSync(p, "utf8").matchAll(/__pulumiType = '(kubernetes:[^']+)'/g)) {
                    const kind = m[1].slice(m[1].lastIndexOf(":") + 1).replace(/(Patch|List)$/, "");
                    if (POD_KINDS.includes(kind)) {
                        tokens.add(m[1]);
                    }
                }
            }
        }
    };
    walk(root);
    return [...tokens].sort();
}

const privilegedSpec = { containers: [{ name: "app", image: "nginx:1.27", securityContext: { privileged: true } }] };
const tester = new PolicyTester({ policies: allPolicies }, { all: "mandatory" });

async function privilegedViolations(r: TestResource) {
    return (await tester.analyze(r)).violations.filter((v) => v.policyName === "pss-privileged");
}

describe("workload model: every pod-bearing type", () => {
    const tokens = sdkPodTokens();

    it("finds the pod-bearing types of the Kubernetes SDK (all groups and versions, patches and lists)", () => {
        assert.ok(tokens.length >= 60, `only ${tokens.length} tokens found`);
        for (const t of [
            "kubernetes:apps/v1:Deployment",
            "kubernetes:extensions/v1beta1:Deployment",
            "kubernetes:batch/v1beta1:CronJob",
            "kubernetes:core/v1:PodTemplate",
            "kubernetes:apps/v1:DeploymentPatch",
            "kubernetes:core/v1:PodList",
        ]) {
            assert.ok(tokens.includes(t), t);
        }
    });

    for (const type of tokens) {
        it(`${type}: judges the pod spec at ${podSpecPathOf(type)}`, async () => {
            const found = await privilegedViolations({ type, name: "w", props: workloadProps(type, privilegedSpec) });
            assert.strictEqual(found.length, 1, JSON.stringify(found));
            assert.ok(
                found[0].message.includes(`(${podSpecPathOf(type)}.containers[0].securityContext.privileged)`),
                found[0].message,
            );
            assert.strictEqual(found[0].enforcementLevel, "mandatory");
        });
    }

    it("names the resource as kind namespace/name and the container", async () => {
        const [v] = await privilegedViolations({
            type: "kubernetes:batch/v1:CronJob",
            name: "nightly-abc",
            props: workloadProps(
                "kubernetes:batch/v1:CronJob",
                privilegedSpec,
                {},
                { name: "nightly", namespace: "ops" },
            ),
        });
        assert.ok(v.message.includes('CronJob ops/nightly, container "app": privileged is true'), v.message);
    });

    it("falls back to the provider's namespace, then to default", async () => {
        const props = workloadProps("kubernetes:apps/v1:Deployment", privilegedSpec, {}, { name: "web" });
        const [withProvider] = await privilegedViolations({
            type: "kubernetes:apps/v1:Deployment",
            props,
            provider: { type: "pulumi:providers:kubernetes", props: { namespace: "team-a" } },
        });
        assert.ok(withProvider.message.includes("Deployment team-a/web"), withProvider.message);
        const [plain] = await privilegedViolations({ type: "kubernetes:apps/v1:Deployment", props });
        assert.ok(plain.message.includes("Deployment default/web"), plain.message);
    });

    it("ignores resources that carry no pod spec", async () => {
        for (const type of [
            "kubernetes:core/v1:Service",
            "kubernetes:core/v1:ConfigMap",
            "kubernetes:apps/v1:ControllerRevision",
            "random:index/randomString:RandomString",
        ]) {
            const result = await tester.analyze({ type, props: { spec: { template: { spec: privilegedSpec } } } });
            assert.deepStrictEqual(result.violations, [], type);
            assert.ok(
                result.notApplicable.some((n) => n.policyName === "pss-privileged"),
                type,
            );
        }
    });

    it("judges a controller without a template as carrying no pod", async () => {
        const r = await tester.analyze({
            type: "kubernetes:core/v1:ReplicationController",
            props: { metadata: { name: "rc" }, spec: { replicas: 1 } },
        });
        assert.deepStrictEqual(r.violations, []);
    });

    it("judges every item of a List resource", async () => {
        const item = workloadProps("kubernetes:apps/v1:Deployment", privilegedSpec);
        const found = await privilegedViolations({
            type: "kubernetes:apps/v1:DeploymentList",
            props: { items: [item, item] },
        });
        assert.deepStrictEqual(
            found.map((v) => /\((items\[\d\][^)]*)\)/.exec(v.message)?.[1]),
            [
                "items[0].spec.template.spec.containers[0].securityContext.privileged",
                "items[1].spec.template.spec.containers[0].securityContext.privileged",
            ],
        );
    });
});

describe("workload model: custom resources", () => {
    it("judges Argo Rollouts and Knative Services by default", async () => {
        for (const type of [
            "kubernetes:argoproj.io/v1alpha1:Rollout",
            "kubernetes:serving.knative.dev/v1:Service",
            "kubernetes:serving.knative.dev/v1:Configuration",
            "kubernetes:apps.openshift.io/v1:DeploymentConfig",
        ]) {
            const found = await privilegedViolations({
                type,
                props: { metadata: { name: "x" }, spec: { template: { metadata: {}, spec: privilegedSpec } } },
            });
            assert.strictEqual(found.length, 1, type);
            assert.ok(
                found[0].message.includes("(spec.template.spec.containers[0].securityContext.privileged)"),
                found[0].message,
            );
        }
    });

    it("reads template annotations of custom resources from the template metadata", async () => {
        const t = new PolicyTester({ policies: allPolicies }, { all: "mandatory" });
        const r = await t.analyze({
            type: "kubernetes:argoproj.io/v1alpha1:Rollout",
            props: {
                metadata: { name: "x" },
                spec: {
                    template: {
                        metadata: {
                            annotations: { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" },
                        },
                        spec: { containers: [{ name: "app", image: "i" }] },
                    },
                },
            },
        });
        assert.ok(
            r.violations.some(
                (v) =>
                    v.policyName === "pss-apparmor" &&
                    v.message.includes(
                        'spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]',
                    ),
            ),
        );
    });

    it("judges configured custom resources at the configured path, with patches and lists", async () => {
        const customWorkloads = [{ type: "kubernetes:example.com/*:Widget", podSpecPath: "spec.runner.pod.spec" }];
        const t = new PolicyTester(
            { policies: allPolicies },
            { all: "mandatory", "pss-privileged": { customWorkloads } },
        );
        const props = { metadata: { name: "w" }, spec: { runner: { pod: { spec: privilegedSpec } } } };
        for (const type of [
            "kubernetes:example.com/v1:Widget",
            "kubernetes:example.com/v2beta1:Widget",
            "kubernetes:example.com/v1:WidgetPatch",
        ]) {
            const found = (await t.analyze({ type, props })).violations.filter(
                (v) => v.policyName === "pss-privileged",
            );
            assert.strictEqual(found.length, 1, type);
            assert.ok(
                found[0].message.includes("Widget default/w") &&
                    found[0].message.includes("(spec.runner.pod.spec.containers[0].securityContext.privileged)"),
                found[0].message,
            );
        }
        const list = (
            await t.analyze({ type: "kubernetes:example.com/v1:WidgetList", props: { items: [props] } })
        ).violations.filter((v) => v.policyName === "pss-privileged");
        assert.strictEqual(list.length, 1);
        // Another policy without the option does not know the type.
        const other = await t.analyze({
            type: "kubernetes:example.com/v1:Widget",
            props: {
                metadata: { name: "w" },
                spec: { runner: { pod: { spec: { ...privilegedSpec, hostNetwork: true } } } },
            },
        });
        assert.ok(!other.violations.some((v) => v.policyName === "pss-host-namespaces"));
    });
});

describe("workload model: patches", () => {
    // The Pod Security Standards policies only: other areas judge values a patch sets too (an image).
    const t = new PolicyTester({ policies: allPolicies.filter((p) => p.tags.includes("pss")) }, { all: "mandatory" });

    it("does not report settings a patch leaves out", async () => {
        const r = await t.analyze({
            type: "kubernetes:apps/v1:DeploymentPatch",
            props: {
                metadata: { name: "web" },
                spec: { template: { spec: { containers: [{ name: "app", image: "nginx:1.27" }] } } },
            },
        });
        assert.deepStrictEqual(
            r.violations.map((v) => v.policyName),
            [],
        );
    });

    it("reports forbidden values a patch sets", async () => {
        const r = await t.analyze({
            type: "kubernetes:apps/v1:DeploymentPatch",
            props: {
                metadata: { name: "web" },
                spec: {
                    template: {
                        spec: {
                            securityContext: { runAsNonRoot: false },
                            containers: [
                                {
                                    name: "app",
                                    securityContext: {
                                        allowPrivilegeEscalation: true,
                                        capabilities: { drop: ["NET_RAW"] },
                                    },
                                },
                            ],
                        },
                    },
                },
            },
        });
        assert.deepStrictEqual(r.violations.map((v) => v.policyName).sort(), [
            "pss-allow-privilege-escalation",
            "pss-capabilities-restricted",
            "pss-run-as-non-root",
        ]);
    });

    it("does not judge a patch that leaves the pod template alone", async () => {
        const r = await t.analyze({
            type: "kubernetes:apps/v1:DeploymentPatch",
            props: { metadata: { name: "web" }, spec: { replicas: 3 } },
        });
        assert.deepStrictEqual(r.violations, []);
    });

    it("judges the same spec fully when it is not a patch", async () => {
        const r = await t.analyze({
            type: "kubernetes:apps/v1:Deployment",
            props: {
                metadata: { name: "web" },
                spec: { template: { spec: { containers: [{ name: "app", image: "nginx:1.27" }] } } },
            },
        });
        assert.deepStrictEqual(r.violations.map((v) => v.policyName).sort(), [
            "pss-allow-privilege-escalation",
            "pss-capabilities-restricted",
            "pss-run-as-non-root",
            "pss-seccomp-restricted",
        ]);
    });
});
