// secrets-volume-read-only: mounts of credential volumes (secret, projected with a secret or a
// service account token, Secrets Store CSI) must be read-only.

import * as assert from "assert";
import { secretsVolumeReadOnly } from "../../../policies/secrets";
import { type PolicyPackConfig, type TestResource, unknown } from "../../../testkit";
import { findingLine, problemOf, runPolicy } from "../../support/secrets";
import { deployment, workloadProps } from "../../support/workloads";

describe("secrets-volume-read-only", () => {
    const volumes = [
        { name: "db-creds", secret: { secretName: "db" } },
        { name: "bundle", projected: { sources: [{ configMap: { name: "ca" } }, { secret: { name: "tls" } }] } },
        { name: "api-token", projected: { sources: [{ serviceAccountToken: { path: "token", audience: "vault" } }] } },
        {
            name: "vault",
            csi: {
                driver: "secrets-store.csi.k8s.io",
                readOnly: true,
                volumeAttributes: { secretProviderClass: "db" },
            },
        },
        { name: "config", configMap: { name: "settings" } },
        { name: "ca-only", projected: { sources: [{ configMap: { name: "ca" } }, { downwardAPI: { items: [] } }] } },
        { name: "scratch", emptyDir: {} },
        { name: "data", csi: { driver: "ebs.csi.aws.com" } },
    ];
    const mount = (name: string, extra: Record<string, unknown> = {}) => ({
        name,
        mountPath: `/mnt/${name}`,
        ...extra,
    });
    const check = (r: TestResource, config?: PolicyPackConfig) => runPolicy(secretsVolumeReadOnly, r, config);

    it("reports every mount of a credential volume that is not read-only, as advisory by default", async () => {
        const vs = await check(
            deployment({
                volumes,
                containers: [{ name: "app", image: "i", volumeMounts: volumes.map((v) => mount(v.name)) }],
            }),
        );
        assert.deepStrictEqual(
            vs.map((v) => problemOf(findingLine(v))),
            [
                'Deployment prod/web, container "app": the mount of secret volume "db-creds" at "/mnt/db-creds" does ' +
                    "not set readOnly: true",
                'Deployment prod/web, container "app": the mount of projected volume "bundle" (with a secret source) ' +
                    'at "/mnt/bundle" does not set readOnly: true',
                'Deployment prod/web, container "app": the mount of projected volume "api-token" (with a service ' +
                    'account token) at "/mnt/api-token" does not set readOnly: true',
                'Deployment prod/web, container "app": the mount of Secrets Store CSI volume "vault" at "/mnt/vault" ' +
                    "does not set readOnly: true",
            ],
        );
        assert.ok(
            vs[0].message.includes(
                "(spec.template.spec.containers[0].volumeMounts[0].readOnly). Fix: set readOnly: true on this " +
                    "volumeMount",
            ),
            vs[0].message,
        );
        assert.ok(vs.every((v) => v.enforcementLevel === "advisory"));
    });

    it("accepts readOnly: true and reports readOnly: false", async () => {
        const vs = await check(
            deployment({
                volumes,
                containers: [
                    {
                        name: "app",
                        image: "i",
                        volumeMounts: [
                            mount("db-creds", { readOnly: true }),
                            mount("bundle", { readOnly: false, subPath: "tls.crt" }),
                        ],
                    },
                ],
            }),
        );
        assert.deepStrictEqual(
            vs.map((v) => problemOf(findingLine(v))),
            [
                'Deployment prod/web, container "app": the mount of projected volume "bundle" (with a secret source) ' +
                    'at "/mnt/bundle" is not read-only',
            ],
        );
    });

    it("judges init and ephemeral containers", async () => {
        const vs = await check(
            deployment({
                volumes,
                initContainers: [{ name: "fetch", image: "i", volumeMounts: [mount("db-creds")] }],
                containers: [{ name: "app", image: "i", volumeMounts: [mount("db-creds", { readOnly: true })] }],
                ephemeralContainers: [{ name: "debug", image: "i", volumeMounts: [mount("vault")] }],
            }),
        );
        assert.deepStrictEqual(
            vs.map((v) => findingLine(v).split(":")[0]),
            ['Deployment prod/web, init container "fetch"', 'Deployment prod/web, ephemeral container "debug"'],
        );
    });

    it("patches: a readOnly a patch leaves out is not judged; readOnly: false is", async () => {
        const type = "kubernetes:apps/v1:DeploymentPatch";
        const spec = {
            volumes,
            containers: [{ name: "app", volumeMounts: [mount("db-creds"), mount("vault", { readOnly: false })] }],
        };
        const vs = await check({ type, name: "web", props: workloadProps(type, spec) });
        assert.deepStrictEqual(
            vs.map((v) => problemOf(findingLine(v))),
            [
                'Deployment prod/web, container "app": the mount of Secrets Store CSI volume "vault" at "/mnt/vault" ' +
                    "is not read-only",
            ],
        );
        // A patch that mounts a volume it does not declare cannot be resolved: nothing to judge.
        const mountsOnly = await check({
            type,
            name: "web",
            props: workloadProps(type, { containers: [{ name: "app", volumeMounts: [mount("db-creds")] }] }),
        });
        assert.deepStrictEqual(mountsOnly, []);
    });

    it("unknowns: the volumes list, a volume's sources or a mount's readOnly decide later", async () => {
        const whole = await check(
            deployment({
                volumes: unknown,
                containers: [{ name: "app", image: "i", volumeMounts: [mount("db-creds")] }],
            }),
        );
        assert.deepStrictEqual(
            whole.map((v) => v.enforcementLevel),
            ["advisory"],
        );
        assert.ok(
            whole[0].message.includes("spec.template.spec.volumes is not known during preview"),
            whole[0].message,
        );
        const sources = await check(
            deployment({
                volumes: [{ name: "p", projected: { sources: unknown } }],
                containers: [{ name: "app", image: "i", volumeMounts: [mount("p")] }],
            }),
        );
        assert.ok(sources[0].message.includes("volumes[0].projected.sources is not known"), sources[0].message);
        const ro = await check(
            deployment({
                volumes,
                containers: [{ name: "app", image: "i", volumeMounts: [mount("db-creds", { readOnly: unknown })] }],
            }),
        );
        assert.ok(ro[0].message.includes("volumeMounts[0].readOnly is not known"), ro[0].message);
        const entry = await check(
            deployment({
                volumes: [unknown, volumes[0]],
                containers: [
                    { name: "app", image: "i", volumeMounts: [mount("other"), mount("db-creds", { readOnly: true })] },
                ],
            }),
        );
        assert.deepStrictEqual(
            entry.map((v) => v.enforcementLevel),
            ["advisory"],
        );
        assert.ok(entry[0].message.includes("spec.template.spec.volumes[0] is not known"), entry[0].message);
    });

    it("a pod without credential volumes raises nothing, even with unknown mounts", async () => {
        const vs = await check(
            deployment({
                volumes: [{ name: "config", configMap: { name: "c" } }],
                containers: [{ name: "app", image: "i", volumeMounts: unknown }],
            }),
        );
        assert.deepStrictEqual(vs, []);
    });

    it("volumeMounts of the wrong shapes: a finding for each that the API rejects, no throw", async () => {
        const vs = await check(
            deployment({
                volumes,
                containers: [
                    {
                        name: "a",
                        volumeMounts: ["db-creds", null, 3, { name: 7 }, { name: "db-creds", readOnly: true }],
                    },
                ],
            }),
        );
        assert.deepStrictEqual(
            vs.map(
                (v) =>
                    /container "a": (.*?), not (?:an object|a string): the Kubernetes API rejects it/.exec(
                        v.message,
                    )?.[1],
            ),
            ['volumeMounts[0] is the string "db-creds"', "volumeMounts[2] is the number 3", "name is the number 7"],
        );
        assert.ok(vs.every((v) => v.enforcementLevel === "advisory"));
    });

    for (const [what, spec] of [
        ["volumes as a string", { volumes: "secret", containers: [{ name: "a", volumeMounts: [{ name: "x" }] }] }],
        [
            "projected sources as an object",
            {
                volumes: [{ name: "p", projected: { sources: { secret: {} } } }],
                containers: [{ name: "a", volumeMounts: [mount("p", { readOnly: true })] }],
            },
        ],
    ] as const) {
        it(`${what}: no throw, no finding`, async () => {
            assert.deepStrictEqual(await check(deployment(spec as Record<string, unknown>)), []);
        });
    }
});
