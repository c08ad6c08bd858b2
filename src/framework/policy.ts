// Turns a small policy definition (metadata, options, a check) into a Pulumi ResourceValidationPolicy.
//
// Every policy gets the same behaviour from here: configuration parsed strictly (typos are errors),
// findings formatted the same way (resource, container, JSON path, problem, fix), fields unknown
// during preview reported as advisories naming the field while everything known is still judged at
// the configured level, and no exception from a malformed resource ever escapes into the engine.

import type {
    EnforcementLevel,
    PolicyComplianceFramework,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
} from "@pulumi/policy";
import {
    type Exemption,
    type ExemptionOptions,
    type ExemptionSubject,
    exemptionFor,
    exemptionOptions,
} from "./exemptions";
import { Field } from "./field";
import { exemptImagesOf, imageExemptionFor, imageExemptionNote } from "./image-exemptions";
import {
    type StructuredViolation,
    declareNotApplicable,
    isUnknownValueError,
    reportStructured,
    unknownValuePath,
} from "../sdk/policy-sdk";
import { Fixer } from "./remediation";
import { type ResourceIdentity } from "./resource";
import { skipBeforeDecoding } from "../sdk/applicability";
import { limitResponse } from "../sdk/response-budget";
import { ConfigError, type OptionsSpec, type OptionValues, configSchemaOf, parseOptions } from "./options";
import { type ContainerLocation, containerLabel } from "./finding";
import { type ResourceSecrets, Scrubber, type SecretIndex, attachSecrets, currentRequestSecrets } from "../sdk/secrets";

/** Descriptive metadata every policy carries (sent to the engine and Pulumi Cloud). */
export interface PolicyMetadata {
    /** kebab-case, unique in the pack. */
    readonly name: string;
    readonly displayName: string;
    /** One sentence: what the policy requires. Printed above every violation. */
    readonly description: string;
    readonly severity: Severity;
    readonly tags: readonly string[];
    readonly remediationSteps: string;
    readonly url: string;
    readonly framework?: PolicyComplianceFramework;
}

/** Default enforcement follows severity: high and critical block, medium and low warn. */
function defaultEnforcementLevel(severity: Severity): EnforcementLevel {
    return severity === "high" || severity === "critical" ? "mandatory" : "advisory";
}

/** Secret texts several evaluations scrub (a stack's), with the one scrubber they share, made when first needed. */
export class SharedSecretTexts {
    private made?: Scrubber;

    constructor(readonly texts: readonly string[]) {}

    /** The scrubber, or undefined when there is nothing to scrub. */
    scrubber(): Scrubber | undefined {
        if (this.texts.length === 0) {
            return undefined;
        }
        this.made ??= new Scrubber(this.texts);
        return this.made;
    }
}

/** One problem found in a resource. */
export interface Finding {
    /** The offending field; its JSON path is printed. A string is used as the path as-is. */
    readonly at: Field | string;
    readonly container?: ContainerLocation;
    /**
     * What is wrong, e.g. `privileged is true`. Print values with `show(field)`, which renders
     * secrets as [secret]; a note on how a wrongly typed `at` was judged is appended.
     */
    readonly problem: string;
    /** How to fix it, as an instruction. */
    readonly fix: string;
    /**
     * The finding is that a required setting is absent. Patches (server-side apply) carry only the
     * fields they change, so such findings are not reported for them.
     */
    readonly missing?: boolean;
    /** Report as advisory whatever the policy's level (for findings that are informational by nature). */
    readonly advisory?: boolean;
}

/** The state of one policy evaluating one resource: options, identity, and the findings sink. */
export class Evaluation<O> {
    // Made when first needed: a resource gets one evaluation per policy, and most never see an unknown or a repeat.
    private unknownSeen?: Set<string>;
    private unknowns?: { at: string; container?: ContainerLocation; encrypted: boolean }[];
    private reported?: Set<string>;
    private readonly secretTexts: (readonly string[])[] = [];
    private scrubber?: Scrubber;
    /** Secret texts shared with other evaluations (a stack's), scrubbed by one scrubber made for all of them. */
    private shared?: SharedSecretTexts;
    /** Number of violations reported (for callers that stop early on huge inputs). */
    violations = 0;

    private exemptionCache?: Exemption;

