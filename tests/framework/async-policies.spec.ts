// Checks that wait for I/O (a registry) return a promise, which the engine awaits; every other check
// stays synchronous: its validation returns no promise at all (the engine runs dozens of policies on
// every resource). Findings, unknown-field advisories and failures behave the same either way.

import * as assert from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { allPolicies } from "../../policies";
import { defineImagePolicy } from "../../src/images/image-policy";
import { PolicyTester, type TestResource, unknown } from "../../testkit";
import { dockerContainer } from "../support/docker";
import { closedPort } from "../support/signed-registry";
import { testKey } from "../support/signing";
import { deployment, hardenedPodSpec } from "../support/workloads";

type Validate = NonNullable<ResourceValidationPolicy["validateResource"]>;
type SingleValidate = Exclude<Validate, readonly unknown[]>;

/** The policies with their validations wrapped to record whether each returned a promise. */
function recording(policies: readonly ResourceValidationPolicy[]) {
    const returned: { policy: string; promise: boolean }[] = [];
    const wrapped = policies.map((p) => {
        const validate = p.validateResource as SingleValidate | undefined;
        if (!validate) {
            return p;
        }
        const spy: SingleValidate = (args, report) => {
            let promise = false;
            try {
                const r = validate(args, report);
                promise = r instanceof Promise;
                return r;
            } finally {
                // Not-applicable is thrown (the SDK's way): that is no promise either.
                returned.push({ policy: p.name, promise });
            }
        };
        return { ...p, validateResource: spy };
    });
    return { wrapped, returned };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A policy whose check waits before it reports (as a registry lookup would). */
const slowPolicy = (behaviour: "report" | "throw") =>
    defineImagePolicy({
        name: "test-slow-image-check",
        displayName: "Slow",
        description: "Images must pass a slow check.",
        severity: "high",
        tags: ["test"],
        remediationSteps: "None.",
        url: "https://example.com",
        options: {},
        uses: ["run"],
        async check(images, ev) {
            await sleep(5);
            if (behaviour === "throw") {
                throw new Error("the registry client broke");
            }
            for (const image of images) {
                ev.violation({
                    at: image.site.field,
                    container: image.site.container,
                    problem: "is slow",
                    fix: "wait",
                });
            }
        },
        async remediate(images, fix) {
            await sleep(5);
            for (const image of images) {
                if (image.site.owner) {
                    fix.set(image.site.owner.field, image.site.owner.key, `${String(image.site.field.value)}-fixed`);
                }
            }
        },
    });

describe("asynchronous checks", () => {
    it("every synchronous policy of the pack returns no promise from its validation", async () => {
        const { wrapped, returned } = recording(allPolicies);
        const resources: TestResource[] = [
            deployment(hardenedPodSpec()),
            deployment({ containers: [{ name: "a", image: unknown, securityContext: { privileged: true } }] }),
            dockerContainer({ privileged: true }),
        ];
        for (const r of resources) {
            await new PolicyTester({ policies: wrapped }).analyze(r);
        }
        assert.ok(returned.length >= 40 * resources.length, `${returned.length} validations ran`);
        assert.deepStrictEqual(
            returned.filter((r) => r.promise),
            [],
        );
    });

    it("a verification policy with no image its requirements cover stays synchronous too", async () => {
        const signature = allPolicies.find((p) => p.name === "image-signature") as ResourceValidationPolicy;
        const { wrapped, returned } = recording([signature]);
        const down = await closedPort();
        const config = {
            "image-signature": {
                requirements: [{ images: [`${down}/team/*`], keys: [testKey().publicPem] }],
                insecureRegistries: [down],
            },
        };
        // A covered image waits for its (here refused) registry; an image no requirement covers does not.
        await new PolicyTester({ policies: wrapped }, config).analyze(
            deployment({ containers: [{ name: "a", image: `${down}/team/app:1.0` }] }),
        );
        await new PolicyTester({ policies: wrapped }, config).analyze(
            deployment({ containers: [{ name: "a", image: "nginx:1.27" }] }),
        );
        assert.deepStrictEqual(
            returned.map((r) => r.promise),
            [true, false],
        );
    });

    it("an awaited check reports its findings and the unknown-field advisories of the resource", async () => {
        const { violations } = await new PolicyTester({ policies: [slowPolicy("report")] }).analyze(
            deployment({
                containers: [
                    { name: "a", image: "nginx:1.27" },
                    { name: "b", image: unknown },
                ],
            }),
        );
        assert.deepStrictEqual(
            violations.map((v) => [v.enforcementLevel, v.message.split("\n")[1].slice(0, 60)]),
            [
                ["mandatory", 'Deployment prod/web, container "a": is slow (spec.template.s'],
                ["advisory", 'Deployment prod/web, container "b": spec.template.spec.conta'],
            ],
        );
    });

    it("a check that fails after waiting is a finding at the policy's level, not an exception or a pass", async () => {
        const { violations } = await new PolicyTester({ policies: [slowPolicy("throw")] }).analyze(
            deployment({ containers: [{ name: "a", image: "nginx:1.27" }] }),
        );
        assert.strictEqual(violations.length, 1);
        assert.strictEqual(violations[0].enforcementLevel, "mandatory");
        assert.match(
            violations[0].message,
            /container-guard could not evaluate this resource \(the registry client broke\); treat it as not compliant/,
        );
    });

    it("an awaited remediation's changes reach the planned inputs", async () => {
        const policy = slowPolicy("report");
        const r = await new PolicyTester({ policies: [policy] }, { [policy.name]: "remediate" }).remediate(
            deployment({ containers: [{ name: "a", image: "nginx:1.27" }] }),
        );
        assert.deepStrictEqual(r.remediatedBy, [policy.name]);
        assert.match(JSON.stringify(r.props), /"image":"nginx:1\.27-fixed"/);
    });
});
