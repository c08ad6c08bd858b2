// Test helpers for the secrets and filesystem policies: Docker resources and assertions that a
// diagnostic never carries a secret value.

import * as assert from "assert";
import {
    type Policy,
    type PolicyPackConfig,
    PolicyTester,
    type PolicyViolation,
    type TestResource,
} from "../../testkit";

type Obj = Record<string, unknown>;

/** A docker.Container resource. */
export function dockerContainer(props: Obj, name = "web"): TestResource {
    return { type: "docker:index/container:Container", name, props: { name, image: "nginx:1.27", ...props } };
}

/** A docker.Service resource whose task runs `containerSpec`. */
export function dockerService(containerSpec: Obj, name = "api"): TestResource {
    return {
        type: "docker:index/service:Service",
        name,
        props: { name, taskSpec: { containerSpec: { image: "nginx:1.27", ...containerSpec } } },
    };
}

/** A ConfigMap resource. */
export function configMap(body: Obj, type = "kubernetes:core/v1:ConfigMap"): TestResource {
    return { type, name: "settings", props: { metadata: { name: "settings", namespace: "prod" }, ...body } };
}

/** Asserts that no diagnostic contains any of the values (or a long enough piece of one). */
export function assertNoValueLeaks(violations: readonly PolicyViolation[], values: readonly string[]): void {
    for (const v of violations) {
        for (const value of values) {
            assert.ok(!v.message.includes(value), `message leaks a value: ${v.message}`);
            if (value.length >= 12) {
                // A secret cut short is still a leak.
                assert.ok(
                    !v.message.includes(value.slice(0, 8)) || value.slice(0, 8).trim() === "",
                    `message leaks part of a value: ${v.message}`,
                );
            }
        }
    }
}

/** The single line of a message that names the resource, the problem and the fix. */
export function findingLine(v: PolicyViolation): string {
    return v.message.split("\n")[1] ?? "";
}

/** A finding without its JSON path and fix: "<resource>, <container>: <problem>". */
export function problemOf(line: string): string {
    return line.replace(/ \([^()]+\)\. Fix: .*$/, "");
}

/** The violations one policy, run alone, reports for a resource. */
export async function runPolicy(
    policy: Policy,
    r: TestResource,
    config?: PolicyPackConfig,
): Promise<PolicyViolation[]> {
    const result = await new PolicyTester({ policies: [policy] }, config).analyze(r);
    return result.violations.filter((v) => v.policyName === policy.name);
}
