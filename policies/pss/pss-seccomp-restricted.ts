import { type Evaluation } from "../../src/framework/policy";
import { type Field } from "../../src/framework/field";
import { type ContainerRef } from "../../src/kubernetes/workload";
import {
    checkLocalhostProfile,
    definePssCheck,
    localhostProfileOptions,
    eachContainer,
    known,
    type PodExemptions,
    show,
    VALID_SECCOMP_TYPES,
    type VersionedRule,
} from "../../src/pss/standard";

/** v1.19: the check appears (replacing seccompProfile_baseline at restricted). v1.25: Windows pods are exempt. */
const VERSIONS: readonly VersionedRule<PodExemptions>[] = [
    { since: "v1.19", rule: { windowsExempt: false } },
    { since: "v1.25", rule: { windowsExempt: true } },
];

/**
 * The state of one seccompProfile setter: "unset" (no object), "valid", "invalid" (an object whose
 * type is not RuntimeDefault/Localhost, including a missing type) or "unknown" (not known in preview).
 */
function setterState(
    ev: Evaluation<unknown>,
    profile: Field,
    container?: ContainerRef,
): { state: "unset" | "valid" | "invalid" | "unknown"; type: Field } {
    const type = profile.get("type");
    if (!known(ev, profile, container)) {
        return { state: "unknown", type };
    }
    if (!profile.isPresent) {
        return { state: "unset", type };
    }
    if (!known(ev, type, container)) {
        return { state: "unknown", type };
    }
    return { state: typeof type.value === "string" && VALID_SECCOMP_TYPES.has(type.value) ? "valid" : "invalid", type };
}

/**
 * With allowedLocalhostProfiles set, a setter of a Localhost profile must name one of them. The pod's
 * setter is judged even when every container overrides it, as every setter is by the type check.
 */
function checkLocalhost(
    ev: Evaluation<{ allowedLocalhostProfiles: string[] }>,
    profile: Field,
    type: Field,
    container?: ContainerRef,
): void {
    if (ev.options.allowedLocalhostProfiles.length === 0 || type.value !== "Localhost") {
        return;
    }
    const name = known(ev, profile.get("localhostProfile"), container);
    if (name) {
        checkLocalhostProfile(ev, ev.options.allowedLocalhostProfiles, name, name.value ?? undefined, container);
    }
}

/** Restricted (v1.19+): a seccomp profile must be in force for every container. */
export const seccompRestricted = definePssCheck({
    name: "pss-seccomp-restricted",
    checkId: "seccompProfile_restricted",
    level: "restricted",
    displayName: "Seccomp required",
    description:
        "The seccomp profile must be RuntimeDefault or Localhost, set at pod level or on every container, and never " +
        "Unconfined (Windows pods are exempt from v1.25).",
    severity: "medium",
    topics: ["seccomp", "isolation"],
    versions: VERSIONS,
    remediationSteps:
        "Set spec.securityContext.seccompProfile.type: RuntimeDefault (covers every container), and remove any " +
        '"Unconfined" container setting. ' +
        "At the remediate level the pack sets the pod-level RuntimeDefault profile when the pod sets none: the " +
        "container runtime's default profile blocks only system calls ordinary applications do not make (it is " +
        "Docker's default). Explicit container settings, including Unconfined, are left for a person to change. " +
        "With the allowedLocalhostProfiles option set, a Localhost profile must be one of those listed (the " +
        "standard allows any Localhost profile).",
    options: localhostProfileOptions,
    remediate(pod, fix) {
        if (fix.isPatch || !pod.securityContext.get("seccompProfile").isAbsent) {
            return;
        }
        const sc = fix.object(pod.spec, "securityContext");
        if (sc) {
            fix.set(sc, "seccompProfile", { type: "RuntimeDefault" });
        }
    },
    check(pod, ev) {
        const podProfile = pod.securityContext.get("seccompProfile");
        const podSetter = setterState(ev, podProfile);
        checkLocalhost(ev, podProfile, podSetter.type);
        if (podSetter.state === "invalid") {
            ev.violation({
                at: podSetter.type,
                problem: podSetter.type.isAbsent
                    ? "seccomp profile has no type"
                    : `seccomp profile type is ${show(podSetter.type)}`,
                fix: 'set spec.securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
            });
        }
        eachContainer(pod, ev, (c) => {
            const profile = c.field.at("securityContext", "seccompProfile");
            const s = setterState(ev, profile, c);
            checkLocalhost(ev, profile, s.type, c);
            if (s.state === "invalid") {
                ev.violation({
                    at: s.type,
                    container: c,
                    problem: s.type.isAbsent
                        ? "seccomp profile has no type"
                        : `seccomp profile type is ${show(s.type)}`,
                    fix: 'set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
                });
            } else if (s.state === "unset" && podSetter.state !== "valid" && podSetter.state !== "unknown") {
                // With an invalid pod-level profile (e.g. Unconfined) the container inherits it: say that.
                const inherited =
                    podSetter.state === "invalid"
                        ? podSetter.type.isAbsent
                            ? "this container sets no seccomp profile, so it inherits the pod-level profile, which " +
                              "has no type"
                            : `this container sets no seccomp profile, so it inherits the pod-level profile type ` +
                              `${show(podSetter.type)}`
                        : undefined;
                ev.violation({
                    at: s.type,
                    container: c,
                    missing: true,
                    problem: inherited ?? "no seccomp profile is set here or at pod level",
                    fix: 'set spec.securityContext.seccompProfile.type (or this container\'s) to "RuntimeDefault"',
                });
            }
        });
    },
});
