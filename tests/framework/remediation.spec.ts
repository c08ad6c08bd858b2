// Remediation at the `remediate` level: the safe fixes change exactly what they should, keep secrets
// secret and unknown values unknown, leave exempt resources and patches alone, and the remediated
// resource then passes the policy.

import * as assert from "assert";
import { allPolicies } from "../../policies";
import { type PolicyPackConfig, PolicyTester, secret, type TestResource, UNKNOWN, unknown } from "../../testkit";
import { deployment, pod } from "../support/workloads";

const REMEDIATE: PolicyPackConfig = {
    "pss-allow-privilege-escalation": "remediate",
    "pss-capabilities-restricted": "remediate",
    "pss-seccomp-restricted": "remediate",
};

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function remediate(r: TestResource, config: PolicyPackConfig = REMEDIATE) {
    const t = new PolicyTester({ policies: allPolicies }, config);
    const result = await t.remediate(r);
    const after = await t.analyze({ ...r, props: result.props });
    return {
        ...result,
        after: after.violations,
        podSpec: (result.props as Obj).spec.template?.spec ?? (result.props as Obj).spec,
    };
}

describe("remediation", () => {
    it(
        "sets allowPrivilegeEscalation false, drops ALL " + "capabilities and sets the RuntimeDefault seccomp profile",
        async () => {
            const r = deployment({
                initContainers: [{ name: "init", image: "i" }],
                containers: [
                    {
                        name: "app",
                        image: "i",
                        securityContext: {
                            capabilities: { drop: ["NET_RAW"], add: ["NET_BIND_SERVICE"] },
                            allowPrivilegeEscalation: true,
                        },
                    },
                ],
            });
            const { podSpec, remediatedBy, after } = await remediate(r);
            assert.deepStrictEqual(remediatedBy, [
                "pss-allow-privilege-escalation",
                "pss-seccomp-restricted",
                "pss-capabilities-restricted",
            ]);
            assert.deepStrictEqual(podSpec.initContainers[0].securityContext, {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
            });
            assert.deepStrictEqual(podSpec.containers[0].securityContext, {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["NET_RAW", "ALL"], add: ["NET_BIND_SERVICE"] },
            });
            assert.deepStrictEqual(podSpec.securityContext, { seccompProfile: { type: "RuntimeDefault" } });
            assert.deepStrictEqual(
                after.filter((v) => v.policyName in REMEDIATE),
                [],
                "after remediation the three policies pass",
            );
        },
    );

    it("does not remediate at other levels", async () => {
        const r = deployment({ containers: [{ name: "app", image: "i" }] });
        const { remediatedBy, props } = await remediate(r, { all: "mandatory" });
        assert.deepStrictEqual(remediatedBy, []);
        assert.deepStrictEqual(props, r.props);
    });

    it("leaves what is deliberately not automatic: added capabilities, explicit Unconfined, runAsNonRoot", async () => {
        const r = deployment({
            containers: [
                {
                    name: "app",
                    image: "i",
                    securityContext: { capabilities: { add: ["SYS_ADMIN"] }, seccompProfile: { type: "Unconfined" } },
                },
            ],
        });
        const { podSpec, after } = await remediate(r, { ...REMEDIATE, "pss-run-as-non-root": "remediate" });
        assert.deepStrictEqual(podSpec.containers[0].securityContext.capabilities.add, ["SYS_ADMIN"]);
        assert.strictEqual(podSpec.containers[0].securityContext.seccompProfile.type, "Unconfined");
        const levels = Object.fromEntries(after.map((v) => [v.policyName, v.enforcementLevel]));
        assert.strictEqual(
            levels["pss-capabilities-restricted"],
            "mandatory",
            "still violating after remediation: reported as mandatory",
        );
        assert.strictEqual(levels["pss-seccomp-restricted"], "mandatory");
        assert.strictEqual(levels["pss-run-as-non-root"], "mandatory");
    });

    it("keeps secret values secret and unknown values unknown", async () => {
        const r = deployment({
            containers: [{ name: "app", image: unknown, env: [{ name: "DB_PASSWORD", value: secret("hunter2") }] }],
        });
        const { props } = await remediate(r);
        const c = (props as Obj).spec.template.spec.containers[0];
        assert.strictEqual(c.image, UNKNOWN);
        assert.deepStrictEqual(c.env[0].value, secret("hunter2"));
        assert.strictEqual(c.securityContext.allowPrivilegeEscalation, false);
    });

    it("leaves containers whose securityContext is unknown during preview", async () => {
        const r = deployment({
            containers: [
                { name: "a", image: "i", securityContext: unknown },
                { name: "b", image: "i" },
            ],
        });
        const { podSpec } = await remediate(r);
        assert.strictEqual(podSpec.containers[0].securityContext, UNKNOWN);
        assert.strictEqual(podSpec.containers[1].securityContext.allowPrivilegeEscalation, false);
    });

    it("does not add settings to a patch, but fixes explicit bad values in it", async () => {
        const r: TestResource = {
            type: "kubernetes:apps/v1:DeploymentPatch",
            props: {
                metadata: { name: "w" },
                spec: {
                    template: {
                        spec: {
                            containers: [
                                { name: "a", securityContext: { allowPrivilegeEscalation: true } },
                                { name: "b" },
                            ],
                        },
                    },
                },
            },
        };
        const { podSpec } = await remediate(r);
        assert.deepStrictEqual(podSpec.containers, [
            { name: "a", securityContext: { allowPrivilegeEscalation: false } },
            { name: "b" },
        ]);
        assert.strictEqual(podSpec.securityContext, undefined);
    });

    it("leaves exempted resources and Windows pods alone", async () => {
        const r = deployment({ containers: [{ name: "app", image: "i" }] });
        const exempt = await remediate(r, {
            ...REMEDIATE,
            "pss-allow-privilege-escalation": {
                enforcementLevel: "remediate",
                exclude: [{ name: "web", reason: "legacy sudo-based image (OPS-7)" }],
            },
        });
        assert.ok(!exempt.remediatedBy.includes("pss-allow-privilege-escalation"));
        const ape = exempt.after.find((v) => v.policyName === "pss-allow-privilege-escalation")!;
        assert.strictEqual(ape.enforcementLevel, "advisory");
        assert.ok(ape.message.includes("legacy sudo-based image (OPS-7)"));
        const windows = await remediate(
            pod({
                os: { name: "windows" },
                securityContext: { runAsNonRoot: true },
                containers: [{ name: "w", image: "i" }],
            }),
        );
        assert.deepStrictEqual(windows.remediatedBy, []);
    });

    it("leaves containers exempt by image (or whose image is unknown) alone; pod-level fixes still apply", async () => {
        const r = deployment({
            containers: [
                { name: "legacy", image: "ghcr.io/acme/legacy:3.2" },
                { name: "app", image: "ghcr.io/acme/app:1.0" },
                { name: "built", image: unknown },
            ],
        });
        const exemptImages = ["ghcr.io/acme/legacy"];
        const { podSpec, remediatedBy, after } = await remediate(r, {
            "pss-allow-privilege-escalation": { enforcementLevel: "remediate", exemptImages },
            "pss-seccomp-restricted": { enforcementLevel: "remediate", exemptImages },
        });
        assert.deepStrictEqual(remediatedBy, ["pss-allow-privilege-escalation", "pss-seccomp-restricted"]);
        assert.deepStrictEqual(
            podSpec.containers.map((c: Obj) => c.securityContext),
            [undefined, { allowPrivilegeEscalation: false }, undefined],
        );
        assert.strictEqual(podSpec.containers[2].image, UNKNOWN);
        assert.deepStrictEqual(podSpec.securityContext, { seccompProfile: { type: "RuntimeDefault" } });
        const left = after.filter((v) => v.policyName === "pss-allow-privilege-escalation");
        assert.deepStrictEqual(
            left.map((v) => v.enforcementLevel),
            ["advisory", "advisory"],
            "the exempt container, and the one whose image may be exempt, are reported as advisory",
        );
        assert.ok(left[0].message.includes("allowed by option exemptImages: ghcr.io/acme/legacy;"), left[0].message);
    });

    it("respects the configured version (no seccomp fix before v1.19)", async () => {
        const r = deployment({ containers: [{ name: "app", image: "i" }] });
        const { remediatedBy } = await remediate(r, {
            "pss-seccomp-restricted": { enforcementLevel: "remediate", version: "v1.18" },
        });
        assert.deepStrictEqual(remediatedBy, []);
    });
});
