// Decoding a resource's props once per request instead of once per policy.
//
// For every policy, the policy SDK (1.21) turns the request's protobuf Struct into plain JavaScript
// (`Struct.toJavaScript()`) and then deserializes that into the props the policy sees, copying every
// object and array. With a pack of dozens of policies the protobuf step was the largest single cost
// of Analyze (README, Performance). Its result is the same every time, so the handlers here compute it
// once per resource and hand the same plain value to each of the SDK's deserializations, which still
// give every policy its own copy: no policy sees another's props (tests/sdk/decode-once.spec.ts
// holds the SDK to that).

import type * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import type { AnalyzerHandlers, UnaryHandler } from "./policy-sdk";

/** Makes `toJavaScript` of a protobuf Struct compute its value once. */
function memoizeToJavaScript(struct: { toJavaScript?: () => unknown } | undefined): void {
    if (!struct || typeof struct.toJavaScript !== "function") {
        return;
    }
    const decode = struct.toJavaScript;
    let decoded: { value: unknown } | undefined;
    struct.toJavaScript = function (this: unknown) {
        decoded ??= { value: decode.call(this) };
        return decoded.value;
    };
}

/** The props and provider props of one resource of a request (Analyze, Remediate, AnalyzeStack). */
function memoizeResource(resource: analyzer.AnalyzeRequest | analyzer.AnalyzerResource | undefined): void {
    memoizeToJavaScript(resource?.getProperties?.());
    memoizeToJavaScript(resource?.getProvider?.()?.getProperties?.());
}

function wrap<Req>(
    handler: UnaryHandler<Req> | undefined,
    prepare: (request: Req) => void,
): UnaryHandler<Req> | undefined {
    if (typeof handler !== "function") {
        return undefined;
    }
    return function (this: unknown, call, callback) {
        try {
            prepare(call?.request);
        } catch {
            // an unexpected request shape: the SDK decodes it as usual
        }
        return handler.call(this, call, callback);
    };
}

/**
 * The analyzer service's handlers with each resource's props decoded once per request. Pass the
 * implementation the policy SDK gives `grpc.Server.addService`.
 */
export function withPropsDecodedOnce<T extends AnalyzerHandlers>(impl: T): T {
    const handlers = {
        analyze: wrap(impl.analyze, memoizeResource),
        remediate: wrap(impl.remediate, memoizeResource),
        analyzeStack: wrap(impl.analyzeStack, (request) => request?.getResourcesList?.().forEach(memoizeResource)),
    };
    return { ...impl, ...Object.fromEntries(Object.entries(handlers).filter(([, h]) => h !== undefined)) };
}
