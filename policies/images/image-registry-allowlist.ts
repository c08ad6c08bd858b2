import {
    REPOSITORY_PATTERN_HINT,
    REPOSITORY_PATTERN_SYNTAX,
    type RepositoryPattern,
    parseRepositoryPattern,
    repositoryMatches,
} from "../../src/images/image-ref";
import { array, option, string } from "../../src/framework/options";
import { IMAGE_TAGS, defineImagePolicy, listed, nist800190 } from "../../src/images/image-policy";

const compiled = new WeakMap<readonly string[], RepositoryPattern[]>();

/** The parsed patterns of a configuration (parsed once per configuration; the schema has checked them). */
function patternsOf(allowed: readonly string[]): RepositoryPattern[] {
    let out = compiled.get(allowed);
    if (!out) {
        out = allowed.map(parseRepositoryPattern).filter((p): p is RepositoryPattern => p !== undefined);
        compiled.set(allowed, out);
    }
    return out;
}

const LISTED_MAX = 5;

/** Images may come only from the configured registries and repositories. */
export const imageRegistryAllowlist = defineImagePolicy({
    name: "image-registry-allowlist",
    displayName: "Images from allowed registries",
    description:
        "Images must come from an allowed registry or repository (option allowed; an empty list allows every " +
        "registry).",
    severity: "high",
    tags: [...IMAGE_TAGS, "registries"],
    remediationSteps:
        "Use images from an allowed registry or repository (mirror public images into one), or add the registry or " +
        "repository to the policy's allowed option, " +
        'e.g. "ghcr.io/acme", "docker.io/library" (Docker Hub official images) or "*.example.com" (any subdomain).',
    url: "https://csrc.nist.gov/pubs/sp/800/190/final",
    framework: nist800190("4.1.5 Use of untrusted images"),
    options: {
        allowed: option(
            array(
                string({
                    description:
                        "A registry (ghcr.io, localhost:5000, *.example.com) or a repository prefix (ghcr.io/acme, " +
                        "docker.io/library), matched on normalized names by whole path components.",
                    pattern: REPOSITORY_PATTERN_SYNTAX,
                    patternHint: REPOSITORY_PATTERN_HINT,
                }),
                { description: "Allowed registries and repository prefixes; empty allows every registry." },
            ),
            [] as string[],
        ),
    },
    uses: ["run", "publish"],
    active: (o) => o.allowed.length > 0,
    check(images, ev) {
        const patterns = patternsOf(ev.options.allowed);
        const allowed = listed(ev.options.allowed, LISTED_MAX);
        for (const image of images) {
            const p = image.parsed;
            if (p.kind === "id") {
                // an image ID names content already present locally; where it came from was judged where it was pulled
                continue;
            }
            if (p.kind === "error") {
                ev.violation({
                    at: image.site.field,
                    container: image.site.container,
                    problem:
                        `${image.site.noun} ${image.shown} is not a valid image reference (${p.reason}), so its ` +
                        `registry cannot be checked against the allowed list (${allowed})`,
                    fix: "write a valid reference to an image in an allowed registry",
                });
            } else if (!patterns.some((pattern) => repositoryMatches(pattern, p))) {
                ev.violation({
                    at: image.site.field,
                    container: image.site.container,
                    problem:
                        `${image.site.noun} ${image.shown} comes from ${p.name}, which is not in the allowed ` +
                        `registries and repositories (${allowed})`,
                    fix:
                        "use an image from an allowed registry or repository, or add its registry or repository to " +
                        "the policy's allowed option",
                });
            }
        }
    },
});
