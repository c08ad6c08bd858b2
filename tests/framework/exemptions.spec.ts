// Exemptions leave an audit trail: exempted findings are still reported, as advisory, with the
// reason; expired exemptions say so; annotations count only where configuration allows them.

import * as assert from "assert";
import { allPolicies } from "../../policies";
import { type PolicyPackConfig, PolicyTester, type TestResource, unknown } from "../../testkit";
import { globMatch, useClock } from "../../src/framework/exemptions";

function privilegedDaemonSet(metadata: Record<string, unknown>, name = "agent"): TestResource {
    return {
        type: "kubernetes:apps/v1:DaemonSet",
        name,
        urn: `urn:pulumi:prod::platform::kubernetes:apps/v1:DaemonSet::${name}`,
        props: {
            metadata,
            spec: {
                template: { spec: { containers: [{ name: "c", image: "i", securityContext: { privileged: true } }] } },
            },
        },
    };
}

async function privileged(config: PolicyPackConfig, r: TestResource) {
    const result = await new PolicyTester({ policies: allPolicies }, { all: "mandatory", ...config }).analyze(r);
    return result.violations.filter((v) => v.policyName === "pss-privileged");
}

const exclude = (entry: Record<string, unknown>) => ({ "pss-privileged": { exclude: [entry] } });

