// The scan command's heap tuning: which V8 flags it sets, when, and that it leaves alone what the user tuned. V8's
// own reaction to the flags is measured by the scan benchmark (docs/scanning.md#speed), not here.

import * as assert from "assert";
import * as v8 from "v8";
import { type HeapControls, heapTuner, heapTuning } from "../../cli/heap";

const MiB = 1024 * 1024;

/** Controls that record the flags set, with a young generation of the size the test says. */
function fakeControls(size: () => number | undefined) {
    const flags: string[] = [];
    let reads = 0;
    const controls: HeapControls = {
        youngGenerationSize: () => {
            reads++;
            return size();
        },
        setFlags: (f) => flags.push(f),
    };
    return { controls, flags, reads: () => reads };
}

function callTimes(check: () => void, n: number): void {
    for (let i = 0; i < n; i++) {
        check();
    }
}

describe("scan: heap tuning", () => {
    it("sets the growing factor at once, and stops the young generation's growth once it reaches 16 MiB", () => {
        let size = 1 * MiB;
        const fake = fakeControls(() => size);
        const tuning = heapTuner([], fake.controls);
        assert.deepStrictEqual(fake.flags, ["--heap-growing-percent=25"]);

        callTimes(() => tuning.check(), 64);
        size = 8 * MiB;
        callTimes(() => tuning.check(), 64);
        assert.deepStrictEqual(fake.flags, ["--heap-growing-percent=25"], "not below the limit");

        size = 16 * MiB;
        callTimes(() => tuning.check(), 8);
        assert.deepStrictEqual(fake.flags, ["--heap-growing-percent=25", "--semi-space-growth-factor=1"]);

        const reads = fake.reads();
        callTimes(() => tuning.check(), 64);
        assert.strictEqual(fake.flags.length, 2, "set once");
        assert.strictEqual(fake.reads(), reads, "no more reads once capped");
    });

    it("reads the young generation's size once every 8 calls (a call per resource judged)", () => {
        const fake = fakeControls(() => 1 * MiB);
        const tuning = heapTuner([], fake.controls);
        callTimes(() => tuning.check(), 80);
        assert.strictEqual(fake.reads(), 10);
    });

    it("leaves the growing factor to the user who set it or the old generation's size", () => {
        for (const given of [
            ["--heap-growing-percent=50"],
            ["--max-old-space-size=512"],
            ["", "--max_old_space_size=512"], // NODE_OPTIONS, written with underscores
        ]) {
            const fake = fakeControls(() => 32 * MiB);
            const tuning = heapTuner(given, fake.controls);
            callTimes(() => tuning.check(), 8);
            assert.deepStrictEqual(fake.flags, ["--semi-space-growth-factor=1"], given.join(" "));
        }
    });

    it("leaves the young generation to the user who sized it", () => {
        for (const given of [["--max-semi-space-size=64"], ["", "--min_semi_space_size=4"]]) {
            const fake = fakeControls(() => 32 * MiB);
            const tuning = heapTuner(given, fake.controls);
            callTimes(() => tuning.check(), 64);
            assert.deepStrictEqual(fake.flags, ["--heap-growing-percent=25"], given.join(" "));
            assert.strictEqual(fake.reads(), 0);
        }
    });

    it("leaves the young generation alone when V8 does not report its size", () => {
        const fake = fakeControls(() => undefined);
        const tuning = heapTuner([], fake.controls);
        callTimes(() => tuning.check(), 64);
        assert.deepStrictEqual(fake.flags, ["--heap-growing-percent=25"]);
        assert.strictEqual(fake.reads(), 1, "asked once, then left alone");
    });

    it("finds the young generation in this V8's heap statistics", () => {
        // The name the V8 controls look for: were it renamed, the cap would silently never apply.
        const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
        assert.ok(young && young.space_size > 0);
    });

    it("sets no V8 flag when the scan runs in process (tests, programs calling run())", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const v8Module = require("v8") as typeof v8;
        const original = v8Module.setFlagsFromString;
        const set: string[] = [];
        v8Module.setFlagsFromString = (flags: string) => void set.push(flags);
        try {
            callTimes(() => heapTuning().check(), 64);
        } finally {
            v8Module.setFlagsFromString = original;
        }
        assert.deepStrictEqual(set, []);
    });
});
