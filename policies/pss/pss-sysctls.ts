import {
    cumulativeVariants,
    definePssCheck,
    known,
    type PssVersion,
    show,
    type VersionedRule,
} from "../../src/pss/standard";

/** Sysctls the baseline profile allows, by the policy version that introduced them. */
const SYSCTLS_ADDED: readonly (readonly [PssVersion, readonly string[]])[] = [
    [
        "v1.0",
        [
            "kernel.shm_rmid_forced",
            "net.ipv4.ip_local_port_range",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.ping_group_range",
            "net.ipv4.ip_unprivileged_port_start",
        ],
    ],
    ["v1.27", ["net.ipv4.ip_local_reserved_ports"]],
    [
        "v1.29",
        [
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes",
        ],
    ],
    ["v1.32", ["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"]],
    ["v1.37", ["net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"]],
];

/** Each version allows its own additions and everything allowed before. */
const VERSIONS: readonly VersionedRule<{ allowed: ReadonlySet<string> }>[] = cumulativeVariants(SYSCTLS_ADDED).map(
    ({ since, rule }) => ({ since, rule: { allowed: new Set(rule) } }),
);

/** Baseline: only namespaced, safe sysctls. */
export const sysctls = definePssCheck({
    name: "pss-sysctls",
    checkId: "sysctls",
    level: "baseline",
    displayName: "Only safe sysctls",
    description:
        "Pods may set only the sysctls the Pod Security Standards list as safe for the policy version (e.g. " +
        "net.ipv4.ip_local_port_range, kernel.shm_rmid_forced).",
    severity: "medium",
    topics: ["kernel", "isolation"],
    versions: VERSIONS,
    remediationSteps:
        "Remove other sysctls from spec.securityContext.sysctls; tune the node instead if the setting is really " +
        "needed.",
    check(pod, ev, { allowed }, version) {
        const list = known(ev, pod.securityContext.get("sysctls"));
        for (const entry of list?.items() ?? []) {
            const name = known(ev, entry.get("name"));
            if (name && !(typeof name.value === "string" && allowed.has(name.value))) {
                ev.violation({
                    at: name,
                    problem: `sysctl ${show(name)} is not allowed at ${version}`,
                    fix: "remove it from spec.securityContext.sysctls",
                });
            }
        }
    },
});
