// `node -r ts-node/register/transpile-only bench/shared-props.ts [--mix workloads|mixed] [--resources N] [--rounds N]`
//
// What one frozen copy of the props for the pack's policies (src/sdk/shared-props.ts) saves in Analyze, without the
// noise of a second process: the policy SDK's own Analyze handler, with the pack's request handling, runs every policy
// on the benchmark's resources in this process, rounds alternating between sharing off and on (the order flipped each
// round, the first round of each discarded as warm-up). Prints the median CPU time of each and the findings count,
// which must be the same.

import type { PolicyPackConfig, Policy } from "../src/engine/local-engine";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import type { UnaryHandler } from "../src/sdk/policy-sdk";
import { requireFromPolicySdk } from "../src/sdk/policy-sdk";
import { analyzeResources, MIXES, type Mix } from "./resources";
import { allPolicies } from "../policies";
import { toStruct } from "../src/engine/protocol";
import { withPropsDecodedOnce } from "../src/sdk/decode-once";
import { setSharedProps, shareDecodedProps } from "../src/sdk/shared-props";
import { median } from "./stats";

/** The SDK's Analyze handler factory (internal to the SDK: the same one its gRPC server registers). */
const { makeAnalyzeRpcFun } = requireFromPolicySdk<{
    makeAnalyzeRpcFun: (
        name: string,
        version: string,
        level: string,
        policies: readonly Policy[],
        config?: PolicyPackConfig,
    ) => UnaryHandler<analyzerProto.AnalyzeRequest>;
}>("@pulumi/policy/server");

function arg(flag: string, fallback: string): string {
    const i = process.argv.indexOf(flag);
    return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
    const mix = arg("--mix", "workloads") as Mix;
    if (!MIXES.includes(mix)) {
        throw new Error(`--mix takes one of ${MIXES.join(", ")}`);
    }
    const count = Number(arg("--resources", "600"));
    const rounds = Number(arg("--rounds", "8"));
    shareDecodedProps();
    // The requests as the engine sends them, decoded from bytes each round as gRPC decodes them.
    const requests = analyzeResources(count, undefined, mix).map((r) => {
        const req = new analyzerProto.AnalyzeRequest();
        req.setType(r.type);
        req.setName(r.name ?? "");
        req.setUrn(`urn:pulumi:bench::bench::${r.type}::${r.name}`);
        req.setProperties(toStruct(r.props) as never);
        req.setOptions(new analyzerProto.AnalyzerResourceOptions());
        return req.serializeBinary();
    });
    const { analyze } = withPropsDecodedOnce({
        analyze: makeAnalyzeRpcFun("container-guard", "0.0.0", "advisory", allPolicies),
    });
    const one = (bytes: Uint8Array) =>
        new Promise<number>((resolve, reject) => {
            const request = analyzerProto.AnalyzeRequest.deserializeBinary(bytes);
            const answer = (err: unknown, res?: unknown) =>
                err
                    ? reject(err instanceof Error ? err : new Error(JSON.stringify(err)))
                    : resolve((res as analyzerProto.AnalyzeResponse).getDiagnosticsList().length);
            void analyze.call(undefined, { request }, answer);
        });
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
