// Configuration is parsed strictly: every unknown or misspelled key is an error that names the
// policy and the key, because the engine itself accepts them silently.

import * as assert from "assert";
import { allPolicies } from "../../policies";
import { PolicyTester } from "../../testkit";
import { pod } from "../support/workloads";
import { unknownPolicyNames } from "../../src/framework/pack";
import { parseOptions, array, object, option, string, boolean, integer } from "../../src/framework/options";

const privilegedPod = pod({ containers: [{ name: "a", image: "i", securityContext: { privileged: true } }] });

async function configError(config: Record<string, unknown>): Promise<string> {
    try {
        await new PolicyTester({ policies: allPolicies }, config as never).analyze(privilegedPod);
    } catch (err) {
        return (err as Error).message;
    }
    assert.fail("expected a configuration error");
}

describe("configuration", () => {
    it("a misspelled option names the policy, the key and the closest option", async () => {
        const msg = await configError({ "pss-privileged": { verison: "v1.30" } });
        assert.ok(msg.includes('policy "pss-privileged"'), msg);
        assert.ok(msg.includes("verison is not a known option"), msg);
        assert.ok(msg.includes('Did you mean "version"?'), msg);
    });

    it("a malformed version says what is expected", async () => {
        const msg = await configError({ "pss-sysctls": { version: "1.30" } });
        assert.ok(
            msg.includes('version "1.30" is not valid: use "latest" or a Kubernetes minor version such as "v1.30"'),
            msg,
        );
    });

    it("nested keys are checked too", async () => {
        const msg = await configError({
            "pss-privileged": { customWorkloads: [{ type: "kubernetes:x/v1:Y", podSpecPth: "spec" }] },
        });
        assert.ok(msg.includes("customWorkloads[0].podSpecPth is not a known option"), msg);
        assert.ok(msg.includes("customWorkloads[0].podSpecPath is required"), msg);
    });

    it("valid options are accepted and applied", async () => {
        const r = await new PolicyTester(
            { policies: allPolicies },
            { "pss-sysctls": { version: "v1.26", enforcementLevel: "mandatory" } },
        ).analyze(
            pod({
                securityContext: { sysctls: [{ name: "net.ipv4.ip_local_reserved_ports", value: "1" }] },
                containers: [{ name: "a", image: "i" }],
            }),
        );
        assert.ok(
            r.violations.some(
                (v) =>
                    v.policyName === "pss-sysctls" &&
                    v.enforcementLevel === "mandatory" &&
                    v.message.includes("not allowed at v1.26"),
            ),
        );
    });

    it("unknown policy names in a pack configuration are found, with a suggestion", () => {
        const names = allPolicies.map((p) => p.name);
        assert.deepStrictEqual(unknownPolicyNames(["all", "pss-privileged", "environments"], names), []);
        const [problem] = unknownPolicyNames(["pss-privilegd"], names);
        assert.ok(
            problem.includes('policy "pss-privilegd" is not a policy of this pack') &&
                problem.includes('Did you mean "pss-privileged"?'),
            problem,
        );
    });

    it("the schema parser rejects wrong types at every level", () => {
        const spec = {
            a: option(string({ enum: ["x", "y"] }), "x"),
            b: option(boolean(), false),
            c: option(integer({ minimum: 1, maximum: 3 }), 1),
            d: option(array(object({ k: string() }, { required: ["k"] })), []),
        };
        assert.deepStrictEqual(parseOptions("p", spec, {}), { a: "x", b: false, c: 1, d: [] });
        assert.throws(() => parseOptions("p", spec, { a: "z" }), /a must be one of "x", "y", not "z"/);
        assert.throws(() => parseOptions("p", spec, { b: "true" }), /b must be true or false, not string/);
        assert.throws(() => parseOptions("p", spec, { c: 4 }), /c must be between 1 and 3, not 4/);
        assert.throws(() => parseOptions("p", spec, { d: [{}] }), /d\[0\]\.k is required/);
        assert.throws(() => parseOptions("p", spec, { d: {} }), /d must be an array, not object/);
    });
});
