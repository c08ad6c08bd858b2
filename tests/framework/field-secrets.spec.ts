// Every field knows whether its value arrived as a Pulumi secret, itself or inside one, and whether a secret is at or
// below it. Fields under which nothing is secret are read as plain values (no path is made to look them up), so the
// answers must not depend on which fields were read first or how deep the secrets are.

import * as assert from "assert";
import fc from "fast-check";
import { secret } from "../../src/engine/protocol";
import { Field } from "../../src/framework/field";
import { attachSecrets, indexSecrets } from "../../src/sdk/secrets";

/** A value in which some parts are secret: `marks` says which (by the order a walk meets objects and arrays). */
interface Marked {
    readonly encoded: unknown; // as the engine sends it: secrets wrapped in the SDK's markers
    readonly plain: unknown; // as the policy reads it: markers unwrapped
    readonly secretPaths: ReadonlySet<string>; // paths (in `at` steps joined by "/") at or below a secret
}

function mark(value: unknown, marks: readonly boolean[]): Marked {
    const secretPaths = new Set<string>();
    let n = 0;
    const walk = (v: unknown, path: string, inSecret: boolean): { encoded: unknown; plain: unknown } => {
        const isSecret = !inSecret && marks[n++ % marks.length] === true;
        const secretHere = inSecret || isSecret;
        if (secretHere) {
            secretPaths.add(path);
        }
        let encoded: unknown = v;
        let plain: unknown = v;
        if (Array.isArray(v)) {
            const parts = v.map((x, i) => walk(x, `${path}/${i}`, secretHere));
            encoded = parts.map((p) => p.encoded);
            plain = parts.map((p) => p.plain);
        } else if (typeof v === "object" && v !== null) {
            const entries = Object.entries(v).map(([k, x]) => [k, walk(x, `${path}/${k}`, secretHere)] as const);
            encoded = Object.fromEntries(entries.map(([k, p]) => [k, p.encoded]));
            plain = Object.fromEntries(entries.map(([k, p]) => [k, p.plain]));
        }
        return { encoded: isSecret ? secret(encoded) : encoded, plain };
    };
    const { encoded, plain } = walk(value, "", false);
    return { encoded, plain, secretPaths };
}

const key = fc.constantFrom("spec", "env", "value", "a.b", "x y", "0");
const tree = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean()),
        fc.array(tie("value"), { maxLength: 3 }),
        fc.dictionary(key, tie("value"), { maxKeys: 3 }),
    ),
})).value;

describe("field secrecy", () => {
    it("is the same for every field however the value is walked, secrets deep or shallow", () => {
        fc.assert(
            fc.property(
                fc.dictionary(key, tree, { minKeys: 1, maxKeys: 3 }),
                fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
                fc.boolean(),
                (value, marks, deepFirst) => {
                    const { encoded, plain, secretPaths } = mark(value, marks);
                    if (typeof plain !== "object" || plain === null) {
                        return;
                    }
                    attachSecrets(plain, indexSecrets(encoded));
                    const visit = (field: Field, path: string, v: unknown): void => {
                        const below = [...secretPaths].some((p) => p === path || p.startsWith(`${path}/`));
                        const children: [Field, string, unknown][] = Array.isArray(v)
                            ? field.items().map((f, i) => [f, `${path}/${i}`, v[i]])
                            : typeof v === "object" && v !== null
                              ? Object.keys(v).map((k) => [field.get(k), `${path}/${k}`, (v as never)[k]])
                              : [];
                        if (deepFirst) {
                            children.forEach(([f, p, c]) => visit(f, p, c));
                        }
                        assert.strictEqual(field.isSecret, secretPaths.has(path), `isSecret at ${path || "/"}`);
                        assert.strictEqual(field.containsSecret, below, `containsSecret at ${path || "/"}`);
                        if (!deepFirst) {
                            children.forEach(([f, p, c]) => visit(f, p, c));
                        }
                    };
                    visit(Field.root(plain), "", plain);
                },
            ),
            { numRuns: 1000 },
        );
    });
});
