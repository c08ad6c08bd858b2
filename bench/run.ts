// `npm run bench`: what container-guard adds to a preview, measured against the protocol floor.
//
// The built pack and two reference packs — one trivial policy, and as many trivial policies as
// container-guard serves — are started the way the engine starts them and driven over gRPC with the
// engine's requests: start-up (bench/startup.ts, which also compares builds on its own), Analyze over a mixed set
// of resources, AnalyzeStack at two sizes, peak memory, and a CPU profile of container-guard during Analyze.
// Prints a table and writes JSON (bench/results/latest.json by default) so that figures can be compared between
// commits.
//
// Options: --runs N (start-ups per pack, default 7), --rounds N (Analyze passes per pack, default 3),
// --resources N (default 2000), --stack-runs N (AnalyzeStack rounds, a fresh process per pack each, default 3),
// --concurrency N (also time Analyze with N requests in flight, as the engine may send them),
// --mix mixed|workloads (the resources sent: an organization-like mix, default, or every resource a
// heavy workload — several containers, init containers, secret references, unknowns),
// --pack DIR (a built container-guard to measure, default this checkout), --no-profile, --no-stack
// (skip AnalyzeStack: the heavy mix at 10,000 resources needs the driver started with a larger heap,
// `node --max-old-space-size=12288 -r ts-node/register/transpile-only bench/run.ts`), --out FILE.

import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BenchPack, type EncodedRequest } from "./pack-process";
import { type CpuProfile, PROBE_SCRIPT, type ProfileSummary, summarizeProfile, withProbe } from "./profile";
import { analyzeResources, containsUnknown, type Mix, MIXES, stackResources, typeCounts } from "./resources";
import { transpile, writeReferencePack } from "./reference-packs";
import { measureStartups, medianPhases, type Startups } from "./startup";
import { formatEstimate, type Interval, median, ratioOfMedians, rotate, verdict, type Verdict } from "./stats";
import { type EngineResource } from "../src/engine/local-engine";

const ROOT = path.resolve(__dirname, "..");
/** Reference packs, the compiled probe and the probe's output live here for one run (set by main). */
let WORK = "";
/** The raw CPU profile is kept here (git ignores it) for a closer look in a profile viewer. */
const PROFILE_COPY = path.join(ROOT, ".bench", "analyze.cpuprofile");
const STACK_SIZES = [1000, 10000] as const;
/** Requests the profile covers (the first of the Analyze set): enough samples, half the time. */
const PROFILED_REQUESTS = 1000;

interface Options {
    readonly runs: number;
    readonly rounds: number;
    readonly resources: number;
    readonly stackRuns: number;
    /** 0: sequential only. */
    readonly concurrency: number;
    readonly pack: string;
    readonly mix: Mix;
    readonly profile: boolean;
    readonly stack: boolean;
    readonly out: string;
}

function parseArgs(argv: readonly string[]): Options {
    const arg = (flag: string) => {
        const i = argv.indexOf(flag);
        return i >= 0 ? argv[i + 1] : undefined;
    };
    const count = (flag: string, fallback: number) => {
        const n = Number(arg(flag) ?? fallback);
        if (!Number.isInteger(n) || n < 1) {
            throw new Error(`${flag} takes a positive integer`);
        }
        return n;
    };
    return {
        runs: count("--runs", 7),
        rounds: count("--rounds", 3),
        resources: count("--resources", 2000),
        stackRuns: count("--stack-runs", 3),
        concurrency: arg("--concurrency") === undefined ? 0 : count("--concurrency", 8),
        pack: path.resolve(arg("--pack") ?? ROOT),
        mix: parseMix(arg("--mix") ?? "mixed"),
        profile: !argv.includes("--no-profile"),
        stack: !argv.includes("--no-stack"),
        out: path.resolve(arg("--out") ?? path.join(ROOT, "bench", "results", "latest.json")),
    };
}

function parseMix(value: string): Mix {
    const mix = MIXES.find((m) => m === value);
    if (!mix) {
        throw new Error(`--mix takes one of ${MIXES.join(", ")}`);
    }
    return mix;
}

