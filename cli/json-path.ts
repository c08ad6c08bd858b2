// JSON paths as findings print them (`spec.containers[0].securityContext["x.y"]`, see src/sdk/secrets.ts
// joinPath): parsing them back into keys and indexes, and finding the path a finding's message names,
// so a report can point at the offending field in the source file.

/** One step of a JSON path: an object key or an array index. */
export type PathSegment = string | number;

const IDENTIFIER = /[A-Za-z_$][\w$]*/y;
const INDEX = /\[(\d+)\]/y;

/**
 * Paths parsed already: a scan's tens of thousands of findings name a few hundred distinct paths, each parsed twice
 * (to find it in the message, then to place it). Bounded, as paths hold keys from the input.
 */
const parsed = new Map<string, readonly PathSegment[] | undefined>();
const MAX_PARSED = 4096;

/** Parses a JSON path; undefined when the text is not one (e.g. prose that happens to be in parentheses). */
export function parseJsonPath(text: string): readonly PathSegment[] | undefined {
    if (parsed.has(text)) {
        return parsed.get(text);
    }
    const segments = parse(text);
    if (parsed.size < MAX_PARSED) {
        parsed.set(text, segments && Object.freeze(segments));
    }
    return segments;
}

function parse(text: string): PathSegment[] | undefined {
    const out: PathSegment[] = [];
    let i = 0;
    while (i < text.length) {
        if (text.startsWith('["', i)) {
            const end = quotedKeyEnd(text, i + 1);
            if (end < 0 || text[end + 1] !== "]") {
                return undefined;
            }
            try {
                out.push(JSON.parse(text.slice(i + 1, end + 1)) as string);
            } catch {
                return undefined;
            }
            i = end + 2;
        } else if (text[i] === "[") {
            INDEX.lastIndex = i;
            const m = INDEX.exec(text);
            if (!m) {
                return undefined;
            }
            out.push(Number(m[1]));
            i += m[0].length;
        } else {
            // A plain key: bare at the start, after a dot elsewhere.
            const start = out.length === 0 ? i : text[i] === "." ? i + 1 : -1;
            IDENTIFIER.lastIndex = start;
            const m = start < 0 ? null : IDENTIFIER.exec(text);
            if (!m) {
                return undefined;
            }
            out.push(m[0]);
            i = start + m[0].length;
        }
    }
    return out.length > 0 ? out : undefined;
}

/** Index of the closing quote of the JSON string starting at `start` (a `"`), or -1. */
function quotedKeyEnd(text: string, start: number): number {
    for (let i = start + 1; i < text.length; i++) {
        if (text[i] === "\\") {
            i++;
        } else if (text[i] === '"') {
            return i;
        }
    }
    return -1;
}

const FIX_MARKER = ". Fix: ";
const UNKNOWN_MARKER = " is not known during preview";

/**
 * The JSON path a finding's message names: `<where>: <problem> (<path>). Fix: <fix>` for violations,
 * `<where>: <path> is not known during preview...` for unknown values. Undefined when there is none.
 */
export function jsonPathInMessage(message: string): string | undefined {
    const fix = message.lastIndexOf(FIX_MARKER);
    if (fix > 0 && message[fix - 1] === ")") {
        // The path is the last parenthesised group before the fix; the problem text may hold others.
        for (
            let open = message.lastIndexOf("(", fix - 1);
            open >= 0;
            open = open > 0 ? message.lastIndexOf("(", open - 1) : -1
        ) {
            const candidate = message.slice(open + 1, fix - 1);
            if (parseJsonPath(candidate)) {
                return candidate;
            }
        }
    }
    const unknown = message.indexOf(UNKNOWN_MARKER);
    if (unknown > 0) {
        for (
            let colon = message.lastIndexOf(": ", unknown);
            colon >= 0;
            colon = colon > 0 ? message.lastIndexOf(": ", colon - 1) : -1
        ) {
            const candidate = message.slice(colon + 2, unknown);
            if (parseJsonPath(candidate)) {
                return candidate;
            }
        }
    }
    return undefined;
}
