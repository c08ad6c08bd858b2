// The shipped profiles are valid for the pack's schemas and switch levels as documented; the
// generated README table and profiles are current.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { allPolicies } from "../../policies";
import { PolicyTester, type TestResource } from "../../testkit";
import { profileText, profiles, readmeWithTable } from "../../scripts/generate";
import { unknownPolicyNames } from "../../src/framework/pack";
import { deployment } from "../support/workloads";

const ROOT = path.resolve(__dirname, "../..");
const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];

describe("shipped profiles", () => {
    const ajv = new Ajv({ strict: false, allErrors: true });

    it("every policy's config schema is valid JSON Schema (draft-07 keywords) and its defaults validate", () => {
        for (const p of allPolicies) {
            const schema = { type: "object", properties: p.configSchema.properties };
            const validate = ajv.compile(schema);
            const defaults = Object.fromEntries(
                Object.entries(p.configSchema.properties).map(([k, s]) => [k, (s as { default: unknown }).default]),
            );
            assert.ok(validate(defaults), `${p.name}: ${ajv.errorsText(validate.errors)}`);
        }
    });

    for (const file of ["advisory.json", "baseline.json", "restricted.json", "mandatory.json"]) {
        it(`config/${file} is valid for the pack and current`, async () => {
            const text = fs.readFileSync(path.join(ROOT, "config", file), "utf8");
            assert.strictEqual(text, profileText(profiles()[file]), "run `npm run generate`");
            const config = JSON.parse(text) as Record<string, unknown>;
            assert.deepStrictEqual(
                unknownPolicyNames(
                    Object.keys(config),
                    allPolicies.map((p) => p.name),
                ),
                [],
            );
            for (const [name, value] of Object.entries(config)) {
                const level =
                    typeof value === "string" ? value : (value as { enforcementLevel?: string }).enforcementLevel;
                if (level !== undefined) {
                    assert.ok(LEVELS.includes(level), `${file}: ${name}`);
                }
                const policy = allPolicies.find((p) => p.name === name);
                if (policy && typeof value === "object") {
                    const { enforcementLevel, ...props } = value as Record<string, unknown>;
                    void enforcementLevel;
                    const validate = ajv.compile({ type: "object", properties: policy.configSchema.properties });
                    assert.ok(validate(props), `${file}: ${name}: ${ajv.errorsText(validate.errors)}`);
                }
            }
            // The pack accepts it: a resource is judged without configuration errors.
            await new PolicyTester({ policies: allPolicies }, config as never).analyze(
                deployment({ containers: [{ name: "a", image: "i" }] }),
            );
        });
    }

    const dockerContainer: TestResource = {
        type: "docker:index/container:Container",
        props: { name: "c", image: "nginx", privileged: true },
    };

    async function levelsOf(file: string, resource: TestResource) {
        const config = JSON.parse(fs.readFileSync(path.join(ROOT, "config", file), "utf8"));
        const r = await new PolicyTester({ policies: allPolicies }, config).analyze(resource);
        return Object.fromEntries(r.violations.map((v) => [v.policyName, v.enforcementLevel]));
    }

    const levels = (file: string) =>
        levelsOf(
            file,
            deployment({
                hostNetwork: true,
                containers: [{ name: "a", image: "nginx", securityContext: { privileged: true } }],
            }),
        );

    it("baseline.json blocks baseline violations (Kubernetes and Docker) and warns on the rest", async () => {
        const l = await levels("baseline.json");
        assert.strictEqual(l["pss-privileged"], "mandatory");
        assert.strictEqual(l["pss-host-namespaces"], "mandatory");
        assert.strictEqual(l["pss-run-as-non-root"], "advisory");
        assert.strictEqual(l["image-tag-not-latest"], "advisory");
        const docker = await levelsOf("baseline.json", dockerContainer);
        assert.strictEqual(docker["docker-privileged"], "mandatory");
        assert.strictEqual(docker["docker-non-root-user"], "advisory");
    });

    it(
        "restricted.json blocks baseline and restricted " + "violations and keeps other policies at their default",
        async () => {
            const l = await levels("restricted.json");
            assert.strictEqual(l["pss-privileged"], "mandatory");
            assert.strictEqual(l["pss-run-as-non-root"], "mandatory");
            assert.strictEqual(l["image-tag-not-latest"], "mandatory", "high severity: mandatory by default");
            assert.strictEqual(l["read-only-root-filesystem"], "advisory", "medium severity: advisory by default");
            const docker = await levelsOf("restricted.json", dockerContainer);
            assert.strictEqual(docker["docker-privileged"], "mandatory");
            assert.strictEqual(docker["docker-drop-all-capabilities"], "mandatory");
        },
    );

    it("advisory.json and mandatory.json set every policy", async () => {
        assert.ok(Object.values(await levels("advisory.json")).every((l) => l === "advisory"));
        assert.ok(Object.values(await levels("mandatory.json")).every((l) => l === "mandatory"));
    });
});

describe("README", () => {
    it("has the current policy table (run `npm run generate` after changing policy metadata)", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        assert.strictEqual(readme, readmeWithTable(readme));
        for (const p of allPolicies) {
            assert.ok(readme.includes(`| [\`${p.name}\`](docs/policies/${p.name}.md) |`), p.name);
        }
    });
});
