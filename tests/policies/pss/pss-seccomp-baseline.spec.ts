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
const LOCALHOST_FIX = "use RuntimeDefault, or a Localhost profile that allowedLocalhostProfiles lists";

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

    describe("option allowedLocalhostProfiles (stricter than the standard)", () => {
        const allowedLocalhostProfiles = ["profiles/audit.json", "team-a/*"];
        const judge = (spec: Record<string, unknown>, metadata?: Record<string, unknown>, version?: string) =>
            pssFindings(seccompBaseline, pod(spec, metadata), {
                allowedLocalhostProfiles,
                ...(version && { version }),
            });
        const localhost = (localhostProfile?: unknown) => ({
            type: "Localhost",
            ...(localhostProfile !== undefined && { localhostProfile }),
        });
        const notListed = (name: unknown) =>
            `seccomp profile is Localhost ${JSON.stringify(name)}, not one of the profiles in option ` +
            "allowedLocalhostProfiles";

        it("a listed profile or one matching a glob passes; RuntimeDefault and no profile are untouched", async () => {
            for (const name of ["profiles/audit.json", "team-a/x.json", "team-a/nested/y.json"]) {
                const spec = hardenedPodSpec({ containers: [withProfile("app", localhost(name))] });
                assert.deepStrictEqual(await judge(spec), [], name);
            }
            assert.deepStrictEqual(await judge(hardenedPodSpec({})), []);
            assert.deepStrictEqual(await judge({ containers: [{ name: "a", image: "i" }] }), []);
        });

        it("any other Localhost profile, pod or container, init or ephemeral, is a finding", async () => {
            const spec = inEveryList((n) => withProfile(n, localhost("profiles/unconfined.json")));
            assert.deepStrictEqual(
                await judge(spec),
                inEveryListFindings(
                    notListed("profiles/unconfined.json"),
                    "securityContext.seccompProfile.localhostProfile",
                    LOCALHOST_FIX,
                ),
            );
            const podLevel = hardenedPodSpec({ securityContext: { seccompProfile: localhost("x.json") } });
            assert.deepStrictEqual(await judge(podLevel), [
                finding(
                    "Pod prod/web",
                    notListed("x.json"),
                    "spec.securityContext.seccompProfile.localhostProfile",
                    LOCALHOST_FIX,
                ),
            ]);
            const missing = hardenedPodSpec({ containers: [withProfile("app", localhost())] });
            assert.deepStrictEqual(await judge(missing), [
                finding(
                    'Pod prod/web, container "app"',
                    "seccomp profile is Localhost without a localhostProfile, so it is none of the profiles in " +
                        "option allowedLocalhostProfiles",
                    "spec.containers[0].securityContext.seccompProfile.localhostProfile",
                    LOCALHOST_FIX,
                ),
            ]);
        });

        it("before v1.19 the localhost/ annotations are judged the same way", async () => {
            const annotations = {
                "seccomp.security.alpha.kubernetes.io/pod": "localhost/profiles/audit.json",
                "container.seccomp.security.alpha.kubernetes.io/app": "localhost/other.json",
            };
            assert.deepStrictEqual(await judge(hardenedPodSpec({}), { annotations }, "v1.18"), [
                finding(
                    'Pod prod/web, container "app"',
                    notListed("other.json"),
                    'metadata.annotations["container.seccomp.security.alpha.kubernetes.io/app"]',
                    LOCALHOST_FIX,
                ),
            ]);
        });

        it("an unknown localhostProfile is an advisory; without the option it is not even read", async () => {
            const spec = hardenedPodSpec({ containers: [withProfile("app", localhost(unknown))] });
            assert.deepStrictEqual(await judge(spec), [
                notKnown(
                    'Pod prod/web, container "app"',
                    "spec.containers[0].securityContext.seccompProfile.localhostProfile",
                ),
            ]);
            assert.deepStrictEqual(await pssFindings(seccompBaseline, pod(spec)), []);
        });

        it("malformed props never throw with the option set", async () => {
            await assertJudgesMalformedSpecs(seccompBaseline, { allowedLocalhostProfiles: ["*"] });
        });
    });
});
