import { type Evaluation } from "../../src/framework/policy";
import { type Field } from "../../src/framework/field";
import { defineWorkloadPolicy } from "../../src/kubernetes/workload-policy";
import { type ContainerRef, type PodSpec } from "../../src/kubernetes/workload";
import { nist800190 } from "../../src/framework/compliance";
import { known, quoteField } from "../../src/framework/checks";
import { eachContainer } from "../../src/kubernetes/pod-checks";

/** The Secrets Store CSI driver: its volumes carry secrets from external stores and must be mounted read-only. */
const SECRETS_STORE_CSI_DRIVER = "secrets-store.csi.k8s.io";

/** What a pod's volume holds, as far as this check cares. */
type VolumeKind =
    /** A description such as `secret volume "creds"`: the volume carries credentials. */
    | { readonly secret: string }
    /** The volume (or the part that decides) is unknown during preview. */
    | { readonly unknown: Field };

/** The credential-carrying volumes of a pod, and what stops the rest from being resolved during preview. */
interface CredentialVolumes {
    readonly byName: Map<string, VolumeKind>;
    /** The `volumes` list or a volume entry that is unknown: a mount of an unresolved name depends on it. */
    readonly unresolved?: Field;
}

/**
 * The credential-carrying volumes of a pod by name: `secret` volumes, `projected` volumes with a
 * `secret` or `serviceAccountToken` source, and Secrets Store CSI volumes.
 */
function credentialVolumes(pod: PodSpec): CredentialVolumes {
    const volumes = pod.spec.get("volumes");
    if (volumes.isUnknown) {
        return { byName: new Map(), unresolved: volumes };
    }
    const byName = new Map<string, VolumeKind>();
    let unresolved: Field | undefined;
    for (const vol of volumes.items()) {
        const name = vol.get("name");
        const n = name.str();
        if (n === undefined) {
            unresolved ??= name.isUnknown ? name : undefined;
            continue;
        }
        const kind = volumeKind(vol, quoteField(name, n));
        if (kind) {
            byName.set(n, kind);
        }
    }
    return { byName, unresolved };
}

function volumeKind(vol: Field, label: string): VolumeKind | undefined {
    if (!vol.get("secret").isAbsent) {
        return { secret: `secret volume ${label}` };
    }
    const projected = vol.get("projected");
    if (!projected.isAbsent) {
        const sources = projected.get("sources");
        if (sources.isUnknown) {
            return { unknown: sources };
        }
        const items = sources.items();
        if (items.some((s) => !s.get("secret").isAbsent)) {
            return { secret: `projected volume ${label} (with a secret source)` };
        }
        if (items.some((s) => !s.get("serviceAccountToken").isAbsent)) {
            return { secret: `projected volume ${label} (with a service account token)` };
        }
        const unknownSource = items.find((s) => s.isUnknown);
        return unknownSource && { unknown: unknownSource };
    }
    const driver = vol.at("csi", "driver");
    if (driver.isUnknown) {
        return { unknown: driver };
    }
    return driver.str() === SECRETS_STORE_CSI_DRIVER ? { secret: `Secrets Store CSI volume ${label}` } : undefined;
}

/** Volumes that carry credentials must be mounted read-only in every container. */
export const secretsVolumeReadOnly = defineWorkloadPolicy({
    name: "secrets-volume-read-only",
    displayName: "Mount secret volumes read-only",
    description:
        "Every volumeMount of a secret volume, a projected volume with a secret or service account token source, or " +
        "a Secrets Store CSI volume must set readOnly: true.",
    severity: "low",
    tags: ["secrets", "kubernetes", "volumes"],
    remediationSteps:
        "Set readOnly: true on each volumeMount of the volume, in every container, init container and ephemeral " +
        "container. " +
        "The kubelet already mounts secret and projected volumes read-only, so the flag mainly states the intent in " +
        "the manifest and in `kubectl describe`; " +
        "for CSI secret volumes it is what keeps the mount read-only.",
    url: "https://kubernetes.io/docs/concepts/configuration/secret/",
    framework: nist800190("4.4.3 Insecure container runtime configurations"),
    options: {},
    check(pod, ev) {
        const volumes = credentialVolumes(pod);
        if (volumes.byName.size === 0 && !volumes.unresolved) {
            return;
        }
        eachContainer(pod, ev, (c) => {
            for (const mount of known(ev, c.field.get("volumeMounts"), c)?.items() ?? []) {
                const name = known(ev, mount, c) && known(ev, mount.get("name"), c)?.str();
                const kind = name ? volumes.byName.get(name) : undefined;
                if (kind === undefined) {
                    if (name && volumes.unresolved) {
                        ev.unknown(volumes.unresolved, c);
                    }
                } else if ("unknown" in kind) {
                    ev.unknown(kind.unknown, c);
                } else {
                    judgeMount(ev, mount, kind.secret, c);
                }
            }
        });
    },
});

function judgeMount(ev: Evaluation<unknown>, mount: Field, volume: string, container: ContainerRef): void {
    const readOnly = known(ev, mount.get("readOnly"), container);
    if (!readOnly || readOnly.value === true) {
        return;
    }
    const mountPath = mount.get("mountPath");
    const path = mountPath.str();
    const where = path !== undefined ? ` at ${quoteField(mountPath, path)}` : "";
    ev.violation({
        at: readOnly,
        container,
        missing: readOnly.isAbsent,
        problem:
            `the mount of ${volume}${where} ` +
            `${readOnly.isAbsent ? "does not set readOnly: true" : "is not read-only"}`,
        fix: "set readOnly: true on this volumeMount",
    });
}
