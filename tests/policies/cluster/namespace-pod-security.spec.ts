// Stack policy: namespaces declared in the stack enforce the Pod Security Standards.

import * as assert from "assert";
import { allPolicies } from "../../../policies";
import { type PolicyPackConfig, PolicyTester, type TestResource, unknown } from "../../../testkit";

const ns = (name: string, labels?: Record<string, unknown>): TestResource => ({
    type: "kubernetes:core/v1:Namespace",
    name,
    urn: `urn:pulumi:dev::p::kubernetes:core/v1:Namespace::${name}`,
    props: { metadata: { name, ...(labels && { labels }) } },
});

async function run(resources: TestResource[], config: PolicyPackConfig = {}) {
    const t = new PolicyTester({ policies: allPolicies }, { "namespace-pod-security": "mandatory", ...config });
    return (await t.analyzeStack(resources)).violations.filter((v) => v.policyName === "namespace-pod-security");
}

const E = "pod-security.kubernetes.io/enforce";
const V = "pod-security.kubernetes.io/enforce-version";

describe("stack: namespace-pod-security", () => {
    it("requires the enforce label at or above the configured level", async () => {
        const vs = await run([
            ns("a"),
            ns("b", { [E]: "privileged" }),
            ns("c", { [E]: "baseline" }),
            ns("d", { [E]: "restricted" }),
            ns("e", { [E]: "Baseline" }),
        ]);
        assert.deepStrictEqual(
            vs.map((v) => v.urn!.split("::").pop()),
            ["a", "b", "e"],
        );
        assert.ok(
            vs[0].message.includes("Namespace a: the pod-security.kubernetes.io/enforce label is not set"),
            vs[0].message,
        );
        assert.ok(vs[1].message.includes('is "privileged", below the required baseline'), vs[1].message);
        assert.ok(vs[2].message.includes('is "Baseline", not a level'), vs[2].message);
        const strict = await run([ns("c", { [E]: "baseline" }), ns("d", { [E]: "restricted" })], {
            "namespace-pod-security": { minimumLevel: "restricted" },
        });
        assert.deepStrictEqual(
            strict.map((v) => v.urn!.split("::").pop()),
            ["c"],
        );
    });

    it("checks the version label: valid when set, required when configured", async () => {
        const vs = await run([
            ns("a", { [E]: "baseline", [V]: "v1.30" }),
            ns("b", { [E]: "baseline", [V]: "1.30" }),
            ns("c", { [E]: "baseline", [V]: "latest" }),
            ns("d", { [E]: "baseline" }),
        ]);
        assert.deepStrictEqual(
            vs.map((v) => v.urn!.split("::").pop()),
            ["b"],
        );
        const required = await run([ns("d", { [E]: "baseline" })], {
            "namespace-pod-security": { requireVersion: true },
        });
        assert.strictEqual(required.length, 1);
        assert.ok(required[0].message.includes("enforce-version is not set"));
    });

    it("is advisory while labels are unknown, and honours exemptions by namespace name", async () => {
        const [u] = await run([ns("a", unknown)]);
        assert.strictEqual(u.enforcementLevel, "advisory");
        const [x] = await run([ns("kube-system")], {
            "namespace-pod-security": { exclude: [{ namespace: "kube-system", reason: "system components" }] },
        });
        assert.strictEqual(x.enforcementLevel, "advisory");
        assert.ok(x.message.includes("system components"));
    });

    it("ignores resources that are not namespaces", async () => {
        assert.deepStrictEqual(
            await run([{ type: "kubernetes:core/v1:ConfigMap", props: { metadata: { name: "x" } } }]),
            [],
        );
    });
});
