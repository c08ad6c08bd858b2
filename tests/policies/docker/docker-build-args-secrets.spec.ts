// docker-build-args-secrets: build arguments of docker-build Images, docker Images and RemoteImages
// must not carry secrets (they are recorded in the image history and provenance).

import * as assert from "assert";
import { PolicyTester, unknown } from "../../../testkit";
import { detail, dockerPolicies, findings, inline, mandatory, withConfig } from "../../support/dockerfile";

describe("docker-build-args-secrets", () => {
    const P = "docker-build-args-secrets";
    it("docker-build buildArgs: secret names and credential-shaped values, never printed", async () => {
        const r = inline("FROM node:22", {
            buildArgs: {
                NPM_TOKEN: "hunter2hunter2",
                VERSION: "1.2.3",
                CONFIG: "AKIAIOSFODNN7EXAMPLE",
                EMPTY_PASSWORD: "",
                GITHUB_TOKEN: unknown,
            },
        });
        const vs = await findings(r, P, new PolicyTester({ policies: dockerPolicies }));
        // The engine sends props as a protobuf Struct, whose keys arrive sorted.
        assert.deepStrictEqual(vs.map(detail), [
            'docker-build Image app: build argument "CONFIG" looks like an AWS access key ID, and build arguments ' +
                "are recorded in the image history and in build provenance (buildArgs.CONFIG). Fix: pass it in " +
                "secrets and read it in the Dockerfile with RUN --mount=type=secret,id=<name>",
            'docker-build Image app: build argument "GITHUB_TOKEN" its name suggests a token, and build arguments ' +
                "are recorded in the image history and in build provenance (buildArgs.GITHUB_TOKEN). Fix: pass it " +
                "in secrets and read it in the Dockerfile with RUN --mount=type=secret,id=<name>",
            'docker-build Image app: build argument "NPM_TOKEN" its name suggests a token, and build arguments are ' +
                "recorded in the image history and in build provenance (buildArgs.NPM_TOKEN). Fix: pass it in " +
                "secrets and read it in the Dockerfile with RUN --mount=type=secret,id=<name>",
        ]);
        assert.ok(
            vs.every(
                (v) =>
                    v.enforcementLevel === "mandatory" &&
                    !v.message.includes("hunter2") &&
                    !v.message.includes("AKIAIOSFODNN7EXAMPLE"),
            ),
        );
    });

    it("docker Image build.args and RemoteImage build.buildArgs, with their own fix", async () => {
        const [image] = await findings(
            {
                type: "docker:index/image:Image",
                name: "api",
                props: { imageName: "x", build: { args: { DB_PASSWORD: "pw" } } },
            },
            P,
        );
        assert.ok(
            detail(image).includes(
                "(build.args.DB_PASSWORD). Fix: docker.Image cannot pass build secrets: build with docker-build.Image",
            ),
            detail(image),
        );
        const [remote] = await findings(
            {
                type: "docker:index/remoteImage:RemoteImage",
                name: "r",
                props: { name: "x", build: { context: ".", buildArgs: { AWS_ACCESS_KEY_ID: "id" } } },
            },
            P,
        );
        assert.ok(
            detail(remote).includes("(build.buildArgs.AWS_ACCESS_KEY_ID). Fix: pass it in build.secrets"),
            detail(remote),
        );
    });

    it("unknown build arguments are advisory; RemoteImages without build are not applicable", async () => {
        const [u] = await findings(inline("FROM node:22", { buildArgs: unknown }), P);
        assert.ok(
            u.enforcementLevel === "advisory" && detail(u).includes("buildArgs is not known during preview"),
            detail(u),
        );
        const r = await mandatory.analyze({
            type: "docker:index/remoteImage:RemoteImage",
            props: { name: "nginx:1.27" },
        });
        assert.ok(r.notApplicable.some((n) => n.policyName === P));
        assert.ok(r.notApplicable.some((n) => n.policyName === "dockerfile-non-root-user"));
    });

    it("ignoreNames", async () => {
        const t = withConfig({ [P]: { ignoreNames: ["NPM_TOKEN"] } });
        assert.deepStrictEqual(await findings(inline("FROM node:22", { buildArgs: { npm_token: "x" } }), P, t), []);
    });
});
