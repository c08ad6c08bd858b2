// The Pod Security Standards as the Kubernetes pod-security admission controller implements them:
// levels, policy versions, and the shared shape of the 19 checks.
//
// A namespace pins the rules it enforces with `pod-security.kubernetes.io/enforce-version: v1.N`;
// every check here takes the same `version` option and applies the rules of that version, so a
// cluster pinned to an older version gets exactly the verdicts its admission controller would give.

import type { Severity } from "@pulumi/policy";
import { type exemptionOptions } from "../framework/exemptions";
import { type ContainerGuardPolicy, type Evaluation } from "../framework/policy";
import { type Fixer } from "../framework/remediation";
import { type Field } from "../framework/field";
import { type OptionValues, option, string } from "../framework/options";
import { defineWorkloadPolicy, type workloadOptions } from "../kubernetes/workload-policy";
import { type ContainerRef, type PodSpec } from "../kubernetes/workload";
import { known, show } from "../framework/checks";

export { known, show, unlessExempt } from "../framework/checks";
export { eachContainer, isWindowsPod, usesUserNamespace } from "../kubernetes/pod-checks";

type PssLevel = "baseline" | "restricted";

/**
 * The newest policy version whose rules are implemented (Kubernetes v1.37). `latest` means this
 * version; a newer `v1.N` is judged by it too, as the admission controller does for versions newer
 * than it knows.
 */
const LATEST_MINOR = 37;

export const VERSION_PATTERN = "^(latest|v1\\.(0|[1-9][0-9]{0,2}))$";

/** Parses `latest` or `v1.N` into the minor version whose rules apply. */
function parseVersion(version: string): number {
    if (version === "latest") {
        return LATEST_MINOR;
    }
    const m = /^v1\.(\d+)$/.exec(version);
    if (!m) {
        throw new Error(`invalid Pod Security Standards version ${JSON.stringify(version)}`);
    }
    return Math.min(Number(m[1]), LATEST_MINOR);
}

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
type PssPolicyOptions = typeof pssOptions & typeof workloadOptions & typeof exemptionOptions;

const PSS_URL = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";

interface PssCheckDefinition {
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
    /** The first policy version (minor) that has this check; older versions pass everything. */
    readonly since?: number;
    readonly check: (pod: PodSpec, ev: Evaluation<PssOptions>, version: number) => void;
    /** Safe fix applied at the `remediate` level (remediationSteps must say why it is safe). */
    readonly remediate?: (pod: PodSpec, fix: Fixer, version: number) => void;
}

export function definePssCheck<N extends string>(
    def: PssCheckDefinition & { readonly name: N },
): ContainerGuardPolicy<PssPolicyOptions, N> {
    const since = def.since ?? 0;
    return defineWorkloadPolicy({
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
        options: pssOptions,
        check(pod, ev) {
            const version = parseVersion(ev.options.version);
            if (version >= since) {
                def.check(pod, ev, version);
            }
        },
        ...(def.remediate && {
            remediate: (pod: PodSpec, fix: Fixer, options: PssOptions) => {
                const version = parseVersion(options.version);
                if (version >= since) {
                    def.remediate!(pod, fix, version);
                }
            },
        }),
    });
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
            problem: type.isAbsent ? `${what} has no type` : `${what} type is ${show(type.value)}`,
            fix,
        });
    }
}

/** The seccomp profile types the standard allows. */
export const VALID_SECCOMP_TYPES: ReadonlySet<string> = new Set(["RuntimeDefault", "Localhost"]);
