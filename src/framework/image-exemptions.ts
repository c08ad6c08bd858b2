// Exemptions by image: the `exemptImages` option of every policy that judges containers. A finding
// about one container (a container of a pod spec, or a Docker Container or Service) whose image
// matches one of the globs is still reported, as advisory, naming the option and the glob that
// allowed it. Findings about a pod as a whole (host namespaces, volumes, pod-level settings) are
// not about one image and are never exempted by image.
//
// Globs match normalised references (`nginx` is `docker.io/library/nginx:latest`), with the
// repository semantics of the supply-chain globs; a `:tag` or `@digest` in a glob narrows it.

import { type Field } from "./field";
import { array, option, refine, string } from "./options";
import { type ReferenceGlob, compileReferenceGlob, referenceGlobMatches } from "../references/image-glob";
import { parseImageRef } from "../references/image-ref";

const OPTION = "exemptImages";

/** The option every container policy accepts. */
export const imageExemptionOptions = {
    exemptImages: option(
        array(
            refine(
                string({
                    description:
                        "An image glob over normalised references: [registry/]repository with * (within a path " +
                        "segment) and ** (across segments), optionally :tag (a glob) or @sha256:<digest>, e.g. " +
                        "ghcr.io/acme/debug-*, docker.io/library/busybox:1.36, ghcr.io/acme/**",
                    minLength: 1,
                }),
                (value, path, errors) => {
                    const compiled = compileReferenceGlob(value);
                    if (typeof compiled === "string") {
                        errors.push(`${path} ${compiled}`);
                    }
                },
            ),
            {
                description:
                    "Images whose containers this policy does not hold to its rule: their findings are reported " +
                    "as advisory, naming the glob. Findings about the pod as a whole are not exempted by image.",
            },
        ),
        [] as string[],
    ),
};

/** Whether a finding's container is exempt by its image. */
export type ImageExemption =
    | { readonly kind: "none" }
    | { readonly kind: "exempt"; readonly glob: string }
    | { readonly kind: "undecided"; readonly field: Field };

const NONE: ImageExemption = { kind: "none" };

const compiledGlobs = new WeakMap<readonly string[], ReferenceGlob[]>();

function globsOf(texts: readonly string[]): ReferenceGlob[] {
    let out = compiledGlobs.get(texts);
    if (!out) {
        // The option's schema has rejected invalid globs already; anything else is skipped.
        out = texts.map(compileReferenceGlob).filter((g): g is ReferenceGlob => typeof g !== "string");
        compiledGlobs.set(texts, out);
    }
    return out;
}

function isStringList(v: unknown): v is string[] {
    return Array.isArray(v) && v.every((x) => typeof x === "string");
}

/** The configured globs of a policy's options, or none for policies without the option. */
export function exemptImagesOf(options: unknown): readonly string[] {
    if (typeof options !== "object" || options === null) {
        return [];
    }
    const value = (options as { exemptImages?: unknown }).exemptImages;
    return isStringList(value) ? value : [];
}

/**
 * Decides whether an image exempts its container. An image that is unknown during preview leaves
 * it undecided (only when there are globs to match); an absent, malformed or non-string image is
 * never exempt.
 */
export function imageExemptionFor(globTexts: readonly string[], image: Field | undefined): ImageExemption {
    if (globTexts.length === 0 || image === undefined) {
        return NONE;
    }
    if (image.isUnknown) {
        return { kind: "undecided", field: image };
    }
    const parsed = parseImageRef(image.str());
    if (parsed.kind !== "reference") {
        return NONE;
    }
    const glob = globsOf(globTexts).find((g) => referenceGlobMatches(g, parsed));
    return glob ? { kind: "exempt", glob: glob.text } : NONE;
}

/** The line a finding gets when its container's image decides it (never the image itself: it may be secret). */
export function imageExemptionNote(e: ImageExemption): string | undefined {
    if (e.kind === "exempt") {
        return `The container's image is allowed by option ${OPTION}: ${e.glob}; reported as advisory.`;
    }
    if (e.kind === "undecided") {
        return (
            `Option ${OPTION} may allow the container's image, but ${e.field.unknownAt || e.field.path} is not ` +
            `known during preview; reported as advisory until it is.`
        );
    }
    return undefined;
}
