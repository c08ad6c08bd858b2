// read-only-root-filesystem: Kubernetes containers of every list and kind, Docker Containers and Services.

import * as assert from "assert";
import { readOnlyRootFilesystem } from "../../../policies/workloads";
import { type PolicyPackConfig, PolicyTester, type TestResource, unknown } from "../../../testkit";
import { dockerContainer, dockerService, findingLine, problemOf } from "../../support/secrets";
import { deployment, hardenedContainer, workloadProps } from "../../support/workloads";

const NAME = "read-only-root-filesystem";

async function run(r: TestResource, config?: PolicyPackConfig) {
    const result = await new PolicyTester({ policies: [readOnlyRootFilesystem] }, config).analyze(r);
    return { violations: result.violations.filter((v) => v.policyName === NAME), notApplicable: result.notApplicable };
}

const ro = (value: unknown) => ({ securityContext: { readOnlyRootFilesystem: value } });

describe("read-only-root-filesystem: Kubernetes", () => {
    it(
        "requires readOnlyRootFilesystem: true on init, " + "regular and ephemeral containers, with the emptyDir fix",
        async () => {
            const { violations } = await run(
                deployment({
                    initContainers: [{ name: "migrate", image: "i" }],
                    containers: [
                        { name: "app", image: "i", ...ro(true) },
                        { name: "sidecar", image: "i", ...ro(false) },
                    ],
                    ephemeralContainers: [{ name: "debug", image: "i", securityContext: {} }],
                }),
            );
            assert.deepStrictEqual(
                violations.map((v) => problemOf(findingLine(v))),
                [
                    'Deployment prod/web, init container "migrate": readOnlyRootFilesystem is not set (the root ' +
                        "filesystem is writable)",
                    'Deployment prod/web, container "sidecar": readOnlyRootFilesystem is false',
                    'Deployment prod/web, ephemeral container "debug": readOnlyRootFilesystem is not set (the root ' +
                        "filesystem is writable)",
                ],
            );
            assert.ok(
                findingLine(violations[1]).endsWith(
                    "(spec.template.spec.containers[1].securityContext.readOnlyRootFilesystem). Fix: set " +
                        "securityContext.readOnlyRootFilesystem: true and mount an emptyDir volume at each path the " +
                        "process writes to (for example /tmp)",
                ),
                violations[1].message,
            );
            assert.ok(
                violations.every((v) => v.enforcementLevel === "advisory"),
                "medium severity: advisory by default",
            );
        },
    );

    it("a hardened container passes; the level follows configuration", async () => {
        assert.deepStrictEqual((await run(deployment({ containers: [hardenedContainer()] }))).violations, []);
        const { violations } = await run(deployment({ containers: [{ name: "a", image: "i" }] }), {
            [NAME]: "mandatory",
        });
        assert.deepStrictEqual(
            violations.map((v) => v.enforcementLevel),
            ["mandatory"],
        );
    });

    it("only a boolean true counts: a string is judged as false, and the finding says why", async () => {
        const { violations } = await run(deployment({ containers: [{ name: "a", image: "i", ...ro("true") }] }));
        assert.ok(
            findingLine(violations[0]).includes(
                'readOnlyRootFilesystem is the string "true", not a boolean: the Kubernetes API rejects it, and it ' +
                    "is judged as false",
            ),
            findingLine(violations[0]),
        );
    });

    it(
        "Windows pods are exempt (Kubernetes rejects the " + "field for them); an unknown os.name decides later",
        async () => {
            assert.deepStrictEqual(
                (await run(deployment({ os: { name: "windows" }, containers: [{ name: "a", image: "i" }] })))
                    .violations,
                [],
            );
            const linux = await run(deployment({ os: { name: "linux" }, containers: [{ name: "a", image: "i" }] }));
            assert.strictEqual(linux.violations.length, 1);
            const u = await run(
                deployment({
                    os: { name: unknown },
                    containers: [
                        { name: "a", image: "i" },
                        { name: "b", image: "i" },
                    ],
                }),
            );
            assert.deepStrictEqual(
                u.violations.map((v) => v.enforcementLevel),
                ["advisory"],
            );
            assert.ok(u.violations[0].message.includes("spec.template.spec.os.name is not known during preview"));
        },
    );

    it("patches: an absent setting is not judged, false is", async () => {
        const type = "kubernetes:apps/v1:DaemonSetPatch";
        const { violations } = await run({
            type,
            name: "agent",
            props: workloadProps(type, { containers: [{ name: "a" }, { name: "b", ...ro(false) }] }),
        });
        assert.deepStrictEqual(
            violations.map((v) => problemOf(findingLine(v))),
            ['DaemonSet prod/web, container "b": readOnlyRootFilesystem is false'],
        );
    });

    it(
        "unknowns: a securityContext or container list that " + "is unknown decides later; known siblings are judged",
        async () => {
            const { violations } = await run(
                deployment({
                    initContainers: unknown,
                    containers: [
                        { name: "a", image: "i", securityContext: unknown },
                        { name: "b", image: "i" },
                    ],
                }),
                { [NAME]: "mandatory" },
            );
            assert.deepStrictEqual(violations.map((v) => v.enforcementLevel).sort(), [
                "advisory",
                "advisory",
                "mandatory",
            ]);
            const messages = violations.map((v) => v.message).join("\n");
            assert.ok(messages.includes("spec.template.spec.initContainers is not known"));
            assert.ok(messages.includes("spec.template.spec.containers[0].securityContext is not known"));
            assert.ok(messages.includes('container "b": readOnlyRootFilesystem is not set'));
        },
    );

    it("every pod-bearing kind is covered (CronJob, Pod, List, custom resources)", async () => {
        for (const type of [
            "kubernetes:batch/v1:CronJob",
            "kubernetes:core/v1:Pod",
            "kubernetes:apps/v1:ReplicaSetList",
            "kubernetes:serving.knative.dev/v1:Service",
        ]) {
            const { violations } = await run({
                type,
                name: "w",
                props: workloadProps(type, { containers: [{ name: "a", image: "i" }] }),
            });
            assert.strictEqual(violations.length, 1, type);
        }
    });
});

