import { type Evaluation } from "../../src/framework/policy";
import { type Field } from "../../src/framework/field";
import { array, option, string } from "../../src/framework/options";
import { allowedByOption, definePssCheck, known, show, unchangedSince } from "../../src/pss/standard";
import { volumeLabel } from "../../src/kubernetes/pod-checks";

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

/**
 * A flexVolume source whose driver allowedFlexVolumeDrivers lists is allowed (reported as an advisory);
 * returns false when the source is not allowed that way, undefined when its driver is unknown.
 */
function allowedFlexVolume(
    ev: Evaluation<{ allowedFlexVolumeDrivers: string[] }>,
    key: string,
    source: Field,
    label: string,
): boolean | undefined {
    const drivers = ev.options.allowedFlexVolumeDrivers;
    if (key !== "flexVolume" || drivers.length === 0) {
        return false;
    }
    const driver = known(ev, source.get("driver"));
    if (!driver) {
        return undefined;
    }
    if (typeof driver.value !== "string" || !drivers.includes(driver.value)) {
        return false;
    }
    allowedByOption(ev, {
        at: driver,
        problem: `${label} uses the flexVolume volume type with driver ${show(driver)}`,
        option: "allowedFlexVolumeDrivers",
    });
    return true;
}

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
        "one of the allowed types. Where a FlexVolume driver is accepted, list it in the allowedFlexVolumeDrivers " +
        "option: its volumes are then reported as advisories naming the option (the admission controller still " +
        "rejects them at the restricted level).",
    options: {
        allowedFlexVolumeDrivers: option(
            array(string({ description: "A FlexVolume driver name, e.g. example.com/lvm", minLength: 1 }), {
                description:
                    "FlexVolume drivers (flexVolume.driver) to allow, matched exactly. A volume allowed this way is " +
                    "reported as an advisory naming the option. Empty: every flexVolume is a finding, as in the " +
                    "standard.",
            }),
            [] as string[],
        ),
    },
    check(pod, ev) {
        const volumes = known(ev, pod.spec.get("volumes"));
        for (const vol of volumes?.items() ?? []) {
            if (!known(ev, vol)) {
                continue;
            }
            const label = volumeLabel(vol);
            // The source type is the key that is set; its value may be unknown during preview without
            // changing the type. As in the admission controller, a volume with any allowed source passes
            // (the API rejects volumes with two sources; pss-host-path-volumes still reports a hostPath).
            const sources = vol.entries().filter(([key, f]) => ALL_SOURCES.has(key) && !f.isAbsent);
            if (sources.some(([key]) => ALLOWED_SOURCES.has(key))) {
                continue;
            }
            // A volume that declares nothing but its name is defaulted to emptyDir by the API server
            // before admission, so the admission controller allows it.
            const declared = vol.entries().filter(([key, f]) => key !== "name" && !f.isAbsent);
            if (declared.length === 0) {
                continue;
            }
            if (sources.length > 0) {
                for (const [key, field] of sources) {
                    if (allowedFlexVolume(ev, key, field, label) !== false) {
                        continue;
                    }
                    ev.violation({
                        at: field,
                        problem: `${label} uses the ${key} volume type`,
                        fix: "use a persistentVolumeClaim or an allowed volume type instead",
                    });
                }
            } else {
                ev.violation({
                    at: vol,
                    problem:
                        `${label} declares ${declared.map(([key]) => JSON.stringify(key)).join(", ")}, which is ` +
                        `not a volume source this check knows (a newer volume type is judged as not allowed)`,
                    fix: "declare an allowed volume source such as emptyDir or persistentVolumeClaim",
                });
            }
        }
    },
});
