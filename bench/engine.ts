// `npm run bench:engine`: what a policy pack adds to the Pulumi CLI's own work, measured end to end.
//
// 1. `pulumi preview` of generated TypeScript programs (bench/engine-program.ts: N Kubernetes workloads
//    of mixed kinds, some values unknown during preview) with the toolchain's CLI, our language host
//    and the Kubernetes provider in render mode (no cluster), three ways: no pack, the one-trivial-
//    policy reference pack (bench/reference-pack.ts), and container-guard with config/advisory.json.
// 2. `pulumi policy analyze --file` of a generated state file (bench/resources.ts, stack export
//    format), container-guard (advisory) against the one-policy pack.
//
// Each configuration runs once first, with engine events streamed as JSON, to warm caches (plugin
// loads, the OS's file cache) and to check what the run did (every resource planned, values unknown
// during preview, the pack loaded, findings reported). Timed runs then go round by round, each round
// running every configuration once in a rotated order, so drift in the machine's load reaches all
// configurations alike. Each run's wall time and the CPU time of every process it started (the CLI,
// the provider, the language hosts, the program and the pack) are taken; reported are medians, ms per
// resource above the baseline, and container-guard ÷ one-policy with a paired bootstrap 95% interval
// over rounds (bench/stats.ts). Writes JSON to bench/results/engine.json by default.
//
// Options: --sizes 300,1000 (workloads per program), --runs 5 (timed runs per configuration),
// --state-resources 10000 (0 skips the analyze part), --analyze-only, --timeout 1800 (seconds per CLI
// call), --seed N, --out FILE, --keep-temp, --packs-only (previews with the two packs alone, without the
// no-pack configuration: a third less time for the comparison the target is about, without the ms per
// resource above no pack). --quick checks that everything runs, not how fast: 10
// workloads, 1 round, a state file of 100 resources, written to bench/results/engine-quick.json (the
// other options still apply). Its figures are start-up time, not cost per resource.

