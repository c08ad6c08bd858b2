// pss-windows-host-process (baseline): no pod or container runs as a Windows HostProcess container.

import * as assert from "assert";
import { windowsHostProcess } from "../../../policies/pss";
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

const FIX = "remove windowsOptions.hostProcess or set it to false";
const hostProcess = (name: string, value: unknown) => secured(name, { windowsOptions: { hostProcess: value } });

describe("pss-windows-host-process", () => {
    it("passes a compliant pod (hostProcess false or unset)", async () => {
        const spec = hardenedPodSpec({
            os: { name: "windows" },
            containers: [hostProcess("app", false), secured("b", {})],
        });
        assert.deepStrictEqual(await pssFindings(windowsHostProcess, pod(spec)), []);
    });

    it("fails a HostProcess pod, naming the resource and the field", async () => {
        const spec = hardenedPodSpec({ securityContext: { windowsOptions: { hostProcess: true } } });
        assert.deepStrictEqual(await pssFindings(windowsHostProcess, deployment(spec)), [
            finding(
                "Deployment prod/web",
                "hostProcess is true",
                "spec.template.spec.securityContext.windowsOptions.hostProcess",
                FIX,
            ),
        ]);
    });

    it("judges regular, init and ephemeral containers", async () => {
        assert.deepStrictEqual(
            await pssFindings(windowsHostProcess, pod(inEveryList((n) => hostProcess(n, true)))),
            inEveryListFindings("hostProcess is true", "securityContext.windowsOptions.hostProcess", FIX),
        );
    });

    it("an unknown value is an advisory naming the field", async () => {
        const spec = hardenedPodSpec({ containers: [hostProcess("app", unknown)] });
        assert.deepStrictEqual(await pssFindings(windowsHostProcess, pod(spec)), [
            notKnown('Pod prod/web, container "app"', "spec.containers[0].securityContext.windowsOptions.hostProcess"),
        ]);
    });

    it("malformed props never throw", async () => {
        await assertJudgesMalformedSpecs(windowsHostProcess);
    });
});
