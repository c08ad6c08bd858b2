// Stack policy service-account-token-automount: a pod gets no Kubernetes API token it does not ask for.
// The pod's own automountServiceAccountToken decides; when it is unset, the pod's ServiceAccount declared
// in the same stack (same cluster, namespace and name; `default` when serviceAccountName is empty) does.

import * as assert from "assert";
import { serviceAccountTokenAutomount } from "../../../policies/cluster";
import { type PolicyPackConfig, PolicyTester, type TestResource, unknown } from "../../../testkit";
import { findingLine } from "../../support/secrets";
import { workloadProps } from "../../support/workloads";

type Obj = Record<string, unknown>;
let seq = 0;

function workload(type: string, spec: Obj, metadata: Obj = { name: "web", namespace: "prod" }, extra: Obj = {}) {
    return {
        type,
        name: typeof metadata.name === "string" ? metadata.name : "web",
        urn: `urn:pulumi:dev::shop::${type}::w${seq++}`,
        props: workloadProps(type, { containers: [{ name: "app", image: "i" }], ...spec }, {}, metadata),
        ...extra,
    } satisfies TestResource;
}

const deployment = (spec: Obj = {}, metadata?: Obj, extra?: Obj) =>
    workload("kubernetes:apps/v1:Deployment", spec, metadata, extra);

function account(name: string, namespace: string | undefined, fields: Obj = {}, extra: Obj = {}): TestResource {
    const type = "kubernetes:core/v1:ServiceAccount";
    return {
        type,
        name,
        urn: `urn:pulumi:dev::shop::${type}::sa${seq++}`,
        props: { metadata: { name, ...(namespace !== undefined && { namespace }) }, ...fields },
        ...extra,
    };
}

async function run(resources: TestResource[], config: PolicyPackConfig = {}) {
    const t = new PolicyTester({ policies: [serviceAccountTokenAutomount] }, config);
    const { violations } = await t.analyzeStack(resources);
    return violations;
}

const POD_FIX =
    "set spec.automountServiceAccountToken: false (or, if the workload calls the Kubernetes API, keep the token " +
    "and set allowExplicitTrue or exempt the workload)";
const accountFix = (label: string) =>
    "set spec.automountServiceAccountToken: false in the pod template, or automountServiceAccountToken: false on " +
    `${label} (or, if the workload calls the Kubernetes API, keep the token and set allowExplicitTrue or exempt ` +
    "the workload)";

