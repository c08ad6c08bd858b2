// Workload hardening beyond the Pod Security Standards, for Kubernetes pods and Docker containers:
// controls that stand on their own and are named for what they require.

import { readOnlyRootFilesystem } from "./read-only-root-filesystem";
import { resourceLimits } from "./resource-limits";
import { rootGroup } from "./root-group";
import { sysctlValueInjection } from "./sysctl-value-injection";

export const workloadPolicies = [readOnlyRootFilesystem, sysctlValueInjection, rootGroup, resourceLimits] as const;

export { readOnlyRootFilesystem, resourceLimits, rootGroup, sysctlValueInjection };
