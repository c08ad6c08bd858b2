// The scanner places a finding at the field its message names: JSON paths printed by the policies
// must parse back to the keys and indexes they were built from, and the path must be found in any
// message the pack produces.

import * as assert from "assert";
import * as fc from "fast-check";
import { joinPath } from "../../src/framework/field";
import { type PathSegment, jsonPathInMessage, parseJsonPath } from "../../cli/json-path";
import { allPolicies } from "../../policies";
import { PolicyTester, unknown } from "../../testkit";
import { deployment } from "../support/workloads";

/** Builds a path the way policies print one. */
function printPath(segments: readonly PathSegment[]): string {
    return segments.reduce<string>((p, s) => (typeof s === "number" ? `${p}[${s}]` : joinPath(p, s)), "");
}

describe("scan: JSON paths", () => {
    it("parses keys, indexes and quoted keys", () => {
        assert.deepStrictEqual(parseJsonPath("spec.template.spec.containers[0].securityContext.privileged"), [
            "spec",
            "template",
            "spec",
            "containers",
            0,
            "securityContext",
            "privileged",
        ]);
        assert.deepStrictEqual(
            parseJsonPath('metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]'),
            ["metadata", "annotations", "container.apparmor.security.beta.kubernetes.io/app"],
        );
        assert.deepStrictEqual(parseJsonPath('["a\\"b"].c[12]'), ['a"b', "c", 12]);
    });

    it("rejects text that is not a path", () => {
        for (const text of [
            "",
            "allowed: NET_ADMIN",
            "a..b",
            "a.",
            ".a",
            "[x]",
            "a b",
            "a[0",
            '["open',
            "a[-1]",
            "0abc",
        ]) {
            assert.strictEqual(parseJsonPath(text), undefined, text);
        }
    });

    it("reads back every path a policy can print (property)", () => {
        const segment = fc.oneof(
            fc.string({ minLength: 1, maxLength: 12 }),
            fc.constantFrom("spec", "containers", "x.y/z", "__proto__", "0"),
            fc.nat({ max: 50 }),
        );
        fc.assert(
            fc.property(
                fc.string({ minLength: 1, maxLength: 12 }),
                fc.array(segment, { maxLength: 8 }),
                (first, rest) => {
                    const segments: PathSegment[] = [first, ...rest];
                    assert.deepStrictEqual(parseJsonPath(printPath(segments)), segments);
                },
            ),
        );
    });

    it("never throws on arbitrary text (property)", () => {
        fc.assert(
            fc.property(fc.string({ maxLength: 80 }), (s) => {
                parseJsonPath(s);
                jsonPathInMessage(s);
                jsonPathInMessage(`${s} (${s}). Fix: ${s}`);
            }),
        );
    });

    it(
        "finds the path in the pack's own messages, " + "including problems with parentheses and unknown values",
        async () => {
            const tester = new PolicyTester({ policies: allPolicies }, { all: "mandatory" });
            const { violations } = await tester.analyze(
                deployment({
                    containers: [
                        {
                            name: "a",
                            image: "i",
                            securityContext: { privileged: true, capabilities: { add: ["NET_ADMIN"] } },
                        },
                        { name: "b", image: "i", securityContext: { procMount: unknown } },
                    ],
                }),
            );
            const pathOf = (policy: string) => {
                const v = violations.find((x) => x.policyName === policy);
                assert.ok(v, policy);
                return jsonPathInMessage(v.message);
            };
            assert.strictEqual(pathOf("pss-privileged"), "spec.template.spec.containers[0].securityContext.privileged");
            assert.strictEqual(
                pathOf("pss-capabilities-baseline"),
                "spec.template.spec.containers[0].securityContext.capabilities.add[0]",
            );
            assert.strictEqual(
                pathOf("pss-proc-mount-baseline"),
                "spec.template.spec.containers[1].securityContext.procMount",
            );
            for (const v of violations) {
                assert.ok(jsonPathInMessage(v.message) !== undefined, `no path in: ${v.message}`);
            }
        },
    );

    it("takes the last parenthesised group before the fix, even when the problem has its own", () => {
        assert.strictEqual(
            jsonPathInMessage(
                'Deployment prod/web, container "a": capability "X" is not allowed (allowed: A, B) ' +
                    "(spec.containers[0].securityContext.capabilities.add[1]). Fix: drop it",
            ),
            "spec.containers[0].securityContext.capabilities.add[1]",
        );
        assert.strictEqual(
            jsonPathInMessage('Pod a/b: annotation is wrong (metadata.annotations["x(y)"]). Fix: remove it'),
            'metadata.annotations["x(y)"]',
        );
        assert.strictEqual(jsonPathInMessage("Pod a/b: the stack has no NetworkPolicy. Fix: add one"), undefined);
    });
});
