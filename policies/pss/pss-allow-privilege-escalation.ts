import {
    definePssCheck,
    eachContainer,
    known,
    type PodExemptions,
    show,
    type VersionedRule,
} from "../../src/pss/standard";

/** v1.8: the check appears. v1.25: Windows pods are exempt. */
const VERSIONS: readonly VersionedRule<PodExemptions>[] = [
    { since: "v1.8", rule: { windowsExempt: false } },
    { since: "v1.25", rule: { windowsExempt: true } },
];

/** Restricted: allowPrivilegeEscalation must be explicitly false. */
export const allowPrivilegeEscalation = definePssCheck({
    name: "pss-allow-privilege-escalation",
    checkId: "allowPrivilegeEscalation",
    level: "restricted",
    displayName: "No privilege escalation",
    description:
        "Containers must set securityContext.allowPrivilegeEscalation to false, so setuid binaries cannot gain " +
        "privileges (Windows pods are exempt from v1.25).",
    severity: "medium",
    topics: ["privilege"],
    versions: VERSIONS,
    remediationSteps:
        "Set securityContext.allowPrivilegeEscalation: false on every container, init container and ephemeral " +
        "container. " +
        "At the remediate level the pack sets it: safe for almost every workload, because it only stops " +
        "setuid/setgid binaries and file capabilities from raising privileges (it breaks images that rely on " +
        "sudo or su at run time).",
    remediate(pod, fix) {
        for (const c of pod.containers()) {
            const current = c.field.at("securityContext", "allowPrivilegeEscalation");
            if (current.isUnknown || current.value === false || (current.isAbsent && fix.isPatch)) {
                continue;
            }
            const sc = fix.object(c.field, "securityContext");
            if (sc) {
                fix.set(sc, "allowPrivilegeEscalation", false);
            }
        }
    },
    check(pod, ev) {
        eachContainer(pod, ev, (c) => {
            const f = known(ev, c.field.at("securityContext", "allowPrivilegeEscalation"), c);
            if (!f || f.value === false) {
                return;
            }
            ev.violation({
                at: f,
                container: c,
                missing: f.isAbsent,
                problem: f.isAbsent
                    ? "allowPrivilegeEscalation is not set (it defaults to true)"
                    : `allowPrivilegeEscalation is ${show(f)}`,
                fix: "set securityContext.allowPrivilegeEscalation to false",
            });
        });
    },
});
