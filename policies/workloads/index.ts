// Workload hardening beyond the Pod Security Standards, for Kubernetes pods and Docker containers:
// controls that stand on their own and are named for what they require.

import { readOnlyRootFilesystem } from "./read-only-root-filesystem";
import { resourceLimits } from "./resource-limits";
import { rootGroup } from "./root-group";
import { serviceAccountTokenAutomount } from "./service-account-token-automount";
import { sysctlValueInjection } from "./sysctl-value-injection";

export const workloadPolicies = [
    serviceAccountTokenAutomount,
    readOnlyRootFilesystem,
    sysctlValueInjection,
    rootGroup,
    resourceLimits,
] as const;

export { readOnlyRootFilesystem, resourceLimits, rootGroup, serviceAccountTokenAutomount, sysctlValueInjection };