    constructor(
        readonly policy: PolicyMetadata,
        readonly options: O,
        readonly resource: ResourceIdentity,
        /** The resource as exemptions see it (Pulumi name, URN, type). */
        readonly subject: ExemptionSubject,
        private readonly reportViolation: ReportViolation,
        /** True for `<Kind>Patch` resources: absent fields are not findings. */
        readonly isPatch: boolean,
        /** Stack policies attribute each finding to the resource it is about. */
        private readonly reportUrn?: string,
    ) {}

    /** Scrubs the text of these secrets from every message (the resource's and its provider's secrets). */
    withSecrets(...indexes: (SecretIndex | undefined)[]): this {
        for (const index of indexes) {
            if (index && !index.isEmpty) {
                this.secretTexts.push(index.secretTexts);
                this.scrubber = undefined;
            }
        }
        return this;
    }

    /**
     * Scrubs these texts from every message, with a scrubber shared by every evaluation given them (a stack policy's
     * evaluations, one per resource, share the secrets of the whole stack).
     */
    withSharedSecrets(shared: SharedSecretTexts): this {
        this.shared = shared;
        this.scrubber = undefined;
        return this;
    }

    /**
     * Scrubs text a check derived from a secret value (e.g. the repository of a secret image
     * reference) from every message, like the secret values themselves.
     */
    secretText(...texts: string[]): void {
        this.secretTexts.push(texts);
        this.scrubber = undefined;
    }

    /** True the first time a key is passed (for reporting something once per evaluation). */
    firstReportOf(key: string): boolean {
        this.reported ??= new Set();
        if (this.reported.has(key)) {
            return false;
        }
        this.reported.add(key);
        return true;
    }

    /** Whether this policy's findings on this resource are exempt (decided once, on first use). */
    get exemption(): Exemption {
        this.exemptionCache ??= exemptionFor(
            this.policy.name,
            this.options as unknown as ExemptionOptions,
            this.subject,
            this.resource,
        );
        return this.exemptionCache;
    }

    /**
     * Reports a finding at the policy's configured enforcement level, or as advisory with the
     * reason when the resource is exempt.
     */
    violation(f: Finding): void {
        if (f.missing && this.isPatch) {
            return;
        }
        const path = typeof f.at === "string" ? f.at : f.at.path;
        const note = typeof f.at === "string" ? undefined : f.at.note;
        const problem = note && !f.problem.includes(note) ? `${f.problem}; ${note}` : f.problem;
        const where = f.container ? `${this.resource.label}, ${containerLabel(f.container)}` : this.resource.label;
        let message = `${this.policy.description}\n${where}: ${problem} (${path}). Fix: ${f.fix}`;
        let advisory = f.advisory === true;
        const ex = this.exemption;
        if (ex.kind === "exempt") {
            message += `\nExempted by ${ex.source}${ex.expires ? ` until ${ex.expires}` : ""}: ${ex.reason}`;
            advisory = true;
        } else if (ex.kind === "undecided") {
            message +=
                `\nThe exemption ${ex.source} may apply, but ${ex.field.unknownAt || ex.field.path} is not ` +
                `known during preview; reported as advisory until it is.`;
            advisory = true;
        } else if (ex.note) {
            message += `\n${ex.note}`;
        }
        // A finding about one container may be allowed by its image (option exemptImages); one about
        // the pod as a whole is not. The container of a Docker resource is the resource itself.
        const byImage =
            ex.kind === "none"
                ? imageExemptionNote(
                      imageExemptionFor(
                          exemptImagesOf(this.options),
                          f.container ? f.container.image : this.resource.image,
                      ),
                  )
                : undefined;
        if (byImage) {
            message += `\n${byImage}`;
            advisory = true;
        }
        this.violations++;
        this.send({ message, ...(advisory && { enforcementLevel: "advisory" }) });
    }

    /**
     * Records that a field this check needs is unknown during preview. Reported once per unknown
     * value, as an advisory, when the evaluation finishes.
     */
    unknown(field: Field, container?: ContainerLocation): void {
        const at = field.unknownAt || field.path;
        this.unknownSeen ??= new Set();
        if (!this.unknownSeen.has(at)) {
            this.unknownSeen.add(at);
            (this.unknowns ??= []).push({ at, container, encrypted: field.isEncrypted });
        }
    }