describe("read-only-root-filesystem: Docker", () => {
    it("Container readOnly must be true", async () => {
        assert.deepStrictEqual((await run(dockerContainer({ readOnly: true }))).violations, []);
        const missing = await run(dockerContainer({}));
        assert.strictEqual(
            findingLine(missing.violations[0]),
            "docker Container web: readOnly is not set (the root filesystem is writable) (readOnly). Fix: set " +
                "readOnly: true and give each path the process writes to a tmpfs (the tmpfs argument, e.g. { " +
                '"/tmp": "rw,noexec,nosuid,size=64m" }) or a volume',
        );
        const off = await run(dockerContainer({ readOnly: false }));
        assert.ok(findingLine(off.violations[0]).includes("readOnly is false (readOnly)"));
    });

    it("Service taskSpec.containerSpec.readOnly must be true", async () => {
        assert.deepStrictEqual((await run(dockerService({ readOnly: true }))).violations, []);
        const { violations } = await run(dockerService({}));
        assert.ok(
            findingLine(violations[0]).startsWith(
                "docker Service api: readOnly is not set (the root filesystem is writable) " +
                    "(taskSpec.containerSpec.readOnly). Fix: set taskSpec.containerSpec.readOnly: true and mount a " +
                    "tmpfs",
            ),
            violations[0].message,
        );
    });

    it("unknown readOnly or task spec decides later; malformed specs do not throw", async () => {
        assert.deepStrictEqual(
            (await run(dockerContainer({ readOnly: unknown }))).violations.map((v) => v.enforcementLevel),
            ["advisory"],
        );
        const task = await run({ type: "docker:index/service:Service", name: "api", props: { taskSpec: unknown } });
        assert.ok(
            task.violations[0].message.includes("taskSpec is not known during preview"),
            task.violations[0].message,
        );
        for (const props of [{ taskSpec: "x" }, { taskSpec: { containerSpec: [] } }, {}]) {
            const r = await run({ type: "docker:index/service:Service", name: "api", props });
            assert.ok(r.violations.every((v) => !v.message.includes("could not evaluate")));
        }
    });

    it("other Docker and unrelated types are not applicable", async () => {
        for (const type of [
            "docker:index/image:Image",
            "docker:index/network:Network",
            "kubernetes:core/v1:ConfigMap",
        ]) {
            const r = await run({ type, name: "x", props: { readOnly: false } });
            assert.deepStrictEqual(r.violations, []);
            assert.ok(
                r.notApplicable.some((n) => n.policyName === NAME),
                type,
            );
        }
    });
});
