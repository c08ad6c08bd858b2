// Values unknown during preview affect only the checks that need them: those report an advisory
// naming the field; everything known is still judged at the configured level.

import * as assert from "assert";
import { allPolicies } from "../../policies";
import { PolicyTester, unknown } from "../../testkit";
import { deployment } from "../support/workloads";

const tester = new PolicyTester({ policies: allPolicies }, { all: "mandatory" });

async function run(spec: Record<string, unknown>, annotations: Record<string, unknown> = {}) {
    return (await tester.analyze(deployment(spec, annotations))).violations;
}

describe("values unknown during preview", () => {
    it("an unknown image does not stop the privileged check", async () => {
        const vs = await run({ containers: [{ name: "app", image: unknown, securityContext: { privileged: true } }] });
        const priv = vs.filter((v) => v.policyName === "pss-privileged");
        assert.strictEqual(priv.length, 1);
        assert.strictEqual(priv[0].enforcementLevel, "mandatory");
        assert.ok(
            !vs.some((v) => v.message.includes("can't run")),
            "no policy may be abandoned for the whole resource",
        );
    });

    it("an unknown field is reported once per policy that needs it, as advisory, naming the field", async () => {
        const vs = await run({
            containers: [{ name: "app", image: "nginx:1.27", securityContext: { privileged: unknown } }],
        });
        const priv = vs.filter((v) => v.policyName === "pss-privileged");
        assert.deepStrictEqual(
            priv.map((v) => v.enforcementLevel),
            ["advisory"],
        );
        assert.ok(
            priv[0].message.includes(
                'Deployment prod/web, container "app": spec.template.spec.containers[0].securityContext.privileged ' +
                    "is not known during preview",
            ),
            priv[0].message,
        );
        // Checks that do not read the field are not affected.
        assert.ok(!vs.some((v) => v.policyName === "pss-host-ports"));
    });

    it("a whole unknown securityContext makes container checks advisory but leaves pod checks mandatory", async () => {
        const vs = await run({
            hostPID: true,
            containers: [{ name: "app", image: "nginx:1.27", securityContext: unknown }],
        });
        const hostNs = vs.filter((v) => v.policyName === "pss-host-namespaces");
        assert.deepStrictEqual(
            hostNs.map((v) => v.enforcementLevel),
            ["mandatory"],
        );
        for (const name of ["pss-privileged", "pss-capabilities-baseline", "pss-allow-privilege-escalation"]) {
            const found = vs.filter((v) => v.policyName === name);
            assert.deepStrictEqual(
                found.map((v) => v.enforcementLevel),
                ["advisory"],
                name,
            );
            assert.ok(
                found[0].message.includes(
                    "spec.template.spec.containers[0].securityContext is not known during preview",
                ),
                found[0].message,
            );
        }
    });

    it("one unknown container does not hide a privileged sibling", async () => {
        const vs = await run({
            containers: [unknown, { name: "b", image: "i", securityContext: { privileged: true } }],
        });
        const priv = vs.filter((v) => v.policyName === "pss-privileged");
        assert.deepStrictEqual(priv.map((v) => v.enforcementLevel).sort(), ["advisory", "mandatory"]);
        assert.ok(priv.some((v) => v.message.includes("spec.template.spec.containers[0] is not known")));
    });

    it("an unknown container list is reported as unknown, pod-level checks still run", async () => {
        const vs = await run({ hostNetwork: true, initContainers: unknown, containers: [{ name: "a", image: "i" }] });
        assert.ok(vs.some((v) => v.policyName === "pss-host-namespaces" && v.enforcementLevel === "mandatory"));
        assert.ok(
            vs.some(
                (v) =>
                    v.policyName === "pss-privileged" &&
                    v.enforcementLevel === "advisory" &&
                    v.message.includes("spec.template.spec.initContainers is not known"),
            ),
        );
    });

    it("an unknown pod spec is advisory for every check", async () => {
        const r = await tester.analyze({
            type: "kubernetes:apps/v1:Deployment",
            props: { metadata: { name: "web" }, spec: { template: { spec: unknown } } },
        });
        assert.ok(r.violations.length > 0);
        assert.ok(
            r.violations.every(
                (v) => v.enforcementLevel === "advisory" && v.message.includes("spec.template.spec is not known"),
            ),
        );
    });

    it("an exemption that depends on an unknown field (os.name) is undecided, not a violation", async () => {
        const vs = await run({
            os: { name: unknown },
            securityContext: { runAsNonRoot: true },
            containers: [{ name: "a", image: "i" }],
        });
        const ape = vs.filter((v) => v.policyName === "pss-allow-privilege-escalation");
        assert.deepStrictEqual(
            ape.map((v) => v.enforcementLevel),
            ["advisory"],
        );
        assert.ok(ape[0].message.includes("spec.template.spec.os.name is not known"), ape[0].message);
    });

    it("a known Windows pod stays exempt when other fields are unknown", async () => {
        const vs = await run({
            os: { name: "windows" },
            securityContext: { runAsNonRoot: true },
            containers: [{ name: "a", image: unknown }],
        });
        // The image rules need the unknown image; no Pod Security Standards check does.
        assert.deepStrictEqual(
            vs.filter((v) => v.policyName.startsWith("pss-")),
            [],
        );
    });

    it("an unknown hostUsers decides the user-namespace relaxation later", async () => {
        const vs = await run({
            hostUsers: unknown,
            containers: [{ name: "a", image: "i", securityContext: { procMount: "Unmasked" } }],
        });
        const baseline = vs.filter((v) => v.policyName === "pss-proc-mount-baseline");
        assert.deepStrictEqual(
            baseline.map((v) => v.enforcementLevel),
            ["advisory"],
        );
        // The restricted procMount check has no relaxation, so it decides now.
        assert.deepStrictEqual(
            vs.filter((v) => v.policyName === "pss-proc-mount-restricted").map((v) => v.enforcementLevel),
            ["mandatory"],
        );
    });

    it("an unknown hostPath value is still a hostPath volume", async () => {
        const vs = await run({
            containers: [{ name: "a", image: "i" }],
            volumes: [{ name: "data", hostPath: unknown }],
        });
        assert.deepStrictEqual(
            vs.filter((v) => v.policyName === "pss-host-path-volumes").map((v) => v.enforcementLevel),
            ["mandatory"],
        );
    });

    it("unknown annotations are reported for the checks that read them", async () => {
        const r = await tester.analyze({
            type: "kubernetes:apps/v1:Deployment",
            props: {
                metadata: { name: "web" },
                spec: {
                    template: { metadata: { annotations: unknown }, spec: { containers: [{ name: "a", image: "i" }] } },
                },
            },
        });
        assert.deepStrictEqual(
            r.violations.filter((v) => v.policyName === "pss-apparmor").map((v) => v.enforcementLevel),
            ["advisory"],
        );
    });

    it("a pod-level runAsNonRoot that is unknown does not make containers fail", async () => {
        const vs = await run({ securityContext: { runAsNonRoot: unknown }, containers: [{ name: "a", image: "i" }] });
        assert.deepStrictEqual(
            vs.filter((v) => v.policyName === "pss-run-as-non-root").map((v) => v.enforcementLevel),
            ["advisory"],
        );
    });

    it("the same unknown value is reported once per policy", async () => {
        const vs = await run({ containers: [{ name: "a", image: "i", securityContext: unknown }] });
        // Other findings (e.g. one per missing resource limit) may name a policy more than once.
        const names = vs.filter((v) => v.message.includes("is not known during preview")).map((v) => v.policyName);
        assert.ok(names.length > 10, JSON.stringify(names));
        assert.strictEqual(new Set(names).size, names.length);
    });
});
