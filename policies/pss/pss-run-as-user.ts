import { type Field } from "../../src/framework/field";
import { definePssCheck, eachContainer, known, type PodExemptions, type VersionedRule } from "../../src/pss/standard";

/** v1.23: the check appears. v1.35: pods in a user namespace (hostUsers: false) are exempt. */
const VERSIONS: readonly VersionedRule<PodExemptions>[] = [
    { since: "v1.23", rule: { userNamespaceExempt: false } },
    { since: "v1.35", rule: { userNamespaceExempt: true } },
];

function isRootUid(f: Field | undefined): f is Field {
    return f !== undefined && f.value === 0;
}

/** Restricted (v1.23+): never run as UID 0. */
export const runAsUser = definePssCheck({
    name: "pss-run-as-user",
    checkId: "runAsUser",
    level: "restricted",
    displayName: "Not UID 0",
    description:
        "Pods and containers must not set runAsUser: 0; a pod-level 0 fails even if every container overrides it " +
        "(from v1.35 pods with hostUsers: false are exempt).",
    severity: "medium",
    topics: ["users"],
    versions: VERSIONS,
    remediationSteps:
        "Set runAsUser to a non-zero UID (or remove it and set the image's USER to a non-root UID) at pod and " +
        "container level.",
    check(pod, ev) {
        const podField = known(ev, pod.securityContext.get("runAsUser"));
        if (isRootUid(podField)) {
            ev.violation({
                at: podField,
                problem: "runAsUser is 0 (root)",
                fix: "set spec.securityContext.runAsUser to a non-zero UID, or remove it",
            });
        }
        eachContainer(pod, ev, (c) => {
            const f = known(ev, c.field.at("securityContext", "runAsUser"), c);
            if (isRootUid(f)) {
                ev.violation({
                    at: f,
                    container: c,
                    problem: "runAsUser is 0 (root)",
                    fix: "set securityContext.runAsUser to a non-zero UID, or remove it",
                });
            }
        });
    },
});
