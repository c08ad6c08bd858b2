// A field's JSON path is made only when something asks for it (most fields read are never named in a message): the
// path made late must be the path the field was read at, for keys that need quoting, list elements, absent and
// unknown values, frozen and mutable values alike.

import * as assert from "assert";
import fc from "fast-check";
import { Field, joinPath } from "../../src/framework/field";
import { UNKNOWN } from "../../src/engine/protocol";
import { deepFreeze } from "../support/frozen";

type Step = string | number;

const keys = fc.oneof(
    fc.constantFrom("spec", "containers", "image", "a.b", "x y", '"q"', "0", "", "__proto__"),
    fc.string(),
);

/** A value and a walk into it (some steps past its end, into absent or unknown values). */
const walks = fc.record({
    value: fc.jsonValue({ maxDepth: 4 }),
    steps: fc.array(fc.oneof(keys, fc.nat({ max: 3 })), { maxLength: 6 }),
    frozen: fc.boolean(),
    unknownAt: fc.option(fc.nat({ max: 5 }), { nil: undefined }),
});

/** Replaces the value at the walk's `at`-th step with the engine's unknown sentinel, where there is one. */
function withUnknown(value: unknown, steps: readonly Step[], at: number | undefined): unknown {
    if (at === undefined || at >= steps.length) {
        return value;
    }
    const copy = JSON.parse(JSON.stringify(value ?? null)) as unknown;
    let node = copy as Record<string | number, unknown> | null;
    for (let i = 0; i < at; i++) {
        const next = typeof node === "object" && node !== null ? node[steps[i]] : undefined;
        if (typeof next !== "object" || next === null) {
            return copy;
        }
        node = next as Record<string | number, unknown>;
    }
    if (typeof node === "object" && node !== null && Object.prototype.hasOwnProperty.call(node, steps[at])) {
        node[steps[at]] = UNKNOWN;
    }
    return copy;
}

describe("field paths", () => {
    it("are the paths the fields were read at, however the walk goes", () => {
        fc.assert(
            fc.property(walks, ({ value, steps, frozen, unknownAt }) => {
                const root = { root: withUnknown(value, steps, unknownAt) };
                let field: Field = Field.root(frozen ? deepFreeze(root) : root).get("root");
                let expected = "root";
                for (const step of steps) {
                    if (typeof step === "number") {
                        const items = field.items();
                        if (step >= items.length) {
                            return;
                        }
                        field = items[step];
                        expected = `${expected}[${step}]`;
                    } else {
                        field = field.get(step);
                        expected = joinPath(expected, step);
                    }
                    assert.strictEqual(field.path, expected);
                }
            }),
            { numRuns: 1500 },
        );
    });

    it("name an unknown value by where it is unknown, and what is read below it by its own path", () => {
        const field = Field.root({ spec: { containers: [{ image: UNKNOWN }] } });
        const image = field.get("spec").get("containers").items()[0]?.get("image");
        assert.ok(image?.isUnknown);
        assert.strictEqual(image.unknownAt, "spec.containers[0].image");
        const below = image.get("tag");
        assert.strictEqual(below.path, "spec.containers[0].image.tag");
        assert.strictEqual(below.unknownAt, "spec.containers[0].image");
    });
});
