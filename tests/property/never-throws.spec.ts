// Property: no input makes a policy throw. Thousands of generated resources with Kubernetes-shaped
// but random, malformed and partially unknown props go through the same decoding and proxy the
// engine uses; every policy must finish and every message must name the resource.

import * as assert from "assert";
import fc from "fast-check";
import { allPolicies } from "../../policies";
import { PolicyTester, TestResource } from "../../testkit/engine";
import { UNKNOWN } from "../../testkit/protocol";
import { hardenedPodSpec, workloadProps } from "../support/workloads";

const KEYS = [
    "containers", "initContainers", "ephemeralContainers", "securityContext", "privileged", "capabilities", "add", "drop",
    "ports", "hostPort", "volumes", "hostPath", "name", "image", "spec", "template", "metadata", "annotations", "sysctls",
    "seccompProfile", "type", "appArmorProfile", "seLinuxOptions", "user", "role", "os", "hostUsers", "runAsNonRoot", "runAsUser",
    "procMount", "windowsOptions", "hostProcess", "livenessProbe", "readinessProbe", "httpGet", "tcpSocket", "host", "lifecycle",
    "preStop", "jobTemplate", "items", "hostNetwork", "hostPID", "hostIPC", "allowPrivilegeEscalation", "configMap", "nfs",
    "container.apparmor.security.beta.kubernetes.io/a", "seccomp.security.alpha.kubernetes.io/pod", "namespace", "__proto__", "constructor", "length",
];
const STRINGS = ["", "ALL", "all", "SYS_ADMIN", "NET_BIND_SERVICE", "Unconfined", "RuntimeDefault", "Localhost", "Default", "Unmasked", "windows", "unconfined", "runtime/default", "localhost/x", "spc_t", "kernel.msgmax", "a", UNKNOWN];

const leaf = fc.oneof(
    fc.constantFrom(...STRINGS),
    fc.string({ maxLength: 8 }),
    fc.integer({ min: -2, max: 70000 }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(UNKNOWN),
);

const value = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf,
        fc.array(tie("v"), { maxLength: 4 }),
        fc.dictionary(fc.constantFrom(...KEYS), tie("v"), { maxKeys: 6 }),
    ),
})).v;

const TYPES = [
    "kubernetes:core/v1:Pod",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:batch/v1:CronJob",
    "kubernetes:core/v1:PodTemplate",
    "kubernetes:apps/v1:DaemonSetPatch",
    "kubernetes:apps/v1:StatefulSetList",
    "kubernetes:argoproj.io/v1alpha1:Rollout",
    "kubernetes:core/v1:ConfigMap",
];

/** A resource whose pod spec starts compliant and then has random parts replaced by random values. */
const resource: fc.Arbitrary<TestResource> = fc
    .record({
        type: fc.constantFrom(...TYPES),
        podSpec: fc.oneof(value, fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 8 }).map((extra) => ({ ...hardenedPodSpec(), ...extra }))),
        containers: fc.array(fc.oneof(value, fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 6 })), { maxLength: 3 }),
        annotations: fc.oneof(value, fc.dictionary(fc.constantFrom(...KEYS), value)),
        wholeProps: fc.option(value, { freq: 8 }),
    })
    .map(({ type, podSpec, containers, annotations, wholeProps }) => {
        if (wholeProps !== null && typeof wholeProps === "object" && !Array.isArray(wholeProps)) {
            return { type, props: wholeProps as Record<string, unknown> };
        }
        const spec = podSpec && typeof podSpec === "object" && !Array.isArray(podSpec) ? { ...(podSpec as object), containers } : podSpec;
        return { type, props: workloadProps(type, spec as Record<string, unknown>, { annotations }) };
    });

describe("property: policies never throw on input", () => {
    const tester = new PolicyTester({ policies: allPolicies }, { all: "mandatory" });

    it("3,000 generated workloads: no throw, every message names the resource, no internal-error reports", async () => {
        await fc.assert(
            fc.asyncProperty(resource, async (r) => {
                const result = await tester.analyze(r);
                for (const v of result.violations) {
                    assert.ok(/^(Pod|Deployment|CronJob|PodTemplate|DaemonSet|StatefulSet|Rollout) [^\n]+\/[^\n]*(: |, )/m.test(v.message.split("\n")[1] ?? ""), v.message);
                    assert.ok(!v.message.includes("could not evaluate"), v.message);
                    assert.ok(!v.message.includes("can't run"), v.message);
                }
            }),
            { numRuns: 3000 },
        );
    });

    it("huge container lists are judged without blowing up", async () => {
        const containers = Array.from({ length: 5000 }, (_, i) => ({ name: `c${i}`, image: "i", securityContext: { privileged: i % 1000 === 0 } }));
        const r = await tester.analyze({ type: "kubernetes:core/v1:Pod", props: { metadata: { name: "big" }, spec: { containers } } });
        assert.strictEqual(r.violations.filter((v) => v.policyName === "pss-privileged").length, 5);
    });
});
