import { type ImageReference } from "../../src/images/image-ref";
import {
    IMAGE_TAGS,
    type ImageAt,
    defineImagePolicy,
    nist800190,
    reportMalformed,
} from "../../src/images/image-policy";

/** The tag problem of a reference, if any: `latest`, or no tag at all (which means latest). */
function floatingTag(ref: ImageReference): "latest" | "none" | undefined {
    if (ref.digest) {
        return undefined; // the digest decides what is pulled
    }
    return ref.tag === undefined ? "none" : ref.tag === "latest" ? "latest" : undefined;
}

/** Explains a registry port that readers may take for a tag (`localhost:5000/app` has no tag). */
function portNotTag(writtenDomain: string | undefined): string {
    if (!writtenDomain?.includes(":")) {
        return "";
    }
    return ` (${JSON.stringify(writtenDomain)} is the registry and its port, not a tag)`;
}

/** No image may float on `latest`, written or implied. */
export const imageTagNotLatest = defineImagePolicy({
    name: "image-tag-not-latest",
    displayName: "No latest or missing image tags",
    description:
        "Images must name a specific tag: neither the tag latest nor no tag at all (which means latest), unless a " +
        "digest pins the image.",
    severity: "high",
    tags: [...IMAGE_TAGS, "immutability"],
    remediationSteps:
        "Use a version tag such as nginx:1.27.3 (or pin a digest, e.g. nginx:1.27.3@sha256:<digest>). A registry " +
        "port is not a tag: localhost:5000/app has no tag. " +
        "Images built and pushed may also be tagged latest, as long as the same build pushes a specific tag too.",
    url: "https://kubernetes.io/docs/concepts/containers/images/#image-names",
    framework: nist800190("4.2.2 Stale images in registries (use immutable image names)"),
    options: {},
    uses: ["run", "publish"],
    check(images, ev) {
        // Pushing latest next to a version tag is common practice: what runs can name the version.
        const publishesSpecificTag = images.some(
            (i) => i.site.use === "publish" && i.parsed.kind === "reference" && !floatingTag(i.parsed),
        );
        for (const image of images) {
            const p = image.parsed;
            if (p.kind === "error") {
                reportMalformed(ev, image);
                continue;
            }
            if (p.kind !== "reference" || (image.site.use === "publish" && publishesSpecificTag)) {
                continue;
            }
            const floating = floatingTag(p);
            if (floating) {
                report(image, floating, p);
            }
        }

        function report(image: ImageAt, floating: "latest" | "none", p: ImageReference): void {
            const publish = image.site.use === "publish";
            ev.violation({
                at: image.site.field,
                container: image.site.container,
                problem:
                    floating === "latest"
                        ? `${image.site.noun} ${image.shown} uses the tag latest, which ` +
                          `${publish ? "is moved by every push" : "names whatever was pushed last"}`
                        : `${image.site.noun} ${image.shown} has no tag, so it means ` +
                          `${p.familiarName}:latest${portNotTag(p.writtenDomain)}`,
                fix: publish
                    ? `push the image under a version tag, e.g. ${p.familiarName}:1.0.0 (alone or next to latest)`
                    : `use a version tag, e.g. ${p.familiarName}:1.2.3, or pin a digest ` +
                      `(${p.familiarName}@sha256:<digest>)`,
            });
        }
    },
});
