// bench/startup.ts: start-ups are paired by round (index i of every pack is round i), which the bench's intervals rely
// on, and the probe's phases add up to the start-up they were taken from.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROBE_SCRIPT } from "../../bench/profile";
import { transpile, writeReferencePack } from "../../bench/reference-packs";
import { measureStartups, medianPhases } from "../../bench/startup";
import { rotate } from "../../bench/stats";
import { skipUnlessBuilt } from "../support/built";

const ROOT = path.resolve(__dirname, "../..");

describe("bench: start-up measurement", function () {
    this.timeout(120_000);
    before(skipUnlessBuilt(path.join(ROOT, "dist/pack.js")));

    let work: string;
    before(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), "cg-startup-spec-"))));
    after(() => fs.rmSync(work, { recursive: true, force: true }));

    it("rotates the order so that every pack goes first equally often", () => {
        const firsts = [0, 1, 2, 3, 4, 5].map((round) => rotate(["a", "b", "c"], round)[0]);
        assert.deepStrictEqual(firsts, ["a", "b", "c", "a", "b", "c"]);
        assert.deepStrictEqual([...rotate(["a", "b", "c"], 4)].sort(), ["a", "b", "c"]);
    });

    it("starts every pack once per round and times the phases of each start", async () => {
        const probe = path.join(work, PROBE_SCRIPT);
        transpile(path.join(ROOT, "bench", "probe.ts"), probe);
        const packs = [
            { key: "container-guard", label: "container-guard", dir: ROOT, env: {} },
            { key: "one-policy", label: "one-policy", dir: writeReferencePack(work, "one-policy", ROOT), env: {} },
        ];
        const rounds: string[] = [];
        const got = await measureStartups(packs, 2, { probe, warmUp: false, log: (m) => rounds.push(m) });
        assert.deepStrictEqual(rounds, ["start-up: round 1/2", "start-up: round 2/2"]);
        for (const key of ["container-guard", "one-policy"]) {
            const s = got[key];
            assert.strictEqual(s.wallMs.length, 2, key);
            assert.strictEqual(s.cpuMs.length, 2, key);
            assert.deepStrictEqual(Object.keys(s.phases), [
                "typescript",
                "tsNode",
                "policySdk",
                "packModules",
                "rest",
                "total",
            ]);
            for (let i = 0; i < 2; i++) {
                const p = Object.fromEntries(Object.entries(s.phases).map(([k, v]) => [k, v[i]]));
                assert.strictEqual(p.total, s.wallMs[i], `${key}: the phases are of the start they are paired with`);
                const parts = p.typescript + p.tsNode + p.policySdk + p.packModules + p.rest;
                assert.ok(Math.abs(parts - p.total) < 1e-6, `${key}: the phases add up to the start-up`);
                assert.ok(p.packModules > 0 && p.typescript > 0 && p.policySdk > 0, JSON.stringify(p));
            }
        }
        const medians = medianPhases(got["container-guard"]);
        assert.strictEqual(
            medians.total,
            Math.round((got["container-guard"].wallMs[0] + got["container-guard"].wallMs[1]) / 2),
        );
    });
});
