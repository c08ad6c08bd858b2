// secrets-as-env: Secret values handed to containers as environment variables
// (env[].valueFrom.secretKeyRef, envFrom[].secretRef) instead of files from a Secret volume.

import * as assert from "assert";
import { secretsAsEnv } from "../../../policies/secrets";
import { type PolicyPackConfig, type TestResource, unknown } from "../../../testkit";
import { findingLine, problemOf, runPolicy } from "../../support/secrets";
import { deployment, hardenedContainer, workloadProps } from "../../support/workloads";

const NAME = "secrets-as-env";
const run = (r: TestResource, config?: PolicyPackConfig) => runPolicy(secretsAsEnv, r, config);

const FIX =
    "Fix: mount the Secret as a volume (volumes[].secret, with readOnly: true on the volumeMount) and let the " +
    "program read the file; keep the environment variable only if the program cannot read a file";

const fromSecret = (name: string, secretName: unknown, key: unknown) => ({
    name,
    valueFrom: { secretKeyRef: { name: secretName, key } },
});

describe("secrets-as-env", () => {
    it("reports a secretKeyRef and an envFrom secretRef, naming variable, key, Secret and field", async () => {
        const vs = await run(
            deployment({
                containers: [
                    {
                        name: "app",
                        image: "i",
                        env: [
                            { name: "LOG_LEVEL", value: "debug" },
                            fromSecret("DB_PASSWORD", "db", "password"),
                            { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
                            { name: "MODE", valueFrom: { configMapKeyRef: { name: "cfg", key: "mode" } } },
                        ],
                        envFrom: [{ configMapRef: { name: "cfg" } }, { secretRef: { name: "api" }, prefix: "API_" }],
                    },
                ],
            }),
        );
        assert.deepStrictEqual(
            vs.map((v) => findingLine(v)),
            [
                'Deployment prod/web, container "app": env variable "DB_PASSWORD" takes key "password" of Secret ' +
                    '"db" (spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef). ' +
                    FIX,
                'Deployment prod/web, container "app": envFrom makes every key of Secret "api" an environment ' +
                    'variable (prefix "API_") (spec.template.spec.containers[0].envFrom[1].secretRef). ' +
                    FIX,
            ],
        );
        assert.ok(
            vs.every((v) => v.enforcementLevel === "advisory"),
            "advisory by default",
        );
    });

    it("passes containers without Secret references and a Secret mounted as a read-only volume", async () => {
        assert.deepStrictEqual(
            await run(
                deployment({
                    volumes: [{ name: "creds", secret: { secretName: "db" } }],
                    containers: [
                        hardenedContainer("app", {
                            env: [{ name: "DB_PASSWORD_FILE", value: "/etc/secrets/password" }],
                            envFrom: [{ configMapRef: { name: "cfg" } }],
                            volumeMounts: [{ name: "creds", mountPath: "/etc/secrets", readOnly: true }],
                        }),
                    ],
                }),
            ),
            [],
        );
    });

    it("judges init and ephemeral containers, and blocks when configured mandatory", async () => {
        const env = [fromSecret("TOKEN", "t", "token")];
        const vs = await run(
            deployment({
                initContainers: [{ name: "migrate", image: "m:1", env }],
                containers: [{ name: "app", image: "a:1" }],
                ephemeralContainers: [{ name: "debug", image: "d:1", envFrom: [{ secretRef: { name: "t" } }] }],
            }),
            { [NAME]: "mandatory" },
        );
        assert.deepStrictEqual(
            vs.map((v) => [problemOf(findingLine(v)).split(":")[0], v.enforcementLevel]),
            [
                ['Deployment prod/web, init container "migrate"', "mandatory"],
                ['Deployment prod/web, ephemeral container "debug"', "mandatory"],
            ],
        );
        assert.ok(vs[1].message.includes("(spec.template.spec.ephemeralContainers[0].envFrom[0].secretRef)"));
    });

    it("covers every pod-bearing kind, lists, patches and custom resources", async () => {
        for (const type of [
            "kubernetes:core/v1:Pod",
            "kubernetes:core/v1:PodTemplate",
            "kubernetes:batch/v1:CronJob",
            "kubernetes:apps/v1:StatefulSetPatch",
            "kubernetes:apps/v1:DaemonSetList",
            "kubernetes:argoproj.io/v1alpha1:Rollout",
        ]) {
            const vs = await run({
                type,
                name: "w",
                props: workloadProps(type, { containers: [{ name: "a", env: [fromSecret("K", "s", "k")] }] }),
            });
            assert.strictEqual(vs.length, 1, type);
        }
    });

    it("a Secret or key name it cannot read is still a finding", async () => {
        const vs = await run(
            deployment({
                containers: [
                    {
                        name: "app",
                        env: [{ valueFrom: { secretKeyRef: { name: 7 } } }, fromSecret("A", ["db"], { key: "k" })],
                        envFrom: [{ secretRef: {} }],
                    },
                ],
            }),
        );
        assert.deepStrictEqual(
            vs.map((v) => problemOf(findingLine(v))),
            [
                'Deployment prod/web, container "app": env variable (unnamed) takes a key of a Secret',
                'Deployment prod/web, container "app": env variable "A" takes a key of a Secret',
                'Deployment prod/web, container "app": envFrom makes every key of a Secret an environment variable',
            ],
        );
    });

    it("unknown values are advisory and name the field; known siblings are still judged", async () => {
        const vs = await run(
            deployment({
                containers: [
                    { name: "a", image: "i", env: unknown, envFrom: [{ secretRef: { name: "s" } }] },
                    { name: "b", image: "i", env: [{ name: "X", valueFrom: unknown }] },
                ],
            }),
            { [NAME]: "mandatory" },
        );
        assert.deepStrictEqual(vs.map((v) => v.enforcementLevel).sort(), ["advisory", "advisory", "mandatory"]);
        const blocked = vs.find((v) => v.enforcementLevel === "mandatory")!;
        assert.ok(findingLine(blocked).includes('envFrom makes every key of Secret "s"'), blocked.message);
        const messages = vs.map((v) => v.message).join("\n");
        assert.ok(messages.includes("spec.template.spec.containers[0].env is not known during preview"), messages);
        assert.ok(messages.includes("spec.template.spec.containers[1].env[0].valueFrom is not known"), messages);
    });

    it("never throws on malformed env and envFrom", async () => {
        for (const bad of [null, "x", 3, {}, [null, 4, "a"], [{ valueFrom: "x" }, { secretRef: [] }]]) {
            const vs = await run(deployment({ containers: [{ name: "a", env: bad, envFrom: bad }] }));
            assert.ok(
                vs.every((v) => !v.message.includes("could not evaluate")),
                JSON.stringify(vs),
            );
        }
    });

    it("exemptImages reports the exempted container as advisory, naming the option and the glob", async () => {
        const vs = await run(
            deployment({
                containers: [
                    { name: "legacy", image: "ghcr.io/acme/legacy:2.0", env: [fromSecret("P", "db", "p")] },
                    { name: "app", image: "ghcr.io/acme/app:1.0", env: [fromSecret("P", "db", "p")] },
                ],
            }),
            { [NAME]: { enforcementLevel: "mandatory", exemptImages: ["ghcr.io/acme/legacy"] } },
        );
        assert.deepStrictEqual(
            vs.map((v) => v.enforcementLevel),
            ["advisory", "mandatory"],
        );
        assert.ok(vs[0].message.includes("allowed by option exemptImages: ghcr.io/acme/legacy;"), vs[0].message);
        assert.ok(!vs[1].message.includes("exemptImages"));
    });
});
