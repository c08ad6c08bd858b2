// Deciding that a policy does not apply to a resource from its type token, before the policy SDK
// decodes the resource's props for it.
//
// For every resource policy, the SDK (1.21) deserializes the props into a fresh copy before it calls
// the validation, even when the policy then declares itself not applicable. Most of a pack's
// policies do not apply to most resources (Docker policies to Kubernetes workloads and the reverse),
// so most of those copies were thrown away. The SDK skips the copy for a validation that carries a
// Pulumi type (`__pulumiType`) different from the resource's: a getter gives it one, during an
// Analyze request only, when the policy has decided from the request's type that it does not apply.
// The type is kept per request in AsyncLocalStorage: the SDK awaits between policies and the engine
// sends requests concurrently.

import { AsyncLocalStorage } from "async_hooks";

const analyzedType = new AsyncLocalStorage<string>();

/** Runs an Analyze request's handler with the resource's type available to `skipBeforeDecoding`. */
export function withAnalyzedType<T>(type: string | undefined, handler: () => T): T {
    return typeof type === "string" && type.length > 0 ? analyzedType.run(type, handler) : handler();
}

/** The type of the resource of the Analyze request being handled, if any. */
export function currentAnalyzedType(): string | undefined {
    return analyzedType.getStore();
}

/**
 * Lets the SDK skip `validate` without decoding the props when `notApplicableTo(type)` returns a
 * description of what the policy applies to (it becomes the SDK's not-applicable reason, "Policy only
 * applies to resources of type '<description>'"). Returning undefined means the policy may apply: the
 * SDK decodes and calls it as usual. Outside an Analyze request (Remediate, the local engine) the
 * validation carries no type.
 */
export function skipBeforeDecoding(validate: object, notApplicableTo: (type: string) => string | undefined): void {
    Object.defineProperty(validate, "__pulumiType", {
        configurable: true,
        enumerable: false,
        get(): string | undefined {
            const type = analyzedType.getStore();
            if (type === undefined) {
                return undefined;
            }
            const appliesTo = notApplicableTo(type);
            // The SDK skips only when the two differ; a description is never a type token.
            return appliesTo !== undefined && appliesTo !== type ? appliesTo : undefined;
        },
    });
}
