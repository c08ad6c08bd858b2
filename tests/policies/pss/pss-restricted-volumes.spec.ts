// pss-restricted-volumes (restricted): pods use only volume types that cannot reach the host or
// node-level storage. Volumes are pod-level, so there are no per-container findings.

import * as assert from "assert";
import { restrictedVolumes } from "../../../policies/pss";
import { unknown } from "../../../testkit";
import { assertJudgesMalformedSpecs, finding, notKnown, pssFindings } from "../../support/pss";
import { deployment, hardenedPodSpec, pod } from "../../support/workloads";

const FIX = "use a persistentVolumeClaim or an allowed volume type instead";
const ALLOWED_FIX =
    "nothing while the option allows it; the pod-security admission controller still rejects it in a namespace " +
    "that enforces this level";

describe("pss-restricted-volumes", () => {
    it("passes a compliant pod (every allowed volume type)", async () => {
        const volumes = [
            { name: "a", configMap: { name: "c" } },
            { name: "b", csi: { driver: "d" } },
            { name: "c", downwardAPI: { items: [] } },
            { name: "d", emptyDir: {} },
            { name: "e", ephemeral: { volumeClaimTemplate: {} } },
            { name: "f", image: { reference: "registry.example.com/data:1" } },
            { name: "g", persistentVolumeClaim: { claimName: "data" } },
            { name: "h", projected: { sources: [] } },
            { name: "i", secret: { secretName: "s" } },
        ];
        assert.deepStrictEqual(await pssFindings(restrictedVolumes, pod(hardenedPodSpec({ volumes }))), []);
    });

    it("fails other volume types, naming the resource, the volume and the field", async () => {
        const volumes = [
            { name: "tmp", emptyDir: {} },
            { name: "share", nfs: { server: "nfs.example.com", path: "/" } },
            { name: "host", hostPath: { path: "/" } },
        ];
        assert.deepStrictEqual(await pssFindings(restrictedVolumes, deployment(hardenedPodSpec({ volumes }))), [
            finding(
                "Deployment prod/web",
                'volume "share" uses the nfs volume type',
                "spec.template.spec.volumes[1].nfs",
                FIX,
            ),
            finding(
                "Deployment prod/web",
                'volume "host" uses the hostPath volume type',
                "spec.template.spec.volumes[2].hostPath",
                FIX,
            ),
        ]);
    });

    it("a volume without a recognised source is not allowed", async () => {
        const volumes = [{ name: "odd", somethingNew: {} }];
        assert.deepStrictEqual(await pssFindings(restrictedVolumes, pod(hardenedPodSpec({ volumes }))), [
            finding(
                "Pod prod/web",
                'volume "odd" declares "somethingNew", which is not a volume source this check knows (a newer ' +
                    "volume type is judged as not allowed)",
                "spec.volumes[0]",
                "declare an allowed volume source such as emptyDir or persistentVolumeClaim",
            ),
        ]);
    });

    it("an unknown entry is an advisory naming it; a source key decides even when its value is unknown", async () => {
        const volumes = [unknown, { name: "n", nfs: unknown }];
        assert.deepStrictEqual(
            (await pssFindings(restrictedVolumes, deployment(hardenedPodSpec({ volumes })))).sort(),
            [
                notKnown("Deployment prod/web", "spec.template.spec.volumes[0]"),
                finding(
                    "Deployment prod/web",
                    'volume "n" uses the nfs volume type',
                    "spec.template.spec.volumes[1].nfs",
                    FIX,
                ),
            ],
        );
    });

    it("malformed props never throw", async () => {
        await assertJudgesMalformedSpecs(restrictedVolumes);
    });

    describe("option allowedFlexVolumeDrivers", () => {
        const flex = (driver: unknown) => ({ name: "lvm", flexVolume: { driver, fsType: "ext4" } });
        const judge = (volumes: unknown[], allowedFlexVolumeDrivers: unknown[]) =>
            pssFindings(restrictedVolumes, pod(hardenedPodSpec({ volumes })), { allowedFlexVolumeDrivers });

        it("allows a listed driver exactly, as an advisory naming the option", async () => {
            assert.deepStrictEqual(await judge([flex("example.com/lvm")], ["example.com/lvm"]), [
                'advisory: Pod prod/web: volume "lvm" uses the flexVolume volume type with driver ' +
                    '"example.com/lvm", allowed by option allowedFlexVolumeDrivers ' +
                    `(spec.volumes[0].flexVolume.driver). Fix: ${ALLOWED_FIX}`,
            ]);
            for (const driver of ["example.com/lvm2", "EXAMPLE.COM/LVM", undefined, 3]) {
                assert.deepStrictEqual(
                    await judge([flex(driver)], ["example.com/lvm"]),
                    [
                        finding(
                            "Pod prod/web",
                            'volume "lvm" uses the flexVolume volume type',
                            "spec.volumes[0].flexVolume",
                            FIX,
                        ),
                    ],
                    String(driver),
                );
            }
        });

        it("allows flexVolume only: other disallowed types of the volume are still reported", async () => {
            const both = { name: "lvm", flexVolume: { driver: "example.com/lvm" }, hostPath: { path: "/" } };
            const lines = await judge([both, { name: "n", nfs: { server: "s", path: "/" } }], ["example.com/lvm"]);
            assert.deepStrictEqual(
                lines.map((l) => l.split(" (spec")[0]),
                [
                    'advisory: Pod prod/web: volume "lvm" uses the flexVolume volume type with driver ' +
                        '"example.com/lvm", allowed by option allowedFlexVolumeDrivers',
                    'mandatory: Pod prod/web: volume "lvm" uses the hostPath volume type',
                    'mandatory: Pod prod/web: volume "n" uses the nfs volume type',
                ],
            );
        });

        it("an unknown driver is undecided; without the option it changes nothing", async () => {
            assert.deepStrictEqual(await judge([flex(unknown)], ["example.com/lvm"]), [
                notKnown("Pod prod/web", "spec.volumes[0].flexVolume.driver"),
            ]);
            assert.deepStrictEqual(await judge([flex(unknown)], []), [
                finding(
                    "Pod prod/web",
                    'volume "lvm" uses the flexVolume volume type',
                    "spec.volumes[0].flexVolume",
                    FIX,
                ),
            ]);
        });

        it("configuration is checked: a list of driver names", async () => {
            for (const [allowedFlexVolumeDrivers, message] of [
                ["example.com/lvm", /must be an array/],
                [[7], /allowedFlexVolumeDrivers\[0\]/],
            ] as const) {
                await assert.rejects(judge([], allowedFlexVolumeDrivers as unknown as unknown[]), message);
            }
        });

        it("malformed props never throw with the option set", async () => {
            await assertJudgesMalformedSpecs(restrictedVolumes, { allowedFlexVolumeDrivers: ["x"] });
        });
    });
});
