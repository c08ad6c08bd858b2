// Every policy of the pack, in the order they are listed to users.

import { ContainerGuardPolicy } from "../core/policy";
import { baselinePolicies, restrictedPolicies } from "./pss";
import { stackPolicies } from "./stack";
import { secretsPolicies } from "./secrets";
import { filesystemPolicies } from "./filesystem";
import { dockerPolicies } from "./docker";
import { imagePolicies } from "./images";

export const allPolicies = [
    ...baselinePolicies,
    ...restrictedPolicies,
    ...imagePolicies,
    ...secretsPolicies,
    ...filesystemPolicies,
    ...dockerPolicies,
    ...stackPolicies,
] as const satisfies readonly ContainerGuardPolicy[];
