// The Docker container model: the runtime settings of one container as a Docker `Container`
// resource or a swarm `Service`'s task spec declares them, with JSON paths.
//
// The two resources spell the same settings differently (`capabilities.adds` vs
// `taskSpec.containerSpec.capAdds`, `securityOpts` vs `privileges.seLinuxContext`), and some exist
// for only one of them (a swarm service cannot be privileged or map devices). Every Docker runtime
// rule is written once against this model; a setting a resource kind does not have is `undefined`.

import type * as docker from "@pulumi/docker";
import { known, knownItems, quoteField } from "../framework/checks";
import { type Evaluation } from "../framework/policy";
import { type Field } from "../framework/field";
import { DOCKER_CONTAINER_ARGS, DOCKER_SERVICE_ARGS } from "./api-types";

export const DOCKER_CONTAINER = "docker:index/container:Container";
export const DOCKER_SERVICE = "docker:index/service:Service";

/** The provider SDK's argument types the model reads. */
type ContainerArgsObject = docker.ContainerArgs;
type ServiceArgsObject = docker.ServiceArgs;
type ServiceContainerSpecObject = docker.types.input.ServiceTaskSpecContainerSpec;

/** A namespace a container can share with the host, and the setting that shares it. */
interface NamespaceMode {
    /** `network`, `PID`, `IPC`, `user`, `cgroup`. */
    readonly namespace: string;
    /** The setting's name, e.g. `networkMode`. */
    readonly setting: string;
    /** The setting; the host's namespace is shared when it is exactly `host`. */
    readonly field: Field<unknown>;
}

/** One `--security-opt` style setting, e.g. `seccomp=unconfined` as key `seccomp`, value `unconfined`. */
export interface SecuritySetting {
    readonly key: string;
    readonly value: string;
    /** How the user wrote it. */
    readonly written: string;
    /** How messages show it: quoted as written, or [secret]. */
    readonly shown: string;
    readonly at: Field<unknown>;
}

/** One environment variable a container gets. Values may be secrets: never print them. */
interface EnvVariable {
    readonly name: string;
    readonly value: Field<unknown>;
    /** The field that declares it: the `envs[i]` string, or the `env.NAME` entry. */
    readonly at: Field<unknown>;
}

/** The settings of one Docker container, whichever resource declares it. */
export interface DockerContainerSpec {
    readonly kind: "Container" | "Service";
    /** The container settings: the Container's props, or the Service's `taskSpec.containerSpec`. */
    readonly spec: Field<unknown>;
    readonly image: Field<unknown>;
    /** `user` / `taskSpec.containerSpec.user`: `user[:group]`, unset means the image's USER. */
    readonly user: Field<unknown>;
    readonly readOnly: Field<unknown>;
    readonly capabilityAdds: Field<unknown>;
    readonly capabilityDrops: Field<unknown>;
    /** Environment as declared: Container `envs` (["NAME=value"]), Service `env` ({NAME: value}). */
    readonly env: Field<unknown>;
    /** The command line: Container `entrypoints` and `command`, Service `commands` and `args`. */
    readonly commandLine: readonly Field<unknown>[];
    /** `mounts[]` ({type, source, target, ...}); both kinds have them. */
    readonly mounts: Field<unknown>;
    /** Networks the container joins (`networksAdvanced[].name`, `taskSpec.networksAdvanceds[].name`). */
    readonly networks: Field<unknown>;
    /** Kernel parameters set in the container ({name: value}): Container `sysctls`, Service `sysctl`. */
    readonly sysctls: Field<unknown>;
    /** Supplementary groups the process joins (names or GIDs): Container `groupAdds`, Service `groups`. */
    readonly groupAdd: Field<unknown>;
    /** Namespace modes (Container only; a service's only way to share a host namespace is the `host` network). */
    readonly namespaceModes: readonly NamespaceMode[];
    /** Container only: swarm services cannot run privileged. */
    readonly privileged?: Field<unknown>;
    /** Container only: `volumes[]` ({hostPath, containerPath, volumeName, ...}). */
    readonly volumes?: Field<unknown>;
    /** Container only: `devices[]` ({hostPath, containerPath, permissions}). */
    readonly devices?: Field<unknown>;
    /** Container only: `deviceCgroupRules[]` (e.g. `c 1:3 mr`). */
    readonly deviceCgroupRules?: Field<unknown>;
    /** Container only: `securityOpts[]`. */
    readonly securityOpts?: Field<unknown>;
    /** Service only: `privileges.seLinuxContext` (the swarm spelling of `label=...` options). */
    readonly seLinuxContext?: Field<unknown>;
}

