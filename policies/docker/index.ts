// Docker runtime policies: the settings of docker.Container and swarm docker.Service containers, and
// the build arguments of the image build resources.

import { dockerBuildArgsSecrets } from "./docker-build-args-secrets";
import { dockerCapabilities } from "./docker-capabilities";
import { dockerDropAllCapabilities } from "./docker-drop-all-capabilities";
import { dockerHostDevices } from "./docker-host-devices";
import { dockerHostMounts } from "./docker-host-mounts";
import { dockerHostNamespaces } from "./docker-host-namespaces";
import { dockerNoNewPrivileges } from "./docker-no-new-privileges";
import { dockerNonRootUser } from "./docker-non-root-user";
import { dockerPrivileged } from "./docker-privileged";
import { dockerSecurityOptions } from "./docker-security-options";

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
] as const;

export {
    dockerBuildArgsSecrets,
    dockerCapabilities,
    dockerDropAllCapabilities,
    dockerHostDevices,
    dockerHostMounts,
    dockerHostNamespaces,
    dockerNoNewPrivileges,
    dockerNonRootUser,
    dockerPrivileged,
    dockerSecurityOptions,
};
