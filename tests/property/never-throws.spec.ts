// Property: no input makes a policy throw. Thousands of generated resources with Kubernetes-shaped
// but random, malformed and partially unknown props go through the same decoding and proxy the
// engine uses; every policy must finish and every message must name the resource.

import * as assert from "assert";
import fc from "fast-check";
import * as path from "path";
import { allPolicies } from "../../policies";
import { PolicyTester, type TestResource } from "../../testkit";
import { dockerResource, resource, runtimeResource } from "../support/fuzz";

/** A finding's first line starts with the resource it is about: `Deployment prod/web: ...`. */
const NAMED_RESOURCE = new RegExp(
    /^(Pod|Deployment|CronJob|PodTemplate|DaemonSet|StatefulSet|Rollout|ConfigMap|Secret|Service) /.source +
        /[^\n]+\/[^\n]*(: |, )/.source,
    "m",
);

describe("property: policies never throw on input", () => {
    const tester = new PolicyTester({ policies: allPolicies }, { all: "mandatory" });

    it("3,000 generated workloads: no throw, every message names the resource, no internal-error reports", async () => {
        await fc.assert(
            fc.asyncProperty(resource, async (r) => {
                const result = await tester.analyze(r);
                for (const v of result.violations) {
                    assert.ok(NAMED_RESOURCE.test(v.message.split("\n")[1] ?? ""), v.message);
                    assert.ok(!v.message.includes("could not evaluate"), v.message);
                    assert.ok(!v.message.includes("can't run"), v.message);
                }
            }),
            { numRuns: 3000 },
        );
    });

    it("huge container lists are judged without blowing up", async () => {
        const containers = Array.from({ length: 5000 }, (_, i) => ({
            name: `c${i}`,
            image: "i",
            securityContext: { privileged: i % 1000 === 0 },
        }));
        const r = await tester.analyze({
            type: "kubernetes:core/v1:Pod",
            props: { metadata: { name: "big" }, spec: { containers } },
        });
        assert.strictEqual(r.violations.filter((v) => v.policyName === "pss-privileged").length, 5);
    });
});

/** Runs 2,000 generated Docker resources: no throw, every message names the resource, no internal-error reports. */
async function noThrowOnDocker(tester: PolicyTester, resources: fc.Arbitrary<TestResource>): Promise<void> {
    await fc.assert(
        fc.asyncProperty(resources, async (r) => {
            const result = await tester.analyze(r);
            for (const v of result.violations) {
                assert.ok(/^docker(-build)? \w+ (app|web)(: |, )/.test(v.message.split("\n")[1] ?? ""), v.message);
                assert.ok(!v.message.includes("could not evaluate"), v.message);
                assert.ok(!v.message.includes("can't run"), v.message);
            }
        }),
        { numRuns: 2000 },
    );
}

describe("property: image rules never throw on Docker resources", () => {
    const tester = new PolicyTester(
        { policies: allPolicies },
        {
            all: "mandatory",
            "image-registry-allowlist": {
                allowed: ["ghcr.io/acme", "docker.io/library", "*.example.com", "localhost:5000"],
            },
            "image-vulnerabilities": {
                reports: [path.resolve(__dirname, "../fixtures/scanners")],
                severityThreshold: "LOW",
                accept: [{ id: "CVE-2099-0002", reason: "r", expires: "2999-01-01" }],
            },
        },
    );

    it(
        "2,000 generated Docker resources: no throw, every " + "message names the resource, no internal-error reports",
        async () => {
            await noThrowOnDocker(tester, dockerResource);
        },
    );
});

describe("property: Docker runtime and Dockerfile rules never throw", () => {
    const tester = new PolicyTester({ policies: allPolicies }, { all: "mandatory" });

    it(
        "2,000 generated containers, services and builds: no throw, every message names the resource, no " +
            "internal-error reports",
        async () => {
            await noThrowOnDocker(tester, runtimeResource);
        },
    );
});
