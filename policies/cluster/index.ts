// Policies over the stack as a whole and over Kubernetes objects other than pods.

import { namespacePodSecurity } from "./namespace-pod-security";
import { networkIsolation } from "./network-isolation";

export const stackPolicies = [networkIsolation, namespacePodSecurity] as const;

export { namespacePodSecurity, networkIsolation };