    /** Flushes the unknown-field advisories. */
    finish(): void {
        for (const u of this.unknowns ?? []) {
            const where = u.container ? `${this.resource.label}, ${containerLabel(u.container)}` : this.resource.label;
            this.send({
                message: u.encrypted
                    ? `${this.policy.description}\n${where}: ${u.at} is a secret whose value is not available ` +
                      `(stored encrypted), so this check cannot judge it; scan a stack export made with ` +
                      `\`pulumi stack export --show-secrets\` to judge it.`
                    : `${this.policy.description}\n${where}: ${u.at} is not known during preview, so this check ` +
                      `cannot judge it yet; it is checked when the value is known (pulumi up).`,
                enforcementLevel: "advisory",
            });
        }
    }

    /** Reports a problem that is not about one field (e.g. the pack could not evaluate the resource). */
    note(message: string, enforcementLevel?: EnforcementLevel): void {
        this.send({ message: `${this.policy.description}\n${this.resource.label}: ${message}`, enforcementLevel });
    }

    private scrubberOf(): Scrubber | undefined {
        if (this.secretTexts.length > 0) {
            this.scrubber ??= new Scrubber([...(this.shared?.texts ?? []), ...this.secretTexts.flat()]);
            return this.scrubber;
        }
        return this.shared?.scrubber();
    }

    private send(args: StructuredViolation): void {
        const scrubber = this.scrubberOf();
        if (scrubber) {
            // The description (the first line) is the policy's own text.
            const newline = args.message.indexOf("\n");
            const head = newline < 0 ? "" : args.message.slice(0, newline);
            const body = newline < 0 ? args.message : args.message.slice(newline);
            args = { ...args, message: head + scrubber.scrub(body) };
        }
        reportStructured(this.reportViolation, this.reportUrn ? { ...args, urn: this.reportUrn } : args);
    }
}

/**
 * Problems that involve several options of a policy (each option's own problems are found by its
 * schema), e.g. "a keyless signer needs trustedRoot". Messages name the options.
 */
export type OptionsCheck<V> = (options: V) => readonly string[];

/** Parses a policy's options and checks them as a whole; throws ConfigError naming every problem. */
export function parsePolicyOptions<O extends OptionsSpec>(
    policy: string,
    spec: O,
    config: Record<string, unknown>,
    check?: OptionsCheck<OptionValues<O>>,
): OptionValues<O> {
    const parsed = parseOptions(policy, spec, config);
    const problems = check?.(parsed) ?? [];
    if (problems.length > 0) {
        throw new ConfigError(policy, problems);
    }
    return parsed;
}

/** Counts the engine's configurations of the pack: options parsed under an earlier one are stale. */
let configuration = 0;

/** Called when the engine configures the pack (Configure): every policy re-reads its options. */
export function configurationChanged(): void {
    configuration++;
}

/** Parses options once per distinct configuration (the engine passes the same values every call). */
export class OptionsCache<O extends OptionsSpec> {
    private lastKeys: string[] = [];
    private lastValues: unknown[] = [];
    private last?: OptionValues<O>;
    private lastConfiguration = -1;

    /**
     * The options last parsed, if they were parsed under the current configuration (for decisions
     * taken before the policy is given its config, see `appliesToType`).
     */
    get current(): OptionValues<O> | undefined {
        return this.lastConfiguration === configuration ? this.last : undefined;
    }

    constructor(
        private readonly policy: string,
        private readonly spec: O,
        private readonly check?: OptionsCheck<OptionValues<O>>,
    ) {}

    get(config: Record<string, unknown>): OptionValues<O> {
        const keys = Object.keys(config);
        this.lastConfiguration = configuration;
        if (
            this.last &&
            keys.length === this.lastKeys.length &&
            keys.every((k, i) => k === this.lastKeys[i] && config[k] === this.lastValues[i])
        ) {
            return this.last;
        }
        this.last = undefined;
        const parsed = parsePolicyOptions(this.policy, this.spec, config, this.check);
        this.lastKeys = keys;
        this.lastValues = keys.map((k) => config[k]);
        this.last = parsed;
        return parsed;
    }
}

