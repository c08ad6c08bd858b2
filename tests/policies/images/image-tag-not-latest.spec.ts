// image-tag-not-latest on every resource that names images: Kubernetes containers (init, regular,
// ephemeral) and image volumes, the Docker providers' resources, and images built and pushed;
// references unknown during preview; malformed references.

import * as assert from "assert";
import { imagePolicies } from "../../../policies/images";
import { type TestResource, unknown } from "../../../testkit";
import { dockerContainer, dockerService } from "../../support/docker";
import {
    NGINX,
    buildImage,
    buildIndex,
    detail,
    dockerImage,
    dockerTag,
    findings,
    registryImage,
    remoteImage,
} from "../../support/images";
import { deployment, pod } from "../../support/workloads";

const TAG = "image-tag-not-latest";

const run = (policy: string, r: TestResource, config = {}) => findings(imagePolicies, policy, r, config);

describe("image-tag-not-latest", () => {
    it("reports latest and missing tags at its default level (mandatory); a registry port is not a tag", async () => {
        const vs = await run(
            TAG,
            deployment({
                initContainers: [{ name: "init", image: "localhost:5000/migrate" }],
                containers: [
                    { name: "app", image: "nginx:latest" },
                    { name: "ok", image: "registry.example.com:5000/team/app:2.1" },
                ],
                ephemeralContainers: [{ name: "debug", image: "busybox" }],
            }),
        );
        assert.deepStrictEqual(vs.map(detail), [
            'Deployment prod/web, init container "init": image "localhost:5000/migrate" has no tag, so it means ' +
                'localhost:5000/migrate:latest ("localhost:5000" is the registry and its port, not a tag) ' +
                "(spec.template.spec.initContainers[0].image). Fix: use a version tag, e.g. " +
                "localhost:5000/migrate:1.2.3, or pin a digest (localhost:5000/migrate@sha256:<digest>)",
            'Deployment prod/web, container "app": image "nginx:latest" uses the tag latest, which names whatever ' +
                "was pushed last (spec.template.spec.containers[0].image). Fix: use a version tag, e.g. " +
                "nginx:1.2.3, or pin a digest (nginx@sha256:<digest>)",
            'Deployment prod/web, ephemeral container "debug": image "busybox" has no tag, so it means ' +
                "busybox:latest (spec.template.spec.ephemeralContainers[0].image). Fix: use a version tag, e.g. " +
                "busybox:1.2.3, or pin a digest (busybox@sha256:<digest>)",
        ]);
        assert.ok(vs.every((v) => v.enforcementLevel === "mandatory"));
    });

    it("a digest decides what is pulled, so latest or no tag next to it passes; so do image IDs", async () => {
        for (const image of [
            `nginx:latest@${NGINX.digest}`,
            `nginx@${NGINX.digest}`,
            `localhost:5000/app@${NGINX.digest}`,
            NGINX.id,
        ]) {
            assert.deepStrictEqual(await run(TAG, pod({ containers: [{ name: "a", image }] })), [], image);
        }
    });

    it("reports malformed references (a naive ':latest' search would miss or mis-read these)", async () => {
        const vs = await run(
            TAG,
            pod({
                containers: [
                    { name: "a", image: "nginx:" },
                    { name: "b", image: "docker.io/Library/nginx:latest" },
                ],
            }),
        );
        assert.deepStrictEqual(
            vs.map((v) => /not a valid image reference: (.*) \(spec/.exec(detail(v))?.[1]),
            ['the tag after ":" is empty', 'repository name "Library/nginx" must be lowercase'],
        );
    });

    it("judges image volumes and Docker containers, services and pulled images", async () => {
        const cases: [TestResource, string][] = [
            [
                pod({
                    containers: [{ name: "a", image: "a:1" }],
                    volumes: [{ name: "data", image: { reference: "ghcr.io/acme/data" } }],
                }),
                "spec.volumes[0].image.reference",
            ],
            [dockerContainer({ image: "nginx" }), "image"],
            [dockerService({ image: "nginx:latest" }), "taskSpec.containerSpec.image"],
            [remoteImage({ name: "nginx:latest" }), "name"],
            [buildIndex({ tag: "ghcr.io/acme/web:1.0", sources: ["ghcr.io/acme/web:latest"] }), "sources[0]"],
        ];
        for (const [r, at] of cases) {
            const vs = await run(TAG, r);
            assert.strictEqual(vs.length, 1, r.type);
            assert.ok(detail(vs[0]).includes(`(${at})`), detail(vs[0]));
        }
    });

    describe("images built and pushed", () => {
        it("docker.Image imageName and docker.RegistryImage name", async () => {
            const [v] = await run(TAG, dockerImage({ imageName: "ghcr.io/acme/web", build: { context: "." } }));
            assert.strictEqual(
                detail(v),
                'docker Image img: image name "ghcr.io/acme/web" has no tag, so it means ghcr.io/acme/web:latest ' +
                    "(imageName). Fix: push the image under a version tag, e.g. ghcr.io/acme/web:1.0.0 (alone or " +
                    "next to latest)",
            );
            assert.strictEqual((await run(TAG, registryImage({ name: "ghcr.io/acme/web:latest" }))).length, 1);
            assert.deepStrictEqual(await run(TAG, dockerImage({ imageName: "ghcr.io/acme/web:1.4.2" })), []);
        });

        it("latest next to a version tag is fine; latest alone is not", async () => {
            assert.deepStrictEqual(
                await run(TAG, buildImage({ push: true, tags: ["ghcr.io/acme/web:latest", "ghcr.io/acme/web:1.4.2"] })),
                [],
            );
            const vs = await run(
                TAG,
                buildImage({ push: true, tags: ["ghcr.io/acme/web:latest", "ghcr.io/acme/web"] }),
            );
            assert.deepStrictEqual(
                vs.map((v) => /\(([^()]*)\)\. Fix/.exec(detail(v))?.[1]),
                ["tags[0]", "tags[1]"],
            );
        });

        it("images that are not pushed are judged where they are run, not where they are built", async () => {
            assert.deepStrictEqual(await run(TAG, dockerImage({ imageName: "app", skipPush: true })), []);
            assert.deepStrictEqual(await run(TAG, buildImage({ push: false, tags: ["app:latest"] })), []);
            assert.deepStrictEqual(await run(TAG, buildIndex({ push: false, tag: "app", sources: [] })), []);
            // ... unless an export pushes them to a registry.
            assert.strictEqual(
                (await run(TAG, buildImage({ push: false, tags: ["app:latest"], exports: [{ registry: {} }] }))).length,
                1,
            );
        });

        it("docker.Tag: the target must name a version, and the source is judged as the image it copies", async () => {
            const [target] = await run(
                TAG,
                dockerTag({ sourceImage: "ghcr.io/acme/web:1.4.2", targetImage: "registry.example.com/web:latest" }),
            );
            assert.strictEqual(
                detail(target),
                'docker Tag tag: target image "registry.example.com/web:latest" uses the tag latest, which is moved ' +
                    "by every push (targetImage). Fix: push the image under a version tag, e.g. " +
                    "registry.example.com/web:1.0.0 (alone or next to latest)",
            );
            assert.ok(detail(target).includes("(targetImage)"), detail(target));
            assert.strictEqual(target.enforcementLevel, "mandatory");
            const [source] = await run(
                TAG,
                dockerTag({ sourceImage: "nginx", targetImage: "ghcr.io/acme/nginx:1.27" }),
            );
            assert.ok(detail(source).startsWith('docker Tag tag: source image "nginx" has no tag'), detail(source));
            assert.ok(detail(source).includes("(sourceImage)"), detail(source));
            assert.deepStrictEqual(
                await run(TAG, dockerTag({ sourceImage: NGINX.id, targetImage: "ghcr.io/acme/nginx:1.27.3" })),
                [],
            );
            const unknownTarget = await run(TAG, dockerTag({ sourceImage: NGINX.id, targetImage: unknown }));
            assert.deepStrictEqual(
                unknownTarget.map((v) => [v.enforcementLevel, detail(v).split(" is not known")[0]]),
                [["advisory", "docker Tag tag: targetImage"]],
            );
            for (const bad of [{}, { targetImage: 3, sourceImage: null }, { targetImage: ["a:latest"] }]) {
                const vs = await run(TAG, dockerTag(bad));
                assert.ok(
                    vs.every((v) => !v.message.includes("could not evaluate")),
                    JSON.stringify(vs),
                );
            }
        });

        it("unknown tags are advisories naming the field", async () => {
            const all = await run(TAG, buildImage({ push: true, tags: unknown }), { all: "mandatory" });
            assert.deepStrictEqual(
                all.map((v) => [v.enforcementLevel, detail(v).split(" is not known")[0]]),
                [["advisory", "docker-build Image img: tags"]],
            );
            const one = await run(TAG, buildImage({ push: true, tags: [unknown, "app:latest"] }), { all: "mandatory" });
            assert.deepStrictEqual(
                one.map((v) => [v.enforcementLevel, /\(?(tags\[\d\])/.exec(detail(v))?.[1]]),
                [
                    ["mandatory", "tags[1]"],
                    ["advisory", "tags[0]"],
                ],
            );
        });
    });
});
