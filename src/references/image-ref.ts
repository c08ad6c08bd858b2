// Container image references, parsed by the grammar the Docker and containerd tooling use
// (distribution/reference): `[registry[:port]/]path[:tag][@algorithm:hex]`, with Docker Hub
// normalization (`nginx` is `docker.io/library/nginx`).
//
// Every image rule of the pack reads references through this one parser, so `localhost:5000/app`
// is an untagged image on the registry `localhost:5000` (not the tag `5000/app`), `app:1.0@sha256:…`
// is pinned, and a digest is checked for its algorithm and length rather than accepted for any `@`.
// The parser never throws: anything that is not a reference comes back as an error with a reason.

/** A content digest such as `sha256:<64 hex digits>`. */
interface Digest {
    /** `sha256`, `sha384` or `sha512`. */
    readonly algorithm: string;
    /** The hexadecimal hash. */
    readonly encoded: string;
    /** `algorithm:encoded`. */
    readonly value: string;
}

/** A parsed image reference (a name with an optional tag and digest). */
export interface ImageReference {
    readonly kind: "reference";
    /** The text that was parsed. */
    readonly input: string;
    /** The registry host (with port) as written; undefined when the reference names none (Docker Hub). */
    readonly writtenDomain: string | undefined;
    /** The repository path as written, e.g. `nginx`, `acme/app`. */
    readonly writtenPath: string;
    /** The registry: `docker.io` for Docker Hub (also when written `index.docker.io` or left out). */
    readonly domain: string;
    /** The repository path on the registry: `library/nginx` for Docker Hub official images. */
    readonly path: string;
    /** `domain/path`, e.g. `docker.io/library/nginx`: the name rules compare. */
    readonly name: string;
    /** The shortest equivalent name, as `docker images` shows it: `nginx`, `acme/app`, `ghcr.io/acme/app`. */
    readonly familiarName: string;
    readonly tag: string | undefined;
    readonly digest: Digest | undefined;
}

/**
 * A bare image ID (`sha256:<64 hex digits>`, or the 64 hex digits alone), as Docker accepts in place
 * of a name and as `docker.RemoteImage.imageId` holds. It names content, so it is immutable.
 */
export interface ImageId {
    readonly kind: "id";
    readonly input: string;
    readonly digest: Digest;
}

/** Text that is not an image reference, with the reason in words. */
interface ImageRefError {
    readonly kind: "error";
    readonly input: string;
    readonly reason: string;
}

export type ParsedImage = ImageReference | ImageId | ImageRefError;

/** The registry Docker uses for names without one, and the namespace of its official images. */
export const DEFAULT_DOMAIN = "docker.io";
const LEGACY_DEFAULT_DOMAIN = "index.docker.io";
const OFFICIAL_REPO_PREFIX = "library/";

/** Longest repository name (`domain/path`, normalized), as the registry API limits it. */
const NAME_TOTAL_LENGTH_MAX = 255;
/** Longest tag (the grammar allows one word character and up to 127 more). */
const TAG_LENGTH_MAX = 128;
/** Longer text is rejected before any pattern runs: no valid reference comes close. */
const INPUT_LENGTH_MAX = 1024;

/** Digest algorithms Docker accepts and the length of their hexadecimal encoding. */
const DIGEST_HEX_LENGTH: ReadonlyMap<string, number> = new Map([
    ["sha256", 64],
    ["sha384", 96],
    ["sha512", 128],
]);

// The grammar's building blocks (distribution/reference regexp.go).
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6_ADDRESS = "\\[(?:[a-fA-F0-9:]+)\\]";
const PORT = "(?::[0-9]+)?";

