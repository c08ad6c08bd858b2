import { formatImageRef } from "../../src/images/image-ref";
import { IMAGE_TAGS, defineImagePolicy, nist800190, reportMalformed } from "../../src/images/image-policy";
import { pinToDigests } from "../../src/supply-chain/image-verification";
import { resolveDigestsOption } from "../../src/supply-chain/policy-options";

/** Images that are pulled and run must name fixed content. */
export const imageDigestPinned = defineImagePolicy({
    name: "image-digest-pinned",
    displayName: "Images pinned by digest",
    description:
        "Images that are pulled and run must be pinned by a valid digest (name@sha256:<64 hex digits>), because a " +
        "tag can be moved to other content.",
    severity: "medium",
    tags: [...IMAGE_TAGS, "immutability"],
    remediationSteps:
        "Reference each image by digest, e.g. ghcr.io/acme/app:1.4.2@sha256:<digest> (the tag may stay for " +
        "readability; the digest decides what is pulled). " +
        "Get the digest with `docker buildx imagetools inspect <image>` or `crane digest <image>`, or use a " +
        "docker.RemoteImage's repoDigest or a docker-build Image's ref output. " +
        "At the remediate level with resolveDigests set, the pack asks each image's registry for the digest its " +
        "tag names now and pins the image to it (name:tag@sha256:<digest>) in the planned inputs.",
    url: "https://kubernetes.io/docs/concepts/containers/images/#image-names",
    framework: nist800190("4.2.2 Stale images in registries (use immutable image names)"),
    options: {
        // Off by default: the fix then changes nothing and the pack never contacts a registry.
        resolveDigests: resolveDigestsOption,
    },
    uses: ["run"],
    remediate: (images, fix, options) => pinToDigests(images, fix, options.resolveDigests),
    check(images, ev) {
        for (const image of images) {
            const p = image.parsed;
            if (p.kind === "error") {
                reportMalformed(ev, image);
            } else if (p.kind === "reference" && !p.digest) {
                ev.violation({
                    at: image.site.field,
                    container: image.site.container,
                    problem:
                        `${image.site.noun} ${image.shown} is not pinned by a ` +
                        `digest${p.tag !== undefined ? ` (the tag ${JSON.stringify(p.tag)} can be moved)` : ""}`,
                    fix: `pin it by digest: ${formatImageRef(p)}@sha256:<digest>`,
                });
            }
        }
    },
});
