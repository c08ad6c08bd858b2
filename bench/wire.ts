// `node -r ts-node/register/transpile-only bench/wire.ts [--mix workloads|mixed] [--resources N] [--rounds N]`
//
// What reading requests and writing responses without google-protobuf's object trees (src/sdk/analyzer-wire.ts)
// saves in Analyze, without the noise of a second process: each request's bytes are decoded as gRPC decodes them,
// the policy SDK's own Analyze handler runs every policy with the pack's request handling, and the response is
// encoded to bytes; rounds alternate between the service definition as the SDK registers it ("google-protobuf") and
// as the pack registers it ("pack"), the order flipped each round and the first round discarded as warm-up. Also
// times each step alone on the same requests. Prints median CPU times; findings and response bytes must be the same.

import type * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { withFasterWire } from "../src/sdk/analyzer-wire";
import { shareDecodedProps } from "../src/sdk/shared-props";
import { encodedRequests, options, packAnalyzer } from "./in-process";
import { median } from "./stats";

/** How the Analyze method's messages are read and written. */
interface Wire {
    requestDeserialize(bytes: Buffer): analyzerProto.AnalyzeRequest;
    responseSerialize(response: analyzerProto.AnalyzeResponse): Buffer;
}

const MODES = ["google-protobuf", "pack"] as const;
type Mode = (typeof MODES)[number];

function cpuMs(start: NodeJS.CpuUsage): number {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
}

async function main(): Promise<void> {
    const { mix, count, rounds } = options();
    shareDecodedProps();
    const wires: Record<Mode, Wire> = {
        "google-protobuf": analyzerGrpc.AnalyzerService.analyze,
        pack: withFasterWire(analyzerGrpc.AnalyzerService).analyze,
    };
    const requests = encodedRequests(count, mix);
    const judge = packAnalyzer();

    const total: Record<Mode, number[]> = { "google-protobuf": [], pack: [] };
    const findings: Record<Mode, number> = { "google-protobuf": 0, pack: 0 };
    const bytesOut: Record<Mode, number> = { "google-protobuf": 0, pack: 0 };
    const responses: analyzerProto.AnalyzeResponse[] = [];
    for (let round = 0; round <= rounds; round++) {
        for (const mode of round % 2 === 0 ? MODES : [...MODES].reverse()) {
            const wire = wires[mode];
            const start = process.cpuUsage();
            let n = 0;
            let size = 0;
            for (const [i, bytes] of requests.entries()) {
                const response = await judge(wire.requestDeserialize(bytes));
                n += response.getDiagnosticsList().length;
                size += wire.responseSerialize(response).length;
                responses[i] = response;
            }
            if (round > 0) {
                total[mode].push(cpuMs(start));
            }
            findings[mode] = n;
            bytesOut[mode] = size;
        }
    }

    // Each step alone: decoding a request (its props to plain JavaScript, as the handler asks), encoding a response.
    const steps: Record<Mode, { decode: number[]; encode: number[] }> = {
        "google-protobuf": { decode: [], encode: [] },
        pack: { decode: [], encode: [] },
    };
    for (let round = 0; round <= rounds; round++) {
        for (const mode of round % 2 === 0 ? MODES : [...MODES].reverse()) {
            const wire = wires[mode];
            let start = process.cpuUsage();
            for (const bytes of requests) {
                (wire.requestDeserialize(bytes).getProperties() as { toJavaScript(): unknown }).toJavaScript();
            }
            const decode = cpuMs(start);
            start = process.cpuUsage();
            for (const response of responses) {
                wire.responseSerialize(response);
            }
            const encode = cpuMs(start);
            if (round > 0) {
                steps[mode].decode.push(decode);
                steps[mode].encode.push(encode);
            }
        }
    }
    const ms = (values: number[]) => `${median(values).toFixed(0)} ms`;
    const ratio = (a: number[], b: number[]) => `${(median(a) / median(b)).toFixed(2)}×`;
    const [g, p] = [MODES[0], MODES[1]];
    console.log(
        `${count} resources, mix ${mix}, ${rounds} rounds each; median CPU, google-protobuf → pack:\n` +
            `  decode, handle, encode: ${ms(total[g])} → ${ms(total[p])} (${ratio(total[p], total[g])})\n` +
            `  decoding requests (${(requests.reduce((s, b) => s + b.length, 0) / 1e6).toFixed(1)} MB): ` +
            `${ms(steps[g].decode)} → ${ms(steps[p].decode)} (${ratio(steps[p].decode, steps[g].decode)})\n` +
            `  encoding responses (${(bytesOut[p] / 1e6).toFixed(1)} MB, ${findings[p]} findings): ` +
            `${ms(steps[g].encode)} → ${ms(steps[p].encode)} (${ratio(steps[p].encode, steps[g].encode)})\n` +
            `  findings ${findings[g]} / ${findings[p]}, response bytes ${bytesOut[g]} / ${bytesOut[p]}`,
    );
    if (findings[g] !== findings[p] || bytesOut[g] !== bytesOut[p]) {
        process.exitCode = 1;
    }
}

void main();
