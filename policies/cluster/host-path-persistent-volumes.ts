// PersistentVolumes backed by a node's filesystem (hostPath or local sources), and the workloads that
// reach one through a PersistentVolumeClaim. A pod that mounts such a claim gets the node path as surely
// as a hostPath volume would give it, but the Pod Security Standards allow every persistentVolumeClaim
// volume, so pss-host-path-volumes cannot see it. Following a claim to its volume takes the whole
// stack, hence a stack policy: the PersistentVolume and each workload bound to it are reported, each
// under its own resource, so each can be exempted on its own.

import { type Evaluation } from "../../src/framework/policy";
import { Field } from "../../src/framework/field";
import { buildStackPolicy, identityOf } from "../../src/framework/stack-policy";
import { resolveNamespace } from "../../src/framework/resource";
import { known, show } from "../../src/framework/checks";
import { podSpecsOf } from "../../src/kubernetes/workload";
import { catalogFor, workloadOptions } from "../../src/kubernetes/workload-policy";
import { type StackObject, clusterOf, findObject, stackObjects } from "../../src/kubernetes/objects";
import { LATEST_MINOR } from "../../src/pss/versions";

/** The PersistentVolume sources that are a path on one node. */
const NODE_SOURCES = ["hostPath", "local"] as const;

/** A PersistentVolume of the stack that is (or, during preview, may be) on a node's filesystem. */
interface NodeVolume {
    readonly pv: StackObject;
    /** `hostPath volume (path "/var/log")`, for messages; undefined while the source is unknown. */
    readonly what?: string;
    /** The unknown field that decides whether it is one, during preview. */
    readonly pending?: Field<unknown>;
    /** How findings about workloads bound to it end: the PersistentVolume's exemption, if any. */
    readonly exemptNote?: string;
}

/** What a claim binds to: a node volume and how the binding is declared. */
interface Binding {
    readonly volume: NodeVolume;
    /** e.g. `its spec.volumeName`, `the PersistentVolume's spec.claimRef`. */
    readonly by: string;
}

const PV_FIX =
    "back the PersistentVolume with network or CSI storage (or let a StorageClass provision it) instead of a path " +
    "on a node; if node storage is intended, exempt this PersistentVolume with the reason";

const WORKLOAD_FIX =
    "use a claim whose PersistentVolume is not on a node's filesystem, or exempt the workload with the reason";

/** Judges one PersistentVolume: reports it when its source is a node path. */
function judgePersistentVolume(pv: StackObject, ev: Evaluation<unknown>): NodeVolume | undefined {
    const spec = pv.object.get("spec");
    if (!known(ev, pv.object) || !known(ev, spec)) {
        return { pv, pending: Field.unknown(`spec of ${pv.identity.label}`) };
    }
    for (const key of NODE_SOURCES) {
        // The key makes the volume a node path even when its value is unknown during preview.
        const source = spec.get(key);
        if (source.isAbsent) {
            continue;
        }
        const path = source.get("path");
        const at = path.isPresent ? path : source;
        const what = `${key} volume${path.isPresent ? ` (path ${show(path)})` : ""}`;
        ev.violation({
            at,
            problem:
                `the PersistentVolume is a ${what} on a node's filesystem; a pod that mounts a claim bound to it ` +
                `gets that node path, which the Pod Security Standards would forbid as a hostPath volume`,
            fix: PV_FIX,
        });
        const exemption = ev.exemption;
        const exemptNote =
            exemption.kind === "exempt" ? `${pv.identity.label} is exempted by ${exemption.source}` : undefined;
        return { pv, what, exemptNote };
    }
    return undefined;
}

/** Finds the node volume a claim binds to, from the claim's volumeName or a PersistentVolume's claimRef. */
class Bindings {
    constructor(
        private readonly volumes: readonly NodeVolume[],
        private readonly claims: readonly StackObject[],
    ) {}

