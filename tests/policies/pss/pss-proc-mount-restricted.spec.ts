// pss-proc-mount-restricted (restricted, from v1.35): containers keep the default /proc mask, also in
// pods in a user namespace.

import * as assert from "assert";
import { procMountRestricted } from "../../../policies/pss";
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

const FIX = 'remove securityContext.procMount or set it to "Default"';
const unmasked = (name: string) => secured(name, { procMount: "Unmasked" });

describe("pss-proc-mount-restricted", () => {
    it("passes a compliant pod (procMount Default or unset)", async () => {
        const spec = hardenedPodSpec({ containers: [secured("app", { procMount: "Default" }), secured("b", {})] });
        assert.deepStrictEqual(await pssFindings(procMountRestricted, pod(spec)), []);
    });

    it("fails an unmasked /proc, also in a user namespace, naming the container and the field", async () => {
        const spec = hardenedPodSpec({ hostUsers: false, containers: [unmasked("app")] });
        assert.deepStrictEqual(await pssFindings(procMountRestricted, deployment(spec)), [
            finding(
                'Deployment prod/web, container "app"',
                'procMount is "Unmasked"',
                "spec.template.spec.containers[0].securityContext.procMount",
                FIX,
            ),
        ]);
    });

    it("judges init and ephemeral containers too", async () => {
        assert.deepStrictEqual(
            await pssFindings(procMountRestricted, pod(inEveryList(unmasked))),
            inEveryListFindings('procMount is "Unmasked"', "securityContext.procMount", FIX),
        );
    });

    it("versions before v1.35 do not have the check", async () => {
        const r = pod(hardenedPodSpec({ containers: [unmasked("app")] }));
        assert.deepStrictEqual(await pssFindings(procMountRestricted, r, { version: "v1.34" }), []);
        assert.strictEqual((await pssFindings(procMountRestricted, r, { version: "v1.35" })).length, 1);
    });

    it("an unknown value is an advisory naming the field", async () => {
        const spec = hardenedPodSpec({ containers: [secured("app", { procMount: unknown })] });
        assert.deepStrictEqual(await pssFindings(procMountRestricted, pod(spec)), [
            notKnown('Pod prod/web, container "app"', "spec.containers[0].securityContext.procMount"),
        ]);
    });

    it("malformed props never throw", async () => {
        await assertJudgesMalformedSpecs(procMountRestricted);
    });
});