const PATH_COMPONENT_RE = new RegExp(`^${PATH_COMPONENT}$`);
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_NAME}|${IPV6_ADDRESS})${PORT}$`);
const TAG_RE = /^[\w][\w.-]*$/;
/** Digest syntax (OCI image spec): lowercase algorithm components, then the encoded hash. */
const DIGEST_ALGORITHM_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*$/;
const BARE_ID_RE = /^[a-f0-9]{64}$/;
const LOOKS_LIKE_ID_RE = /^sha(?:256|384|512):[0-9a-fA-F]+$/;
// eslint-disable-next-line no-control-regex
const WHITESPACE_OR_CONTROL_RE = /[\s\u0000-\u001f\u007f]/;

/** Formats text for a reason or message: quoted, and shortened when long. */
export function quote(text: string, max = 80): string {
    return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

function error(input: string, reason: string): ImageRefError {
    return { kind: "error", input, reason };
}

/** Parses `algorithm:encoded`, or returns the reason it is not a digest Docker accepts. */
export function parseDigest(text: string): Digest | string {
    const colon = text.indexOf(":");
    if (colon < 0) {
        return `digest ${quote(text)} has no algorithm (expected sha256:<64 hex digits>)`;
    }
    const algorithm = text.slice(0, colon);
    const encoded = text.slice(colon + 1);
    if (!DIGEST_ALGORITHM_RE.test(algorithm)) {
        return `digest algorithm ${quote(algorithm)} is not valid (expected sha256)`;
    }
    const length = DIGEST_HEX_LENGTH.get(algorithm);
    if (length === undefined) {
        return (
            `digest algorithm ${quote(algorithm)} is not supported (use sha256; sha384 and sha512 are also ` +
            `accepted)`
        );
    }
    if (encoded.length !== length || !/^[a-f0-9]*$/.test(encoded)) {
        const what = /^[a-fA-F0-9]*$/.test(encoded)
            ? encoded.length === length
                ? "uppercase hexadecimal digits"
                : `${encoded.length} hexadecimal digits`
            : "characters that are not hexadecimal digits";
        return `a ${algorithm} digest must be ${length} lowercase hexadecimal digits; this one has ${what}`;
    }
    return { algorithm, encoded, value: text };
}

/**
 * Splits a name into its registry and the rest the way Docker does: the first `/`-component is a
 * registry when it contains `.` or `:`, is `localhost`, or has an uppercase letter (repository
 * paths are lowercase, so such a component cannot be one).
 */
function splitDomain(name: string): { writtenDomain: string | undefined; remainder: string } {
    const slash = name.indexOf("/");
    if (slash < 0) {
        return { writtenDomain: undefined, remainder: name };
    }
    const first = name.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost" || first.toLowerCase() !== first) {
        return { writtenDomain: first, remainder: name.slice(slash + 1) };
    }
    return { writtenDomain: undefined, remainder: name };
}

function normalizedDomainAndPath(
    writtenDomain: string | undefined,
    writtenPath: string,
): { domain: string; path: string } {
    let domain = writtenDomain ?? DEFAULT_DOMAIN;
    if (domain === LEGACY_DEFAULT_DOMAIN) {
        domain = DEFAULT_DOMAIN;
    }
    const path =
        domain === DEFAULT_DOMAIN && !writtenPath.includes("/") ? OFFICIAL_REPO_PREFIX + writtenPath : writtenPath;
    return { domain, path };
}

function familiarNameOf(domain: string, path: string): string {
    if (domain !== DEFAULT_DOMAIN) {
        return `${domain}/${path}`;
    }
    if (path.startsWith(OFFICIAL_REPO_PREFIX) && !path.slice(OFFICIAL_REPO_PREFIX.length).includes("/")) {
        return path.slice(OFFICIAL_REPO_PREFIX.length);
    }
    // Without docker.io, `docker.io/a.b/c` would read as the registry `a.b`: keep the registry then.
    return splitDomain(path).writtenDomain === undefined ? path : `${domain}/${path}`;
}

/** Why a registry host is not valid, or undefined when it is. */
function domainProblem(domain: string): string | undefined {
    if (DOMAIN_RE.test(domain)) {
        return undefined;
    }
    return (
        `registry ${quote(domain)} is not a valid host[:port] (letters, digits, "-" and "." in the host, digits ` +
        `in the port)`
    );
}

/** Why a repository path is not valid, or undefined when it is. */
function pathProblem(path: string): string | undefined {
    for (const component of path.split("/")) {
        if (component === "") {
            return `repository path ${quote(path)} has an empty component (a leading, trailing or doubled "/")`;
        }
        if (component.toLowerCase() !== component) {
            return `repository name ${quote(path)} must be lowercase`;
        }
        if (!PATH_COMPONENT_RE.test(component)) {
            return (
                `repository path component ${quote(component)} is not valid (lowercase letters and digits, ` +
                `separated by ".", "_", "__" or "-")`
            );
        }
    }
    return undefined;
}

function tagProblem(tag: string): string | undefined {
    if (tag === "") {
        return 'the tag after ":" is empty';
    }
    if (tag.length > TAG_LENGTH_MAX) {
        return `tag is ${tag.length} characters long (at most ${TAG_LENGTH_MAX})`;
    }
    if (!TAG_RE.test(tag)) {
        return `tag ${quote(tag)} is not valid (letters, digits, "_", "." and "-", not starting with "." or "-")`;
    }
    return undefined;
}

/**
 * Parses an image reference. Never throws; text that is not a reference (or not text) gives an
 * error with a reason. Bare image IDs (`sha256:<64 hex digits>`, or the 64 hex digits alone) are
 * recognized as IDs.
 */
export function parseImageRef(input: unknown): ParsedImage {
    if (typeof input !== "string") {
        // Not String(input): an object's toString may be anything, including not a function.
        const what = input === null ? "null" : Array.isArray(input) ? "an array" : `a ${typeof input}`;
        return error(`(${what})`, `it is ${what}, not a string`);
    }
    if (input === "") {
        return error(input, "it is empty");
    }
    if (input.length > INPUT_LENGTH_MAX) {
        return error(input, `it is ${input.length} characters long`);
    }
    if (WHITESPACE_OR_CONTROL_RE.test(input)) {
        return error(input, "it contains whitespace or control characters");
    }
    if (BARE_ID_RE.test(input)) {
        return { kind: "id", input, digest: { algorithm: "sha256", encoded: input, value: `sha256:${input}` } };
    }
    if (LOOKS_LIKE_ID_RE.test(input)) {
        // Read as an image ID, not as the Docker Hub repository "sha256" with a hexadecimal tag.
        const digest = parseDigest(input);
        return typeof digest === "string"
            ? error(input, `it looks like an image ID, but ${digest}`)
            : { kind: "id", input, digest };
    }

    let name = input;
    let digest: Digest | undefined;
    const at = input.indexOf("@");
    if (at >= 0) {
        name = input.slice(0, at);
        const digestText = input.slice(at + 1);
        if (digestText.includes("@")) {
            return error(input, 'it has more than one "@"');
        }
        const d = parseDigest(digestText);
        if (typeof d === "string") {
            return error(input, d);
        }
        digest = d;
    }
    if (name === "") {
        return error(input, 'it has no repository name before "@"');
    }

    const { writtenDomain, remainder } = splitDomain(name);
    let writtenPath = remainder;
    let tag: string | undefined;
    const colon = remainder.indexOf(":");
    if (colon >= 0) {
        writtenPath = remainder.slice(0, colon);
        tag = remainder.slice(colon + 1);
    }
    const problem =
        (writtenDomain !== undefined ? domainProblem(writtenDomain) : undefined) ??
        pathProblem(writtenPath) ??
        (tag !== undefined ? tagProblem(tag) : undefined);
    if (problem) {
        return error(input, problem);
    }
    const { domain, path } = normalizedDomainAndPath(writtenDomain, writtenPath);
    const fullName = `${domain}/${path}`;
    if (fullName.length > NAME_TOTAL_LENGTH_MAX) {
        return error(
            input,
            `the repository name ${quote(fullName)} is ${fullName.length} characters long (at most ` +
                `${NAME_TOTAL_LENGTH_MAX})`,
        );
    }
    return {
        kind: "reference",
        input,
        writtenDomain,
        writtenPath,
        domain,
        path,
        name: fullName,
        familiarName: familiarNameOf(domain, path),
        tag,
        digest,
    };
}

/** The reference as written (parsing and formatting give back the input). */
export function formatImageRef(ref: ImageReference | ImageId): string {
    if (ref.kind === "id") {
        return ref.input;
    }
    const name = ref.writtenDomain !== undefined ? `${ref.writtenDomain}/${ref.writtenPath}` : ref.writtenPath;
    return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest.value}` : ""}`;
}

/** The fully qualified form: `docker.io/library/nginx:1.27`, `ghcr.io/acme/app@sha256:…`. */
export function canonicalImageRef(ref: ImageReference): string {
    return `${ref.name}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest.value}` : ""}`;
}

