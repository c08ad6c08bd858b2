// Safe automatic fixes. When a policy runs at the `remediate` level, the engine asks the pack to
// fix a resource's inputs before it judges them. Fixes are written in place through the policy
// SDK's proxies (which keep secret values secret) and only where the value is known: a field that is
// unknown during preview is left alone and fixed at `pulumi up`, when the value is known.

import { type Field } from "./field";

/** Writes fixes into a resource's props and records whether anything changed. */
export class Fixer {
    /** Paths of the fields that were set, in order. */
    readonly changes: string[] = [];

    constructor(
        /** Patches carry only the fields they change: a fixer must not add settings to them. */
        readonly isPatch: boolean,
    ) {}

    get changed(): boolean {
        return this.changes.length > 0;
    }

    /** Sets `parent[key] = value` when `parent` is a known object. */
    set(parent: Field<unknown>, key: string, value: unknown): boolean {
        if (!parent.isObject) {
            return false;
        }
        try {
            (parent.value as Record<string, unknown>)[key] = value;
        } catch {
            return false;
        }
        this.changes.push(parent.get(key).path);
        return true;
    }

    /**
     * The object at `parent[key]`, created empty when absent (never on patches). Undefined when it
     * cannot be written: unknown during preview, or not an object (malformed input).
     */
    object(parent: Field<unknown>, key: string): Field<unknown> | undefined {
        const existing = parent.get(key);
        if (existing.isObject) {
            return existing;
        }
        if (!existing.isAbsent || this.isPatch || !parent.isObject) {
            return undefined;
        }
        try {
            (parent.value as Record<string, unknown>)[key] = {};
        } catch {
            return undefined;
        }
        const created = parent.get(key);
        return created.isObject ? created : undefined;
    }
}
