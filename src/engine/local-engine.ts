// Runs policies the way a Pulumi policy pack's server does when the engine calls it, without the
// Pulumi CLI: the engine's config reconciliation (schema defaults, initial config, user config, "all"),
// props encoded as the engine encodes them and decoded by the policy SDK's own deserializer, wrapped
// in the SDK's own unknown-checking proxy, and the SDK's enforcement, not-applicable and
// "can't run during preview" rules. Tests compare this path with the real gRPC server.

import type {
    EnforcementLevel,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { isUnknownValueError, restrictedType, sdkDecoding, sdkUnknownCheckingProxy } from "../sdk/policy-sdk";
import { RequestSecrets, type ResourceSecrets, resourceSecrets, withRequestSecrets } from "../sdk/secrets";
import { type PlainProps, copyPlain, plainProps } from "./plain-wire";
import { type AnalyzeResult, type NotApplicable, type PolicyViolation, toStruct } from "./protocol";

export type Policy = ResourceValidationPolicy | StackValidationPolicy;

/** Per-policy configuration as in a `--policy-pack-config` file: a level, or an object. */
export type PolicyConfig = EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>);
/** A `--policy-pack-config` file's content. `all` sets the level of every policy. */
export type PolicyPackConfig = Record<string, PolicyConfig>;

/** A resource as the engine describes it to a policy pack. */
export interface EngineResource {
    readonly type: string;
    /** Inputs (resource policies) or outputs (stack policies). Use `unknown` for preview-unknown values. */
    readonly props: Record<string, unknown>;
    readonly name?: string;
    readonly urn?: string;
    readonly provider?: {
        readonly type: string;
        readonly props: Record<string, unknown>;
        readonly name?: string;
        readonly urn?: string;
    };
    readonly opts?: Partial<PolicyResourceOptions>;
    /** Stack policies: URN of the parent resource. */
    readonly parent?: string;
    /** Stack policies: URNs of dependencies. */
    readonly dependencies?: readonly string[];
    /** Stack policies: URNs each property depends on. */
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

/** The pack under test. */
export interface EnginePack {
    readonly name?: string;
    readonly version?: string;
    /** Pack-level default enforcement (the SDK's default is advisory). */
    readonly enforcementLevel?: EnforcementLevel;
    readonly policies: readonly Policy[];
    /** Programmatic configuration (the PolicyPack constructor's third argument). */
    readonly initialConfig?: PolicyPackConfig;
}

export interface RemediateResult {
    /** Props after every remediation ran, as the engine would continue with them. */
    readonly props: Record<string, unknown>;
    /** Policies that changed the props, in order. */
    readonly remediatedBy: string[];
    /** Remediations that could not run during preview (unknown values). */
    readonly diagnostics: { policyName: string; message: string }[];
}

type Struct = ReturnType<typeof toStruct>;
/** A request's props on the plain path: the decoded value, computed without protobuf. */
type PlainStruct = Struct & { readonly plain: PlainProps };

interface EncodedResource {
    readonly resource: EngineResource;
    readonly props: Struct;
    readonly provider?: Struct;
    /** The secrets the encoded props mark, found as the pack's server finds them (src/sdk/secrets.ts). */
    readonly secrets?: ResourceSecrets;
}

interface ResolvedConfig {
    enforcementLevel?: EnforcementLevel;
    properties: Record<string, unknown>;
}

/** How a LocalEngine prepares each request (both give policies the same props and the same findings). */
export interface LocalEngineOptions {
    /**
     * `struct` (default): props are encoded to the protobuf Struct the engine sends and decoded again, and each policy
     * gets its copy before it is called, as in the SDK's server. `plain` (the scanner): the decoded value is computed
     * directly (plain-wire.ts), and each policy's copy is made when the policy first reads its props.
     */
    readonly decoding?: "struct" | "plain";
    /**
     * With `plain` decoding (the scanner, which runs only this pack's policies, none of which writes to its props):
     * every policy of a request is given the same deeply frozen value instead of a copy of its own, and without the
     * unknown-checking proxy when the value holds no unknown sentinel (the proxy then has nothing to report). Props
     * with secrets, assets, archives or unknowns are still decoded per policy as the SDK does. tests/engine/
     * plain-wire.spec.ts shows the findings equal the per-policy copies' on the bundled examples and fuzzed input.
     */
    readonly shareProps?: boolean;
}

/** Error the engine reports before any analysis when configuration is invalid. */
export class PackConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PackConfigError";
    }
}

