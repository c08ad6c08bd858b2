// One description of each configuration option gives three things: the JSON Schema the engine
// validates `--policy-pack-config` against, the parsed and typed value a policy reads, and the
// TypeScript type of the option for the composable API.
//
// The engine validates only the types of top-level properties and cannot reject unknown top-level
// keys, so a misspelled key would silently fall back to a default. Options here are parsed strictly:
// every unknown key, at any depth, is an error that names the key and suggests the closest one.

import { closest } from "./suggest";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

export interface Schema<T> {
    /** JSON Schema (draft-07 keywords only: the engine validates with gojsonschema). */
    readonly json: PolicyConfigJSONSchema;
    /** Validates and converts a configuration value; pushes readable errors. */
    parse(value: unknown, path: string, errors: string[]): T;
}

type Infer<S> = S extends Schema<infer T> ? T : never;

interface Common {
    description?: string;
}

function typeName(v: unknown): string {
    return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

export function string(
    opts: Common & { enum?: readonly string[]; pattern?: string; patternHint?: string; minLength?: number } = {},
): Schema<string> {
    const re = opts.pattern !== undefined ? new RegExp(opts.pattern) : undefined;
    return {
        json: {
            type: "string",
            ...(opts.description && { description: opts.description }),
            ...(opts.enum && { enum: [...opts.enum] }),
            ...(opts.pattern !== undefined && { pattern: opts.pattern }),
            ...(opts.minLength !== undefined && { minLength: opts.minLength }),
        },
        parse(value, path, errors) {
            if (typeof value !== "string") {
                errors.push(`${path} must be a string, not ${typeName(value)}`);
                return "";
            }
            if (opts.enum && !opts.enum.includes(value)) {
                errors.push(
                    `${path} must be one of ${opts.enum.map((e) => JSON.stringify(e)).join(", ")}, not ` +
                        `${JSON.stringify(value)}`,
                );
            } else if (re && !re.test(value)) {
                errors.push(
                    `${path} ${JSON.stringify(value)} is not valid: ` +
                        `${opts.patternHint ?? `it must match ${opts.pattern}`}`,
                );
            } else if (opts.minLength !== undefined && value.length < opts.minLength) {
                errors.push(`${path} must not be empty`);
            }
            return value;
        },
    };
}

export function boolean(opts: Common = {}): Schema<boolean> {
    return {
        json: { type: "boolean", ...(opts.description && { description: opts.description }) },
        parse(value, path, errors) {
            if (typeof value !== "boolean") {
                errors.push(`${path} must be true or false, not ${typeName(value)}`);
                return false;
            }
            return value;
        },
    };
}

export function integer(opts: Common & { minimum?: number; maximum?: number } = {}): Schema<number> {
    return {
        json: {
            type: "integer",
            ...(opts.description && { description: opts.description }),
            ...(opts.minimum !== undefined && { minimum: opts.minimum }),
            ...(opts.maximum !== undefined && { maximum: opts.maximum }),
        },
        parse(value, path, errors) {
            if (typeof value !== "number" || !Number.isInteger(value)) {
                errors.push(`${path} must be an integer, not ${typeName(value)}`);
                return 0;
            }
            if (
                (opts.minimum !== undefined && value < opts.minimum) ||
                (opts.maximum !== undefined && value > opts.maximum)
            ) {
                const range = `${opts.minimum ?? "-∞"} and ${opts.maximum ?? "∞"}`;
                errors.push(`${path} must be between ${range}, not ${value}`);
            }
            return value;
        },
    };
}

export function array<T>(item: Schema<T>, opts: Common & { maxItems?: number } = {}): Schema<T[]> {
    return {
        json: {
            type: "array",
            items: item.json,
            ...(opts.description && { description: opts.description }),
            ...(opts.maxItems !== undefined && { maxItems: opts.maxItems }),
        },
        parse(value, path, errors) {
            if (!Array.isArray(value)) {
                errors.push(`${path} must be an array, not ${typeName(value)}`);
                return [];
            }
            return value.map((v, i) => item.parse(v, `${path}[${i}]`, errors));
        },
    };
}

/** An object with arbitrary keys and values of one schema (e.g. a label selector). */
export function record<T>(value: Schema<T>, opts: Common = {}): Schema<Record<string, T>> {
    return {
        json: {
            type: "object",
            additionalProperties: value.json,
            ...(opts.description && { description: opts.description }),
        },
        parse(v, path, errors) {
            if (typeof v !== "object" || v === null || Array.isArray(v)) {
                errors.push(`${path} must be an object, not ${typeName(v)}`);
                return {};
            }
            const out: Record<string, T> = {};
            for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
                out[k] = value.parse(item, `${path}.${k}`, errors);
            }
            return out;
        },
    };
}

/**
 * An optional feature: `false` (off), `true` (on, with its default settings) or its settings (on).
 * The value a policy reads is the same three-way choice.
 */
export function feature<T>(settings: Schema<T>, opts: Common = {}): Schema<boolean | T> {
    return {
        // `properties` and `additionalProperties` apply to objects only, so one schema serves both forms.
        json: {
            ...settings.json,
            type: ["boolean", "object"],
            ...(opts.description && { description: opts.description }),
        },
        parse(value, path, errors) {
            if (typeof value === "boolean") {
                return value;
            }
            if (typeof value !== "object" || value === null || Array.isArray(value)) {
                errors.push(`${path} must be true, false or an object of settings, not ${typeName(value)}`);
                return false;
            }
            return settings.parse(value, path, errors);
        },
    };
}

