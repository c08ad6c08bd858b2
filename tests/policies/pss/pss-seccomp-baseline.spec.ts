// pss-seccomp-baseline (baseline): seccomp is not turned off: a profile that is set is RuntimeDefault
// or Localhost (before v1.19: the alpha annotations are runtime/default, docker/default or localhost/*).

import * as assert from "assert";
import { seccompBaseline } from "../../../policies/pss";
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

const FIX = 'set seccompProfile.type to "RuntimeDefault" or "Localhost"';
const ANNOTATION_FIX = 'set it to "runtime/default" or "localhost/<profile>"';
const withProfile = (name: string, seccompProfile: unknown) => secured(name, { seccompProfile });

describe("pss-seccomp-baseline", () => {
    it("passes a compliant pod (allowed profiles, or none: baseline does not require one)", async () => {
        const spec = hardenedPodSpec({
            containers: [withProfile("app", { type: "Localhost", localhostProfile: "p.json" })],
        });
        assert.deepStrictEqual(await pssFindings(seccompBaseline, pod(spec)), []);
        assert.deepStrictEqual(
            await pssFindings(seccompBaseline, pod({ containers: [{ name: "a", image: "i" }] })),
            [],
        );
    });

    it("fails an Unconfined pod profile, naming the resource and the field", async () => {
        const spec = hardenedPodSpec({ securityContext: { seccompProfile: { type: "Unconfined" } } });
        assert.deepStrictEqual(await pssFindings(seccompBaseline, deployment(spec)), [
            finding(
                "Deployment prod/web",
                'seccomp profile type is "Unconfined"',
                "spec.template.spec.securityContext.seccompProfile.type",
                FIX,
            ),
        ]);
    });

    it("judges init and ephemeral containers too; a profile without a type is not allowed", async () => {
        assert.deepStrictEqual(
            await pssFindings(seccompBaseline, pod(inEveryList((n) => withProfile(n, { type: "Unconfined" })))),
            inEveryListFindings('seccomp profile type is "Unconfined"', "securityContext.seccompProfile.type", FIX),
        );
        assert.deepStrictEqual(
            await pssFindings(seccompBaseline, pod(inEveryList((n) => withProfile(n, {})))),
            inEveryListFindings("seccomp profile has no type", "securityContext.seccompProfile.type", FIX),
        );
    });

    it("before v1.19 the pod and container annotations decide, for the pod's own containers", async () => {
        const annotations = {
            "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
            "container.seccomp.security.alpha.kubernetes.io/app": "docker/default",
            "container.seccomp.security.alpha.kubernetes.io/side": "",
            "container.seccomp.security.alpha.kubernetes.io/gone": "unconfined",
        };
        const r = pod(
            {
                containers: [
                    { name: "app", image: "i" },
                    { name: "side", image: "i" },
                ],
            },
            { annotations },
        );
        assert.deepStrictEqual(await pssFindings(seccompBaseline, r, { version: "v1.18" }), [
            finding(
                "Pod prod/web",
                'annotation seccomp.security.alpha.kubernetes.io/pod is "unconfined"',
                'metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]',
                ANNOTATION_FIX,
            ),
            finding(
                'Pod prod/web, container "side"',
                'annotation container.seccomp.security.alpha.kubernetes.io/side is ""',
                'metadata.annotations["container.seccomp.security.alpha.kubernetes.io/side"]',
                ANNOTATION_FIX,
            ),
        ]);
        assert.deepStrictEqual(await pssFindings(seccompBaseline, r, { version: "v1.19" }), []);
    });

    it("an unknown value is an advisory naming the field", async () => {
        const spec = hardenedPodSpec({ containers: [withProfile("app", { type: unknown })] });
        assert.deepStrictEqual(await pssFindings(seccompBaseline, pod(spec)), [
            notKnown('Pod prod/web, container "app"', "spec.containers[0].securityContext.seccompProfile.type"),
        ]);
    });

    it("malformed props never throw", async () => {
        await assertJudgesMalformedSpecs(seccompBaseline);
    });
});
