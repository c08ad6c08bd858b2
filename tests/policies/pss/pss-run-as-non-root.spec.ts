// pss-run-as-non-root (restricted): runAsNonRoot is true at pod level or on every container, and no
// container sets it to false; from v1.35 pods in a user namespace are exempt.

import * as assert from "assert";
import { runAsNonRoot } from "../../../policies/pss";
import { unknown } from "../../../testkit";
import { assertJudgesMalformedSpecs, finding, notKnown, pssFindings } from "../../support/pss";
import { deployment, pod } from "../../support/workloads";

type Obj = Record<string, unknown>;

const POD_FIX = "set spec.securityContext.runAsNonRoot to true";
const CONTAINER_FIX = "set securityContext.runAsNonRoot to true";
const UNSET_FIX = "set spec.securityContext.runAsNonRoot (or this container's securityContext.runAsNonRoot) to true";
const c = (name: string, value?: unknown): Obj => ({
    name,
    image: "i",
    ...(value !== undefined && { securityContext: { runAsNonRoot: value } }),
});

describe("pss-run-as-non-root", () => {
    it("passes a compliant pod (true at pod level, or on every container)", async () => {
        const podLevel = { securityContext: { runAsNonRoot: true }, containers: [c("app"), c("side", true)] };
        assert.deepStrictEqual(await pssFindings(runAsNonRoot, pod(podLevel)), []);
        assert.deepStrictEqual(await pssFindings(runAsNonRoot, pod({ containers: [c("app", true)] })), []);
    });

    it("fails false at pod level and on a container, naming the resource, the container and the field", async () => {
        const spec = { securityContext: { runAsNonRoot: false }, containers: [c("app", true), c("side", false)] };
        assert.deepStrictEqual(await pssFindings(runAsNonRoot, deployment(spec)), [
            finding(
                "Deployment prod/web",
                "runAsNonRoot is false",
                "spec.template.spec.securityContext.runAsNonRoot",
                POD_FIX,
            ),
            finding(
                'Deployment prod/web, container "side"',
                "runAsNonRoot is false",
                "spec.template.spec.containers[1].securityContext.runAsNonRoot",
                CONTAINER_FIX,
            ),
        ]);
    });

    it("fails init and ephemeral containers that leave it unset when the pod does", async () => {
        const spec = { initContainers: [c("init")], containers: [c("app", true)], ephemeralContainers: [c("debug")] };
        assert.deepStrictEqual(await pssFindings(runAsNonRoot, pod(spec)), [
            finding(
                'Pod prod/web, init container "init"',
                "runAsNonRoot is not set here or at pod level",
                "spec.initContainers[0].securityContext.runAsNonRoot",
                UNSET_FIX,
            ),
            finding(
                'Pod prod/web, ephemeral container "debug"',
                "runAsNonRoot is not set here or at pod level",
                "spec.ephemeralContainers[0].securityContext.runAsNonRoot",
                UNSET_FIX,
            ),
        ]);
    });

    it("pods in a user namespace are exempt from v1.35", async () => {
        const r = pod({ hostUsers: false, containers: [c("app", false)] });
        assert.deepStrictEqual(await pssFindings(runAsNonRoot, r), []);
        assert.strictEqual((await pssFindings(runAsNonRoot, r, { version: "v1.34" })).length, 1);
    });

    it("an unknown pod-level value is one advisory naming the field, not a finding per container", async () => {
        const r = pod({ securityContext: { runAsNonRoot: unknown }, containers: [c("app"), c("side")] });
        assert.deepStrictEqual(await pssFindings(runAsNonRoot, r), [
            notKnown("Pod prod/web", "spec.securityContext.runAsNonRoot"),
        ]);
    });

    it("malformed props never throw", async () => {
        await assertJudgesMalformedSpecs(runAsNonRoot);
    });
});
