// service-account-token-automount: pods must not get a Kubernetes API token they do not ask for.

import * as assert from "assert";
import { serviceAccountTokenAutomount } from "../../../policies/workloads";
import { type PolicyPackConfig, type TestResource, unknown } from "../../../testkit";
import { findingLine, runPolicy } from "../../support/secrets";
import { deployment, workloadProps } from "../../support/workloads";

describe("service-account-token-automount", () => {
    const check = (r: TestResource, config?: PolicyPackConfig) => runPolicy(serviceAccountTokenAutomount, r, config);
    const pod = (extra: Record<string, unknown>) => deployment({ containers: [{ name: "app", image: "i" }], ...extra });

    it("an unset automountServiceAccountToken is an advisory finding that explains the ServiceAccount", async () => {
        const vs = await check(pod({}));
        assert.strictEqual(vs.length, 1);
        assert.strictEqual(vs[0].enforcementLevel, "advisory");
        assert.strictEqual(
            findingLine(vs[0]),
            "Deployment prod/web: automountServiceAccountToken is not set, so every container gets a Kubernetes API " +
                "token unless the pod's ServiceAccount sets automountServiceAccountToken: false (which this check " +
                "cannot see) " +
                "(spec.template.spec.automountServiceAccountToken). Fix: set spec.automountServiceAccountToken: " +
                "false (or, if the workload calls the Kubernetes API, keep the token and set allowExplicitTrue " +
                "or exempt the workload)",
        );
    });

    it("false passes; true is reported unless allowExplicitTrue", async () => {
        assert.deepStrictEqual(await check(pod({ automountServiceAccountToken: false })), []);
        const t = await check(pod({ automountServiceAccountToken: true }));
        assert.ok(findingLine(t[0]).includes("automountServiceAccountToken is true"));
        const opts = { "service-account-token-automount": { allowExplicitTrue: true } };
        assert.deepStrictEqual(await check(pod({ automountServiceAccountToken: true }), opts), []);
        assert.strictEqual((await check(pod({}), opts)).length, 1, "allowExplicitTrue does not accept an unset value");
    });

    it("mandatory when configured so; the CronJob's pod template is judged", async () => {
        const type = "kubernetes:batch/v1:CronJob";
        const vs = await check(
            {
                type,
                name: "nightly",
                props: workloadProps(type, {
                    containers: [{ name: "a", image: "i" }],
                    automountServiceAccountToken: true,
                }),
            },
            { "service-account-token-automount": "mandatory" },
        );
        assert.deepStrictEqual(
            vs.map((v) => v.enforcementLevel),
            ["mandatory"],
        );
        assert.ok(vs[0].message.includes("(spec.jobTemplate.spec.template.spec.automountServiceAccountToken)"));
    });

    it("patches: only an explicit true is judged", async () => {
        const type = "kubernetes:apps/v1:DeploymentPatch";
        assert.deepStrictEqual(
            await check({ type, name: "web", props: workloadProps(type, { containers: [{ name: "a" }] }) }),
            [],
        );
        assert.strictEqual(
            (await check({ type, name: "web", props: workloadProps(type, { automountServiceAccountToken: true }) }))
                .length,
            1,
        );
    });

    it("unknown during preview: reported as not known; malformed values are findings, not errors", async () => {
        const u = await check(pod({ automountServiceAccountToken: unknown }));
        assert.ok(u[0].message.includes("spec.template.spec.automountServiceAccountToken is not known during preview"));
        const s = await check(pod({ automountServiceAccountToken: "false" }));
        assert.ok(findingLine(s[0]).includes('automountServiceAccountToken is "false"'), s[0].message);
    });
});