/** The shortest equivalent form, as Docker prints it: `nginx:1.27`, `ghcr.io/acme/app@sha256:…`. */
export function familiarImageRef(ref: ImageReference): string {
    const tag = ref.tag !== undefined ? `:${ref.tag}` : "";
    return `${ref.familiarName}${tag}${ref.digest ? `@${ref.digest.value}` : ""}`;
}

/** Whether the text names fixed content: a reference with a valid digest, or an image ID. */
export function isDigestPinned(parsed: ParsedImage): boolean {
    return parsed.kind === "id" || (parsed.kind === "reference" && parsed.digest !== undefined);
}

/**
 * The tag a pull resolves: the written tag, `latest` when there is neither tag nor digest, and
 * undefined when a digest decides what is pulled (a tag next to a digest is ignored by the pull).
 */
export function pulledTag(ref: ImageReference): string | undefined {
    if (ref.digest) {
        return undefined;
    }
    return ref.tag ?? "latest";
}

// ---------------------------------------------------------------------------------------------
// Repository patterns: "this registry", "this registry and path prefix", "any subdomain of".

/**
 * A registry or repository prefix, e.g. `ghcr.io/acme`, `docker.io/library`, `localhost:5000`,
 * `*.example.com`. It must name the registry explicitly (Docker Hub is `docker.io`).
 */
