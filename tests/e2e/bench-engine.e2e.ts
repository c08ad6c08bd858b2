// `npm run bench:engine -- --quick` end to end with the real toolchain: every part runs (previews with
// no pack, the one-policy pack and container-guard; `policy analyze --file` of a generated state
// file), the benchmark's own checks pass (every resource planned, values unknown during preview,
// each pack ran, container-guard reported findings), and the JSON it writes holds what the figures
// are made of. It takes minutes on a busy machine, hence an engine test rather than a spec.

import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { generateProgram } from "../../bench/engine-program";
import { stackResources } from "../../bench/resources";
import { requireToolchain, ROOT } from "../support/pulumi-engine";

interface Series {
    wallMs: number[];
    cpuMs: number[];
}

interface Part {
    resources: number;
    warmUp: Record<
        string,
        { planned?: number; workloadsWithUnknownValues?: number; policyEvents: number; policyPacks: string[] }
    >;
    runs: Record<string, Series>;
    wall: { medianMs: Record<string, number>; containerGuardVsOnePolicy: { value: number } };
    cpu?: { medianMs: Record<string, number>; containerGuardVsReporting?: { value: number } };
}

interface Report {
    partial?: boolean;
    quick?: boolean;
    commit?: string;
    toolchain: { cpuMeasured: boolean };
    preview: (Part & { workloads: number })[];
    analyze?: Part;
}

describe("real engine: npm run bench:engine -- --quick", function () {
    this.timeout(1_200_000);
    let bin = "";
    let dir = "";

    before(function () {
        bin = requireToolchain(this, true);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "container-guard-bench-engine-test-"));
    });

    after(() => {
        if (dir) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("previews and analyzes with every configuration and writes the JSON report", () => {
        const out = path.join(dir, "engine.json");
        const r = spawnSync(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", "bench/engine.ts", "--quick", "--out", out],
            {
                cwd: ROOT,
                env: { ...process.env, CONTAINER_GUARD_PULUMI_BIN: bin },
                encoding: "utf8",
                timeout: 1_100_000,
            },
        );
        assert.strictEqual(r.status, 0, `exit ${r.status} ${r.error?.message ?? ""}\n${r.stderr}\n${r.stdout}`);
        assert.match(r.stdout, /\| preview, 10 workloads \(\d+ resources\) \| wall \|/);
        assert.match(r.stdout, /\| policy analyze --file, 100 resources \| wall \|/);
        assert.match(r.stdout, /Quick run \(--quick\)/);

        const report = JSON.parse(fs.readFileSync(out, "utf8")) as Report;
        assert.strictEqual(report.partial, undefined, "the report is complete");
        assert.strictEqual(report.quick, true);
        assert.match(report.commit ?? "", /^[0-9a-f]{40}$/);

        const program = generateProgram(10);
        assert.ok(program.withUnknownValues > 0, "the quick program has values unknown during preview");
        assert.strictEqual(report.preview.length, 1);
        const [preview] = report.preview;
        assert.strictEqual(preview.workloads, 10);
        assert.strictEqual(preview.resources, program.resources);
        for (const key of ["none", "onePolicy", "containerGuard"]) {
            const warmUp = preview.warmUp[key];
            assert.strictEqual(warmUp.planned, program.resources, `${key}: every resource planned`);
            assert.strictEqual(warmUp.workloadsWithUnknownValues, program.withUnknownValues, key);
            assertOneTimedRun(preview.runs[key], report.toolchain.cpuMeasured, `preview ${key}`);
        }
        assert.deepStrictEqual(preview.warmUp.none.policyPacks, []);
        assert.deepStrictEqual(preview.warmUp.onePolicy.policyPacks, ["reference"]);
        assert.strictEqual(preview.warmUp.onePolicy.policyEvents, 0, "the trivial policy never reports");
        assert.deepStrictEqual(preview.warmUp.containerGuard.policyPacks, ["container-guard"]);
        assert.ok(preview.warmUp.containerGuard.policyEvents > program.workloads, "findings for every workload");
        assert.ok(preview.wall.containerGuardVsOnePolicy.value > 0);
        assert.strictEqual(Boolean(preview.cpu), report.toolchain.cpuMeasured);

        const analyze = report.analyze;
        assert.ok(analyze, "the analyze part ran");
        assert.strictEqual(analyze.resources, stackResources(100).length);
        assert.deepStrictEqual(Object.keys(analyze.runs).sort(), ["containerGuard", "onePolicy", "reportingPolicy"]);
        for (const key of ["onePolicy", "containerGuard", "reportingPolicy"]) {
            assertOneTimedRun(analyze.runs[key], report.toolchain.cpuMeasured, `analyze ${key}`);
        }
        const findings = analyze.warmUp.containerGuard.policyEvents;
        assert.ok(findings > 0);
        // The reporting pack reports as many findings as container-guard does in process (the CLI may count a few
        // less: within a tenth).
        const reported = analyze.warmUp.reportingPolicy.policyEvents;
        assert.ok(
            Math.abs(reported - findings) <= findings / 10,
            `reporting pack ${reported}, container-guard ${findings}`,
        );
        assert.ok(analyze.cpu === undefined || analyze.cpu.containerGuardVsReporting !== undefined);
    });
});

function assertOneTimedRun(series: Series | undefined, cpuMeasured: boolean, what: string): void {
    assert.ok(series, what);
    assert.strictEqual(series.wallMs.length, 1, `${what}: one round`);
    assert.ok(series.wallMs[0] > 0, `${what}: wall time`);
    if (cpuMeasured) {
        // Every started process's CPU: something, and no more than the machine's cores can do in that time
        // (plus the little the wrapper reaps after the CLI exits).
        const cpu = series.cpuMs[0];
        assert.ok(cpu > 0 && cpu < os.cpus().length * series.wallMs[0] + 2000, `${what}: CPU ${cpu} ms`);
    }
}
