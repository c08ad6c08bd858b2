// Comparing decoded props as policies see them.

/** Keys in order at every level (deepStrictEqual ignores key order; policies iterating objects do not). */
export function shape(v: unknown): unknown {
    if (Array.isArray(v)) {
        return v.map(shape);
    }
    if (typeof v === "object" && v !== null) {
        return [Object.getPrototypeOf(v) === Object.prototype, Object.entries(v).map(([k, x]) => [k, shape(x)])];
    }
    return Object.is(v, -0) ? "-0" : v;
}
