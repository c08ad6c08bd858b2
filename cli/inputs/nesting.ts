// How deep maps and lists may nest. No Kubernetes object comes close (a CustomResourceDefinition
// whose schema embeds a whole pod template nests about 40 levels); the limit keeps every reader that
// recurses — the YAML composer, the policy SDK's decoding, the policies' own walks — far from the
// end of the call stack, so deep input is an input error that says so instead of a crash.

import type { CST } from "yaml";

export const MAX_NESTING = 128;

/** The message for input that nests deeper than MAX_NESTING (after "is"). */
export function tooDeeplyNested(): string {
    return `too deeply nested: maps and lists nest more than ${MAX_NESTING} levels deep`;
}

/**
 * Whether a YAML syntax tree nests collections more than `max` deep (the offset of the first node too deep), and
 * whether it uses aliases (then the value can nest deeper than the text, and is checked again once built). The walk
 * stops at `max`, so it never recurses further than that itself.
 */
export function nestingExceeded(token: CST.Token, max: number): { offset?: number; aliases: boolean } {
    let aliases = false;
    const walk = (t: CST.Token | null | undefined, depth: number): number | undefined => {
        if (!t) {
            return undefined;
        }
        switch (t.type) {
            case "document":
                return walk(t.value, depth);
            case "alias":
                aliases = true;
                return undefined;
            case "block-map":
            case "block-seq":
            case "flow-collection": {
                if (depth >= max) {
                    return t.offset;
                }
                for (const item of t.items) {
                    const found = walk("key" in item ? item.key : undefined, depth + 1) ?? walk(item.value, depth + 1);
                    if (found !== undefined) {
                        return found;
                    }
                }
                return undefined;
            }
            default:
                return undefined;
        }
    };
    const offset = walk(token, 0);
    return { ...(offset !== undefined && { offset }), aliases };
}

/** Whether a value nests objects and arrays more than `max` deep (checked without recursion). */
export function valueNestingExceeded(value: unknown, max: number): boolean {
    const stack: [unknown, number][] = [[value, 1]];
    while (stack.length > 0) {
        const [v, depth] = stack.pop()!;
        if (typeof v === "object" && v !== null) {
            if (depth > max) {
                return true;
            }
            for (const child of Object.values(v)) {
                stack.push([child, depth + 1]);
            }
        }
    }
    return false;
}
