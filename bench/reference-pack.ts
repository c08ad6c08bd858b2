// A reference policy pack for the benchmark: trivial policies served by the same SDK, started the
// same way. Each policy reads nothing, so what the pack costs is the SDK's own work per policy
// (decoding the resource's props, building the arguments, calling the policy) and nothing else.
// The counts come from the environment so one source serves the one-policy pack and the pack with
// as many policies as container-guard. With BENCH_REFERENCE_FINDINGS and BENCH_REFERENCE_RESOURCES the
// first policy also reports that many findings, spread evenly over that many Analyze requests, with
// messages as long as container-guard's: what reporting findings costs the CLI, apart from judging.

import { PolicyPack, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";

function count(name: string, fallback: number): number {
    const n = Number(process.env[name] ?? fallback);
    return Number.isInteger(n) && n >= 0 ? n : fallback;
}

const resourcePolicies = count("BENCH_REFERENCE_RESOURCE_POLICIES", 1);
const stackPolicies = count("BENCH_REFERENCE_STACK_POLICIES", 0);
const findings = count("BENCH_REFERENCE_FINDINGS", 0);
const resources = Math.max(1, count("BENCH_REFERENCE_RESOURCES", 1));

let analyzed = 0;
/** Reports this request's share of the findings (floor((i + 1)·F/N) − floor(i·F/N) for the i-th request). */
const reportShare: ResourceValidationPolicy["validateResource"] = (args, report) => {
    const i = analyzed++;
    const share = Math.floor(((i + 1) * findings) / resources) - Math.floor((i * findings) / resources);
    for (let k = 0; k < share; k++) {
        report(
            `${args.type} ${args.name}, container "app": a finding as long as container-guard's, reported to measure ` +
                `what printing findings costs (spec.template.spec.containers[${k}].securityContext.privileged). ` +
                "Fix: nothing to fix; this pack only measures.",
        );
    }
};

const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    ...Array.from({ length: resourcePolicies }, (_, i): ResourceValidationPolicy => ({
        name: `trivial-resource-${i}`,
        description:
            i === 0 && findings > 0
                ? "Reports findings as long as container-guard's, under a description as long as theirs, so that " +
                  "what printing findings costs the CLI can be told apart from what judging resources costs."
                : "Reads nothing: measures the SDK's cost per resource policy.",
        enforcementLevel: "advisory",
        validateResource: i === 0 && findings > 0 ? reportShare : () => undefined,
    })),
    ...Array.from({ length: stackPolicies }, (_, i): StackValidationPolicy => ({
        name: `trivial-stack-${i}`,
        description: "Reads nothing: measures the SDK's cost per stack policy.",
        enforcementLevel: "advisory",
        validateStack: () => undefined,
    })),
];

new PolicyPack("reference", { policies });
