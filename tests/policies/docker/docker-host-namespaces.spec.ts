// docker-host-namespaces: a docker.Container or swarm docker.Service does not share the host's
// namespaces or join the host network.

import * as assert from "assert";
import { unknown } from "../../../testkit";
import { dockerContainer, dockerService } from "../../support/docker";
import { defaults, detail, findings } from "../../support/docker-runtime";

describe("docker-host-namespaces", () => {
    it("every host mode of a Container is a finding, naming the namespace and setting", async () => {
        const vs = await findings(
            dockerContainer({
                networkMode: "host",
                pidMode: "host",
                ipcMode: "host",
                usernsMode: "host",
                cgroupnsMode: "host",
            }),
            "docker-host-namespaces",
            defaults,
        );
        assert.deepStrictEqual(
            vs.map(detail),
            [
                ["network", "networkMode"],
                ["PID", "pidMode"],
                ["IPC", "ipcMode"],
                ["user", "usernsMode"],
                ["cgroup", "cgroupnsMode"],
            ].map(
                ([ns, s]) =>
                    `docker Container web: shares the host's ${ns} namespace (${s} is "host") (${s}). Fix: remove ` +
                    `${s} or use a private mode`,
            ),
        );
        assert.ok(vs.every((v) => v.enforcementLevel === "mandatory"));
    });

    it("private, shared-with-container and wrongly cased modes pass (the daemon compares exactly)", async () => {
        const r = dockerContainer({
            networkMode: "bridge",
            pidMode: "container:db",
            ipcMode: "shareable",
            usernsMode: "",
            cgroupnsMode: "private",
        });
        assert.deepStrictEqual(await findings(r, "docker-host-namespaces"), []);
        assert.deepStrictEqual(await findings(dockerContainer({ networkMode: "HOST" }), "docker-host-namespaces"), []);
    });

    it("joining the host network is a finding for Containers and Services", async () => {
        const [c] = await findings(
            dockerContainer({ networksAdvanced: [{ name: "backend" }, { name: "host" }] }),
            "docker-host-namespaces",
        );
        assert.ok(
            detail(c).includes('joins the "host" network') && detail(c).includes("(networksAdvanced[1].name)"),
            detail(c),
        );
        const [s] = await findings(
            dockerService({}, { networksAdvanceds: [{ name: "host" }] }),
            "docker-host-namespaces",
        );
        assert.ok(detail(s).includes("(taskSpec.networksAdvanceds[0].name)"), detail(s));
    });

    it("an unknown mode is advisory and does not hide a known one", async () => {
        const vs = await findings(dockerContainer({ networkMode: unknown, pidMode: "host" }), "docker-host-namespaces");
        assert.deepStrictEqual(vs.map((v) => v.enforcementLevel).sort(), ["advisory", "mandatory"]);
    });
});
