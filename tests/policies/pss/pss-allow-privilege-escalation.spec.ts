// pss-allow-privilege-escalation (restricted): every container sets allowPrivilegeEscalation: false
// (it defaults to true); Windows pods are exempt from v1.25.

import * as assert from "assert";
import { allowPrivilegeEscalation } from "../../../policies/pss";
import { unknown } from "../../../testkit";
import {
    assertJudgesMalformedSpecs,
    finding,
    inEveryList,
    inEveryListFindings,
    notKnown,
    pssFindings,
    secured,
} from "../../support/pss";
import { deployment, hardenedPodSpec, pod } from "../../support/workloads";

const FIX = "set securityContext.allowPrivilegeEscalation to false";
const escalating = (name: string) => secured(name, { allowPrivilegeEscalation: true });

describe("pss-allow-privilege-escalation", () => {
    it("passes a compliant pod (false on every container)", async () => {
        const spec = hardenedPodSpec({ initContainers: [secured("init", {})], containers: [secured("app", {})] });
        assert.deepStrictEqual(await pssFindings(allowPrivilegeEscalation, pod(spec)), []);
    });

    it("fails true and unset, naming the resource, the container and the field", async () => {
        const spec = hardenedPodSpec({ containers: [escalating("app"), { name: "side", image: "i" }] });
        const at = (i: number) => `spec.template.spec.containers[${i}].securityContext.allowPrivilegeEscalation`;
        assert.deepStrictEqual(await pssFindings(allowPrivilegeEscalation, deployment(spec)), [
            finding('Deployment prod/web, container "app"', "allowPrivilegeEscalation is true", at(0), FIX),
            finding(
                'Deployment prod/web, container "side"',
                "allowPrivilegeEscalation is not set (it defaults to true)",
                at(1),
                FIX,
            ),
        ]);
    });

    it("judges init and ephemeral containers too", async () => {
        assert.deepStrictEqual(
            await pssFindings(allowPrivilegeEscalation, pod(inEveryList(escalating))),
            inEveryListFindings("allowPrivilegeEscalation is true", "securityContext.allowPrivilegeEscalation", FIX),
        );
    });

    it("Windows pods are exempt from v1.25", async () => {
        const r = pod(hardenedPodSpec({ os: { name: "windows" }, containers: [escalating("app")] }));
        assert.deepStrictEqual(await pssFindings(allowPrivilegeEscalation, r), []);
        assert.strictEqual((await pssFindings(allowPrivilegeEscalation, r, { version: "v1.24" })).length, 1);
    });

    it("an unknown value is an advisory naming the field", async () => {
        const spec = hardenedPodSpec({ containers: [secured("app", { allowPrivilegeEscalation: unknown })] });
        assert.deepStrictEqual(await pssFindings(allowPrivilegeEscalation, pod(spec)), [
            notKnown('Pod prod/web, container "app"', "spec.containers[0].securityContext.allowPrivilegeEscalation"),
        ]);
    });

    it("malformed props never throw", async () => {
        await assertJudgesMalformedSpecs(allowPrivilegeEscalation);
    });
});
