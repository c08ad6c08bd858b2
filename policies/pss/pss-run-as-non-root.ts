import {
    definePssCheck,
    eachContainer,
    known,
    type PodExemptions,
    show,
    type VersionedRule,
} from "../../src/pss/standard";

/** v1.0: the check appears. v1.35: pods in a user namespace (hostUsers: false) are exempt. */
const VERSIONS: readonly VersionedRule<PodExemptions>[] = [
    { since: "v1.0", rule: { userNamespaceExempt: false } },
    { since: "v1.35", rule: { userNamespaceExempt: true } },
];

/** Restricted: containers must be required to run as a non-root user. */
export const runAsNonRoot = definePssCheck({
    name: "pss-run-as-non-root",
    checkId: "runAsNonRoot",
    level: "restricted",
    displayName: "Run as non-root",
    description:
        "Pods must set runAsNonRoot: true, at pod level or on every container, and no container may set it to false " +
        "(from v1.35 pods with hostUsers: false are exempt).",
    severity: "medium",
    topics: ["users"],
    versions: VERSIONS,
    remediationSteps:
        "Set spec.securityContext.runAsNonRoot: true (or on every container) and make sure the image runs as a " +
        "non-zero UID (USER in the Dockerfile or securityContext.runAsUser).",
    check(pod, ev) {
        const podField = known(ev, pod.securityContext.get("runAsNonRoot"));
        if (podField?.isPresent && podField.value !== true) {
            ev.violation({
                at: podField,
                problem: `runAsNonRoot is ${show(podField)}`,
                fix: "set spec.securityContext.runAsNonRoot to true",
            });
        }
        const podTrue = podField?.value === true;
        eachContainer(pod, ev, (c) => {
            const f = known(ev, c.field.at("securityContext", "runAsNonRoot"), c);
            if (!f) {
                return;
            }
            if (f.isPresent && f.value !== true) {
                ev.violation({
                    at: f,
                    container: c,
                    problem: `runAsNonRoot is ${show(f)}`,
                    fix: "set securityContext.runAsNonRoot to true",
                });
            } else if (f.isAbsent && !podTrue) {
                if (podField === undefined) {
                    return; // the pod-level value is unknown: already reported as such
                }
                ev.violation({
                    at: f,
                    container: c,
                    missing: true,
                    problem: "runAsNonRoot is not set here or at pod level",
                    fix:
                        "set spec.securityContext.runAsNonRoot (or this container's securityContext.runAsNonRoot) " +
                        "to true",
                });
            }
        });
    },
});
