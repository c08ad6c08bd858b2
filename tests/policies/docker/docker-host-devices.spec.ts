// docker-host-devices: a docker.Container gets no host devices beyond the allowed ones.

import * as assert from "assert";
import { unknown } from "../../../testkit";
import { dockerContainer, dockerService } from "../../support/docker";
import { defaults, detail, findings, notApplicable, withConfig } from "../../support/docker-runtime";

describe("docker-host-devices", () => {
    it("a host device is a finding; an allowed device is not", async () => {
        const devices = [{ hostPath: "/dev/kmsg" }, { hostPath: "/dev/fuse", containerPath: "/dev/fuse" }];
        const vs = await findings(dockerContainer({ devices }), "docker-host-devices", defaults);
        assert.deepStrictEqual(vs.map(detail), [
            'docker Container web: gets the host device "/dev/kmsg" (devices[0].hostPath). Fix: remove the device, ' +
                "or list it in allowedDevices if the container needs it",
            'docker Container web: gets the host device "/dev/fuse" (devices[1].hostPath). Fix: remove the device, ' +
                "or list it in allowedDevices if the container needs it",
        ]);
        const t = withConfig({ "docker-host-devices": { allowedDevices: ["/dev/fuse"] } });
        assert.strictEqual((await findings(dockerContainer({ devices }), "docker-host-devices", t)).length, 1);
    });

    it("device cgroup rules are findings", async () => {
        const [v] = await findings(dockerContainer({ deviceCgroupRules: ["c *:* rmw"] }), "docker-host-devices");
        assert.ok(detail(v).includes('allows device access by the rule "c *:* rmw" (deviceCgroupRules[0])'), detail(v));
    });

    it("does not apply to services; unknown devices are advisory", async () => {
        assert.ok(await notApplicable(dockerService(), "docker-host-devices"));
        const [v] = await findings(dockerContainer({ devices: [{ hostPath: unknown }] }), "docker-host-devices");
        assert.strictEqual(v.enforcementLevel, "advisory");
    });
});