type PackKey = "containerGuard" | "onePolicy" | "sameCount";
const PACK_KEYS: readonly PackKey[] = ["containerGuard", "onePolicy", "sameCount"];

/** A pack the benchmark starts: container-guard or a reference pack. */
interface PackSpec {
    readonly key: PackKey;
    readonly label: string;
    readonly dir: string;
    readonly env: NodeJS.ProcessEnv;
}

type PerPack<T> = Record<PackKey, T>;

function perPack<T>(make: (key: PackKey) => T): PerPack<T> {
    return { containerGuard: make("containerGuard"), onePolicy: make("onePolicy"), sameCount: make("sameCount") };
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

type Estimate = { value: number } & Interval;
/** Three decimals, so that an interval printed beside its verdict shows why (1.004 is above 1.0). */
const round3 = (n: number) => Math.round(n * 1000) / 1000;
const estimate = ({ value, low, high }: Estimate): Estimate => ({
    value: round3(value),
    low: round3(low),
    high: round3(high),
});
const interval = (e: Estimate) => formatEstimate(e, 3);

const began = performance.now();

function log(message: string): void {
    process.stderr.write(`[${Math.round((performance.now() - began) / 1000)} s] ${message}\n`);
}

/** Environment that preloads the probe (bench/probe.ts) into a pack process. */
function probeEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return withProbe(path.join(WORK, PROBE_SCRIPT), {
        ...extra,
        // The probe wraps the SDK's handlers through the pack's SDK adapter (the compiled one: the
        // probe runs from a temporary directory).
        BENCH_SDK_ADAPTER: path.join(ROOT, "dist", "src", "sdk", "policy-sdk.js"),
    });
}

