// root-group: GID 0 as a primary or supplementary group, in Kubernetes pod and container security
// contexts and Docker Container / Service users and added groups.

import * as assert from "assert";
import { rootGroup } from "../../../policies/workloads";
import { type PolicyPackConfig, type TestResource, unknown } from "../../../testkit";
import { SERVICE_SPEC, dockerContainer, dockerService } from "../../support/docker";
import { findingLine, problemOf, runPolicy } from "../../support/secrets";
import { deployment, hardenedContainer, workloadProps } from "../../support/workloads";

const run = (r: TestResource, config?: PolicyPackConfig) => runPolicy(rootGroup, r, config);
const sc = (securityContext: Record<string, unknown>) => ({ securityContext });

describe("root-group: Kubernetes", () => {
    it("reports runAsGroup 0 (pod and each container), fsGroup 0 and 0 in supplementalGroups", async () => {
        const vs = await run(
            deployment({
                securityContext: { runAsGroup: 0, fsGroup: 0, supplementalGroups: [1000, 0] },
                initContainers: [{ name: "init", image: "i", ...sc({ runAsGroup: 0 }) }],
                containers: [
                    { name: "app", image: "i", ...sc({ runAsGroup: 10001 }) },
                    { name: "side", image: "i", ...sc({ runAsGroup: 0 }) },
                ],
                ephemeralContainers: [{ name: "debug", image: "i", ...sc({ runAsGroup: 0 }) }],
            }),
        );
        assert.deepStrictEqual(
            vs.map((v) => problemOf(findingLine(v))),
            [
                "Deployment prod/web: runAsGroup is 0, the root group",
                "Deployment prod/web: fsGroup is 0, the root group",
                "Deployment prod/web: supplementalGroups contains 0, the root group",
                'Deployment prod/web, init container "init": runAsGroup is 0, the root group',
                'Deployment prod/web, container "side": runAsGroup is 0, the root group',
                'Deployment prod/web, ephemeral container "debug": runAsGroup is 0, the root group',
            ],
        );
        assert.ok(findingLine(vs[2]).includes("(spec.template.spec.securityContext.supplementalGroups[1])"));
        assert.ok(
            findingLine(vs[4]).endsWith(
                "(spec.template.spec.containers[1].securityContext.runAsGroup). Fix: use a non-zero group ID such " +
                    "as 10001 in securityContext.runAsGroup",
            ),
            findingLine(vs[4]),
        );
        assert.ok(
            vs.every((v) => v.enforcementLevel === "advisory"),
            "medium severity: advisory by default",
        );
    });

    it("passes non-zero groups, unset groups and a hardened pod", async () => {
        assert.deepStrictEqual(
            await run(
                deployment({
                    securityContext: { runAsGroup: 10001, fsGroup: 2000, supplementalGroups: [1, 65534] },
                    containers: [hardenedContainer()],
                }),
            ),
            [],
        );
    });

    it("reads GID 0 written as text (untyped YAML) and ignores other malformed values", async () => {
        const vs = await run(deployment({ securityContext: { runAsGroup: "0" }, containers: [{ name: "a" }] }));
        assert.strictEqual(vs.length, 1);
        for (const bad of [null, "x", {}, [0], true, -1]) {
            const found = await run(
                deployment({
                    securityContext: { runAsGroup: bad, supplementalGroups: bad, fsGroup: bad },
                    containers: [{ name: "a", securityContext: bad }],
                }),
            );
            assert.ok(
                found.every((v) => !v.message.includes("could not evaluate")),
                JSON.stringify(found),
            );
        }
    });

    it("covers every pod-bearing kind and patches (an explicit 0 is not a missing setting)", async () => {
        for (const type of [
            "kubernetes:core/v1:Pod",
            "kubernetes:batch/v1:CronJob",
            "kubernetes:apps/v1:StatefulSetPatch",
            "kubernetes:core/v1:PodTemplate",
            "kubernetes:serving.knative.dev/v1:Service",
        ]) {
            const vs = await run({
                type,
                name: "w",
                props: workloadProps(type, { containers: [{ name: "a", image: "i", ...sc({ runAsGroup: 0 }) }] }),
            });
            assert.strictEqual(vs.length, 1, type);
        }
    });

    it("unknown values are advisory and name the field; known siblings are still judged", async () => {
        const vs = await run(
            deployment({
                securityContext: { supplementalGroups: unknown, fsGroup: 0 },
                containers: [{ name: "a", image: "i", securityContext: unknown }],
            }),
            { "root-group": "mandatory" },
        );
        assert.deepStrictEqual(vs.map((v) => v.enforcementLevel).sort(), ["advisory", "advisory", "mandatory"]);
        const messages = vs.map((v) => v.message).join("\n");
        assert.ok(messages.includes("spec.template.spec.securityContext.supplementalGroups is not known"));
        assert.ok(messages.includes("spec.template.spec.containers[0].securityContext is not known"));
    });

    it("exemptImages exempts a container's runAsGroup, never the pod's groups", async () => {
        const vs = await run(
            deployment({
                securityContext: { fsGroup: 0 },
                containers: [{ name: "legacy", image: "ghcr.io/acme/legacy:3.2", ...sc({ runAsGroup: 0 }) }],
            }),
            { "root-group": { enforcementLevel: "mandatory", exemptImages: ["ghcr.io/acme/legacy:3.*"] } },
        );
        assert.deepStrictEqual(
            vs.map((v) => [problemOf(findingLine(v)), v.enforcementLevel]),
            [
                ["Deployment prod/web: fsGroup is 0, the root group", "mandatory"],
                ['Deployment prod/web, container "legacy": runAsGroup is 0, the root group', "advisory"],
            ],
        );
        assert.ok(vs[1].message.includes("allowed by option exemptImages: ghcr.io/acme/legacy:3.*;"));
    });
});

