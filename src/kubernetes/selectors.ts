// Kubernetes label selectors (matchLabels and matchExpressions), evaluated with values that may be
// unknown during preview: a match is true, false, or the unknown field it depends on.

import { type Field } from "../framework/field";

export type Tri = boolean | Field<unknown>;

/** True when every part is true; false when any is false; otherwise the first unknown field. */
export function allOf(parts: readonly Tri[]): Tri {
    let pending: Field<unknown> | undefined;
    for (const p of parts) {
        if (p === false) {
            return false;
        }
        if (p !== true) {
            pending ??= p;
        }
    }
    return pending ?? true;
}

/** True when any part is true; false when all are false; otherwise the first unknown field. */
export function anyOf(parts: readonly Tri[]): Tri {
    let pending: Field<unknown> | undefined;
    for (const p of parts) {
        if (p === true) {
            return true;
        }
        if (p !== false) {
            pending ??= p;
        }
    }
    return pending ?? false;
}

/** A selector with neither matchLabels nor matchExpressions selects everything. */
export function isEmptySelector(selector: Field<unknown>): Tri {
    if (selector.isUnknown) {
        return selector;
    }
    if (selector.isAbsent) {
        return true;
    }
    const parts: Tri[] = [];
    for (const key of ["matchLabels", "matchExpressions"]) {
        const f = selector.get(key);
        if (f.isUnknown) {
            parts.push(f);
        } else {
            parts.push(f.isAbsent || (f.isArray && f.items().length === 0) || (f.isObject && f.entries().length === 0));
        }
    }
    return allOf(parts);
}

/** Whether `selector` selects an object with `labels`. */
export function selects(selector: Field<unknown>, labels: Field<unknown>): Tri {
    if (selector.isUnknown) {
        return selector;
    }
    const label = (key: string): Field<unknown> => labels.get(key);
    const parts: Tri[] = [];
    const matchLabels = selector.get("matchLabels");
    if (matchLabels.isUnknown) {
        return matchLabels;
    }
    for (const [key, want] of matchLabels.entries()) {
        const have = label(key);
        parts.push(want.isUnknown ? want : have.isUnknown ? have : have.isPresent && have.value === want.value);
    }
    const expressions = selector.get("matchExpressions");
    if (expressions.isUnknown) {
        return expressions;
    }
    for (const expr of expressions.items()) {
        parts.push(matchExpression(expr, label));
    }
    return allOf(parts);
}

function matchExpression(expr: Field<unknown>, label: (key: string) => Field<unknown>): Tri {
    const key = expr.get("key");
    const operator = expr.get("operator");
    const values = expr.get("values");
    for (const f of [key, operator, values]) {
        if (f.isUnknown) {
            return f;
        }
    }
    const have = label(key.str() ?? "");
    if (have.isUnknown) {
        return have;
    }
    const listed = values.items().map((v) => v.value);
    switch (operator.str()) {
        case "In":
            return have.isPresent && listed.includes(have.value);
        case "NotIn":
            return !have.isPresent || !listed.includes(have.value);
        case "Exists":
            return have.isPresent;
        case "DoesNotExist":
            return !have.isPresent;
        default:
            return false; // the API rejects other operators; such a selector selects nothing
    }
}

/** `app=web, tier=front` for messages (labels only, never other values). */
export function describeLabels(labels: Field<unknown>): string {
    const pairs = labels.entries().map(([k, v]) => `${k}=${v.isUnknown ? "(unknown)" : String(v.scalar() ?? "")}`);
    return pairs.length > 0 ? pairs.join(", ") : "no labels";
}
