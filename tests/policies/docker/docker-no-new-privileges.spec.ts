// docker-no-new-privileges: a docker.Container sets no-new-privileges.

import * as assert from "assert";
import { unknown } from "../../../testkit";
import { dockerContainer, dockerService } from "../../support/docker";
import { defaults, detail, findings, notApplicable } from "../../support/docker-runtime";

describe("docker-no-new-privileges", () => {
    for (const opts of [
        ["no-new-privileges"],
        ["no-new-privileges:true"],
        ["no-new-privileges=true"],
        ["no-new-privileges=1"],
        ["no-new-privileges:false", "no-new-privileges"],
        [unknown, "no-new-privileges:true"],
    ]) {
        it(`${JSON.stringify(opts)} sets it`, async () => {
            assert.deepStrictEqual(
                await findings(dockerContainer({ securityOpts: opts }), "docker-no-new-privileges"),
                [],
            );
        });
    }

    it("not set: a missing-setting finding at securityOpts, advisory by default (medium)", async () => {
        for (const r of [dockerContainer(), dockerContainer({ securityOpts: ["seccomp=default.json"] })]) {
            const [v] = await findings(r, "docker-no-new-privileges", defaults);
            assert.strictEqual(v.enforcementLevel, "advisory");
            assert.ok(detail(v).includes("no-new-privileges is not set (securityOpts)"), detail(v));
        }
    });

    it("turned off, or overridden by a later option: a finding at the deciding entry", async () => {
        const [a] = await findings(
            dockerContainer({ securityOpts: ["no-new-privileges=false"] }),
            "docker-no-new-privileges",
        );
        assert.ok(
            detail(a).includes('"no-new-privileges=false" turns no-new-privileges off (securityOpts[0])'),
            detail(a),
        );
        const [b] = await findings(
            dockerContainer({ securityOpts: ["no-new-privileges:true", "no-new-privileges:false"] }),
            "docker-no-new-privileges",
        );
        assert.ok(detail(b).includes("(securityOpts[1])"), detail(b));
        const [c] = await findings(
            dockerContainer({ securityOpts: ["no-new-privileges=yes"] }),
            "docker-no-new-privileges",
        );
        assert.ok(detail(c).includes("is not a valid no-new-privileges option"), detail(c));
    });

    it("an unknown entry after the last setting (or without one) could decide: advisory", async () => {
        for (const opts of [[unknown], ["no-new-privileges", unknown], unknown]) {
            const [v, ...rest] = await findings(dockerContainer({ securityOpts: opts }), "docker-no-new-privileges");
            assert.deepStrictEqual(rest, []);
            assert.strictEqual(v.enforcementLevel, "advisory");
            assert.ok(detail(v).includes("is not known during preview"), detail(v));
        }
    });

    it("does not apply to swarm services (they cannot set it)", async () => {
        assert.ok(await notApplicable(dockerService(), "docker-no-new-privileges"));
    });
});
