// sysctl-value-injection: a sysctl value (or name) carrying a second assignment (CVE-2022-0811), in
// Kubernetes pod sysctls of every kind and Docker Container / Service sysctls.

import * as assert from "assert";
import { sysctlValueInjection } from "../../../policies/workloads";
import { type PolicyPackConfig, type TestResource, unknown } from "../../../testkit";
import { SERVICE_SPEC, dockerContainer, dockerService } from "../../support/docker";
import { findingLine, problemOf, runPolicy } from "../../support/secrets";
import { deployment, workloadProps } from "../../support/workloads";

const INJECTED = "1+kernel.core_pattern=|/var/lib/containers/storage/overlay/x/diff/malicious.sh #";

const run = (r: TestResource, config?: PolicyPackConfig) => runPolicy(sysctlValueInjection, r, config);
const withSysctls = (sysctls: unknown, extra: Record<string, unknown> = {}) =>
    deployment({ securityContext: { sysctls }, containers: [{ name: "a", image: "i" }], ...extra });

describe("sysctl-value-injection: Kubernetes", () => {
    it("reports a value with + or =, naming resource, sysctl, field and the CVE; blocks by default", async () => {
        const vs = await run(
            withSysctls([
                { name: "net.ipv4.ip_local_port_range", value: "1024 65535" },
                { name: "kernel.shm_rmid_forced", value: INJECTED },
                { name: "net.ipv4.tcp_syncookies", value: "1=2" },
            ]),
        );
        assert.deepStrictEqual(
            vs.map((v) => v.enforcementLevel),
            ["mandatory", "mandatory"],
        );
        const line = findingLine(vs[0]);
        assert.ok(
            line.startsWith(
                `Deployment prod/web: sysctl "kernel.shm_rmid_forced" has the value ${JSON.stringify(INJECTED)}, ` +
                    'which contains "+" or "="',
            ),
            line,
        );
        assert.ok(line.includes("CVE-2022-0811"), line);
        assert.ok(line.includes("(spec.template.spec.securityContext.sysctls[1].value). Fix: "), line);
        assert.ok(line.endsWith("in spec.securityContext.sysctls"), line);
        assert.ok(findingLine(vs[1]).includes("(spec.template.spec.securityContext.sysctls[2].value)"));
    });

    it("passes plain values, numbers, and pods without sysctls", async () => {
        assert.deepStrictEqual(
            await run(
                withSysctls([
                    { name: "net.ipv4.ip_local_port_range", value: "32768 60999" },
                    { name: "kernel.shm_rmid_forced", value: 1 },
                    { name: "net.ipv4.tcp_rmem", value: "4096 87380 6291456" },
                    { name: "net.ipv4.ping_group_range", value: "0 2147483647" },
                ]),
            ),
            [],
        );
        assert.deepStrictEqual(await run(deployment({ containers: [{ name: "a", image: "i" }] })), []);
    });

    it("reports a name carrying an assignment (the same injection from the other side)", async () => {
        const vs = await run(withSysctls([{ name: "kernel.shm_rmid_forced=1+kernel.core_pattern", value: "|/x" }]));
        assert.deepStrictEqual(
            vs.map((v) => problemOf(findingLine(v))),
            [
                'Deployment prod/web: sysctl name "kernel.shm_rmid_forced=1+kernel.core_pattern" contains "+" or ' +
                    '"=", which injects another sysctl (CVE-2022-0811)',
            ],
        );
    });

    it("fails closed on a value that is not text", async () => {
        const vs = await run(withSysctls([{ name: "kernel.shm_rmid_forced", value: { a: "1+x=y" } }]));
        assert.strictEqual(vs.length, 1);
        assert.ok(findingLine(vs[0]).includes("has a value that is not text, so it cannot be checked"));
    });

    it("covers every pod-bearing kind, patches (a value is not a missing setting) and custom resources", async () => {
        for (const type of [
            "kubernetes:core/v1:Pod",
            "kubernetes:batch/v1:CronJob",
            "kubernetes:apps/v1:DaemonSetPatch",
            "kubernetes:apps/v1:ReplicaSetList",
            "kubernetes:argoproj.io/v1alpha1:Rollout",
        ]) {
            const vs = await run({
                type,
                name: "w",
                props: workloadProps(type, {
                    securityContext: { sysctls: [{ name: "kernel.shm_rmid_forced", value: INJECTED }] },
                    containers: [{ name: "a", image: "i" }],
                }),
            });
            assert.strictEqual(vs.length, 1, type);
        }
    });

    it("unknown values are advisory and name the field; known siblings are still judged", async () => {
        const vs = await run(
            withSysctls([
                { name: "kernel.shm_rmid_forced", value: unknown },
                { name: "net.ipv4.tcp_syncookies", value: "1+x=y" },
            ]),
        );
        assert.deepStrictEqual(vs.map((v) => v.enforcementLevel).sort(), ["advisory", "mandatory"]);
        assert.ok(
            vs.some((v) => v.message.includes("spec.template.spec.securityContext.sysctls[0].value is not known")),
        );
        const list = await run(withSysctls(unknown));
        assert.deepStrictEqual(
            list.map((v) => v.enforcementLevel),
            ["advisory"],
        );
        assert.ok(list[0].message.includes("spec.template.spec.securityContext.sysctls is not known during preview"));
    });

    it("never throws on malformed sysctls", async () => {
        for (const sysctls of ["x", 3, [null, 4, "a", { name: 7 }, { value: [] }], { name: "a", value: "b" }]) {
            const vs = await run(withSysctls(sysctls));
            assert.ok(
                vs.every((v) => !v.message.includes("could not evaluate")),
                JSON.stringify(vs),
            );
        }
    });

    it("is a finding about the pod: exemptImages does not exempt it", async () => {
        const vs = await run(
            withSysctls([{ name: "kernel.shm_rmid_forced", value: INJECTED }], {
                containers: [{ name: "a", image: "ghcr.io/acme/app:1.0" }],
            }),
            { "sysctl-value-injection": { exemptImages: ["ghcr.io/acme/**"] } },
        );
        assert.deepStrictEqual(
            vs.map((v) => v.enforcementLevel),
            ["mandatory"],
        );
        assert.ok(!vs[0].message.includes("exemptImages"));
    });
});

