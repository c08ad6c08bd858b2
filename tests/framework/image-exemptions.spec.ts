// Exemptions by image (option exemptImages of every policy that judges containers): an exempted
// finding is still reported, as advisory, naming the option and the glob; globs match normalised
// references; an image unknown during preview leaves the exemption undecided (advisory, saying
// so); findings about the pod as a whole are never exempted by image; invalid globs are rejected
// by the config schema.

import * as assert from "assert";
import fc from "fast-check";
import { allPolicies } from "../../policies";
import { type PolicyPackConfig, PolicyTester, type TestResource, unknown } from "../../testkit";
import { compileReferenceGlob, referenceGlobMatches } from "../../src/references/image-glob";
import { parseImageRef } from "../../src/references/image-ref";
import { dockerContainer, dockerService } from "../support/docker";
import { deployment } from "../support/workloads";

const DIGEST = "sha256:" + "c".repeat(64);

async function findingsOf(policy: string, r: TestResource, config: PolicyPackConfig) {
    const result = await new PolicyTester({ policies: allPolicies }, config).analyze(r);
    return result.violations.filter((v) => v.policyName === policy);
}

const privileged = (image: unknown, name = "c") => ({ name, image, securityContext: { privileged: true } });
const exempting = (exemptImages: string[], extra: Record<string, unknown> = {}): PolicyPackConfig => ({
    "pss-privileged": { enforcementLevel: "mandatory", exemptImages, ...extra },
});

