// Property: a value that arrives as a Pulumi secret never appears in any output. The fuzzed
// resources of the never-throws properties get random leaves (and whole objects and lists) replaced
// by secrets with distinctive values; no violation message, and no CLI report (text, JSON, SARIF)
// of the same resources in a stack export, may contain one, in any letter case.

import * as assert from "assert";
import fc from "fast-check";
import { allPolicies } from "../../policies";
import { PolicyTester, secret, UNKNOWN } from "../../testkit";
import { dockerResource, resource, runtimeResource } from "../support/fuzz";
import { runCli, tempDir, writeFile } from "../support/cli";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

type Obj = Record<string, unknown>;
type Marking = (value: unknown) => unknown;

/** The distinctive text a secret string ends with, and the distinctive numbers secret numbers get. */
interface Secrets {
    readonly markers: string[];
    readonly numbers: number[];
}

/**
 * Replaces the leaves `pick` chooses (and whole objects and lists) with secrets: a string `s`
 * becomes `s` followed by a distinctive marker, a number a distinctive number. Everything inside a
 * secret object is made distinctive too (all of it is secret). Unknowns stay unknown.
 */
function secretize(v: unknown, pick: () => boolean, mark: Marking, found: Secrets, inside = false): unknown {
    if (typeof v === "string") {
        if (v === UNKNOWN || !(inside || pick())) {
            return v;
        }
        const marker = `-zqx${String(found.markers.length).padStart(3, "0")}vk`;
        found.markers.push(marker);
        return inside ? `${v}${marker}` : mark(`${v}${marker}`);
    }
    if (typeof v === "number") {
        if (!(inside || pick())) {
            return v;
        }
        const n = 918_270 + found.numbers.length * 7;
        found.numbers.push(n);
        return inside ? n : mark(n);
    }
    if (typeof v !== "object" || v === null) {
        return v;
    }
    const whole = !inside && pick() && pick();
    const inner = inside || whole;
    const out = Array.isArray(v)
        ? v.map((item) => secretize(item, pick, mark, found, inner))
        : Object.fromEntries(Object.entries(v).map(([k, item]) => [k, secretize(item, pick, mark, found, inner)]));
    return whole ? mark(out) : out;
}

function picker(choices: readonly boolean[]): () => boolean {
    let i = 0;
    return () => choices[i++ % choices.length];
}

const fuzzed = fc.record({
    resource: fc.oneof(resource, dockerResource, runtimeResource),
    choices: fc.array(fc.boolean(), { minLength: 8, maxLength: 40 }),
});

/** Asserts that no secret's marker or number appears in the text. */
function assertHidden(text: string, found: Secrets, context: string): void {
    const lower = text.toLowerCase();
    for (const m of found.markers) {
        // Any 8 characters of the marker would be a leak, in any case (some checks upper-case names).
        assert.ok(!lower.includes(m.slice(1, 9)), `secret ${m} shown in ${context}:\n${text}`);
    }
    for (const n of found.numbers) {
        assert.ok(!new RegExp(`(?<![0-9])${n}(?![0-9])`).test(text), `secret ${n} shown in ${context}:\n${text}`);
    }
}

describe("property: secret values are never shown", () => {
    const tester = new PolicyTester({ policies: allPolicies }, { all: "mandatory" });

    it("3,000 fuzzed resources with secret leaves: no message contains a secret", async () => {
        await fc.assert(
            fc.asyncProperty(fuzzed, async ({ resource: r, choices }) => {
                const found: Secrets = { markers: [], numbers: [] };
                const props = secretize(r.props, picker(choices), secret, found) as Obj;
                const result = await tester.analyze({ ...r, props });
                for (const v of result.violations) {
                    assertHidden(v.message, found, v.policyName);
                }
            }),
            { numRuns: 3000 },
        );
    });

    it("fuzzed stack exports with plaintext secrets: no CLI report (text, JSON, SARIF) contains a secret", async () => {
        const dir = tempDir("cg-secrets-");
        let n = 0;
        await fc.assert(
            fc.asyncProperty(
                fc.array(fuzzed, { minLength: 1, maxLength: 3 }),
                fc.constantFrom("text", "json", "sarif"),
                async (items, format) => {
                    const found: Secrets = { markers: [], numbers: [] };
                    const stored: Marking = (value) => ({ [SIG]: SECRET_SIG, plaintext: JSON.stringify(value) });
                    const resources = items.map(({ resource: r, choices }, i) => {
                        const inputs = secretize(r.props, picker(choices), stored, found);
                        return {
                            urn: `urn:pulumi:prod::shop::${r.type}::r${i}`,
                            custom: true,
                            id: `r${i}`,
                            type: r.type,
                            inputs,
                            outputs: inputs,
                        };
                    });
                    const file = `state-${n++}.json`;
                    writeFile(
                        dir,
                        file,
                        JSON.stringify({
                            version: 3,
                            deployment: {
                                manifest: { time: "2026-11-01T10:00:00Z", magic: "m", version: "v3.248.0" },
                                resources,
                            },
                        }),
                    );
                    writeFile(dir, "all-mandatory.json", JSON.stringify({ all: "mandatory" }));
                    const out = await runCli(
                        ["scan", file, "--format", format, "--policy-pack-config", "all-mandatory.json"],
                        { cwd: dir },
                    );
                    assertHidden(out.stdout + out.stderr, found, `scan --format ${format}`);
                },
            ),
            { numRuns: 60 },
        );
    });
});