function git(dir: string, ...args: string[]): string | undefined {
    try {
        return execFileSync("git", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
        return undefined;
    }
}

interface Timing {
    readonly wallMs: number;
    readonly cpuMs: number;
    readonly diagnostics: number;
    /** AnalyzeStack: time in the SDK's handler, from the decoded request to the response. */
    readonly handlerMs?: number;
}

/** Sends requests one at a time (`concurrency` 1, as the headline) or with several in flight. */
async function sendAll(pack: BenchPack, requests: readonly EncodedRequest[], concurrency = 1): Promise<Timing> {
    const cpu0 = pack.cpuMs();
    const t0 = performance.now();
    let diagnostics = 0;
    let next = 0;
    const worker = async () => {
        while (next < requests.length) {
            diagnostics += await pack.send("analyze", requests[next++]);
        }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { wallMs: performance.now() - t0, cpuMs: pack.cpuMs() - cpu0, diagnostics };
}

/** Sends one AnalyzeStack request; `handlerFile` is where the probe appends the handler's time. */
async function sendStack(pack: BenchPack, request: EncodedRequest, handlerFile: string): Promise<Timing> {
    const cpu0 = pack.cpuMs();
    const t0 = performance.now();
    const diagnostics = await pack.send("analyzeStack", request);
    const wallMs = performance.now() - t0;
    const cpuMs = pack.cpuMs() - cpu0;
    const handlerMs = Number(fs.readFileSync(handlerFile, "utf8").trim().split("\n").pop());
    return { wallMs, cpuMs, diagnostics, handlerMs };
}

/**
 * Encodes once per distinct protocol module: packs that resolve the same `@pulumi/pulumi` share the
 * request classes, so the same serialized requests serve them all.
 */
async function encodeFor<T>(
    running: readonly BenchPack[],
    dirs: readonly string[],
    encode: (pack: BenchPack) => Promise<T>,
): Promise<T[]> {
    const byModule = new Map<string, Promise<T>>();
    return Promise.all(
        running.map((b, i) => {
            const key = require.resolve("@pulumi/pulumi/proto/analyzer_pb", { paths: [dirs[i]] });
            let encoded = byModule.get(key);
            if (!encoded) {
                encoded = encode(b);
                byModule.set(key, encoded);
            }
            return encoded;
        }),
    );
}

/** container-guard's start-up ÷ the one-policy pack's, paired by round, and whether it is at most 1.0. */
function pairedStartup(startup: PerPack<Startups>): Report["startup"]["vsOnePolicy"] {
    const paired = (k: "wallMs" | "cpuMs") => {
        const e = ratioOfMedians(startup.containerGuard[k], startup.onePolicy[k]);
        return { ...estimate(e), atMostOne: verdict(e, 1.0) };
    };
    return { wall: paired("wallMs"), cpu: paired("cpuMs") };
}

/** Profiles container-guard while it judges `requests` (after `warmUp`), from a fresh process. */
async function profileAnalyze(
    pack: PackSpec,
    warmUp: readonly EncodedRequest[],
    requests: readonly EncodedRequest[],
): Promise<ProfileSummary> {
    const file = path.join(WORK, "analyze.cpuprofile");
    const started = `${file}.started`;
    fs.rmSync(file, { force: true });
    fs.rmSync(started, { force: true });
    const b = await BenchPack.start(pack.label, pack.dir, {
        env: probeEnv({ ...pack.env, BENCH_PROBE_PROFILE: file }),
    });
    try {
        await b.server.configure();
        await sendAll(b, warmUp);
        process.kill(b.pid, "SIGUSR2");
        while (!fs.existsSync(started)) {
            await new Promise((r) => setTimeout(r, 20));
        }
        await sendAll(b, requests);
    } finally {
        await b.close();
    }
    fs.mkdirSync(path.dirname(PROFILE_COPY), { recursive: true });
    fs.copyFileSync(file, PROFILE_COPY);
    const dist = `${pack.dir}/dist/`;
    return summarizeProfile(JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile, pack.dir, {
        "container-guard code (a dist/ frame on the stack)": (f) => f.url.includes(dist),
        "SDK decoding of props per policy (deserializeProperties)": (f) =>
            f.functionName === "deserializeProperties" && f.url.includes("@pulumi/policy/"),
        "of which protobuf Struct.toJavaScript": (f) =>
            f.functionName.endsWith("Struct.toJavaScript") && f.url.includes("google-protobuf"),
        "SDK NotApplicableError (args.notApplicable)": (f) =>
            f.functionName === "throwNotApplicable" && f.url.includes("@pulumi/policy/"),
        // The pack reads Analyze requests and writes responses itself (src/sdk/analyzer-wire.ts); the reference packs
        // use google-protobuf's generated code.
        "gRPC request decoding (deserializeBinary, readAnalyzeRequest)": (f) =>
            f.functionName.endsWith("AnalyzeRequest.deserializeBinary") || f.functionName === "readAnalyzeRequest",
        "gRPC response encoding (serializeBinary, writeAnalyzeResponse)": (f) =>
            f.functionName.endsWith("AnalyzeResponse.serializeBinary") || f.functionName === "writeAnalyzeResponse",
    });
}

/** Starts every pack (fresh processes), configured as the engine configures them, for `measure`. */
async function withRunning<T>(
    packs: readonly PackSpec[],
    env: (i: number) => NodeJS.ProcessEnv,
    measure: (running: BenchPack[]) => Promise<T>,
): Promise<T> {
    const running = await Promise.all(
        packs.map((p, i) => BenchPack.start(p.label, p.dir, { env: { ...p.env, ...env(i) } })),
    );
    try {
        for (const b of running) {
            await b.server.configure();
        }
        return await measure(running);
    } finally {
        await Promise.all(running.map((b) => b.close()));
    }
}

/** Analyze: the same requests to every pack, one at a time (the headline) and optionally several in flight. */
function measureAnalyze(
    packs: readonly PackSpec[],
    resources: readonly EngineResource[],
    rounds: number,
    concurrency: number,
    mix: Mix,
) {
    return withRunning(
        packs,
        () => ({}),
        async (running) => {
            const idleRss = running.map((b) => b.memoryMiB("VmRSS"));
            const dirs = packs.map((p) => p.dir);
            const requests = await encodeFor(running, dirs, (b) => b.encodeAnalyze(resources));
            const warmUp = await encodeFor(running, dirs, (b) => b.encodeAnalyze(analyzeResources(300, 7, mix)));
            log("Analyze: requests encoded");
            for (const [i, b] of running.entries()) {
                await sendAll(b, warmUp[i]);
            }
            const sequential = perPack(() => [] as Timing[]);
            for (let r = 0; r < rounds; r++) {
                for (const i of rotate([0, 1, 2], r)) {
                    sequential[packs[i].key].push(await sendAll(running[i], requests[i]));
                }
                log(`Analyze: round ${r + 1}/${rounds}`);
            }
            const concurrent = perPack(() => NaN);
            for (const [i, b] of concurrency > 0 ? running.entries() : []) {
                concurrent[packs[i].key] = (await sendAll(b, requests[i], concurrency)).wallMs;
                log(`Analyze: ${concurrency} in flight, ${packs[i].label}`);
            }
            const memory = perPack((k) => {
                const i = packs.findIndex((p) => p.key === k);
                return { idle: round1(idleRss[i]), peakAfterAnalyze: round1(running[i].memoryMiB("VmHWM")) };
            });
            return { sequential, concurrent, memory, requests: requests[0], warmUp: warmUp[0] };
        },
    );
}

/**
 * AnalyzeStack at 1,000 and 10,000 resources. Each round starts every pack afresh, alone, in rotated order (what
 * Analyze left on the heap would blur the comparison, and at 10,000 heavy workloads three packs side by side need
 * more memory than a 24 GB machine has), warms it with one 1,000-resource call, then times both sizes; peak RSS is
 * the highest of a pack's rounds. The one-policy pack has no stack policy: one 10,000-resource call shows the
 * transfer alone.
 */
async function measureStack(packs: readonly PackSpec[], stackRuns: number, mix: Mix) {
    const handlerFiles = packs.map((p) => path.join(WORK, `stack-handler-${p.key}.txt`));
    const dirs = packs.map((p) => p.dir);
    const requests = await withRunning(
        packs,
        () => ({}),
        (running) =>
            Promise.all(
                STACK_SIZES.map((n) =>
                    encodeFor(running, dirs, (b) => b.encodeStack(stackResources(n, undefined, mix))),
                ),
            ),
    );
    log("AnalyzeStack: requests encoded");
    const timings = perPack(() => ({ 1000: [] as Timing[], 10000: [] as Timing[] }));
    const peakRss = perPack(() => 0);
    for (let r = 0; r < stackRuns; r++) {
        for (const i of rotate([0, 1, 2], r)) {
            const { key } = packs[i];
            await withRunning(
                [packs[i]],
                () => probeEnv({ BENCH_PROBE_STACK: handlerFiles[i] }),
                async ([b]) => {
                    await sendStack(b, requests[0][i], handlerFiles[i]);
                    for (const [s, n] of STACK_SIZES.entries()) {
                        if (n === 1000 || r === 0 || key !== "onePolicy") {
                            timings[key][n].push(await sendStack(b, requests[s][i], handlerFiles[i]));
                        }
                    }
                    peakRss[key] = Math.max(peakRss[key], round1(b.memoryMiB("VmHWM")));
                },
            );
        }
        log(`AnalyzeStack: round ${r + 1}/${stackRuns}`);
    }
    return { timings, peakRss };
}

async function main(): Promise<void> {
    const options = parseArgs(process.argv.slice(2));
    // The pack's entry point, as the engine finds it (builds before the bundle have dist/index.js).
    const manifest = JSON.parse(fs.readFileSync(path.join(options.pack, "package.json"), "utf8")) as { main: string };
    if (!fs.existsSync(path.join(options.pack, manifest.main))) {
        throw new Error(`${options.pack} is not built: run \`npm run bench\` (it builds first) or \`npm run build\``);
    }
    const loadAtStart = os.loadavg();
    WORK = fs.mkdtempSync(path.join(os.tmpdir(), "container-guard-bench-"));
    transpile(path.join(ROOT, "bench", "probe.ts"), path.join(WORK, PROBE_SCRIPT));

    // What container-guard serves decides the size of the same-count reference pack.
    const ours: PackSpec = { key: "containerGuard", label: "container-guard", dir: options.pack, env: {} };
    const first = await BenchPack.start(ours.label, ours.dir);
    const info = await first.server.info();
    await first.close();
    const active = info.policies.filter((p) => p.enforcementLevel !== "disabled");
    const resourcePolicies = active.filter((p) => p.type === "resource").length;
    const stackPolicies = active.filter((p) => p.type === "stack").length;
    const packs: PackSpec[] = [
        ours,
        {
            key: "onePolicy",
            label: "1 trivial policy",
            dir: writeReferencePack(WORK, "one-policy", ours.dir),
            env: { BENCH_REFERENCE_RESOURCE_POLICIES: "1", BENCH_REFERENCE_STACK_POLICIES: "0" },
        },
        {
            key: "sameCount",
            label: `${resourcePolicies} + ${stackPolicies} trivial policies`,
            dir: writeReferencePack(WORK, "same-count", ours.dir),
            env: {
                BENCH_REFERENCE_RESOURCE_POLICIES: String(resourcePolicies),
                BENCH_REFERENCE_STACK_POLICIES: String(stackPolicies),
            },
        },
    ];
    log(
        `container-guard serves ${resourcePolicies} resource and ${stackPolicies} stack policies ` +
            `(${info.policies.length - active.length} disabled by default)`,
    );

    const startup = (await measureStartups(packs, options.runs, { log })) as PerPack<Startups>;
    // Phases in starts of their own (the probe's hooks are not in the timed starts above); an even number of rounds,
    // so that each pack goes first as often as the other.
    const probed = await measureStartups(packs.slice(0, 2), 4, { probe: path.join(WORK, PROBE_SCRIPT), warmUp: false });
    const startupPhases = Object.fromEntries(Object.entries(probed).map(([k, s]) => [k, medianPhases(s)]));
    log("start-up phases measured");

    const resources = analyzeResources(options.resources, undefined, options.mix);
    const {
        sequential: analyze,
        concurrent,
        memory,
        requests,
        warmUp,
    } = await measureAnalyze(packs, resources, options.rounds, options.concurrency, options.mix);
    const { timings: stack, peakRss } = options.stack
        ? await measureStack(packs, options.stackRuns, options.mix)
        : { timings: perPack(() => ({ 1000: [] as Timing[], 10000: [] as Timing[] })), peakRss: perPack(() => NaN) };

    const profile = options.profile
        ? await profileAnalyze(ours, warmUp, requests.slice(0, PROFILED_REQUESTS))
        : undefined;
    log("profile done");

    const medianOf = (xs: readonly Timing[], k: "wallMs" | "cpuMs" | "handlerMs") =>
        round1(median(xs.map((x) => x[k] ?? NaN)));
    const result: Report = {
        date: new Date().toISOString(),
        command: ["npm run bench", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" "),
        commit: git(options.pack, "rev-parse", "HEAD"),
        uncommittedChanges: (git(options.pack, "status", "--porcelain") ?? "").length > 0,
        machine: {
            node: process.version,
            cpu: os.cpus()[0]?.model ?? "unknown",
            cores: os.cpus().length,
            memoryGiB: Math.round(os.totalmem() / 2 ** 30),
            loadAverageAtStart: loadAtStart.map(round1),
            loadAverageAtEnd: os.loadavg().map(round1),
        },
        policies: { resource: resourcePolicies, stack: stackPolicies, names: active.map((p) => p.name) },
        resources: {
            mix: options.mix,
            analyze: resources.length,
            withUnknownValues: resources.filter((r) => containsUnknown(r.props)).length,
            types: typeCounts(resources),
        },
        packs: perPack((k) => packs.find((p) => p.key === k)!.label),
        startup: {
            runs: options.runs,
            wallMs: perPack((k) => round1(median(startup[k].wallMs))),
            cpuMs: perPack((k) => round1(median(startup[k].cpuMs))),
            // Start-up differs between packs by less than it varies between runs: the runs go in rounds (every
            // pack once), so each round is a pair, and the interval says whether the difference is real.
            vsOnePolicy: pairedStartup(startup),
            phasesMs: startupPhases,
        },
        analyze: {
            rounds: options.rounds,
            sequentialWallMs: perPack((k) => medianOf(analyze[k], "wallMs")),
            sequentialCpuMs: perPack((k) => medianOf(analyze[k], "cpuMs")),
            ...(options.concurrency > 0 && {
                concurrentWallMs: perPack((k) => round1(concurrent[k])),
                concurrency: options.concurrency,
            }),
            diagnostics: perPack((k) => analyze[k][0].diagnostics),
        },
        analyzeStack: perPack((k) => ({
            runs1k: stack[k][1000].length,
            runs10k: stack[k][10000].length,
            wallMs1k: medianOf(stack[k][1000], "wallMs"),
            wallMs10k: medianOf(stack[k][10000], "wallMs"),
            cpuMs1k: medianOf(stack[k][1000], "cpuMs"),
            cpuMs10k: medianOf(stack[k][10000], "cpuMs"),
            handlerMs1k: medianOf(stack[k][1000], "handlerMs"),
            handlerMs10k: medianOf(stack[k][10000], "handlerMs"),
            ratio10kTo1k: ratio(medianOf(stack[k][10000], "wallMs"), medianOf(stack[k][1000], "wallMs")),
            handlerRatio10kTo1k: ratio(medianOf(stack[k][10000], "handlerMs"), medianOf(stack[k][1000], "handlerMs")),
            diagnostics10k: stack[k][10000][0]?.diagnostics ?? NaN,
        })),
        memoryMiB: perPack((k) => ({ ...memory[k], peakInStack10k: peakRss[k] })),
        profile: profile && { resources: Math.min(PROFILED_REQUESTS, resources.length), ...profile },
        ratios: {} as Report["ratios"],
        targets: {},
    };
    const { startup: s, analyze: a, analyzeStack: st } = result;
    result.ratios = {
        startupWallVsOnePolicy: ratio(s.wallMs.containerGuard, s.wallMs.onePolicy),
        startupCpuVsOnePolicy: ratio(s.cpuMs.containerGuard, s.cpuMs.onePolicy),
        analyzeWallVsSameCount: ratio(a.sequentialWallMs.containerGuard, a.sequentialWallMs.sameCount),
        analyzeCpuVsSameCount: ratio(a.sequentialCpuMs.containerGuard, a.sequentialCpuMs.sameCount),
        analyzeWallVsOnePolicy: ratio(a.sequentialWallMs.containerGuard, a.sequentialWallMs.onePolicy),
        sameCountVsOnePolicyWall: ratio(a.sequentialWallMs.sameCount, a.sequentialWallMs.onePolicy),
        stack10kTo1kWall: st.containerGuard.ratio10kTo1k,
        stack10kTo1kHandler: st.containerGuard.handlerRatio10kTo1k,
        stack10kPeakRssVsSameCount: ratio(peakRss.containerGuard, peakRss.sameCount),
    };
    // Issue 14's targets, on both mixes (`--mix mixed` and `--mix workloads`).
    result.targets = {
        "start-up ≤ 1.0× the one-policy pack (wall)": result.ratios.startupWallVsOnePolicy <= 1.0,
        "Analyze ≤ 1.0× the same-count pack (pack CPU)": result.ratios.analyzeCpuVsSameCount <= 1.0,
        ...(options.stack && {
            "peak RSS at AnalyzeStack 10k ≤ 1.1× the same-count pack": result.ratios.stack10kPeakRssVsSameCount <= 1.1,
            // The request's transfer and protobuf decoding grow faster than linearly for every pack (see
            // the one-policy pack's wall ratio); what the pack itself does is timed in the handler.
            "AnalyzeStack 10k ÷ 1k ≤ 12 (in the pack's handler)": result.ratios.stack10kTo1kHandler <= 12,
        }),
    };
    fs.mkdirSync(path.dirname(options.out), { recursive: true });
    fs.writeFileSync(options.out, JSON.stringify(result, null, 2) + "\n");
    process.stdout.write(`${renderReport(result)}\nWritten to ${path.relative(process.cwd(), options.out)}\n`);
}

/** What a run writes to JSON. */
interface Report {
    readonly date: string;
    readonly command: string;
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
    readonly policies: { resource: number; stack: number; names: string[] };
    readonly resources: { mix: Mix; analyze: number; withUnknownValues: number; types: Record<string, number> };
    readonly packs: PerPack<string>;
    readonly startup: {
        runs: number;
        wallMs: PerPack<number>;
        cpuMs: PerPack<number>;
        /** container-guard ÷ the one-policy pack, with a 95% paired bootstrap interval over the rounds. */
        vsOnePolicy: Record<"wall" | "cpu", Estimate & { atMostOne: Verdict }>;
        phasesMs: Partial<PerPack<Record<string, number>>>;
    };
    readonly analyze: {
        rounds: number;
        sequentialWallMs: PerPack<number>;
        sequentialCpuMs: PerPack<number>;
        concurrentWallMs?: PerPack<number>;
        concurrency?: number;
        diagnostics: PerPack<number>;
    };
    readonly analyzeStack: PerPack<{
        runs1k: number;
        runs10k: number;
        wallMs1k: number;
        wallMs10k: number;
        cpuMs1k: number;
        cpuMs10k: number;
        handlerMs1k: number;
        handlerMs10k: number;
        ratio10kTo1k: number;
        handlerRatio10kTo1k: number;
        diagnostics10k: number;
    }>;
    /** Analyze and AnalyzeStack run in separate processes: each peak is its own. */
    readonly memoryMiB: PerPack<{ idle: number; peakAfterAnalyze: number; peakInStack10k: number }>;
    /** Of Analyze over the first `resources` resources. */
    readonly profile?: ProfileSummary & { resources: number };
    ratios: {
        startupWallVsOnePolicy: number;
        startupCpuVsOnePolicy: number;
        analyzeWallVsSameCount: number;
        analyzeCpuVsSameCount: number;
        analyzeWallVsOnePolicy: number;
        sameCountVsOnePolicyWall: number;
        stack10kTo1kWall: number;
        stack10kTo1kHandler: number;
        stack10kPeakRssVsSameCount: number;
    };
    targets: Record<string, boolean>;
}

/** The short table (Markdown, so it pastes into the README) and the notes under it. */
function renderReport(r: Report): string {
    const ms = (n: number) => `${Math.round(n).toLocaleString("en-US")} ms`;
    const mib = (n: number) => `${Math.round(n)} MiB`;
    const x = (a: number, b: number) => `${ratio(a, b).toFixed(2)}×`;
    const row = (
        label: string,
        values: PerPack<number>,
        fmt: (n: number) => string,
        note = `${x(values.containerGuard, values.onePolicy)} / ${x(values.containerGuard, values.sameCount)}`,
    ) => `| ${label} | ${PACK_KEYS.map((k) => fmt(values[k])).join(" | ")} | ${note} |`;
    const { startup: s, analyze: a, analyzeStack: st, memoryMiB: m } = r;
    const stackOf = (f: (v: Report["analyzeStack"][PackKey]) => number) => perPack((k) => f(st[k]));
    const stackRan = !Number.isNaN(st.containerGuard.wallMs1k);
    const phases = (key: PackKey) =>
        Object.entries(s.phasesMs[key] ?? {})
            .map(([k, v]) => `${k} ${v}`)
            .join(", ");
    const lines = [
        `${r.policies.resource} resource + ${r.policies.stack} stack policies; ` +
            `${r.resources.analyze.toLocaleString("en-US")} resources, mix ${r.resources.mix} ` +
            `(${r.resources.withUnknownValues} with ` +
            `unknown values); ` +
            `Node ${r.machine.node}; ${r.machine.cpu} × ${r.machine.cores}; load average ` +
            `${r.machine.loadAverageAtStart[0]} → ${r.machine.loadAverageAtEnd[0]}; ` +
            `commit ${(r.commit ?? "unknown").slice(0, 12)}${r.uncommittedChanges ? " + uncommitted changes" : ""}`,
        "",
        `| | container-guard | ${r.packs.onePolicy} | ${r.packs.sameCount} | container-guard ÷ one-policy / ÷ ` +
            `same-count |`,
        "|---|---:|---:|---:|---|",
        row(`start-up, wall (median of ${s.runs})`, s.wallMs, ms),
        row("start-up, CPU", s.cpuMs, ms),
        row(
            `Analyze × ${r.resources.analyze.toLocaleString("en-US")}, sequential, wall (median of ${a.rounds})`,
            a.sequentialWallMs,
            ms,
        ),
        row("Analyze, pack CPU", a.sequentialCpuMs, ms),
        ...(a.concurrentWallMs ? [row(`Analyze, ${a.concurrency} in flight, wall`, a.concurrentWallMs, ms)] : []),
        // The one-policy pack has no stack policy: its handler does nothing to compare with. Left out with --no-stack.
        ...(stackRan
            ? [
                  row(
                      "AnalyzeStack 1,000, in the pack's handler",
                      stackOf((v) => v.handlerMs1k),
                      ms,
                      `— / ${x(st.containerGuard.handlerMs1k, st.sameCount.handlerMs1k)}`,
                  ),
                  row(
                      "AnalyzeStack 10,000, in the pack's handler",
                      stackOf((v) => v.handlerMs10k),
                      ms,
                      `— / ${x(st.containerGuard.handlerMs10k, st.sameCount.handlerMs10k)}`,
                  ),
                  row(
                      "AnalyzeStack 10k ÷ 1k, in the handler",
                      stackOf((v) => (v.handlerMs1k >= 1 ? v.handlerRatio10kTo1k : NaN)),
                      (n) => (Number.isNaN(n) ? "—" : n.toFixed(1)),
                      "linear ≈ 10",
                  ),
                  row(
                      "AnalyzeStack 1,000 resources, wall",
                      stackOf((v) => v.wallMs1k),
                      ms,
                  ),
                  row(
                      "AnalyzeStack 10,000 resources, wall",
                      stackOf((v) => v.wallMs10k),
                      ms,
                  ),
                  row(
                      "AnalyzeStack 10k ÷ 1k, wall",
                      stackOf((v) => v.ratio10kTo1k),
                      (n) => n.toFixed(1),
                      "linear ≈ 10",
                  ),
              ]
            : []),
        row(
            "peak RSS, Analyze",
            perPack((k) => m[k].peakAfterAnalyze),
            mib,
        ),
        ...(stackRan
            ? [
                  row(
                      "peak RSS, AnalyzeStack 10k",
                      perPack((k) => m[k].peakInStack10k),
                      mib,
                  ),
              ]
            : []),
        "",
        `Start-up, container-guard ÷ one-policy over ${s.runs} paired rounds [95% bootstrap interval]: wall ` +
            `${interval(s.vsOnePolicy.wall)}, CPU ${interval(s.vsOnePolicy.cpu)}; ≤ 1.0: ` +
            `${s.vsOnePolicy.wall.atMostOne} (wall), ${s.vsOnePolicy.cpu.atMostOne} (CPU)`,
        `Start-up phases, median ms — container-guard: ${phases("containerGuard")}; one-policy pack: ` +
            `${phases("onePolicy")}`,
        `Findings returned: Analyze ${a.diagnostics.containerGuard}` +
            (stackRan ? `, AnalyzeStack 10k ${st.containerGuard.diagnostics10k}` : ""),
        `Targets: ${Object.entries(r.targets)
            .map(([k, ok]) => `${ok ? "met" : "MISSED"} — ${k}`)
            .join("; ")}`,
    ];
    if (r.profile) {
        const p = r.profile;
        lines.push(
            "",
            `CPU profile of container-guard during Analyze of ${p.resources} resources (${p.busyMs} ms busy):`,
            `  inclusive: ${Object.entries(p.inclusive)
                .map(([k, v]) => `${k} ${v}%`)
                .join("; ")}`,
            `  self time by area: ${Object.entries(p.byArea)
                .map(([k, v]) => `${k} ${v}%`)
                .join(", ")}`,
            "  top functions by self time:",
            ...p.top.map((e) => `  ${e.selfPercent.toFixed(1).padStart(5)}%  ${e.function}  ${e.where}`),
        );
    }
    return lines.join("\n");
}

if (require.main === module) {
    main()
        .catch((err) => {
            process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
            process.exitCode = 1;
        })
        .finally(() => WORK && fs.rmSync(WORK, { recursive: true, force: true }));
}
