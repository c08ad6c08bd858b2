// Reads a V8 CPU profile (.cpuprofile) of a pack process and says where the time went: the
// functions with the most self time, and the shares of container-guard's own code, the policy SDK's
// per-policy decoding, protobuf, gRPC and garbage collection.

import * as path from "path";

interface CallFrame {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
}

interface ProfileNode {
    readonly id: number;
    readonly callFrame: CallFrame;
    readonly children?: readonly number[];
}

export interface CpuProfile {
    readonly nodes: readonly ProfileNode[];
    readonly samples: readonly number[];
    readonly timeDeltas: readonly number[];
}

export interface ProfileEntry {
    readonly function: string;
    readonly where: string;
    readonly selfMs: number;
    readonly selfPercent: number;
}

export interface ProfileSummary {
    /** Sampled time excluding idle, ms. */
    readonly busyMs: number;
    /** Functions by self time. */
    readonly top: ProfileEntry[];
    /** Self time by where the code lives, percent of busy time. */
    readonly byArea: Record<string, number>;
    /** Percent of busy time with a frame of these functions on the stack (inclusive). */
    readonly inclusive: Record<string, number>;
}

/** Where a frame's code lives, for the per-area breakdown. */
function areaOf(frame: CallFrame, packRoot: string): string {
    const url = frame.url.replace(/^file:\/\//, "");
    if (!url) {
        if (frame.functionName === "(garbage collector)") {
            return "garbage collection";
        }
        return frame.functionName === "(program)" ? "V8/native (program)" : "native built-ins";
    }
    if (url.startsWith(path.join(packRoot, "dist") + path.sep)) {
        return "container-guard (dist/)";
    }
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
    if (pkg === "@pulumi/policy") {
        return "policy SDK (@pulumi/policy)";
    }
    if (pkg) {
        return pkg;
    }
    return url.startsWith("node:") ? "node internals" : "other";
}

function describe(frame: CallFrame, packRoot: string): string {
    const url = frame.url.replace(/^file:\/\//, "");
    const file = url.startsWith(packRoot) ? path.relative(packRoot, url) : url.replace(/^.*node_modules\//, "");
    return file ? `${file}:${frame.lineNumber + 1}` : "";
}

/** The file name the benchmark gives its compiled probe (bench/probe.ts). */
export const PROBE_SCRIPT = "container-guard-bench-probe.js";

/** `env` with the compiled probe at `probe` preloaded (`NODE_OPTIONS=--require`) into the process it starts. */
export function withProbe(probe: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return { ...env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${probe}`.trim() };
}

/** The profiler's own work (the probe stopping it and writing the profile) is not the pack's. */
const isProbe = (frame: CallFrame) => frame.url.endsWith(`/${PROBE_SCRIPT}`);

/**
 * Summarises a profile: self time by function and by area, and the inclusive share of the frames
 * `inclusiveOf` selects (e.g. the SDK's `deserializeProperties`). Idle time is left out.
 */
export function summarizeProfile(
    profile: CpuProfile,
    packRoot: string,
    inclusiveOf: Record<string, (frame: CallFrame) => boolean>,
    topN = 15,
): ProfileSummary {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) {
        for (const c of n.children ?? []) {
            parent.set(c, n.id);
        }
    }
    const selfByNode = new Map<number, number>();
    let busyUs = 0;
    const inclusiveUs: Record<string, number> = Object.fromEntries(Object.keys(inclusiveOf).map((k) => [k, 0]));
    // Per node: which selected frames are on its stack, or undefined to leave its samples out.
    const stackHits = new Map<number, string[] | undefined>();
    const hitsOf = (id: number): string[] | undefined => {
        if (!stackHits.has(id)) {
            const set = new Set<string>();
            let excluded = byId.get(id)!.callFrame.functionName === "(idle)";
            for (let cur: number | undefined = id; cur !== undefined && !excluded; cur = parent.get(cur)) {
                const frame = byId.get(cur)!.callFrame;
                excluded = isProbe(frame);
                for (const [name, test] of Object.entries(inclusiveOf)) {
                    if (test(frame)) {
                        set.add(name);
                    }
                }
            }
            stackHits.set(id, excluded ? undefined : [...set]);
        }
        return stackHits.get(id);
    };
    profile.samples.forEach((id, i) => {
        const us = profile.timeDeltas[i] ?? 0;
        const hits = hitsOf(id);
        if (!hits) {
            return;
        }
        busyUs += us;
        selfByNode.set(id, (selfByNode.get(id) ?? 0) + us);
        for (const name of hits) {
            inclusiveUs[name] += us;
        }
    });
    const byFunction = new Map<string, { function: string; where: string; us: number }>();
    const byArea: Record<string, number> = {};
    for (const [id, us] of selfByNode) {
        const frame = byId.get(id)!.callFrame;
        const where = describe(frame, packRoot);
        const key = `${frame.functionName}\u0000${where}`;
        const entry = byFunction.get(key) ?? { function: frame.functionName || "(anonymous)", where, us: 0 };
        entry.us += us;
        byFunction.set(key, entry);
        const area = areaOf(frame, packRoot);
        byArea[area] = (byArea[area] ?? 0) + us;
    }
    const percent = (us: number) => Math.round((1000 * us) / Math.max(busyUs, 1)) / 10;
    return {
        busyMs: Math.round(busyUs / 1000),
        top: [...byFunction.values()]
            .sort((a, b) => b.us - a.us)
            .slice(0, topN)
            .map((e) => ({
                function: e.function,
                where: e.where,
                selfMs: Math.round(e.us / 100) / 10,
                selfPercent: percent(e.us),
            })),
        byArea: Object.fromEntries(
            Object.entries(byArea)
                .sort(([, a], [, b]) => b - a)
                .map(([k, us]) => [k, percent(us)]),
        ),
        inclusive: Object.fromEntries(Object.entries(inclusiveUs).map(([k, us]) => [k, percent(us)])),
    };
}
