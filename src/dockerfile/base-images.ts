// The images a Dockerfile builds on or copies from, parsed for the base-image policies.

import { type Evaluation } from "../framework/policy";
import { type ImageId, type ImageReference, parseImageRef, quote } from "../images/image-ref";
import { type DockerfileUnderTest, type PulledImage, pulledImages, reportUnresolved } from "./dockerfile-policy";

/** A digest at the end of a reference, which pins it whatever variables the rest depends on. */
const TRAILING_DIGEST = /@sha(256:[a-f0-9]{64}|384:[a-f0-9]{96}|512:[a-f0-9]{128})$/;

/** How a message names a pulled image: as written, with what it resolves to when that differs. */
export function shown(image: PulledImage): string {
    const written = image.written;
    const text = image.ref.text;
    return written.endsWith(text) ? written : `${written} (${quote(text)})`;
}

/**
 * The pulled images that can be judged, parsed. Images pinned by a literal trailing digest are
 * `pinned` even when other parts are unresolved; other unresolved or invalid references are
 * reported (unknown, or advisory) and left out.
 */
export function judgeable(
    df: DockerfileUnderTest,
    ev: Evaluation<unknown>,
): { image: PulledImage; parsed: ImageReference | ImageId | "pinned" }[] {
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
            ev.violation({
                at,
                advisory: true,
                problem: `${shown(image)} is not a valid image reference: ${parsed.reason}`,
                fix: "write it as [registry[:port]/]repository[:tag]@sha256:<64 hex digits>",
            });
            continue;
        }
        out.push({ image, parsed });
    }
    return out;
}
