// resource-limits: the requests and limits each container and init container must declare (the
// `required` option), and emptyDir volumes without a sizeLimit.

import * as assert from "assert";
import { resourceLimits } from "../../../policies/workloads";
import { type PolicyPackConfig, PolicyTester, type TestResource, unknown } from "../../../testkit";
import { findingLine, problemOf, runPolicy } from "../../support/secrets";
import { deployment, hardenedContainer, workloadProps } from "../../support/workloads";

const NAME = "resource-limits";
const run = (r: TestResource, config?: PolicyPackConfig) => runPolicy(resourceLimits, r, config);

const BOUNDED = {
    requests: { cpu: "250m" },
    limits: { memory: "256Mi", "ephemeral-storage": "1Gi" },
};
const bounded = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    image: "i",
    resources: BOUNDED,
    ...extra,
});

describe("resource-limits", () => {
    it("by default requires a memory limit, an ephemeral-storage limit and a CPU request per container", async () => {
        const vs = await run(
            deployment({
                initContainers: [{ name: "migrate", image: "i" }],
                containers: [bounded("app"), { name: "side", image: "i", resources: { limits: { memory: "64Mi" } } }],
            }),
        );
        assert.deepStrictEqual(
            vs.map((v) => problemOf(findingLine(v))),
            [
                'Deployment prod/web, init container "migrate": no memory limit is set: the container can take the ' +
                    "node's memory until the kernel kills processes, its own or other pods'",
                'Deployment prod/web, init container "migrate": no ephemeral-storage limit is set: the container ' +
                    "can fill the node's disk with logs and files in its writable layer",
                'Deployment prod/web, init container "migrate": no CPU request is set: the scheduler reserves no CPU ' +
                    "for it, and under contention it gets the smallest share",
                'Deployment prod/web, container "side": no ephemeral-storage limit is set: the container can fill ' +
                    "the node's disk with logs and files in its writable layer",
                'Deployment prod/web, container "side": no CPU request is set: the scheduler reserves no CPU for ' +
                    "it, and under contention it gets the smallest share",
            ],
        );
        assert.ok(
            findingLine(vs[0]).endsWith(
                "(spec.template.spec.initContainers[0].resources.limits.memory). Fix: set resources.limits.memory, " +
                    "e.g. 256Mi",
            ),
            findingLine(vs[0]),
        );
        assert.ok(
            vs.every((v) => v.enforcementLevel === "advisory"),
            "medium severity: advisory by default",
        );
    });

    it("a bounded or hardened container passes; ephemeral containers are not judged (no resources)", async () => {
        assert.deepStrictEqual(
            await run(
                deployment({
                    containers: [bounded("app"), hardenedContainer("h")],
                    ephemeralContainers: [{ name: "debug", image: "busybox" }],
                }),
            ),
            [],
        );
    });

    it("a limit without a request is the request too", async () => {
        const vs = await run(
            deployment({
                containers: [
                    bounded("app", { resources: { limits: { cpu: "1", memory: "1Gi", "ephemeral-storage": "1Gi" } } }),
                ],
            }),
        );
        assert.deepStrictEqual(vs, []);
    });

    it("a pod-level spec.resources bounds CPU and memory for every container, not ephemeral storage", async () => {
        const vs = await run(
            deployment({
                resources: { requests: { cpu: "1" }, limits: { memory: "1Gi" } },
                containers: [{ name: "a", image: "i" }],
            }),
        );
        assert.deepStrictEqual(
            vs.map((v) => problemOf(findingLine(v))),
            [
                'Deployment prod/web, container "a": no ephemeral-storage limit is set: the container can fill the ' +
                    "node's disk with logs and files in its writable layer",
            ],
        );
    });

    it("a zero limit or request is no bound", async () => {
        const vs = await run(
            deployment({
                containers: [
                    bounded("a", {
                        resources: { requests: { cpu: "0" }, limits: { memory: 0, "ephemeral-storage": "0Gi" } },
                    }),
                ],
            }),
        );
        assert.deepStrictEqual(
            vs.map((v) => problemOf(findingLine(v))),
            [
                'Deployment prod/web, container "a": the memory limit is 0, so the container can take the node\'s ' +
                    "memory until the kernel kills processes, its own or other pods'",
                'Deployment prod/web, container "a": the ephemeral-storage limit is "0Gi", so the container can ' +
                    "fill the node's disk with logs and files in its writable layer",
                'Deployment prod/web, container "a": the CPU request is "0", so the scheduler reserves no CPU for ' +
                    "it, and under contention it gets the smallest share",
            ],
        );
    });

    it("a limit or request that is not a quantity bounds nothing (fail closed)", async () => {
        for (const [memory, shown] of [
            [{}, "{}"],
            [[], "[]"],
            [true, "true"],
            [{ value: "1Gi" }, '{"value":"1Gi"}'],
        ] as const) {
            const vs = await run(
                deployment({
                    containers: [bounded("a", { resources: { ...BOUNDED, limits: { ...BOUNDED.limits, memory } } })],
                }),
            );
            assert.deepStrictEqual(
                vs.map((v) => problemOf(findingLine(v))),
                [
                    `Deployment prod/web, container "a": the memory limit is not a quantity (${shown}), ` +
                        "so it bounds nothing",
                ],
                JSON.stringify(memory),
            );
        }
    });

    it("reports emptyDir volumes without a sizeLimit (a finding about the pod)", async () => {
        const vs = await run(
            deployment({
                volumes: [
                    { name: "cache", emptyDir: {} },
                    { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } },
                    { name: "config", configMap: { name: "c" } },
                    { name: "shm", emptyDir: { medium: "Memory" } },
                ],
                containers: [bounded("app")],
            }),
        );
        assert.deepStrictEqual(
            vs.map((v) => findingLine(v)),
            [
                'Deployment prod/web: emptyDir volume "cache" has no sizeLimit: its containers can fill the node\'s ' +
                    "disk (or, with medium Memory, its memory) (spec.template.spec.volumes[0].emptyDir.sizeLimit). " +
                    "Fix: set emptyDir.sizeLimit, e.g. 1Gi",
                'Deployment prod/web: emptyDir volume "shm" has no sizeLimit: its containers can fill the node\'s ' +
                    "disk (or, with medium Memory, its memory) (spec.template.spec.volumes[3].emptyDir.sizeLimit). " +
                    "Fix: set emptyDir.sizeLimit, e.g. 1Gi",
            ],
        );
    });

    it("the required option chooses what is required, and rejects unknown settings", async () => {
        const config = { [NAME]: { required: ["limits.cpu", "requests.memory"] } };
        const vs = await run(
            deployment({
                volumes: [{ name: "cache", emptyDir: {} }],
                containers: [{ name: "a", image: "i", resources: { limits: { memory: "1Gi" } } }],
            }),
            config,
        );
        assert.deepStrictEqual(
            vs.map((v) => problemOf(findingLine(v))),
            [
                'Deployment prod/web, container "a": no CPU limit is set: the container can use every idle CPU of ' +
                    "the node",
            ],
        );
        assert.deepStrictEqual(
            await run(deployment({ volumes: [{ name: "x", emptyDir: {} }], containers: [{ name: "a" }] }), {
                [NAME]: { required: [] },
            }),
            [],
        );
        await assert.rejects(
            new PolicyTester({ policies: [resourceLimits] }, { [NAME]: { required: ["limits.gpu"] } }).analyze(
                deployment({ containers: [{ name: "a" }] }),
            ),
            /required\[0\] must be one of/,
        );
    });

    it("covers every pod-bearing kind; patches judge only what they set", async () => {
        for (const type of [
            "kubernetes:core/v1:Pod",
            "kubernetes:batch/v1:CronJob",
            "kubernetes:apps/v1:ReplicaSetList",
            "kubernetes:argoproj.io/v1alpha1:Rollout",
        ]) {
            const vs = await run({
                type,
                name: "w",
                props: workloadProps(type, { containers: [{ name: "a", image: "i" }] }),
            });
            assert.strictEqual(vs.length, 3, type);
        }
        const type = "kubernetes:apps/v1:DeploymentPatch";
        const patch = await run({
            type,
            name: "w",
            props: workloadProps(type, {
                volumes: [{ name: "cache", emptyDir: {} }],
                containers: [{ name: "a" }, { name: "b", resources: { limits: { memory: "0" } } }],
            }),
        });
        assert.deepStrictEqual(
            patch.map((v) => problemOf(findingLine(v))),
            [
                'Deployment prod/web, container "b": the memory limit is "0", so the container can take the node\'s ' +
                    "memory until the kernel kills processes, its own or other pods'",
            ],
        );
    });

    it("unknown values are advisory and name the field; known siblings are still judged", async () => {
        const vs = await run(
            deployment({
                volumes: unknown,
                containers: [
                    { name: "a", image: "i", resources: unknown },
                    bounded("b", {
                        resources: { ...BOUNDED, limits: { memory: unknown, "ephemeral-storage": "1Gi" } },
                    }),
                    { name: "c", image: "i", resources: { requests: { cpu: "1" }, limits: { memory: "1Gi" } } },
                ],
            }),
            { [NAME]: "mandatory" },
        );
        const messages = vs.map((v) => `${v.enforcementLevel}: ${v.message}`).join("\n");
        assert.ok(messages.includes("advisory: ") && messages.includes("spec.template.spec.volumes is not known"));
        assert.ok(messages.includes("spec.template.spec.containers[0].resources is not known"), messages);
        assert.ok(messages.includes("spec.template.spec.containers[1].resources.limits.memory is not known"));
        assert.ok(messages.includes("mandatory: Containers and init containers"), messages);
        assert.deepStrictEqual(
            vs.filter((v) => v.enforcementLevel === "mandatory").map((v) => problemOf(findingLine(v))),
            [
                'Deployment prod/web, container "c": no ephemeral-storage limit is set: the container can fill the ' +
                    "node's disk with logs and files in its writable layer",
            ],
        );
        // A pod-level value that is unknown decides later.
        const podLevel = await run(
            deployment({ resources: { limits: { memory: unknown } }, containers: [bounded("a", { resources: {} })] }),
            { [NAME]: { required: ["limits.memory"] } },
        );
        assert.deepStrictEqual(
            podLevel.map((v) => v.enforcementLevel),
            ["advisory"],
        );
    });

    it("never throws on malformed resources", async () => {
        for (const resources of [null, "x", 3, [], { limits: "x" }, { limits: { memory: {} } }]) {
            const vs = await run(
                deployment({ volumes: [{ emptyDir: 3 }, null], containers: [{ name: "a", resources }] }),
            );
            assert.ok(
                vs.every((v) => !v.message.includes("could not evaluate")),
                JSON.stringify(vs),
            );
        }
    });

    it("exemptImages exempts a container's findings, never an emptyDir's", async () => {
        const vs = await run(
            deployment({
                volumes: [{ name: "cache", emptyDir: {} }],
                containers: [{ name: "tool", image: "docker.io/library/busybox:1.36" }],
            }),
            { [NAME]: { enforcementLevel: "mandatory", exemptImages: ["busybox"] } },
        );
        assert.deepStrictEqual(
            vs.map((v) => v.enforcementLevel),
            ["advisory", "advisory", "advisory", "mandatory"],
        );
        assert.ok(vs[0].message.includes("allowed by option exemptImages: busybox;"), vs[0].message);
        assert.ok(findingLine(vs[3]).includes('emptyDir volume "cache"'));
    });
});