const isStackPolicy = (p: Policy): p is StackValidationPolicy =>
    typeof (p as StackValidationPolicy).validateStack === "function";
const isResourcePolicy = (p: Policy): p is ResourceValidationPolicy =>
    !isStackPolicy(p) && (p.validateResource !== undefined || p.remediateResource !== undefined);

function isTypeOf(type: string, cls: unknown): boolean {
    const t = restrictedType(cls);
    if (t) {
        return type === t;
    }
    const isInstance = (cls as { isInstance?: (o: unknown) => boolean }).isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
    return typeof (v as PromiseLike<unknown> | undefined)?.then === "function";
}

class NotApplicableSignal extends Error {
    constructor(readonly reason?: string) {
        // Most policies do not apply to most resources: a stack trace would be wasted work.
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        super(reason ?? "Policy does not apply");
        Error.stackTraceLimit = limit;
    }
}
const throwNotApplicable = (reason?: string): never => {
    throw new NotApplicableSignal(reason);
};

/** The parts of a resource policy's arguments that do not depend on the policy. */
interface CommonArgs {
    readonly type: string;
    readonly urn: string;
    readonly name: string;
    readonly opts: PolicyResourceOptions;
    readonly stackTags: ReadonlyMap<string, string>;
    readonly isType: (cls: unknown) => boolean;
    readonly notApplicable: (reason?: string) => never;
    readonly provider?: { readonly type: string; readonly urn: string; readonly name: string };
}

/** A policy's arguments over props shared by every policy of a request (`shareProps`): one shape for all. */
class SharedArgs {
    readonly type: string;
    readonly urn: string;
    readonly name: string;
    readonly opts: PolicyResourceOptions;
    readonly stackTags: ReadonlyMap<string, string>;
    readonly isType: (cls: unknown) => boolean;
    readonly asType: (cls: unknown) => Record<string, unknown> | undefined;
    readonly notApplicable: (reason?: string) => never;

    constructor(
        common: CommonArgs,
        readonly props: Record<string, unknown>,
        readonly getConfig: <T>() => T,
        readonly provider: { type: string; urn: string; name: string; props: Record<string, unknown> } | undefined,
    ) {
        this.type = common.type;
        this.urn = common.urn;
        this.name = common.name;
        this.opts = common.opts;
        this.stackTags = common.stackTags;
        this.isType = common.isType;
        this.asType = (cls) => (isTypeOf(common.type, cls) ? props : undefined);
        this.notApplicable = common.notApplicable;
    }
}

/** Resource options as the engine sends them when a test does not set them. */
function optionsOf(r: EngineResource): PolicyResourceOptions {
    return {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...r.opts,
    };
}

function splitConfig(c: PolicyConfig | undefined): ResolvedConfig | undefined {
    if (c === undefined) {
        return undefined;
    }
    if (typeof c === "string") {
        return { enforcementLevel: c, properties: {} };
    }
    const { enforcementLevel, ...properties } = c;
    return { enforcementLevel, properties };
}

/** What config reconciliation needs to know about a pack. */
export interface ConfigurablePack {
    readonly enforcementLevel?: EnforcementLevel;
    readonly initialConfig?: PolicyPackConfig;
    readonly policies: readonly {
        name: string;
        enforcementLevel?: EnforcementLevel;
        configSchema?: { properties: Record<string, unknown> };
    }[];
}

