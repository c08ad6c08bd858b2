// pss-host-path-volumes (baseline): pods mount no hostPath volumes. Volumes are pod-level, so there
// are no per-container findings.

import * as assert from "assert";
import { hostPathVolumes } from "../../../policies/pss";
import { unknown } from "../../../testkit";
import { assertJudgesMalformedSpecs, finding, notKnown, pssFindings } from "../../support/pss";
import { deployment, hardenedPodSpec, pod } from "../../support/workloads";

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
});