/** The container a Docker Container or Service declares; undefined for every other type. */
export function dockerContainerSpecOf(type: string, props: Field<unknown>): DockerContainerSpec | undefined {
    // The API types make wrongly typed settings read as the Docker provider reads them (api-types.ts).
    if (type === DOCKER_CONTAINER) {
        const c = props.typed(DOCKER_CONTAINER_ARGS) as Field<ContainerArgsObject>;
        return {
            kind: "Container",
            spec: c,
            image: c.get("image"),
            user: c.get("user"),
            readOnly: c.get("readOnly"),
            capabilityAdds: c.at("capabilities", "adds"),
            capabilityDrops: c.at("capabilities", "drops"),
            env: c.get("envs"),
            commandLine: [c.get("entrypoints"), c.get("command")],
            mounts: c.get("mounts"),
            networks: c.get("networksAdvanced"),
            sysctls: c.get("sysctls"),
            groupAdd: c.get("groupAdds"),
            namespaceModes: [
                { namespace: "network", setting: "networkMode", field: c.get("networkMode") },
                { namespace: "PID", setting: "pidMode", field: c.get("pidMode") },
                { namespace: "IPC", setting: "ipcMode", field: c.get("ipcMode") },
                { namespace: "user", setting: "usernsMode", field: c.get("usernsMode") },
                { namespace: "cgroup", setting: "cgroupnsMode", field: c.get("cgroupnsMode") },
            ],
            privileged: c.get("privileged"),
            volumes: c.get("volumes"),
            devices: c.get("devices"),
            deviceCgroupRules: c.get("deviceCgroupRules"),
            securityOpts: c.get("securityOpts"),
        };
    }
    if (type === DOCKER_SERVICE) {
        const task = (props.typed(DOCKER_SERVICE_ARGS) as Field<ServiceArgsObject>).get("taskSpec");
        const s: Field<ServiceContainerSpecObject> = task.get("containerSpec");
        return {
            kind: "Service",
            spec: s,
            image: s.get("image"),
            user: s.get("user"),
            readOnly: s.get("readOnly"),
            capabilityAdds: s.get("capAdds"),
            capabilityDrops: s.get("capDrops"),
            env: s.get("env"),
            commandLine: [s.get("commands"), s.get("args")],
            mounts: s.get("mounts"),
            networks: task.get("networksAdvanceds"),
            sysctls: s.get("sysctl"),
            groupAdd: s.get("groups"),
            namespaceModes: [],
            seLinuxContext: s.at("privileges", "seLinuxContext"),
        };
    }
    return undefined;
}

/**
 * A capability name as Docker and containerd read it: case-insensitive, with or without the `CAP_`
 * prefix (`cap_sys_admin`, `SYS_ADMIN` and `CAP_SYS_ADMIN` are the same capability). `ALL` stays `ALL`.
 */
export function normalizeCapability(name: string): string {
    const upper = name.trim().toUpperCase();
    // `CAP_ALL` is not a capability (the daemon rejects it), so it must not read as `ALL`.
    return upper.startsWith("CAP_") && upper !== "CAP_ALL" ? upper.slice(4) : upper;
}

/**
 * Whether a `user[:group]` value (Docker's `--user`, a Dockerfile `USER`) names the root user:
 * `root`, UID `0` (also `00`), `root:<group>`, `0:<group>`, or the Windows `ContainerAdministrator`.
 * The group does not matter: a root user is root whatever its group.
 */
export function isRootUser(value: string): boolean {
    const user = userPart(value);
    return user === "root" || /^0+$/.test(user) || user.toLowerCase() === "containeradministrator";
}

