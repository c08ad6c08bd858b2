// Policies that judge the pod specs of Kubernetes workloads. A check is written once, against one
// pod spec, and applies to every pod-bearing kind, version, patch, list and configured custom resource.

import type { ResourceValidationArgs } from "@pulumi/policy";
import { type exemptionOptions } from "../framework/exemptions";
import { exemptImagesOf, imageExemptionFor, imageExemptionOptions } from "../framework/image-exemptions";
import {
    type ContainerGuardPolicy,
    type Evaluation,
    type PolicyMetadata,
    type Preparation,
    buildResourcePolicy,
} from "../framework/policy";
import { Field } from "../framework/field";
import { kubernetesIdentity } from "../framework/resource";
import { type Fixer } from "../framework/remediation";
import { type OptionValues, type OptionsSpec, array, object, option, string } from "../framework/options";
import { type CustomWorkload, type PodSpec, WorkloadCatalog, podSpecsOf } from "./workload";

const customWorkload = object(
    {
        type: string({
            description: "Pulumi type token; `*` matches any text, e.g. kubernetes:example.com/*:Widget",
            minLength: 1,
        }),
        podSpecPath: string({
            description: "Dotted path of the pod spec in the resource, e.g. spec.template.spec",
            pattern: "^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$",
            patternHint: "use a dotted path such as spec.template.spec",
        }),
        metadataPath: string({
            description: "Dotted path of the pod template metadata; defaults to the sibling metadata of the pod spec",
            pattern: "^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$",
            patternHint: "use a dotted path such as spec.template.metadata",
        }),
    },
    { required: ["type", "podSpecPath"] },
);

/** Options every workload policy accepts. */
export const workloadOptions = {
    customWorkloads: option(
        array(customWorkload, {
            description:
                "Custom resources that carry a pod template, in addition to the built-in kinds and the built-in Argo " +
                "Rollout, Knative Service/Configuration and OpenShift DeploymentConfig.",
        }),
        [] as CustomWorkload[],
    ),
};

export type WorkloadOptions = OptionValues<typeof workloadOptions>;

const catalogs = new WeakMap<readonly CustomWorkload[], WorkloadCatalog>();
const defaultCatalog = new WorkloadCatalog();

/** The catalog for a configuration (built once per distinct `customWorkloads` value). */
export function catalogFor(customWorkloads: readonly CustomWorkload[]): WorkloadCatalog {
    if (customWorkloads.length === 0) {
        return defaultCatalog;
    }
    let c = catalogs.get(customWorkloads);
    if (!c) {
        c = new WorkloadCatalog(customWorkloads);
        catalogs.set(customWorkloads, c);
    }
    return c;
}

/** Whether resources of this type carry pod specs (built-in kinds and configured custom workloads). */
export function carriesPodSpecs(type: string, opts: WorkloadOptions): boolean {
    return catalogFor(opts.customWorkloads).shapeOf(type) !== undefined;
}

/** The not-applicable reason of policies that judge pod specs. */
export const POD_SPECS = "Kubernetes resources that carry pod specs";

/** The namespace the resource's Kubernetes provider puts unqualified objects in, if set. */
export function providerNamespace(args: ResourceValidationArgs): string | undefined {
    return args.provider ? Field.root(args.provider.props).get("namespace").str() || undefined : undefined;
}

interface WorkloadPolicyDefinition<O extends OptionsSpec> extends PolicyMetadata {
    readonly options: O;
    /** Judges one pod spec. Called for every pod spec the resource carries. */
    readonly check: (pod: PodSpec, ev: Evaluation<OptionValues<O & typeof workloadOptions>>) => void;
    /**
     * Safe fixes for one pod spec, applied when the policy runs at the `remediate` level. Document in
     * remediationSteps why the fix is safe.
     */
    readonly remediate?: (pod: PodSpec, fix: Fixer, options: OptionValues<O & typeof workloadOptions>) => void;
}

export function defineWorkloadPolicy<O extends OptionsSpec, N extends string>(
    def: WorkloadPolicyDefinition<O> & { readonly name: N },
): ContainerGuardPolicy<O & typeof workloadOptions & typeof imageExemptionOptions & typeof exemptionOptions, N> {
    const options = { ...def.options, ...workloadOptions, ...imageExemptionOptions };
    const remediate = def.remediate;
    return buildResourcePolicy({
        ...def,
        options,
        remediates: remediate !== undefined,
        appliesToType: carriesPodSpecs,
        applicableTo: POD_SPECS,
        prepare: (args, opts) => workloadPreparation(args, opts, def.check, remediate),
    });
}

/**
 * How a workload policy judges a resource: every pod spec it carries, or undefined when the
 * resource carries none. Shared by every policy that judges pod specs.
 */
export function workloadPreparation<V extends WorkloadOptions>(
    args: ResourceValidationArgs,
    opts: V,
    check: (pod: PodSpec, ev: Evaluation<V>) => void,
    remediate?: (pod: PodSpec, fix: Fixer, options: V) => void,
): Preparation<V> | undefined {
    const shape = catalogFor(opts.customWorkloads).shapeOf(args.type);
    if (!shape) {
        return undefined;
    }
    const props = Field.root(args.props);
    return {
        resource: kubernetesIdentity(args.type, props, args.name, providerNamespace(args), shape.kind),
        isPatch: shape.isPatch,
        run(ev) {
            for (const pod of podSpecsOf(shape, props)) {
                check(pod, ev);
            }
        },
        ...(remediate && {
            remediate(fix: Fixer) {
                // Containers exempt by image (or whose image is unknown yet) are left as they are.
                const exemptImages = exemptImagesOf(opts);
                for (const pod of podSpecsOf(shape, props)) {
                    const fixable =
                        exemptImages.length === 0
                            ? pod
                            : pod.only((c) => imageExemptionFor(exemptImages, c.image).kind === "none");
                    remediate(fixable, fix, opts);
                }
            },
        }),
    };
}
