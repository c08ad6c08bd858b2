// pss-proc-mount-baseline (baseline): containers keep the default /proc mask (procMount Default);
// from v1.35 pods in a user namespace (hostUsers: false) may unmask it.

import * as assert from "assert";
import { procMountBaseline } from "../../../policies/pss";
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

describe("pss-proc-mount-baseline", () => {
    it("passes a compliant pod (procMount Default or unset)", async () => {
        const spec = hardenedPodSpec({ containers: [secured("app", { procMount: "Default" }), secured("b", {})] });
        assert.deepStrictEqual(await pssFindings(procMountBaseline, pod(spec)), []);
    });

    it("fails an unmasked /proc, naming the resource, the container and the field", async () => {
        assert.deepStrictEqual(
            await pssFindings(procMountBaseline, deployment(hardenedPodSpec({ containers: [unmasked("app")] }))),
            [
                finding(
                    'Deployment prod/web, container "app"',
                    'procMount is "Unmasked"',
                    "spec.template.spec.containers[0].securityContext.procMount",
                    FIX,
                ),
            ],
        );
    });

    it("judges init and ephemeral containers too", async () => {
        assert.deepStrictEqual(
            await pssFindings(procMountBaseline, pod(inEveryList(unmasked))),
            inEveryListFindings('procMount is "Unmasked"', "securityContext.procMount", FIX),
        );
    });

    it("a pod in a user namespace may unmask /proc from v1.35; an unknown hostUsers is an advisory", async () => {
        const r = pod(hardenedPodSpec({ hostUsers: false, containers: [unmasked("app")] }));
        assert.deepStrictEqual(await pssFindings(procMountBaseline, r), []);
        assert.strictEqual((await pssFindings(procMountBaseline, r, { version: "v1.34" })).length, 1);
        const maybe = pod(hardenedPodSpec({ hostUsers: unknown, containers: [unmasked("app")] }));
        assert.deepStrictEqual(await pssFindings(procMountBaseline, maybe), [
            notKnown("Pod prod/web", "spec.hostUsers"),
        ]);
    });

    it("an unknown value is an advisory naming the field", async () => {
        const spec = hardenedPodSpec({ containers: [secured("app", { procMount: unknown })] });
        assert.deepStrictEqual(await pssFindings(procMountBaseline, pod(spec)), [
            notKnown('Pod prod/web, container "app"', "spec.containers[0].securityContext.procMount"),
        ]);
    });

    it("malformed props never throw", async () => {
        await assertJudgesMalformedSpecs(procMountBaseline);
    });
});
