// Small helpers every check uses: reading a field that may be unknown during preview, visiting
// containers, exemptions that depend on pod fields, and formatting values for messages.

import { Evaluation } from "./policy";
import { Field } from "./field";
import { ContainerRef,PodSpec } from "../kubernetes/workload";

/** Returns the field if its value is known; otherwise records it as unknown and returns undefined. */
export function known(ev: Evaluation<unknown>, field: Field, container?: ContainerRef): Field | undefined {
    if (field.isUnknown) {
        ev.unknown(field, container);
        return undefined;
    }
    return field;
}

/** The known elements of a list field; unknown lists and elements are recorded as unknown. */
export function knownItems(ev: Evaluation<unknown>, list: Field<unknown> | undefined): Field<unknown>[] {
    if (!list || !known(ev, list)) {
        return [];
    }
    return list.items().filter((item) => known(ev, item) !== undefined);
}

/** Visits every container whose entry is known, and records unknown container lists or entries. */
export function eachContainer(pod: PodSpec, ev: Evaluation<unknown>, visit: (c: ContainerRef) => void): void {
    for (const f of pod.unknownContainers()) {
        ev.unknown(f);
    }
    for (const c of pod.containers()) {
        visit(c);
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

/**
 * Reports a finding unless the pod is exempt. When the exemption depends on a field that is
 * unknown during preview, the finding cannot be decided yet and that field is reported as unknown.
 */
export function unlessExempt(ev: Evaluation<unknown>, exempt: boolean | undefined, exemptionField: Field, report: () => void): void {
    if (exempt === true) {
        return;
    }
    if (exempt === undefined) {
        ev.unknown(exemptionField);
        return;
    }
    report();
}

/** Formats a value for a message (never used for secrets). */
export function show(value: unknown): string {
    return typeof value === "string" ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
}
