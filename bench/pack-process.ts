// A pack process under measurement: started by testkit's PackServer exactly as the engine starts it,
// plus what a benchmark needs on top — the process's CPU time and peak memory, and requests encoded
// and serialized ahead of time, so that only the round trip to the pack is timed and not this
// client's protobuf encoding (the engine's, in Go, is far cheaper).

import { execFileSync } from "child_process";
import * as fs from "fs";
import { type EngineResource } from "../src/engine/local-engine";
import { PackServer, type PreparedRequest, type StartOptions } from "../src/engine/pack-server";

/** An AnalyzeRequest or AnalyzeStackRequest serialized once, ready to send any number of times. */
export type EncodedRequest = PreparedRequest;

type Method = "analyze" | "analyzeStack";

const CLOCK_TICKS_PER_SECOND = (() => {
    try {
        return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
        return 100;
    }
})();

/** User + system CPU time of a process so far (all its threads: GC, gRPC, ...). */
function cpuMsOf(pid: number): number {
    // Fields after the parenthesised command name: state is field 3, utime 14 and stime 15.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

export class BenchPack {
    private constructor(
        readonly label: string,
        readonly server: PackServer,
        /** Spawn to port printed, wall clock. */
        readonly startupMs: number,
        /** CPU time the process had used when it printed its port. */
        readonly startupCpuMs: number,
    ) {}

    static async start(label: string, dir: string, options: StartOptions = {}): Promise<BenchPack> {
        const t0 = performance.now();
        const server = await PackServer.start(dir, options);
        const startupMs = performance.now() - t0;
        return new BenchPack(label, server, startupMs, cpuMsOf(server.pid!));
    }

    get pid(): number {
        return this.server.pid!;
    }

    /** User + system CPU time of the pack process so far. */
    cpuMs(): number {
        return cpuMsOf(this.pid);
    }

    /** Resident memory in MiB: `VmHWM` (peak) or `VmRSS` (now). */
    memoryMiB(kind: "VmHWM" | "VmRSS"): number {
        const status = fs.readFileSync(`/proc/${this.pid}/status`, "utf8");
        const kb = Number(new RegExp(`^${kind}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
        return kb / 1024;
    }

    /** Encodes each resource as the AnalyzeRequest PackServer would send. */
    encodeAnalyze(resources: readonly EngineResource[]): Promise<EncodedRequest[]> {
        return Promise.resolve(resources.map((r) => this.server.prepareAnalyze(r)));
    }

    /** Encodes the resources as one AnalyzeStackRequest. */
    encodeStack(resources: readonly EngineResource[]): Promise<EncodedRequest> {
        return Promise.resolve(this.server.prepareAnalyzeStack(resources));
    }

    /** Sends an encoded request; resolves to the number of diagnostics the pack returned. */
    async send(_method: Method, req: EncodedRequest): Promise<number> {
        return (await this.server.send(req)).violations.length;
    }

    /** Stops the pack (the probe, when preloaded, writes its profile on this signal). */
    close(): Promise<void> {
        return this.server.close();
    }
}
