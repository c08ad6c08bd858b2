// Docker runtime policies (Container and swarm Service), build-argument secrets, and Dockerfile policies.

import { dockerBuildArgsSecrets, dockerfileSecrets } from "./build-secrets";
import { dockerCapabilities, dockerDropAllCapabilities } from "./capabilities";
import { dockerfileBaseImageDigest, dockerfileBaseImageNotLatest } from "./dockerfile-base-images";
import { dockerfileNonRootUser } from "./dockerfile-non-root-user";
import { dockerHostDevices } from "./host-devices";
import { dockerHostMounts } from "./host-mounts";
import { dockerHostNamespaces } from "./host-namespaces";
import { dockerNonRootUser } from "./non-root-user";
import { dockerPrivileged } from "./privileged";
import { dockerNoNewPrivileges, dockerSecurityOptions } from "./security-options";

export const dockerPolicies = [
    dockerPrivileged,
    dockerCapabilities,
    dockerHostNamespaces,
    dockerHostMounts,
    dockerHostDevices,
    dockerSecurityOptions,
    dockerNonRootUser,
    dockerDropAllCapabilities,
    dockerNoNewPrivileges,
    dockerBuildArgsSecrets,
    dockerfileSecrets,
    dockerfileNonRootUser,
    dockerfileBaseImageNotLatest,
    dockerfileBaseImageDigest,
] as const;

export {
    dockerBuildArgsSecrets, dockerCapabilities, dockerDropAllCapabilities, dockerfileBaseImageDigest, dockerfileBaseImageNotLatest, dockerfileNonRootUser,
    dockerfileSecrets, dockerHostDevices, dockerHostMounts, dockerHostNamespaces, dockerNoNewPrivileges, dockerNonRootUser, dockerPrivileged,
    dockerSecurityOptions,
};
