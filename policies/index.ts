// Every policy of the pack, in the order they are listed to users.

import { type ContainerGuardPolicy } from "../src/framework/policy";
import { clusterObjectPolicies, stackPolicies } from "./cluster";
import { dockerPolicies } from "./docker";
import { dockerfilePolicies } from "./dockerfile";
import { imagePolicies } from "./images";
import { baselinePolicies, restrictedPolicies } from "./pss";
import { secretsPolicies } from "./secrets";
import { workloadPolicies } from "./workloads";

export const allPolicies = [
    ...baselinePolicies,
    ...restrictedPolicies,
    ...imagePolicies,
    ...secretsPolicies,
    ...workloadPolicies,
    ...dockerPolicies,
    ...dockerfilePolicies,
    ...clusterObjectPolicies,
    ...stackPolicies,
] as const satisfies readonly ContainerGuardPolicy[];
