// Policies that judge the stack as a whole.

import { namespacePodSecurity } from "./namespace-pod-security";
import { networkIsolation } from "./network-isolation";

export const stackPolicies = [networkIsolation, namespacePodSecurity] as const;

export { namespacePodSecurity, networkIsolation };
