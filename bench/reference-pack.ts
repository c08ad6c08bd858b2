// A reference policy pack for the benchmark: trivial policies served by the same SDK, started the
// same way. Each policy reads nothing, so what the pack costs is the SDK's own work per policy
// (decoding the resource's props, building the arguments, calling the policy) and nothing else.
// The counts come from the environment so one source serves the one-policy pack and the pack with
// as many policies as container-guard.

import { PolicyPack, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";

function count(name: string, fallback: number): number {
    const n = Number(process.env[name] ?? fallback);
    return Number.isInteger(n) && n >= 0 ? n : fallback;
}

const resourcePolicies = count("BENCH_REFERENCE_RESOURCE_POLICIES", 1);
const stackPolicies = count("BENCH_REFERENCE_STACK_POLICIES", 0);

const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    ...Array.from({ length: resourcePolicies }, (_, i): ResourceValidationPolicy => ({
        name: `trivial-resource-${i}`,
        description: "Reads nothing: measures the SDK's cost per resource policy.",
        enforcementLevel: "advisory",
        validateResource: () => undefined,
    })),
    ...Array.from({ length: stackPolicies }, (_, i): StackValidationPolicy => ({
        name: `trivial-stack-${i}`,
        description: "Reads nothing: measures the SDK's cost per stack policy.",
        enforcementLevel: "advisory",
        validateStack: () => undefined,
    })),
];

new PolicyPack("reference", { policies });
