// Pods that a version of a check exempts as a whole. The admission controller's versioned checks
// return "allowed" for some pods before looking at any field: Windows pods in three restricted
// checks from v1.25, pods in a user namespace in three checks from v1.35. A rule states which
// exemptions its version has; this is the one place that decides them, for the check and for its
// remediation alike.

import { type Field } from "../framework/field";
import { type Evaluation, type Finding } from "../framework/policy";
import { isWindowsPod, usesUserNamespace } from "../kubernetes/pod-checks";
import { type PodSpec } from "../kubernetes/workload";

/** The whole-pod exemptions a version of a check grants. */
export interface PodExemptions {
    /** Windows pods (`spec.os.name: windows`) pass. */
    readonly windowsExempt?: boolean;
    /** Pods in a user namespace (`spec.hostUsers: false`) pass. */
    readonly userNamespaceExempt?: boolean;
}

/**
 * Whether a rule exempts this pod: true, false, or undefined when the deciding field is unknown
 * during preview (then `field` names it).
 */
export type PodExemption = { readonly exempt: boolean } | { readonly exempt: undefined; readonly field: Field };

const NOT_EXEMPT: PodExemption = { exempt: false };

/** Decides the rule's exemptions for a pod. Any exemption that applies wins over an undecided one. */
export function podExemption(pod: PodSpec, rule: PodExemptions): PodExemption {
    const candidates: [exempt: boolean | undefined, decidedBy: Field][] = [];
    if (rule.windowsExempt === true) {
        candidates.push([isWindowsPod(pod), pod.osName]);
    }
    if (rule.userNamespaceExempt === true) {
        candidates.push([usesUserNamespace(pod), pod.hostUsers]);
    }
    if (candidates.some(([exempt]) => exempt === true)) {
        return { exempt: true };
    }
    const undecided = candidates.find(([exempt]) => exempt === undefined);
    return undecided ? { exempt: undefined, field: undecided[1] } : NOT_EXEMPT;
}

/**
 * The evaluation a check of an exempt or undecided pod reports to, so that check bodies say only
 * what is wrong and never which pods are exempt. Violations are dropped for an exempt pod, and
 * become "not known during preview" on the deciding field for an undecided one (a Windows pod
 * whose `os.name` is unknown is judged once `pulumi up` knows it). Everything else, including the
 * unknown fields the check reads, reaches the evaluation unchanged.
 */
export function withPodExemption<O>(ev: Evaluation<O>, exemption: PodExemption): Evaluation<O> {
    if (exemption.exempt === false) {
        return ev;
    }
    const violation: (f: Finding) => void =
        exemption.exempt === undefined ? () => ev.unknown(exemption.field) : () => undefined;
    return new Proxy(ev, {
        get(target, prop) {
            if (prop === "violation") {
                return violation;
            }
            const value: unknown = Reflect.get(target, prop, target);
            return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
    });
}
