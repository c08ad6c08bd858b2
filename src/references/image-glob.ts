// Image globs: which images a rule's option covers, matched on normalised references.
//
// Repository globs (`compileImageGlob`) follow the sigstore policy-controller's `images[].glob`, so
// users can reuse what they wrote for admission control, with two deliberate differences (both
// stricter or clearer):
//   * The glob is matched against the normalised repository name only (`registry/path`), never the
//     tag or digest: a signature requirement is about where an image comes from, and a tag-specific
//     requirement would be bypassed by writing the same image by digest.
//   * Docker Hub is spelled `docker.io` or `index.docker.io` (both mean the same), and a pattern
//     without a registry is a Docker Hub name as Docker reads it (`nginx` is
//     `docker.io/library/nginx`, `acme/*` is `docker.io/acme/*`), as the pack's reference parser does.
//
// `*` matches any run of characters other than `/` (within one path segment, or within the host);
// `**` matches any run of characters including `/`. The whole name must match. Other characters
// match themselves, case-insensitively for the registry host.
//
// Reference globs (`compileReferenceGlob`) add an optional `:tag` glob and `@digest` to a repository
// glob, for options that exempt images (`exemptImages`). There a tag or digest can only narrow what
// is exempt: the same image written another way is not exempt, which fails closed.
//
// Matching is a linear-space dynamic programme over the pattern and the name, not a regular
// expression, so no pattern, however many stars it has, can make matching slow.
//
// This module, like the reference parser, depends on nothing else in the pack: it sits in the
// bottom layer so that the framework (image exemptions) and every model can use it.

import { DEFAULT_DOMAIN, type ImageReference, parseDigest, pulledTag } from "./image-ref";

/** A compiled image glob. */
export interface ImageGlob {
    /** The glob as written. */
    readonly text: string;
    /** The normalised pattern the name is matched against, e.g. `docker.io/library/*`. */
    readonly normalized: string;
}

/** Longest glob accepted (a repository name is at most 255 characters; this leaves room for stars). */
const GLOB_LENGTH_MAX = 512;
/** Characters a glob may contain: those of registry hosts, ports and repository paths, plus `*`. */
const GLOB_CHARACTERS = /^[A-Za-z0-9._:/*\-[\]]+$/;
const LEGACY_DOCKER_HUB = "index.docker.io";

function typeName(v: unknown): string {
    return v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/**
 * Compiles an image glob, or returns why it is not one. Never throws.
 */
export function compileImageGlob(text: unknown): ImageGlob | string {
    if (typeof text !== "string") {
        return `must be a string, not ${typeName(text)}`;
    }
    if (text === "") {
        return "is empty";
    }
    if (text.length > GLOB_LENGTH_MAX) {
        return `is ${text.length} characters long (at most ${GLOB_LENGTH_MAX})`;
    }
    if (!GLOB_CHARACTERS.test(text)) {
        return (
            `${JSON.stringify(text)} has characters an image name cannot contain (use letters, digits, ".", "_", ` +
            `"-", ":", "/", and "*" or "**" as wildcards)`
        );
    }
    if (/\*{3,}/.test(text)) {
        return `${JSON.stringify(text)} has "***": use "*" (within one path segment) or "**" (across segments)`;
    }
    if (text.includes("@")) {
        return `${JSON.stringify(text)} names a digest: globs match repository names only`;
    }
    if (text.startsWith("/") || text.endsWith("/") || text.includes("//")) {
        return `${JSON.stringify(text)} has an empty path segment (a leading, trailing or doubled "/")`;
    }
    const slash = text.indexOf("/");
    const first = slash < 0 ? text : text.slice(0, slash);
    const rest = slash < 0 ? "" : text.slice(slash + 1);
    // policy-controller's two shorthands for Docker Hub.
    if (text === "*") {
        return glob(text, `${DEFAULT_DOMAIN}/library/*`);
    }
    if (text === "*/*") {
        return glob(text, `${DEFAULT_DOMAIN}/*/*`);
    }
    if (first.startsWith("**")) {
        // Any registry (and possibly any leading path): nothing to normalise.
        return glob(text, text.toLowerCase());
    }
    const looksLikeRegistry =
        first.includes(".") || first.includes(":") || first === "localhost" || first.startsWith("[");
    if (looksLikeRegistry) {
        if (slash < 0) {
            return (
                `${JSON.stringify(text)} names only a registry: add the repository part, e.g. "${text}/**" for ` +
                `every image on it`
            );
        }
        const host = first.toLowerCase();
        const port = /^(?:\[[^\]]*\]|[^:[\]]*)(?::(.*))?$/.exec(host);
        if (!port || (port[1] !== undefined && !/^[0-9*]+$/.test(port[1]))) {
            return `${JSON.stringify(text)}: the registry must be host[:port] with a numeric port`;
        }
        if (rest !== rest.toLowerCase()) {
            return (
                `${JSON.stringify(text)} has uppercase letters in the repository path, which no image name has ` +
                `(repository paths are lowercase)`
            );
        }
        const domain = host === LEGACY_DOCKER_HUB ? DEFAULT_DOMAIN : host;
        if (domain === DEFAULT_DOMAIN && !rest.includes("/") && !rest.includes("**")) {
            // `docker.io/nginx` is `docker.io/library/nginx`, as Docker reads it.
            return glob(text, `${DEFAULT_DOMAIN}/library/${rest}`);
        }
        return glob(text, `${domain}/${rest}`);
    }
    if (text !== text.toLowerCase()) {
        return (
            `${JSON.stringify(text)} has uppercase letters, which no Docker Hub repository name has (repository ` +
            `paths are lowercase)`
        );
    }
    if (first.includes("*")) {
        return (
            `${JSON.stringify(text)} is ambiguous: its first segment ${JSON.stringify(first)} could be a registry or ` +
            `a Docker Hub namespace; ` +
            `write the registry, e.g. "docker.io/${text}", "*.example.com/${rest || "**"}", or "**/${rest || "*"}" ` +
            `for any registry`
        );
    }
    // A Docker Hub name without a registry, as Docker reads it.
    return glob(text, slash < 0 ? `${DEFAULT_DOMAIN}/library/${text}` : `${DEFAULT_DOMAIN}/${text}`);
}

