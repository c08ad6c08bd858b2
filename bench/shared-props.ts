// `node -r ts-node/register/transpile-only bench/shared-props.ts [--mix workloads|mixed] [--resources N] [--rounds N]`
//
// What one frozen copy of the props for the pack's policies (src/sdk/shared-props.ts) saves in Analyze, without the
// noise of a second process: the policy SDK's own Analyze handler, with the pack's request handling, runs every policy
// on the benchmark's resources in this process, rounds alternating between sharing off and on (the order flipped each
// round, the first round of each discarded as warm-up). Prints the median CPU time of each and the findings count,
// which must be the same.

import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import { setSharedProps, shareDecodedProps } from "../src/sdk/shared-props";
import { encodedRequests, options, packAnalyzer } from "./in-process";
import { median } from "./stats";

async function main(): Promise<void> {
    const { mix, count, rounds } = options();
    shareDecodedProps();
    // The requests as the engine sends them, decoded from bytes each round as gRPC decodes them.
    const requests = encodedRequests(count, mix);
    const analyze = packAnalyzer();
    const one = async (bytes: Uint8Array) =>
        (await analyze(analyzerProto.AnalyzeRequest.deserializeBinary(bytes))).getDiagnosticsList().length;
    const cpu: Record<"off" | "on", number[]> = { off: [], on: [] };
    const findings: Record<"off" | "on", number> = { off: 0, on: 0 };
    for (let round = 0; round <= rounds; round++) {
        for (const mode of round % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const)) {
            setSharedProps(mode === "on");
            const start = process.cpuUsage();
            let n = 0;
            for (const bytes of requests) {
                n += await one(bytes);
            }
            const used = process.cpuUsage(start);
            if (round > 0) {
                cpu[mode].push((used.user + used.system) / 1000);
            }
            findings[mode] = n;
        }
    }
    setSharedProps(true);
    const off = median(cpu.off);
    const on = median(cpu.on);
    console.log(
        `${count} resources, mix ${mix}, ${rounds} rounds each; Analyze CPU (median): ` +
            `sharing off ${off.toFixed(0)} ms, on ${on.toFixed(0)} ms, ${(on / off).toFixed(2)}×; ` +
            `findings ${findings.off} / ${findings.on}`,
    );
    if (findings.off !== findings.on) {
        process.exitCode = 1;
    }
}

void main();