    /** By a volume name (a claim's or claim template's spec.volumeName). */
    byVolumeName(cluster: string, volumeName: Field<unknown>, by: string): Binding | Field<unknown> | undefined {
        if (volumeName.isUnknown) {
            return volumeName;
        }
        const name = volumeName.str();
        if (!name) {
            return undefined;
        }
        const pv = findObject(
            this.volumes.map((v) => v.pv),
            cluster,
            undefined,
            name,
        );
        if (pv === undefined || pv instanceof Field) {
            return pv;
        }
        const volume = this.volumes.find((v) => v.pv === pv)!;
        return volume.pending ?? { volume, by };
    }

    /** By a node volume whose spec.claimRef names the claim (namespace and a name test). */
    byClaimRef(
        cluster: string,
        namespace: string,
        nameMatches: (name: string) => boolean,
    ): Binding | Field<unknown> | undefined {
        let pending: Field<unknown> | undefined;
        for (const volume of this.volumes) {
            if (volume.pv.cluster !== cluster) {
                continue;
            }
            const ref = volume.pv.object.at("spec", "claimRef");
            const refNamespace = ref.get("namespace");
            const refName = ref.get("name");
            const waiting = [ref, refNamespace, refName].find((f) => f.isUnknown);
            if (waiting) {
                pending ??= Field.unknown(`spec.claimRef of ${volume.pv.identity.label}`);
                continue;
            }
            const refNameText = refName.str();
            if (refNamespace.str() !== namespace || refNameText === undefined || !nameMatches(refNameText)) {
                continue;
            }
            if (volume.pending) {
                pending ??= volume.pending;
                continue;
            }
            return { volume, by: `the PersistentVolume's spec.claimRef (${namespace}/${refNameText})` };
        }
        return pending;
    }

    /** The node volume the claim `namespace/name` binds to, through either side of the binding. */
    ofClaim(cluster: string, namespace: string, name: string): Binding | Field<unknown> | undefined {
        let pending: Field<unknown> | undefined;
        const claim = findObject(this.claims, cluster, namespace, name);
        if (claim instanceof Field) {
            pending = claim;
        } else if (claim) {
            const volumeName = claim.object.at("spec", "volumeName");
            const bound = this.byVolumeName(
                cluster,
                volumeName.isUnknown ? Field.unknown(`spec.volumeName of ${claim.identity.label}`) : volumeName,
                `${claim.identity.label}'s spec.volumeName`,
            );
            if (bound && !(bound instanceof Field)) {
                return bound;
            }
            pending = bound;
        }
        // A PersistentVolume may be pre-bound to the claim whether or not the claim is in the stack.
        const byRef = this.byClaimRef(cluster, namespace, (n) => n === name);
        return byRef && !(byRef instanceof Field) ? byRef : (pending ?? byRef);
    }
}

