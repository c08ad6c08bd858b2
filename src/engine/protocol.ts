// How resource properties travel from the engine to a policy pack: a protobuf Struct in which values
// unknown during preview are sentinel strings and secrets are signature-tagged objects. The test kit
// and the gRPC client both encode props this way, so policies see exactly what the engine sends.

import type { EnforcementLevel, Severity } from "@pulumi/policy";
import { type JavaScriptValue, Struct } from "google-protobuf/google/protobuf/struct_pb";
import { ENCRYPTED_SECRET } from "../sdk/secrets";

/** The sentinel the engine sends for any value that is unknown during preview (whatever its type). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * A value unknown during preview, e.g. an image built in the same program. Put it anywhere in test
 * props: `{ image: unknown }` (typed `never`, so it fits any field without turning checks off).
 */
export const unknown: never = UNKNOWN as never;

/**
 * Marks a value as a Pulumi secret, as the engine sends it (policies see the plain value). Typed
 * `never`, so it fits any field of typed props.
 */
export function secret(value: unknown): never {
    return { [SPECIAL_SIG_KEY]: SECRET_SIG, value } as never;
}

/**
 * A secret whose value is not available (a stack export stores it encrypted): policies cannot judge
 * it and say so. Typed `never`, like `secret`.
 */
export const encryptedSecret: never = secret(ENCRYPTED_SECRET);

/** Drops `undefined` (absent in the protocol) and keeps everything else JSON-shaped. */
export function toWire(value: unknown): unknown {
    if (value === undefined || value === null || typeof value !== "object") {
        return value;
    }
    if (Array.isArray(value)) {
        return value.map((v) => (v === undefined ? null : toWire(v)));
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v !== undefined) {
            // defineProperty keeps keys such as "__proto__" as plain data, as JSON parsing does.
            Object.defineProperty(out, k, { value: toWire(v), enumerable: true, writable: true, configurable: true });
        }
    }
    return out;
}

/** Encodes props as the protobuf Struct the engine sends. */
export function toStruct(props: Record<string, unknown>): { toJavaScript(): Record<string, unknown> } {
    return Struct.fromJavaScript(toWire(props) as Record<string, JavaScriptValue>);
}

/** A diagnostic as the engine receives it from a policy pack. */
export interface PolicyViolation {
    readonly policyName: string;
    readonly policyPackName: string;
    readonly policyPackVersion: string;
    readonly description: string;
    readonly message: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly severity?: Severity;
    readonly urn?: string;
}

/** A policy that declared itself not applicable to a resource. */
export interface NotApplicable {
    readonly policyName: string;
    readonly reason: string;
}

export interface AnalyzeResult {
    readonly violations: PolicyViolation[];
    readonly notApplicable: NotApplicable[];
}
