// Deciding that a policy does not apply to a resource from its type token, before the policy SDK
// decodes the resource's props for it.
//
// For every resource policy, the SDK (1.21) deserializes the props into a fresh copy before it calls
// the validation, even when the policy then declares itself not applicable. Most of a pack's
// policies do not apply to most resources (Docker policies to Kubernetes workloads and the reverse),
// so most of those copies were thrown away. The SDK skips the copy for a validation that carries a
// Pulumi type (`__pulumiType`) different from the resource's: a getter gives it one, during an
// Analyze request only, when the policy has decided from the request's type that it does not apply.
// The request is kept per request in AsyncLocalStorage: the SDK awaits between policies and the engine
// sends requests concurrently.
//
// The SDK reads that getter right before it decodes the props for the policy, with nothing in between
// that could yield: a policy that applies and only reads its props uses the moment to ask for the
// request's shared copy instead of one of its own (shared-props.ts).

import { AsyncLocalStorage } from "async_hooks";

/** The Analyze request being handled, as the pack's handling of it needs it. */
export interface AnalyzeScope {
    readonly type: string;
    /** The request's props as the SDK decodes them (a protobuf Struct). */
    readonly props: unknown;
    /** The SDK is about to decode the props for a policy that only reads them (shared-props.ts). */
    shareNext: boolean;
}

const analyzeScope = new AsyncLocalStorage<AnalyzeScope>();

/** Runs an Analyze request's handler with the resource's type (and props) available to `skipBeforeDecoding`. */
export function withAnalyzedType<T>(type: string | undefined, handler: () => T, props?: unknown): T {
    return typeof type === "string" && type.length > 0
        ? analyzeScope.run({ type, props, shareNext: false }, handler)
        : handler();
}

/** The Analyze request being handled, if any. */
export function currentAnalyzeScope(): AnalyzeScope | undefined {
    return analyzeScope.getStore();
}

/** The type of the resource of the Analyze request being handled, if any. */
export function currentAnalyzedType(): string | undefined {
    return analyzeScope.getStore()?.type;
}

/**
 * Lets the SDK skip `validate` without decoding the props when `notApplicableTo(type)` returns a
 * description of what the policy applies to (it becomes the SDK's not-applicable reason, "Policy only
 * applies to resources of type '<description>'"). Returning undefined means the policy may apply: the
 * SDK decodes and calls it as usual; with `readsPropsOnly` (the policy never writes to its props) it is
 * handed the request's shared copy when there is one (shared-props.ts). Outside an Analyze request
 * (Remediate, the local engine) the validation carries no type.
 */
export function skipBeforeDecoding(
    validate: object,
    notApplicableTo: (type: string) => string | undefined,
    readsPropsOnly = false,
): void {
    Object.defineProperty(validate, "__pulumiType", {
        configurable: true,
        enumerable: false,
        get(): string | undefined {
            const scope = analyzeScope.getStore();
            if (scope === undefined) {
                return undefined;
            }
            const appliesTo = notApplicableTo(scope.type);
            // The SDK skips only when the two differ; a description is never a type token.
            if (appliesTo !== undefined && appliesTo !== scope.type) {
                return appliesTo;
            }
            scope.shareNext = readsPropsOnly;
            return undefined;
        },
    });
}