import { type ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { generateProgram, type GeneratedProgram, WORKLOAD_KINDS } from "./engine-program";
import { writeReferencePack } from "./reference-packs";
import { stateFile } from "../tests/support/pulumi-engine";
import { stackResources, typeCounts } from "./resources";
import {
    differenceOfMedians,
    formatEstimate,
    type Interval,
    median,
    ratioOfMedians,
    relativeSpread,
    rotate,
    verdict,
    type Verdict,
} from "./stats";
import { UNKNOWN } from "../src/engine/protocol";
import { type EngineResource, LocalEngine, type PolicyPackConfig } from "../src/engine/local-engine";
import { allPolicies } from "../policies";

const ROOT = path.resolve(__dirname, "..");
const STACK = "bench";
const PASSPHRASE = "container-guard bench";
/** container-guard ÷ one-policy pack, at every size and for analyze. */
const TARGET_RATIO = 1.03;
/** The profile the issue names: every policy reports, nothing blocks. */
const ADVISORY_CONFIG = path.join(ROOT, "config", "advisory.json");

export interface Options {
    readonly sizes: readonly number[];
    readonly runs: number;
    readonly stateResources: number;
    readonly preview: boolean;
    readonly timeoutMs: number;
    readonly seed: number;
    readonly out: string;
    readonly keepTemp: boolean;
    readonly quick: boolean;
    readonly packsOnly: boolean;
}

export function parseArgs(argv: readonly string[]): Options {
    const known = ["--sizes", "--runs", "--state-resources", "--timeout", "--seed", "--out"];
    const flags = ["--analyze-only", "--keep-temp", "--quick", "--packs-only"];
    for (let i = 0; i < argv.length; i++) {
        if (known.includes(argv[i])) {
            i++;
        } else if (!flags.includes(argv[i])) {
            throw new Error(`unknown option ${argv[i]} (options: ${[...known, ...flags].join(", ")})`);
        }
    }
    const arg = (flag: string) => {
        const i = argv.indexOf(flag);
        return i >= 0 ? argv[i + 1] : undefined;
    };
    const whole = (flag: string, text: string | undefined, fallback: number, min = 1) => {
        const n = Number(text ?? fallback);
        if (!Number.isInteger(n) || n < min) {
            throw new Error(`${flag} takes a whole number ≥ ${min}, not ${text}`);
        }
        return n;
    };
    const quick = argv.includes("--quick");
    const sizes = (arg("--sizes") ?? (quick ? "10" : "300,1000")).split(",").map((s) => whole("--sizes", s.trim(), 0));
    return {
        sizes,
        runs: whole("--runs", arg("--runs"), quick ? 1 : 5),
        stateResources: whole("--state-resources", arg("--state-resources"), quick ? 100 : 10000, 0),
        preview: !argv.includes("--analyze-only"),
        timeoutMs: whole("--timeout", arg("--timeout"), 1800) * 1000,
        seed: whole("--seed", arg("--seed"), 20260301, 0),
        // A quick run must not replace the recorded full-size figures.
        out: path.resolve(
            arg("--out") ?? path.join(ROOT, "bench", "results", quick ? "engine-quick.json" : "engine.json"),
        ),
        keepTemp: argv.includes("--keep-temp"),
        quick,
        packsOnly: argv.includes("--packs-only"),
    };
}

const began = performance.now();

function log(message: string): void {
    process.stderr.write(`[${Math.round((performance.now() - began) / 1000)} s] ${message}\n`);
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The toolchain's bin directory with the Kubernetes provider: $CONTAINER_GUARD_PULUMI_BIN, else what
 * `scripts/pulumi-toolchain.sh --check --with-kubernetes` reports (it never builds).
 */
function findToolchain(): string {
    const needed = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes"];
    const build =
        "build it with `scripts/pulumi-toolchain.sh --with-kubernetes` (about 15 minutes from cold Go caches " +
        "on 2 cores), or point CONTAINER_GUARD_PULUMI_BIN at a directory holding " +
        needed.join(", ");
    const explicit = process.env.CONTAINER_GUARD_PULUMI_BIN;
    if (explicit) {
        const missing = needed.filter((b) => !fs.existsSync(path.join(explicit, b)));
        if (missing.length > 0) {
            throw new Error(`CONTAINER_GUARD_PULUMI_BIN=${explicit} lacks ${missing.join(", ")}: ${build}`);
        }
        return explicit;
    }
    const r = spawnSync("bash", [path.join(ROOT, "scripts", "pulumi-toolchain.sh"), "--check", "--with-kubernetes"], {
        encoding: "utf8",
    });
    const bin = (r.stdout ?? "").trim();
    if (r.status !== 0 || !bin) {
        const why = (r.stderr || r.stdout || `exit ${r.status}`).trim();
        throw new Error(`the Pulumi toolchain with the Kubernetes provider is not built (${why}): ${build}`);
    }
    return bin;
}

/**
 * Runs a command as a child subreaper (prctl PR_SET_CHILD_SUBREAPER): processes the CLI starts and
 * does not wait for (the language hosts, the pack's node process) are re-parented to it instead of
 * to init, and it reaps them, so RUSAGE_CHILDREN covers the CPU time of everything the run started.
 * argv: output file, command...; prints one JSON line: status, wall ms (start to the CLI's exit),
 * CPU ms, processes reaped after the CLI exited.
 */
const REAPER = `
import ctypes, json, os, resource, subprocess, sys, time
subreaper = ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0
with open(sys.argv[1], "wb") as out:
    t0 = time.monotonic()
    p = subprocess.Popen(sys.argv[2:], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    status = p.wait()
    wall = time.monotonic() - t0
orphans = 0
while True:
    try:
        os.wait()
        orphans += 1
    except ChildProcessError:
        break
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"status": status, "wallMs": wall * 1000, "cpuMs": (r.ru_utime + r.ru_stime) * 1000,
                  "orphans": orphans, "subreaper": subreaper}))
`;

/** Whether python3 can run the reaper here; without it runs are timed in Node and CPU time is not known. */
function reaperWorks(): boolean {
    const r = spawnSync("python3", ["-c", REAPER, "/dev/null", "true"], { encoding: "utf8", timeout: 30_000 });
    try {
        return r.status === 0 && (JSON.parse(r.stdout) as { subreaper: boolean }).subreaper;
    } catch {
        return false;
    }
}

interface Run {
    readonly status: number | null;
    readonly wallMs: number;
    /** CPU time (user + system) of every process the run started; undefined without the reaper. */
    readonly cpuMs?: number;
    /** 1-minute load average when the run started. */
    readonly load1: number;
}

/** The process group of the run in progress, killed on timeout or interrupt. */
let current: ChildProcess | undefined;

function killCurrent(): void {
    if (current?.pid !== undefined && current.exitCode === null && current.signalCode === null) {
        try {
            process.kill(-current.pid, "SIGKILL");
        } catch {
            // already gone
        }
    }
}

class Cli {
    readonly env: NodeJS.ProcessEnv;
    private readonly reaper: boolean;

    constructor(
        readonly bin: string,
        readonly work: string,
        private readonly timeoutMs: number,
    ) {
        const env: NodeJS.ProcessEnv = { ...process.env };
        for (const k of Object.keys(env)) {
            // No Pulumi Cloud, backend, stack or tracing settings, no cluster and no reference-pack
            // sizes from the caller's shell.
            if (k.startsWith("PULUMI_") || k.startsWith("BENCH_") || k === "KUBECONFIG") {
                delete env[k];
            }
        }
        this.env = {
            ...env,
            PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
            PULUMI_HOME: path.join(work, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            // The programs are type-checked by tests/bench/engine-program.spec.ts; ts-node only
            // transpiles them here (type-checking a 1,000-workload program adds seconds of noise to
            // every configuration alike).
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            // Never the caller's cluster: the provider renders YAML instead (set per stack).
            KUBECONFIG: path.join(work, "no-kubeconfig"),
        };
        fs.mkdirSync(path.join(work, "state"), { recursive: true });
        this.reaper = reaperWorks();
        if (!this.reaper) {
            log("python3 with prctl is not available: CPU time is not measured, only wall time");
        }
    }

    get measuresCpu(): boolean {
        return this.reaper;
    }

    /** An untimed call (set-up); throws with the CLI's output on failure. */
    ok(args: readonly string[], cwd: string): string {
        const r = spawnSync(path.join(this.bin, "pulumi"), [...args, "--color", "never"], {
            cwd,
            env: this.env,
            encoding: "utf8",
            timeout: this.timeoutMs,
        });
        if (r.error || r.status !== 0) {
            throw new Error(
                `pulumi ${args.join(" ")} failed (${r.error?.message ?? `exit ${r.status}`})\n${r.stdout}${r.stderr}`,
            );
        }
        return r.stdout;
    }

    /** A timed call: stdout and stderr go to `outFile` (read after the run, so not while timing). */
    run(args: readonly string[], cwd: string, outFile: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
        const command = [path.join(this.bin, "pulumi"), ...args, "--color", "never"];
        const env = { ...this.env, ...extraEnv };
        const load1 = round1(os.loadavg()[0]);
        const t0 = performance.now();
        return new Promise<Run>((resolve, reject) => {
            let child: ChildProcess;
            let out: number | undefined;
            if (this.reaper) {
                child = spawn("python3", ["-c", REAPER, outFile, ...command], {
                    cwd,
                    env,
                    detached: true,
                    stdio: ["ignore", "pipe", "pipe"],
                });
            } else {
                out = fs.openSync(outFile, "w");
                child = spawn(command[0], command.slice(1), { cwd, env, detached: true, stdio: ["ignore", out, out] });
            }
            current = child;
            let stdout = "";
            let stderr = "";
            child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
            child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
            const timer = setTimeout(() => {
                killCurrent();
                reject(new Error(`pulumi ${args.join(" ")} took longer than ${this.timeoutMs / 1000} s (--timeout)`));
            }, this.timeoutMs);
            child.on("error", (err) => {
                clearTimeout(timer);
                reject(err);
            });
            child.on("close", (code) => {
                const wallMs = performance.now() - t0;
                clearTimeout(timer);
                current = undefined;
                if (out !== undefined) {
                    fs.closeSync(out);
                }
                if (!this.reaper) {
                    resolve({ status: code, wallMs, load1 });
                    return;
                }
                try {
                    const r = JSON.parse(stdout.trim().split("\n").pop() ?? "") as {
                        status: number;
                        wallMs: number;
                        cpuMs: number;
                    };
                    resolve({ status: r.status, wallMs: r.wallMs, cpuMs: r.cpuMs, load1 });
                } catch {
                    reject(new Error(`the timing wrapper failed (exit ${code}): ${stderr.trim() || stdout.trim()}`));
                }
            });
        });
    }
}

type ConfigKey = "none" | "onePolicy" | "containerGuard" | "reportingPolicy";

/** What each preview configuration is compared with (each pair is reported as "<configuration> above <baseline>"). */
const PREVIEW_BASELINES: readonly (readonly [ConfigKey, ConfigKey])[] = [
    ["onePolicy", "none"],
    ["containerGuard", "none"],
    ["containerGuard", "onePolicy"],
];

interface Configuration {
    readonly key: ConfigKey;
    readonly label: string;
    /** --policy-pack and --policy-pack-config arguments. */
    readonly args: readonly string[];
    /** The pack name the engine must report as run (undefined: no pack). */
    readonly pack?: string;
    /** Environment for the CLI and the pack it starts. */
    readonly env?: NodeJS.ProcessEnv;
}

/** NDJSON engine events; lines that are not JSON objects (the CLI's own output) are skipped. */
function readEvents(file: string): Record<string, unknown>[] {
    const events: Record<string, unknown>[] = [];
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        if (line.startsWith("{")) {
            try {
                events.push(JSON.parse(line) as Record<string, unknown>);
            } catch {
                // not an event
            }
        }
    }
    return events;
}

interface Check {
    /** Resources the engine planned to create (custom resources, without providers and the stack). */
    readonly planned?: number;
    /** Planned workloads whose inputs held a value unknown during preview. */
    readonly workloadsWithUnknownValues?: number;
    readonly policyEvents: number;
    readonly policyPacks: string[];
}

/** What the JSON warm-up run shows; throws if the run did not do what the benchmark claims to measure. */
function check(file: string, run: Run, config: Configuration, program?: GeneratedProgram): Check {
    const tail = () => fs.readFileSync(file, "utf8").slice(-4000);
    if (run.status !== 0) {
        throw new Error(`${config.label}: pulumi exited ${run.status}\n${tail()}`);
    }
    const events = readEvents(file);
    type Summary = { result?: string; PolicyPacks?: Record<string, string> };
    const summary = events.find((e) => e.summaryEvent)?.summaryEvent as Summary | undefined;
    if (summary?.result !== "succeeded") {
        throw new Error(`${config.label}: no successful summary event\n${tail()}`);
    }
    // Local packs are keyed "<name>|local|<path>" in previews, "<name>" in `policy analyze`.
    const policyPacks = Object.keys(summary.PolicyPacks ?? {}).map((k) => k.split("|")[0]);
    if (config.pack ? !policyPacks.includes(config.pack) : policyPacks.length > 0) {
        throw new Error(`${config.label}: the engine ran packs [${policyPacks.join(", ")}]`);
    }
    const policyEvents = events.filter((e) => e.policyEvent).length;
    if (config.key === "containerGuard" && policyEvents === 0) {
        throw new Error(`${config.label}: container-guard reported nothing; it cannot have judged the resources`);
    }
    if (!program) {
        return { policyEvents, policyPacks };
    }
    type Step = { op: string; type: string; new?: { inputs?: unknown } };
    const steps = events.flatMap((e) => {
        const step = (e.resourcePreEvent as { metadata?: Step } | undefined)?.metadata;
        return step && step.op === "create" && !step.type.startsWith("pulumi:") ? [step] : [];
    });
    if (steps.length !== program.resources) {
        throw new Error(
            `${config.label}: the engine planned ${steps.length} resources, the program has ${program.resources}`,
        );
    }
    const workloadTypes: readonly string[] = WORKLOAD_KINDS.map((k) => k.type);
    const workloadsWithUnknownValues = steps.filter(
        (s) => workloadTypes.includes(s.type) && JSON.stringify(s.new?.inputs ?? {}).includes(UNKNOWN),
    ).length;
    if (workloadsWithUnknownValues !== program.withUnknownValues) {
        throw new Error(
            `${config.label}: ${workloadsWithUnknownValues} workloads had values unknown during preview, ` +
                `the program computes values from the registry's status in ${program.withUnknownValues}`,
        );
    }
    return { planned: steps.length, workloadsWithUnknownValues, policyEvents, policyPacks };
}

/** A timed run must succeed and, with a pack, show that the pack ran (the text display names it). */
function checkTimed(file: string, run: Run, config: Configuration): void {
    const text = fs.readFileSync(file, "utf8");
    if (run.status !== 0) {
        throw new Error(`${config.label}: pulumi exited ${run.status}\n${text.slice(-4000)}`);
    }
    if (config.key === "containerGuard" && !text.includes(`${config.pack}@v`)) {
        throw new Error(`${config.label}: the output names no ${config.pack} findings\n${text.slice(-4000)}`);
    }
}

interface Series {
    wallMs: number[];
    cpuMs: number[];
    load1: number[];
    /** Position of the configuration within its round (0 = first). */
    position: number[];
}

/** Warm-up (checked JSON run) per configuration, then `runs` rounds in rotated order. */
async function measure(
    cli: Cli,
    configs: readonly Configuration[],
    runs: number,
    what: string,
    command: (config: Configuration, json: boolean) => { args: string[]; cwd: string; env?: NodeJS.ProcessEnv },
    program?: GeneratedProgram,
): Promise<{ series: Record<string, Series>; checks: Record<string, Check> }> {
    const out = path.join(cli.work, "output.txt");
    const checks: Record<string, Check> = {};
    for (const config of configs) {
        const c = command(config, true);
        const run = await cli.run(c.args, c.cwd, out, c.env);
        checks[config.key] = check(out, run, config, program);
        log(
            `${what}: warm-up ${config.label}: ${round1(run.wallMs / 1000)} s, ` +
                `${checks[config.key].policyEvents} findings`,
        );
    }
    const series: Record<string, Series> = {};
    for (let r = 0; r < runs; r++) {
        const times: string[] = [];
        for (const [position, config] of rotate(configs, r).entries()) {
            const c = command(config, false);
            const run = await cli.run(c.args, c.cwd, out, c.env);
            checkTimed(out, run, config);
            const s = (series[config.key] ??= { wallMs: [], cpuMs: [], load1: [], position: [] });
            s.wallMs.push(round1(run.wallMs));
            s.cpuMs.push(round1(run.cpuMs ?? NaN));
            s.load1.push(run.load1);
            s.position.push(position);
            times.push(`${config.key} ${round1(run.wallMs / 1000)} s`);
        }
        log(`${what}: round ${r + 1}/${runs}: ${times.join(", ")} (load ${round1(os.loadavg()[0])})`);
    }
    return { series, checks };
}

interface Estimate extends Interval {
    readonly value: number;
}

const est = (e: Estimate): Estimate => ({ value: round3(e.value), low: round3(e.low), high: round3(e.high) });

interface Comparison {
    /** Medians per configuration. */
    readonly medianMs: Record<string, number>;
    /** (max − min) ÷ median per configuration. */
    readonly spread: Record<string, number>;
    /** ms per resource above the baseline, for each configuration compared with it. */
    readonly msPerResourceAbove: Record<string, Estimate>;
    readonly containerGuardVsOnePolicy: Estimate;
    readonly target: Verdict;
    /** container-guard ÷ the one-policy pack that reports as many findings (analyze only). */
    readonly containerGuardVsReporting?: Estimate;
}

function compare(
    series: Record<string, Series>,
    metric: "wallMs" | "cpuMs",
    resources: number,
    baselines: readonly (readonly [ConfigKey, ConfigKey])[],
): Comparison {
    const values = (k: ConfigKey) => series[k][metric];
    const ratio = ratioOfMedians(values("containerGuard"), values("onePolicy"));
    return {
        medianMs: Object.fromEntries(Object.entries(series).map(([k, s]) => [k, round1(median(s[metric]))])),
        spread: Object.fromEntries(Object.entries(series).map(([k, s]) => [k, round3(relativeSpread(s[metric]))])),
        msPerResourceAbove: Object.fromEntries(
            baselines.map(([k, base]) => [
                `${k} above ${base}`,
                est(differenceOfMedians(values(k), values(base), resources)),
            ]),
        ),
        containerGuardVsOnePolicy: est(ratio),
        target: verdict(ratio, TARGET_RATIO),
        ...(series.reportingPolicy && {
            containerGuardVsReporting: est(ratioOfMedians(values("containerGuard"), values("reportingPolicy"))),
        }),
    };
}

interface PreviewResult {
    readonly workloads: number;
    readonly resources: number;
    readonly program: Omit<GeneratedProgram, "files">;
    readonly warmUp: Record<string, Check>;
    readonly runs: Record<string, Series>;
    readonly wall: Comparison;
    readonly cpu?: Comparison;
}

interface AnalyzeResult {
    readonly resources: number;
    readonly types: Record<string, number>;
    readonly warmUp: Record<string, Check>;
    readonly runs: Record<string, Series>;
    readonly wall: Comparison;
    readonly cpu?: Comparison;
}

async function benchPreview(
    cli: Cli,
    configs: readonly Configuration[],
    workloads: number,
    options: Options,
): Promise<PreviewResult> {
    const program = generateProgram(workloads, options.seed);
    const dir = path.join(cli.work, "programs", String(workloads));
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, content] of Object.entries(program.files)) {
        fs.writeFileSync(path.join(dir, name), content);
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    cli.ok(["stack", "init", STACK, "--non-interactive"], dir);
    // Render mode: the provider needs no cluster (a preview writes nothing; `up` would write YAML).
    cli.ok(["config", "set", "--stack", STACK, "kubernetes:renderYamlToDirectory", path.join(dir, "rendered")], dir);
    log(
        `preview ${workloads}: program written (${program.resources} resources, ` +
            `${program.withUnknownValues} with unknown values)`,
    );

    const { series, checks } = await measure(
        cli,
        configs,
        options.runs,
        `preview ${workloads}`,
        (config, json) => ({
            args: ["preview", "--stack", STACK, "--non-interactive", ...(json ? ["--json"] : []), ...config.args],
            cwd: dir,
            // Without this, `preview --json` prints a digest without policy events.
            env: json ? { PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "true" } : {},
        }),
        program,
    );
    const measured = new Set(configs.map((c) => c.key));
    const baselines = PREVIEW_BASELINES.filter(([k, base]) => measured.has(k) && measured.has(base));
    const { files: _files, ...shape } = program;
    return {
        workloads,
        resources: program.resources,
        program: shape,
        warmUp: checks,
        runs: series,
        wall: compare(series, "wallMs", program.resources, baselines),
        ...(cli.measuresCpu && { cpu: compare(series, "cpuMs", program.resources, baselines) }),
    };
}

async function benchAnalyze(cli: Cli, configs: readonly Configuration[], options: Options): Promise<AnalyzeResult> {
    const resources = stackResources(options.stateResources);
    const file = path.join(cli.work, `state-${options.stateResources}.json`);
    fs.writeFileSync(file, JSON.stringify(stateFile(resources, "shop", "prod")));
    log(
        `analyze: state file of ${resources.length} resources written ` +
            `(${Math.round(fs.statSync(file).size / 2 ** 20)} MiB)`,
    );
    // The one-policy pack reports nothing; the CLI's printing of container-guard's findings is part of what a
    // run costs. A third pack reports as many findings (counted here, in process) from one trivial policy.
    const findings = await containerGuardFindings(resources);
    log(`analyze: container-guard reports ${findings} findings in process; the reporting pack reports as many`);
    const reporting: Configuration = {
        key: "reportingPolicy",
        label: "one-policy pack reporting as many findings",
        args: ["--policy-pack", writeReferencePack(cli.work, "reporting-policy", ROOT)],
        pack: "reference",
        env: { BENCH_REFERENCE_FINDINGS: String(findings), BENCH_REFERENCE_RESOURCES: String(resources.length) },
    };
    const packs = [...configs.filter((c) => c.pack), reporting];
    const { series, checks } = await measure(
        cli,
        packs,
        options.runs,
        `analyze ${resources.length}`,
        (config, json) => ({
            args: ["policy", "analyze", "--file", file, ...(json ? ["--json"] : []), ...config.args],
            cwd: cli.work,
            env: config.env,
        }),
    );
    const baselines: [ConfigKey, ConfigKey][] = [
        ["containerGuard", "onePolicy"],
        ["containerGuard", "reportingPolicy"],
        ["reportingPolicy", "onePolicy"],
    ];
    return {
        resources: resources.length,
        types: typeCounts(resources),
        warmUp: checks,
        runs: series,
        wall: compare(series, "wallMs", resources.length, baselines),
        ...(cli.measuresCpu && { cpu: compare(series, "cpuMs", resources.length, baselines) }),
    };
}

/** How many findings container-guard (advisory) reports on the resources: Analyze of each, then AnalyzeStack. */
async function containerGuardFindings(resources: readonly EngineResource[]): Promise<number> {
    const config = JSON.parse(fs.readFileSync(ADVISORY_CONFIG, "utf8")) as PolicyPackConfig;
    const engine = new LocalEngine({ name: "container-guard", version: "0.0.0", policies: allPolicies }, config);
    let count = 0;
    for (const r of resources) {
        count += (await engine.analyze(r)).violations.length;
    }
    return count + (await engine.analyzeStack([...resources])).violations.length;
}

/**
 * What each pack adds per resource between the smallest and the largest program, and the fixed part
 * (mostly the pack's start-up), from the medians: the slope and intercept of (pack − no pack) over
 * the resource count.
 */
interface Marginal {
    readonly fromResources: number;
    readonly toResources: number;
    readonly msPerResource: Record<string, number>;
    readonly fixedMs: Record<string, number>;
}

function marginal(preview: readonly PreviewResult[], metric: "wall" | "cpu"): Marginal | undefined {
    const sorted = [...preview].sort((a, b) => a.resources - b.resources);
    const [small, large] = [sorted[0], sorted[sorted.length - 1]];
    if (sorted.length < 2 || small.resources === large.resources || !small[metric] || !large[metric]) {
        return undefined;
    }
    const pairs = PREVIEW_BASELINES.filter(([k, base]) =>
        [small, large].every((p) => k in p[metric]!.medianMs && base in p[metric]!.medianMs),
    ).map(([k, base]) => [`${k} above ${base}`, k, base] as const);
    const diff = (p: PreviewResult, k: ConfigKey, base: ConfigKey) =>
        p[metric]!.medianMs[k] - p[metric]!.medianMs[base];
    const slope = (k: ConfigKey, base: ConfigKey) =>
        (diff(large, k, base) - diff(small, k, base)) / (large.resources - small.resources);
    return {
        fromResources: small.resources,
        toResources: large.resources,
        msPerResource: Object.fromEntries(pairs.map(([label, k, base]) => [label, round3(slope(k, base))])),
        fixedMs: Object.fromEntries(
            pairs.map(([label, k, base]) => [label, round1(diff(small, k, base) - slope(k, base) * small.resources)]),
        ),
    };
}

interface Report {
    readonly date: string;
    readonly command: string;
    /** Set while parts are still to come (the file is rewritten after each part). */
    readonly partial?: boolean;
    /** Set for --quick: the run shows that the benchmark works; its figures are mostly start-up time. */
    readonly quick?: boolean;
    readonly commit?: string;
    readonly uncommittedChanges: boolean;
    readonly machine: {
        node: string;
        cpu: string;
        cores: number;
        memoryGiB: number;
        loadAverageAtStart: number[];
        loadAverageAtEnd: number[];
    };
    readonly toolchain: { bin: string; pulumi: string; cpuMeasured: boolean };
    readonly method: string;
    readonly runs: number;
    readonly targetRatio: number;
    readonly configurations: Record<string, string>;
    readonly preview: PreviewResult[];
    readonly betweenSizes?: { wall?: Marginal; cpu?: Marginal };
    readonly analyze?: AnalyzeResult;
}

function git(...args: string[]): string | undefined {
    const r = spawnSync("git", args, { cwd: ROOT, encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : undefined;
}

function render(r: Report): string {
    const s = (ms: number) => (Number.isNaN(ms) ? "—" : `${(ms / 1000).toFixed(2)} s`);
    const e = (x: Estimate | undefined, digits = 2) => (x ? formatEstimate(x, digits) : "—");
    const pct = (x: number) => `±${Math.round((x * 100) / 2)}%`;
    const lines = [
        `Engine benchmark, ${r.date}; commit ${(r.commit ?? "unknown").slice(0, 12)}` +
            `${r.uncommittedChanges ? " + uncommitted changes" : ""}; ${r.toolchain.pulumi}`,
        `${r.machine.cpu} × ${r.machine.cores}, Node ${r.machine.node}; load average ` +
            `${r.machine.loadAverageAtStart.join(" ")} → ${r.machine.loadAverageAtEnd.join(" ")}`,
        `Median of ${r.runs} runs per configuration, rounds in rotated order; [95% paired bootstrap interval]; ` +
            `CPU = user + system time of every process a run started`,
        ...(r.quick
            ? ["Quick run (--quick): it shows that every part works; at this size the figures are mostly start-up."]
            : []),
        "",
        "| | | no pack | one-policy pack | container-guard (advisory) | ms/resource above no pack: " +
            "one-policy / container-guard | container-guard above one-policy, ms/resource | " +
            `container-guard ÷ one-policy (target ≤ ${r.targetRatio}) |`,
        "|---|---|---:|---:|---:|---|---|---|",
    ];
    const row = (what: string, metric: string, c: Comparison | undefined, analyze: boolean) => {
        if (!c) {
            return;
        }
        const m = c.medianMs;
        const cell = (k: string) => (m[k] === undefined ? "—" : `${s(m[k])} (${pct(c.spread[k])})`);
        const above = c.msPerResourceAbove;
        lines.push(
            `| ${what} | ${metric} | ${cell("none")} | ${cell("onePolicy")} | ${cell("containerGuard")} | ` +
                `${analyze ? "—" : `${e(above["onePolicy above none"])} / `}` +
                `${analyze ? "" : e(above["containerGuard above none"])} | ` +
                `${e(above["containerGuard above onePolicy"], 3)} | ` +
                `${e(c.containerGuardVsOnePolicy)} ${c.target} |`,
        );
    };
    for (const p of r.preview) {
        const what = `preview, ${p.workloads.toLocaleString("en-US")} workloads (${p.resources} resources)`;
        row(what, "wall", p.wall, false);
        row(what, "CPU", p.cpu, false);
    }
    if (r.analyze) {
        const what = `policy analyze --file, ${r.analyze.resources.toLocaleString("en-US")} resources`;
        row(what, "wall", r.analyze.wall, true);
        row(what, "CPU", r.analyze.cpu, true);
    }
    lines.push("", "(±: half the spread, max − min, of the runs around the median)");
    for (const p of r.preview) {
        const cg = p.warmUp.containerGuard;
        lines.push(
            `preview ${p.workloads}: kinds ${Object.entries(p.program.kinds)
                .map(([k, n]) => `${k.split(":").pop()} ${n}`)
                .join(", ")}; ${p.program.containers} containers, ${p.program.initContainers} init containers, ` +
                `${p.program.envVars} env vars; ${cg?.workloadsWithUnknownValues ?? "?"} workloads with values ` +
                `unknown during preview; container-guard findings ${cg?.policyEvents ?? "?"}`,
        );
    }
    for (const [metric, m] of Object.entries(r.betweenSizes ?? {})) {
        if (m) {
            lines.push(
                `between ${m.fromResources} and ${m.toResources} resources (${metric}, medians): ms per resource ` +
                    Object.entries(m.msPerResource)
                        .map(([k, v]) => `${k} ${v.toFixed(2)} (fixed ${Math.round(m.fixedMs[k])} ms)`)
                        .join("; "),
            );
        }
    }
    if (r.analyze) {
        const warm = r.analyze.warmUp;
        lines.push(
            `analyze: findings: container-guard ${warm.containerGuard?.policyEvents ?? "?"}, ` +
                `the reporting pack ${warm.reportingPolicy?.policyEvents ?? "?"}`,
        );
        for (const [metric, c] of [
            ["wall", r.analyze.wall],
            ["CPU", r.analyze.cpu],
        ] as const) {
            if (c?.containerGuardVsReporting) {
                lines.push(
                    `analyze ${metric}: the one-policy pack reporting as many findings ` +
                        `${s(c.medianMs.reportingPolicy)} (${pct(c.spread.reportingPolicy)}); container-guard ÷ it ` +
                        `${e(c.containerGuardVsReporting)}; it above the silent one-policy pack, ms/resource ` +
                        `${e(c.msPerResourceAbove["reportingPolicy above onePolicy"], 3)}`,
                );
            }
        }
    }
    return lines.join("\n");
}

async function main(work: string): Promise<void> {
    const options = parseArgs(process.argv.slice(2));
    if (!fs.existsSync(path.join(ROOT, "dist", "pack.js"))) {
        throw new Error(
            "container-guard is not built: run `npm run bench:engine` (it builds first) or `npm run build`",
        );
    }
    const bin = findToolchain();
    const loadAtStart = os.loadavg();
    const cli = new Cli(bin, work, options.timeoutMs);
    const pulumiVersion = cli.ok(["version"], work).trim();
    const configs: Configuration[] = [
        ...(options.packsOnly ? [] : [{ key: "none" as const, label: "no pack", args: [] }]),
        {
            key: "onePolicy",
            label: "one-policy pack",
            args: ["--policy-pack", writeReferencePack(work, "one-policy", ROOT)],
            pack: "reference",
        },
        {
            key: "containerGuard",
            label: "container-guard (advisory)",
            args: ["--policy-pack", ROOT, "--policy-pack-config", ADVISORY_CONFIG],
            pack: "container-guard",
        },
    ];
    log(`toolchain ${bin} (pulumi ${pulumiVersion}); load average ${os.loadavg().map(round1).join(" ")}`);

    // What ran is decided now: a commit made while a long benchmark runs must not be credited with it.
    const commit = git("rev-parse", "HEAD");
    const uncommittedChanges = (git("status", "--porcelain") ?? "").length > 0;
    const preview: PreviewResult[] = [];
    let analyze: AnalyzeResult | undefined;
    const report = (complete: boolean): Report => ({
        date: new Date().toISOString(),
        command: ["npm run bench:engine", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(
            " ",
        ),
        ...(!complete && { partial: true }),
        ...(options.quick && { quick: true }),
        commit,
        uncommittedChanges,
        machine: {
            node: process.version,
            cpu: os.cpus()[0]?.model ?? "unknown",
            cores: os.cpus().length,
            memoryGiB: Math.round(os.totalmem() / 2 ** 30),
            loadAverageAtStart: loadAtStart.map(round1),
            loadAverageAtEnd: os.loadavg().map(round1),
        },
        toolchain: { bin, pulumi: `pulumi ${pulumiVersion}`, cpuMeasured: cli.measuresCpu },
        method:
            "one warm-up run per configuration (JSON events, checked), then rounds running every configuration " +
            "once in rotated order; medians; intervals are 95% percentile bootstrap over rounds (paired)",
        runs: options.runs,
        targetRatio: TARGET_RATIO,
        configurations: Object.fromEntries(configs.map((c) => [c.key, c.label])),
        preview,
        ...(preview.length > 1 && { betweenSizes: { wall: marginal(preview, "wall"), cpu: marginal(preview, "cpu") } }),
        analyze,
    });
    // Written after every part, marked partial until the end: an hour of runs survives a late failure.
    const write = (r: Report) => {
        fs.mkdirSync(path.dirname(options.out), { recursive: true });
        fs.writeFileSync(options.out, JSON.stringify(r, null, 2) + "\n");
    };
    for (const size of options.preview ? options.sizes : []) {
        preview.push(await benchPreview(cli, configs, size, options));
        write(report(false));
    }
    if (options.stateResources > 0) {
        analyze = await benchAnalyze(cli, configs, options);
    }
    const final = report(true);
    write(final);
    process.stdout.write(`${render(final)}\nWritten to ${path.relative(process.cwd(), options.out)}\n`);
}

if (require.main === module) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "container-guard-bench-engine-"));
    const keep = process.argv.includes("--keep-temp");
    const cleanUp = () => {
        killCurrent();
        if (keep) {
            process.stderr.write(`temporary files kept in ${work}\n`);
        } else {
            fs.rmSync(work, { recursive: true, force: true });
        }
    };
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.once(signal, () => {
            cleanUp();
            process.exit(130);
        });
    }
    main(work)
        .catch((err) => {
            process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
            process.exitCode = 1;
        })
        .finally(cleanUp);
}