describe("stack: service-account-token-automount", () => {
    it("is a stack policy with its options and level unchanged", () => {
        assert.strictEqual(
            typeof (serviceAccountTokenAutomount as { validateStack?: unknown }).validateStack,
            "function",
        );
        assert.strictEqual("validateResource" in serviceAccountTokenAutomount, false);
        assert.strictEqual(serviceAccountTokenAutomount.enforcementLevel, "advisory");
        assert.deepStrictEqual(Object.keys(serviceAccountTokenAutomount.configSchema.properties).sort(), [
            "allowAnnotationExemptions",
            "allowExplicitTrue",
            "customWorkloads",
            "exclude",
        ]);
    });

    it("a pod that leaves it unset passes when its ServiceAccount in the stack sets false", async () => {
        const web = deployment({ serviceAccountName: "web" });
        assert.deepStrictEqual(await run([web, account("web", "prod", { automountServiceAccountToken: false })]), []);
    });

    it("an unset value and no ServiceAccount in the stack: names the ServiceAccount it would need", async () => {
        const web = deployment({ serviceAccountName: "web" });
        const [v, ...rest] = await run([web]);
        assert.deepStrictEqual(rest, []);
        assert.strictEqual(v.urn, web.urn);
        assert.strictEqual(v.enforcementLevel, "advisory");
        assert.strictEqual(
            findingLine(v),
            "Deployment prod/web: automountServiceAccountToken is not set, and ServiceAccount prod/web is not " +
                "declared in this stack, so every container gets a Kubernetes API token unless that ServiceAccount " +
                "disables it (spec.template.spec.automountServiceAccountToken). Fix: " +
                accountFix("ServiceAccount prod/web"),
        );
    });

    it("the message names the ServiceAccount that decided when it does not disable the token", async () => {
        const web = deployment({ serviceAccountName: "web" });
        const unset = await run([web, account("web", "prod")]);
        assert.strictEqual(
            findingLine(unset[0]),
            "Deployment prod/web: automountServiceAccountToken is not set, and ServiceAccount prod/web (declared in " +
                "this stack) does not set it either, so every container gets a Kubernetes API token " +
                "(spec.template.spec.automountServiceAccountToken). Fix: " +
                accountFix("ServiceAccount prod/web"),
        );
        const on = await run([web, account("web", "prod", { automountServiceAccountToken: true })]);
        assert.ok(findingLine(on[0]).includes("ServiceAccount prod/web (declared in this stack) sets it to true"));
        const malformed = await run([web, account("web", "prod", { automountServiceAccountToken: "false" })]);
        assert.ok(findingLine(malformed[0]).includes('sets it to "false"'), findingLine(malformed[0]));
    });

    it("the pod's own setting wins over its ServiceAccount's, as in Kubernetes", async () => {
        const off = account("web", "prod", { automountServiceAccountToken: false });
        const on = account("web", "prod", { automountServiceAccountToken: true });
        const explicitTrue = await run([
            deployment({ serviceAccountName: "web", automountServiceAccountToken: true }),
            off,
        ]);
        assert.deepStrictEqual(explicitTrue.map(findingLine), [
            "Deployment prod/web: automountServiceAccountToken is true " +
                `(spec.template.spec.automountServiceAccountToken). Fix: ${POD_FIX}`,
        ]);
        assert.deepStrictEqual(
            await run([deployment({ serviceAccountName: "web", automountServiceAccountToken: false }), on]),
            [],
        );
        const malformed = await run([deployment({ automountServiceAccountToken: "false" })]);
        // The API rejects a string; it is judged as true, the unsafe reading, and the finding says so.
        assert.ok(
            findingLine(malformed[0]).includes(
                'automountServiceAccountToken is the string "false", not a boolean: the Kubernetes API rejects it, ' +
                    "and it is judged as true",
            ),
            findingLine(malformed[0]),
        );
    });

    it("matches by namespace and name; an empty serviceAccountName means default", async () => {
        const off = (name: string, ns: string | undefined) =>
            account(name, ns, { automountServiceAccountToken: false });
        // Another namespace's ServiceAccount of the same name does not decide.
        const [other] = await run([deployment({ serviceAccountName: "web" }), off("web", "staging")]);
        assert.ok(findingLine(other).includes("ServiceAccount prod/web is not declared in this stack"));
        // No serviceAccountName (or an empty one): the namespace's default ServiceAccount.
        assert.deepStrictEqual(await run([deployment(), off("default", "prod")]), []);
        assert.deepStrictEqual(await run([deployment({ serviceAccountName: "" }), off("default", "prod")]), []);
        const [def] = await run([deployment()]);
        assert.ok(findingLine(def).includes("ServiceAccount prod/default is not declared"), findingLine(def));
        // The deprecated serviceAccount field names it when serviceAccountName is unset.
        assert.deepStrictEqual(await run([deployment({ serviceAccount: "legacy" }), off("legacy", "prod")]), []);
    });

    it("a ServiceAccountPatch on the namespace's default ServiceAccount decides too", async () => {
        const patch: TestResource = {
            type: "kubernetes:core/v1:ServiceAccountPatch",
            name: "default-sa",
            urn: "urn:pulumi:dev::shop::kubernetes:core/v1:ServiceAccountPatch::default-sa",
            props: { metadata: { name: "default", namespace: "prod" }, automountServiceAccountToken: false },
        };
        assert.deepStrictEqual(await run([deployment(), patch]), []);
    });

    it("namespaces resolve as the provider does, for the pod and the ServiceAccount alike", async () => {
        const provider = { provider: { type: "pulumi:providers:kubernetes", props: { namespace: "team-a" } } };
        const web = deployment({ serviceAccountName: "web" }, { name: "web" }, provider);
        assert.deepStrictEqual(
            await run([web, account("web", undefined, { automountServiceAccountToken: false }, provider)]),
            [],
        );
        assert.deepStrictEqual(await run([web, account("web", "team-a", { automountServiceAccountToken: false })]), []);
        const [v] = await run([web, account("web", undefined, { automountServiceAccountToken: false })]);
        assert.ok(findingLine(v).includes("ServiceAccount team-a/web is not declared"), findingLine(v));
    });

    it("a ServiceAccount in another cluster does not decide", async () => {
        const cluster = (kubeconfig: string) => ({
            provider: { type: "pulumi:providers:kubernetes", urn: `urn:p:${kubeconfig}`, props: { kubeconfig } },
        });
        const web = deployment({ serviceAccountName: "web" }, undefined, cluster("east"));
        const inEast = account("web", "prod", { automountServiceAccountToken: false }, cluster("east"));
        const inWest = account("web", "prod", { automountServiceAccountToken: false }, cluster("west"));
        assert.deepStrictEqual(await run([web, inEast]), []);
        assert.strictEqual((await run([web, inWest])).length, 1);
        // Two provider resources for the same cluster (a per-team default namespace) share it.
        const eastTeam = {
            provider: {
                type: "pulumi:providers:kubernetes",
                urn: "urn:p:east-team",
                props: { kubeconfig: "east", namespace: "prod" },
            },
        };
        assert.deepStrictEqual(
            await run([web, account("web", undefined, { automountServiceAccountToken: false }, eastTeam)]),
            [],
        );
    });

    it("allowExplicitTrue: an explicit true on the pod, or on its ServiceAccount if the pod sets none", async () => {
        const opts = { "service-account-token-automount": { allowExplicitTrue: true } };
        const on = account("web", "prod", { automountServiceAccountToken: true });
        assert.deepStrictEqual(await run([deployment({ automountServiceAccountToken: true })], opts), []);
        assert.deepStrictEqual(await run([deployment({ serviceAccountName: "web" }), on], opts), []);
        // Neither says true: still reported.
        assert.strictEqual(
            (await run([deployment({ serviceAccountName: "web" }), account("web", "prod")], opts)).length,
            1,
        );
        assert.strictEqual((await run([deployment()], opts)).length, 1);
    });

    it("every pod-bearing kind, lists of workloads and ServiceAccounts, and the configured level", async () => {
        const off = account("default", "prod", { automountServiceAccountToken: false });
        for (const type of [
            "kubernetes:core/v1:Pod",
            "kubernetes:core/v1:PodTemplate",
            "kubernetes:core/v1:ReplicationController",
            "kubernetes:apps/v1:StatefulSet",
            "kubernetes:apps/v1:DaemonSet",
            "kubernetes:apps/v1:ReplicaSet",
            "kubernetes:batch/v1:Job",
            "kubernetes:batch/v1:CronJob",
            "kubernetes:argoproj.io/v1alpha1:Rollout",
        ]) {
            const w = workload(type, {});
            const vs = await run([w], { "service-account-token-automount": "mandatory" });
            assert.deepStrictEqual(
                vs.map((v) => [v.urn, v.enforcementLevel]),
                [[w.urn, "mandatory"]],
                type,
            );
            assert.deepStrictEqual(await run([w, off]), [], type);
        }
        const [cron] = await run([workload("kubernetes:batch/v1:CronJob", { automountServiceAccountToken: true })]);
        assert.ok(cron.message.includes("(spec.jobTemplate.spec.template.spec.automountServiceAccountToken)"));
        const accounts: TestResource = {
            type: "kubernetes:core/v1:ServiceAccountList",
            urn: "urn:pulumi:dev::shop::kubernetes:core/v1:ServiceAccountList::l",
            props: {
                items: [
                    { metadata: { name: "a", namespace: "prod" } },
                    { metadata: { name: "b", namespace: "prod" }, automountServiceAccountToken: false },
                ],
            },
        };
        const pods: TestResource = {
            type: "kubernetes:core/v1:PodList",
            urn: "urn:pulumi:dev::shop::kubernetes:core/v1:PodList::p",
            props: {
                items: ["a", "b"].map((sa) =>
                    workloadProps(
                        "kubernetes:core/v1:Pod",
                        { serviceAccountName: sa },
                        {},
                        { name: sa, namespace: "prod" },
                    ),
                ),
            },
        };
        const vs = await run([pods, accounts]);
        // Findings on a List are attributed to the List resource; the path names the item.
        assert.strictEqual(vs.length, 1);
        assert.ok(findingLine(vs[0]).includes("(items[0].spec.automountServiceAccountToken)"), findingLine(vs[0]));
    });

    it("patches: only an explicit setting is judged", async () => {
        const patch = (spec: Obj) => workload("kubernetes:apps/v1:DeploymentPatch", spec);
        assert.deepStrictEqual(await run([patch({})]), []);
        assert.strictEqual((await run([patch({ automountServiceAccountToken: true })])).length, 1);
    });

    it("unknown during preview: the pod's, the ServiceAccount's name, namespace or setting", async () => {
        const notKnown = async (resources: TestResource[], what: string) => {
            const vs = await run(resources, { "service-account-token-automount": "mandatory" });
            assert.deepStrictEqual(
                vs.map((v) => [v.enforcementLevel, findingLine(v)]),
                [
                    [
                        "advisory",
                        `Deployment prod/web: ${what} is not known during preview, so this check cannot judge it ` +
                            "yet; it is checked when the value is known (pulumi up).",
                    ],
                ],
            );
        };
        await notKnown(
            [deployment({ automountServiceAccountToken: unknown })],
            "spec.template.spec.automountServiceAccountToken",
        );
        await notKnown([deployment({ serviceAccountName: unknown })], "spec.template.spec.serviceAccountName");
        await notKnown(
            [
                deployment({ serviceAccountName: "web" }),
                account("web", "prod", { automountServiceAccountToken: unknown }),
            ],
            "automountServiceAccountToken of ServiceAccount prod/web",
        );
        const unknownName = account("x", "prod", { automountServiceAccountToken: false });
        (unknownName.props.metadata as Obj).name = unknown;
        await notKnown(
            [deployment({ serviceAccountName: "web" }), unknownName],
            "metadata.name of ServiceAccount prod/x",
        );
        // A ServiceAccount that matches for certain decides, whatever other ServiceAccounts are unknown.
        assert.deepStrictEqual(
            await run([
                deployment({ serviceAccountName: "web" }),
                unknownName,
                account("web", "prod", { automountServiceAccountToken: false }),
            ]),
            [],
        );
    });

    it("exemptions apply per workload; malformed objects are judged without errors", async () => {
        const [v] = await run([deployment()], {
            "service-account-token-automount": {
                enforcementLevel: "mandatory",
                exclude: [{ name: "web", reason: "calls the API to watch ConfigMaps (OPS-12)" }],
            },
        });
        assert.strictEqual(v.enforcementLevel, "advisory");
        assert.ok(v.message.includes("OPS-12"));
        const odd: TestResource[] = [
            { type: "kubernetes:core/v1:ServiceAccount", urn: "urn:a", props: { metadata: "x" } },
            {
                type: "kubernetes:core/v1:ServiceAccountList",
                urn: "urn:b",
                props: { items: [null, 3, { metadata: [] }] },
            },
            deployment({ serviceAccountName: 7, volumes: "x" }),
            { type: "kubernetes:apps/v1:Deployment", urn: "urn:c", props: { spec: { template: [] } } },
        ];
        for (const v2 of await run(odd)) {
            assert.ok(!v2.message.includes("could not evaluate"), v2.message);
        }
    });
});
