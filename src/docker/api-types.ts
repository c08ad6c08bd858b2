// The types the Docker provider's schema gives the container settings the pack's checks read. The
// provider is bridged from Terraform: go-cty converts the strings "true"/"1" and "false"/"0" to
// booleans, decimal strings to numbers, and numbers and booleans to strings, and a one-element list
// where a nested block belongs is read as the block; everything else of the wrong type is rejected
// (see src/framework/api-types.ts for how the checks judge it). docs/security.md lists these fields.

import { type ApiType, apiTypes } from "../framework/api-types";

const d = apiTypes("docker");
const str = d.str();
const strings = d.list(str);

const mount = d.object({
    type: str,
    source: str,
    target: str,
    readOnly: d.bool(false),
    volumeOptions: d.object({ driverName: str, driverOptions: d.map(str) }),
});

const network = d.object({ name: str });

/** docker.Container arguments, as far as the checks read them. */
export const DOCKER_CONTAINER_ARGS: ApiType = d.object({
    image: str,
    user: str,
    readOnly: d.bool(false),
    privileged: d.bool(true),
    capabilities: d.object({ adds: strings, drops: d.list(str, "empty list") }),
    envs: strings,
    entrypoints: strings,
    command: strings,
    mounts: d.list(mount),
    networksAdvanced: d.list(network),
    networkMode: str,
    pidMode: str,
    ipcMode: str,
    usernsMode: str,
    cgroupnsMode: str,
    volumes: d.list(d.object({ hostPath: str, containerPath: str, volumeName: str, readOnly: d.bool(false) })),
    devices: d.list(d.object({ hostPath: str, containerPath: str, permissions: str })),
    deviceCgroupRules: strings,
    securityOpts: strings,
    groupAdds: strings,
    sysctls: d.map(str),
});

/** docker.Service arguments, as far as the checks read them. */
export const DOCKER_SERVICE_ARGS: ApiType = d.object({
    taskSpec: d.object({
        containerSpec: d.object({
            image: str,
            user: str,
            readOnly: d.bool(false),
            capAdds: strings,
            capDrops: d.list(str, "empty list"),
            groups: strings,
            sysctl: d.map(str),
            env: d.map(str),
            commands: strings,
            args: strings,
            mounts: d.list(mount),
            privileges: d.object({
                seLinuxContext: d.object({ disable: d.bool(true), type: str, user: str, role: str, level: str }),
            }),
        }),
        networksAdvanceds: d.list(network),
    }),
});
