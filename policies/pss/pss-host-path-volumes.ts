import { definePssCheck, known, unchangedSince } from "../../src/pss/standard";

/** v1.0: the check appears; no version has changed it since. */
const VERSIONS = unchangedSince("v1.0");

/** Baseline: no hostPath volumes. */
export const hostPathVolumes = definePssCheck({
    name: "pss-host-path-volumes",
    checkId: "hostPathVolumes",
    level: "baseline",
    displayName: "No hostPath volumes",
    description:
        "Pods must not mount hostPath volumes: they expose the node's filesystem (and sockets such as the container " +
        "runtime's) to the pod.",
    severity: "high",
    topics: ["host-access", "volumes"],
    versions: VERSIONS,
    remediationSteps:
        "Replace hostPath volumes with emptyDir, configMap, secret, projected, persistentVolumeClaim or CSI volumes.",
    check(pod, ev) {
        const volumes = known(ev, pod.spec.get("volumes"));
        for (const vol of volumes?.items() ?? []) {
            if (!known(ev, vol)) {
                continue;
            }
            // A hostPath key makes this a hostPath volume even if its value is unknown during preview.
            const hostPath = vol.get("hostPath");
            if (!hostPath.isAbsent) {
                const name = vol.get("name").str();
                ev.violation({
                    at: hostPath,
                    problem: `volume ${name !== undefined ? JSON.stringify(name) : "(unnamed)"} is a hostPath volume`,
                    fix: "use an emptyDir, configMap, secret, projected or persistentVolumeClaim volume instead",
                });
            }
        }
    },
});
