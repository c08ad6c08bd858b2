// Docker runtime policies judge a docker.Container and the task container of a swarm docker.Service
// with the same rules, each under its own field names and JSON paths. The tests here hold for the
// set as a whole (what passes, what applies, how unknown and malformed resources are read); each
// policy's own tests are in tests/policies/docker/<policy-name>.spec.ts.

import * as assert from "assert";
import { dockerPolicies } from "../../policies/docker";
import { unknown } from "../../testkit";
import { dockerContainer, dockerService, hardenedDockerContainer } from "../support/docker";
import { detail, mandatory } from "../support/docker-runtime";

describe("Docker runtime: a hardened container passes", () => {
    it("no findings for a hardened docker.Container", async () => {
        const r = await mandatory.analyze(hardenedDockerContainer());
        assert.deepStrictEqual(r.violations, []);
    });

    it("no findings for a hardened docker.Service except nothing applicable to swarm", async () => {
        const r = await mandatory.analyze(dockerService({ user: "10001", capDrops: ["ALL"], readOnly: true }));
        assert.deepStrictEqual(r.violations, []);
        for (const p of ["docker-privileged", "docker-host-devices", "docker-no-new-privileges"]) {
            assert.ok(
                r.notApplicable.some((n) => n.policyName === p),
                p,
            );
        }
    });

    it("other resource types are not applicable", async () => {
        const r = await mandatory.analyze({ type: "docker:index/network:Network", props: { name: "n" } });
        assert.deepStrictEqual(r.violations, []);
        assert.strictEqual(r.notApplicable.length, dockerPolicies.length);
    });
});

describe("Docker runtime: unknown and malformed resources", () => {
    it("an unknown task spec makes every applicable check advisory, naming it", async () => {
        const r = await mandatory.analyze({
            type: "docker:index/service:Service",
            name: "web",
            props: { taskSpec: unknown },
        });
        assert.ok(r.violations.length > 0);
        for (const v of r.violations) {
            assert.strictEqual(v.enforcementLevel, "advisory");
            assert.ok(detail(v).includes("docker Service web: taskSpec is not known during preview"), detail(v));
        }
    });

    it("an unknown container spec is reported once per policy", async () => {
        const r = await mandatory.analyze({
            type: "docker:index/service:Service",
            name: "web",
            props: { taskSpec: { containerSpec: unknown } },
        });
        const names = r.violations.map((v) => v.policyName);
        assert.strictEqual(new Set(names).size, names.length);
        assert.ok(r.violations.every((v) => detail(v).includes("taskSpec.containerSpec is not known during preview")));
    });

    for (const [what, props] of Object.entries({
        "no task spec": {},
        "a string task spec": { taskSpec: "x" },
        "a null container spec": { taskSpec: { containerSpec: null } },
        "an array container spec": { taskSpec: { containerSpec: [1, 2] } },
    })) {
        it(`a Service with ${what} declares no container to judge`, async () => {
            const r = await mandatory.analyze({ type: "docker:index/service:Service", props });
            assert.deepStrictEqual(r.violations, []);
        });
    }

    it("wrongly typed Container fields are read as the Docker provider reads them, without errors", async () => {
        const r = await mandatory.analyze(
            dockerContainer({
                privileged: "true",
                user: ["root"],
                volumes: "/var/run/docker.sock",
                mounts: [null, 3, { type: 5 }],
                securityOpts: [null, 1],
                networkMode: 1,
                devices: [{}],
            }),
        );
        assert.ok(!r.violations.some((v) => v.message.includes("could not evaluate")), JSON.stringify(r.violations));
        // "true" is converted to true by the provider; a string volumes list and a number mount cannot be judged.
        assert.deepStrictEqual(
            r.violations
                .filter((v) =>
                    [
                        "docker-privileged",
                        "docker-host-mounts",
                        "docker-host-namespaces",
                        "docker-host-devices",
                    ].includes(v.policyName),
                )
                .map((v) => `${v.policyName}: ${v.message.split("\n")[1].replace(/ Fix: .*/, "")}`),
            [
                'docker-privileged: docker Container web: privileged is true; privileged is the string "true", which ' +
                    "the Docker provider converts to true (privileged).",
                'docker-host-mounts: docker Container web: volumes is the string "/var/run/docker.sock", not a list ' +
                    "of objects: the Docker provider rejects it, so this check cannot judge it (volumes).",
                "docker-host-mounts: docker Container web: mounts[1] is the number 3, not an object: the Docker " +
                    "provider rejects it, so this check cannot judge it (mounts[1]).",
            ],
        );
    });
});
