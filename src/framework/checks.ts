// Small helpers every check uses: reading a field that may be unknown during preview or of the
// wrong type, exemptions that depend on a field, and formatting values for messages (secrets are
// rendered as [secret]).

import { type Evaluation } from "./policy";
import { Field } from "./field";
import { type ContainerLocation } from "./finding";
import { SECRET_PLACEHOLDER } from "../sdk/secrets";

/** How a secret value is shown wherever a value would be printed. */
export { SECRET_PLACEHOLDER } from "../sdk/secrets";

/**
 * Returns the field as the receiving side reads it if its value is known; otherwise records it as
 * unknown and returns undefined. A value of the wrong type is converted as the receiver converts it,
 * or judged as the field's unsafe value (the field carries a note that findings show); one that
 * cannot be judged at all (an object where a string belongs, a child of a string where an object
 * belongs) is a finding of the calling policy, and undefined is returned.
 */
export function known(ev: Evaluation<unknown>, field: Field, container?: ContainerLocation): Field | undefined {
    if (field.isUnknown) {
        ev.unknown(field, container);
        return undefined;
    }
    const unreadable = field.unreadable;
    if (unreadable) {
        reportUnreadable(ev, unreadable, container);
        return undefined;
    }
    return field.interpreted();
}

/** Reports, once per evaluation, a value the check cannot judge because of its type. */
export function reportUnreadable(ev: Evaluation<unknown>, field: Field, container?: ContainerLocation): void {
    if (ev.firstReportOf(`unreadable ${field.path}`)) {
        ev.violation({
            // The path as text: a note on how the field was read would repeat the reason.
            at: field.path,
            container,
            problem: `${field.unreadableReason}, so this check cannot judge it`,
            fix: field.unreadableFix,
        });
    }
}

/**
 * The known elements of a list field; unknown lists and elements are recorded as unknown, a scalar
 * where the list belongs is judged as a one-element list, and elements of a type that cannot be
 * judged are reported.
 */
export function knownItems(ev: Evaluation<unknown>, list: Field<unknown> | undefined): Field<unknown>[] {
    const read = list && known(ev, list);
    if (!read) {
        return [];
    }
    const out: Field<unknown>[] = [];
    for (const item of read.items()) {
        const k = known(ev, item);
        if (k) {
            out.push(k);
        }
    }
    return out;
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

function json(value: unknown): string {
    try {
        return typeof value === "string" ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
    } catch {
        return typeof value;
    }
}

/** A field's value with every secret part replaced by the placeholder (bounded depth). */
function redacted(field: Field, depth: number): unknown {
    if (field.isSecret) {
        return SECRET_PLACEHOLDER;
    }
    if (!field.containsSecret || depth > 16) {
        return field.value;
    }
    if (field.isArray) {
        return field.items().map((item) => redacted(item, depth + 1));
    }
    if (field.isObject) {
        return Object.fromEntries(field.entries().map(([k, v]) => [k, redacted(v, depth + 1)]));
    }
    return field.value;
}

/**
 * Formats a value for a message: a field's value as JSON, `[secret]` for a field that arrived as a
 * Pulumi secret (and for the secret parts of a list or object). Pass the field, not its value, so
 * that secrets stay hidden.
 */
export function show(value: unknown): string {
    if (value instanceof Field) {
        if (value.isSecret) {
            return SECRET_PLACEHOLDER;
        }
        return json(value.containsSecret ? redacted(value, 0) : value.value);
    }
    return json(value);
}

/**
 * Formats a string read from a field for a message (JSON-quoted, shortened past `max` characters),
 * or `[secret]` when the field is secret.
 */
export function quoteField(field: Field, text: string, max = 200): string {
    if (field.isSecret) {
        return SECRET_PLACEHOLDER;
    }
    return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}
