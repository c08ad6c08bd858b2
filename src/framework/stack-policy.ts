// Policies that judge the stack as a whole (AnalyzeStack: every resource's outputs, after the
// preview or update). Findings are attributed to the resource they are about, so they appear under
// that resource, and exemptions match that resource exactly as they do for resource policies.

import type { PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { exemptionOptions } from "./exemptions";
import {
    type ContainerGuardPolicy,
    Evaluation,
    OptionsCache,
    type PolicyMetadata,
    policyFields,
    registerPolicy,
    SharedSecretTexts,
} from "./policy";
import { Field } from "./field";
import { isUnknownValueError } from "../sdk/policy-sdk";
import { limitResponse } from "../sdk/response-budget";
import { attachSecrets, currentRequestSecrets } from "../sdk/secrets";
import { type ResourceIdentity, kubernetesIdentity, plainIdentity } from "./resource";
import { type OptionValues, type OptionsSpec } from "./options";

/** One resource of the stack, read safely. */
export interface StackResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /** The resource's outputs. */
    readonly props: Field<unknown>;
    /** The resource's provider inputs (e.g. a Kubernetes provider's default namespace). */
    readonly provider?: Field<unknown>;
    readonly source: PolicyResource;
}

/** The stack a stack policy judges, with a findings sink per resource. */
class StackEvaluation<O> {
    private readonly evaluations = new Map<string, Evaluation<O>>();

    constructor(
        private readonly policy: PolicyMetadata,
        readonly options: O,
        readonly resources: readonly StackResource[],
        private readonly reportViolation: ReportViolation,
        /** The secrets of every resource of the stack: a finding about one resource may mention another. */
        private readonly secrets: SharedSecretTexts = new SharedSecretTexts([]),
    ) {}

    /** The evaluation for findings about one resource (its exemptions, its URN). */
    about(resource: StackResource, identity: ResourceIdentity = identityOf(resource)): Evaluation<O> {
        let ev = this.evaluations.get(resource.urn);
        if (!ev) {
            ev = new Evaluation(
                this.policy,
                this.options,
                identity,
                resource,
                this.reportViolation,
                false,
                resource.urn,
            ).withSharedSecrets(this.secrets);
            this.evaluations.set(resource.urn, ev);
        }
        return ev;
    }

    finish(): void {
        for (const ev of this.evaluations.values()) {
            ev.finish();
        }
    }
}

/** How a stack resource is named in messages. */
export function identityOf(r: StackResource, kind?: string): ResourceIdentity {
    if (r.type.startsWith("kubernetes:")) {
        return kubernetesIdentity(r.type, r.props, r.name, r.provider?.get("namespace").str() || undefined, kind);
    }
    return plainIdentity(r.type, r.name);
}

interface StackPolicyDefinition<O extends OptionsSpec> extends PolicyMetadata {
    readonly options: O;
    /** Judges the stack. Called once per AnalyzeStack. */
    readonly check: (stack: StackEvaluation<OptionValues<O & typeof exemptionOptions>>) => void;
}

function readResource(r: PolicyResource): StackResource {
    const props = Field.root(r.props);
    const provider = r.provider ? Field.root(r.provider.props) : undefined;
    return { type: r.type, name: r.name, urn: r.urn, props, provider, source: r };
}

export function buildStackPolicy<O extends OptionsSpec, N extends string>(
    def: StackPolicyDefinition<O> & { readonly name: N },
): ContainerGuardPolicy<O & typeof exemptionOptions, N> {
    const allOptions = { ...def.options, ...exemptionOptions };
    const cache = new OptionsCache(def.name, allOptions);
    const validateStack = (args: StackValidationArgs, reportViolation: ReportViolation): void => {
        const options = cache.get(args.getConfig<Record<string, unknown>>());
        const request = currentRequestSecrets();
        for (const r of args.resources) {
            const secrets = request?.of(r.urn);
            attachSecrets(r.props, secrets?.props);
            attachSecrets(r.provider?.props, secrets?.provider);
        }
        const secrets = new SharedSecretTexts(
            (request?.all() ?? []).flatMap((s) => [...s.props.secretTexts, ...s.provider.secretTexts]),
        );
        // One finding per resource of a large stack can exceed what the engine accepts in a response.
        const limited = limitResponse(reportViolation, def);
        const stack = new StackEvaluation(def, options, args.resources.map(readResource), limited.report, secrets);
        try {
            def.check(stack);
        } catch (err) {
            if (!isUnknownValueError(err)) {
                const message =
                    `container-guard could not evaluate the stack (${(err as Error)?.message ?? String(err)}); ` +
                    `treat it as not compliant and report the problem.`;
                limited.report(secrets.scrubber()?.scrub(message) ?? message);
            }
        }
        stack.finish();
        limited.finish();
    };
    const policy: StackValidationPolicy & ContainerGuardPolicy<O & typeof exemptionOptions, N> = {
        ...policyFields(def, allOptions),
        validateStack,
    };
    return registerPolicy(policy, allOptions);
}
