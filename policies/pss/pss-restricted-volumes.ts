import { definePssCheck, known, unchangedSince } from "../../src/pss/standard";

/**
 * v1.0: the check appears; no version has changed it since. The admission controller added the
 * image volume type to the allowed list without a new version, so it is allowed at every version.
 */
const VERSIONS = unchangedSince("v1.0");

/** Volume sources the restricted profile allows. */
const ALLOWED_SOURCES: ReadonlySet<string> = new Set([
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
]);

/** Every volume source of the Kubernetes Volume API (any not allowed above is rejected). */
const ALL_SOURCES: ReadonlySet<string> = new Set([
    ...ALLOWED_SOURCES,
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
]);

/** Restricted: only volume types that cannot reach the host or node-level storage. */
export const restrictedVolumes = definePssCheck({
    name: "pss-restricted-volumes",
    checkId: "restrictedVolumes",
    level: "restricted",
    displayName: "Only restricted volume types",
    description:
        "Pods may use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected " +
        "and secret volumes.",
    severity: "medium",
    topics: ["volumes"],
    versions: VERSIONS,
    remediationSteps:
        "Replace other volumes (hostPath, nfs, iscsi, ...) with a persistentVolumeClaim backed by that storage, or " +
        "one of the allowed types.",
    check(pod, ev) {
        const volumes = known(ev, pod.spec.get("volumes"));
        for (const vol of volumes?.items() ?? []) {
            if (!known(ev, vol)) {
                continue;
            }
            const name = vol.get("name").str();
            const label = `volume ${name !== undefined ? JSON.stringify(name) : "(unnamed)"}`;
            // The source type is the key that is set; its value may be unknown during preview without
            // changing the type. As in the admission controller, a volume with any allowed source passes
            // (the API rejects volumes with two sources; pss-host-path-volumes still reports a hostPath).
            const sources = vol.entries().filter(([key, f]) => ALL_SOURCES.has(key) && !f.isAbsent);
            if (sources.some(([key]) => ALLOWED_SOURCES.has(key))) {
                continue;
            }
            if (sources.length > 0) {
                for (const [key, field] of sources) {
                    ev.violation({
                        at: field,
                        problem: `${label} uses the ${key} volume type`,
                        fix: "use a persistentVolumeClaim or an allowed volume type instead",
                    });
                }
            } else {
                ev.violation({
                    at: vol,
                    problem: `${label} has no recognised volume source`,
                    fix: "declare an allowed volume source such as emptyDir or persistentVolumeClaim",
                });
            }
        }
    },
});
