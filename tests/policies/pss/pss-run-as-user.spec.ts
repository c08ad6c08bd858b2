// pss-run-as-user (restricted, from v1.23): no pod or container sets runAsUser: 0; from v1.35 pods in
// a user namespace are exempt.

import * as assert from "assert";
import { runAsUser } from "../../../policies/pss";
import { unknown } from "../../../testkit";
import { assertJudgesMalformedSpecs, finding, notKnown, pssFindings } from "../../support/pss";
import { deployment, pod } from "../../support/workloads";

type Obj = Record<string, unknown>;

const FIX = "set securityContext.runAsUser to a non-zero UID, or remove it";
const c = (name: string, uid?: unknown): Obj => ({
    name,
    image: "i",
    ...(uid !== undefined && { securityContext: { runAsUser: uid } }),
});

describe("pss-run-as-user", () => {
    it("passes a compliant pod (non-zero UIDs, or unset)", async () => {
        const spec = { securityContext: { runAsUser: 10001 }, containers: [c("app", 1000), c("side")] };
        assert.deepStrictEqual(await pssFindings(runAsUser, pod(spec)), []);
    });

    it("fails UID 0 at pod level, even when every container overrides it", async () => {
        const spec = { securityContext: { runAsUser: 0 }, containers: [c("app", 1000)] };
        assert.deepStrictEqual(await pssFindings(runAsUser, deployment(spec)), [
            finding(
                "Deployment prod/web",
                "runAsUser is 0 (root)",
                "spec.template.spec.securityContext.runAsUser",
                "set spec.securityContext.runAsUser to a non-zero UID, or remove it",
            ),
        ]);
    });

    it("fails UID 0 in regular, init and ephemeral containers, naming each and the field", async () => {
        const spec = {
            initContainers: [c("init", 0)],
            containers: [c("app", 0)],
            ephemeralContainers: [c("debug", 0)],
        };
        assert.deepStrictEqual(await pssFindings(runAsUser, pod(spec)), [
            finding(
                'Pod prod/web, init container "init"',
                "runAsUser is 0 (root)",
                "spec.initContainers[0].securityContext.runAsUser",
                FIX,
            ),
            finding(
                'Pod prod/web, container "app"',
                "runAsUser is 0 (root)",
                "spec.containers[0].securityContext.runAsUser",
                FIX,
            ),
            finding(
                'Pod prod/web, ephemeral container "debug"',
                "runAsUser is 0 (root)",
                "spec.ephemeralContainers[0].securityContext.runAsUser",
                FIX,
            ),
        ]);
    });

    it("versions before v1.23 do not have the check; from v1.35 pods in a user namespace are exempt", async () => {
        const root = pod({ containers: [c("app", 0)] });
        assert.deepStrictEqual(await pssFindings(runAsUser, root, { version: "v1.22" }), []);
        assert.strictEqual((await pssFindings(runAsUser, root, { version: "v1.23" })).length, 1);
        const userNamespace = pod({ hostUsers: false, containers: [c("app", 0)] });
        assert.deepStrictEqual(await pssFindings(runAsUser, userNamespace), []);
        assert.strictEqual((await pssFindings(runAsUser, userNamespace, { version: "v1.34" })).length, 1);
    });

    it("an unknown value is an advisory naming the field", async () => {
        assert.deepStrictEqual(await pssFindings(runAsUser, pod({ containers: [c("app", unknown)] })), [
            notKnown('Pod prod/web, container "app"', "spec.containers[0].securityContext.runAsUser"),
        ]);
    });

    it("malformed props never throw", async () => {
        await assertJudgesMalformedSpecs(runAsUser);
    });
});