function escapeRegExp(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export const hostPathPersistentVolumes = buildStackPolicy({
    name: "host-path-persistent-volumes",
    displayName: "No node-path PersistentVolumes",
    description:
        "PersistentVolumes must not be hostPath or local volumes (a path on a node), and workloads must not mount " +
        "claims bound to one: such a claim gives a pod the node's filesystem, which the Pod Security Standards " +
        "forbid as a hostPath volume.",
    severity: "high",
    tags: ["kubernetes", "stack", "host-access", "volumes", "profile:baseline"],
    remediationSteps:
        "Back PersistentVolumes with network or CSI storage, or let a StorageClass provision them, instead of " +
        "hostPath or local sources. Node-local storage that is intended (a database on local disks) is exempted " +
        "with a reason: exempt the PersistentVolume, and the workloads bound to it are then reported as advisories " +
        "that name the exemption (or exempt them too). The binding is followed through the claim's spec.volumeName " +
        "and the PersistentVolume's spec.claimRef, for pod volumes and StatefulSet volumeClaimTemplates; claims " +
        "that the cluster binds by storage class or selector are not followed, but their PersistentVolume is " +
        "reported itself.",
    url: "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
    framework: {
        name: "Kubernetes Pod Security Standards",
        version: `v1.${LATEST_MINOR}`,
        reference: "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
        specification: "Baseline profile, HostPath Volumes control, applied to PersistentVolumes",
    },
    options: { ...workloadOptions },
    check(stack) {
        const volumes: NodeVolume[] = [];
        for (const pv of stackObjects(stack.resources, "core", "PersistentVolume", "cluster")) {
            const volume = judgePersistentVolume(pv, stack.about(pv.resource, pv.identity));
            if (volume) {
                volumes.push(volume);
            }
        }
        if (volumes.length === 0) {
            return; // no claim can reach a node path
        }
        const bindings = new Bindings(
            volumes,
            stackObjects(stack.resources, "core", "PersistentVolumeClaim", "namespaced"),
        );
        const catalog = catalogFor(stack.options.customWorkloads);
        for (const r of stack.resources) {
            const shape = catalog.shapeOf(r.type);
            if (!shape) {
                continue;
            }
            const ev = stack.about(r, identityOf(r, shape.kind));
            const cluster = clusterOf(r);
            const providerNamespace = r.provider?.get("namespace").str() || undefined;
            const report = (at: Field<unknown>, subject: string, b: Binding) => {
                ev.violation({
                    at,
                    advisory: b.volume.exemptNote !== undefined,
                    problem:
                        `${subject} ${b.volume.pv.identity.label} (by ${b.by}), a ${b.volume.what} on ` +
                        `a node's filesystem` +
                        (b.volume.exemptNote ? ` (${b.volume.exemptNote}, so this is advisory)` : ""),
                    fix: WORKLOAD_FIX,
                });
            };
            for (const pod of podSpecsOf(shape, r.props)) {
                const owner = pod.owner;
                const namespace = resolveNamespace(owner.get("metadata"), providerNamespace);
                if (namespace instanceof Field) {
                    ev.unknown(namespace);
                    continue;
                }
                for (const volume of known(ev, pod.spec.get("volumes"))?.items() ?? []) {
                    const claimName = volume.at("persistentVolumeClaim", "claimName");
                    if (!known(ev, claimName) || typeof claimName.value !== "string") {
                        continue;
                    }
                    const bound = bindings.ofClaim(cluster, namespace, claimName.value);
                    if (bound instanceof Field) {
                        ev.unknown(bound);
                    } else if (bound) {
                        const name = volume.get("name").str();
                        report(
                            claimName,
                            `volume ${name !== undefined ? JSON.stringify(name) : "(unnamed)"} mounts claim ` +
                                `${JSON.stringify(claimName.value)}, which is bound to`,
                            bound,
                        );
                    }
                }
                if (shape.kind === "StatefulSet") {
                    judgeClaimTemplates(ev, owner, namespace, cluster, bindings, report);
                }
            }
        }
    },
});

/**
 * A StatefulSet's volumeClaimTemplates become one claim per replica, `<template>-<statefulset>-<ordinal>`:
 * bound through the template's spec.volumeName, or a PersistentVolume whose claimRef names such a claim.
 */
function judgeClaimTemplates(
    ev: Evaluation<unknown>,
    statefulSet: Field<unknown>,
    namespace: string,
    cluster: string,
    bindings: Bindings,
    report: (at: Field<unknown>, subject: string, b: Binding) => void,
): void {
    const setName = known(ev, statefulSet.at("metadata", "name"));
    const templates = known(ev, statefulSet.at("spec", "volumeClaimTemplates"));
    for (const template of templates?.items() ?? []) {
        const templateName = known(ev, template.at("metadata", "name"));
        if (!templateName || typeof templateName.value !== "string") {
            continue;
        }
        const subject = `volume claim template ${JSON.stringify(templateName.value)}, whose claims are bound to`;
        const volumeName = template.at("spec", "volumeName");
        const byName = bindings.byVolumeName(cluster, volumeName, "the template's spec.volumeName");
        if (byName instanceof Field) {
            ev.unknown(byName);
            continue;
        }
        if (byName) {
            report(volumeName, subject, byName);
            continue;
        }
        if (!setName || typeof setName.value !== "string") {
            continue;
        }
        const replica = new RegExp(`^${escapeRegExp(`${templateName.value}-${setName.value}-`)}(0|[1-9][0-9]*)$`);
        const byRef = bindings.byClaimRef(cluster, namespace, (n) => replica.test(n));
        if (byRef instanceof Field) {
            ev.unknown(byRef);
        } else if (byRef) {
            report(templateName, subject, byRef);
        }
    }
}
