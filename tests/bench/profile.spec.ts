// The benchmark's reading of a CPU profile: self and inclusive time per function and per area,
// with idle time and the profiler's own work left out.

import * as assert from "assert";
import { type CpuProfile, PROBE_SCRIPT, summarizeProfile } from "../../bench/profile";

const ROOT = "/pack";
const frame = (functionName: string, url = "") => ({ functionName, url, lineNumber: 0 });

// root ─┬─ validate (dist) ─── deserializeProperties (SDK)
//       ├─ (garbage collector)
//       ├─ (idle)
//       └─ stop (the probe)
const profile: CpuProfile = {
    nodes: [
        { id: 1, callFrame: frame("(root)"), children: [2, 4, 5, 6] },
        { id: 2, callFrame: frame("validate", "file:///pack/dist/core/policy.js"), children: [3] },
        { id: 3, callFrame: frame("deserializeProperties", "file:///pack/node_modules/@pulumi/policy/deserialize.js") },
        { id: 4, callFrame: frame("(garbage collector)") },
        { id: 5, callFrame: frame("(idle)") },
        { id: 6, callFrame: frame("stop", `file:///tmp/bench/${PROBE_SCRIPT}`) },
    ],
    samples: [2, 3, 3, 3, 4, 5, 5, 6],
    timeDeltas: [1000, 1000, 1000, 1000, 1000, 5000, 5000, 9000],
};

describe("CPU profile summary", () => {
    const summary = summarizeProfile(profile, ROOT, {
        ours: (f) => f.url.includes("/pack/dist/"),
        decoding: (f) => f.functionName === "deserializeProperties",
    });

    it("leaves idle time and the probe out of the busy time", () => {
        assert.strictEqual(summary.busyMs, 5);
    });

    it("ranks functions by self time with their share", () => {
        assert.deepStrictEqual(summary.top[0], {
            function: "deserializeProperties",
            where: "node_modules/@pulumi/policy/deserialize.js:1",
            selfMs: 3,
            selfPercent: 60,
        });
        assert.deepStrictEqual(
            summary.top.map((e) => [e.function, e.selfPercent]),
            [
                ["deserializeProperties", 60],
                ["validate", 20],
                ["(garbage collector)", 20],
            ],
        );
    });

    it("counts a function's callees in its inclusive share", () => {
        assert.deepStrictEqual(summary.inclusive, { ours: 80, decoding: 60 });
    });

    it("groups self time by where the code lives", () => {
        assert.deepStrictEqual(summary.byArea, {
            "policy SDK (@pulumi/policy)": 60,
            "container-guard (dist/)": 20,
            "garbage collection": 20,
        });
    });
});
