// One frozen copy of a resource's props for all of this pack's policies in an Analyze request.
//
// For every policy that applies, the policy SDK (1.21) deserializes the request's props into a fresh
// copy (every object and array) before it calls the policy, because a policy may change what it is
// given. container-guard's policies only read their props, so they share one copy per request, made
// once and deeply frozen: a policy that tried to write would fail loudly instead of changing what the
// next one sees. With dozens of policies applying to a workload, those copies were most of what the
// pack cost in Analyze (docs/performance.md).
//
// Which policies share: only those that said so when the SDK asked them for their Pulumi type, right
// before it decodes the props for them (applicability.ts). Any other policy of the pack, such as a
// user's own composed with ours, still gets its own copy exactly as the SDK makes it. Props that
// hold assets, archives or values unknown during preview are copied per policy as before: only the
// SDK's proxy reports reading an unknown value as the SDK would. The shared copy is the SDK's own
// decoding, so a secret in it is unwrapped exactly as in each policy's copy, and the request's secret
// index (secrets.ts) still says which values were secrets.
//
// The SDK wraps the shared copy in its unknown-checking proxy, which hands out a frozen object's
// properties as they are; `sharedPropsBehind` finds the copy behind that proxy, so that what is
// built from the props (the pod specs of a workload) is built once per request too.

import { currentAnalyzeScope } from "./applicability";
import { type SdkDeserializer, isUnknownSentinel, proxyTargetOf, replaceSdkDeserializer } from "./policy-sdk";

type Decodable = Parameters<SdkDeserializer>[0];

/** The shared copies made, by the request props (Struct) they were decoded from: null when it cannot be shared. */
const sharedByStruct = new WeakMap<object, Record<string, unknown> | null>();
/** Every shared copy handed out. */
const handedOut = new WeakSet<object>();

/**
 * Freezes a decoded value and everything in it; false (and the value no longer shareable) when it holds a value
 * unknown during preview, or anything but plain objects, arrays and scalars (the SDK's assets and archives).
 */
function freezeShareable(value: unknown): boolean {
    if (typeof value !== "object" || value === null) {
        return !isUnknownSentinel(value);
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (Array.isArray(value) ? proto !== Array.prototype : proto !== Object.prototype) {
        return false;
    }
    for (const key of Object.keys(value)) {
        if (!freezeShareable((value as Record<string, unknown>)[key])) {
            return false;
        }
    }
    Object.freeze(value);
    return true;
}

/** The request's shared copy: the SDK's own decoding of the props (made once), frozen; undefined if not shareable. */
function sharedCopyOf(struct: Decodable, decode: SdkDeserializer): Record<string, unknown> | undefined {
    let shared = sharedByStruct.get(struct);
    if (shared === undefined) {
        const decoded = decode(struct, false);
        shared = freezeShareable(decoded) ? decoded : null;
        sharedByStruct.set(struct, shared);
        if (shared) {
            handedOut.add(shared);
        }
    }
    return shared ?? undefined;
}

let installed = false;
/** Off: every policy gets its own copy, as from the SDK alone (for comparisons: tests, benchmarks). */
let enabled = true;

/** Turns sharing on or off once installed (for comparisons: tests, benchmarks). */
export function setSharedProps(on: boolean): void {
    enabled = on;
}

/**
 * Makes the SDK's server hand this pack's props-reading policies the request's shared copy (for the life of the
 * process: a policy pack's process serves one pack).
 */
export function shareDecodedProps(): void {
    if (installed) {
        return;
    }
    installed = true;
    replaceSdkDeserializer(
        (original) =>
            function (this: unknown, struct, proxySecrets) {
                const scope = currentAnalyzeScope();
                if (scope?.shareNext && enabled) {
                    scope.shareNext = false;
                    if (!proxySecrets && struct === scope.props && typeof struct === "object" && struct !== null) {
                        const shared = sharedCopyOf(struct, (s, p) => original.call(this, s, p));
                        if (shared) {
                            return shared;
                        }
                    }
                }
                return original.call(this, struct, proxySecrets);
            },
    );
}

/** The shared copy behind the props a policy was given (the SDK's proxy of it), if that is what it was given. */
export function sharedPropsBehind(props: unknown): Record<string, unknown> | undefined {
    const target = proxyTargetOf(props);
    return target !== undefined && handedOut.has(target) ? (target as Record<string, unknown>) : undefined;
}
