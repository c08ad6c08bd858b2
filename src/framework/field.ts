// Safe, path-aware reading of resource properties.
//
// During `pulumi preview` the policy SDK hands policies a proxy that throws an UnknownValueError
// on any read of a value that is not known yet. Left alone, that error aborts the whole policy for
// the resource and the SDK downgrades it to one advisory. `Field` catches it per read, so an unknown
// image cannot hide a privileged container in the same pod: each check sees exactly which of the
// fields it needs are unknown and the rest of the pod is still judged.
//
// `Field` also never throws on malformed input: reading a key of a string, number, null or array
// yields an absent field, and `items()` of a non-array yields no items.

import { isUnknownValueError } from "../sdk/policy-sdk";

/** The sentinel strings the engine uses for values unknown during preview (one per value kind). */
const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/** True for a raw unknown sentinel (stack outputs, state files and unproxied inputs carry them as plain strings). */
function isUnknownSentinel(value: unknown): boolean {
    return typeof value === "string" && value.length === 36 && UNKNOWN_SENTINELS.has(value);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Appends a property name to a JSON path, quoting keys that are not plain identifiers. */
export function joinPath(path: string, key: string): string {
    const part = IDENTIFIER.test(key) ? key : `[${JSON.stringify(key)}]`;
    if (path === "" || part.startsWith("[")) {
        return path + part;
    }
    return `${path}.${part}`;
}

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

/**
 * A value read from resource properties together with its JSON path and whether it was present,
 * absent (undefined or null) or unknown during preview.
 */
export class Field<T = unknown> {
    private constructor(
        /** JSON path from the resource's props root, e.g. `spec.template.spec.containers[0].image`. */
        readonly path: string,
        readonly state: FieldState,
        /** The value when `state` is "value"; undefined otherwise. */
        readonly value: unknown,
        /** For unknown fields: the path of the value that was unknown (this field or an ancestor). */
        readonly unknownAt: string,
    ) {}

    /** Wraps a props object (proxied or plain) as the root field. */
    static root<T = unknown>(value: unknown, path = ""): Field<T> {
        return Field.of<T>(value, path);
    }

    static unknown<T = unknown>(path: string, unknownAt: string = path): Field<T> {
        return new Field<T>(path, "unknown", undefined, unknownAt);
    }

    static absent<T = unknown>(path: string): Field<T> {
        return new Field<T>(path, "absent", undefined, "");
    }

    private static of<T>(value: unknown, path: string): Field<T> {
        if (value === undefined || value === null) {
            return Field.absent<T>(path);
        }
        if (isUnknownSentinel(value)) {
            return Field.unknown<T>(path);
        }
        return new Field<T>(path, "value", value, "");
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

    /** Reads a property. Never throws: non-objects yield absent fields, unknowns yield unknown fields. */
    get<K extends KeyOf<T>>(key: K): Field<ChildOf<T, K>> {
        const childPath = joinPath(this.path, key);
        if (this.state === "unknown") {
            return Field.unknown(childPath, this.unknownAt);
        }
        const v = this.value;
        if (this.state === "absent" || typeof v !== "object" || v === null || Array.isArray(v)) {
            return Field.absent(childPath);
        }
        try {
            if (!Object.prototype.hasOwnProperty.call(v, key)) {
                return Field.absent(childPath);
            }
            return Field.of((v as Record<string, unknown>)[key], childPath);
        } catch (err) {
            if (isUnknownValueError(err)) {
                return Field.unknown(childPath);
            }
            return Field.absent(childPath);
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

    /** The elements of an array field. Non-arrays (malformed input) have no elements. */
    items(): Field<ElementOf<T>>[] {
        if (this.state !== "value" || !Array.isArray(this.value)) {
            return [];
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
            const p = `${this.path}[${i}]`;
            try {
                out[i] = Field.of(arr[i], p);
            } catch (err) {
                out[i] = isUnknownValueError(err) ? Field.unknown(p) : Field.absent(p);
            }
        }
        return out;
    }

    /** The entries of an object field (e.g. labels, annotations). Non-objects have no entries. */
    entries(): [string, Field<unknown>][] {
        const v = this.value;
        if (this.state !== "value" || typeof v !== "object" || v === null || Array.isArray(v)) {
            return [];
        }
        let keys: string[];
        try {
            keys = Object.keys(v);
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

    /** The value if it is a string. */
    str(): string | undefined {
        return this.state === "value" && typeof this.value === "string" ? this.value : undefined;
    }

    /** The value if it is a boolean. */
    bool(): boolean | undefined {
        return this.state === "value" && typeof this.value === "boolean" ? this.value : undefined;
    }

    /** The value if it is a finite number. */
    num(): number | undefined {
        return this.state === "value" && typeof this.value === "number" && Number.isFinite(this.value)
            ? this.value
            : undefined;
    }

    /** The value if it is a string or a number, as Kubernetes int-or-string fields allow. */
    scalar(): string | number | boolean | undefined {
        const v = this.value;
        return this.state === "value" && (typeof v === "string" || typeof v === "number" || typeof v === "boolean")
            ? v
            : undefined;
    }
}
