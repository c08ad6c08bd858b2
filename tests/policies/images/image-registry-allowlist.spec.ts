// image-registry-allowlist: normalized references compared with the allowed registries and
// repository prefixes by registry and whole path components, so that look-alike registries and
// repositories (evilgcr.io, gcr.io.evil.com, gcr.io/acme-evil) are not allowed by gcr.io/acme.

import * as assert from "assert";
import { imagePolicies } from "../../../policies/images";
import { PolicyTester, type TestResource, unknown } from "../../../testkit";
import { dockerContainer } from "../../support/docker";
import { NGINX, buildImage, detail, dockerImage, dockerTag, findings } from "../../support/images";
import { pod } from "../../support/workloads";

const POLICY = "image-registry-allowlist";

function withImages(...images: unknown[]): TestResource {
    return pod({ containers: images.map((image, i) => ({ name: `c${i}`, image })) });
}

/** The images of `images` the policy rejects with `allowed`. */
async function rejected(allowed: string[], ...images: string[]): Promise<string[]> {
    const vs = await findings(imagePolicies, POLICY, withImages(...images), { [POLICY]: { allowed } });
    return vs.map((v) => JSON.parse(/image ("(?:[^"\\]|\\.)*")/.exec(detail(v))![1]) as string);
}

describe("image-registry-allowlist", () => {
    it("allows everything by default (and then does not apply)", async () => {
        const r = await new PolicyTester({ policies: imagePolicies }).analyze(withImages("evilgcr.io/x:1", "nginx:1"));
        assert.ok(!r.violations.some((v) => v.policyName === POLICY));
        assert.ok(r.notApplicable.some((n) => n.policyName === POLICY));
    });

    it("matches the registry exactly and the path by whole components", async () => {
        const images = [
            "gcr.io/acme/app:1",
            "gcr.io/acme:1",
            "gcr.io/acme/team/app:1",
            "gcr.io/acme-evil/app:1",
            "evilgcr.io/acme/app:1",
            "gcr.io.evil.com/acme/app:1",
            "gcr.io/other/acme:1",
            "GCR.IO/acme/app:1",
        ];
        assert.deepStrictEqual(await rejected(["gcr.io/acme"], ...images), [
            "gcr.io/acme-evil/app:1",
            "evilgcr.io/acme/app:1",
            "gcr.io.evil.com/acme/app:1",
            "gcr.io/other/acme:1",
        ]);
    });

    it("treats a registry port as part of the registry", async () => {
        assert.deepStrictEqual(
            await rejected(
                ["localhost:5000"],
                "localhost:5000/app",
                "localhost/app",
                "localhost:5001/app",
                "localhost:5000/team/app:2",
            ),
            ["localhost/app", "localhost:5001/app"],
        );
        assert.deepStrictEqual(await rejected(["localhost"], "localhost:5000/app", "localhost/app"), [
            "localhost:5000/app",
        ]);
    });

    it("normalizes Docker Hub names: nginx is docker.io/library/nginx", async () => {
        const images = [
            "nginx",
            "library/nginx:1",
            "docker.io/nginx:1",
            "index.docker.io/library/nginx",
            "bitnami/redis:7",
            "docker.io/bitnami/redis",
        ];
        assert.deepStrictEqual(await rejected(["docker.io/library"], ...images), [
            "bitnami/redis:7",
            "docker.io/bitnami/redis",
        ]);
        assert.deepStrictEqual(await rejected(["docker.io/bitnami/redis"], ...images), [
            "nginx",
            "library/nginx:1",
            "docker.io/nginx:1",
            "index.docker.io/library/nginx",
        ]);
        const [v] = await findings(imagePolicies, POLICY, withImages("bitnami/redis:7"), {
            [POLICY]: { allowed: ["docker.io/library", "ghcr.io/acme"] },
        });
        assert.strictEqual(
            detail(v),
            'Pod prod/web, container "c0": image "bitnami/redis:7" comes from docker.io/bitnami/redis, which is not ' +
                "in the allowed registries and repositories (docker.io/library, ghcr.io/acme) " +
                "(spec.containers[0].image). Fix: use an image from an allowed registry or repository, or add its " +
                "registry or repository to the policy's allowed option",
        );
        assert.strictEqual(v.enforcementLevel, "mandatory");
    });

    it("*.host allows any subdomain, not the host itself or look-alikes", async () => {
        const images = [
            "registry.example.com/app",
            "a.b.example.com/app",
            "example.com/app",
            "evilexample.com/app",
            "registry.example.com.evil.io/app",
        ];
        assert.deepStrictEqual(await rejected(["*.example.com"], ...images), [
            "example.com/app",
            "evilexample.com/app",
            "registry.example.com.evil.io/app",
        ]);
    });

    it("passes image IDs (local content) and rejects references it cannot read", async () => {
        const vs = await findings(imagePolicies, POLICY, withImages(NGINX.id, "gcr.io/acme/app@sha256:abc", 7), {
            [POLICY]: { allowed: ["gcr.io/acme"] },
        });
        assert.deepStrictEqual(
            vs.map((v) => /: (image .*) \(spec/.exec(detail(v))?.[1]),
            [
                'image "gcr.io/acme/app@sha256:abc" is not a valid image reference (a sha256 digest must be 64 ' +
                    "lowercase hexadecimal digits; this one has 3 hexadecimal digits), so its registry cannot be " +
                    "checked against the allowed list (gcr.io/acme)",
                'image "7" is not a valid image reference (it is a number, not a string), so its registry cannot be ' +
                    "checked against the allowed list (gcr.io/acme)",
            ],
        );
    });

    it("judges where images are pushed, and Docker containers", async () => {
        const config = { [POLICY]: { allowed: ["ghcr.io/acme"] } };
        const built = await findings(
            imagePolicies,
            POLICY,
            buildImage({ push: true, tags: ["ghcr.io/acme/web:1", "docker.io/acme/web:1"] }),
            config,
        );
        assert.deepStrictEqual(
            built.map((v) => /\(([^()]*)\)\. Fix/.exec(detail(v))?.[1]),
            ["tags[1]"],
        );
        assert.strictEqual(
            (await findings(imagePolicies, POLICY, dockerImage({ imageName: "registry.evil.io/web:1" }), config))
                .length,
            1,
        );
        assert.strictEqual(
            (await findings(imagePolicies, POLICY, dockerContainer({ image: "quay.io/x/y:1" }), config)).length,
            1,
        );
    });

    it("judges both names of a docker.Tag: the image copied and the name it is published under", async () => {
        const vs = await findings(
            imagePolicies,
            POLICY,
            dockerTag({ sourceImage: "quay.io/x/y:1", targetImage: "docker.io/acme/y:1" }),
            { [POLICY]: { allowed: ["ghcr.io/acme"] } },
        );
        assert.deepStrictEqual(
            vs.map((v) => /^(docker Tag tag: [a-z]+ image "[^"]*")/.exec(detail(v))?.[1] ?? detail(v)),
            ['docker Tag tag: source image "quay.io/x/y:1"', 'docker Tag tag: target image "docker.io/acme/y:1"'],
        );
        assert.ok(detail(vs[1]).includes("(targetImage)"), detail(vs[1]));
    });

    it("an unknown image is an advisory when a list is configured", async () => {
        const vs = await findings(imagePolicies, POLICY, withImages(unknown), {
            [POLICY]: { allowed: ["ghcr.io/acme"] },
        });
        assert.deepStrictEqual(
            vs.map((v) => v.enforcementLevel),
            ["advisory"],
        );
        assert.ok(detail(vs[0]).includes("spec.containers[0].image is not known during preview"));
    });

    it("rejects entries that do not name a registry, with the expected form", async () => {
        for (const [entry, shown] of [
            ["nginx", '"nginx"'],
            ["acme/app", '"acme/app"'],
            ["gcr.io/Acme", '"gcr.io/Acme"'],
            ["https://gcr.io/acme", '"https://gcr.io/acme"'],
            ["gcr.io/acme/", '"gcr.io/acme/"'],
        ]) {
            await assert.rejects(
                () =>
                    new PolicyTester({ policies: imagePolicies }, { [POLICY]: { allowed: [entry] } }).analyze(
                        withImages("nginx:1"),
                    ),
                (err: Error) => {
                    assert.ok(
                        err.message.includes(
                            `invalid configuration for policy "${POLICY}": allowed[0] ${shown} is not valid: use a ` +
                                `registry host`,
                        ),
                        err.message,
                    );
                    return true;
                },
            );
        }
    });
});

describe("image-registry-allowlist: denied", () => {
    const denied = async (config: Record<string, unknown>, ...images: unknown[]) =>
        findings(imagePolicies, POLICY, withImages(...images), { [POLICY]: config });

    it("denied alone applies the policy and reports only the denied registries", async () => {
        const vs = await denied(
            { denied: ["k8s.gcr.io"] },
            "k8s.gcr.io/pause:3.9",
            "registry.k8s.io/pause:3.9",
            "K8S.GCR.IO/kube-proxy:v1.28.0",
            "nginx:1",
        );
        assert.deepStrictEqual(
            vs.map((v) => detail(v)),
            [
                'Pod prod/web, container "c0": image "k8s.gcr.io/pause:3.9" comes from k8s.gcr.io/pause, which the ' +
                    'denied entry "k8s.gcr.io" covers (spec.containers[0].image). Fix: use the image from another ' +
                    "registry or repository (e.g. registry.k8s.io instead of k8s.gcr.io), or remove the entry from " +
                    "the policy's denied option",
                'Pod prod/web, container "c2": image "K8S.GCR.IO/kube-proxy:v1.28.0" comes from ' +
                    'K8S.GCR.IO/kube-proxy, which the denied entry "k8s.gcr.io" covers (spec.containers[2].image). ' +
                    "Fix: use the image from another registry or repository (e.g. registry.k8s.io instead of " +
                    "k8s.gcr.io), or remove the entry from the policy's denied option",
            ],
        );
        assert.ok(vs.every((v) => v.enforcementLevel === "mandatory"));
        const r = await new PolicyTester({ policies: imagePolicies }, { [POLICY]: { denied: ["k8s.gcr.io"] } }).analyze(
            withImages("nginx:1"),
        );
        assert.ok(!r.notApplicable.some((n) => n.policyName === POLICY), "denied alone makes the policy apply");
    });

    it("is checked after allowed: a denied repository inside an allowed registry is reported once", async () => {
        const config = { allowed: ["docker.io", "ghcr.io/acme"], denied: ["docker.io/bitnami", "*.evil.io"] };
        const vs = await denied(
            config,
            "docker.io/bitnami/redis:7",
            "bitnami/redis:7",
            "docker.io/bitnamix/redis:7",
            "nginx:1",
            "quay.io/x/y:1",
            "ghcr.io/acme/app:1",
        );
        assert.deepStrictEqual(
            vs.map((v) => /: (image "[^"]*" comes from [^(]*) \(/.exec(detail(v))?.[1]),
            [
                'image "docker.io/bitnami/redis:7" comes from docker.io/bitnami/redis, which the denied entry ' +
                    '"docker.io/bitnami" covers',
                'image "bitnami/redis:7" comes from docker.io/bitnami/redis, which the denied entry ' +
                    '"docker.io/bitnami" covers',
                'image "quay.io/x/y:1" comes from quay.io/x/y, which is not in the allowed registries and ' +
                    "repositories",
            ],
        );
        // A wildcard denies subdomains, not the host itself or look-alikes.
        const wild = await denied({ denied: ["*.evil.io"] }, "registry.evil.io/x:1", "evil.io/x:1", "notevil.io/x:1");
        assert.deepStrictEqual(
            wild.map((v) => /image "([^"]*)"/.exec(detail(v))?.[1]),
            ["registry.evil.io/x:1"],
        );
    });

    it("an invalid reference cannot be checked against either list, and says so", async () => {
        const vs = await denied({ allowed: ["ghcr.io"], denied: ["ghcr.io/legacy"] }, "ghcr.io/acme/app@sha256:abc");
        assert.ok(
            detail(vs[0]).includes(
                "so its registry cannot be checked against the allowed list (ghcr.io) and the denied " +
                    "list (ghcr.io/legacy)",
            ),
            detail(vs[0]),
        );
    });

    it("judges Docker containers and pushed images; unknown images stay advisory", async () => {
        const config = { [POLICY]: { denied: ["k8s.gcr.io"] } };
        assert.strictEqual(
            (await findings(imagePolicies, POLICY, dockerContainer({ image: "k8s.gcr.io/pause:3.9" }), config)).length,
            1,
        );
        assert.strictEqual(
            (await findings(imagePolicies, POLICY, buildImage({ push: true, tags: ["k8s.gcr.io/x:1"] }), config))
                .length,
            1,
        );
        const vs = await findings(imagePolicies, POLICY, withImages(unknown), config);
        assert.deepStrictEqual(
            vs.map((v) => v.enforcementLevel),
            ["advisory"],
        );
    });

    it("validates denied entries like allowed ones", async () => {
        await assert.rejects(
            () =>
                new PolicyTester({ policies: imagePolicies }, { [POLICY]: { denied: ["pause"] } }).analyze(
                    withImages("nginx:1"),
                ),
            new RegExp(
                /invalid configuration for policy "image-registry-allowlist": /.source +
                    /denied\[0\] "pause" is not valid: use a registry host/.source,
            ),
        );
    });

    it("exemptImages reports a denied image as advisory, naming the option", async () => {
        const vs = await denied(
            { enforcementLevel: "mandatory", denied: ["k8s.gcr.io"], exemptImages: ["k8s.gcr.io/pause"] },
            "k8s.gcr.io/pause:3.9",
            "k8s.gcr.io/kube-proxy:v1.28.0",
        );
        assert.deepStrictEqual(
            vs.map((v) => v.enforcementLevel),
            ["advisory", "mandatory"],
        );
        assert.ok(vs[0].message.includes("allowed by option exemptImages: k8s.gcr.io/pause;"), vs[0].message);
    });
});
