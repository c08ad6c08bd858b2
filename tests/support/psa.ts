// Runs the pack's Pod Security Standards policies and reduces the result to the verdict the
// Kubernetes pod-security admission controller would give for a level and version: the set of
// failing check IDs. At the restricted level the admission controller leaves out a baseline check
// that a restricted check replaces (from the version the replacement exists); the pack runs both as
// separate policies, so the same rule is applied here before comparing.

import { PolicyTester, type PolicyViolation, type TestResource } from "../../testkit";
import { baselinePolicies, restrictedPolicies } from "../../policies/pss";

const CHECK_IDS: Record<string, string> = {
    "pss-host-namespaces": "hostNamespaces",
    "pss-privileged": "privileged",
    "pss-capabilities-baseline": "capabilities_baseline",
    "pss-host-path-volumes": "hostPathVolumes",
    "pss-host-ports": "hostPorts",
    "pss-host-probes-lifecycle": "hostProbesAndHostLifecycle",
    "pss-apparmor": "appArmorProfile",
    "pss-selinux": "seLinuxOptions",
    "pss-proc-mount-baseline": "procMount",
    "pss-seccomp-baseline": "seccompProfile_baseline",
    "pss-sysctls": "sysctls",
    "pss-windows-host-process": "windowsHostProcess",
    "pss-restricted-volumes": "restrictedVolumes",
    "pss-allow-privilege-escalation": "allowPrivilegeEscalation",
    "pss-run-as-non-root": "runAsNonRoot",
    "pss-run-as-user": "runAsUser",
    "pss-seccomp-restricted": "seccompProfile_restricted",
    "pss-capabilities-restricted": "capabilities_restricted",
    "pss-proc-mount-restricted": "procMount_restricted",
};

/** Restricted check → [replaced baseline check, first version of the replacement]. */
const OVERRIDES: [string, string, number][] = [
    ["restrictedVolumes", "hostPathVolumes", 0],
    ["seccompProfile_restricted", "seccompProfile_baseline", 19],
    ["capabilities_restricted", "capabilities_baseline", 22],
    ["procMount_restricted", "procMount", 35],
];

export type Level = "baseline" | "restricted";

/** "latest" or a minor version number. */
export type Version = number | "latest";

function versionString(v: Version): string {
    return v === "latest" ? "latest" : `v1.${v}`;
}

type Obj = Record<string, unknown>;

/**
 * Every option of every Pod Security Standards policy written out at its default (the schema's
 * `default`), except `version`: configuration that sets each option explicitly to what leaving it
 * out means.
 */
export const EXPLICIT_DEFAULTS: Readonly<Record<string, Obj>> = Object.fromEntries(
    [...baselinePolicies, ...restrictedPolicies].map((p) => [
        p.name,
        Object.fromEntries(
            Object.entries(p.configSchema.properties as Record<string, { default?: unknown }>)
                .filter(([k]) => k !== "version")
                .map(([k, s]) => [k, s.default]),
        ),
    ]),
);

/**
 * The violations the pack's Pod Security Standards policies of a level report for a resource, every
 * policy mandatory, at a version; `options` adds options per policy name.
 */
export async function pssViolations(
    resource: TestResource,
    level: Level,
    version: Version,
    options: Readonly<Record<string, Obj>> = {},
): Promise<PolicyViolation[]> {
    const policies = level === "baseline" ? baselinePolicies : [...baselinePolicies, ...restrictedPolicies];
    const config: Record<string, unknown> = { all: "mandatory" };
    for (const p of policies) {
        config[p.name] = { ...options[p.name], version: versionString(version) };
    }
    return (await new PolicyTester({ policies }, config as never).analyze(resource)).violations;
}

/** The admission controller's verdict from the pack's violations: the failing check IDs (sorted). */
export function verdictOf(violations: readonly PolicyViolation[], level: Level, version: Version): string[] {
    const failing = new Set(
        violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => CHECK_IDS[v.policyName]),
    );
    if (level === "restricted") {
        const minor = version === "latest" ? Infinity : version;
        for (const [, replaced, since] of OVERRIDES) {
            if (minor >= since) {
                failing.delete(replaced);
            }
        }
    }
    return [...failing].sort();
}
