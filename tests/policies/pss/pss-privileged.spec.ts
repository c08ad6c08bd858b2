// pss-privileged (baseline): no container runs privileged.

import * as assert from "assert";
import { privileged } from "../../../policies/pss";
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

const FIX = "remove securityContext.privileged or set it to false";

describe("pss-privileged", () => {
    it("passes a compliant pod (privileged false or unset)", async () => {
        const spec = hardenedPodSpec({ containers: [secured("app", { privileged: false }), secured("b", {})] });
        assert.deepStrictEqual(await pssFindings(privileged, pod(spec)), []);
    });

    it("fails privileged: true, naming the resource, the container and the field", async () => {
        const spec = hardenedPodSpec({ containers: [secured("app", {}), secured("vpn", { privileged: true })] });
        assert.deepStrictEqual(await pssFindings(privileged, deployment(spec)), [
            finding(
                'Deployment prod/web, container "vpn"',
                "privileged is true",
                "spec.template.spec.containers[1].securityContext.privileged",
                FIX,
            ),
        ]);
    });

    it("judges init and ephemeral containers too", async () => {
        const spec = inEveryList((n) => secured(n, { privileged: true }));
        assert.deepStrictEqual(
            await pssFindings(privileged, pod(spec)),
            inEveryListFindings("privileged is true", "securityContext.privileged", FIX),
        );
    });

    it("an unknown value is an advisory naming the field", async () => {
        const spec = hardenedPodSpec({ containers: [secured("app", { privileged: unknown })] });
        assert.deepStrictEqual(await pssFindings(privileged, pod(spec)), [
            notKnown('Pod prod/web, container "app"', "spec.containers[0].securityContext.privileged"),
        ]);
    });

    it("malformed props never throw", async () => {
        await assertJudgesMalformedSpecs(privileged);
    });
});