/** Reconciles configuration exactly as the engine does before it configures a pack. */
export function reconcileConfig(
    pack: ConfigurablePack,
    config: PolicyPackConfig | undefined,
): Map<string, ResolvedConfig> {
    const result = new Map<string, ResolvedConfig>();
    for (const p of pack.policies) {
        const properties: Record<string, unknown> = {};
        for (const [k, s] of Object.entries<unknown>(p.configSchema?.properties ?? {})) {
            if (s && typeof s === "object" && "default" in s) {
                properties[k] = s.default;
            }
        }
        result.set(p.name, { enforcementLevel: p.enforcementLevel ?? pack.enforcementLevel ?? "advisory", properties });
    }
    const apply = (layer: PolicyPackConfig | undefined) => {
        if (!layer) {
            return;
        }
        const all = splitConfig(layer.all);
        if (all?.enforcementLevel) {
            for (const v of result.values()) {
                v.enforcementLevel = all.enforcementLevel;
            }
        }
        for (const [name, raw] of Object.entries(layer)) {
            const given = splitConfig(raw)!;
            const current = result.get(name) ?? { properties: {} };
            result.set(name, {
                enforcementLevel: given.enforcementLevel ?? current.enforcementLevel,
                properties: { ...current.properties, ...given.properties },
            });
        }
    };
    apply(pack.initialConfig);
    apply(config);
    return result;
}

/**
 * Runs a pack's policies against resources as the engine and the policy SDK would, and returns the
 * diagnostics the engine would receive.
 */
export class LocalEngine {
    private readonly config: Map<string, ResolvedConfig>;
    /** Requests whose props the SDK has decoded once (the plain path decodes the others on first read). */
    private readonly decodedOnce = new WeakSet<EncodedResource>();
    readonly packName: string;
    readonly packVersion: string;

    constructor(
        readonly pack: EnginePack,
        config?: PolicyPackConfig,
        private readonly stackTags: ReadonlyMap<string, string> = new Map(),
        private readonly options: LocalEngineOptions = {},
    ) {
        this.packName = pack.name ?? "container-guard";
        this.packVersion = pack.version ?? "0.0.0";
        this.config = reconcileConfig(pack, config);
    }

    private levelOf(p: Policy): EnforcementLevel {
        return (
            this.config.get(p.name)?.enforcementLevel || p.enforcementLevel || this.pack.enforcementLevel || "advisory"
        );
    }

    private readonly configGetters = new Map<string, <T>() => T>();

    private getConfigFor(name: string): <T>() => T {
        let get = this.configGetters.get(name);
        if (!get) {
            get = <T>() => ({ ...(this.config.get(name)?.properties ?? {}) }) as T;
            this.configGetters.set(name, get);
        }
        return get;
    }

    private reporter(p: Policy, level: EnforcementLevel, out: PolicyViolation[]): ReportViolation {
        const base = {
            policyName: p.name,
            policyPackName: this.packName,
            policyPackVersion: this.packVersion,
            description: p.description,
        };
        return (message: unknown, urn?: string) => {
            if (typeof message === "object" && message !== null) {
                const m = message as Partial<PolicyViolation> & { name?: string };
                out.push({
                    ...base,
                    policyName: m.name || p.name,
                    message: m.message || m.description || p.description,
                    urn: m.urn,
                    description: m.description || p.description,
                    enforcementLevel: m.enforcementLevel || level,
                    severity: m.severity || p.severity,
                });
            } else {
                out.push({
                    ...base,
                    message: message ? `${p.description}\n${message as string}` : p.description,
                    urn,
                    enforcementLevel: level,
                    severity: p.severity,
                });
            }
        };
    }

    /**
     * What the SDK's server does with an exception from a validation: an unknown value becomes an
     * advisory "can't run during preview", notApplicable is recorded, anything else fails the call.
     */
    private settle(p: Policy, err: unknown, violations: PolicyViolation[], notApplicable: NotApplicable[]): void {
        if (isUnknownValueError(err)) {
            this.previewAdvisory(p, err, violations);
        } else if (err instanceof NotApplicableSignal) {
            notApplicable.push({ policyName: p.name, reason: err.reason ?? "" });
        } else {
            throw err;
        }
    }

    private previewAdvisory(p: Policy, err: Error, out: PolicyViolation[]): void {
        out.push({
            policyName: p.name,
            policyPackName: this.packName,
            policyPackVersion: this.packVersion,
            description: p.description,
            message:
                `can't run policy '${p.name}' from policy pack '${this.packName}@v${this.packVersion}' during ` +
                `preview: ${err.message}`,
            enforcementLevel: "advisory",
            severity: p.severity,
        });
    }

