// image-pull-policy: imagePullPolicy other than Always for images not pinned by digest, with the
// default Kubernetes fills in (Always for latest or no tag, IfNotPresent otherwise), and the option
// `always` for multi-tenant clusters.

import * as assert from "assert";
import { imagePullPolicy } from "../../../policies/images";
import { type PolicyPackConfig, PolicyTester, type TestResource, unknown } from "../../../testkit";
import { findingLine, problemOf, runPolicy } from "../../support/secrets";
import { deployment, hardenedContainer, workloadProps } from "../../support/workloads";

const NAME = "image-pull-policy";
const DIGEST = "sha256:" + "b".repeat(64);
const run = (r: TestResource, config?: PolicyPackConfig) => runPolicy(imagePullPolicy, r, config);
const withContainers = (...containers: Record<string, unknown>[]) => deployment({ containers });
const c = (image: unknown, pullPolicy?: unknown, name = "app") => ({
    name,
    image,
    ...(pullPolicy !== undefined && { imagePullPolicy: pullPolicy }),
});

describe("image-pull-policy", () => {
    it("reports IfNotPresent and Never for a tag, naming resource, container, image and field", async () => {
        const vs = await run(
            withContainers(c("ghcr.io/acme/app:1.4", "IfNotPresent", "a"), c("ghcr.io/acme/app:1.4", "Never", "b")),
        );
        assert.deepStrictEqual(
            vs.map((v) => findingLine(v)),
            [
                'Deployment prod/web, container "a": imagePullPolicy is "IfNotPresent"; the image ' +
                    '"ghcr.io/acme/app:1.4" is not pinned by a digest, so the node may run a stale copy of the tag ' +
                    "(spec.template.spec.containers[0].imagePullPolicy). Fix: set imagePullPolicy: Always, or pin " +
                    "the image by digest (image@sha256:<digest>)",
                'Deployment prod/web, container "b": imagePullPolicy is "Never"; the image "ghcr.io/acme/app:1.4" ' +
                    "is not pinned by a digest, so the node may run a stale copy of the tag " +
                    "(spec.template.spec.containers[1].imagePullPolicy). Fix: set imagePullPolicy: Always, or pin " +
                    "the image by digest (image@sha256:<digest>)",
            ],
        );
        assert.ok(
            vs.every((v) => v.enforcementLevel === "advisory"),
            "medium severity: advisory by default",
        );
    });

    it("an unset policy is judged by the default Kubernetes fills in", async () => {
        const vs = await run(
            withContainers(
                c("ghcr.io/acme/app:1.4", undefined, "tagged"),
                c("ghcr.io/acme/app:latest", undefined, "latest"),
                c("ghcr.io/acme/app", undefined, "untagged"),
                c(`ghcr.io/acme/app:1.4@${DIGEST}`, undefined, "pinned"),
            ),
        );
        assert.deepStrictEqual(
            vs.map((v) => problemOf(findingLine(v))),
            [
                'Deployment prod/web, container "tagged": imagePullPolicy is not set, so it defaults to ' +
                    'IfNotPresent; the image "ghcr.io/acme/app:1.4" is not pinned by a digest, so the node may run ' +
                    "a stale copy of the tag",
            ],
        );
        assert.ok(findingLine(vs[0]).includes("(spec.template.spec.containers[0].imagePullPolicy)"));
    });

    it("passes Always, images pinned by digest and image IDs", async () => {
        assert.deepStrictEqual(
            await run(
                withContainers(
                    c("ghcr.io/acme/app:1.4", "Always", "a"),
                    c(`ghcr.io/acme/app@${DIGEST}`, "IfNotPresent", "b"),
                    c(DIGEST, "Never", "c"),
                    hardenedContainer("h"),
                ),
            ),
            [],
        );
    });

    it("option always requires Always for every image, digests included", async () => {
        const config = { [NAME]: { always: true } };
        const vs = await run(
            withContainers(
                c(`ghcr.io/acme/app@${DIGEST}`, "IfNotPresent", "a"),
                c(`ghcr.io/acme/app@${DIGEST}`, undefined, "b"),
                c("ghcr.io/acme/app", undefined, "c"),
                c("ghcr.io/acme/app:1", "Always", "d"),
            ),
            config,
        );
        assert.deepStrictEqual(
            vs.map((v) => findingLine(v)),
            [
                'Deployment prod/web, container "a": imagePullPolicy is "IfNotPresent"; every image must be pulled ' +
                    "on each start (option always) (spec.template.spec.containers[0].imagePullPolicy). Fix: set " +
                    "imagePullPolicy: Always",
                'Deployment prod/web, container "b": imagePullPolicy is not set, so it defaults to IfNotPresent; ' +
                    "every image must be pulled on each start (option always) " +
                    "(spec.template.spec.containers[1].imagePullPolicy). Fix: set imagePullPolicy: Always",
            ],
        );
        await assert.rejects(
            new PolicyTester({ policies: [imagePullPolicy] }, { [NAME]: { always: "yes" } }).analyze(
                withContainers(c("a:1")),
            ),
            /always must be true or false, not string/,
        );
    });

    it("an invalid reference cannot count as pinned", async () => {
        const vs = await run(withContainers(c("ghcr.io/acme/app@sha256:abc", "IfNotPresent")));
        assert.deepStrictEqual(
            vs.map((v) => problemOf(findingLine(v))),
            [
                'Deployment prod/web, container "app": imagePullPolicy is "IfNotPresent"; the image ' +
                    '"ghcr.io/acme/app@sha256:abc" is not a valid reference, so it cannot count as pinned by a digest',
            ],
        );
    });

    it("judges init and ephemeral containers", async () => {
        const vs = await run(
            deployment({
                initContainers: [c("m:1", "IfNotPresent", "migrate")],
                containers: [c("a:1", "Always")],
                ephemeralContainers: [c("busybox:1.36", "IfNotPresent", "debug")],
            }),
        );
        assert.deepStrictEqual(
            vs.map((v) => problemOf(findingLine(v)).split(":")[0]),
            ['Deployment prod/web, init container "migrate"', 'Deployment prod/web, ephemeral container "debug"'],
        );
        assert.ok(findingLine(vs[1]).includes("(spec.template.spec.ephemeralContainers[0].imagePullPolicy)"));
    });

    it("covers every pod-bearing kind; a patch judges only what it sets", async () => {
        for (const type of [
            "kubernetes:core/v1:Pod",
            "kubernetes:core/v1:PodTemplate",
            "kubernetes:batch/v1:CronJob",
            "kubernetes:apps/v1:DaemonSetList",
            "kubernetes:argoproj.io/v1alpha1:Rollout",
        ]) {
            const vs = await run({
                type,
                name: "w",
                props: workloadProps(type, { containers: [c("ghcr.io/acme/app:1.4")] }),
            });
            assert.strictEqual(vs.length, 1, type);
        }
        const type = "kubernetes:apps/v1:DeploymentPatch";
        const patch = async (spec: Record<string, unknown>, config?: PolicyPackConfig) =>
            run({ type, name: "w", props: workloadProps(type, spec) }, config);
        // An unset policy is not a setting the patch makes; a policy without the image is judged with it.
        assert.deepStrictEqual(await patch({ containers: [c("ghcr.io/acme/app:1.4")] }), []);
        assert.deepStrictEqual(await patch({ containers: [{ name: "a", imagePullPolicy: "IfNotPresent" }] }), []);
        assert.strictEqual((await patch({ containers: [c("ghcr.io/acme/app:1.4", "IfNotPresent")] })).length, 1);
        assert.strictEqual(
            (
                await patch(
                    { containers: [{ name: "a", imagePullPolicy: "IfNotPresent" }] },
                    { [NAME]: { always: true } },
                )
            ).length,
            1,
        );
    });

    it("unknown values are advisory and name the field; known siblings are still judged", async () => {
        const vs = await run(
            withContainers(
                c("ghcr.io/acme/app:1.4", unknown, "a"),
                c(unknown, "IfNotPresent", "b"),
                c("ghcr.io/acme/app:1.4", "Never", "c"),
            ),
            { [NAME]: "mandatory" },
        );
        assert.deepStrictEqual(vs.map((v) => v.enforcementLevel).sort(), ["advisory", "advisory", "mandatory"]);
        const messages = vs.map((v) => v.message).join("\n");
        assert.ok(messages.includes("spec.template.spec.containers[0].imagePullPolicy is not known"), messages);
        assert.ok(messages.includes("spec.template.spec.containers[1].image is not known"), messages);
        // With option always the image does not matter, so an unknown image decides nothing.
        const always = await run(withContainers(c(unknown, "IfNotPresent")), { [NAME]: { always: true } });
        assert.deepStrictEqual(
            always.map((v) => [v.enforcementLevel, problemOf(findingLine(v))]),
            [
                [
                    "advisory",
                    'Deployment prod/web, container "app": imagePullPolicy is "IfNotPresent"; every image must be ' +
                        "pulled on each start (option always)",
                ],
            ],
        );
    });

    it("never throws on malformed containers and values", async () => {
        for (const bad of [null, 3, "x", [], { a: 1 }, true]) {
            const vs = await run(withContainers(c(bad, bad), c("a:1", bad), c(bad, "IfNotPresent")));
            assert.ok(
                vs.every((v) => !v.message.includes("could not evaluate")),
                JSON.stringify(vs),
            );
        }
    });

    it("exemptImages reports the exempted container as advisory, naming the option and the glob", async () => {
        const vs = await run(
            withContainers(
                c("docker.io/library/busybox:1.36", "IfNotPresent", "tool"),
                c("ghcr.io/acme/app:1", "Never"),
            ),
            { [NAME]: { enforcementLevel: "mandatory", exemptImages: ["docker.io/library/busybox:1.*"] } },
        );
        assert.deepStrictEqual(
            vs.map((v) => v.enforcementLevel),
            ["advisory", "mandatory"],
        );
        assert.ok(
            vs[0].message.includes("allowed by option exemptImages: docker.io/library/busybox:1.*;"),
            vs[0].message,
        );
    });
});
