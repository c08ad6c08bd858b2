// The Pod Security Standards as the Kubernetes pod-security admission controller implements them:
// levels, policy versions, and the shared shape of the 19 checks.
//
// A namespace pins the rules it enforces with `pod-security.kubernetes.io/enforce-version: v1.N`;
// every check here takes the same `version` option and applies the rules of that version, so a
// cluster pinned to an older version gets exactly the verdicts its admission controller would give.

import type { Severity } from "@pulumi/policy";
import { type exemptionOptions } from "../framework/exemptions";
import { type imageExemptionOptions } from "../framework/image-exemptions";
import { type ContainerGuardPolicy, type Evaluation } from "../framework/policy";
import { type Fixer } from "../framework/remediation";
import { type Field } from "../framework/field";
import { type OptionValues, type OptionsSpec, array, option, string } from "../framework/options";
import { globMatch } from "../framework/exemptions";
import { defineWorkloadPolicy, type workloadOptions } from "../kubernetes/workload-policy";
import { type ContainerRef, type PodSpec } from "../kubernetes/workload";
import { known, show } from "../framework/checks";
import { podExemption, withPodExemption } from "./pod-exemptions";
import {
    effectiveMinor,
    LATEST_MINOR,
    type PssVersion,
    variantAt,
    variantTableProblem,
    VERSION_PATTERN,
    type VersionedRule,
} from "./versions";

export { known, show } from "../framework/checks";
export { eachContainer } from "../kubernetes/pod-checks";
export { type PodExemptions } from "./pod-exemptions";
export { cumulativeVariants, type PssVersion, unchangedSince, VERSION_PATTERN, type VersionedRule } from "./versions";

type PssLevel = "baseline" | "restricted";

const pssOptions = {
    version: option(
        string({
            description:
                'Pod Security Standards version whose rules apply: "latest" or "v1.N", as in the namespace label ' +
                "pod-security.kubernetes.io/enforce-version.",
            pattern: VERSION_PATTERN,
            patternHint: 'use "latest" or a Kubernetes minor version such as "v1.30"',
        }),
        "latest",
    ),
};

type PssOptions = OptionValues<typeof pssOptions & typeof workloadOptions>;
/** Every option a Pod Security Standards policy accepts. */
type PssPolicyOptions = typeof pssOptions &
    typeof workloadOptions &
    typeof imageExemptionOptions &
    typeof exemptionOptions;

const PSS_URL = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";

interface PssCheckDefinition<R extends object, X extends OptionsSpec> {
    /** Policy name, `pss-...`. */
    readonly name: string;
    /** The check's ID in the admission controller, e.g. `privileged`. */
    readonly checkId: string;
    readonly level: PssLevel;
    readonly displayName: string;
    readonly description: string;
    readonly severity: Severity;
    /** Topic tags beyond `pss` and the level tag. */
    readonly topics: readonly string[];
    readonly remediationSteps: string;
    /**
     * The check's variants, oldest first. At a configured version the newest variant whose `since`
     * is not newer applies; before the first one the check does not exist and passes everything.
     * A rule's pod exemptions (Windows pods, user-namespace pods) are applied here, to the check
     * and to its remediation: an exempt pod has no violations and is not changed.
     */
    readonly versions: readonly VersionedRule<R>[];
    /**
     * Options beyond the standard: exceptions a team grants itself (off by default, so that without
     * them every verdict is the admission controller's). A check reports what an option allows as an
     * advisory naming the option (allowedByOption), never silently.
     */
    readonly options?: X;
    /** `version` is the configured version (`latest` resolved), for messages. */
    readonly check: (pod: PodSpec, ev: Evaluation<PssOptions & OptionValues<X>>, rule: R, version: PssVersion) => void;
    /** Safe fix applied at the `remediate` level (remediationSteps must say why it is safe). */
    readonly remediate?: (pod: PodSpec, fix: Fixer, rule: R) => void;
}

/** What a Pod Security Standards policy was built from (for tests and documentation). */
export interface PssCheckInfo {
    readonly checkId: string;
    readonly level: PssLevel;
    readonly versions: readonly VersionedRule<object>[];
}

const checkInfo = new WeakMap<object, PssCheckInfo>();

/** The check a Pod Security Standards policy of this pack implements, or undefined for other policies. */
export function pssCheckOf(policy: object): PssCheckInfo | undefined {
    return checkInfo.get(policy);
}

/** The variant of a check that applies at a configured version (`latest` or `v1.N`), if the check exists then. */
export function pssVariantAt<R>(versions: readonly VersionedRule<R>[], version: string): VersionedRule<R> | undefined {
    return variantAt(versions, effectiveMinor(version));
}