describe("exemptImages", () => {
    it("exempts only the containers whose image matches, naming the option and the glob", async () => {
        const vs = await findingsOf(
            "pss-privileged",
            deployment({
                containers: [
                    privileged("ghcr.io/acme/node-agent:2.1", "agent"),
                    privileged("ghcr.io/acme/web:1", "web"),
                ],
            }),
            exempting(["ghcr.io/acme/node-*"]),
        );
        assert.deepStrictEqual(
            vs.map((v) => v.enforcementLevel),
            ["advisory", "mandatory"],
        );
        assert.ok(vs[0].message.includes('container "agent": privileged is true'), vs[0].message);
        assert.ok(
            vs[0].message.endsWith(
                "The container's image is allowed by option exemptImages: ghcr.io/acme/node-*; reported as advisory.",
            ),
            vs[0].message,
        );
        assert.ok(!vs[1].message.includes("exemptImages"), vs[1].message);
    });

    it("matches normalised references: Docker Hub short names, registry case, tags and digests", async () => {
        const cases: [glob: string, image: string, exempt: boolean][] = [
            ["busybox", "docker.io/library/busybox:1.36", true],
            ["docker.io/library/busybox", "busybox", true],
            ["docker.io/library/busybox", "index.docker.io/library/busybox:1", true],
            ["ghcr.io/acme/**", "GHCR.IO/acme/team/app:1", true],
            ["ghcr.io/acme/*", "ghcr.io/acme/team/app:1", false],
            ["ghcr.io/acme/app", "ghcr.io/acme/app-evil:1", false],
            ["ghcr.io/acme/app", "ghcr.io/acme/app/evil:1", false],
            ["ghcr.io/acme/app", "ghcr.io.evil.com/acme/app:1", false],
            ["ghcr.io/acme/app:1.*", "ghcr.io/acme/app:1.4", true],
            ["ghcr.io/acme/app:1.*", "ghcr.io/acme/app:2.0", false],
            // The tag glob narrows: the same image written by digest alone is not exempt (fails closed).
            ["ghcr.io/acme/app:1.*", `ghcr.io/acme/app@${DIGEST}`, false],
            ["ghcr.io/acme/app:latest", "ghcr.io/acme/app", true],
            [`ghcr.io/acme/app@${DIGEST}`, `ghcr.io/acme/app:1@${DIGEST}`, true],
            [`ghcr.io/acme/app@${DIGEST}`, "ghcr.io/acme/app:1", false],
            ["localhost:5000/app", "localhost:5000/app:1", true],
            ["localhost:5000/app", "localhost/app:1", false],
        ];
        for (const [glob, image, exempt] of cases) {
            const [v] = await findingsOf("pss-privileged", deployment({ containers: [privileged(image)] }), {
                ...exempting([glob]),
            });
            assert.strictEqual(v.enforcementLevel, exempt ? "advisory" : "mandatory", `${glob} ${image}`);
        }
    });

    it("an image unknown during preview leaves the exemption undecided: advisory, saying why", async () => {
        const [v] = await findingsOf(
            "pss-privileged",
            deployment({ containers: [privileged(unknown)] }),
            exempting(["ghcr.io/acme/**"]),
        );
        assert.strictEqual(v.enforcementLevel, "advisory");
        assert.ok(
            v.message.includes(
                "Option exemptImages may allow the container's image, but spec.template.spec.containers[0].image is " +
                    "not known during preview; reported as advisory until it is.",
            ),
            v.message,
        );
        // Without globs there is nothing to decide: the finding keeps its level.
        const [held] = await findingsOf("pss-privileged", deployment({ containers: [privileged(unknown)] }), {
            "pss-privileged": "mandatory",
        });
        assert.strictEqual(held.enforcementLevel, "mandatory");
        assert.ok(!held.message.includes("exemptImages"));
    });

    it("a missing, malformed or invalid image is never exempt, even by a glob for everything", async () => {
        for (const image of [undefined, 42, null, { name: "x" }, "ghcr.io/acme/app@sha256:abc", "Acme/App"]) {
            const vs = await findingsOf(
                "pss-privileged",
                deployment({ containers: [privileged(image)] }),
                exempting(["**"]),
            );
            assert.deepStrictEqual(
                vs.map((v) => v.enforcementLevel),
                ["mandatory"],
                JSON.stringify(image),
            );
        }
    });

    it("findings about the pod as a whole are not exempted by image", async () => {
        const vs = await findingsOf(
            "pss-host-namespaces",
            deployment({ hostNetwork: true, containers: [{ name: "c", image: "ghcr.io/acme/agent:1" }] }),
            { "pss-host-namespaces": { enforcementLevel: "mandatory", exemptImages: ["ghcr.io/acme/**"] } },
        );
        assert.deepStrictEqual(
            vs.map((v) => v.enforcementLevel),
            ["mandatory"],
        );
        assert.ok(!vs[0].message.includes("exemptImages"), vs[0].message);
    });

    it("a Docker Container or Service is one container: its image decides", async () => {
        const config: PolicyPackConfig = {
            "docker-privileged": { enforcementLevel: "mandatory", exemptImages: ["ghcr.io/acme/dind"] },
            "docker-non-root-user": { enforcementLevel: "mandatory", exemptImages: ["ghcr.io/acme/dind"] },
        };
        const [exempt] = await findingsOf(
            "docker-privileged",
            dockerContainer({ image: "ghcr.io/acme/dind:27", privileged: true }),
            config,
        );
        assert.strictEqual(exempt.enforcementLevel, "advisory");
        assert.ok(exempt.message.includes("allowed by option exemptImages: ghcr.io/acme/dind;"), exempt.message);
        const [held] = await findingsOf(
            "docker-privileged",
            dockerContainer({ image: "ghcr.io/acme/web:1", privileged: true }),
            config,
        );
        assert.strictEqual(held.enforcementLevel, "mandatory");
        const service = await findingsOf(
            "docker-non-root-user",
            dockerService({ image: "ghcr.io/acme/dind:27" }),
            config,
        );
        assert.ok(service.length > 0);
        assert.ok(
            service.every((v) => v.enforcementLevel === "advisory" && v.message.includes("exemptImages")),
            JSON.stringify(service),
        );
    });

    it("image policies: the container's image is the one judged and the one that exempts", async () => {
        const vs = await findingsOf(
            "image-tag-not-latest",
            deployment({
                containers: [
                    { name: "debug", image: "ghcr.io/acme/debug:latest" },
                    { name: "app", image: "ghcr.io/acme/app:latest" },
                ],
            }),
            { "image-tag-not-latest": { exemptImages: ["ghcr.io/acme/debug"] } },
        );
        assert.deepStrictEqual(
            vs.map((v) => v.enforcementLevel),
            ["advisory", "mandatory"],
        );
    });

    it("an exemption by resource decides first; exemptImages does not add a second reason", async () => {
        const [v] = await findingsOf(
            "pss-privileged",
            deployment({ containers: [privileged("ghcr.io/acme/agent:1")] }),
            exempting(["ghcr.io/acme/**"], { exclude: [{ name: "web", reason: "node agent (SEC-1)" }] }),
        );
        assert.strictEqual(v.enforcementLevel, "advisory");
        assert.ok(v.message.includes("Exempted by config pss-privileged.exclude[0]: node agent (SEC-1)"), v.message);
        assert.ok(!v.message.includes("exemptImages"), v.message);
    });

    it("the config schema rejects globs that are not image globs, naming the entry", async () => {
        for (const [glob, why] of [
            ["", /exemptImages\[0\]/],
            ["ghcr.io/acme/app@sha256:abc", /exemptImages\[0\] "ghcr.io\/acme\/app@sha256:abc": /],
            ["ghcr.io/acme/app:v 1", /exemptImages\[0\]/],
            ["acme*/app", /exemptImages\[0\] "acme\*\/app" is ambiguous/],
            ["ghcr.io//app", /exemptImages\[0\]/],
        ] as const) {
            await assert.rejects(
                new PolicyTester({ policies: allPolicies }, { "pss-privileged": { exemptImages: [glob] } }).analyze(
                    deployment({ containers: [privileged("a:1")] }),
                ),
                (err: Error) => {
                    assert.ok(err.message.includes('invalid configuration for policy "pss-privileged"'), err.message);
                    assert.match(err.message, why);
                    return true;
                },
                glob,
            );
        }
        await assert.rejects(
            new PolicyTester({ policies: allPolicies }, { "root-group": { exemptImages: "ghcr.io/acme/**" } }).analyze(
                deployment({ containers: [{ name: "a" }] }),
            ),
            /exemptImages must be an array/,
        );
    });

    it("every policy that judges containers accepts the option, and no other policy does", () => {
        for (const p of allPolicies) {
            const properties = Object.keys(p.configSchema?.properties ?? {});
            const judgesContainers =
                (properties.includes("customWorkloads") && !("validateStack" in p)) ||
                p.name.startsWith("docker-") ||
                p.name.startsWith("image-");
            const withoutContainers = ["docker-build-args-secrets"];
            assert.strictEqual(
                properties.includes("exemptImages"),
                judgesContainers && !withoutContainers.includes(p.name),
                p.name,
            );
        }
    });

    it("compiling and matching never throw, and a glob of a reference's own name matches it", () => {
        fc.assert(
            fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }), (glob, image) => {
                const g = compileReferenceGlob(glob);
                const ref = parseImageRef(image);
                if (typeof g !== "string" && ref.kind === "reference") {
                    referenceGlobMatches(g, ref);
                }
            }),
            { numRuns: 2000 },
        );
        const repo = fc.stringMatching(/^[a-z0-9]{1,8}(\/[a-z0-9]{1,8}){0,2}$/);
        fc.assert(
            fc.property(repo, fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,10}$/), (name, tag) => {
                const ref = parseImageRef(`ghcr.io/${name}:${tag}`);
                assert.ok(ref.kind === "reference");
                for (const glob of [`ghcr.io/${name}`, `ghcr.io/${name}:${tag}`, "ghcr.io/**", "**"]) {
                    const g = compileReferenceGlob(glob);
                    assert.ok(typeof g !== "string", `${glob}: ${typeof g === "string" ? g : ""}`);
                    assert.ok(referenceGlobMatches(g, ref), `${glob} ${name}:${tag}`);
                }
            }),
        );
    });
});
