// A pack process under measurement: started by testkit's PackServer exactly as the engine starts it,
// plus what a benchmark needs on top — the process's CPU time and peak memory, and requests encoded
// and serialized ahead of time, so that only the round trip to the pack is timed and not this
// client's protobuf encoding (the engine's, in Go, is far cheaper).

import { execFileSync } from "child_process";
import type { ChildProcess } from "child_process";
import * as fs from "fs";
import { EngineResource } from "../src/engine/local-engine";
import { PackServer, StartOptions } from "../src/engine/pack-server";

/* eslint-disable @typescript-eslint/no-explicit-any */

/** An AnalyzeRequest or AnalyzeStackRequest serialized once, ready to send any number of times. */
export type EncodedRequest = { readonly __encoded: unique symbol };

interface Message {
    serializeBinary(): Uint8Array;
}

type Method = "analyze" | "analyzeStack";

/**
 * The parts of PackServer the benchmark reaches into: the child process (pid) and the gRPC client.
 * PackServer keeps them private; a public `pid` and request builders there would replace this.
 */
interface PackServerInternals {
    readonly child: ChildProcess;
    readonly client: Record<Method, (req: unknown, callback: (err: Error | null, res: any) => void) => void>;
    readonly proto: { AnalyzeResponse: new () => unknown };
}

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
        private readonly internals: PackServerInternals,
        /** Spawn to port printed, wall clock. */
        readonly startupMs: number,
        /** CPU time the process had used when it printed its port. */
        readonly startupCpuMs: number,
    ) {}

    static async start(label: string, dir: string, options: StartOptions = {}): Promise<BenchPack> {
        const t0 = performance.now();
        const server = await PackServer.start(dir, options);
        const startupMs = performance.now() - t0;
        const internals = server as unknown as PackServerInternals;
        return new BenchPack(label, server, internals, startupMs, cpuMsOf(internals.child.pid!));
    }

    get pid(): number {
        return this.internals.child.pid!;
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
    async encodeAnalyze(resources: readonly EngineResource[]): Promise<EncodedRequest[]> {
        const out: EncodedRequest[] = [];
        for (const r of resources) {
            out.push(await this.capture("analyze", () => this.server.analyze(r)));
        }
        return out;
    }

    /** Encodes the resources as one AnalyzeStackRequest. */
    encodeStack(resources: readonly EngineResource[]): Promise<EncodedRequest> {
        return this.capture("analyzeStack", () => this.server.analyzeStack(resources));
    }

    /** Sends an encoded request; resolves to the number of diagnostics the pack returned. */
    send(method: Method, req: EncodedRequest): Promise<number> {
        return new Promise((resolve, reject) => {
            this.internals.client[method](req, (err, res) => (err ? reject(err) : resolve(res.getDiagnosticsList().length)));
        });
    }

    /** Stops the pack (the probe, when preloaded, writes its profile on this signal). */
    close(): Promise<void> {
        return this.server.close();
    }

    /**
     * Runs one PackServer call with the client's method replaced by one that keeps the request and
     * answers with an empty response, so PackServer's own encoding is reused as is. The request is
     * serialized once; what is kept is an object of the request's class (the generated serializer
     * checks the class) whose serialization returns those bytes.
     */
    private async capture(method: Method, call: () => Promise<unknown>): Promise<EncodedRequest> {
        const client = this.internals.client;
        let captured: Message | undefined;
        client[method] = (req, callback) => {
            captured = req as Message;
            callback(null, new this.internals.proto.AnalyzeResponse());
        };
        try {
            await call();
        } finally {
            delete (client as Partial<PackServerInternals["client"]>)[method];
        }
        const bytes = captured!.serializeBinary();
        return Object.create(Object.getPrototypeOf(captured), { serializeBinary: { value: () => bytes } }) as EncodedRequest;
    }
}
