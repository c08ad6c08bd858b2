// The demo (`npm run demo`) shows what a user of the pack would read: its hardened resources are the
// example to copy, so every policy, including ones added after the demo was written, must pass them
// under the strictest profile, and every insecure resource must have something to fix.

import * as assert from "assert";
import { allPolicies } from "../../policies";
import { PolicyTester, type PolicyPackConfig } from "../../testkit";
import { demoResources } from "../../demo/workloads";

const VERSION = require("../../package.json").version as string;

describe("the demo's example resources", () => {
    const mandatory = require("../../config/mandatory.json") as PolicyPackConfig;

    for (const r of demoResources) {
        it(`${r.set} ${r.name} (${r.type})`, async () => {
            const kit = new PolicyTester({ policies: allPolicies, version: VERSION }, mandatory);
            const { violations } = await kit.analyze({
                type: r.type,
                name: r.name,
                props: r.props as Record<string, unknown>,
            });
            const found = violations.map((v) => `${v.policyName}: ${v.message}`);
            if (r.set === "hardened") {
                assert.deepStrictEqual(found, []);
            } else {
                assert.ok(found.length > 0, "an insecure example with nothing to fix");
            }
        });
    }
});
