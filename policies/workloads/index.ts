// Workload hardening beyond the Pod Security Standards, for Kubernetes pods and Docker containers:
// controls that stand on their own and are named for what they require.

import { readOnlyRootFilesystem } from "./read-only-root-filesystem";

export const workloadPolicies = [readOnlyRootFilesystem] as const;

export { readOnlyRootFilesystem };
