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

const repositoryPattern = (description: string) =>
    string({ description, pattern: REPOSITORY_PATTERN_SYNTAX, patternHint: REPOSITORY_PATTERN_HINT });

/** Images may come only from the configured registries and repositories, and never from denied ones. */
export const imageRegistryAllowlist = defineImagePolicy({
    name: "image-registry-allowlist",
    displayName: "Images from allowed registries",
    description:
        "Images must come from an allowed registry or repository (option allowed; an empty list allows every " +
        "registry) and not from a denied one (option denied, checked after allowed).",
    severity: "high",
    tags: [...IMAGE_TAGS, "registries"],
    remediationSteps:
        "Use images from an allowed registry or repository (mirror public images into one), or add the registry or " +
        "repository to the policy's allowed option, " +
        'e.g. "ghcr.io/acme", "docker.io/library" (Docker Hub official images) or "*.example.com" (any subdomain). ' +
        "The denied option removes registries or repositories even when allowed covers them, e.g. the frozen " +
        '"k8s.gcr.io" (its images moved to registry.k8s.io).',
    url: "https://csrc.nist.gov/pubs/sp/800/190/final",
    framework: nist800190("4.1.5 Use of untrusted images"),
    options: {
        allowed: option(
            array(
                repositoryPattern(
                    "A registry (ghcr.io, localhost:5000, *.example.com) or a repository prefix (ghcr.io/acme, " +
                        "docker.io/library), matched on normalized names by whole path components.",
                ),
                { description: "Allowed registries and repository prefixes; empty allows every registry." },
            ),
            [] as string[],
        ),
        denied: option(
            array(
                repositoryPattern(
                    "A registry (k8s.gcr.io, *.example.com) or a repository prefix (docker.io/bitnami), matched like " +
                        "allowed.",
                ),
                {
                    description:
                        "Denied registries and repository prefixes, checked after allowed: an image they match is " +
                        "reported even when allowed covers it.",
                },
            ),
            [] as string[],
        ),
    },
    uses: ["run", "publish"],
    active: (o) => o.allowed.length > 0 || o.denied.length > 0,
    check(images, ev) {
        const allowedPatterns = patternsOf(ev.options.allowed);
        const deniedPatterns = patternsOf(ev.options.denied);
        const lists = [
            ...(ev.options.allowed.length > 0 ? [`the allowed list (${listed(ev.options.allowed, LISTED_MAX)})`] : []),
            ...(ev.options.denied.length > 0 ? [`the denied list (${listed(ev.options.denied, LISTED_MAX)})`] : []),
        ].join(" and ");
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
                        `registry cannot be checked against ${lists}`,
                    fix: "write a valid reference to an image in an allowed registry",
                });
                continue;
            }
            if (allowedPatterns.length > 0 && !allowedPatterns.some((pattern) => repositoryMatches(pattern, p))) {
                ev.violation({
                    at: image.site.field,
                    container: image.site.container,
                    problem:
                        `${image.site.noun} ${image.shown} comes from ${p.name}, which is not in the allowed ` +
                        `registries and repositories (${listed(ev.options.allowed, LISTED_MAX)})`,
                    fix:
                        "use an image from an allowed registry or repository, or add its registry or repository to " +
                        "the policy's allowed option",
                });
                continue;
            }
            const denied = deniedPatterns.find((pattern) => repositoryMatches(pattern, p));
            if (denied) {
                ev.violation({
                    at: image.site.field,
                    container: image.site.container,
                    problem:
                        `${image.site.noun} ${image.shown} comes from ${p.name}, which the denied entry ` +
                        `${JSON.stringify(denied.text)} covers`,
                    fix:
                        "use the image from another registry or repository (e.g. registry.k8s.io instead of " +
                        "k8s.gcr.io), or remove the entry from the policy's denied option",
                });
            }
        }
    },
});
