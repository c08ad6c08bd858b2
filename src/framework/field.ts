// Safe, path-aware reading of resource properties.
//
// During `pulumi preview` the policy SDK hands policies a proxy that throws an UnknownValueError
// on any read of a value that is not known yet. Left alone, that error aborts the whole policy for
// the resource and the SDK downgrades it to one advisory. `Field` catches it per read, so an unknown
// image cannot hide a privileged container in the same pod: each check sees exactly which of the
// fields it needs are unknown and the rest of the pod is still judged.
//
// `Field` also never throws on malformed input: reading a key of a string, number, null or array
// yields an absent field, and `items()` of a non-array yields no items. Where the model knows a
// field's API type (the Kubernetes pod spec, the Docker container), a value of the wrong type is
// read as the receiving side reads it (see api-types.ts), and a child of a wrongly typed object
// remembers it, so a check that reads it learns it cannot be judged instead of seeing "not set".
//
// Every field knows whether its value arrived as a Pulumi secret (the request's secret index is
// attached to the props objects the engine hands over): such values are judged but never shown.

import { isUnknownSentinel, isUnknownValueError } from "../sdk/policy-sdk";
import { sharedPropsBehind } from "../sdk/shared-props";
import { ENCRYPTED_SECRET, type SecretIndex, attachedSecrets, joinPath } from "../sdk/secrets";
import { type ApiType, childType, expectedType, hasType, readWrongType, receiverRejects } from "./api-types";

export { joinPath } from "../sdk/secrets";

/**
 * What `pulumi policy analyze --file` sends for a secret it cannot decrypt. Only a value that
 * arrived as a secret is read this way.
 */
const UNDECRYPTED_SECRET = "[secret]";

type FieldState = "value" | "absent" | "unknown";

/**
 * The plain value behind a Pulumi input type (`Input<T>` is `T | Promise<T> | Output<T>`): what a
 * policy receives for a field typed `Input<T>` in the provider SDK's argument types.
 */
export type Plain<T> =
    T extends Promise<infer U> ? Plain<U> : T extends { get(): infer U; apply: unknown } ? Plain<U> : T;

type Obj<T> = NonNullable<Plain<T>>;
/** Keys of the object a field holds (any string for untyped fields and maps). */
type KeyOf<T> = unknown extends T ? string : Obj<T> extends readonly unknown[] ? never : keyof Obj<T> & string;
/** Type of a child field. */
type ChildOf<T, K extends string> = unknown extends T ? unknown : K extends keyof Obj<T> ? Plain<Obj<T>[K]> : unknown;
/** Type of an element of an array field. */
type ElementOf<T> = unknown extends T ? unknown : Obj<T> extends readonly (infer E)[] ? Plain<E> : unknown;

/** What a field carries besides its value: whether it is secret, its API type, and how it was read. */
interface Context {
    readonly secret: boolean;
    readonly type?: ApiType;
    readonly secrets?: SecretIndex;
    /** An absent child of an object of the wrong type: the field that cannot be read. */
    readonly brokenBy?: Field;
    /** How a value of the wrong type was judged, for messages. */
    readonly note?: string;
    /** The element of a scalar judged as a one-element list: the list's type (the element has the list's path). */
    readonly listOf?: ApiType;
    /** A one-element list made of a scalar (its items keep the list's path). */
    readonly wrapped?: boolean;
    /** Unknown because it is a secret that is only available encrypted. */
    readonly encrypted?: boolean;
}

const PLAIN: Context = { secret: false };

/**
 * The context of a field that is not secret and has nothing but an API type, one per type: the pod spec's fields are
 * typed, and a context made per read was a large part of the largest allocation site of a policy's run.
 */
const plainContexts = new WeakMap<ApiType, Context>();

function plainTyped(type: ApiType): Context {
    let ctx = plainContexts.get(type);
    if (!ctx) {
        ctx = { secret: false, type };
        plainContexts.set(type, ctx);
    }
    return ctx;
}

