// Every policy of the pack, in the order they are listed to users.

import { ContainerGuardPolicy } from "../core/policy";
import { baselinePolicies, restrictedPolicies } from "./pss";

export const allPolicies: readonly ContainerGuardPolicy[] = [...baselinePolicies, ...restrictedPolicies];