/** Adds a check beyond what JSON Schema expresses (reported like any other configuration error). */
export function refine<T>(schema: Schema<T>, check: (value: T, path: string, errors: string[]) => void): Schema<T> {
    return {
        json: schema.json,
        parse(value, path, errors) {
            const before = errors.length;
            const parsed = schema.parse(value, path, errors);
            if (errors.length === before) {
                check(parsed, path, errors);
            }
            return parsed;
        },
    };
}

type Props = Record<string, Schema<unknown>>;
// Without required keys the type is the optional part alone: intersected with `{}` it would also
// accept strings and numbers.
type Optional<P extends Props, R extends keyof P> = { [K in Exclude<keyof P, R>]?: Infer<P[K]> };
type ObjectOf<P extends Props, R extends keyof P> = [R] extends [never]
    ? Optional<P, R>
    : { [K in R]: Infer<P[K]> } & Optional<P, R>;

export function object<P extends Props, R extends keyof P & string = never>(
    props: P,
    opts: Common & { required?: readonly R[] } = {},
): Schema<ObjectOf<P, R>> {
    const required = opts.required ?? [];
    return {
        json: {
            type: "object",
            properties: Object.fromEntries(Object.entries(props).map(([k, s]) => [k, s.json])),
            additionalProperties: false,
            ...(required.length > 0 && { required: [...required] }),
            ...(opts.description && { description: opts.description }),
        },
        parse(value, path, errors) {
            if (typeof value !== "object" || value === null || Array.isArray(value)) {
                errors.push(`${path} must be an object, not ${typeName(value)}`);
                return {} as ObjectOf<P, R>;
            }
            const v = value as Record<string, unknown>;
            const out: Record<string, unknown> = {};
            for (const key of Object.keys(v)) {
                const s = props[key];
                if (!s) {
                    errors.push(unknownKey(`${path}.${key}`, key, Object.keys(props)));
                    continue;
                }
                out[key] = s.parse(v[key], `${path}.${key}`, errors);
            }
            for (const key of required) {
                if (!(key in v)) {
                    errors.push(`${path}.${key} is required`);
                }
            }
            return out as ObjectOf<P, R>;
        },
    };
}

/**
 * Message for an unknown key, with the closest known key as a suggestion. `listing` introduces the
 * list of known keys (e.g. "is not a policy of this pack (policies: ").
 */
export function unknownKey(
    path: string,
    key: string,
    known: readonly string[],
    listing = "is not a known option (known: ",
): string {
    const suggestion = closest(key, known);
    const hint = suggestion ? ` Did you mean "${suggestion}"?` : "";
    return `${path} ${listing}${known.length ? known.join(", ") : "none"}).${hint}`;
}

/** A top-level policy option: a schema with the default the engine fills in. */
export interface Option<T> {
    readonly schema: Schema<T>;
    readonly default: T;
}

export function option<T>(schema: Schema<T>, defaultValue: T): Option<T> {
    return { schema, default: defaultValue };
}

export type OptionsSpec = Record<string, Option<unknown>>;
export type OptionValues<O extends OptionsSpec> = { [K in keyof O]: O[K] extends Option<infer T> ? T : never };
/** What a user may write in configuration: every option optional. */
export type OptionInputs<O extends OptionsSpec> = { [K in keyof O]?: O[K] extends Option<infer T> ? T : never };

/** The `configSchema` of a policy: top-level properties with their defaults. */
export function configSchemaOf(options: OptionsSpec): { properties: Record<string, PolicyConfigJSONSchema> } {
    const properties: Record<string, PolicyConfigJSONSchema> = {};
    for (const [key, opt] of Object.entries(options)) {
        properties[key] = { ...opt.schema.json, default: opt.default as PolicyConfigJSONSchema["default"] };
    }
    return { properties };
}

/** Error thrown when a policy's configuration is invalid; names the policy and every bad key. */
export class ConfigError extends Error {
    constructor(
        readonly policy: string,
        readonly problems: readonly string[],
    ) {
        super(`invalid configuration for policy "${policy}": ${problems.join("; ")}`);
        this.name = "ConfigError";
        // A user's mistake, not a bug: where it is reported (the engine prints an error's stack), no
        // JavaScript stack trace follows the message.
        this.stack = `${this.name}: ${this.message}`;
    }
}

/** Parses a policy's configuration (as `args.getConfig()` returns it), applying defaults. */
export function parseOptions<O extends OptionsSpec>(
    policy: string,
    options: O,
    config: Record<string, unknown>,
): OptionValues<O> {
    const errors: string[] = [];
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(config)) {
        if (key === "enforcementLevel") {
            continue;
        }
        const opt = options[key];
        if (!opt) {
            // enforcementLevel is set next to the options in the same object: a typo of it is suggested too.
            errors.push(unknownKey(key, key, [...Object.keys(options), "enforcementLevel"]));
            continue;
        }
        out[key] = opt.schema.parse(config[key], key, errors);
    }
    for (const [key, opt] of Object.entries(options)) {
        if (!(key in out)) {
            out[key] = opt.default;
        }
    }
    if (errors.length > 0) {
        throw new ConfigError(policy, errors);
    }
    return out as OptionValues<O>;
}
