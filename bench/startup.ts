// Start-up of policy packs as the engine starts them (spawn to port printed), packs alternating round by round.
// `npm run bench` (bench/run.ts) measures start-up with it; on its own it compares builds:
//
//   npm run build && node -r ts-node/register/transpile-only bench/startup.ts [--rounds 30] [--pack DIR ...]
//       [--out FILE]
//
// starts this checkout's pack, the one-policy reference pack and every built checkout given with --pack, one of each
// per round in rotated order after a discarded warm-up round, each start with the probe's phases (bench/probe.ts:
// loading TypeScript and ts-node, the policy SDK, the pack's own modules). Prints the medians and each pack ÷ the
// one-policy pack as a ratio of medians with a 95% paired bootstrap interval, and writes every sample to
// bench/results/startup.json. A start-up differs between packs by less than it varies between runs on a shared
// machine, which is why the rounds are paired.

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BenchPack } from "./pack-process";
import { PROBE_SCRIPT, withProbe } from "./profile";
import { transpile, writeReferencePack } from "./reference-packs";
import { formatEstimate, median, ratioOfMedians, rotate } from "./stats";

const ROOT = path.resolve(__dirname, "..");

export interface StartupPack {
    readonly key: string;
    readonly label: string;
    readonly dir: string;
    readonly env: NodeJS.ProcessEnv;
}

/** One pack's starts, in round order (index i of every pack is round i). */
export interface Startups {
    readonly wallMs: number[];
    readonly cpuMs: number[];
    /** With the probe: per phase (typescript, tsNode, policySdk, packModules, rest, total), one value per start. */
    readonly phases: Record<string, number[]>;
}

export interface StartupOptions {
    /** The compiled probe (bench/probe.ts), preloaded to time the phases; without it, starts are not probed. */
    readonly probe?: string;
    /** Start every pack once before the measured rounds, and discard those starts (default true). */
    readonly warmUp?: boolean;
    readonly log?: (message: string) => void;
}

/** Starts and stops every pack once per round, `rounds` times (plus a discarded warm-up round). */
export async function measureStartups(
    packs: readonly StartupPack[],
    rounds: number,
    options: StartupOptions = {},
): Promise<Record<string, Startups>> {
    const out: Record<string, Startups> = Object.fromEntries(
        packs.map((p) => [p.key, { wallMs: [], cpuMs: [], phases: {} }]),
    );
    const probe = options.probe;
    const phasesFile = probe ? path.join(path.dirname(probe), "startup-phases.json") : undefined;
    for (let round = options.warmUp === false ? 0 : -1; round < rounds; round++) {
        for (const p of rotate(packs, round + 1)) {
            const env = probe && phasesFile ? withProbe(probe, { ...p.env, BENCH_PROBE_STARTUP: phasesFile }) : p.env;
            if (phasesFile) {
                fs.rmSync(phasesFile, { force: true });
            }
            const b = await BenchPack.start(p.label, p.dir, { env });
            await b.close();
            if (round < 0) {
                continue;
            }
            const got = out[p.key];
            got.wallMs.push(b.startupMs);
            got.cpuMs.push(b.startupCpuMs);
            if (phasesFile) {
                const timings = JSON.parse(fs.readFileSync(phasesFile, "utf8")) as Record<string, number>;
                for (const [phase, ms] of Object.entries(phasesOf(timings, b.startupMs))) {
                    (got.phases[phase] ??= []).push(ms);
                }
            }
        }
        options.log?.(`start-up: round ${round + 1}/${rounds}`);
    }
    return out;
}

/**
 * Where a start went, from the probe's timings of the launcher's loads: TypeScript and ts-node (the launcher registers
 * them for every pack), the policy SDK (which loads all of `@pulumi/pulumi`), the pack's own modules, and the rest
 * (Node itself, the launcher, the gRPC server's listen).
 */
function phasesOf(m: Record<string, number>, startupMs: number): Record<string, number> {
    const tsNode = m.tsNode + (m.tsNodeRegister ?? 0);
    return {
        typescript: m.typescript,
        tsNode,
        policySdk: m.policySdk,
        packModules: m.program - m.policySdk,
        rest: startupMs - m.typescript - tsNode - m.program,
        total: startupMs,
    };
}

/** The median of every phase, rounded to the millisecond. */
export function medianPhases(s: Startups): Record<string, number> {
    return Object.fromEntries(Object.entries(s.phases).map(([phase, xs]) => [phase, Math.round(median(xs))]));
}

async function main(argv: readonly string[]): Promise<void> {
    const value = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
    const rounds = Number(value("--rounds") ?? 30);
    if (!Number.isInteger(rounds) || rounds < 1) {
        throw new Error(`--rounds takes a whole number ≥ 1, not ${value("--rounds")}`);
    }
    const others = argv.flatMap((a, i) => (a === "--pack" ? [path.resolve(argv[i + 1])] : []));
    const out = path.resolve(value("--out") ?? path.join(ROOT, "bench", "results", "startup.json"));
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "container-guard-startup-"));
    try {
        const probe = path.join(work, PROBE_SCRIPT);
        transpile(path.join(ROOT, "bench", "probe.ts"), probe);
        const packs: StartupPack[] = [
            { key: "container-guard", label: "container-guard (this checkout)", dir: ROOT, env: {} },
            { key: "one-policy", label: "one-policy pack", dir: writeReferencePack(work, "one-policy", ROOT), env: {} },
            ...others.map((dir, i) => ({ key: `pack-${i + 1}`, label: dir, dir, env: {} })),
        ];
        const loadAtStart = os.loadavg();
        const began = new Date();
        const samples = await measureStartups(packs, rounds, {
            probe,
            log: (m) => process.stderr.write(`${m}\n`),
        });
        const base = samples["one-policy"];
        const loads = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
        const lines = [
            `Start-up, ${rounds} rounds, ${began.toISOString()}; load average ${loads(loadAtStart)} → ` +
                `${loads(os.loadavg())}; medians in ms; ÷ one-policy: ratio of medians [95% paired]`,
            "",
            "| pack | wall | CPU | ÷ one-policy, wall | ÷ one-policy, CPU | phases |",
            "|---|---:|---:|---|---|---|",
        ];
        const ratio = (a: number[], b: number[]) => formatEstimate(ratioOfMedians(a, b), 3);
        for (const p of packs) {
            const s = samples[p.key];
            const phases = Object.entries(medianPhases(s))
                .map(([k, v]) => `${k} ${v}`)
                .join(", ");
            lines.push(
                `| ${p.label} | ${Math.round(median(s.wallMs))} | ${Math.round(median(s.cpuMs))} | ` +
                    `${ratio(s.wallMs, base.wallMs)} | ${ratio(s.cpuMs, base.cpuMs)} | ${phases} |`,
            );
        }
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(
            out,
            JSON.stringify(
                {
                    date: began.toISOString(),
                    command: `node -r ts-node/register/transpile-only bench/startup.ts ${argv.join(" ")}`.trim(),
                    rounds,
                    loadAverageAtStart: loadAtStart,
                    loadAverageAtEnd: os.loadavg(),
                    packs: Object.fromEntries(packs.map((p) => [p.key, p.label])),
                    samples,
                },
                null,
                2,
            ) + "\n",
        );
        process.stdout.write(`${lines.join("\n")}\nWritten to ${path.relative(process.cwd(), out)}\n`);
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((err: unknown) => {
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
    });
}
