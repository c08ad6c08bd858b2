// Conditions on an attestation's predicate, written by users in `image-provenance` requirements.
//
// Three named conditions cover what SLSA provenance is usually checked for (the builder, the build
// type and the source repository), read from SLSA v1 or v0.2 field names as the predicate type
// says; `fields` checks any value of any predicate by path. Every condition must hold. A value
// pattern is a glob: `*` matches within one `/`-separated segment, `**` across segments, and a
// pattern without stars must match exactly.

import { globMatch } from "./glob";
import { type PredicateTypeMatcher } from "./predicate-types";
import { anchoredRegExp, errorText, typeName, unknownFields } from "./config-util";

type Scalar = string | number | boolean;

interface Check {
    /** Why the predicate does not meet the condition, or undefined when it does. */
    readonly failure: (predicate: unknown) => string | undefined;
}

export interface CompiledConditions {
    /** The conditions' meaning, for the requirement's identity hash. */
    readonly identity: unknown;
    readonly checks: readonly Check[];
}

const CONDITION_FIELDS = ["builderId", "buildType", "sourceRepository", "fields"] as const;
const FIELD_CHECK_FIELDS = ["path", "equals", "oneOf", "matches"] as const;
const MAX_PATTERNS = 100;

/** Reads a value by a path of keys and indexes, never throwing and never reading inherited properties. */
export function valueAt(root: unknown, keys: readonly (string | number)[]): unknown {
    let v = root;
    for (const key of keys) {
        if (typeof key === "number") {
            if (!Array.isArray(v) || key >= v.length) {
                return undefined;
            }
            v = v[key];
        } else {
            if (
                typeof v !== "object" ||
                v === null ||
                Array.isArray(v) ||
                !Object.prototype.hasOwnProperty.call(v, key)
            ) {
                return undefined;
            }
            v = (v as Record<string, unknown>)[key];
        }
    }
    return v;
}

/** Parses `a.b[0].c` into keys; undefined when it is not such a path. */
export function parseFieldPath(text: string): (string | number)[] | undefined {
    const keys: (string | number)[] = [];
    const re = /([^.[\]]+)|\[(\d+)\]|(\.)/gy;
    let expectKey = true;
    let m: RegExpExecArray | null;
    let consumed = 0;
    while ((m = re.exec(text)) !== null) {
        consumed = re.lastIndex;
        if (m[1] !== undefined) {
            if (!expectKey) {
                return undefined;
            }
            keys.push(m[1]);
            expectKey = false;
        } else if (m[2] !== undefined) {
            if (expectKey && keys.length === 0) {
                return undefined;
            }
            keys.push(Number(m[2]));
            expectKey = false;
        } else {
            if (expectKey) {
                return undefined;
            }
            expectKey = true;
        }
    }
    return consumed === text.length && text.length > 0 && !expectKey ? keys : undefined;
}

/**
 * A source repository as a comparable name: `git+https://github.com/Acme/App.git@refs/heads/main`
 * becomes `github.com/acme/app` (scheme, `git+`, user, ref and `.git` removed, lowercased).
 */
