// The types an API gives the fields policies read, and how the side that receives a resource reads
// a value of the wrong type.
//
// A program written in JavaScript, or TypeScript with a cast, can send `privileged: "true"` or
// `capabilities.add: "SYS_ADMIN"`. Read naively, those are "not set" and pass. What really happens
// depends on the receiver: the Kubernetes API server decodes objects strictly and rejects every
// wrongly typed field; the Docker provider is bridged from Terraform, whose type conversion (go-cty)
// turns the strings "true"/"1" and "false"/"0" into booleans, decimal strings into numbers, and
// numbers and booleans into strings, and rejects the rest. A typed read therefore judges:
//
// - a value the receiver converts, as converted (the finding says so);
// - a boolean or integer of the wrong type, as its unsafe value, declared per field (a wrongly typed
//   `privileged` as true, a wrongly typed `readOnlyRootFilesystem` as false), with a finding that
//   says why;
// - a scalar or an object where a list belongs, as a one-element list (or, for a list that must
//   contain something, such as dropped capabilities, as an empty list); a one-element list where an
//   object belongs, as that object;
// - anything else (an object where a string belongs, a string where an object belongs) as a value
//   the check cannot judge, which is itself a finding.
//
// The tables of typed fields live with the models that know them (the Kubernetes pod spec, the
// Docker container); fields outside them are read as before.

/** Who reads the resource: the Kubernetes API server, or the Docker provider (Terraform's conversions). */
export type Receiver = "kubernetes" | "docker";

interface Common {
    readonly receiver: Receiver;
}

export type ApiType =
    | (Common & {
          readonly kind: "boolean";
          /** What a value of the wrong type is judged as: the setting that is less safe for the checks that read it. */
          readonly unsafe: boolean;
      })
    | (Common & {
          readonly kind: "integer";
          /** What a value of the wrong type is judged as; without one it cannot be judged. */
          readonly unsafe?: number;
      })
    | (Common & { readonly kind: "string" })
    | (Common & {
          readonly kind: "list";
          readonly items: ApiType;
          /**
           * How a scalar or object given for the list is judged: as a one-element list (a list whose
           * entries are each judged, such as added capabilities), or as an empty list (a list that must
           * contain something, such as dropped capabilities).
           */
          readonly scalarAs: "one-element list" | "empty list";
      })
    | (Common & { readonly kind: "object"; readonly fields: Readonly<Record<string, ApiType>> })
    | (Common & { readonly kind: "map"; readonly values: ApiType });

/** Builders for one receiver's types. */
export function apiTypes(receiver: Receiver) {
    return {
        bool: (unsafe: boolean): ApiType => ({ kind: "boolean", unsafe, receiver }),
        int: (unsafe?: number): ApiType => ({ kind: "integer", ...(unsafe !== undefined && { unsafe }), receiver }),
        str: (): ApiType => ({ kind: "string", receiver }),
        list: (items: ApiType, scalarAs: "one-element list" | "empty list" = "one-element list"): ApiType => ({
            kind: "list",
            items,
            scalarAs,
            receiver,
        }),
        object: (fields: Record<string, ApiType> = {}): ApiType => ({ kind: "object", fields, receiver }),
        map: (values: ApiType): ApiType => ({ kind: "map", values, receiver }),
    };
}

/** The child type of a field of an object (or a value of a map), if known. */
export function childType(type: ApiType | undefined, key: string): ApiType | undefined {
    if (type?.kind === "object") {
        return Object.prototype.hasOwnProperty.call(type.fields, key) ? type.fields[key] : undefined;
    }
    return type?.kind === "map" ? type.values : undefined;
}

/** What the receiver does with a value of the wrong type, in a message. */
export function receiverRejects(receiver: Receiver): string {
    return receiver === "kubernetes" ? "the Kubernetes API rejects it" : "the Docker provider rejects it";
}

/** The type as messages name it. */
export function expectedType(type: ApiType): string {
    switch (type.kind) {
        case "boolean":
            return "a boolean";
        case "integer":
            return "an integer";
        case "string":
            return "a string";
        case "list":
            return "a list";
        case "object":
            return "an object";
        case "map":
            return "an object";
    }
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Whether a present value has the type (no conversion). */
export function hasType(value: unknown, type: ApiType): boolean {
    switch (type.kind) {
        case "boolean":
            return typeof value === "boolean";
        case "integer":
            return typeof value === "number" && Number.isInteger(value);
        case "string":
            return typeof value === "string";
        case "list":
            return Array.isArray(value);
        case "object":
        case "map":
            return isObject(value);
    }
}

/** How a value of the wrong type is read. */
export type Reading =
    /** The receiver converts it (the Docker provider); judged as `value`. */
    | { readonly outcome: "converted"; readonly value: unknown }
    /** The receiver rejects it; judged as the field's unsafe value. */
    | { readonly outcome: "unsafe"; readonly value: unknown }
    /** A scalar or object where a list belongs: judged as a one-element list, or as an empty one. */
    | { readonly outcome: "one-element list" }
    | { readonly outcome: "empty list" }
    /** A one-element list where an object belongs: judged as its element. */
    | { readonly outcome: "its element" }
    /** Cannot be judged. */
    | { readonly outcome: "unjudgeable" };

/** Terraform's (go-cty's) conversion of a primitive to the type, or undefined when it has none. */
function terraformConversion(value: unknown, type: ApiType): { value: unknown } | undefined {
    if (type.kind === "boolean" && typeof value === "string") {
        if (value === "true" || value === "1") {
            return { value: true };
        }
        if (value === "false" || value === "0") {
            return { value: false };
        }
    }
    if (type.kind === "integer" && typeof value === "string" && /^[-+]?[0-9]+$/.test(value)) {
        const n = Number(value);
        return Number.isSafeInteger(n) ? { value: n } : undefined;
    }
    if (type.kind === "string" && (typeof value === "number" || typeof value === "boolean")) {
        return Number.isFinite(value) || typeof value === "boolean" ? { value: String(value) } : undefined;
    }
    return undefined;
}

/** How a present value that does not have the type is judged. */
export function readWrongType(value: unknown, type: ApiType): Reading {
    if (type.receiver === "docker") {
        const converted = terraformConversion(value, type);
        if (converted) {
            return { outcome: "converted", value: converted.value };
        }
    }
    switch (type.kind) {
        case "boolean":
            return { outcome: "unsafe", value: type.unsafe };
        case "integer":
            return type.unsafe !== undefined ? { outcome: "unsafe", value: type.unsafe } : { outcome: "unjudgeable" };
        case "list":
            return { outcome: type.scalarAs };
        case "object":
        case "map":
            return Array.isArray(value) && value.length === 1 && isObject(value[0])
                ? { outcome: "its element" }
                : { outcome: "unjudgeable" };
        case "string":
            return { outcome: "unjudgeable" };
    }
}
