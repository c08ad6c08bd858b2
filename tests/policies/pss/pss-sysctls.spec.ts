// pss-sysctls (baseline): pods set only the sysctls the standard lists as safe for the policy
// version. Sysctls are pod-level, so there are no per-container findings.

import * as assert from "assert";
import { sysctls } from "../../../policies/pss";
import { unknown } from "../../../testkit";
import { assertJudgesMalformedSpecs, finding, notKnown, pssFindings } from "../../support/pss";
import { deployment, pod } from "../../support/workloads";

const FIX = "remove it from spec.securityContext.sysctls";
const withSysctls = (list: unknown[]) => ({
    securityContext: { sysctls: list },
    containers: [{ name: "app", image: "i" }],
});

describe("pss-sysctls", () => {
    it("passes a compliant pod (safe sysctls)", async () => {
        const spec = withSysctls([
            { name: "kernel.shm_rmid_forced", value: "1" },
            { name: "net.ipv4.ip_local_port_range", value: "1024 65535" },
        ]);
        assert.deepStrictEqual(await pssFindings(sysctls, pod(spec)), []);
    });

    it("fails an unsafe sysctl, naming the resource, the entry and the version", async () => {
        const spec = withSysctls([
            { name: "kernel.shm_rmid_forced", value: "1" },
            { name: "kernel.msgmax", value: "65536" },
        ]);
        assert.deepStrictEqual(await pssFindings(sysctls, deployment(spec)), [
            finding(
                "Deployment prod/web",
                'sysctl "kernel.msgmax" is not allowed at v1.37',
                "spec.template.spec.securityContext.sysctls[1].name",
                FIX,
            ),
        ]);
    });

    it("a sysctl is safe from the version that lists it (net.ipv4.tcp_rmem: v1.32)", async () => {
        const r = pod(withSysctls([{ name: "net.ipv4.tcp_rmem", value: "4096 87380 6291456" }]));
        assert.deepStrictEqual(await pssFindings(sysctls, r, { version: "v1.32" }), []);
        assert.deepStrictEqual(await pssFindings(sysctls, r, { version: "v1.31" }), [
            finding(
                "Pod prod/web",
                'sysctl "net.ipv4.tcp_rmem" is not allowed at v1.31',
                "spec.securityContext.sysctls[0].name",
                FIX,
            ),
        ]);
    });

    it("an unknown name is an advisory naming the field", async () => {
        const spec = withSysctls([{ name: unknown, value: "1" }]);
        assert.deepStrictEqual(await pssFindings(sysctls, deployment(spec)), [
            notKnown("Deployment prod/web", "spec.template.spec.securityContext.sysctls[0].name"),
        ]);
    });

    it("malformed props never throw", async () => {
        await assertJudgesMalformedSpecs(sysctls);
    });
});
