// pss-capabilities-baseline (baseline): containers add only the capabilities a container runtime
// grants by default, spelled exactly as Kubernetes compares them.

import * as assert from "assert";
import { capabilitiesBaseline } from "../../../policies/pss";
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

const FIX = "remove it from securityContext.capabilities.add (names must be spelled exactly, e.g. NET_BIND_SERVICE)";
const adding = (name: string, add: unknown[]) => secured(name, { capabilities: { drop: ["ALL"], add } });

describe("pss-capabilities-baseline", () => {
    it("passes a compliant pod (only default capabilities added)", async () => {
        const spec = hardenedPodSpec({ containers: [adding("app", ["NET_BIND_SERVICE", "CHOWN", "SYS_CHROOT"])] });
        assert.deepStrictEqual(await pssFindings(capabilitiesBaseline, pod(spec)), []);
    });

    it("fails a capability outside the baseline set, naming the resource, the container and the entry", async () => {
        const spec = hardenedPodSpec({ containers: [adding("app", ["CHOWN", "SYS_ADMIN"])] });
        assert.deepStrictEqual(await pssFindings(capabilitiesBaseline, deployment(spec)), [
            finding(
                'Deployment prod/web, container "app"',
                'adds capability "SYS_ADMIN", which is not in the baseline set',
                "spec.template.spec.containers[0].securityContext.capabilities.add[1]",
                FIX,
            ),
        ]);
    });

    it("compares names exactly: lower case and the CAP_ prefix are not in the set", async () => {
        const spec = hardenedPodSpec({ containers: [adding("app", ["chown", "CAP_CHOWN"])] });
        assert.deepStrictEqual(await pssFindings(capabilitiesBaseline, pod(spec)), [
            finding(
                'Pod prod/web, container "app"',
                'adds capability "chown", which is not in the baseline set',
                "spec.containers[0].securityContext.capabilities.add[0]",
                FIX,
            ),
            finding(
                'Pod prod/web, container "app"',
                'adds capability "CAP_CHOWN", which is not in the baseline set',
                "spec.containers[0].securityContext.capabilities.add[1]",
                FIX,
            ),
        ]);
    });

    it("judges init and ephemeral containers too", async () => {
        assert.deepStrictEqual(
            await pssFindings(capabilitiesBaseline, pod(inEveryList((n) => adding(n, ["SYS_ADMIN"])))),
            inEveryListFindings(
                'adds capability "SYS_ADMIN", which is not in the baseline set',
                "securityContext.capabilities.add[0]",
                FIX,
            ),
        );
    });

    it("an unknown entry is an advisory naming it", async () => {
        const spec = hardenedPodSpec({ containers: [adding("app", ["CHOWN", unknown])] });
        assert.deepStrictEqual(await pssFindings(capabilitiesBaseline, pod(spec)), [
            notKnown('Pod prod/web, container "app"', "spec.containers[0].securityContext.capabilities.add[1]"),
        ]);
    });

    it("malformed props never throw", async () => {
        await assertJudgesMalformedSpecs(capabilitiesBaseline);
    });
});
