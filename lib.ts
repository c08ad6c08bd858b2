// The library entry point (`import ... from "container-guard"`): container-guard's policies as
// building blocks for a team's own policy pack. Unlike a pack that is itself the PolicyPack, these
// combine with any other policies in one pack, with levels and options checked by the compiler.

import type { EnforcementLevel, Policies, PolicyPack, PolicyPackConfig } from "@pulumi/policy";
import { servePolicyPack } from "./src/framework/pack";
import { type ContainerGuardPolicy, policyConfigProblems } from "./src/framework/policy";
import { ConfigError, type OptionInputs, type OptionsSpec, unknownKey } from "./src/framework/options";
import { allPolicies } from "./policies";

export { allPolicies } from "./policies";
export { baselinePolicies, restrictedPolicies } from "./policies/pss";
export { stackPolicies } from "./policies/cluster";
export type { ContainerGuardPolicy } from "./src/framework/policy";
// Building blocks for writing your own workload policies on the same model.
export { defineWorkloadPolicy } from "./src/kubernetes/workload-policy";
export { Field } from "./src/framework/field";
export type { PodSpec, ContainerRef } from "./src/kubernetes/workload";
export * as options from "./src/framework/options";

type AnyPolicy = (typeof allPolicies)[number];
type NameOf<P> = P extends { readonly name: infer N extends string } ? N : never;
type OptionsOf<P> = P extends { readonly __options?: infer O }
    ? O extends OptionsSpec
        ? OptionInputs<O>
        : never
    : never;

/** One policy's configuration: a level, or a level with the policy's options. */
export type PolicyConfigFor<P> = EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & OptionsOf<P>);

/** The names of container-guard's policies. */
export type PolicyName = NameOf<AnyPolicy>;

/**
 * Configuration in the same shape as a `--policy-pack-config` file, checked by the compiler: policy
 * names, levels, and each policy's options with their types. `all` sets every policy's level.
 */
export type ContainerGuardConfig = { all?: EnforcementLevel } & { [P in AnyPolicy as NameOf<P>]?: PolicyConfigFor<P> };

/**
 * container-guard's policies configured for a pack: spread `policies` into your PolicyPack next to
 * your own, and pass `initialConfig` as the PolicyPack's third argument (configuration given to
 * `pulumi preview --policy-pack-config` or Pulumi Cloud still overrides it, as for any pack).
 */
export class ContainerGuard {
    readonly policies: Policies;
    readonly initialConfig: PolicyPackConfig;

    constructor(config: ContainerGuardConfig = {}, policies: readonly ContainerGuardPolicy[] = allPolicies) {
        const names = policies.map((p) => p.name);
        const problems: string[] = [];
        for (const [name, value] of Object.entries(config as Record<string, unknown>)) {
            if (name === "all") {
                continue;
            }
            const policy = policies.find((p) => p.name === name);
            if (!policy) {
                problems.push(
                    unknownKey(`policy "${name}"`, name, names, "is not a container-guard policy (policies: "),
                );
                continue;
            }
            if (value !== null && typeof value === "object") {
                const { enforcementLevel: _level, ...props } = value as Record<string, unknown>;
                void _level;
                // Fail at construction, not at the first preview, for JavaScript users without types.
                problems.push(...policyConfigProblems(policy, props).map((p) => `${name}: ${p}`));
            }
        }
        if (problems.length > 0) {
            throw new ConfigError("container-guard", problems);
        }
        this.policies = [...policies];
        this.initialConfig = { ...(config as PolicyPackConfig) };
    }

    /**
     * Serves a policy pack (one per process) made of these policies and `extraPolicies`, and checks
     * at configuration time that every configured policy name exists.
     */
    servePack(
        name: string,
        options: { extraPolicies?: Policies; description?: string; enforcementLevel?: EnforcementLevel } = {},
    ): PolicyPack {
        return servePolicyPack(
            name,
            {
                policies: [...this.policies, ...(options.extraPolicies ?? [])],
                description: options.description,
                enforcementLevel: options.enforcementLevel,
            },
            this.initialConfig,
        );
    }
}
