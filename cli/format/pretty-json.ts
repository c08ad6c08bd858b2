// JSON exactly as `JSON.stringify(value, null, 2)` writes it, in pieces: a report with a hundred
// thousand findings is written as it is produced instead of first becoming one string of hundreds of
// megabytes.

/** An array whose items are made one at a time as they are written (and dropped after); items hold no LazyArray. */
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

/**
 * `JSON.stringify(value, null, 2)` with every line after the first indented by `indent` (an even number of spaces):
 * the value is stringified inside as many arrays as it is indented, and the arrays cut off again, so the indenting is
 * done by the native code.
 */
function whole(value: unknown, indent: string): string {
    if (value === undefined || typeof value === "function") {
        return "null";
    }
    let wrapped = value;
    for (let i = 0; i < indent.length; i += 2) {
        wrapped = [wrapped];
    }
    const text = JSON.stringify(wrapped, null, 2);
    if (indent === "" || typeof value !== "object" || value === null) {
        return indent === "" ? text : JSON.stringify(value);
    }
    // `[\n  [\n    <value>\n  ]\n]`: every array adds a line `[` before and `]` after the value.
    let start = 0;
    let end = text.length;
    for (let i = 0; i < indent.length; i += 2) {
        start = text.indexOf("\n", start) + 1;
        end = text.lastIndexOf("\n", end - 1);
    }
    return text.slice(start + indent.length, end);
}

/** Whether a value holds a LazyArray within a few levels (only such values are written in pieces). */
function streams(value: unknown, depth = 0): boolean {
    if (value instanceof LazyArray) {
        return true;
    }
    if (depth >= 3 || typeof value !== "object" || value === null) {
        return false;
    }
    return Object.values(value).some((v) => streams(v, depth + 1));
}

/**
 * Pieces whose concatenation is `JSON.stringify(value, null, 2)` for plain data (objects, arrays, primitives): the
 * objects and arrays on the way to a LazyArray piece by piece, each item of a LazyArray and everything else whole.
 */
export function* prettyJson(value: unknown, indent = ""): Generator<string, void, undefined> {
    if (!streams(value)) {
        yield whole(value, indent);
        return;
    }
    const inner = `${indent}  `;
    if (value instanceof LazyArray || Array.isArray(value)) {
        const list = value as LazyArray<unknown, unknown> | unknown[];
        if (list.length === 0) {
            yield "[]";
            return;
        }
        yield "[";
        for (let i = 0; i < list.length; i++) {
            const item = list instanceof LazyArray ? list.at(i) : list[i];
            const value = item === undefined || typeof item === "function" ? null : item;
            if (list instanceof LazyArray) {
                // The common case, hundreds of thousands of times: one piece per item.
                yield `${i > 0 ? "," : ""}\n${inner}${whole(value, inner)}`;
            } else {
                yield `${i > 0 ? "," : ""}\n${inner}`;
                yield* prettyJson(value, inner);
            }
        }
        yield `\n${indent}]`;
        return;
    }
    const entries = Object.entries(value as Record<string, unknown>).filter(
        ([, v]) => v !== undefined && typeof v !== "function",
    );
    yield "{";
    for (const [i, [key, v]] of entries.entries()) {
        yield `${i > 0 ? "," : ""}\n${inner}${JSON.stringify(key)}: `;
        yield* prettyJson(v, inner);
    }
    yield entries.length > 0 ? `\n${indent}}` : "}";
}
