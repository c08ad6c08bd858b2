// What the in-process benchmarks (bench/shared-props.ts, bench/wire.ts) share: their command line, the requests as
// the engine encodes them, and the policy SDK's own Analyze handler with the pack's request handling.

import type { PolicyPackConfig, Policy } from "../src/engine/local-engine";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import type { UnaryHandler } from "../src/sdk/policy-sdk";
import { requireFromPolicySdk } from "../src/sdk/policy-sdk";
import { analyzeResources, MIXES, type Mix } from "./resources";
import { allPolicies } from "../policies";
import { toStruct } from "../src/engine/protocol";
import { withPropsDecodedOnce } from "../src/sdk/decode-once";

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

export function arg(flag: string, fallback: string): string {
    const i = process.argv.indexOf(flag);
    return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

/** `--mix`, `--resources` and `--rounds`, checked. */
export function options(): { mix: Mix; count: number; rounds: number } {
    const mix = arg("--mix", "workloads") as Mix;
    if (!MIXES.includes(mix)) {
        throw new Error(`--mix takes one of ${MIXES.join(", ")}`);
    }
    return { mix, count: Number(arg("--resources", "600")), rounds: Number(arg("--rounds", "8")) };
}

/** The benchmark's Analyze requests of one mix, encoded as the engine sends them. */
export function encodedRequests(count: number, mix: Mix): Buffer[] {
    return analyzeResources(count, undefined, mix).map((r) => {
        const req = new analyzerProto.AnalyzeRequest();
        req.setType(r.type);
        req.setName(r.name ?? "");
        req.setUrn(`urn:pulumi:bench::bench::${r.type}::${r.name}`);
        req.setProperties(toStruct(r.props) as never);
        req.setOptions(new analyzerProto.AnalyzerResourceOptions());
        return Buffer.from(req.serializeBinary());
    });
}

/** Judges a decoded request with every policy of the pack, as the pack's server does; resolves to the response. */
export function packAnalyzer(): (request: analyzerProto.AnalyzeRequest) => Promise<analyzerProto.AnalyzeResponse> {
    const { analyze } = withPropsDecodedOnce({
        analyze: makeAnalyzeRpcFun("container-guard", "0.0.0", "advisory", allPolicies),
    });
    return (request) =>
        new Promise((resolve, reject) => {
            const answer = (err: unknown, res?: unknown) =>
                err
                    ? reject(err instanceof Error ? err : new Error(JSON.stringify(err)))
                    : resolve(res as analyzerProto.AnalyzeResponse);
            void analyze.call(undefined, { request }, answer);
        });
}
