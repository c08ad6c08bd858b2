import { judgeable, shown } from "../../src/dockerfile/base-images";
import { pulledTag } from "../../src/images/image-ref";
import { nist800190 } from "../../src/framework/compliance";
import { IMAGE_TAGS } from "../../src/images/image-policy";
import { defineDockerfilePolicy } from "../../src/dockerfile/dockerfile-policy";

/** Base images must name a version: neither `latest` nor no tag at all. */
export const dockerfileBaseImageNotLatest = defineDockerfilePolicy({
    name: "dockerfile-base-image-not-latest",
    displayName: "Dockerfile base images do not use latest",
    description:
        "Images a Dockerfile builds on or copies from must name a specific tag: neither latest nor no tag at all " +
        "(which means latest), unless a digest pins them; scratch and earlier stages are exempt.",
    severity: "high",
    tags: ["docker", "dockerfile", ...IMAGE_TAGS],
    remediationSteps:
        "Name the version the image was tested with, e.g. FROM python:3.12-slim, and better pin it by digest as well.",
    url: "https://docs.docker.com/build/building/best-practices/#pin-base-image-versions",
    framework: nist800190("4.2.2 Stale images in registries (use immutable image names)"),
    options: {},
    check(df, ev) {
        for (const { image, parsed } of judgeable(df, ev)) {
            if (parsed === "pinned" || parsed.kind === "id" || pulledTag(parsed) !== "latest") {
                continue;
            }
            ev.violation({
                at: image.context ?? df.at(image.instruction),
                problem:
                    parsed.tag === undefined
                        ? `${shown(image)} has no tag, so it pulls latest`
                        : `${shown(image)} uses the latest tag`,
                fix: "name a specific version tag (and pin it by digest)",
            });
        }
    },
});
