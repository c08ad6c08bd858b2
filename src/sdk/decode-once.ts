// Decoding a resource's props once per request instead of once per policy.
//
// For every policy, the policy SDK (1.21) turns the request's protobuf Struct into plain JavaScript
// (`Struct.toJavaScript()`) and then deserializes that into the props the policy sees, copying every
// object and array. With a pack of dozens of policies the protobuf step was the largest single cost
// of Analyze (README, Performance). Its result is the same every time, so the handlers here compute it
// once per resource and hand the same plain value to each of the SDK's deserializations, which still
// give every policy its own copy: no policy sees another's props (tests/core/decode-once.spec.ts
// holds the SDK to that).

/* eslint-disable @typescript-eslint/no-explicit-any */

type Handler = (this: unknown, call: { request: any }, callback: (...args: any[]) => void) => unknown;

/** Makes `toJavaScript` of a protobuf Struct compute its value once. */
function memoizeToJavaScript(struct: unknown): void {
    const s = struct as { toJavaScript?: () => unknown } | undefined;
    if (!s || typeof s.toJavaScript !== "function") {
        return;
    }
    const decode = s.toJavaScript;
    let decoded: { value: unknown } | undefined;
    s.toJavaScript = function (this: unknown) {
        decoded ??= { value: decode.call(this) };
        return decoded.value;
    };
}

/** The props and provider props of one resource of a request (Analyze, Remediate, AnalyzeStack). */
function memoizeResource(resource: any): void {
    memoizeToJavaScript(resource?.getProperties?.());
    memoizeToJavaScript(resource?.getProvider?.()?.getProperties?.());
}

function wrap(handler: unknown, prepare: (request: any) => void): Handler | undefined {
    if (typeof handler !== "function") {
        return undefined;
    }
    return function (this: unknown, call, callback) {
        try {
            prepare(call?.request);
        } catch {
            // an unexpected request shape: the SDK decodes it as usual
        }
        return (handler as Handler).call(this, call, callback);
    };
}

/**
 * The analyzer service's handlers with each resource's props decoded once per request. Pass the
 * implementation the policy SDK gives `grpc.Server.addService`.
 */
export function withPropsDecodedOnce<T extends Record<string, unknown>>(impl: T): T {
    const handlers: Record<string, Handler | undefined> = {
        analyze: wrap(impl.analyze, memoizeResource),
        remediate: wrap(impl.remediate, memoizeResource),
        analyzeStack: wrap(impl.analyzeStack, (request) => request?.getResourcesList?.().forEach(memoizeResource)),
    };
    return { ...impl, ...Object.fromEntries(Object.entries(handlers).filter(([, h]) => h !== undefined)) };
}