    private urnOf(r: EngineResource): string {
        return r.urn ?? `urn:pulumi:test::test::${r.type}::${r.name ?? "test"}`;
    }

    /** The request as the engine encodes it: once per call, decoded again for every policy. */
    private encode(r: EngineResource): EncodedResource {
        // As the pack's server does (core/decode-once.ts), the protobuf-to-JavaScript step runs once per
        // request; the SDK's deserializer still copies the props for every policy.
        const once = (struct: Struct): Struct => {
            const value = struct.toJavaScript();
            return { toJavaScript: () => value };
        };
        if (this.options.decoding === "plain") {
            const plain = (value: Record<string, unknown>): PlainStruct => {
                const decoded = plainProps(value, this.options.shareProps === true);
                return { toJavaScript: () => decoded.value, plain: decoded };
            };
            const props = plain(r.props);
            const provider = r.provider ? plain(r.provider.props) : undefined;
            // Secrets are marked with the engine's signature key: a value without signatures has none.
            const marked = props.plain.signatures || provider?.plain.signatures === true;
            return {
                resource: r,
                props,
                provider,
                secrets: marked ? resourceSecrets(props.toJavaScript(), provider?.toJavaScript()) : undefined,
            };
        }
        const props = once(toStruct(r.props));
        const provider = r.provider ? once(toStruct(r.provider.props)) : undefined;
        return {
            resource: r,
            props,
            provider,
            secrets: resourceSecrets(props.toJavaScript(), provider?.toJavaScript()),
        };
    }

    /**
     * A policy's props, as the SDK's server makes them: its deserialization (a copy that unwraps secrets) in its
     * unknown-checking proxy. On the plain path a value without secrets, assets or archives is copied here, which
     * gives the same result without loading the SDK's deserializer.
     */
    private decodeProps(struct: Struct, proxySecrets: boolean): Record<string, unknown> {
        const shared = this.sharedProps(struct, proxySecrets);
        if (shared) {
            return shared;
        }
        const plain = (struct as Partial<PlainStruct>).plain;
        if (plain && !plain.signatures && !proxySecrets) {
            return sdkUnknownCheckingProxy()(copyPlain(plain.value));
        }
        return sdkDecoding().unknownCheckingProxy(sdkDecoding().deserializeProperties(struct, proxySecrets));
    }

    /**
     * The props every policy of a request shares, when the options and the value allow (`shareProps`): the decoded
     * value itself, which `encode` made frozen.
     */
    private sharedProps(struct: Struct, proxySecrets: boolean): Record<string, unknown> | undefined {
        const plain = (struct as Partial<PlainStruct>).plain;
        if (!plain || !this.options.shareProps || plain.signatures || plain.unknowns || proxySecrets) {
            return undefined;
        }
        return plain.value;
    }

    private resourceArgs(
        encoded: EncodedResource,
        p: Policy,
        proxySecrets: boolean,
        common = this.commonArgs(encoded),
    ): ResourceValidationArgs {
        const shared = this.sharedProps(encoded.props, proxySecrets);
        if (shared) {
            const provider = common.provider && {
                ...common.provider,
                props: this.decodeProps(encoded.provider!, false),
            };
            return new SharedArgs(common, shared, this.getConfigFor(p.name), provider) as ResourceValidationArgs;
        }
        const decode = () => this.decodeProps(encoded.props, proxySecrets);
        let decoded: Record<string, unknown> | undefined;
        const propsOf = () => (decoded ??= decode());
        // A policy that declares itself not applicable from the type alone never pays for a copy. The first copy of
        // a request is made before its policy runs, as the SDK makes every copy, so props the SDK cannot decode fail
        // the request at the same point on both paths (the decoding depends on the props alone, not the policy).
        const lazy = this.options.decoding === "plain" && this.decodedOnce.has(encoded);
        if (!lazy) {
            propsOf();
            this.decodedOnce.add(encoded);
        }
        const r = encoded.resource;
        const { provider, ...rest } = common;
        const args = {
            ...rest,
            asType: (cls: unknown) => (isTypeOf(r.type, cls) ? propsOf() : undefined),
            getConfig: this.getConfigFor(p.name),
        } as unknown as ResourceValidationArgs;
        Object.defineProperty(args, "props", {
            ...(lazy
                ? { get: propsOf, set: (v: Record<string, unknown>) => void (decoded = v) }
                : { value: decoded, writable: true }),
            enumerable: true,
            configurable: true,
        });
        if (provider) {
            const props = this.decodeProps(encoded.provider!, false);
            (args as { provider?: unknown }).provider = { ...provider, props };
        }
        return args;
    }

