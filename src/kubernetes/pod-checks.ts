// Helpers for checks that read pod specs: visiting containers, and the pod settings some checks
// relax for (Windows pods, pods in a user namespace).

import { type Evaluation } from "../framework/policy";
import { quoteField, reportUnreadable } from "../framework/checks";
import { type Field } from "../framework/field";
import { type ContainerRef, type PodSpec } from "./workload";

/**
 * Visits every container whose entry is known, records unknown container lists or entries, and
 * reports entries that are not objects (the API rejects them; no check can judge them).
 */
export function eachContainer(pod: PodSpec, ev: Evaluation<unknown>, visit: (c: ContainerRef) => void): void {
    for (const f of pod.unknownContainers()) {
        ev.unknown(f);
    }
    for (const c of pod.containers()) {
        const unreadable = c.field.unreadable;
        if (unreadable) {
            reportUnreadable(ev, unreadable, c);
        } else {
            visit(c);
        }
    }
}

/**
 * Whether the pod is a Windows pod (`spec.os.name: windows`), which some restricted checks exempt
 * from v1.25. Undefined when `spec.os.name` is unknown during preview.
 */
export function isWindowsPod(pod: PodSpec): boolean | undefined {
    const os = pod.osName;
    return os.isUnknown ? undefined : os.str() === "windows";
}

/**
 * Whether the pod runs in a user namespace (`spec.hostUsers: false`), which some checks relax from
 * v1.35. Undefined when `spec.hostUsers` is unknown during preview.
 */
export function usesUserNamespace(pod: PodSpec): boolean | undefined {
    const f = pod.hostUsers;
    return f.isUnknown ? undefined : f.bool() === false;
}

/** How a message names a pod volume: `volume "data"`, `volume (unnamed)` (a secret name as [secret]). */
export function volumeLabel(volume: Field): string {
    const name = volume.get("name");
    const text = name.str();
    return `volume ${text !== undefined ? quoteField(name, text) : "(unnamed)"}`;
}
