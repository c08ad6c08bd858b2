// The scrubber removes secret text from every message a policy reports (src/sdk/secrets.ts). A stack
// policy's scrubber holds the secrets of every resource of the stack and scrubs every finding, so it
// finds the texts a message holds by their first characters instead of searching the message for each
// text. It must scrub exactly as searching for each text, longest first, does: a property test holds it
// to that plain algorithm, kept here as the reference.

import * as assert from "assert";
import fc from "fast-check";
import { MIN_SCRUBBED_LENGTH, SCRUBBED_RUN, SECRET_PLACEHOLDER, Scrubber } from "../../src/sdk/secrets";

/** The scrubbing rule in its plainest form: every text looked for in the whole message, longest first. */
function referenceScrub(texts: readonly string[], message: string): string {
    const fold = (t: string) =>
        t
            .split("")
            .map((u) => (u.toLowerCase().length === 1 ? u.toLowerCase() : u))
            .join("");
    const sorted = [...new Set(texts.map(fold))].sort((a, b) => b.length - a.length);
    let out = message;
    for (const text of sorted) {
        if (text.length < MIN_SCRUBBED_LENGTH || !fold(out).includes(text)) {
            continue;
        }
        if (text.length >= 8) {
            const haystack = fold(out);
            let result = "";
            let from = 0;
            for (let at = haystack.indexOf(text); at >= 0; at = haystack.indexOf(text, at + text.length)) {
                result += out.slice(from, at) + SECRET_PLACEHOLDER;
                from = at + text.length;
            }
            out = result + out.slice(from);
        } else {
            const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
            out = out.replace(new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`, "gi"), SECRET_PLACEHOLDER);
        }
    }
    const runs = new Set<string>();
    for (const text of sorted) {
        for (let i = 0; text.length >= SCRUBBED_RUN && i + SCRUBBED_RUN <= text.length; i++) {
            runs.add(text.slice(i, i + SCRUBBED_RUN));
        }
    }
    const folded = fold(out);
    const covered: [number, number][] = [];
    for (let i = 0; i + SCRUBBED_RUN <= folded.length; i++) {
        if (runs.has(folded.slice(i, i + SCRUBBED_RUN))) {
            const last = covered[covered.length - 1];
            if (last && i <= last[1]) {
                last[1] = i + SCRUBBED_RUN;
            } else {
                covered.push([i, i + SCRUBBED_RUN]);
            }
        }
    }
    for (let k = covered.length - 1; k >= 0; k--) {
        out = out.slice(0, covered[k][0]) + SECRET_PLACEHOLDER + out.slice(covered[k][1]);
    }
    return out;
}

describe("scrubbing secret text from messages", () => {
    // Small alphabets, so that texts overlap, repeat, differ only in case and meet the placeholder's characters.
    const text = fc.string({ unit: fc.constantFrom(..."abAB1-_ [ecrt]"), minLength: 1, maxLength: 14 });
    const message = fc.string({ unit: fc.constantFrom(..."abAB1-_ [ecrt]x:"), maxLength: 80 });

    it("scrubs as searching for every text does, with few texts and with many", () => {
        // Messages made of pieces of the texts (some upper-cased) and other characters, so that texts are found.
        const scenario = fc
            .oneof(fc.array(text, { minLength: 1, maxLength: 12 }), fc.array(text, { minLength: 30, maxLength: 60 }))
            .chain((texts) =>
                fc.tuple(
                    fc.constant(texts),
                    fc.array(
                        fc.array(
                            fc.oneof(
                                message,
                                fc.constantFrom(...texts),
                                fc.constantFrom(...texts).map((t) => t.toUpperCase()),
                            ),
                            { maxLength: 6 },
                        ),
                        { maxLength: 4 },
                    ),
                ),
            );
        fc.assert(
            fc.property(scenario, ([texts, messages]) => {
                const scrubber = new Scrubber(texts);
                for (const m of messages.map((pieces) => pieces.join(""))) {
                    assert.strictEqual(scrubber.scrub(m), referenceScrub(texts, m), JSON.stringify({ texts, m }));
                }
            }),
            { numRuns: 1500 },
        );
    });

    it("finds a stack's secrets in a finding among tens of thousands of texts", () => {
        const texts = Array.from({ length: 50_000 }, (_, i) => `signing-key-${i}-of-the-stack`);
        const scrubber = new Scrubber(texts);
        const m = 'Deployment prod/web-7: env "SIGNING_KEY" is signing-key-4711-OF-the-stack (spec.template)';
        assert.strictEqual(scrubber.scrub(m), referenceScrub(["signing-key-4711-of-the-stack"], m));
        assert.ok(scrubber.scrub(m).includes(`is ${SECRET_PLACEHOLDER} (spec`));
    });
});
