import { type SecuritySetting, securitySettings } from "../../src/docker/container";
import { defineDockerContainerPolicy } from "../../src/docker/container-policy";
import { nist800190 } from "../../src/framework/compliance";

/** SELinux types that are not confined (Docker's equivalent of a privileged container's label). */
const UNCONFINED_SELINUX_TYPES: ReadonlySet<string> = new Set(["spc_t", "unconfined_t"]);

/** What is wrong with one security setting, or undefined when it keeps the container confined. */
function weakening(s: SecuritySetting): string | undefined {
    if (s.key === "seccomp" && s.value === "unconfined") {
        return "turns seccomp off";
    }
    if (s.key === "apparmor" && s.value === "unconfined") {
        return "turns AppArmor off";
    }
    if (s.key === "label" && s.value === "disable") {
        return "turns SELinux labelling off";
    }
    if (s.key === "label" && s.value.startsWith("type:") && UNCONFINED_SELINUX_TYPES.has(s.value.slice(5))) {
        return `runs with the unconfined SELinux type ${s.value.slice(5)}`;
    }
    return undefined;
}

/** Docker containers must keep seccomp, AppArmor and SELinux confinement. */
export const dockerSecurityOptions = defineDockerContainerPolicy({
    name: "docker-security-options",
    displayName: "Docker containers keep seccomp, AppArmor and SELinux",
    description:
        "Docker containers and services must not turn off seccomp, AppArmor or SELinux (securityOpts " +
        "seccomp=unconfined, apparmor=unconfined, label=disable, label=type:spc_t, also with the old ':' " +
        "separator; a service's seLinuxContext.disable).",
    severity: "medium",
    tags: ["docker", "isolation", "seccomp", "apparmor", "selinux", "profile:baseline"],
    remediationSteps:
        "Remove the option from securityOpts (docker.Container) or privileges.seLinuxContext (docker.Service) so " +
        "Docker's default profiles apply. If the default seccomp profile blocks a needed call, use a custom " +
        "profile (seccomp=<profile JSON>) that allows only that call.",
    url: "https://docs.docker.com/engine/security/seccomp/",
    framework: nist800190("4.4.3 Insecure container runtime configurations"),
    options: {},
    appliesTo: (spec) => spec.securityOpts !== undefined || spec.seLinuxContext !== undefined,
    check(spec, ev) {
        for (const s of securitySettings(spec, ev)) {
            const why = weakening(s);
            if (why) {
                ev.violation({
                    at: s.at,
                    problem: `${s.shown} ${why}`,
                    fix: "remove this option so Docker's default confinement applies",
                });
            }
        }
    },
});
