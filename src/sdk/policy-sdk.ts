// Everything container-guard relies on in @pulumi/policy beyond its documented API, in one place.
//
// The pack needs a few things the policy SDK (1.21) does not export: the structured form of
// reportViolation (per-finding enforcement level), the shape of the error its unknown-checking proxy
// throws, the gRPC server it serves with (to check configuration names and decode each request once),
// and, for the local engine, its own deserializer and proxy. Each is reached here and nowhere else,
// and tests/sdk/policy-sdk-contract.spec.ts fails with a clear message when an SDK upgrade changes
// any of them.

import * as path from "path";
import type { EnforcementLevel, ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import type * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import type * as grpcJs from "@grpc/grpc-js";

/** The strings the engine sends for values unknown during preview, one per kind (the SDK's proxy throws on them). */
const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/** True for a raw unknown sentinel (stack outputs, state files and unproxied inputs carry them as plain strings). */
export function isUnknownSentinel(value: unknown): boolean {
    return typeof value === "string" && value.length === 36 && UNKNOWN_SENTINELS.has(value);
}

/** The @pulumi/policy versions whose internals this module was checked against. */
export const SUPPORTED_SDK_VERSIONS = /^1\.21\./;

/**
 * Resolves a module the way the policy SDK itself resolves it (its own dependencies, not ours), typed
 * by the caller: the same packages as ours.
 */
export function requireFromPolicySdk<T>(id: string): T {
    const sdkDir = path.dirname(require.resolve("@pulumi/policy"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(require.resolve(id, { paths: [sdkDir] })) as T;
}

/** The gRPC library the SDK serves with. */
function sdkGrpc(): typeof grpcJs {
    return requireFromPolicySdk<typeof grpcJs>("@grpc/grpc-js");
}

/** A finding as the SDK's structured reportViolation takes it (since 1.21; typed as internal). */
export interface StructuredViolation {
    readonly message: string;
    /** Overrides the policy's level for this one finding (e.g. an advisory note under a mandatory policy). */
    readonly enforcementLevel?: EnforcementLevel;
    /** Stack policies: the resource the finding is about. */
    readonly urn?: string;
}

/**
 * Reports a finding through the SDK's structured reportViolation. Its exported type declares only
 * the string form, which cannot say "advisory for this one finding".
 */
export function reportStructured(report: ReportViolation, violation: StructuredViolation): void {
    (report as unknown as (v: StructuredViolation) => void)(violation);
}

/**
 * Declares a policy not applicable to a resource. The SDK does this with an exception of which it
 * keeps only the reason; most policies of a pack do not apply to most resources, so the exception is
 * created without a stack trace, which is most of its cost.
 */
export function declareNotApplicable(args: Pick<ResourceValidationArgs, "notApplicable">, reason: string): never {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        return args.notApplicable(reason);
    } finally {
        Error.stackTraceLimit = limit;
    }
}

/** The type token a validation function was restricted to, if any. */
export function restrictedType(fn: unknown): string | undefined {
    return (fn as { __pulumiType?: string } | undefined)?.__pulumiType;
}

/**
 * True for the error the SDK's unknown-checking proxy throws when a policy reads a value that is
 * unknown during preview. Matched by shape, so any copy of the SDK in the process is recognised.
 */
export function isUnknownValueError(err: unknown): err is Error & { props: unknown[] } {
    return (
        typeof err === "object" &&
        err !== null &&
        "unknownTypeSentinel" in err &&
        Array.isArray((err as { props?: unknown }).props)
    );
}

/** The dotted path of the value an UnknownValueError is about. */
export function unknownValuePath(err: Error & { props: unknown[] }): string {
    return err.props.map(String).join(".");
}

/** A unary gRPC handler as @grpc/grpc-js calls it. */
export type UnaryHandler<Req> = (
    this: unknown,
    call: { readonly request: Req },
    callback: (err: unknown, res?: unknown) => void,
) => unknown;

/** The handlers the SDK registers for the analyzer gRPC service (typed: the ones the pack wraps). */
export interface AnalyzerHandlers {
    readonly configure?: UnaryHandler<analyzer.ConfigureAnalyzerRequest>;
    readonly analyze?: UnaryHandler<analyzer.AnalyzeRequest>;
    readonly remediate?: UnaryHandler<analyzer.AnalyzeRequest>;
    readonly analyzeStack?: UnaryHandler<analyzer.AnalyzeStackRequest>;
    readonly [other: string]: unknown;
}

/**
 * Passes every service implementation the SDK's gRPC server registers through `wrap`, and its
 * definition (how each method's messages are decoded and encoded) through `rewire`, until the
 * returned function is called. The SDK offers no hook for this, so the server's addService is
 * replaced; wrappers installed this way nest.
 */
export function wrapAnalyzerServices(
    wrap: (handlers: AnalyzerHandlers) => AnalyzerHandlers,
    rewire: <S extends object>(service: S) => S = (service) => service,
): () => void {
    const proto = sdkGrpc().Server.prototype;
    // Kept to be called with the server as `this` below (and restored as it was).
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const addService = proto.addService;
    proto.addService = function (this: grpcJs.Server, service, impl) {
        const handlers = impl as AnalyzerHandlers | undefined;
        const wrapped = handlers && typeof handlers === "object" ? wrap(handlers) : handlers;
        const definition = service && typeof service === "object" ? rewire(service) : service;
        return addService.call(this, definition, wrapped as grpcJs.UntypedServiceImplementation);
    };
    return () => {
        proto.addService = addService;
    };
}

/**
 * Runs `construct` (which must create the PolicyPack, whose constructor starts the SDK's gRPC
 * server) with the service implementation passed through `wrap` first, and its definition through
 * `rewire` when given.
 */
export function interceptAnalyzerService(
    wrap: (handlers: AnalyzerHandlers) => AnalyzerHandlers,
    construct: () => void,
    rewire?: <S extends object>(service: S) => S,
): void {
    const restore = wrapAnalyzerServices(wrap, rewire);
    try {
        construct();
    } finally {
        restore();
    }
}

/** The gRPC status codes of the SDK's gRPC library. */
export function grpcStatus(): typeof grpcJs.status {
    return sdkGrpc().status;
}

/** The SDK's own props decoding and proxy, for engines that must hand policies exactly what it would. */
interface SdkDecoding {
    readonly deserializeProperties: (
        s: { toJavaScript(): Record<string, unknown> },
        proxySecrets: boolean,
    ) => Record<string, unknown>;
    readonly serializeProperties: (props: Record<string, unknown>) => Promise<Record<string, unknown>>;
    readonly unknownCheckingProxy: <T>(value: T) => T;
}

let decoding: SdkDecoding | undefined;
let proxyOnly: SdkDecoding["unknownCheckingProxy"] | undefined;

/**
 * The SDK's unknown-checking proxy alone: unlike its deserializer, its module loads nothing else (the deserializer
 * loads all of @pulumi/pulumi).
 */
export function sdkUnknownCheckingProxy(): SdkDecoding["unknownCheckingProxy"] {
    proxyOnly ??=
        requireFromPolicySdk<Pick<SdkDecoding, "unknownCheckingProxy">>("@pulumi/policy/proxy").unknownCheckingProxy;
    return proxyOnly;
}

/** The SDK's props deserializer. */
export type SdkDeserializer = SdkDecoding["deserializeProperties"];

/**
 * Replaces the deserializer the SDK's server decodes each policy's props with (its module's export, which the server
 * reads at every call): `wrap` is given the SDK's own and returns the one to use, for the life of the process.
 */
export function replaceSdkDeserializer(wrap: (original: SdkDeserializer) => SdkDeserializer): void {
    const module = requireFromPolicySdk<{ deserializeProperties: SdkDeserializer }>("@pulumi/policy/deserialize");
    module.deserializeProperties = wrap(module.deserializeProperties);
}

/** The key under which the SDK's unknown-checking proxy answers with the object it wraps (`getSpecialProxyTarget`). */
const PROXY_TARGET_KEY = "__getSpecialProxyTarget";

/** The object an unknown-checking proxy of the SDK wraps; undefined for anything else. */
export function proxyTargetOf(value: unknown): object | undefined {
    if (typeof value !== "object" || value === null) {
        return undefined;
    }
    const target = (value as Record<string, unknown>)[PROXY_TARGET_KEY];
    return typeof target === "object" && target !== null ? target : undefined;
}

/** The SDK's deserializer and unknown-checking proxy (loaded on first use). */
export function sdkDecoding(): SdkDecoding {
    if (!decoding) {
        // Internal modules of the SDK (no declarations): their exports are checked by the contract test.
        const deserialize =
            requireFromPolicySdk<Pick<SdkDecoding, "deserializeProperties" | "serializeProperties">>(
                "@pulumi/policy/deserialize",
            );
        const proxy = requireFromPolicySdk<Pick<SdkDecoding, "unknownCheckingProxy">>("@pulumi/policy/proxy");
        decoding = {
            deserializeProperties: deserialize.deserializeProperties,
            serializeProperties: deserialize.serializeProperties,
            unknownCheckingProxy: proxy.unknownCheckingProxy,
        };
    }
    return decoding;
}
