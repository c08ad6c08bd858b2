// pss-host-namespaces (baseline): pods do not share the host's network, PID or IPC namespace. The
// fields are pod-level, so there are no per-container findings.

import * as assert from "assert";
import { hostNamespaces } from "../../../policies/pss";
import { unknown } from "../../../testkit";
import { assertJudgesMalformedSpecs, finding, notKnown, pssFindings } from "../../support/pss";
import { deployment, hardenedPodSpec, pod } from "../../support/workloads";

describe("pss-host-namespaces", () => {
    it("passes a compliant pod (the host namespaces false or unset)", async () => {
        const spec = hardenedPodSpec({ hostNetwork: false, hostPID: false });
        assert.deepStrictEqual(await pssFindings(hostNamespaces, pod(spec)), []);
    });

    it("fails each host namespace, naming the resource and the field", async () => {
        const spec = hardenedPodSpec({ hostNetwork: true, hostPID: true, hostIPC: true });
        assert.deepStrictEqual(
            await pssFindings(hostNamespaces, pod(spec)),
            ["hostNetwork", "hostPID", "hostIPC"].map((key) =>
                finding("Pod prod/web", `${key} is true`, `spec.${key}`, `remove ${key} or set it to false`),
            ),
        );
    });

    it("names the field at the workload's own path", async () => {
        assert.deepStrictEqual(await pssFindings(hostNamespaces, deployment(hardenedPodSpec({ hostIPC: true }))), [
            finding(
                "Deployment prod/web",
                "hostIPC is true",
                "spec.template.spec.hostIPC",
                "remove hostIPC or set it to false",
            ),
        ]);
    });

    it("an unknown value is an advisory naming the field; known ones are still judged", async () => {
        const spec = hardenedPodSpec({ hostPID: unknown, hostIPC: true });
        assert.deepStrictEqual((await pssFindings(hostNamespaces, deployment(spec))).sort(), [
            notKnown("Deployment prod/web", "spec.template.spec.hostPID"),
            finding(
                "Deployment prod/web",
                "hostIPC is true",
                "spec.template.spec.hostIPC",
                "remove hostIPC or set it to false",
            ),
        ]);
    });

    it("malformed props never throw", async () => {
        await assertJudgesMalformedSpecs(hostNamespaces);
    });
});
