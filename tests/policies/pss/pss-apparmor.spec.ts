// pss-apparmor (baseline): AppArmor is not turned off: profiles (pod and container) are RuntimeDefault
// or Localhost, the beta annotations runtime/default or localhost/*.

import * as assert from "assert";
import { appArmor } from "../../../policies/pss";
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

const FIX = 'set appArmorProfile.type to "RuntimeDefault" or "Localhost", or remove appArmorProfile';
const ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";
const podContext = (fields: Record<string, unknown>) => ({
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, ...fields },
});

describe("pss-apparmor", () => {
    it("passes a compliant pod (allowed profiles and annotation values)", async () => {
        const spec = hardenedPodSpec({
            ...podContext({ appArmorProfile: { type: "RuntimeDefault" } }),
            containers: [secured("app", { appArmorProfile: { type: "Localhost", localhostProfile: "k8s-app" } })],
        });
        const annotations = {
            [ANNOTATION + "app"]: "runtime/default",
            [ANNOTATION + "b"]: "localhost/p",
            [ANNOTATION + "c"]: "",
        };
        assert.deepStrictEqual(await pssFindings(appArmor, pod(spec, { annotations })), []);
    });

    it("fails an Unconfined pod profile, naming the resource and the field", async () => {
        const spec = hardenedPodSpec(podContext({ appArmorProfile: { type: "Unconfined" } }));
        assert.deepStrictEqual(await pssFindings(appArmor, deployment(spec)), [
            finding(
                "Deployment prod/web",
                'AppArmor profile type is "Unconfined"',
                "spec.template.spec.securityContext.appArmorProfile.type",
                FIX,
            ),
        ]);
    });

    it("fails an annotation that turns AppArmor off, naming the annotation", async () => {
        const annotations = { [ANNOTATION + "app"]: "unconfined" };
        assert.deepStrictEqual(await pssFindings(appArmor, pod(hardenedPodSpec(), { annotations })), [
            finding(
                "Pod prod/web",
                `annotation ${ANNOTATION}app is "unconfined"`,
                `metadata.annotations["${ANNOTATION}app"]`,
                'set it to "runtime/default" or "localhost/<profile>", or use securityContext.appArmorProfile',
            ),
        ]);
    });

    it("judges init and ephemeral containers too; a profile without a type is not allowed", async () => {
        assert.deepStrictEqual(
            await pssFindings(
                appArmor,
                pod(inEveryList((n) => secured(n, { appArmorProfile: { type: "Unconfined" } }))),
            ),
            inEveryListFindings('AppArmor profile type is "Unconfined"', "securityContext.appArmorProfile.type", FIX),
        );
        assert.deepStrictEqual(
            await pssFindings(appArmor, pod(inEveryList((n) => secured(n, { appArmorProfile: {} })))),
            inEveryListFindings("AppArmor profile has no type", "securityContext.appArmorProfile.type", FIX),
        );
    });

    it("an unknown value is an advisory naming the field", async () => {
        const spec = hardenedPodSpec({ containers: [secured("app", { appArmorProfile: { type: unknown } })] });
        assert.deepStrictEqual(await pssFindings(appArmor, pod(spec)), [
            notKnown('Pod prod/web, container "app"', "spec.containers[0].securityContext.appArmorProfile.type"),
        ]);
    });

    it("malformed props never throw", async () => {
        await assertJudgesMalformedSpecs(appArmor);
    });
});