export function normalizeRepository(uri: string): string {
    let s = uri.trim();
    s = s.replace(/^git\+/, "");
    s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
    s = s.replace(/^[^@/]+@(?=[^/]*[:/])/, ""); // user@host
    const at = s.indexOf("@");
    if (at >= 0) {
        s = s.slice(0, at); // @refs/heads/main, @<commit>
    }
    s = s.replace(/[?#].*$/, "");
    s = s.replace(/^([^/:]+):(?!\d)/, "$1/"); // scp-like git@github.com:acme/app
    s = s.replace(/\.git$/, "").replace(/\/+$/, "");
    return s.toLowerCase();
}

function patternList(raw: unknown, path: string, errors: string[]): string[] | undefined {
    const list = typeof raw === "string" ? [raw] : raw;
    if (
        !Array.isArray(list) ||
        list.length === 0 ||
        list.length > MAX_PATTERNS ||
        !list.every((p) => typeof p === "string" && p !== "")
    ) {
        errors.push(
            `${path} must be a non-empty string or a list of up to ${MAX_PATTERNS} non-empty strings (globs: "*" ` +
                `within a segment, "**" across)`,
        );
        return undefined;
    }
    return list as string[];
}

function shown(v: unknown): string {
    if (v === undefined) {
        return "missing";
    }
    try {
        const text = JSON.stringify(v) ?? typeof v;
        return text.length > 120 ? `${text.slice(0, 120)}…` : text;
    } catch {
        return typeName(v);
    }
}

function anyOf(patterns: readonly string[]): string {
    return patterns.length === 1
        ? JSON.stringify(patterns[0])
        : `one of ${patterns.map((p) => JSON.stringify(p)).join(", ")}`;
}

/** Where SLSA provenance keeps each named value, by version. */
const SLSA_PATHS = {
    "slsa-v1": {
        builderId: [["runDetails", "builder", "id"]],
        buildType: [["buildDefinition", "buildType"]],
        // GitHub's workflow build type names the repository; otherwise the first resolved dependency is the source.
        sourceRepository: [
            ["buildDefinition", "externalParameters", "workflow", "repository"],
            ["buildDefinition", "resolvedDependencies", 0, "uri"],
        ],
    },
    "slsa-v0.2": {
        builderId: [["builder", "id"]],
        buildType: [["buildType"]],
        sourceRepository: [
            ["invocation", "configSource", "uri"],
            ["materials", 0, "uri"],
        ],
    },
} as const;

type SlsaKey = "builderId" | "buildType" | "sourceRepository";

const LABELS: Record<SlsaKey, string> = {
    builderId: "builder id",
    buildType: "build type",
    sourceRepository: "source repository",
};

function slsaValue(
    predicate: unknown,
    paths: readonly (readonly (string | number)[])[],
): { value: unknown; path: string } {
    for (const p of paths) {
        const v = valueAt(predicate, p);
        if (v !== undefined) {
            return {
                value: v,
                path: p
                    .map((k) => (typeof k === "number" ? `[${k}]` : k))
                    .join(".")
                    .replace(/\.\[/g, "["),
            };
        }
    }
    return { value: undefined, path: paths.map((p) => p.join(".")).join(" or ") };
}

/**
 * Compiles `conditions`; pushes errors and returns undefined when they do not compile. An absent
 * `conditions` compiles to none (the attestation only has to exist, signed and bound to the image).
 */
export function compileConditions(
    raw: unknown,
    path: string,
    predicateType: PredicateTypeMatcher | undefined,
    errors: string[],
): CompiledConditions | undefined {
    if (raw === undefined) {
        return { identity: null, checks: [] };
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        errors.push(`${path} must be an object with ${CONDITION_FIELDS.join(", ")}, not ${typeName(raw)}`);
        return undefined;
    }
    const obj = raw as Record<string, unknown>;
    const before = errors.length;
    unknownFields(obj, CONDITION_FIELDS, path, errors);
    const checks: Check[] = [];
    const identity: unknown[] = [];
    const family = predicateType?.family;
    for (const key of ["builderId", "buildType", "sourceRepository"] as const) {
        const value = Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
        if (value === undefined) {
            continue;
        }
        if (family !== undefined && family !== "slsa-v1" && family !== "slsa-v0.2") {
            errors.push(
                `${path}.${key} applies to SLSA provenance only (predicateType "https://slsa.dev/provenance/v1" or ` +
                    `v0.2); use "fields" for other predicates`,
            );
            continue;
        }
        const patterns = patternList(value, `${path}.${key}`, errors);
        if (!patterns || family === undefined) {
            continue;
        }
        const paths = SLSA_PATHS[family][key];
        const normalize = key === "sourceRepository" ? normalizeRepository : (s: string) => s;
        const normalizedPatterns = patterns.map(normalize);
        identity.push([key, normalizedPatterns]);
        checks.push({
            failure(predicate) {
                const found = slsaValue(predicate, paths);
                if (typeof found.value !== "string") {
                    return `its ${LABELS[key]} (${found.path}) is ${shown(found.value)}, expected ${anyOf(patterns)}`;
                }
                const actual = normalize(found.value);
                return normalizedPatterns.some((p) => globMatch(p, actual))
                    ? undefined
                    : `its ${LABELS[key]} is ${JSON.stringify(found.value)}, expected ${anyOf(patterns)}`;
            },
        });
    }
    const fields = Object.prototype.hasOwnProperty.call(obj, "fields") ? obj.fields : undefined;
    if (fields !== undefined) {
        if (!Array.isArray(fields) || fields.length > MAX_PATTERNS) {
            errors.push(
                `${path}.fields must be a list of up to ${MAX_PATTERNS} checks ({path, equals | oneOf | matches})`,
            );
        } else {
            fields.forEach((f: unknown, i) => {
                const at = `${path}.fields[${i}]`;
                const check = compileFieldCheck(f, at, errors);
                if (check) {
                    checks.push(check.check);
                    identity.push(check.identity);
                }
            });
        }
    }
    return errors.length > before ? undefined : { identity, checks };
}

function isScalar(v: unknown): v is Scalar {
    return typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
}

function compileFieldCheck(
    raw: unknown,
    at: string,
    errors: string[],
): { check: Check; identity: unknown } | undefined {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        errors.push(`${at} must be an object {path, equals | oneOf | matches}, not ${typeName(raw)}`);
        return undefined;
    }
    const obj = raw as Record<string, unknown>;
    const before = errors.length;
    unknownFields(obj, FIELD_CHECK_FIELDS, at, errors);
    const pathText = obj.path;
    const keys = typeof pathText === "string" ? parseFieldPath(pathText) : undefined;
    if (!keys) {
        errors.push(
            `${at}.path must be a path into the predicate such as "buildDefinition.externalParameters.workflow.ref" ` +
                `or "materials[0].uri", not ${shown(pathText)}`,
        );
    }
    const operators = (["equals", "oneOf", "matches"] as const).filter((k) =>
        Object.prototype.hasOwnProperty.call(obj, k),
    );
    if (operators.length !== 1) {
        errors.push(
            `${at} needs exactly one of "equals", "oneOf" or ` +
                `"matches"${operators.length > 1 ? `, not ${operators.join(" and ")}` : ""}`,
        );
        return undefined;
    }
    const op = operators[0];
    const expected = obj[op];
    let test: ((v: unknown) => boolean) | undefined;
    let describe = "";
    if (op === "equals") {
        if (!isScalar(expected)) {
            errors.push(`${at}.equals must be a string, number or boolean, not ${typeName(expected)}`);
        } else {
            test = (v) => v === expected;
            describe = JSON.stringify(expected);
        }
    } else if (op === "oneOf") {
        if (!Array.isArray(expected) || expected.length === 0 || !expected.every(isScalar)) {
            errors.push(`${at}.oneOf must be a non-empty list of strings, numbers or booleans`);
        } else {
            test = (v) => expected.some((e) => e === v);
            describe = `one of ${expected.map((e) => JSON.stringify(e)).join(", ")}`;
        }
    } else {
        const re = anchoredRegExp(expected);
        if (typeof re === "string") {
            errors.push(`${at}.matches ${re}`);
        } else {
            test = (v) => typeof v === "string" && re.test(v);
            describe = `a string matching /^(?:${expected as string})$/`;
        }
    }
    if (errors.length > before || !test || !keys) {
        return undefined;
    }
    const check = test;
    return {
        identity: ["field", keys, op, expected],
        check: {
            failure(predicate) {
                const v = valueAt(predicate, keys);
                return check(v) ? undefined : `${pathText as string} is ${shown(v)}, expected ${describe}`;
            },
        },
    };
}

/** The reasons a predicate does not meet the conditions (empty when it meets them all). */
export function conditionFailures(conditions: CompiledConditions, predicate: unknown): string[] {
    const out: string[] = [];
    for (const c of conditions.checks) {
        try {
            const f = c.failure(predicate);
            if (f !== undefined) {
                out.push(f);
            }
        } catch (err) {
            out.push(`a condition could not be evaluated (${errorText(err)})`);
        }
    }
    return out;
}
