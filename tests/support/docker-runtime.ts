// Runs the Docker runtime policies as the engine does and picks out one policy's findings: the
// setup every Docker runtime policy's tests share.

import { dockerPolicies } from "../../policies/docker";
import { type PolicyPackConfig, PolicyTester, type TestResource } from "../../testkit";

/** Every Docker runtime policy, each at the mandatory level. */
export const mandatory = new PolicyTester({ policies: dockerPolicies }, { all: "mandatory" });
/** Every Docker runtime policy at its default level. */
export const defaults = new PolicyTester({ policies: dockerPolicies });

export async function findings(r: TestResource, policy: string, tester = mandatory) {
    const result = await tester.analyze(r);
    return result.violations.filter((v) => v.policyName === policy);
}

export async function notApplicable(r: TestResource, policy: string) {
    return (await mandatory.analyze(r)).notApplicable.some((n) => n.policyName === policy);
}

/** The message line after the description: "<resource>: <problem> (<path>). Fix: ...". */
export function detail(v: { message: string }): string {
    return v.message.split("\n")[1] ?? "";
}

export function withConfig(config: PolicyPackConfig) {
    return new PolicyTester({ policies: dockerPolicies }, { all: "mandatory", ...config });
}