describe("root-group: Docker", () => {
    for (const user of ["1000:0", "app:root", "10001:00", " 1000 : 0 "]) {
        it(`user ${JSON.stringify(user)} has the root group (Container and Service)`, async () => {
            const [c] = await run(dockerContainer({ user }));
            assert.strictEqual(
                problemOf(findingLine(c)),
                `docker Container web: user is ${JSON.stringify(user)}, whose group is the root group`,
            );
            const [s] = await run(dockerService({ user }));
            assert.ok(findingLine(s).includes(`(${SERVICE_SPEC}.user)`), findingLine(s));
        });
    }

    for (const user of ["1000", "10001:10001", "root", "0", "app:wheel", "app:Root", ""]) {
        it(`user ${JSON.stringify(user)} names no root group (a root user is docker-non-root-user's)`, async () => {
            assert.deepStrictEqual(await run(dockerContainer({ user })), []);
        });
    }

    it("reports root and 0 in groupAdds (Container) and groups (Service)", async () => {
        const vs = await run(dockerContainer({ groupAdds: ["audio", "root", "0"] }));
        assert.deepStrictEqual(
            vs.map((v) => problemOf(findingLine(v))),
            [
                'docker Container web: groupAdds adds "root", the root group',
                'docker Container web: groupAdds adds "0", the root group',
            ],
        );
        assert.ok(findingLine(vs[0]).includes("(groupAdds[1]). Fix: remove it from groupAdds"));
        const [s] = await run(dockerService({ groups: ["root"] }));
        assert.ok(findingLine(s).includes(`taskSpec.containerSpec.groups adds "root"`), findingLine(s));
        assert.ok(findingLine(s).includes(`(${SERVICE_SPEC}.groups[0])`), findingLine(s));
    });

    it("unknown settings are advisory; malformed ones never throw", async () => {
        const vs = await run(dockerContainer({ groupAdds: [unknown, "root"] }), { "root-group": "mandatory" });
        assert.deepStrictEqual(vs.map((v) => v.enforcementLevel).sort(), ["advisory", "mandatory"]);
        for (const bad of [{ groupAdds: "root" }, { groupAdds: [null, 0, {}] }, { user: {} }, { user: 0 }]) {
            const found = await run(dockerContainer(bad));
            assert.ok(
                found.every((v) => !v.message.includes("could not evaluate")),
                JSON.stringify(found),
            );
        }
    });

    it("a numeric 0 in groupAdds (untyped input) is the root group too", async () => {
        assert.strictEqual((await run(dockerContainer({ groupAdds: [0] }))).length, 1);
    });
});