    /** The parts of a resource's validation arguments that are the same for every policy (new objects each call). */
    private commonArgs(encoded: EncodedResource): CommonArgs {
        const r = encoded.resource;
        return {
            type: r.type,
            urn: this.urnOf(r),
            name: r.name ?? "test",
            opts: optionsOf(r),
            stackTags: this.stackTags,
            isType: (cls: unknown) => isTypeOf(r.type, cls),
            notApplicable: throwNotApplicable,
            provider: r.provider && {
                type: r.provider.type,
                urn:
                    r.provider.urn ??
                    `urn:pulumi:test::test::pulumi:providers:${r.provider.type}::${r.provider.name ?? "default"}`,
                name: r.provider.name ?? "default",
            },
        };
    }

    /** What the engine receives from the pack's Analyze call for one resource (its inputs). */
    async analyze(resource: EngineResource): Promise<AnalyzeResult> {
        const encoded = this.encode(resource);
        // The request's secrets are in scope for its policies, as the pack's server puts them (decode-once.ts).
        const secrets = encoded.secrets && RequestSecrets.ofResource(encoded.secrets);
        return withRequestSecrets(secrets, () => this.analyzeEncoded(resource, encoded));
    }

    private async analyzeEncoded(resource: EngineResource, encoded: EncodedResource): Promise<AnalyzeResult> {
        const violations: PolicyViolation[] = [];
        const notApplicable: NotApplicable[] = [];
        // With shared props the policies of a request may share the rest of their arguments too.
        const common = this.options.shareProps ? this.commonArgs(encoded) : undefined;
        for (const p of this.pack.policies) {
            let level = this.levelOf(p);
            if (level === "disabled" || !isResourcePolicy(p)) {
                continue;
            }
            if (!p.validateResource) {
                notApplicable.push({ policyName: p.name, reason: "Policy does not implement validateResource" });
                continue;
            }
            if (level === "remediate") {
                level = "mandatory";
            }
            if (!Array.isArray(p.validateResource)) {
                const t = restrictedType(p.validateResource);
                if (t && resource.type !== t) {
                    notApplicable.push({
                        policyName: p.name,
                        reason: `Policy only applies to resources of type '${t}'`,
                    });
                    continue;
                }
            }
            const report = this.reporter(p, level, violations);
            const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
            for (const validate of validations) {
                try {
                    // Awaited only when it is asynchronous: a promise per policy per resource is measurable in a scan.
                    const done: unknown = validate(this.resourceArgs(encoded, p, false, common), report);
                    if (isPromiseLike(done)) {
                        await done;
                    }
                } catch (err) {
                    this.settle(p, err, violations, notApplicable);
                }
            }
        }
        return { violations, notApplicable };
    }

    /** What the engine receives from the pack's AnalyzeStack call (resources carry outputs). */
    async analyzeStack(resources: readonly EngineResource[]): Promise<AnalyzeResult> {
        const encoded = resources.map((r) => this.encode(r));
        const byUrn = new Map<string, ResourceSecrets>();
        for (const e of encoded) {
            if (e.secrets) {
                byUrn.set(this.urnOf(e.resource), e.secrets);
            }
        }
        const secrets = byUrn.size > 0 ? RequestSecrets.ofStack(byUrn) : undefined;
        return withRequestSecrets(secrets, () => this.analyzeStackEncoded(encoded));
    }

