// docker-drop-all-capabilities: a docker.Container or swarm docker.Service drops "ALL" capabilities.

import * as assert from "assert";
import { unknown } from "../../../testkit";
import { SERVICE_SPEC, dockerContainer, dockerService } from "../../support/docker";
import { defaults, detail, findings } from "../../support/docker-runtime";

describe("docker-drop-all-capabilities", () => {
    it("nothing dropped is an advisory finding by default (medium)", async () => {
        const [v] = await findings(dockerContainer(), "docker-drop-all-capabilities", defaults);
        assert.strictEqual(v.enforcementLevel, "advisory");
        assert.strictEqual(
            detail(v),
            'docker Container web: no capabilities are dropped (capabilities.drops). Fix: drop "ALL" and add back ' +
                "only the capabilities the process needs",
        );
    });

    for (const drops of [["ALL"], ["all"], ["NET_RAW", "All"]]) {
        it(`drops ${JSON.stringify(drops)} passes (Container and Service)`, async () => {
            assert.deepStrictEqual(
                await findings(dockerContainer({ capabilities: { drops } }), "docker-drop-all-capabilities"),
                [],
            );
            assert.deepStrictEqual(
                await findings(dockerService({ capDrops: drops }), "docker-drop-all-capabilities"),
                [],
            );
        });
    }

    it("dropping some but not ALL is a finding; CAP_ALL is not ALL", async () => {
        for (const drops of [["NET_RAW"], ["CAP_ALL"]]) {
            const [v] = await findings(dockerService({ capDrops: drops }), "docker-drop-all-capabilities");
            assert.ok(
                detail(v).includes(
                    `the dropped capabilities ${JSON.stringify(drops)} do not include "ALL" (${SERVICE_SPEC}.capDrops)`,
                ),
                detail(v),
            );
        }
    });

    it("an unknown list or entry is advisory unless ALL is already there", async () => {
        const [a] = await findings(
            dockerContainer({ capabilities: { drops: unknown } }),
            "docker-drop-all-capabilities",
        );
        assert.ok(detail(a).includes("capabilities.drops is not known during preview"));
        const [b] = await findings(
            dockerContainer({ capabilities: { drops: ["NET_RAW", unknown] } }),
            "docker-drop-all-capabilities",
        );
        assert.ok(detail(b).includes("capabilities.drops[1] is not known during preview"));
        assert.deepStrictEqual(
            await findings(
                dockerContainer({ capabilities: { drops: [unknown, "ALL"] } }),
                "docker-drop-all-capabilities",
            ),
            [],
        );
    });
});
