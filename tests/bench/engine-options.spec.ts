// `npm run bench:engine` options: --quick shrinks every default so the whole benchmark runs in minutes
// (tests/e2e/bench-engine.e2e.ts runs it), explicit options still win, and a quick run never
// overwrites the recorded full-size results.

import * as assert from "assert";
import * as path from "path";
import { parseArgs } from "../../bench/engine";

const RESULTS = path.resolve(__dirname, "../../bench/results");

describe("engine benchmark options", () => {
    it("default to the issue's sizes: 300 and 1,000 workloads, 5 rounds, a 10,000-resource state file", () => {
        const o = parseArgs([]);
        assert.deepStrictEqual(o.sizes, [300, 1000]);
        assert.strictEqual(o.runs, 5);
        assert.strictEqual(o.stateResources, 10000);
        assert.strictEqual(o.preview, true);
        assert.strictEqual(o.quick, false);
        assert.strictEqual(o.packsOnly, false);
        assert.strictEqual(o.out, path.join(RESULTS, "engine.json"));
    });

    it("--packs-only leaves out the no-pack configuration, nothing else", () => {
        const o = parseArgs(["--packs-only", "--sizes", "1000"]);
        assert.strictEqual(o.packsOnly, true);
        assert.deepStrictEqual(o.sizes, [1000]);
        assert.strictEqual(o.runs, 5);
    });

    it("--quick: 10 workloads, 1 round, 100 resources, written beside the full results, not over them", () => {
        const o = parseArgs(["--quick"]);
        assert.deepStrictEqual(o.sizes, [10]);
        assert.strictEqual(o.runs, 1);
        assert.strictEqual(o.stateResources, 100);
        assert.strictEqual(o.quick, true);
        assert.strictEqual(o.out, path.join(RESULTS, "engine-quick.json"));
    });

    it("explicit options override --quick's sizes, in any order", () => {
        const o = parseArgs(["--runs", "3", "--quick", "--sizes", "5,7", "--state-resources", "0", "--out", "x.json"]);
        assert.deepStrictEqual(o.sizes, [5, 7]);
        assert.strictEqual(o.runs, 3);
        assert.strictEqual(o.stateResources, 0);
        assert.strictEqual(o.out, path.resolve("x.json"));
    });

    it("rejects unknown options and numbers that are not whole", () => {
        assert.throws(() => parseArgs(["--fast"]), /unknown option --fast/);
        assert.throws(() => parseArgs(["--runs", "0"]), /--runs takes a whole number ≥ 1/);
        assert.throws(() => parseArgs(["--sizes", "300,1e3.5"]), /--sizes takes a whole number/);
    });
});
