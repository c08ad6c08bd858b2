import { isDigestPinned } from "../../src/images/image-ref";
import { nist800190 } from "../../src/framework/compliance";
import { IMAGE_TAGS } from "../../src/images/image-policy";
import { defineDockerfilePolicy } from "../../src/dockerfile/dockerfile-policy";

import { judgeable, shown } from "../../src/dockerfile/base-images";

/** Base images and other images a build pulls must be pinned by digest. */
export const dockerfileBaseImageDigest = defineDockerfilePolicy({
    name: "dockerfile-base-image-digest",
    displayName: "Dockerfile base images are pinned by digest",
    description:
        "Every image a Dockerfile builds on or copies from (FROM, COPY --from, RUN --mount from=) must be pinned by " +
        "digest (name@sha256:<64 hex digits>), with ARG defaults and build arguments substituted; scratch and " +
        "earlier stages are exempt.",
    severity: "medium",
    tags: ["docker", "dockerfile", ...IMAGE_TAGS],
    remediationSteps:
        "Pin the base image by digest, e.g. FROM node:22-alpine@sha256:<digest> (docker buildx imagetools inspect " +
        "<image> shows it), and let a dependency bot update the digest.",
    url: "https://docs.docker.com/build/building/best-practices/#pin-base-image-versions",
    framework: nist800190("4.2.2 Stale images in registries (use immutable image names)"),
    options: {},
    check(df, ev) {
        for (const { image, parsed } of judgeable(df, ev)) {
            if (parsed !== "pinned" && !isDigestPinned(parsed)) {
                ev.violation({
                    at: image.context ?? df.at(image.instruction),
                    problem: `${shown(image)} is not pinned by a digest`,
                    fix: "append @sha256:<digest> to the image reference",
                });
            }
        }
    },
});
