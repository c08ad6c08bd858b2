// pss-host-path-volumes (baseline): pods mount no hostPath volumes. Volumes are pod-level, so there
// are no per-container findings.

import * as assert from "assert";
import { hostPathVolumes } from "../../../policies/pss";
import { unknown } from "../../../testkit";
import { assertJudgesMalformedSpecs, finding, notKnown, pssFindings } from "../../support/pss";
import { deployment, hardenedContainer, hardenedPodSpec, pod } from "../../support/workloads";

const FIX = "use an emptyDir, configMap, secret, projected or persistentVolumeClaim volume instead";

describe("pss-host-path-volumes", () => {
    it("passes a compliant pod (no hostPath volume)", async () => {
        const volumes = [
            { name: "tmp", emptyDir: {} },
            { name: "config", configMap: { name: "settings" } },
            { name: "data", persistentVolumeClaim: { claimName: "data" } },
        ];
        assert.deepStrictEqual(await pssFindings(hostPathVolumes, pod(hardenedPodSpec({ volumes }))), []);
    });

    it("fails a hostPath volume, naming the resource, the volume and the field", async () => {
        const volumes = [
            { name: "tmp", emptyDir: {} },
            { name: "sock", hostPath: { path: "/var/run/docker.sock" } },
        ];
        assert.deepStrictEqual(await pssFindings(hostPathVolumes, deployment(hardenedPodSpec({ volumes }))), [
            finding(
                "Deployment prod/web",
                'volume "sock" is a hostPath volume',
                "spec.template.spec.volumes[1].hostPath",
                FIX,
            ),
        ]);
    });

    it("the hostPath key decides, even when its value is unknown or the volume has no name", async () => {
        const volumes = [{ name: "u", hostPath: unknown }, { hostPath: { path: "/" } }];
        assert.deepStrictEqual(await pssFindings(hostPathVolumes, pod(hardenedPodSpec({ volumes }))), [
            finding("Pod prod/web", 'volume "u" is a hostPath volume', "spec.volumes[0].hostPath", FIX),
            finding("Pod prod/web", "volume (unnamed) is a hostPath volume", "spec.volumes[1].hostPath", FIX),
        ]);
    });

    it("an unknown list or entry is an advisory naming it; known entries are still judged", async () => {
        assert.deepStrictEqual(await pssFindings(hostPathVolumes, deployment(hardenedPodSpec({ volumes: unknown }))), [
            notKnown("Deployment prod/web", "spec.template.spec.volumes"),
        ]);
        const volumes = [unknown, { name: "h", hostPath: { path: "/" } }];
        assert.deepStrictEqual((await pssFindings(hostPathVolumes, deployment(hardenedPodSpec({ volumes })))).sort(), [
            notKnown("Deployment prod/web", "spec.template.spec.volumes[0]"),
            finding(
                "Deployment prod/web",
                'volume "h" is a hostPath volume',
                "spec.template.spec.volumes[1].hostPath",
                FIX,
            ),
        ]);
    });

    it("malformed props never throw", async () => {
        await assertJudgesMalformedSpecs(hostPathVolumes);
    });

    describe("option allowedHostPaths", () => {
        const ALLOWED_FIX =
            "nothing while the option allows it; the pod-security admission controller still rejects it in a " +
            "namespace that enforces this level";
        const logs = (path: string) => [{ name: "logs", hostPath: { path } }];
        const judge = (volumes: unknown[], allowedHostPaths: unknown[], extra: Record<string, unknown> = {}) =>
            pssFindings(hostPathVolumes, pod(hardenedPodSpec({ volumes, ...extra })), { allowedHostPaths });
        const allowed = (path: string, entry: string, suffix = "") =>
            `advisory: Pod prod/web: volume "logs" is a hostPath volume (path ${JSON.stringify(path)})${suffix}, ` +
            `allowed by option ${entry} (spec.volumes[0].hostPath.path). Fix: ${ALLOWED_FIX}`;
        const refused = (path: string) =>
            finding(
                "Pod prod/web",
                `volume "logs" is a hostPath volume (path ${JSON.stringify(path)})`,
                "spec.volumes[0].hostPath",
                FIX,
            );

        it("allows paths at or below a prefix, by whole path components, as an advisory naming the entry", async () => {
            const entries = [{ pathPrefix: "/var/log" }];
            for (const path of ["/var/log", "/var/log/app", "/var/log/app/x.log"]) {
                assert.deepStrictEqual(await judge(logs(path), entries), [
                    allowed(path, 'allowedHostPaths[0] (pathPrefix "/var/log")'),
                ]);
            }
            for (const path of ["/var/logs", "/var/lo", "/var", "/", "/etc/var/log"]) {
                assert.deepStrictEqual(await judge(logs(path), entries), [refused(path)], path);
            }
        });

        it("normalises //, ., .. and trailing slashes on both sides; a relative path matches nothing", async () => {
            const entries = [{ pathPrefix: "/var/log/" }];
            for (const path of ["//var//log/app/", "/var/./log", "/var/tmp/../log/app", "/../var/log"]) {
                assert.strictEqual((await judge(logs(path), entries))[0].startsWith("advisory: "), true, path);
            }
            for (const path of ["/var/log/../../etc", "/var/log/..", "var/log/app", "./var/log", ""]) {
                assert.deepStrictEqual(await judge(logs(path), entries), [refused(path)], path);
            }
            // "/" allows every absolute path.
            assert.strictEqual((await judge(logs("/etc"), [{ pathPrefix: "//" }]))[0].startsWith("advisory: "), true);
        });

        it("readOnly: allowed only when every mount in every container (init, ephemeral) is read-only", async () => {
            const entries = [{ pathPrefix: "/var/log", readOnly: true }];
            const mount = (name: string, readOnly?: unknown) =>
                hardenedContainer(name, {
                    volumeMounts: [
                        { name: "other", mountPath: "/x" },
                        { name: "logs", mountPath: "/logs", ...(readOnly !== undefined && { readOnly }) },
                    ],
                });
            const lists = (readOnly: Record<string, unknown>) => ({
                initContainers: [mount("init", readOnly.init)],
                containers: [mount("app", readOnly.app)],
                ephemeralContainers: [mount("debug", readOnly.debug)],
            });
            const entry = 'allowedHostPaths[0] (pathPrefix "/var/log", read-only)';
            assert.deepStrictEqual(
                await judge(logs("/var/log/app"), entries, lists({ init: true, app: true, debug: true })),
                [allowed("/var/log/app", entry, ", mounted read-only")],
            );
            // Not mounted at all: nothing can write to it.
            assert.deepStrictEqual(await judge(logs("/var/log"), entries), [
                allowed("/var/log", entry, ", mounted read-only"),
            ]);
            const writable = await judge(
                logs("/var/log/app"),
                entries,
                lists({ init: true, app: false, debug: undefined }),
            );
            const problem =
                `mounts hostPath volume "logs" (path "/var/log/app") without readOnly: true, and option ${entry} ` +
                `allows it only read-only`;
            const mountFix = "set readOnly: true on this volumeMount, or use another volume type";
            assert.deepStrictEqual(writable, [
                finding(
                    'Pod prod/web, container "app"',
                    problem,
                    "spec.containers[0].volumeMounts[1].readOnly",
                    mountFix,
                ),
                finding(
                    'Pod prod/web, ephemeral container "debug"',
                    problem,
                    "spec.ephemeralContainers[0].volumeMounts[1].readOnly",
                    mountFix,
                ),
            ]);
            // "true" is not true.
            const text = await judge(logs("/var/log"), entries, lists({ init: "true", app: true, debug: true }));
            assert.deepStrictEqual(
                text.map((l) => l.split(":")[0]),
                ["mandatory"],
            );
        });

        it("an entry without readOnly wins over a read-only one; other entries are tried in turn", async () => {
            const writableMount = {
                containers: [hardenedContainer("app", { volumeMounts: [{ name: "logs", mountPath: "/l" }] })],
            };
            const entries = [
                { pathPrefix: "/var", readOnly: true },
                { pathPrefix: "/var/log/app" },
                { pathPrefix: "/srv" },
            ];
            assert.deepStrictEqual(await judge(logs("/var/log/app/x"), entries, writableMount), [
                allowed("/var/log/app/x", 'allowedHostPaths[1] (pathPrefix "/var/log/app")'),
            ]);
            assert.strictEqual((await judge(logs("/srv"), entries, writableMount))[0].startsWith("advisory: "), true);
            assert.strictEqual(
                (await judge(logs("/var/lib"), entries, writableMount))[0].startsWith("mandatory: "),
                true,
            );
        });

        it("unknown during preview: the path, the volume name, the mounts", async () => {
            const entries = [{ pathPrefix: "/var/log", readOnly: true }];
            assert.deepStrictEqual(await judge([{ name: "logs", hostPath: unknown }], entries), [
                notKnown("Pod prod/web", "spec.volumes[0].hostPath"),
            ]);
            assert.deepStrictEqual(await judge(logs(unknown as unknown as string), entries), [
                notKnown("Pod prod/web", "spec.volumes[0].hostPath.path"),
            ]);
            assert.deepStrictEqual(await judge([{ name: unknown, hostPath: { path: "/var/log" } }], entries), [
                notKnown("Pod prod/web", "spec.volumes[0].name"),
            ]);
            const mounts = (volumeMounts: unknown) => ({ containers: [hardenedContainer("app", { volumeMounts })] });
            assert.deepStrictEqual(await judge(logs("/var/log"), entries, mounts(unknown)), [
                notKnown('Pod prod/web, container "app"', "spec.containers[0].volumeMounts"),
            ]);
            assert.deepStrictEqual(
                await judge(logs("/var/log"), entries, mounts([{ name: "logs", readOnly: unknown }])),
                [notKnown('Pod prod/web, container "app"', "spec.containers[0].volumeMounts[0].readOnly")],
            );
            assert.deepStrictEqual(await judge(logs("/var/log"), entries, { initContainers: unknown }), [
                notKnown("Pod prod/web", "spec.initContainers"),
            ]);
            // Without the option an unknown path changes nothing: the hostPath key decides.
            assert.deepStrictEqual(await judge(logs(unknown as unknown as string), []), [
                finding("Pod prod/web", 'volume "logs" is a hostPath volume', "spec.volumes[0].hostPath", FIX),
            ]);
        });

        it("an unnamed volume cannot be shown mounted read-only; a volume without a path is refused", async () => {
            const entries = [{ pathPrefix: "/", readOnly: true }];
            assert.deepStrictEqual(await judge([{ hostPath: { path: "/var/log" } }], entries), [
                finding(
                    "Pod prod/web",
                    'volume (unnamed) is a hostPath volume (path "/var/log"), but it has no name, so its mounts ' +
                        "cannot be shown to be read-only",
                    "spec.volumes[0].name",
                    "name the volume and mount it with readOnly: true",
                ),
            ]);
            assert.deepStrictEqual(await judge([{ name: "logs", hostPath: {} }], [{ pathPrefix: "/" }]), [
                finding(
                    "Pod prod/web",
                    'volume "logs" is a hostPath volume without a path',
                    "spec.volumes[0].hostPath",
                    FIX,
                ),
            ]);
        });

        it("configuration is checked: absolute prefixes, known keys, boolean readOnly", async () => {
            const r = pod(hardenedPodSpec({}));
            await assert.rejects(
                pssFindings(hostPathVolumes, r, { allowedHostPaths: [{ pathPrefix: "var/log" }] }),
                /absolute path/,
            );
            await assert.rejects(
                pssFindings(hostPathVolumes, r, { allowedHostPaths: [{ pathPrefix: "/var/log", readonly: true }] }),
                /allowedHostPaths\[0\]\.readonly is not a known option.*Did you mean "readOnly"/,
            );
            await assert.rejects(
                pssFindings(hostPathVolumes, r, { allowedHostPaths: [{ readOnly: true }] }),
                /pathPrefix is required/,
            );
            await assert.rejects(
                pssFindings(hostPathVolumes, r, { allowedHostPaths: [{ pathPrefix: "/x", readOnly: "yes" }] }),
                /must be true or false/,
            );
        });

        it("malformed props never throw with the option set", async () => {
            await assertJudgesMalformedSpecs(hostPathVolumes, {
                allowedHostPaths: [{ pathPrefix: "/", readOnly: true }],
            });
        });
    });
});
