// pss-seccomp-restricted (restricted, from v1.19): a RuntimeDefault or Localhost seccomp profile is
// in force for every container (set at pod level or on each), never Unconfined; Windows pods are
// exempt from v1.25.

import * as assert from "assert";
import { seccompRestricted } from "../../../policies/pss";
import { unknown } from "../../../testkit";
import { assertJudgesMalformedSpecs, finding, notKnown, pssFindings } from "../../support/pss";
import { deployment, pod } from "../../support/workloads";

type Obj = Record<string, unknown>;

const UNSET_FIX = 'set spec.securityContext.seccompProfile.type (or this container\'s) to "RuntimeDefault"';
const TYPE_FIX = 'set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"';
const LOCALHOST_FIX = "use RuntimeDefault, or a Localhost profile that allowedLocalhostProfiles lists";

const c = (name: string, type?: unknown): Obj => ({
    name,
    image: "i",
    ...(type !== undefined && { securityContext: { seccompProfile: { type } } }),
});
const podProfile = (type: unknown) => ({ securityContext: { seccompProfile: { type } } });

describe("pss-seccomp-restricted", () => {
    it("passes a compliant pod (a pod-level profile, or one on every container)", async () => {
        const podLevel = { ...podProfile("RuntimeDefault"), containers: [c("app"), c("side", "Localhost")] };
        assert.deepStrictEqual(await pssFindings(seccompRestricted, pod(podLevel)), []);
        const each = { containers: [c("app", "RuntimeDefault"), c("side", "Localhost")] };
        assert.deepStrictEqual(await pssFindings(seccompRestricted, pod(each)), []);
    });

    it("fails an Unconfined container even under a pod-level profile, naming the container and field", async () => {
        const spec = { ...podProfile("RuntimeDefault"), containers: [c("app", "Unconfined"), c("side")] };
        assert.deepStrictEqual(await pssFindings(seccompRestricted, deployment(spec)), [
            finding(
                'Deployment prod/web, container "app"',
                'seccomp profile type is "Unconfined"',
                "spec.template.spec.containers[0].securityContext.seccompProfile.type",
                TYPE_FIX,
            ),
        ]);
    });

    it("a container under a pod-level Unconfined profile is told it inherits it, not that none is set", async () => {
        const spec = { ...podProfile("Unconfined"), containers: [c("app")] };
        const found = await pssFindings(seccompRestricted, deployment(spec));
        assert.ok(
            found.includes(
                finding(
                    'Deployment prod/web, container "app"',
                    "this container sets no seccomp profile, so it inherits the pod-level profile type " +
                        '"Unconfined"',
                    "spec.template.spec.containers[0].securityContext.seccompProfile.type",
                    UNSET_FIX,
                ),
            ),
            found.join("\n"),
        );
        assert.ok(!found.some((f) => f.includes("no seccomp profile is set here or at pod level")), found.join("\n"));
    });

    it("fails init and ephemeral containers without a profile when the pod sets none", async () => {
        const spec = {
            initContainers: [c("init")],
            containers: [c("app", "RuntimeDefault")],
            ephemeralContainers: [c("debug")],
        };
        assert.deepStrictEqual(await pssFindings(seccompRestricted, pod(spec)), [
            finding(
                'Pod prod/web, init container "init"',
                "no seccomp profile is set here or at pod level",
                "spec.initContainers[0].securityContext.seccompProfile.type",
                UNSET_FIX,
            ),
            finding(
                'Pod prod/web, ephemeral container "debug"',
                "no seccomp profile is set here or at pod level",
                "spec.ephemeralContainers[0].securityContext.seccompProfile.type",
                UNSET_FIX,
            ),
        ]);
    });

    it("versions before v1.19 do not have the check; Windows pods are exempt from v1.25", async () => {
        const unset = pod({ containers: [c("app")] });
        assert.deepStrictEqual(await pssFindings(seccompRestricted, unset, { version: "v1.18" }), []);
        assert.strictEqual((await pssFindings(seccompRestricted, unset, { version: "v1.19" })).length, 1);
        const windows = pod({ os: { name: "windows" }, containers: [c("app")] });
        assert.deepStrictEqual(await pssFindings(seccompRestricted, windows), []);
        assert.strictEqual((await pssFindings(seccompRestricted, windows, { version: "v1.24" })).length, 1);
    });

    it("an unknown pod-level type is one advisory naming the field, not a finding per container", async () => {
        const r = pod({ ...podProfile(unknown), containers: [c("app"), c("side")] });
        assert.deepStrictEqual(await pssFindings(seccompRestricted, r), [
            notKnown("Pod prod/web", "spec.securityContext.seccompProfile.type"),
        ]);
    });

    it("malformed props never throw", async () => {
        await assertJudgesMalformedSpecs(seccompRestricted);
    });

    describe("option allowedLocalhostProfiles (stricter than the standard)", () => {
        const profile = (localhostProfile: unknown) => ({ seccompProfile: { type: "Localhost", localhostProfile } });
        const options = { allowedLocalhostProfiles: ["ok-*.json"] };
        const notListed = (name: string) =>
            `seccomp profile is Localhost ${JSON.stringify(name)}, not one of the profiles in option ` +
            "allowedLocalhostProfiles";

        it("judges every Localhost setter, the pod's even when containers override it", async () => {
            const spec = {
                securityContext: profile("bad.json"),
                containers: [
                    { name: "app", image: "i", securityContext: profile("ok-app.json") },
                    { name: "side", image: "i", securityContext: { seccompProfile: { type: "RuntimeDefault" } } },
                    { name: "worker", image: "i", securityContext: profile("worse.json") },
                ],
            };
            assert.deepStrictEqual(await pssFindings(seccompRestricted, deployment(spec), options), [
                finding(
                    "Deployment prod/web",
                    notListed("bad.json"),
                    "spec.template.spec.securityContext.seccompProfile.localhostProfile",
                    LOCALHOST_FIX,
                ),
                finding(
                    'Deployment prod/web, container "worker"',
                    notListed("worse.json"),
                    "spec.template.spec.containers[2].securityContext.seccompProfile.localhostProfile",
                    LOCALHOST_FIX,
                ),
            ]);
            assert.deepStrictEqual(await pssFindings(seccompRestricted, deployment(spec)), []);
        });

        it("Windows pods stay exempt from v1.25", async () => {
            const spec = { os: { name: "windows" }, securityContext: profile("bad.json"), containers: [c("app")] };
            assert.deepStrictEqual(await pssFindings(seccompRestricted, pod(spec), options), []);
        });

        it("an unknown localhostProfile is undecided, never allowed", async () => {
            const spec = { containers: [{ name: "app", image: "i", securityContext: profile(unknown) }] };
            assert.deepStrictEqual(await pssFindings(seccompRestricted, pod(spec), options), [
                notKnown(
                    'Pod prod/web, container "app"',
                    "spec.containers[0].securityContext.seccompProfile.localhostProfile",
                ),
            ]);
        });

        it("configuration is checked: a list of non-empty names", async () => {
            const r = pod({ containers: [c("app")] });
            for (const [allowedLocalhostProfiles, message] of [
                [[""], /allowedLocalhostProfiles\[0\]/],
                ["ok.json", /must be an array/],
                [[7], /allowedLocalhostProfiles\[0\]/],
            ] as const) {
                await assert.rejects(pssFindings(seccompRestricted, r, { allowedLocalhostProfiles }), message);
            }
        });

        it("malformed props never throw with the option set", async () => {
            await assertJudgesMalformedSpecs(seccompRestricted, options);
        });
    });
});
