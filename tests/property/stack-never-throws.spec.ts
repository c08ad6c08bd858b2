// Property: stack policies never throw and never report internal errors, whatever the stack holds.

import * as assert from "assert";
import fc from "fast-check";
import { stackPolicies } from "../../policies/cluster";
import { PolicyTester, type TestResource, UNKNOWN } from "../../testkit";
import { workloadProps } from "../support/workloads";

const scalar = fc.oneof(
    fc.constantFrom(
        "a",
        "b",
        "",
        "default",
        "kube-system",
        "In",
        "NotIn",
        "Exists",
        "DoesNotExist",
        "Ingress",
        "Egress",
        "baseline",
        "restricted",
        "v1.30",
        "data",
        "node-logs",
        "/var/log",
        UNKNOWN,
    ),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
);
const value = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof(
        { depthSize: "small" },
        scalar,
        fc.array(tie("v"), { maxLength: 3 }),
        fc.dictionary(
            fc.constantFrom(
                "matchLabels",
                "matchExpressions",
                "key",
                "operator",
                "values",
                "app",
                "podSelector",
                "policyTypes",
                "ingress",
                "egress",
                "from",
                "to",
                "ports",
                "labels",
                "namespace",
                "name",
                "automountServiceAccountToken",
                "serviceAccountName",
                "persistentVolumeClaim",
                "claimName",
                "volumeName",
                "claimRef",
                "hostPath",
                "local",
                "path",
                "volumeClaimTemplates",
                "metadata",
                "spec",
            ),
            tie("v"),
            { maxKeys: 4 },
        ),
    ),
})).v;

const labels = fc.oneof(fc.dictionary(fc.constantFrom("app", "tier"), fc.constantFrom("a", "b")), value);

const resource: fc.Arbitrary<TestResource> = fc.oneof(
    fc.record({ ns: fc.oneof(fc.constantFrom("a", "b"), value), labels }).map(({ ns, labels: l }) => ({
        type: "kubernetes:apps/v1:Deployment",
        props: workloadProps(
            "kubernetes:apps/v1:Deployment",
            { containers: [{ name: "c", image: "i" }] },
            { labels: l },
            { name: "w", namespace: ns },
        ),
    })),
    fc.record({ ns: fc.oneof(fc.constantFrom("a", "b"), value), spec: value }).map(({ ns, spec }) => ({
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        props: { metadata: { name: "np", namespace: ns }, spec },
    })),
    fc
        .record({ l: labels })
        .map(({ l }) => ({ type: "kubernetes:core/v1:Namespace", props: { metadata: { name: "n", labels: l } } })),
    fc
        .record({ ns: fc.oneof(fc.constantFrom("a", "b"), value), name: fc.constantFrom("default", "w"), body: value })
        .map(({ ns, name, body }) => ({
            type: "kubernetes:core/v1:ServiceAccount",
            props: { metadata: { name, namespace: ns }, automountServiceAccountToken: body },
        })),
    fc.record({ spec: value, name: fc.oneof(fc.constantFrom("node-logs", "data"), value) }).map(({ spec, name }) => ({
        type: "kubernetes:core/v1:PersistentVolume",
        props: { metadata: { name }, spec },
    })),
    fc.record({ ns: fc.oneof(fc.constantFrom("a", "b"), value), spec: value }).map(({ ns, spec }) => ({
        type: "kubernetes:core/v1:PersistentVolumeClaim",
        props: { metadata: { name: "data", namespace: ns }, spec },
    })),
    fc.record({ volumes: value, templates: value, account: value }).map(({ volumes, templates, account }) => {
        const props = workloadProps(
            "kubernetes:apps/v1:StatefulSet",
            { containers: [{ name: "c", image: "i" }], volumes, serviceAccountName: account },
            {},
            { name: "db", namespace: "a" },
        );
        (props.spec as Record<string, unknown>).volumeClaimTemplates = templates;
        return { type: "kubernetes:apps/v1:StatefulSet", props };
    }),
    value.map((props) => ({
        type: "kubernetes:core/v1:Pod",
        props: (props && typeof props === "object" && !Array.isArray(props) ? props : { spec: props }) as Record<
            string,
            unknown
        >,
    })),
);

describe("property: stack policies never throw", () => {
    const tester = new PolicyTester({ policies: stackPolicies }, { all: "mandatory" });
    it("1,000 generated stacks", async () => {
        await fc.assert(
            fc.asyncProperty(fc.array(resource, { maxLength: 12 }), async (resources) => {
                const stack = resources.map((r, i) => ({ ...r, urn: `urn:pulumi:s::p::${r.type}::r${i}` }));
                const { violations } = await tester.analyzeStack(stack);
                for (const v of violations) {
                    assert.ok(!v.message.includes("could not evaluate"), v.message);
                    assert.ok(
                        v.urn && stack.some((r) => r.urn === v.urn),
                        "every finding names a resource of the stack",
                    );
                }
            }),
            { numRuns: 1000 },
        );
    });
});
