// Small helpers for reading configuration that may be anything (never throwing on exotic input).

export function typeName(v: unknown): string {
    return v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "object" ? "an object" : `a ${typeof v}`;
}

export function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads an own property; getters that throw and inherited properties read as absent. */
export function own(obj: Record<string, unknown>, key: string): unknown {
    try {
        return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
    } catch {
        return undefined;
    }
}

function ownKeys(obj: Record<string, unknown>): string[] {
    try {
        return Object.keys(obj);
    } catch {
        return [];
    }
}

/** Reports every key that is not allowed (typos must not silently fall back to defaults). */
export function unknownFields(
    obj: Record<string, unknown>,
    allowed: readonly string[],
    path: string,
    errors: string[],
): void {
    for (const key of ownKeys(obj)) {
        if (!allowed.includes(key)) {
            errors.push(
                `${path}: unknown field ${JSON.stringify(key)} (expected ` +
                    `${allowed.map((a) => JSON.stringify(a)).join(", ")})`,
            );
        }
    }
}

const MAX_REGEXP_LENGTH = 1024;

/** Compiles a regular expression anchored at both ends, or says why it does not compile. */
export function anchoredRegExp(source: unknown): RegExp | string {
    if (typeof source !== "string") {
        return `must be a regular expression string, not ${typeName(source)}`;
    }
    if (source === "") {
        return "is empty";
    }
    if (source.length > MAX_REGEXP_LENGTH) {
        return `is ${source.length} characters long (at most ${MAX_REGEXP_LENGTH})`;
    }
    try {
        // The Sigstore library's SAN match is unanchored (String.match): anchoring here means
        // "https://github.com/acme/.*" cannot be satisfied by "https://evil.example/https://github.com/acme/x".
        return new RegExp(`^(?:${source})$`, "u");
    } catch (err) {
        return `is not a valid regular expression (${errorText(err)})`;
    }
}

/** An error's message, whatever was thrown. */
export function errorText(err: unknown): string {
    if (err instanceof Error) {
        return err.message;
    }
    try {
        return String(err);
    } catch {
        return "unknown error";
    }
}