describe("sysctl-value-injection: Docker", () => {
    it("reports a Container sysctls value and a Service sysctl value, naming the entry", async () => {
        const [c] = await run(dockerContainer({ sysctls: { "net.ipv4.ip_forward": "0", "kernel.msgmax": INJECTED } }));
        assert.strictEqual(c.enforcementLevel, "mandatory");
        assert.ok(
            findingLine(c).startsWith(`docker Container web: sysctl "kernel.msgmax" has the value`),
            findingLine(c),
        );
        assert.ok(
            findingLine(c).includes('(sysctls["kernel.msgmax"]). Fix: remove the entry or give it a plain value'),
        );
        const [s] = await run(dockerService({ sysctl: { "kernel.msgmax": "1=2" } }));
        assert.ok(findingLine(s).includes(`(${SERVICE_SPEC}.sysctl["kernel.msgmax"])`), findingLine(s));
        assert.ok(findingLine(s).endsWith("in taskSpec.containerSpec.sysctl"), findingLine(s));
    });

    it("passes plain values; reports an injected key", async () => {
        assert.deepStrictEqual(await run(dockerContainer({ sysctls: { "net.core.somaxconn": "1024" } })), []);
        const vs = await run(dockerContainer({ sysctls: { "kernel.msgmax=1+kernel.core_pattern": "|/x" } }));
        assert.strictEqual(vs.length, 1);
        assert.ok(findingLine(vs[0]).includes("sysctl name"), findingLine(vs[0]));
    });

    it("unknown sysctls are advisory; malformed ones never throw", async () => {
        const vs = await run(dockerContainer({ sysctls: unknown }));
        assert.deepStrictEqual(
            vs.map((v) => v.enforcementLevel),
            ["advisory"],
        );
        for (const sysctls of ["x", [1, 2], { a: null }]) {
            const found = await run(dockerContainer({ sysctls }));
            assert.ok(
                found.every((v) => !v.message.includes("could not evaluate")),
                JSON.stringify(found),
            );
        }
    });

    it("a Docker container is one container: exemptImages exempts it, naming the glob", async () => {
        const vs = await run(
            dockerContainer({ image: "ghcr.io/acme/legacy:2.1", sysctls: { "kernel.msgmax": INJECTED } }),
            { "sysctl-value-injection": { exemptImages: ["ghcr.io/acme/legacy"] } },
        );
        assert.deepStrictEqual(
            vs.map((v) => v.enforcementLevel),
            ["advisory"],
        );
        assert.ok(vs[0].message.includes("allowed by option exemptImages: ghcr.io/acme/legacy;"), vs[0].message);
    });
});