export function definePssCheck<N extends string, R extends object, X extends OptionsSpec = Record<never, never>>(
    def: PssCheckDefinition<R, X> & { readonly name: N },
): ContainerGuardPolicy<PssPolicyOptions & X, N> {
    const problem = variantTableProblem(def.versions);
    if (problem) {
        throw new Error(`${def.name}: the version table ${problem}`);
    }
    const remediate = def.remediate;
    const policy = defineWorkloadPolicy({
        name: def.name,
        displayName: def.displayName,
        description: def.description,
        severity: def.severity,
        tags: ["kubernetes", "pss", `pss:${def.level}`, ...def.topics],
        remediationSteps: def.remediationSteps,
        url: `${PSS_URL}#${def.level}`,
        framework: {
            name: "Kubernetes Pod Security Standards",
            version: `v1.${LATEST_MINOR}`,
            reference: PSS_URL,
            specification:
                `${def.level === "baseline" ? "Baseline" : "Restricted"} profile, pod-security admission ` +
                `check "${def.checkId}"`,
        },
        options: { ...pssOptions, ...(def.options as X) },
        check(pod, ev) {
            const minor = effectiveMinor((ev.options as PssOptions).version);
            const variant = variantAt(def.versions, minor);
            if (variant) {
                const exemption = podExemption(pod, variant.rule);
                def.check(pod, withPodExemption(ev, exemption), variant.rule, `v1.${minor}`);
            }
        },
        ...(remediate && {
            remediate: (pod: PodSpec, fix: Fixer, options: PssOptions & OptionValues<X>) => {
                const variant = pssVariantAt(def.versions, (options as PssOptions).version);
                // Exempt pods are left alone, and so are pods whose exemption is undecided in preview.
                if (variant && podExemption(pod, variant.rule).exempt === false) {
                    remediate(pod, fix, variant.rule);
                }
            },
        }),
    });
    checkInfo.set(policy, { checkId: def.checkId, level: def.level, versions: def.versions });
    return policy;
}

/**
 * A profile object (appArmorProfile, seccompProfile) that is set must name one of the allowed
 * types; a missing or empty type is not allowed either.
 */
export function checkProfileType(
    ev: Evaluation<unknown>,
    profile: Field<unknown>,
    allowed: ReadonlySet<string>,
    what: string,
    fix: string,
    container?: ContainerRef,
): void {
    if (!known(ev, profile, container)?.isPresent) {
        return;
    }
    const type = known(ev, profile.get("type"), container);
    if (type && !(typeof type.value === "string" && allowed.has(type.value))) {
        ev.violation({
            at: type,
            container,
            problem: type.isAbsent ? `${what} has no type` : `${what} type is ${show(type)}`,
            fix,
        });
    }
}

/** The seccomp profile types the standard allows. */
export const VALID_SECCOMP_TYPES: ReadonlySet<string> = new Set(["RuntimeDefault", "Localhost"]);

/**
 * Reports, as an advisory naming the option, a value the standard forbids that one of this pack's
 * options allows: the exception stays visible, and the cluster's admission controller still rejects
 * the pod in a namespace that enforces the level.
 */
export function allowedByOption(
    ev: Evaluation<unknown>,
    f: { at: Field; container?: ContainerRef; problem: string; option: string },
): void {
    ev.violation({
        at: f.at,
        container: f.container,
        advisory: true,
        problem: `${f.problem}, allowed by option ${f.option}`,
        fix:
            "nothing while the option allows it; the pod-security admission controller still rejects it in a " +
            "namespace that enforces this level",
    });
}

/** The `allowedLocalhostProfiles` option of the seccomp checks. */
export const localhostProfileOptions = {
    allowedLocalhostProfiles: option(
        array(
            string({
                description: "A localhostProfile name, or a glob (* matches any run of characters, / included; ? one)",
                minLength: 1,
            }),
            {
                description:
                    "Restricts Localhost seccomp profiles to these localhostProfile names (stricter than the " +
                    "standard, which allows any Localhost profile): a Localhost profile not listed is a finding. " +
                    "Empty: any Localhost profile passes, as in the standard.",
            },
        ),
        [] as string[],
    ),
};

/**
 * With `allowedLocalhostProfiles` set, a Localhost seccomp profile must name one of them. `at` is where
 * the name is written (the profile's localhostProfile field, or an alpha annotation) and must be known;
 * `name` is the name, or undefined when none is written.
 */
export function checkLocalhostProfile(
    ev: Evaluation<unknown>,
    allowed: readonly string[],
    at: Field,
    name: unknown,
    container?: ContainerRef,
): void {
    if (allowed.length === 0 || (typeof name === "string" && allowed.some((glob) => globMatch(glob, name)))) {
        return;
    }
    ev.violation({
        at,
        container,
        problem:
            name === undefined
                ? "seccomp profile is Localhost without a localhostProfile, so it is none of the profiles in option " +
                  "allowedLocalhostProfiles"
                : `seccomp profile is Localhost ${show(name)}, not one of the profiles in option ` +
                  `allowedLocalhostProfiles`,
        fix: "use RuntimeDefault, or a Localhost profile that allowedLocalhostProfiles lists",
    });
}
