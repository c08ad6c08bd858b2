import { definePssCheck, eachContainer, isWindowsPod, known, show, unlessExempt } from "../../src/pss/standard";

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
    since: 8,
    remediationSteps:
        "Set securityContext.allowPrivilegeEscalation: false on every container, init container and ephemeral " +
        "container. " +
        "At the remediate level the pack sets it: safe for almost every workload, because it only stops " +
        "setuid/setgid binaries and file capabilities from raising privileges (it breaks images that rely on " +
        "sudo or su at run time).",
    remediate(pod, fix, version) {
        if (version >= 25 && isWindowsPod(pod) !== false) {
            return; // exempt (or undecided) Windows pods are left alone
        }
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
    check(pod, ev, version) {
        const windows = version >= 25 ? isWindowsPod(pod) : false;
        eachContainer(pod, ev, (c) => {
            const f = known(ev, c.field.at("securityContext", "allowPrivilegeEscalation"), c);
            if (!f || f.value === false) {
                return;
            }
            unlessExempt(ev, windows, pod.osName, () =>
                ev.violation({
                    at: f,
                    container: c,
                    missing: f.isAbsent,
                    problem: f.isAbsent
                        ? "allowPrivilegeEscalation is not set (it defaults to true)"
                        : `allowPrivilegeEscalation is ${show(f.value)}`,
                    fix: "set securityContext.allowPrivilegeEscalation to false",
                }),
            );
        });
    },
});
