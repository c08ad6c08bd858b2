// docker-security-options: no security option turns seccomp, AppArmor or SELinux confinement off.

import * as assert from "assert";
import { unknown } from "../../../testkit";
import { SERVICE_SPEC, dockerContainer, dockerService } from "../../support/docker";
import { defaults, detail, findings } from "../../support/docker-runtime";

describe("docker-security-options", () => {
    const weakening: [string, string][] = [
        ["seccomp=unconfined", "turns seccomp off"],
        ["seccomp:unconfined", "turns seccomp off"],
        ["apparmor=unconfined", "turns AppArmor off"],
        ["apparmor:unconfined", "turns AppArmor off"],
        ["label=disable", "turns SELinux labelling off"],
        ["label:disable", "turns SELinux labelling off"],
        ["disable", "turns SELinux labelling off"],
        ["label=type:spc_t", "runs with the unconfined SELinux type spc_t"],
        ["label:type:unconfined_t", "runs with the unconfined SELinux type unconfined_t"],
    ];
    for (const [opt, why] of weakening) {
        it(`${JSON.stringify(opt)} ${why}`, async () => {
            const [v, ...rest] = await findings(
                dockerContainer({ securityOpts: ["no-new-privileges", opt] }),
                "docker-security-options",
            );
            assert.deepStrictEqual(rest, []);
            assert.strictEqual(
                detail(v),
                `docker Container web: ${JSON.stringify(opt)} ${why} (securityOpts[1]). Fix: remove this option so ` +
                    `Docker's default confinement applies`,
            );
        });
    }

    for (const opt of [
        "seccomp=/etc/docker/seccomp.json",
        "apparmor=docker-default",
        "label=level:s0:c100,c200",
        "label=type:container_t",
        "Seccomp=unconfined",
        "seccomp",
        "no-new-privileges",
    ]) {
        it(`${JSON.stringify(opt)} keeps the container confined (or is rejected by the daemon)`, async () => {
            assert.deepStrictEqual(
                await findings(dockerContainer({ securityOpts: [opt] }), "docker-security-options"),
                [],
            );
        });
    }

    it("a swarm service's seLinuxContext is judged as label options", async () => {
        const vs = await findings(
            dockerService({ privileges: { seLinuxContext: { disable: true, type: "spc_t" } } }),
            "docker-security-options",
            defaults,
        );
        assert.deepStrictEqual(
            vs.map((v) => v.enforcementLevel),
            ["advisory", "advisory"],
        );
        assert.ok(
            detail(vs[0]).includes(`turns SELinux labelling off (${SERVICE_SPEC}.privileges.seLinuxContext.disable)`),
            detail(vs[0]),
        );
        assert.ok(
            detail(vs[1]).includes(
                `runs with the unconfined SELinux type spc_t (${SERVICE_SPEC}.privileges.seLinuxContext.type)`,
            ),
            detail(vs[1]),
        );
        assert.deepStrictEqual(
            await findings(
                dockerService({ privileges: { seLinuxContext: { disable: false, type: "container_t" } } }),
                "docker-security-options",
            ),
            [],
        );
    });

    it("unknown options are advisory", async () => {
        const [v] = await findings(
            dockerContainer({ securityOpts: ["apparmor=docker-default", unknown] }),
            "docker-security-options",
        );
        assert.ok(detail(v).includes("securityOpts[1] is not known during preview"), detail(v));
    });
});
