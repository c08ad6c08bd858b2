// docker-capabilities: a docker.Container or swarm docker.Service may add only allowed capabilities,
// in any spelling Docker accepts.

import * as assert from "assert";
import { unknown } from "../../../testkit";
import { SERVICE_SPEC, dockerContainer, dockerService } from "../../support/docker";
import { defaults, detail, findings, withConfig } from "../../support/docker-runtime";

describe("docker-capabilities", () => {
    const cases: [string, unknown[], string[]][] = [
        ["a dangerous capability", ["SYS_ADMIN"], ['adds capability "SYS_ADMIN", which is not allowed']],
        [
            "lower case and CAP_ prefix (Docker normalises them)",
            ["cap_sys_admin", "Net_Admin"],
            ['adds capability "cap_sys_admin" (SYS_ADMIN)', 'adds capability "Net_Admin" (NET_ADMIN)'],
        ],
        ["ALL in any case", ["all"], ['adds "all", every capability']],
        ["NET_RAW (granted by Docker, not in the allow-list)", ["NET_RAW"], ['adds capability "NET_RAW"']],
        ["CAP_ALL is not ALL but still not allowed", ["CAP_ALL"], ['adds capability "CAP_ALL", which is not allowed']],
        // The Docker provider converts a number to a string (Terraform's conversions).
        ["a number, which the Docker provider converts", [7], ['adds capability "7", which is not allowed']],
    ];
    for (const [what, adds, expected] of cases) {
        it(`Container: ${what}`, async () => {
            const vs = await findings(dockerContainer({ capabilities: { adds } }), "docker-capabilities");
            assert.strictEqual(vs.length, expected.length, JSON.stringify(vs));
            expected.forEach((e, i) => {
                assert.ok(detail(vs[i]).includes(e), detail(vs[i]));
                assert.ok(detail(vs[i]).includes(`(capabilities.adds[${i}])`), detail(vs[i]));
            });
        });
        it(`Service: ${what}`, async () => {
            const vs = await findings(dockerService({ capAdds: adds }), "docker-capabilities");
            assert.strictEqual(vs.length, expected.length);
            expected.forEach((e, i) =>
                assert.ok(
                    detail(vs[i]).startsWith("docker Service web: ") &&
                        detail(vs[i]).includes(e) &&
                        detail(vs[i]).includes(`(${SERVICE_SPEC}.capAdds[${i}])`),
                    detail(vs[i]),
                ),
            );
        });
    }

    it("allowed capabilities pass in any spelling", async () => {
        assert.deepStrictEqual(
            await findings(
                dockerContainer({ capabilities: { adds: ["net_bind_service", "CAP_CHOWN", " SETUID "] } }),
                "docker-capabilities",
            ),
            [],
        );
    });

    it("is mandatory by default (high)", async () => {
        const [v] = await findings(
            dockerContainer({ capabilities: { adds: ["SYS_PTRACE"] } }),
            "docker-capabilities",
            defaults,
        );
        assert.strictEqual(v.enforcementLevel, "mandatory");
    });

    it("allowedCapabilities replaces the list, normalised the same way", async () => {
        const t = withConfig({ "docker-capabilities": { allowedCapabilities: ["CAP_NET_ADMIN"] } });
        assert.deepStrictEqual(
            await findings(dockerContainer({ capabilities: { adds: ["net_admin"] } }), "docker-capabilities", t),
            [],
        );
        assert.strictEqual(
            (await findings(dockerContainer({ capabilities: { adds: ["CHOWN"] } }), "docker-capabilities", t)).length,
            1,
        );
    });

    it("an unknown entry is advisory; the known ones are still judged", async () => {
        const vs = await findings(dockerService({ capAdds: [unknown, "SYS_MODULE"] }), "docker-capabilities");
        assert.deepStrictEqual(vs.map((v) => v.enforcementLevel).sort(), ["advisory", "mandatory"]);
        assert.ok(vs.some((v) => detail(v).includes(`${SERVICE_SPEC}.capAdds[0] is not known during preview`)));
    });

    it("a string list is judged as a one-element list; a string capabilities block is a finding", async () => {
        const [one] = await findings(dockerContainer({ capabilities: { adds: "SYS_ADMIN" } }), "docker-capabilities");
        assert.strictEqual(
            detail(one),
            'docker Container web: adds capability "SYS_ADMIN", which is not allowed; adds is the string ' +
                '"SYS_ADMIN", not a list: the Docker provider rejects it, and it is judged as a one-element list ' +
                "(capabilities.adds). Fix: remove it from the added capabilities",
        );
        const block = await findings(dockerContainer({ capabilities: "SYS_ADMIN" }), "docker-capabilities");
        assert.deepStrictEqual(
            block.map((v) => detail(v)),
            [
                'docker Container web: capabilities is the string "SYS_ADMIN", not an object: the Docker provider ' +
                    "rejects it, so this check cannot judge it (capabilities). Fix: write capabilities as an object",
            ],
        );
    });
});
