// The setup the Dockerfile policies' tests share: docker-build Images with an inline Dockerfile, run
// through the Docker runtime and Dockerfile policies as the engine does, and one policy's findings.

import * as assert from "assert";
import { dockerPolicies as dockerRuntimePolicies } from "../../policies/docker";
import { dockerfilePolicies } from "../../policies/dockerfile";
import { type PolicyPackConfig, PolicyTester, type PolicyViolation, type TestResource } from "../../testkit";

/** The Docker runtime and Dockerfile policies together. */
export const dockerPolicies = [...dockerRuntimePolicies, ...dockerfilePolicies];

export const mandatory = new PolicyTester({ policies: dockerPolicies }, { all: "mandatory" });
export const DIGEST = "sha256:" + "a".repeat(64);

/** A docker-build Image with an inline Dockerfile. */
export function inline(dockerfile: unknown, extra: Record<string, unknown> = {}, name = "app"): TestResource {
    return {
        type: "docker-build:index:Image",
        name,
        props: { push: false, tags: ["registry.example.com/app:1.0"], dockerfile: { inline: dockerfile }, ...extra },
    };
}

export async function findings(r: TestResource, policy: string, tester = mandatory) {
    return (await tester.analyze(r)).violations.filter((v) => v.policyName === policy);
}

export function detail(v: { message: string }): string {
    return v.message.split("\n")[1] ?? "";
}

export const withConfig = (config: PolicyPackConfig) =>
    new PolicyTester({ policies: dockerPolicies }, { all: "mandatory", ...config });

/**
 * The base images a Dockerfile pulls, as dockerfile-base-image-not-latest and
 * dockerfile-base-image-digest judge them, side by side: each policy's tests check their column.
 */
export const BASE_IMAGE_CASES: [string, string | undefined, string | undefined][] = [
    // Dockerfile, not-latest finding, digest finding
    ["FROM alpine", "FROM alpine has no tag, so it pulls latest", "FROM alpine is not pinned by a digest"],
    ["FROM alpine:latest", "FROM alpine:latest uses the latest tag", "is not pinned"],
    ["FROM alpine:3.19", undefined, "FROM alpine:3.19 is not pinned by a digest"],
    [`FROM alpine@${DIGEST}`, undefined, undefined],
    [`FROM alpine:latest@${DIGEST}`, undefined, undefined],
    ["FROM localhost:5000/app", "FROM localhost:5000/app has no tag", "is not pinned"],
    ["FROM scratch", undefined, undefined],
    ["FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nFROM build", undefined, "FROM golang:1.22 is not pinned"],
    ["ARG TAG=latest\nFROM alpine:${TAG}", 'FROM alpine:${TAG} ("alpine:latest") uses the latest tag', "is not pinned"],
    ["ARG IMAGE=alpine\nFROM $IMAGE", 'FROM $IMAGE ("alpine") has no tag', "is not pinned"],
    [
        `FROM alpine:3.19@${DIGEST} AS a\nFROM alpine@${DIGEST}\nCOPY --from=nginx:latest /x /y\nCOPY --from=A ` +
            `/x /y\nCOPY --from=0 /x /y\nCOPY --from=busybox@${DIGEST} /x /y`,
        "COPY --from=nginx:latest uses the latest tag (dockerfile.inline line 3)",
        "COPY --from=nginx:latest is not pinned",
    ],
    // COPY --from may name a later stage; FROM may not.
    [`FROM alpine@${DIGEST}\nCOPY --from=b /x /y\nFROM alpine@${DIGEST} AS b`, undefined, undefined],
    [`FROM b\nFROM alpine@${DIGEST} AS b`, "FROM b has no tag", "FROM b is not pinned"],
    [
        `FROM alpine@${DIGEST}\nRUN --mount=type=bind,from=golang,target=/go true`,
        "RUN --mount=...,from=golang has no tag",
        "RUN --mount=...,from=golang is not pinned",
    ],
    [`FROM app-$TARGETARCH@${DIGEST}`, undefined, undefined],
];

/** A policy's findings for one row of BASE_IMAGE_CASES: none, or one that includes the expected text. */
export function assertBaseImageFinding(vs: readonly PolicyViolation[], policy: string, expected: string | undefined) {
    if (expected === undefined) {
        assert.deepStrictEqual(vs.map(detail), [], policy);
    } else {
        assert.strictEqual(vs.length, 1, `${policy}: ${JSON.stringify(vs.map(detail))}`);
        assert.ok(detail(vs[0]).includes(expected), detail(vs[0]));
    }
}
