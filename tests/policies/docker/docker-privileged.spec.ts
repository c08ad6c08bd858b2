// docker-privileged: a docker.Container must not run privileged (swarm services cannot).

import * as assert from "assert";
import { unknown } from "../../../testkit";
import { dockerContainer, dockerService } from "../../support/docker";
import { defaults, detail, findings, notApplicable } from "../../support/docker-runtime";

describe("docker-privileged", () => {
    it("a privileged Container is a critical, mandatory finding at privileged", async () => {
        const [v, ...rest] = await findings(dockerContainer({ privileged: true }), "docker-privileged", defaults);
        assert.deepStrictEqual(rest, []);
        assert.strictEqual(v.enforcementLevel, "mandatory");
        assert.strictEqual(v.severity, "critical");
        assert.strictEqual(
            detail(v),
            "docker Container web: privileged is true (privileged). Fix: remove privileged or set it to false",
        );
    });

    it("privileged false or absent passes", async () => {
        assert.deepStrictEqual(await findings(dockerContainer({ privileged: false }), "docker-privileged"), []);
        assert.deepStrictEqual(await findings(dockerContainer(), "docker-privileged"), []);
    });

    it("does not apply to swarm services, which cannot run privileged", async () => {
        assert.ok(await notApplicable(dockerService(), "docker-privileged"));
    });

    it("an unknown privileged is an advisory naming the field", async () => {
        const [v] = await findings(dockerContainer({ privileged: unknown }), "docker-privileged");
        assert.strictEqual(v.enforcementLevel, "advisory");
        assert.ok(detail(v).includes("docker Container web: privileged is not known during preview"), v.message);
    });
});
