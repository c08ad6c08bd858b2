import { Evaluation } from "../../core/policy";
import { ImageId, ImageReference, isDigestPinned, parseImageRef, pulledTag, quote } from "../../core/image-ref";
import { nist800190 } from "../../core/frameworks";
import { IMAGE_TAGS } from "../images/image-policy";
import { DockerfileUnderTest, PulledImage, defineDockerfilePolicy, pulledImages, reportUnresolved } from "./dockerfile-policy";

/** A digest at the end of a reference, which pins it whatever variables the rest depends on. */
const TRAILING_DIGEST = /@sha(256:[a-f0-9]{64}|384:[a-f0-9]{96}|512:[a-f0-9]{128})$/;

/** How a message names a pulled image: as written, with what it resolves to when that differs. */
function shown(image: PulledImage): string {
    const written = image.written;
    const text = image.ref.text;
    return written.endsWith(text) ? written : `${written} (${quote(text)})`;
}

/**
 * The pulled images that can be judged, parsed. Images pinned by a literal trailing digest are
 * `pinned` even when other parts are unresolved; other unresolved or invalid references are
 * reported (unknown, or advisory) and left out.
 */
function judgeable(df: DockerfileUnderTest, ev: Evaluation<unknown>): { image: PulledImage; parsed: ImageReference | ImageId | "pinned" }[] {
    const out: { image: PulledImage; parsed: ImageReference | ImageId | "pinned" }[] = [];
    for (const image of pulledImages(df, ev)) {
        const at = image.context ?? df.at(image.instruction);
        if (image.ref.unresolved.length > 0 && TRAILING_DIGEST.test(image.ref.text)) {
            out.push({ image, parsed: "pinned" });
            continue;
        }
        if (reportUnresolved(ev, image.ref, image.written, at)) {
            continue;
        }
        const parsed = parseImageRef(image.ref.text);
        if (parsed.kind === "error") {
            ev.violation({ at, advisory: true, problem: `${shown(image)} is not a valid image reference: ${parsed.reason}`, fix: "write it as [registry[:port]/]repository[:tag]@sha256:<64 hex digits>" });
            continue;
        }
        out.push({ image, parsed });
    }
    return out;
}

/** Base images and other images a build pulls must be pinned by digest. */
export const dockerfileBaseImageDigest = defineDockerfilePolicy({
    name: "dockerfile-base-image-digest",
    displayName: "Dockerfile base images are pinned by digest",
    description:
        "Every image a Dockerfile builds on or copies from (FROM, COPY --from, RUN --mount from=) must be pinned by digest (name@sha256:<64 hex digits>), with ARG defaults and build arguments substituted; scratch and earlier stages are exempt.",
    severity: "medium",
    tags: ["docker", "dockerfile", ...IMAGE_TAGS],
    remediationSteps:
        "Pin the base image by digest, e.g. FROM node:22-alpine@sha256:<digest> (docker buildx imagetools inspect <image> shows it), and let a dependency bot update the digest.",
    url: "https://docs.docker.com/build/building/best-practices/#pin-base-image-versions",
    framework: nist800190("4.2.2 Stale images in registries (use immutable image names)"),
    options: {},
    check(df, ev) {
        for (const { image, parsed } of judgeable(df, ev)) {
            if (parsed !== "pinned" && !isDigestPinned(parsed)) {
                ev.violation({ at: image.context ?? df.at(image.instruction), problem: `${shown(image)} is not pinned by a digest`, fix: "append @sha256:<digest> to the image reference" });
            }
        }
    },
});

/** Base images must name a version: neither `latest` nor no tag at all. */
export const dockerfileBaseImageNotLatest = defineDockerfilePolicy({
    name: "dockerfile-base-image-not-latest",
    displayName: "Dockerfile base images do not use latest",
    description:
        "Images a Dockerfile builds on or copies from must name a specific tag: neither latest nor no tag at all (which means latest), unless a digest pins them; scratch and earlier stages are exempt.",
    severity: "high",
    tags: ["docker", "dockerfile", ...IMAGE_TAGS],
    remediationSteps: "Name the version the image was tested with, e.g. FROM python:3.12-slim, and better pin it by digest as well.",
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
                problem: parsed.tag === undefined ? `${shown(image)} has no tag, so it pulls latest` : `${shown(image)} uses the latest tag`,
                fix: "name a specific version tag (and pin it by digest)",
            });
        }
    },
});