/** The path of a key or index read from the value at `base`. */
function childPath(base: string, step: string | number): string {
    return typeof step === "number" ? `${base}[${step}]` : joinPath(base, step);
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The last name in a path, for messages: `privileged`, `containers`, `"app.yaml"`. */
export function fieldName(path: string): string {
    const p = path.replace(/(\[\d+\])+$/, "");
    const bracket = p.lastIndexOf("[");
    const dot = p.lastIndexOf(".");
    if (bracket > dot && p.endsWith("]")) {
        return p.slice(bracket + 1, -1);
    }
    return p.slice(dot + 1) || path;
}

/** The last name in a path with its list indices, for messages: `env[1]`, `privileged`. */
export function elementName(path: string): string {
    return fieldName(path) + (/(\[\d+\])+$/.exec(path)?.[0] ?? "");
}

/** Describes a value of the wrong type without showing secret content: `the string "true"`, `an object`. */
export function describeValue(value: unknown, secret: boolean): string {
    if (Array.isArray(value)) {
        return "a list";
    }
    if (typeof value === "object" && value !== null) {
        return "an object";
    }
    if (secret) {
        return typeof value === "string" ? "a string" : typeof value === "number" ? "a number" : "a boolean";
    }
    if (typeof value === "string") {
        return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
    }
    return typeof value === "number" ? `the number ${value}` : `the boolean ${String(value)}`;
}

/**
 * A value read from resource properties together with its JSON path and whether it was present,
 * absent (undefined or null) or unknown during preview.
 */
export class Field<T = unknown> {
    // What was read from a frozen value (the props every policy of a request shares, see src/sdk/shared-props.ts):
    // many policies read the same fields of the same containers, and a frozen value cannot change between reads.
    // (An object literal rather than a Map: most fields have a child or two read, and a Map costs several times as
    // much to make; `__proto__`, which an object literal cannot hold as a key, is not kept.)
    private children?: Record<string, Field | undefined>;
    private elements?: readonly Field[];
    private pathText: string | undefined;

    private constructor(
        /** The JSON path; undefined for a value read from `up` by `step`, whose path is made when first asked. */
        path: string | undefined,
        readonly state: FieldState,
        /** The value when `state` is "value"; undefined otherwise. */
        readonly value: unknown,
        /** For unknown fields: the path of the value that was unknown (this field or an ancestor). */
        readonly unknownAt: string,
        private readonly ctx: Context = PLAIN,
        // Most fields read are never named in a message: their paths were a large share of what policies allocate.
        private readonly up?: Field,
        private readonly step?: string | number,
    ) {
        this.pathText = path;
    }

    /** JSON path from the resource's props root, e.g. `spec.template.spec.containers[0].image`. */
    get path(): string {
        this.pathText ??= this.up ? childPath(this.up.path, this.step ?? "") : "";
        return this.pathText;
    }

    /**
     * Wraps a props object (proxied or plain) as the root field. The secrets the engine marked in
     * it are found from the object itself (see src/sdk/secrets.ts).
     */
    static root<T = unknown>(value: unknown, path = ""): Field<T> {
        const secrets = attachedSecrets(value);
        // The request's shared frozen props are read directly: they hold no unknown value for the SDK's proxy to
        // report, and what is built from them can then be built once per request (workload.ts).
        value = sharedPropsBehind(value) ?? value;
        const ctx = secrets ? { secret: secrets.isSecretRoot(path), secrets } : PLAIN;
        return Field.of<T>(value, path, ctx);
    }

    static unknown<T = unknown>(path: string, unknownAt: string = path): Field<T> {
        return new Field<T>(path, "unknown", undefined, unknownAt);
    }

    static absent<T = unknown>(path: string): Field<T> {
        return new Field<T>(path, "absent", undefined, "");
    }

    /** The field for a value read: at `path`, or (with `path` undefined) read from `up` by `step`. */
    private static of<T>(
        value: unknown,
        path: string | undefined,
        ctx: Context,
        up?: Field,
        step?: string | number,
    ): Field<T> {
        if (value === undefined || value === null) {
            return new Field<T>(path, "absent", undefined, "", ctx, up, step);
        }
        const encrypted = value === ENCRYPTED_SECRET || (ctx.secret && value === UNDECRYPTED_SECRET);
        if (encrypted || isUnknownSentinel(value)) {
            // An unknown value is named by where it is unknown, so its path is made now.
            const at = path ?? childPath(up?.path ?? "", step ?? "");
            return new Field<T>(at, "unknown", undefined, at, encrypted ? { ...ctx, secret: true, encrypted } : ctx);
        }
        return new Field<T>(path, "value", value, "", ctx, up, step);
    }

    /** The same field with the API type the model knows for it (see api-types.ts). */
    typed(type: ApiType): Field<T> {
        return new Field<T>(this.path, this.state, this.value, this.unknownAt, { ...this.ctx, type });
    }

    /**
     * A value derived from this field (e.g. the value part of a `NAME=value` string), at its path and as
     * secret as it.
     */
    derived(value: unknown): Field<unknown> {
        return Field.of(value, this.path, { secret: this.ctx.secret, secrets: this.ctx.secrets });
    }

    /** Whether the value arrived as a Pulumi secret (itself or inside a secret). Never print it. */
    get isSecret(): boolean {
        return this.ctx.secret;
    }

    /** Whether this value or anything inside it is secret (so rendering it must hide parts). */
    get containsSecret(): boolean {
        return this.ctx.secret || (this.ctx.secrets?.hasSecretAtOrBelow(this.path) ?? false);
    }

    /** The API type the model knows for this field, if any. */
    get apiType(): ApiType | undefined {
        return this.ctx.type;
    }

    /** How a value of the wrong type was judged (set on fields returned by `interpreted()`), for messages. */
    get note(): string | undefined {
        return this.ctx.note;
    }

    /** Unknown because it is a secret available only encrypted (a stack export without --show-secrets). */
    get isEncrypted(): boolean {
        return this.ctx.encrypted === true;
    }

    get isUnknown(): boolean {
        return this.state === "unknown";
    }

    get isAbsent(): boolean {
        return this.state === "absent";
    }

    get isPresent(): boolean {
        return this.state === "value";
    }

    /**
     * The context of the child read by `step` from the value at `base` (default: this field's path). Its path is made
     * only where secrets are marked.
     */
    private childContext(type: ApiType | undefined, step: string | number, base?: string): Context {
        const parent = this.ctx;
        if (
            !parent.secret &&
            !parent.encrypted &&
            (parent.secrets === undefined || !parent.secrets.hasSecretAtOrBelow(this.path))
        ) {
            // Nothing here or below is secret, and nothing but the type passes to a child (a wrongly typed parent's
            // note and the like stay with the parent): the child reads as a plain value, and so does all below it.
            return type === undefined ? PLAIN : plainTyped(type);
        }
        const secret = parent.secret || (parent.secrets?.isSecretRoot(childPath(base ?? this.path, step)) ?? false);
        return { secret, secrets: parent.secrets, ...(type && { type }), ...(parent.encrypted && { encrypted: true }) };
    }

    /**
     * The object whose keys this field's children are: the value, or the element of a one-element list where an
     * object belongs (its children's paths then hang from `<path>[0]`).
     */
    private objectValue(): Record<string, unknown> | undefined {
        const v = this.value;
        if (this.state !== "value") {
            return undefined;
        }
        if (isObject(v)) {
            return v;
        }
        const type = this.ctx.type;
        // A one-element list where an object belongs is judged as its element.
        if ((type?.kind === "object" || type?.kind === "map") && readWrongType(v, type).outcome === "its element") {
            return (v as unknown[])[0] as Record<string, unknown>;
        }
        return undefined;
    }

    /** Reads a property. Never throws: non-objects yield absent fields, unknowns yield unknown fields. */
    get<K extends KeyOf<T>>(key: K): Field<ChildOf<T, K>> {
        const type = childType(this.ctx.type, key);
        if (this.state === "unknown") {
            return new Field(undefined, "unknown", undefined, this.unknownAt, this.childContext(type, key), this, key);
        }
        let object: Record<string, unknown> | undefined;
        try {
            object = this.objectValue();
        } catch (err) {
            if (isUnknownValueError(err)) {
                return Field.unknown(joinPath(this.path, key));
            }
            object = undefined;
        }
        if (!object) {
            const ctx = this.childContext(type, key);
            const brokenBy =
                this.ctx.brokenBy ?? (this.state === "value" && this.ctx.type !== undefined ? this : undefined);
            return new Field(undefined, "absent", undefined, "", brokenBy ? { ...ctx, brokenBy } : ctx, this, key);
        }
        const frozen = Object.isFrozen(object);
        const kept = frozen && key !== "__proto__";
        const known =
            kept && this.children && Object.prototype.hasOwnProperty.call(this.children, key)
                ? this.children[key]
                : undefined;
        if (known) {
            return known;
        }
        // The element of a one-element list is named by its path; the value itself by this field, when asked.
        const base = object === this.value ? undefined : `${this.path}[0]`;
        const path = base === undefined ? undefined : joinPath(base, key);
        const ctx = this.childContext(type, key, base);
        try {
            const child: Field<ChildOf<T, K>> = Object.prototype.hasOwnProperty.call(object, key)
                ? Field.of(object[key], path, ctx, this, key)
                : new Field(path, "absent", undefined, "", ctx, this, key);
            if (kept) {
                (this.children ??= {})[key] = child;
            }
            return child;
        } catch (err) {
            const at = path ?? joinPath(this.path, key);
            if (isUnknownValueError(err)) {
                return new Field(at, "unknown", undefined, at, ctx);
            }
            return new Field(at, "absent", undefined, "", ctx);
        }
    }

    /** Reads a nested property, e.g. `at("securityContext", "seccompProfile", "type")`. */
    at<A extends KeyOf<T>>(a: A): Field<ChildOf<T, A>>;
    at<A extends KeyOf<T>, B extends KeyOf<ChildOf<T, A>>>(a: A, b: B): Field<ChildOf<ChildOf<T, A>, B>>;
    at<A extends KeyOf<T>, B extends KeyOf<ChildOf<T, A>>, C extends KeyOf<ChildOf<ChildOf<T, A>, B>>>(
        a: A,
        b: B,
        c: C,
    ): Field<ChildOf<ChildOf<ChildOf<T, A>, B>, C>>;
    at(...keys: string[]): Field<unknown> {
        return this.path_(keys);
    }

    /** Reads a nested property by a dotted path from configuration (untyped). */
    dotted(path: string): Field<unknown> {
        return this.path_(path.split("."));
    }

    private path_(keys: readonly string[]): Field<unknown> {
        let f = this as Field<unknown>;
        for (const key of keys) {
            f = f.get(key);
        }
        return f;
    }

    /**
     * The elements of an array field. Non-arrays (malformed input) have no elements, except where
     * the model knows the field is a list: a scalar or object there is judged as a one-element list
     * (its element keeps the field's path).
     */
    items(): Field<ElementOf<T>>[] {
        if (this.state !== "value") {
            return [];
        }
        const type = this.ctx.type;
        const items = type?.kind === "list" ? type.items : undefined;
        if (!Array.isArray(this.value) || this.ctx.wrapped) {
            if (type?.kind !== "list" || (type.scalarAs === "empty list" && !this.ctx.wrapped)) {
                return [];
            }
            const element = this.ctx.wrapped ? (this.value as unknown[])[0] : this.value;
            const ctx: Context = {
                secret: this.ctx.secret,
                secrets: this.ctx.secrets,
                type: items,
                listOf: type,
                note: this.ctx.note ?? this.wrongTypeNote(this.value, "is judged as a one-element list"),
            };
            return [Field.of(element, this.path, ctx)];
        }
        if (this.elements) {
            return this.elements.slice();
        }
        const arr = this.value as unknown[];
        let length: number;
        try {
            length = arr.length;
        } catch {
            return [];
        }
        const out = new Array<Field<ElementOf<T>>>(length);
        for (let i = 0; i < length; i++) {
            const ctx = this.childContext(items, i);
            try {
                out[i] = Field.of(arr[i], undefined, ctx, this, i);
            } catch (err) {
                const p = childPath(this.path, i);
                out[i] = isUnknownValueError(err)
                    ? new Field(p, "unknown", undefined, p, ctx)
                    : new Field(p, "absent", undefined, "", ctx);
            }
        }
        if (Object.isFrozen(arr)) {
            this.elements = out.slice();
        }
        return out;
    }

    /** The entries of an object field (e.g. labels, annotations). Non-objects have no entries. */
    entries(): [string, Field<unknown>][] {
        let keys: string[];
        try {
            const object = this.objectValue();
            if (!object) {
                return [];
            }
            keys = Object.keys(object);
        } catch {
            return [];
        }
        const self = this as Field<unknown>;
        return keys.map((k) => [k, self.get(k)]);
    }

    get isArray(): boolean {
        return this.state === "value" && Array.isArray(this.value);
    }

    get isObject(): boolean {
        return this.state === "value" && typeof this.value === "object" && !Array.isArray(this.value);
    }

    /** The reading of a value of the wrong type (undefined when the value has its type or no type is known). */
    private wrongType() {
        const type = this.ctx.type;
        if (this.state !== "value" || type === undefined || hasType(this.value, type)) {
            return undefined;
        }
        return readWrongType(this.value, type);
    }

    /**
     * `<name> is <value>, not <type>: <the receiver rejects it>, and it <how it is judged>`, without secret
     * content.
     */
    private wrongTypeNote(value: unknown, judged: string): string {
        const type = this.ctx.type;
        const what = `${elementName(this.path)} is ${describeValue(value, this.ctx.secret)}`;
        return type ? `${what}, not ${expectedType(type)}: ${receiverRejects(type.receiver)}, and it ${judged}` : what;
    }

    /**
     * The field as the receiving side reads it: a value of the wrong type converted as the receiver
     * converts it, or replaced by the field's unsafe value, or a scalar made a one-element list,
     * with a note that says so. The field itself when it has its type (or none is known).
     */
    interpreted(): Field<T> {
        const reading = this.wrongType();
        if (!reading) {
            return this;
        }
        const type = this.ctx.type!;
        const shown = (v: unknown) => (this.ctx.secret ? expectedType(type) : JSON.stringify(v));
        switch (reading.outcome) {
            case "converted":
                return new Field<T>(this.path, "value", reading.value, "", {
                    ...this.ctx,
                    note:
                        `${elementName(this.path)} is ${describeValue(this.value, this.ctx.secret)}, which the ` +
                        `Docker provider converts to ${shown(reading.value)}`,
                });
            case "unsafe":
                return new Field<T>(this.path, "value", reading.value, "", {
                    ...this.ctx,
                    note: this.wrongTypeNote(this.value, `is judged as ${JSON.stringify(reading.value)}`),
                });
            case "one-element list":
                return new Field<T>(this.path, "value", [this.value], "", {
                    ...this.ctx,
                    wrapped: true,
                    note: this.wrongTypeNote(this.value, "is judged as a one-element list"),
                });
            case "empty list":
                return new Field<T>(this.path, "value", [], "", {
                    ...this.ctx,
                    note: this.wrongTypeNote(this.value, "is judged as an empty list"),
                });
            default:
                return this;
        }
    }

    /**
     * The field whose value cannot be judged, when reading this one depends on it: this field, if
     * its value has a type nothing converts, or the wrongly typed object this absent field was read
     * from. Undefined when the value can be read.
     */
    get unreadable(): Field | undefined {
        if (this.state === "absent") {
            return this.ctx.brokenBy;
        }
        return this.wrongType()?.outcome === "unjudgeable" ? this : undefined;
    }

    /**
     * Why this field's value cannot be judged (for a field returned by `unreadable`): `securityContext
     * is the string "x", not an object: the Kubernetes API rejects it`.
     */
    get unreadableReason(): string {
        const type = this.ctx.listOf ?? this.ctx.type;
        const what = `${elementName(this.path)} is ${describeValue(this.value, this.ctx.secret)}`;
        if (!type) {
            return what;
        }
        return `${what}, not ${this.unreadableFix.replace(/^write .* as /, "")}: ${receiverRejects(type.receiver)}`;
    }

    /** How to fix a value `unreadable` returned: `write securityContext as an object`. */
    get unreadableFix(): string {
        const list = this.ctx.listOf;
        const type = this.ctx.type;
        const expected =
            list?.kind === "list"
                ? `a list of ${expectedType(list.items).replace(/^an? /, "")}s`
                : type
                  ? expectedType(type)
                  : "the type the API defines";
        return `write ${elementName(this.path)} as ${expected}`;
    }

    /** The value if it is a string (a number or boolean where the Docker provider converts it to one). */
    str(): string | undefined {
        if (this.state !== "value") {
            return undefined;
        }
        if (typeof this.value === "string") {
            return this.value;
        }
        const reading = this.wrongType();
        return reading?.outcome === "converted" && typeof reading.value === "string" ? reading.value : undefined;
    }

    /**
     * The value if it is a boolean. A typed boolean of another type is read as the receiver reads it:
     * converted (Docker: "true"/"1", "false"/"0"), or else as the field's unsafe value.
     */
    bool(): boolean | undefined {
        if (this.state !== "value") {
            return undefined;
        }
        if (typeof this.value === "boolean") {
            return this.value;
        }
        const reading = this.wrongType();
        return reading && "value" in reading && typeof reading.value === "boolean" ? reading.value : undefined;
    }

    /** The value if it is a finite number (a typed integer of another type as the receiver reads it). */
    num(): number | undefined {
        if (this.state !== "value") {
            return undefined;
        }
        const reading = this.wrongType();
        if (reading) {
            return "value" in reading && typeof reading.value === "number" ? reading.value : undefined;
        }
        return typeof this.value === "number" && Number.isFinite(this.value) ? this.value : undefined;
    }

    /** The value if it is a string or a number, as Kubernetes int-or-string fields allow. */
    scalar(): string | number | boolean | undefined {
        const v = this.value;
        return this.state === "value" && (typeof v === "string" || typeof v === "number" || typeof v === "boolean")
            ? v
            : undefined;
    }
}