function glob(text: string, normalized: string): ImageGlob {
    return { text, normalized };
}

// ---------------------------------------------------------------------------------------------
// Reference globs: a repository glob with an optional tag glob and digest.

/** A compiled reference glob: `<repository glob>[:<tag glob>][@<digest>]`. */
export interface ReferenceGlob {
    /** The glob as written. */
    readonly text: string;
    readonly repository: ImageGlob;
    /** The tag pattern (`*` is any run of characters); undefined matches any tag and no tag. */
    readonly tag: string | undefined;
    /** The digest (`sha256:<hex>`) the reference must name; undefined matches any. */
    readonly digest: string | undefined;
}

const TAG_GLOB = /^[A-Za-z0-9_.*-]{1,128}$/;

/**
 * Compiles a reference glob, or returns why it is not one. Never throws. The tag is what follows
 * the last `:` after the last `/` (so `localhost:5000/app` has none), as Docker reads references.
 */
export function compileReferenceGlob(text: unknown): ReferenceGlob | string {
    if (typeof text !== "string") {
        return `must be a string, not ${typeName(text)}`;
    }
    const at = text.indexOf("@");
    const nameAndTag = at < 0 ? text : text.slice(0, at);
    let digest: string | undefined;
    if (at >= 0) {
        const parsed = parseDigest(text.slice(at + 1));
        if (typeof parsed === "string") {
            return `${JSON.stringify(text)}: ${parsed}`;
        }
        digest = parsed.value;
    }
    const colon = nameAndTag.indexOf(":", nameAndTag.lastIndexOf("/") + 1);
    const name = colon < 0 ? nameAndTag : nameAndTag.slice(0, colon);
    const tag = colon < 0 ? undefined : nameAndTag.slice(colon + 1);
    if (tag !== undefined && !TAG_GLOB.test(tag)) {
        return (
            `${JSON.stringify(text)}: the tag ${JSON.stringify(tag)} is not a tag glob (letters, digits, "_", "." ` +
            `and "-", with "*" as a wildcard, at most 128 characters)`
        );
    }
    const repository = compileImageGlob(name);
    if (typeof repository === "string") {
        return name === text ? repository : `repository ${repository}`;
    }
    return { text, repository, tag, digest };
}

/**
 * Whether a reference matches: its repository matches, its tag (the written tag, or `latest` when
 * it names neither tag nor digest, as a pull reads it) matches the tag glob if there is one, and its
 * digest is the glob's digest if there is one.
 */
export function referenceGlobMatches(g: ReferenceGlob, ref: ImageReference): boolean {
    if (!imageGlobMatches(g.repository, ref)) {
        return false;
    }
    if (g.digest !== undefined && ref.digest?.value !== g.digest) {
        return false;
    }
    if (g.tag !== undefined) {
        const tag = ref.tag ?? pulledTag(ref);
        return tag !== undefined && globMatch(g.tag, tag);
    }
    return true;
}

/** The name a glob is matched against: `registry/path`, registry lowercased, Docker Hub as `docker.io`. */
export function matchableName(ref: ImageReference): string {
    return `${ref.domain.toLowerCase()}/${ref.path}`;
}

/** Whether the image's repository matches the glob (tag and digest are not part of the match). */
export function imageGlobMatches(g: ImageGlob, ref: ImageReference): boolean {
    return globMatch(g.normalized, matchableName(ref));
}

/**
 * Matches `name` against `pattern` with `*` (no `/`) and `**` (anything). O(|pattern|·|name|)
 * time and O(|name|) space; never throws.
 */
export function globMatch(pattern: string, name: string): boolean {
    // Tokens: a literal character, STAR (any run without "/"), or GLOBSTAR (any run).
    const STAR = -1;
    const GLOBSTAR = -2;
    const tokens: number[] = [];
    for (let i = 0; i < pattern.length; i++) {
        if (pattern[i] === "*") {
            if (pattern[i + 1] === "*") {
                tokens.push(GLOBSTAR);
                i++;
            } else {
                tokens.push(STAR);
            }
        } else {
            tokens.push(pattern.charCodeAt(i));
        }
    }
    // reachable[j]: the first t tokens can match the first j characters of the name.
    let reachable = new Array<boolean>(name.length + 1).fill(false);
    reachable[0] = true;
    for (const token of tokens) {
        const next = new Array<boolean>(name.length + 1).fill(false);
        if (token === STAR || token === GLOBSTAR) {
            let open = false;
            for (let j = 0; j <= name.length; j++) {
                if (j > 0 && token === STAR && name[j - 1] === "/") {
                    open = false; // a single star cannot cross a "/"
                }
                if (reachable[j]) {
                    open = true;
                }
                next[j] = open;
            }
        } else {
            for (let j = 1; j <= name.length; j++) {
                next[j] = reachable[j - 1] && name.charCodeAt(j - 1) === token;
            }
        }
        reachable = next;
    }
    return reachable[name.length];
}