describe("exemptions", () => {
    const meta = { name: "node-agent", namespace: "kube-system", labels: { app: "agent", tier: "node" } };
    const r = privilegedDaemonSet(meta);

    let restoreClock: () => void;
    before(() => {
        restoreClock = useClock(() => new Date("2026-11-27T12:00:00Z"));
    });
    after(() => {
        restoreClock();
    });

    for (const [selector, entry] of Object.entries({
        "Pulumi name": { name: "agent" },
        "Kubernetes name glob": { name: "node-*" },
        urn: { urn: "urn:pulumi:prod::platform::*" },
        namespace: { namespace: "kube-system" },
        type: { type: "kubernetes:apps/*:DaemonSet" },
        labels: { labels: { app: "agent", tier: "n?de" } },
        "several selectors": { namespace: "kube-*", labels: { app: "agent" }, type: "kubernetes:apps/v1:DaemonSet" },
    })) {
        it(`matches by ${selector}: reported as advisory with the reason`, async () => {
            const [v] = await privileged(exclude({ ...entry, reason: "node agent needs host devices (SEC-142)" }), r);
            assert.strictEqual(v.enforcementLevel, "advisory");
            assert.ok(v.message.includes("privileged is true"), v.message);
            assert.ok(
                v.message.includes(
                    "Exempted by config pss-privileged.exclude[0]: node agent needs host devices (SEC-142)",
                ),
                v.message,
            );
        });
    }

    it("does not match when any selector differs", async () => {
        for (const entry of [
            { name: "other" },
            { namespace: "default" },
            { labels: { app: "web" } },
            { labels: { missing: "*" } },
            { type: "docker:*" },
            { namespace: "kube-system", name: "other" },
        ]) {
            const [v] = await privileged(exclude({ ...entry, reason: "r" }), r);
            assert.strictEqual(v.enforcementLevel, "mandatory", JSON.stringify(entry));
            assert.ok(!v.message.includes("Exempted"));
        }
    });

    it("applies only to the configured policy", async () => {
        const t = new PolicyTester(
            { policies: allPolicies },
            { all: "mandatory", ...exclude({ name: "agent", reason: "r" }) },
        );
        const res = await t.analyze(privilegedDaemonSet({ ...meta }, "agent"));
        const others = res.violations.filter((v) => v.policyName !== "pss-privileged");
        assert.ok(others.length > 0 && others.every((v) => v.enforcementLevel === "mandatory"));
    });

    it("stops applying after its expiry date and says so", async () => {
        const onLastDay = await privileged(exclude({ name: "agent", reason: "r", expires: "2026-11-27" }), r);
        assert.strictEqual(onLastDay[0].enforcementLevel, "advisory");
        assert.ok(onLastDay[0].message.includes("until 2026-11-27"));
        const expired = await privileged(exclude({ name: "agent", reason: "r", expires: "2026-11-26" }), r);
        assert.strictEqual(expired[0].enforcementLevel, "mandatory");
        assert.ok(
            expired[0].message.includes("The exemption config pss-privileged.exclude[0] expired on 2026-11-26."),
            expired[0].message,
        );
    });

    it("cannot be revived by an environment variable: expiry is judged by the clock alone", async () => {
        // An earlier version read CONTAINER_GUARD_TODAY, so anyone who could set the environment of a
        // CI job could make expired exemptions apply again (and a typo silently fell back to today).
        process.env.CONTAINER_GUARD_TODAY = "2020-01-01";
        try {
            const expired = await privileged(exclude({ name: "agent", reason: "r", expires: "2026-11-26" }), r);
            assert.strictEqual(expired[0].enforcementLevel, "mandatory");
            assert.ok(expired[0].message.includes("expired on 2026-11-26"), expired[0].message);
        } finally {
            delete process.env.CONTAINER_GUARD_TODAY;
        }
    });

    it("requires a reason, a selector and a real date", async () => {
        const t = (entry: Record<string, unknown>) =>
            new PolicyTester({ policies: allPolicies }, exclude(entry)).analyze(r);
        await assert.rejects(t({ name: "agent" }), /exclude\[0\]\.reason is required/);
        await assert.rejects(t({ name: "agent", reason: "  " }), /reason must not be blank/);
        await assert.rejects(
            t({ reason: "r" }),
            /must select resources with at least one of name, urn, namespace, type, labels/,
        );
        await assert.rejects(t({ name: "agent", reason: "r", expires: "2027-02-30" }), /is not a calendar date/);
        await assert.rejects(t({ name: "agent", reason: "r", expires: "next year" }), /use a date such as 2027-01-31/);
        await assert.rejects(
            t({ name: "agent", reason: "r", namspace: "x" }),
            /namspace is not a known option.*Did you mean "namespace"/,
        );
    });

    it("is undecided while a selector's value is unknown during preview", async () => {
        const [v] = await privileged(
            exclude({ labels: { app: "agent" }, reason: "r" }),
            privilegedDaemonSet({ name: "x", labels: unknown }),
        );
        assert.strictEqual(v.enforcementLevel, "advisory");
        assert.ok(v.message.includes("may apply, but metadata.labels is not known during preview"), v.message);
    });

    it("a selector that cannot match decides even when other values are unknown", async () => {
        const [v] = await privileged(
            exclude({ type: "docker:*", labels: { app: "x" }, reason: "r" }),
            privilegedDaemonSet({ name: "x", labels: unknown }),
        );
        assert.strictEqual(v.enforcementLevel, "mandatory");
    });

    describe("annotations", () => {
        const annotated = (annotations: Record<string, unknown>) => privilegedDaemonSet({ ...meta, annotations });
        const allow = { "pss-privileged": { allowAnnotationExemptions: true } };

        it("are honoured only where configuration allows them", async () => {
            const a = annotated({
                "container-guard.io/exempt": "pss-host-namespaces, pss-privileged",
                "container-guard.io/exempt-reason": "vendor agent",
            });
            const [off] = await privileged({}, a);
            assert.strictEqual(off.enforcementLevel, "mandatory");
            assert.ok(
                off.message.includes("annotation exemptions are not enabled for it (allowAnnotationExemptions)"),
                off.message,
            );
            const [on] = await privileged(allow, a);
            assert.strictEqual(on.enforcementLevel, "advisory");
            assert.ok(
                on.message.includes("Exempted by annotation container-guard.io/exempt: vendor agent"),
                on.message,
            );
        });

        it("need a reason, and stop at their date", async () => {
            const [noReason] = await privileged(allow, annotated({ "container-guard.io/exempt": "pss-privileged" }));
            assert.strictEqual(noReason.enforcementLevel, "mandatory");
            assert.ok(noReason.message.includes("needs a container-guard.io/exempt-reason annotation"));
            const [expired] = await privileged(
                allow,
                annotated({
                    "container-guard.io/exempt": "pss-privileged",
                    "container-guard.io/exempt-reason": "r",
                    "container-guard.io/exempt-until": "2026-01-01",
                }),
            );
            assert.strictEqual(expired.enforcementLevel, "mandatory");
            assert.ok(expired.message.includes("expired on 2026-01-01"));
            const [valid] = await privileged(
                allow,
                annotated({
                    "container-guard.io/exempt": "pss-privileged",
                    "container-guard.io/exempt-reason": "r",
                    "container-guard.io/exempt-until": "2027-01-01",
                }),
            );
            assert.strictEqual(valid.enforcementLevel, "advisory");
        });

        it("name policies exactly", async () => {
            const [v] = await privileged(
                allow,
                annotated({
                    "container-guard.io/exempt": "pss-privileged-extra",
                    "container-guard.io/exempt-reason": "r",
                }),
            );
            assert.strictEqual(v.enforcementLevel, "mandatory");
        });

        it("on the pod template do not count (only the resource's own metadata)", async () => {
            const res: TestResource = {
                type: "kubernetes:apps/v1:Deployment",
                props: {
                    metadata: { name: "w" },
                    spec: {
                        template: {
                            metadata: {
                                annotations: {
                                    "container-guard.io/exempt": "pss-privileged",
                                    "container-guard.io/exempt-reason": "r",
                                },
                            },
                            spec: { containers: [{ name: "c", image: "i", securityContext: { privileged: true } }] },
                        },
                    },
                },
            };
            const [v] = await privileged(allow, res);
            assert.strictEqual(v.enforcementLevel, "mandatory");
        });
    });

    it("globs: * spans any text, ? one character, everything else is literal", () => {
        assert.ok(globMatch("kube-*", "kube-system"));
        assert.ok(!globMatch("kube-*", "my-kube-system"));
        assert.ok(globMatch("a?c", "abc") && !globMatch("a?c", "ac"));
        assert.ok(globMatch("a.b", "a.b") && !globMatch("a.b", "axb"));
        assert.ok(globMatch("urn:*::x", "urn:pulumi:s::p::x"));
    });
});
