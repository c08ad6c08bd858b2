// JSON exactly as `JSON.stringify(value, null, 2)` writes it, in pieces: a report with a hundred
// thousand findings is written as it is produced instead of first becoming one string of hundreds of
// megabytes.

/** An array whose items are made one at a time as they are written (and dropped after). */
export class LazyArray<T, U> {
    constructor(
        private readonly items: readonly T[],
        private readonly make: (item: T) => U,
    ) {}

    get length(): number {
        return this.items.length;
    }

    at(i: number): U {
        return this.make(this.items[i]);
    }
}

/** Below this depth the pieces would be tiny: the rest of a value is stringified in one go. */
const PIECE_DEPTH = 4;

/** Pieces whose concatenation is `JSON.stringify(value, null, 2)` for plain data (objects, arrays, primitives). */
export function* prettyJson(value: unknown, indent = "", depth = 0): Generator<string, void, undefined> {
    const inner = `${indent}  `;
    const list =
        value instanceof LazyArray
            ? (value as LazyArray<unknown, unknown>)
            : Array.isArray(value) && depth < PIECE_DEPTH
              ? { length: value.length, at: (i: number): unknown => (value as unknown[])[i] }
              : undefined;
    if (list) {
        if (list.length === 0) {
            yield "[]";
            return;
        }
        yield "[";
        for (let i = 0; i < list.length; i++) {
            yield `${i > 0 ? "," : ""}\n${inner}`;
            const item = list.at(i);
            yield* prettyJson(item === undefined || typeof item === "function" ? null : item, inner, depth + 1);
        }
        yield `\n${indent}]`;
        return;
    }
    if (depth >= PIECE_DEPTH || typeof value !== "object" || value === null || Array.isArray(value)) {
        yield (JSON.stringify(value, null, 2) ?? "null").replace(/\n/g, `\n${indent}`);
        return;
    }
    const entries = Object.entries(value as Record<string, unknown>).filter(
        ([, v]) => v !== undefined && typeof v !== "function",
    );
    if (entries.length === 0) {
        yield "{}";
        return;
    }
    yield "{";
    for (const [i, [key, v]] of entries.entries()) {
        yield `${i > 0 ? "," : ""}\n${inner}${JSON.stringify(key)}: `;
        yield* prettyJson(v, inner, depth + 1);
    }
    yield `\n${indent}}`;
}