export interface RepositoryPattern {
    readonly text: string;
    /** Lowercase host, without the `*.` of a suffix pattern. */
    readonly host: string;
    /** True for `*.host`: any subdomain of host (not host itself). */
    readonly anySubdomain: boolean;
    /** The port, when the pattern names one; patterns without a port match only references without one. */
    readonly port: string | undefined;
    /** Path components the repository path must start with (none: the whole registry). */
    readonly pathPrefix: readonly string[];
}

const HOST_LABEL = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";

/**
 * JSON Schema `pattern` for repository patterns: a registry host that Docker reads as a registry
 * (it has a dot or a port, or is `localhost` or an IPv6 address), optionally `*.`-prefixed, then
 * optional lowercase path components.
 */
export const REPOSITORY_PATTERN_SYNTAX =
    `^(?:(?:\\*\\.)?${HOST_LABEL}(?:\\.${HOST_LABEL})+(?::[0-9]+)?` +
    `|${HOST_LABEL}:[0-9]+|localhost|${IPV6_ADDRESS}(?::[0-9]+)?)(?:/${PATH_COMPONENT})*$`;
const REPOSITORY_PATTERN_RE = new RegExp(REPOSITORY_PATTERN_SYNTAX);

export const REPOSITORY_PATTERN_HINT =
    'use a registry host with an optional repository path, such as "ghcr.io/acme", "docker.io/library", ' +
    '"localhost:5000" or "*.example.com"';

/** Splits `host[:port]` (IPv6 hosts keep their brackets). */
function splitHostPort(domain: string): { host: string; port: string | undefined } {
    const close = domain.lastIndexOf("]");
    const colon = domain.lastIndexOf(":");
    if (colon > close) {
        return { host: domain.slice(0, colon).toLowerCase(), port: domain.slice(colon + 1) };
    }
    return { host: domain.toLowerCase(), port: undefined };
}

/** Parses a repository pattern; undefined when it does not follow REPOSITORY_PATTERN_SYNTAX. */
export function parseRepositoryPattern(text: string): RepositoryPattern | undefined {
    if (typeof text !== "string" || !REPOSITORY_PATTERN_RE.test(text)) {
        return undefined;
    }
    const slash = text.indexOf("/");
    const domainText = slash < 0 ? text : text.slice(0, slash);
    const anySubdomain = domainText.startsWith("*.");
    const { host, port } = splitHostPort(anySubdomain ? domainText.slice(2) : domainText);
    const normalizedHost =
        !anySubdomain && port === undefined && host === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : host;
    const pathPrefix = slash < 0 ? [] : text.slice(slash + 1).split("/");
    return { text, host: normalizedHost, anySubdomain, port, pathPrefix };
}

/**
 * Whether a reference's repository is covered by a pattern: the registry host matches exactly
 * (case-insensitively) or, for `*.host`, is a subdomain of it; the port is the same; and the
 * repository path starts with the pattern's path components, whole components only
 * (`gcr.io/acme` covers `gcr.io/acme/app`, not `gcr.io/acme-evil/app`).
 */
export function repositoryMatches(pattern: RepositoryPattern, ref: ImageReference): boolean {
    const { host, port } = splitHostPort(ref.domain);
    if (port !== pattern.port) {
        return false;
    }
    if (pattern.anySubdomain ? !host.endsWith(`.${pattern.host}`) : host !== pattern.host) {
        return false;
    }
    const components = ref.path.split("/");
    return pattern.pathPrefix.length <= components.length && pattern.pathPrefix.every((c, i) => components[i] === c);
}
