// Decoding a resource's props once per request instead of once per policy, and finding its secrets.
//
// For every policy, the policy SDK (1.21) turns the request's protobuf Struct into plain JavaScript
// (`Struct.toJavaScript()`) and then deserializes that into the props the policy sees, copying every
// object and array. With a pack of dozens of policies the protobuf step was the largest single cost
// of Analyze (README, Performance). Its result is the same every time, so the handlers here compute it
// once per resource and hand the same plain value to each of the SDK's deserializations, which still
// give every policy its own copy: no policy sees another's props (tests/sdk/decode-once.spec.ts
// holds the SDK to that).
//
// The decoded value still marks Pulumi secrets, which the SDK's deserializer then unwraps: it is read
// here once for the secrets' paths (secrets.ts), and the SDK's handler runs with them in scope.

import type * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import type { AnalyzerHandlers, UnaryHandler } from "./policy-sdk";
import { RequestSecrets, type ResourceSecrets, resourceSecrets, withRequestSecrets } from "./secrets";
import { withAnalyzedType } from "./applicability";
import { withResponseBudget } from "./response-budget";

type Decodable = { toJavaScript?: () => unknown } | undefined;
type AnalyzedResource = { readonly type?: string; readonly props?: unknown };

/** Makes `toJavaScript` of a protobuf Struct compute its value once; returns the memoized function. */
function memoizeToJavaScript(struct: Decodable): (() => unknown) | undefined {
    if (!struct || typeof struct.toJavaScript !== "function") {
        return undefined;
    }
    const decode = struct.toJavaScript;
    let decoded: { value: unknown } | undefined;
    struct.toJavaScript = function (this: unknown) {
        decoded ??= { value: decode.call(this) };
        return decoded.value;
    };
    return () => struct.toJavaScript!();
}

/** The props and provider props of one resource of a request (Analyze, Remediate, AnalyzeStack). */
function memoizeResource(
    resource: analyzer.AnalyzeRequest | analyzer.AnalyzerResource | undefined,
): ResourceSecrets | undefined {
    const props = memoizeToJavaScript(resource?.getProperties?.());
    const provider = memoizeToJavaScript(resource?.getProvider?.()?.getProperties?.());
    return resourceSecrets(props?.(), provider?.());
}

/** Remediation writes no messages: the props are decoded once, lazily, and secrets are not looked for. */
function remediateRequest(request: analyzer.AnalyzeRequest | undefined): undefined {
    memoizeToJavaScript(request?.getProperties?.());
    memoizeToJavaScript(request?.getProvider?.()?.getProperties?.());
    return undefined;
}

function resourceRequest(request: analyzer.AnalyzeRequest | undefined): RequestSecrets | undefined {
    const secrets = memoizeResource(request);
    return secrets && RequestSecrets.ofResource(secrets);
}

function stackRequest(request: analyzer.AnalyzeStackRequest | undefined): RequestSecrets | undefined {
    const byUrn = new Map<string, ResourceSecrets>();
    request?.getResourcesList?.().forEach((r) => {
        const secrets = memoizeResource(r);
        if (secrets) {
            byUrn.set(r.getUrn(), secrets);
        }
    });
    return byUrn.size > 0 ? RequestSecrets.ofStack(byUrn) : undefined;
}

/** The resource type and props of an Analyze request (policies may decide from the type alone: applicability.ts). */
function analyzedResourceOf(request: analyzer.AnalyzeRequest | undefined): AnalyzedResource | undefined {
    try {
        return { type: request?.getType?.(), props: request?.getProperties?.() };
    } catch {
        return undefined;
    }
}

function wrap<Req>(
    handler: UnaryHandler<Req> | undefined,
    prepare: (request: Req) => RequestSecrets | undefined,
    analyzed: (request: Req) => AnalyzedResource | undefined = () => undefined,
): UnaryHandler<Req> | undefined {
    if (typeof handler !== "function") {
        return undefined;
    }
    return function (this: unknown, call, callback) {
        let secrets: RequestSecrets | undefined;
        try {
            secrets = prepare(call?.request);
        } catch {
            // an unexpected request shape: the SDK decodes it as usual
        }
        // Each request's findings are limited to what the engine accepts in one response (response-budget.ts).
        const resource = analyzed(call?.request);
        return withAnalyzedType(
            resource?.type,
            () => withRequestSecrets(secrets, () => withResponseBudget(() => handler.call(this, call, callback))),
            resource?.props,
        );
    };
}

/**
 * The analyzer service's handlers with each resource's props decoded once per request and the
 * request's secrets in scope. Pass the implementation the policy SDK gives `grpc.Server.addService`.
 */
export function withPropsDecodedOnce<T extends AnalyzerHandlers>(impl: T): T {
    const handlers = {
        analyze: wrap(impl.analyze, resourceRequest, analyzedResourceOf),
        remediate: wrap(impl.remediate, remediateRequest),
        analyzeStack: wrap(impl.analyzeStack, stackRequest),
    };
    return { ...impl, ...Object.fromEntries(Object.entries(handlers).filter(([, h]) => h !== undefined)) };
}
