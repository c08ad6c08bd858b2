// Values frozen all the way down, as the props every policy of a request shares (src/sdk/shared-props.ts) are.

/** Freezes a value and everything in it; returns it. */
export function deepFreeze<T>(value: T): T {
    if (typeof value === "object" && value !== null) {
        for (const v of Object.values(value)) {
            deepFreeze(v);
        }
        Object.freeze(value);
    }
    return value;
}