/** The group part of `user[:group]`, trimmed; undefined when no group is named. */
export function groupPart(value: string): string | undefined {
    const colon = value.indexOf(":");
    return colon < 0 ? undefined : value.slice(colon + 1).trim();
}

/** Whether a group name or GID (`user[:group]`, `groupAdds`) is the root group: `root` or GID 0 (also `00`). */
export function isRootGroup(group: string): boolean {
    const g = group.trim();
    return g === "root" || /^0+$/.test(g);
}

/** The user part of `user[:group]`, trimmed; empty when no user is named. */
export function userPart(value: string): string {
    const colon = value.indexOf(":");
    return (colon < 0 ? value : value.slice(0, colon)).trim();
}

/**
 * Splits one security option as the Docker daemon does: `no-new-privileges` and `disable` stand
 * alone; otherwise the key ends at the first `=`, or, in the deprecated spelling, the first `:`.
 * Undefined for options the daemon rejects.
 */
export function parseSecurityOpt(opt: string): { key: string; value: string } | undefined {
    if (opt === "no-new-privileges") {
        return { key: "no-new-privileges", value: "true" };
    }
    if (opt === "disable") {
        return { key: "label", value: "disable" };
    }
    const eq = opt.indexOf("=");
    const sep = eq >= 0 ? eq : opt.indexOf(":");
    if (sep < 0) {
        return undefined;
    }
    return { key: opt.slice(0, sep), value: opt.slice(sep + 1) };
}

/** Go's strconv.ParseBool, which the daemon uses for `no-new-privileges=<bool>`. */
export function parseGoBool(s: string): boolean | undefined {
    if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) {
        return true;
    }
    if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) {
        return false;
    }
    return undefined;
}

/**
 * The security settings of a container in one vocabulary: a Container's `securityOpts` as the
 * daemon parses them, a Service's `privileges.seLinuxContext` as the equivalent `label` options.
 * Unknown lists, entries and values are recorded as unknown.
 */
export function securitySettings(spec: DockerContainerSpec, ev: Evaluation<unknown>): SecuritySetting[] {
    const out: SecuritySetting[] = [];
    for (const item of knownItems(ev, spec.securityOpts)) {
        const written = item.str();
        const parsed = written === undefined ? undefined : parseSecurityOpt(written);
        if (written !== undefined && parsed) {
            out.push({ ...parsed, written, shown: quoteField(item, written), at: item });
        }
    }
    const se = spec.seLinuxContext && known(ev, spec.seLinuxContext);
    if (se?.isPresent) {
        const disable = known(ev, se.get("disable"));
        if (disable?.value === true) {
            const written = "privileges.seLinuxContext.disable: true";
            out.push({ key: "label", value: "disable", written, shown: JSON.stringify(written), at: disable });
        }
        const type = known(ev, se.get("type"));
        const t = type?.str();
        if (type && t !== undefined) {
            const written = `privileges.seLinuxContext.type: ${quoteField(type, t)}`;
            out.push({ key: "label", value: `type:${t}`, written, shown: JSON.stringify(written), at: type });
        }
    }
    return out;
}

/**
 * The environment variables a container gets, with their values as fields. Entries whose name is
 * unknown during preview are recorded as unknown; malformed entries are skipped.
 */
export function environmentOf(spec: DockerContainerSpec, ev: Evaluation<unknown>): EnvVariable[] {
    const env = known(ev, spec.env);
    if (!env) {
        return [];
    }
    const out: EnvVariable[] = [];
    if (env.isArray) {
        // Container `envs`: "NAME=value" strings; the value is everything after the first "=".
        for (const item of knownItems(ev, env)) {
            const s = item.str();
            const eq = s?.indexOf("=") ?? -1;
            if (s !== undefined && eq > 0) {
                out.push({ name: s.slice(0, eq), value: item.derived(s.slice(eq + 1)), at: item });
            }
        }
    } else {
        for (const [name, value] of env.entries()) {
            out.push({ name, value, at: value });
        }
    }
    return out;
}
