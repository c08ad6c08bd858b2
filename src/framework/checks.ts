// Small helpers every check uses: reading a field that may be unknown during preview, exemptions
// that depend on a field, and formatting values for messages.

import { type Evaluation } from "./policy";
import { type Field } from "./field";
import { type ContainerLocation } from "./finding";

/** Returns the field if its value is known; otherwise records it as unknown and returns undefined. */
export function known(ev: Evaluation<unknown>, field: Field, container?: ContainerLocation): Field | undefined {
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

/**
 * Reports a finding unless the resource is exempt. When the exemption depends on a field that is
 * unknown during preview, the finding cannot be decided yet and that field is reported as unknown.
 */
export function unlessExempt(
    ev: Evaluation<unknown>,
    exempt: boolean | undefined,
    exemptionField: Field,
    report: () => void,
): void {
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