/** A resource policy definition: metadata, options, and the function that judges one resource. */
interface ResourcePolicyDefinition<O extends OptionsSpec> extends PolicyMetadata {
    readonly options: O;
    /**
     * Decides whether the policy applies to a resource and, if so, returns how to judge it.
     * Returning undefined marks the policy not applicable to the resource.
     */
    readonly prepare: (
        args: ResourceValidationArgs,
        options: OptionValues<O>,
    ) => Preparation<OptionValues<O>> | undefined;
    /**
     * False when the policy cannot apply to resources of this type whatever their props (`prepare`
     * would return undefined): the policy is then skipped before the SDK decodes the props for it.
     * Must never return false for a type `prepare` may accept.
     */
    readonly appliesToType?: (type: string, options: OptionValues<O>) => boolean;
    /** What the policy applies to, for the not-applicable reason, e.g. "Kubernetes workloads". */
    readonly applicableTo?: string;
    /** True when `prepare` returns a `remediate` function: the policy can fix what it finds. */
    readonly remediates?: boolean;
    /** Problems that involve several options, reported like any other configuration error. */
    readonly checkOptions?: OptionsCheck<OptionValues<O>>;
}

/**
 * What `prepare` returns: the resource's identity and the check to run on it. A check that needs
 * I/O (a registry) returns a promise; every other check stays synchronous, and the policy's
 * validation then returns no promise either (the engine runs dozens of policies per resource).
 */
export interface Preparation<V> {
    readonly resource: ResourceIdentity;
    readonly isPatch: boolean;
    readonly run: (ev: Evaluation<V>) => void | Promise<void>;
    /** Applies the policy's safe fixes (policies with a `remediate` level). */
    readonly remediate?: (fix: Fixer) => void | Promise<void>;
}

function isPromise(value: unknown): value is Promise<unknown> {
    return value instanceof Promise;
}

/** Metadata every policy of this pack has, on top of Pulumi's policy fields. */
type PolicyExtras<O extends OptionsSpec, N extends string> = {
    readonly name: N;
    readonly severity: Severity;
    readonly tags: string[];
    readonly configSchema: NonNullable<ResourceValidationPolicy["configSchema"]>;
    readonly enforcementLevel: EnforcementLevel;
    /** Type-only: the policy's options, for typed configuration in the composable API. */
    readonly __options?: O;
};

/** A policy of this pack: a Pulumi resource or stack policy with complete metadata and typed options. */
export type ContainerGuardPolicy<O extends OptionsSpec = OptionsSpec, N extends string = string> =
    (ResourceValidationPolicy & PolicyExtras<O, N>) | (StackValidationPolicy & PolicyExtras<O, N>);

interface RegisteredOptions {
    readonly spec: OptionsSpec;
    readonly check?: OptionsCheck<never>;
}

/** Option specs by policy object (the composable API and Configure check configuration with them up front). */
const optionSpecs = new WeakMap<object, RegisteredOptions>();

/**
 * The problems of a policy's configuration (its properties, as `args.getConfig()` returns them),
 * exactly as the policy itself would find them when it first runs: each an option path and what is
 * wrong. Empty for policies not built by this pack.
 */
export function policyConfigProblems(policy: object, config: Record<string, unknown>): readonly string[] {
    const registered = optionSpecs.get(policy);
    if (!registered) {
        return [];
    }
    try {
        parsePolicyOptions(
            "",
            registered.spec,
            config,
            registered.check as OptionsCheck<OptionValues<OptionsSpec>> | undefined,
        );
        return [];
    } catch (err) {
        return err instanceof ConfigError ? err.problems : [String(err)];
    }
}

/** The fields every policy of this pack sends to the engine. */
export function policyFields<O extends OptionsSpec, N extends string>(def: PolicyMetadata & { name: N }, options: O) {
    const fields = {
        name: def.name,
        displayName: def.displayName,
        description: def.description,
        severity: def.severity,
        tags: [...def.tags],
        remediationSteps: def.remediationSteps,
        url: def.url,
        ...(def.framework && { framework: def.framework }),
        enforcementLevel: defaultEnforcementLevel(def.severity),
        configSchema: configSchemaOf(options),
    };
    return fields;
}

/** Registers a finished policy object with its options (and the check of its options as a whole). */
export function registerPolicy<P extends object, O extends OptionsSpec>(
    policy: P,
    options: O,
    check?: OptionsCheck<OptionValues<O>>,
): P {
    optionSpecs.set(policy, { spec: options, check });
    return policy;
}

/**
 * The secrets of the resource a validation judges (from the request being handled), attached to the
 * props objects it was given so that every field read from them knows what is secret.
 */