    private async analyzeStackEncoded(encoded: readonly EncodedResource[]): Promise<AnalyzeResult> {
        const violations: PolicyViolation[] = [];
        const notApplicable: NotApplicable[] = [];
        for (const p of this.pack.policies) {
            let level = this.levelOf(p);
            if (level === "disabled" || !isStackPolicy(p)) {
                continue;
            }
            if (level === "remediate") {
                level = "mandatory"; // stack policies cannot remediate
            }
            const report = this.reporter(p, level, violations);
            try {
                const byUrn = new Map<string, PolicyResource>();
                const built = encoded.map(({ resource: r, props: struct, provider: providerStruct }) => {
                    const props = this.decodeProps(struct, false);
                    const res = {
                        type: r.type,
                        props,
                        urn: this.urnOf(r),
                        name: r.name ?? "test",
                        opts: optionsOf(r),
                        dependencies: [] as PolicyResource[],
                        propertyDependencies: {} as Record<string, PolicyResource[]>,
                        isType: (cls: unknown) => isTypeOf(r.type, cls),
                        asType: (cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined),
                        ...(r.provider && {
                            provider: {
                                type: r.provider.type,
                                props: this.decodeProps(providerStruct!, false),
                                urn: r.provider.urn ?? "",
                                name: r.provider.name ?? "default",
                            },
                        }),
                    } as unknown as PolicyResource;
                    byUrn.set(res.urn, res);
                    return { res, r };
                });
                for (const { res, r } of built) {
                    if (r.parent && byUrn.has(r.parent)) {
                        (res as { parent?: PolicyResource }).parent = byUrn.get(r.parent);
                    }
                    (res as { dependencies: PolicyResource[] }).dependencies = (r.dependencies ?? [])
                        .map((u) => byUrn.get(u))
                        .filter((x): x is PolicyResource => !!x);
                    for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
                        res.propertyDependencies[k] = urns
                            .map((u) => byUrn.get(u))
                            .filter((x): x is PolicyResource => !!x);
                    }
                }
                const args: StackValidationArgs = {
                    resources: built.map((b) => b.res),
                    getConfig: this.getConfigFor(p.name),
                    stackTags: this.stackTags,
                    notApplicable: throwNotApplicable,
                };
                await p.validateStack(args, report);
            } catch (err) {
                this.settle(p, err, violations, notApplicable);
            }
        }
        return { violations, notApplicable };
    }

    /**
     * Runs the remediations of policies configured at `remediate`, in pack order, as the engine does before analysis.
     */
    async remediate(resource: EngineResource): Promise<RemediateResult> {
        const encoded = this.encode(resource);
        let props: Record<string, unknown> = sdkDecoding().unknownCheckingProxy(
            sdkDecoding().deserializeProperties(encoded.props, true),
        );
        const remediatedBy: string[] = [];
        const diagnostics: { policyName: string; message: string }[] = [];
        for (const p of this.pack.policies) {
            if (this.levelOf(p) !== "remediate" || !isResourcePolicy(p) || !p.remediateResource) {
                continue;
            }
            const t = restrictedType(p.remediateResource);
            if (t && resource.type !== t) {
                continue;
            }
            const args = { ...this.resourceArgs(encoded, p, true), props };
            args.asType = ((cls: unknown) =>
                isTypeOf(resource.type, cls) ? props : undefined) as ResourceValidationArgs["asType"];
            try {
                const result = await p.remediateResource(args);
                if (result) {
                    props = result as Record<string, unknown>;
                    remediatedBy.push(p.name);
                }
            } catch (err) {
                if (isUnknownValueError(err)) {
                    diagnostics.push({
                        policyName: p.name,
                        message:
                            `can't run remediation '${p.name}' from policy pack ` +
                            `'${this.packName}@v${this.packVersion}' during preview: ${(err as Error).message}`,
                    });
                } else if (!(err instanceof NotApplicableSignal)) {
                    throw err;
                }
            }
        }
        const plain = remediatedBy.length > 0 ? await sdkDecoding().serializeProperties(props) : resource.props;
        return { props: plain, remediatedBy, diagnostics };
    }
}
