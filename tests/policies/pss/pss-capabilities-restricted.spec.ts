// pss-capabilities-restricted (restricted, from v1.22): every container drops "ALL" (spelled exactly)
// and adds back at most NET_BIND_SERVICE; Windows pods are exempt from v1.25.

import * as assert from "assert";
import { capabilitiesRestricted } from "../../../policies/pss";
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

const DROP_FIX = 'set securityContext.capabilities.drop to ["ALL"]';
const ADD_FIX = "remove it from securityContext.capabilities.add (only NET_BIND_SERVICE may be added)";
const caps = (name: string, capabilities: unknown) => secured(name, { capabilities });

describe("pss-capabilities-restricted", () => {
    it('passes a compliant pod (drop "ALL", add at most NET_BIND_SERVICE)', async () => {
        const spec = hardenedPodSpec({ containers: [caps("app", { drop: ["ALL"], add: ["NET_BIND_SERVICE"] })] });
        assert.deepStrictEqual(await pssFindings(capabilitiesRestricted, pod(spec)), []);
    });

    it("fails a missing drop and an added capability, naming the resource, the container and the field", async () => {
        const spec = hardenedPodSpec({ containers: [caps("app", { add: ["NET_BIND_SERVICE", "CHOWN"] })] });
        const at = "spec.template.spec.containers[0].securityContext.capabilities";
        assert.deepStrictEqual(await pssFindings(capabilitiesRestricted, deployment(spec)), [
            finding(
                'Deployment prod/web, container "app"',
                'capabilities.drop is not set (it must contain "ALL")',
                `${at}.drop`,
                DROP_FIX,
            ),
            finding('Deployment prod/web, container "app"', 'adds capability "CHOWN"', `${at}.add[1]`, ADD_FIX),
        ]);
    });

    it('judges init and ephemeral containers too; "all" is not "ALL"', async () => {
        assert.deepStrictEqual(
            await pssFindings(capabilitiesRestricted, pod(inEveryList((n) => caps(n, { drop: ["all"] })))),
            inEveryListFindings(
                'capabilities.drop ["all"] does not contain "ALL"',
                "securityContext.capabilities.drop",
                DROP_FIX,
            ),
        );
    });

    it("versions before v1.22 do not have the check; Windows pods are exempt from v1.25", async () => {
        const r = (extra: Record<string, unknown>) =>
            pod(hardenedPodSpec({ ...extra, containers: [caps("app", { drop: ["NET_RAW"] })] }));
        assert.deepStrictEqual(await pssFindings(capabilitiesRestricted, r({}), { version: "v1.21" }), []);
        assert.strictEqual((await pssFindings(capabilitiesRestricted, r({}), { version: "v1.22" })).length, 1);
        assert.deepStrictEqual(await pssFindings(capabilitiesRestricted, r({ os: { name: "windows" } })), []);
        assert.strictEqual(
            (await pssFindings(capabilitiesRestricted, r({ os: { name: "windows" } }), { version: "v1.24" })).length,
            1,
        );
    });

    it('an unknown entry is an advisory naming it, unless "ALL" is already dropped', async () => {
        const spec = (drop: unknown[]) => hardenedPodSpec({ containers: [caps("app", { drop })] });
        assert.deepStrictEqual(await pssFindings(capabilitiesRestricted, pod(spec(["NET_RAW", unknown]))), [
            notKnown('Pod prod/web, container "app"', "spec.containers[0].securityContext.capabilities.drop[1]"),
        ]);
        assert.deepStrictEqual(await pssFindings(capabilitiesRestricted, pod(spec([unknown, "ALL"]))), []);
    });

    it("malformed props never throw", async () => {
        await assertJudgesMalformedSpecs(capabilitiesRestricted);
    });
});
