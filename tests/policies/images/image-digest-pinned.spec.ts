// image-digest-pinned on every resource that names images: Kubernetes containers (init, regular,
// ephemeral) and image volumes in every workload shape, and the Docker providers' resources;
// references unknown during preview; malformed references.

import * as assert from "assert";
import { imagePolicies } from "../../../policies/images";
import { PolicyTester, type TestResource, unknown } from "../../../testkit";
import { dockerContainer, dockerService } from "../../support/docker";
import {
    NGINX,
    WEB,
    buildImage,
    buildIndex,
    detail,
    dockerImage,
    dockerTag,
    findings,
    registryImage,
    remoteImage,
} from "../../support/images";
import { deployment, pod, workloadProps } from "../../support/workloads";

const DIGEST = "image-digest-pinned";
const PINNED = `ghcr.io/acme/web:1.4.2@${WEB.digest}`;

const run = (policy: string, r: TestResource, config = {}) => findings(imagePolicies, policy, r, config);

describe("image-digest-pinned", () => {
    it(
        "reports every container list, with the container " + "and the JSON path, at its default level (advisory)",
        async () => {
            const vs = await run(
                DIGEST,
                pod({
                    initContainers: [{ name: "init", image: "busybox:1.36" }],
                    containers: [{ name: "app", image: "nginx:1.27" }],
                    ephemeralContainers: [{ name: "debug", image: "busybox" }],
                }),
            );
            assert.deepStrictEqual(vs.map(detail), [
                'Pod prod/web, init container "init": image "busybox:1.36" is not pinned by a digest ' +
                    '(the tag "1.36" can be moved) (spec.initContainers[0].image). ' +
                    "Fix: pin it by digest: busybox:1.36@sha256:<digest>",
                'Pod prod/web, container "app": image "nginx:1.27" is not pinned by a digest (the tag "1.27" can be ' +
                    "moved) (spec.containers[0].image). Fix: pin it by digest: nginx:1.27@sha256:<digest>",
                'Pod prod/web, ephemeral container "debug": image "busybox" is not pinned by a digest ' +
                    "(spec.ephemeralContainers[0].image). Fix: pin it by digest: busybox@sha256:<digest>",
            ]);
            assert.ok(vs.every((v) => v.enforcementLevel === "advisory"));
        },
    );

    it("passes digests with or without a tag, and image IDs", async () => {
        for (const image of [
            PINNED,
            `nginx@${NGINX.digest}`,
            `localhost:5000/app@${NGINX.digest}`,
            `app:latest@${NGINX.digest}`,
            NGINX.id,
            NGINX.id.slice("sha256:".length),
        ]) {
            assert.deepStrictEqual(await run(DIGEST, deployment({ containers: [{ name: "a", image }] })), [], image);
        }
    });

    it("does not count any '@' as a digest: the digest must be sha256 with 64 lowercase hex digits", async () => {
        const cases: [string, RegExp][] = [
            [
                "nginx@sha256:abc",
                /not a valid image reference: a sha256 digest must be 64 lowercase hexadecimal digits; this one has 3/,
            ],
            ["nginx@latest", /not a valid image reference: digest "latest" has no algorithm/],
            [`nginx@sha256:${"A".repeat(64)}`, /uppercase/],
            [`nginx@md5:${"a".repeat(32)}`, /algorithm "md5" is not supported/],
        ];
        for (const [image, expected] of cases) {
            const vs = await run(DIGEST, deployment({ containers: [{ name: "a", image }] }), { all: "mandatory" });
            assert.strictEqual(vs.length, 1, image);
            assert.match(detail(vs[0]), expected);
            assert.strictEqual(vs[0].enforcementLevel, "mandatory");
        }
    });

    it("reports image volumes (volumes[].image.reference)", async () => {
        const vs = await run(
            DIGEST,
            deployment({
                containers: [{ name: "a", image: PINNED }],
                volumes: [
                    { name: "models", image: { reference: "ghcr.io/acme/models:v3" } },
                    { name: "tmp", emptyDir: {} },
                ],
            }),
        );
        assert.deepStrictEqual(vs.map(detail), [
            'Deployment prod/web: volume "models" image "ghcr.io/acme/models:v3" is not pinned by a digest (the tag ' +
                '"v3" can be moved) (spec.template.spec.volumes[0].image.reference). Fix: pin it by digest: ' +
                "ghcr.io/acme/models:v3@sha256:<digest>",
        ]);
    });

    it("judges every workload shape at its own path: CronJob, List, Patch", async () => {
        const spec = { containers: [{ name: "a", image: "nginx:1.27" }] };
        const cases: [string, string][] = [
            ["kubernetes:batch/v1:CronJob", "spec.jobTemplate.spec.template.spec.containers[0].image"],
            ["kubernetes:apps/v1:DeploymentList", "items[0].spec.template.spec.containers[0].image"],
            ["kubernetes:apps/v1:DeploymentPatch", "spec.template.spec.containers[0].image"],
            ["kubernetes:argoproj.io/v1alpha1:Rollout", "spec.template.spec.containers[0].image"],
        ];
        for (const [type, at] of cases) {
            const vs = await run(DIGEST, { type, name: "w", props: workloadProps(type, spec) });
            assert.strictEqual(vs.length, 1, type);
            assert.ok(detail(vs[0]).includes(`(${at})`), detail(vs[0]));
        }
        // A patch that does not set the image has nothing to judge.
        assert.deepStrictEqual(
            await run(DIGEST, {
                type: "kubernetes:apps/v1:DeploymentPatch",
                props: workloadProps("kubernetes:apps/v1:DeploymentPatch", {
                    containers: [{ name: "a", resources: {} }],
                }),
            }),
            [],
        );
    });

    it(
        "reports malformed references and values that are " + "not strings; leaves containers without an image alone",
        async () => {
            const vs = await run(
                DIGEST,
                deployment({
                    containers: [
                        { name: "a", image: "Nginx:1" },
                        { name: "b", image: 42 },
                        { name: "c", image: ["nginx"] },
                        { name: "d" },
                        { name: "e", image: "" },
                    ],
                }),
            );
            assert.deepStrictEqual(
                vs.map((v) => /: (.*) \(spec/.exec(detail(v))?.[1]),
                [
                    'image "Nginx:1" is not a valid image reference: repository name "Nginx" must be lowercase',
                    'image "42" is not a valid image reference: it is a number, not a string',
                    'image "[\\"nginx\\"]" is not a valid image reference: it is an array, not a string',
                    'image "" is not a valid image reference: it is empty',
                ],
            );
        },
    );

    it("an unknown image is an advisory naming the field; known siblings are still judged", async () => {
        const vs = await run(
            DIGEST,
            deployment({
                containers: [
                    { name: "built", image: unknown },
                    { name: "side", image: "envoy:1.30" },
                ],
            }),
            { all: "mandatory" },
        );
        assert.deepStrictEqual(
            vs.map((v) => [v.enforcementLevel, detail(v).slice(0, 90)]),
            [
                [
                    "mandatory",
                    'Deployment prod/web, container "side": image "envoy:1.30" is not pinned by a digest (the t',
                ],
                [
                    "advisory",
                    'Deployment prod/web, container "built": spec.template.spec.containers[0].image is not know',
                ],
            ],
        );
        assert.ok(detail(vs[1]).endsWith("it is checked when the value is known (pulumi up)."));
    });

    it("unknown container lists and entries are advisories too", async () => {
        const vs = await run(
            DIGEST,
            deployment({
                initContainers: unknown,
                containers: [unknown, { name: "b", image: "b:1" }],
                volumes: [{ name: "v", image: unknown }],
            }),
        );
        const unknowns = vs
            .filter((v) => v.message.includes("is not known during preview"))
            .map((v) => /: (\S+) is not known/.exec(detail(v))?.[1]);
        assert.deepStrictEqual(unknowns.sort(), [
            "spec.template.spec.containers[0]",
            "spec.template.spec.initContainers",
            "spec.template.spec.volumes[0].image",
        ]);
        assert.strictEqual(vs.filter((v) => v.message.includes("not pinned")).length, 1);
    });

    describe("Docker resources", () => {
        it("docker.Container image, including an image ID (remoteImage.imageId) and an unknown image", async () => {
            const [v] = await run(DIGEST, dockerContainer({ image: "nginx:1.27" }));
            assert.strictEqual(
                detail(v),
                'docker Container web: image "nginx:1.27" is not pinned by a digest (the tag "1.27" can be moved) ' +
                    "(image). Fix: pin it by digest: nginx:1.27@sha256:<digest>",
            );
            assert.deepStrictEqual(await run(DIGEST, dockerContainer({ image: NGINX.id })), []);
            const u = await run(DIGEST, dockerContainer({ image: unknown }));
            assert.deepStrictEqual(
                u.map((x) => [x.enforcementLevel, detail(x).split(" is not known")[0]]),
                [["advisory", "docker Container web: image"]],
            );
        });

        it("docker.Service task spec image; an unknown task spec is named", async () => {
            const [v] = await run(DIGEST, dockerService({ image: "redis:7.2" }));
            assert.ok(
                detail(v).startsWith('docker Service web: image "redis:7.2" is not pinned by a digest') &&
                    detail(v).includes("(taskSpec.containerSpec.image)"),
                detail(v),
            );
            assert.deepStrictEqual(await run(DIGEST, dockerService({ image: `redis:7.2@${NGINX.digest}` })), []);
            const u = await run(DIGEST, {
                type: "docker:index/service:Service",
                name: "web",
                props: { taskSpec: unknown },
            });
            assert.ok(
                detail(u[0]).startsWith("docker Service web: taskSpec is not known during preview"),
                detail(u[0]),
            );
        });

        it("docker.RemoteImage name is pulled (unless it is built locally with build)", async () => {
            const [v] = await run(DIGEST, remoteImage({ name: "ghcr.io/acme/web:1.4.2" }));
            assert.ok(
                detail(v).includes(
                    'docker RemoteImage img: image "ghcr.io/acme/web:1.4.2" is not pinned by a digest',
                ) && detail(v).includes("(name)"),
            );
            assert.deepStrictEqual(await run(DIGEST, remoteImage({ name: "app:dev", build: { context: "." } })), []);
        });

        it("docker.Tag: the source image it copies is judged, the name it gives is not", async () => {
            const vs = await run(DIGEST, dockerTag({ sourceImage: "nginx:1.27", targetImage: "ghcr.io/acme/nginx:1" }));
            assert.deepStrictEqual(
                vs.map((v) => detail(v)),
                [
                    'docker Tag tag: source image "nginx:1.27" is not pinned by a digest (the tag "1.27" can be ' +
                        "moved) (sourceImage). Fix: pin it by digest: nginx:1.27@sha256:<digest>",
                ],
            );
            assert.deepStrictEqual(
                await run(DIGEST, dockerTag({ sourceImage: NGINX.id, targetImage: "ghcr.io/acme/nginx:1" })),
                [],
            );
        });

        it(
            "docker-build Index sources are judged; built " + "images are not (they get their digest when pushed)",
            async () => {
                const vs = await run(
                    DIGEST,
                    buildIndex({
                        tag: "ghcr.io/acme/web:1.4.2",
                        sources: [`ghcr.io/acme/web@${WEB.digest}`, "ghcr.io/acme/web:arm64"],
                    }),
                );
                assert.deepStrictEqual(
                    vs.map((v) => /\(([^()]*)\)\. Fix/.exec(detail(v))?.[1]),
                    ["sources[1]"],
                );
                for (const r of [
                    buildImage({ tags: ["ghcr.io/acme/web:1.4.2"], push: true }),
                    dockerImage({ imageName: "ghcr.io/acme/web:1.4.2" }),
                    registryImage({ name: "ghcr.io/acme/web:1.4.2" }),
                ]) {
                    const result = await new PolicyTester({ policies: imagePolicies }).analyze(r);
                    assert.ok(
                        result.notApplicable.some((n) => n.policyName === DIGEST),
                        r.type,
                    );
                }
            },
        );
    });
});
