// pss-selinux (baseline): no custom SELinux user or role, and only the container types (from v1.31
// also container_engine_t).

import * as assert from "assert";
import { seLinux } from "../../../policies/pss";
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

const TYPE_FIX = "remove seLinuxOptions.type or use one of container_t, container_init_t, container_kvm_t";
const TYPE_FIX_V1_31 = TYPE_FIX + ", container_engine_t";
const ALLOWED_FIX =
    "nothing while the option allows it; the pod-security admission controller still rejects it in a namespace " +
    "that enforces this level";

const labelled = (name: string, seLinuxOptions: unknown) => secured(name, { seLinuxOptions });

describe("pss-selinux", () => {
    it("passes a compliant pod (container types; a level is allowed)", async () => {
        const spec = hardenedPodSpec({
            containers: [
                labelled("app", { type: "container_t", level: "s0:c123,c456" }),
                labelled("init", { type: "container_init_t", user: "", role: "" }),
            ],
        });
        assert.deepStrictEqual(await pssFindings(seLinux, pod(spec)), []);
    });

    it("fails a type, user or role, naming the resource, the container and each field", async () => {
        const spec = hardenedPodSpec({
            containers: [labelled("app", { type: "spc_t", user: "system_u", role: "sysadm_r" })],
        });
        const at = "spec.template.spec.containers[0].securityContext.seLinuxOptions";
        assert.deepStrictEqual(await pssFindings(seLinux, deployment(spec)), [
            finding('Deployment prod/web, container "app"', 'SELinux type is "spc_t"', `${at}.type`, TYPE_FIX_V1_31),
            finding(
                'Deployment prod/web, container "app"',
                'SELinux user is "system_u"',
                `${at}.user`,
                "remove seLinuxOptions.user",
            ),
            finding(
                'Deployment prod/web, container "app"',
                'SELinux role is "sysadm_r"',
                `${at}.role`,
                "remove seLinuxOptions.role",
            ),
        ]);
    });

    it("container_engine_t is allowed from v1.31 (pod level)", async () => {
        const spec = hardenedPodSpec({
            securityContext: {
                runAsNonRoot: true,
                seccompProfile: { type: "RuntimeDefault" },
                seLinuxOptions: { type: "container_engine_t" },
            },
        });
        assert.deepStrictEqual(await pssFindings(seLinux, pod(spec), { version: "v1.31" }), []);
        assert.deepStrictEqual(await pssFindings(seLinux, pod(spec), { version: "v1.30" }), [
            finding(
                "Pod prod/web",
                'SELinux type is "container_engine_t"',
                "spec.securityContext.seLinuxOptions.type",
                TYPE_FIX,
            ),
        ]);
    });

    it("judges init and ephemeral containers too", async () => {
        assert.deepStrictEqual(
            await pssFindings(seLinux, pod(inEveryList((n) => labelled(n, { type: "unconfined_t" })))),
            inEveryListFindings(
                'SELinux type is "unconfined_t"',
                "securityContext.seLinuxOptions.type",
                TYPE_FIX_V1_31,
            ),
        );
    });

    it("an unknown value is an advisory naming the field", async () => {
        const spec = hardenedPodSpec({ containers: [labelled("app", { type: unknown, level: "s0" })] });
        assert.deepStrictEqual(await pssFindings(seLinux, pod(spec)), [
            notKnown('Pod prod/web, container "app"', "spec.containers[0].securityContext.seLinuxOptions.type"),
        ]);
    });

    it("malformed props never throw", async () => {
        await assertJudgesMalformedSpecs(seLinux);
    });

    describe("option allowedTypes", () => {
        const at = "spec.containers[0].securityContext.seLinuxOptions";
        it("allows the listed types exactly, as an advisory naming the option; user, role still judged", async () => {
            const spec = hardenedPodSpec({
                containers: [labelled("app", { type: "container_logreader_t", role: "sysadm_r" })],
            });
            assert.deepStrictEqual(await pssFindings(seLinux, pod(spec), { allowedTypes: ["container_logreader_t"] }), [
                `advisory: Pod prod/web, container "app": SELinux type is "container_logreader_t", allowed by option ` +
                    `allowedTypes (${at}.type). Fix: ${ALLOWED_FIX}`,
                finding(
                    'Pod prod/web, container "app"',
                    'SELinux role is "sysadm_r"',
                    `${at}.role`,
                    "remove seLinuxOptions.role",
                ),
            ]);
            for (const type of ["container_logreader", "Container_logreader_t", "spc_t"]) {
                const other = hardenedPodSpec({ containers: [labelled("app", { type })] });
                assert.deepStrictEqual(
                    await pssFindings(seLinux, pod(other), { allowedTypes: ["container_logreader_t"] }),
                    [
                        finding(
                            'Pod prod/web, container "app"',
                            `SELinux type is ${JSON.stringify(type)}`,
                            `${at}.type`,
                            TYPE_FIX_V1_31,
                        ),
                    ],
                    type,
                );
            }
        });

        it("applies to the pod level and to init and ephemeral containers", async () => {
            const spec = inEveryList((n) => labelled(n, { type: "spc_t" }));
            (spec.securityContext as Record<string, unknown>).seLinuxOptions = { type: "spc_t" };
            const lines = await pssFindings(seLinux, pod(spec), { allowedTypes: ["spc_t"] });
            assert.deepStrictEqual(
                lines.map((l) => l.replace(/: SELinux.*$/, "")),
                [
                    "advisory: Pod prod/web",
                    'advisory: Pod prod/web, init container "init"',
                    'advisory: Pod prod/web, container "app"',
                    'advisory: Pod prod/web, ephemeral container "debug"',
                ],
            );
        });

        it("configuration is checked: one type per entry", async () => {
            await assert.rejects(
                pssFindings(seLinux, pod(hardenedPodSpec({})), { allowedTypes: ["system_u:system_r:spc_t"] }),
                /write one SELinux type/,
            );
            await assert.rejects(
                pssFindings(seLinux, pod(hardenedPodSpec({})), { allowedTypes: "spc_t" }),
                /must be an array/,
            );
        });

        it("an unknown type is undecided, never allowed", async () => {
            const spec = hardenedPodSpec({ containers: [labelled("app", { type: unknown })] });
            assert.deepStrictEqual(await pssFindings(seLinux, pod(spec), { allowedTypes: ["spc_t"] }), [
                notKnown('Pod prod/web, container "app"', `${at}.type`),
            ]);
        });

        it("malformed props never throw with the option set", async () => {
            await assertJudgesMalformedSpecs(seLinux, { allowedTypes: ["spc_t"] });
        });
    });
});