export function secretsOfResource(urn: string, props: unknown, providerProps: unknown): ResourceSecrets | undefined {
    const secrets = currentRequestSecrets()?.of(urn);
    if (secrets) {
        attachSecrets(props, secrets.props);
        attachSecrets(providerProps, secrets.provider);
    }
    return secrets;
}

/** Builds the Pulumi policy object. */
export function buildResourcePolicy<O extends OptionsSpec, N extends string>(
    def: ResourcePolicyDefinition<O> & { readonly name: N },
): ContainerGuardPolicy<O & typeof exemptionOptions, N> {
    const allOptions = { ...def.options, ...exemptionOptions };
    const check = def.checkOptions;
    const cache = new OptionsCache(def.name, allOptions, check);
    const validate = (args: ResourceValidationArgs, reportViolation: ReportViolation): void | Promise<void> => {
        // ConfigError propagates: misconfiguration must fail loudly
        const options = cache.get(args.getConfig<Record<string, unknown>>());
        const secrets = secretsOfResource(args.urn, args.props, args.provider?.props);
        const prep = def.prepare(args, options);
        if (!prep) {
            declareNotApplicable(args, `${def.name} does not apply to resources of type ${args.type}`);
        }
        // A resource with thousands of findings (a huge ConfigMap) could exceed what the engine accepts in a response.
        const limited = limitResponse(reportViolation, def);
        const ev = new Evaluation(def, options, prep.resource, args, limited.report, prep.isPatch).withSecrets(
            secrets?.props,
            secrets?.provider,
        );
        const finish = () => {
            ev.finish();
            limited.finish();
        };
        let pending: void | Promise<void> = undefined;
        try {
            pending = prep.run(ev);
        } catch (err) {
            evaluationFailed(ev, err);
        }
        if (isPromise(pending)) {
            // Only checks that wait for I/O get here; synchronous checks return no promise at all.
            return pending.then(finish, (err: unknown) => {
                evaluationFailed(ev, err);
                finish();
            });
        }
        finish();
    };
    // The SDK runs this before judging when the policy's level is `remediate`; it returns the
    // changed props, or undefined to leave the resource as it is.
    const remediate = (
        args: ResourceValidationArgs,
    ): Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined> => {
        const options = cache.get(args.getConfig<Record<string, unknown>>());
        const prep = def.prepare(args, options);
        if (!prep?.remediate) {
            return undefined;
        }
        // An exempted resource is left as it is; so is one whose exemption cannot be decided yet.
        if (exemptionFor(def.name, options as unknown as ExemptionOptions, args, prep.resource).kind !== "none") {
            return undefined;
        }
        const fixer = new Fixer(prep.isPatch);
        const result = () => (fixer.changed ? (args.props as Record<string, unknown>) : undefined);
        let pending: void | Promise<void>;
        try {
            pending = prep.remediate(fixer);
        } catch {
            return undefined; // never break the user's preview; the validation still reports the finding
        }
        if (isPromise(pending)) {
            return pending.then(result, () => undefined);
        }
        return result();
    };
    // The SDK asks every validation for its type right before it decodes the props for it: a policy that cannot
    // apply to the type is skipped without a copy, and one that may apply shares the request's frozen copy (it only
    // reads its props). Options decide some types (customWorkloads): until the policy has read them under the current
    // configuration, it takes the ordinary path.
    const appliesToType = def.appliesToType;
    const reason = `${def.applicableTo ?? "those it judges"} (${def.name})`;
    skipBeforeDecoding(
        validate,
        (type) => {
            const options = appliesToType && cache.current;
            return options && !appliesToType(type, options) ? reason : undefined;
        },
        true,
    );
    const policy: ResourceValidationPolicy & PolicyExtras<O & typeof exemptionOptions, N> = {
        ...policyFields(def, allOptions),
        validateResource: validate,
        ...(def.remediates && { remediateResource: remediate }),
    };
    return registerPolicy(policy, allOptions, check);
}

/** What happens when a check throws: an unknown value is reported as such; anything else fails closed. */
function evaluationFailed(ev: Evaluation<unknown>, err: unknown): void {
    if (isUnknownValueError(err)) {
        ev.unknown(Field.unknown(unknownValuePath(err)));
    } else {
        // A bug must neither break the user's preview nor let the resource pass silently.
        ev.note(
            `container-guard could not evaluate this resource (${(err as Error)?.message ?? String(err)}); ` +
                `treat it as not compliant and report the problem.`,
        );
    }
}
