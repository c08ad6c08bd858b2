// docker-non-root-user: a docker.Container or swarm docker.Service runs as a user other than root.

import * as assert from "assert";
import { unknown } from "../../../testkit";
import { SERVICE_SPEC, dockerContainer, dockerService } from "../../support/docker";
import { detail, findings } from "../../support/docker-runtime";

describe("docker-non-root-user", () => {
    for (const user of [
        "root",
        "0",
        "00",
        "0:0",
        "root:root",
        "root:1000",
        "0:1000",
        " root ",
        "ContainerAdministrator",
    ]) {
        it(`user ${JSON.stringify(user)} is root (Container and Service)`, async () => {
            const [c] = await findings(dockerContainer({ user }), "docker-non-root-user");
            assert.strictEqual(c.enforcementLevel, "mandatory");
            assert.ok(detail(c).includes(`user is ${JSON.stringify(user)}, which is root (user)`), detail(c));
            const [s] = await findings(dockerService({ user }), "docker-non-root-user");
            assert.ok(detail(s).includes(`(${SERVICE_SPEC}.user)`), detail(s));
        });
    }

    for (const user of ["1000", "10001:10001", "1000:0", "app", "app:root", "rootless", "Root"]) {
        it(`user ${JSON.stringify(user)} is not root`, async () => {
            assert.deepStrictEqual(await findings(dockerContainer({ user }), "docker-non-root-user"), []);
            assert.deepStrictEqual(await findings(dockerService({ user }), "docker-non-root-user"), []);
        });
    }

    it("an unset user is reported as advisory even when the policy is mandatory (the image decides)", async () => {
        for (const r of [dockerContainer(), dockerService()]) {
            const [v] = await findings(r, "docker-non-root-user");
            assert.strictEqual(v.enforcementLevel, "advisory");
            assert.ok(
                detail(v).includes("user is not set, so the image's USER applies (root unless the image sets another)"),
                detail(v),
            );
        }
    });

    it("an empty user or one with only a group leaves the user to the image (advisory)", async () => {
        for (const user of ["", ":1000"]) {
            const [v] = await findings(dockerContainer({ user }), "docker-non-root-user");
            assert.strictEqual(v.enforcementLevel, "advisory");
        }
    });

    it("a malformed numeric user 0 is still root", async () => {
        assert.strictEqual((await findings(dockerContainer({ user: 0 }), "docker-non-root-user")).length, 1);
    });

    it("an unknown user is advisory, naming the field", async () => {
        const [v] = await findings(dockerService({ user: unknown }), "docker-non-root-user");
        assert.ok(detail(v).includes(`${SERVICE_SPEC}.user is not known during preview`), detail(v));
    });
});
