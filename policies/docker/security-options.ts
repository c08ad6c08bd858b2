import { SecuritySetting, defineDockerContainerPolicy, parseGoBool, parseSecurityOpt, securitySettings } from "../../core/docker";
import { Field } from "../../core/props";
import { nist800190 } from "../../core/frameworks";

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
        "Docker containers and services must not turn off seccomp, AppArmor or SELinux (securityOpts seccomp=unconfined, apparmor=unconfined, label=disable, label=type:spc_t, also with the old ':' separator; a service's seLinuxContext.disable).",
    severity: "medium",
    tags: ["docker", "isolation", "seccomp", "apparmor", "selinux", "profile:baseline"],
    remediationSteps:
        "Remove the option from securityOpts (docker.Container) or privileges.seLinuxContext (docker.Service) so Docker's default profiles apply. If the default seccomp profile blocks a needed call, use a custom profile (seccomp=<profile JSON>) that allows only that call.",
    url: "https://docs.docker.com/engine/security/seccomp/",
    framework: nist800190("4.4.3 Insecure container runtime configurations"),
    options: {},
    appliesTo: (spec) => spec.securityOpts !== undefined || spec.seLinuxContext !== undefined,
    check(spec, ev) {
        for (const s of securitySettings(spec, ev)) {
            const why = weakening(s);
            if (why) {
                ev.violation({ at: s.at, problem: `${JSON.stringify(s.written)} ${why}`, fix: "remove this option so Docker's default confinement applies" });
            }
        }
    },
});

/** Docker containers should set no-new-privileges, so setuid binaries cannot raise privileges. */
export const dockerNoNewPrivileges = defineDockerContainerPolicy({
    name: "docker-no-new-privileges",
    displayName: "Docker containers set no-new-privileges",
    description:
        'Docker containers must set the security option no-new-privileges (or no-new-privileges=true), so that setuid and setcap binaries cannot gain privileges; the last no-new-privileges option wins, as in Docker.',
    severity: "medium",
    tags: ["docker", "privilege", "profile:restricted"],
    remediationSteps:
        'Add "no-new-privileges:true" (or "no-new-privileges") to the docker.Container securityOpts, or start the Docker daemon with --no-new-privileges (then exempt the resources with that reason).',
    url: "https://docs.docker.com/reference/cli/docker/container/run/#security-opt",
    framework: nist800190("4.4.3 Insecure container runtime configurations"),
    options: {},
    appliesTo: (spec) => spec.securityOpts !== undefined,
    check(spec, ev) {
        const opts = spec.securityOpts!;
        if (opts.isUnknown) {
            ev.unknown(opts);
            return;
        }
        // The last no-new-privileges option wins; an entry unknown during preview after it may override it.
        let last: Field<unknown> | undefined;
        let undecided: Field<unknown> | undefined;
        for (const item of opts.items()) {
            if (item.isUnknown) {
                undecided = item;
            } else if (typeof item.value === "string" && parseSecurityOpt(item.value)?.key === "no-new-privileges") {
                last = item;
                undecided = undefined;
            }
        }
        if (undecided) {
            ev.unknown(undecided);
            return;
        }
        const written = last?.str();
        const on = written === undefined ? undefined : parseGoBool(parseSecurityOpt(written)!.value);
        if (!last) {
            ev.violation({ at: opts, missing: true, problem: "no-new-privileges is not set", fix: 'add "no-new-privileges:true" to securityOpts' });
        } else if (on !== true) {
            const what = on === false ? "turns no-new-privileges off" : "is not a valid no-new-privileges option";
            ev.violation({ at: last, problem: `${JSON.stringify(written)} ${what}`, fix: 'use "no-new-privileges:true"' });
        }
    },
});
