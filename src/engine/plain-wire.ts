// The value a policy pack's server decodes from a request, computed without protobuf.
//
// The engine sends props as a protobuf Struct; the policy SDK turns it into plain JavaScript
// (`Struct.toJavaScript()`) and then copies that for each policy. The local engine reproduces the
// first step by encoding to a Struct and decoding it again, which is faithful but costs more than
// judging a large object (a CustomResourceDefinition schema, a dashboard in a ConfigMap). The
// scanner takes this shortcut instead: one pass that yields exactly what the round trip yields —
// object keys in the order google-protobuf's Map gives them (sorted as strings), `undefined`
// dropped from objects and turned into `null` in arrays (as `toWire` does), `__proto__` keys
// dropped (a Struct's field map cannot hold them), and the same error for values a Struct cannot
// hold. tests/engine/plain-wire.spec.ts compares the two on fuzzed values and both engine paths'
// findings on the bundled fixtures.

import { isUnknownSentinel } from "../sdk/policy-sdk";

/** The message google-protobuf's `Value.fromJavaScript` throws for a value a Struct cannot hold. */
const UNEXPECTED = "Unexpected struct type.";

/** The key under which the engine marks secrets, assets and archives (the SDK's `specialSigKey`). */
const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";

/** Nesting beyond which the copy stops (the protobuf encoder has no limit of its own; inputs are bounded earlier). */
const MAX_DEPTH = 10_000;

function isPlainObject(v: object): boolean {
    // goog.typeOf calls anything that is not an array an object, whatever its prototype.
    return !Array.isArray(v);
}

interface Walk {
    /** Some object carries the engine's signature key: only the SDK's deserializer knows what it means. */
    signatures: boolean;
    /** Some string is one of the engine's sentinels for a value unknown during preview. */
    unknowns: boolean;
    /** Freeze every object and array as it is made (a value every policy of a request shares). */
    readonly freeze: boolean;
}

function wireValue(value: unknown, depth: number, walk: Walk): unknown {
    switch (typeof value) {
        case "string":
            if (isUnknownSentinel(value)) {
                walk.unknowns = true;
            }
            return value;
        case "number":
        case "boolean":
            return value;
        case "object":
            break;
        default:
            throw new Error(UNEXPECTED);
    }
    if (value === null) {
        return null;
    }
    if (depth > MAX_DEPTH) {
        throw new RangeError("Maximum call stack size exceeded");
    }
    if (!isPlainObject(value)) {
        const list = value as unknown[];
        const out = new Array<unknown>(list.length);
        for (let i = 0; i < list.length; i++) {
            if (!(i in list)) {
                throw new Error(UNEXPECTED); // a hole: toWire's map keeps it, and the Struct encoder rejects it
            }
            const item = list[i];
            out[i] = item === undefined ? null : wireValue(item, depth + 1, walk);
        }
        return walk.freeze ? Object.freeze(out) : out;
    }
    return wireObject(value as Record<string, unknown>, depth, walk);
}

/** Whether a key is copied: toWire drops undefined values, and a Struct's field map cannot hold `__proto__`. */
function kept(obj: Record<string, unknown>, key: string): boolean {
    return key !== "__proto__" && obj[key] !== undefined;
}

/**
 * The keys in the Struct's order (sorted as strings), sorted in place when none is dropped: the filtered copies and
 * the sort's own work arrays of every object were about 7 % of what the scanner allocated. Objects are mostly small,
 * and often sorted already (`apiVersion`, `kind`, `metadata`, `spec`); `<` orders distinct strings as `sort()` does.
 */
function structOrder(obj: Record<string, unknown>, keys: string[]): string[] {
    for (const key of keys) {
        if (!kept(obj, key)) {
            return keys.filter((k) => kept(obj, k)).sort();
        }
    }
    if (keys.length > 16) {
        return keys.sort();
    }
    for (let i = 1; i < keys.length; i++) {
        const key = keys[i];
        let j = i - 1;
        while (j >= 0 && key < keys[j]) {
            keys[j + 1] = keys[j];
            j--;
        }
        keys[j + 1] = key;
    }
    return keys;
}

function wireObject(obj: Record<string, unknown>, depth: number, walk: Walk): Record<string, unknown> {
    // Own enumerable string keys, as toWire copies them; sorted, as the Struct's field map lists them.
    const keys = structOrder(obj, Object.keys(obj));
    const out: Record<string, unknown> = {};
    for (const key of keys) {
        out[key] = wireValue(obj[key], depth + 1, walk);
    }
    if (out[SPECIAL_SIG_KEY]) {
        walk.signatures = true;
    }
    return walk.freeze ? Object.freeze(out) : out;
}

/**
 * What `Struct.fromJavaScript(toWire(props)).toJavaScript()` returns for `props`: the plain value the policy SDK
 * deserializes for each policy, with Pulumi's secret and unknown markers left as they are.
 */
export function plainWire(props: Record<string, unknown>): Record<string, unknown> {
    return wireObject(props, 0, { signatures: false, unknowns: false, freeze: false });
}

/** The decoded value of a request's props, and whether copying it needs the SDK's deserializer. */
export interface PlainProps {
    readonly value: Record<string, unknown>;
    /** Secrets, assets or archives are marked somewhere in the value. */
    readonly signatures: boolean;
    /** Some value is unknown during preview: only the SDK's proxy reports reading it as the engine does. */
    readonly unknowns: boolean;
}

/**
 * Frozen values plainProps made: handing one back (the scanner keeps a resource's frozen props for the stack policies)
 * costs no second copy.
 */
const frozenValues = new WeakMap<object, PlainProps>();

/**
 * plainWire, noting whether the value carries the engine's signatures or unknown values; `frozen`: the value and
 * everything in it is frozen as it is made, so that policies can share it (a policy that tried to write to it would
 * fail loudly instead of changing what the next policy sees).
 */
export function plainProps(props: Record<string, unknown>, frozen = false): PlainProps {
    const known = frozenValues.get(props);
    if (known) {
        return known; // already in wire form, and nothing can have changed it
    }
    const walk = { signatures: false, unknowns: false, freeze: frozen };
    const value = wireObject(props, 0, walk);
    const result = { value, signatures: walk.signatures, unknowns: walk.unknowns };
    if (frozen) {
        frozenValues.set(value, result);
    }
    return result;
}

function copyValue(v: unknown): unknown {
    if (typeof v !== "object" || v === null) {
        return v;
    }
    if (Array.isArray(v)) {
        const out = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) {
            out[i] = copyValue(v[i]);
        }
        return out;
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v)) {
        out[key] = copyValue((v as Record<string, unknown>)[key]);
    }
    return out;
}

/**
 * A policy's own copy of a decoded value without signatures: what the SDK's `deserializeProperties(value, false)`
 * returns for it (every object and array copied, every other value as it is), without loading the SDK's deserializer,
 * which loads all of @pulumi/pulumi (over a second of the scanner's start-up).
 */
export function copyPlain(value: Record<string, unknown>): Record<string, unknown> {
    return copyValue(value) as Record<string, unknown>;
}
