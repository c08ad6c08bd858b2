// The OCI distribution API calls signature verification needs: resolve a tag, fetch manifests and
// blobs by digest (checking that the bytes hash to the digest), list referrers (OCI 1.1 API, or the
// `sha256-<hex>` tag fallback), with anonymous, bearer-token and Basic authentication.

import { createHash } from "crypto";
import { parseDigest } from "../images/image-ref";
import { type CredentialLookup, type DockerCredentials, type RegistryCredential, parseChallenge } from "./auth";
import { errorText, isObject } from "./config-util";
import { type Deadline, EvidenceError, type HttpResponse, type Transport, shownUrl } from "./http";

export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
/**
 * Index types first: a registry that gets only manifest types may answer with one platform's
 * manifest, whose digest is not the one cosign signed for a multi-arch image.
 */
export const MANIFEST_ACCEPT = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].join(", ");
const MANIFEST_TYPES = new Set([OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST]);

/** A repository on a registry, as image names give it. */
export interface Repository {
    /** `host[:port]` as in image names; Docker Hub is `docker.io`. */
    readonly registry: string;
    readonly path: string;
}

export function repositoryName(repo: Repository): string {
    return `${repo.registry}/${repo.path}`;
}

/** An OCI content descriptor (the fields verification reads). */
export interface Descriptor {
    readonly mediaType: string;
    readonly digest: string;
    readonly size: number;
    readonly artifactType?: string;
    readonly annotations: Readonly<Record<string, string>>;
}

export interface FetchedManifest {
    readonly digest: string;
    readonly mediaType: string;
    readonly json: Record<string, unknown>;
    readonly bytes: Buffer;
}

export interface RegistryLimits {
    /** Manifests, indexes and referrer lists. */
    readonly manifestBytes: number;
    /** Signature payloads, bundles and attestation envelopes. */
    readonly blobBytes: number;
    /** Referrers (or legacy layers) read per image digest. */
    readonly maxReferrers: number;
}

/** The digest of bytes, in the algorithm of `like` (sha256 unless it names sha384 or sha512). */
export function digestOf(bytes: Buffer, like = "sha256:"): string {
    const algorithm = like.startsWith("sha512:") ? "sha512" : like.startsWith("sha384:") ? "sha384" : "sha256";
    return `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;
}

function statusText(res: HttpResponse): string {
    const names: Record<number, string> = {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        405: "Method Not Allowed",
        429: "Too Many Requests",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    };
    return `${res.status}${names[res.status] ? ` ${names[res.status]}` : ""}`;
}

/** Reads a descriptor, or says what is wrong with it. */
export function readDescriptor(raw: unknown): Descriptor | string {
    if (!isObject(raw)) {
        return "a descriptor is not an object";
    }
    const { mediaType, digest, size, artifactType, annotations } = raw;
    if (typeof mediaType !== "string" || mediaType === "") {
        return "a descriptor has no mediaType";
    }
    if (typeof digest !== "string" || typeof parseDigest(digest) === "string") {
        return `a descriptor has an invalid digest ${JSON.stringify(String(digest).slice(0, 80))}`;
    }
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
        return "a descriptor has an invalid size";
    }
    const notes: Record<string, string> = {};
    if (isObject(annotations)) {
        for (const [k, v] of Object.entries(annotations)) {
            if (typeof v === "string") {
                notes[k] = v;
            }
        }
    }
    return { mediaType, digest, size, ...(typeof artifactType === "string" && { artifactType }), annotations: notes };
}

interface CachedToken {
    readonly authorization: string;
    readonly expires: number;
}

export class RegistryClient {
    private readonly tokens = new Map<string, CachedToken>();
    private readonly pendingTokens = new Map<string, Promise<{ value: string; ttlSeconds: number }>>();

    constructor(
        readonly transport: Transport,
        private readonly credentials: DockerCredentials,
        readonly limits: RegistryLimits,
    ) {}

    /** The host that serves a registry's API (Docker Hub's is not docker.io). */
    private apiHost(registry: string): string {
        return registry === "docker.io" ? "registry-1.docker.io" : registry;
    }

    private url(repo: Repository, suffix: string): URL {
        return new URL(
            `${this.transport.schemeFor(repo.registry)}//${this.apiHost(repo.registry)}/v2/${repo.path}/${suffix}`,
        );
    }

    /** Resolves a tag to the digest of what it names now; undefined when the tag does not exist. */
    async resolveTag(repo: Repository, tag: string, deadline: Deadline): Promise<string | undefined> {
        const what = `manifest of ${repositoryName(repo)}:${tag}`;
        const url = this.url(repo, `manifests/${encodeURIComponent(tag)}`);
        const head = await this.send(repo, url, {
            method: "HEAD",
            headers: { Accept: MANIFEST_ACCEPT },
            maxBytes: 0,
            what,
            deadline,
        });
        if (head.status === 404) {
            return undefined;
        }
        if (head.status === 200) {
            const header = head.headers["docker-content-digest"];
            if (typeof header === "string" && header !== "") {
                const parsed = parseDigest(header.trim());
                if (typeof parsed === "string") {
                    throw new EvidenceError(
                        "malformed",
                        `registry ${repo.registry} gave ${repositoryName(repo)}:${tag} an invalid digest (${parsed})`,
                    );
                }
                return parsed.value;
            }
        } else if (head.status !== 405) {
            throw this.unexpected(repo, head, what);
        }
        // No digest header (older registries) or no HEAD: hash what GET returns.
        const got = await this.manifest(repo, tag, deadline);
        return got?.digest;
    }

    /** Fetches a manifest or index by tag or digest; undefined when it does not exist. */
    async manifest(repo: Repository, reference: string, deadline: Deadline): Promise<FetchedManifest | undefined> {
        const byDigest = reference.includes(":");
        const what = `manifest of ${repositoryName(repo)}${byDigest ? "@" : ":"}${reference}`;
        const url = this.url(repo, `manifests/${byDigest ? reference : encodeURIComponent(reference)}`);
        const res = await this.send(repo, url, {
            headers: { Accept: MANIFEST_ACCEPT },
            maxBytes: this.limits.manifestBytes,
            what,
            deadline,
        });
        if (res.status === 404) {
            return undefined;
        }
        if (res.status !== 200) {
            throw this.unexpected(repo, res, what);
        }
        const digest = digestOf(res.body, byDigest ? reference : "sha256:");
        if (byDigest && digest !== reference) {
            throw new EvidenceError(
                "malformed",
                `registry ${repo.registry} returned content for ${reference} whose digest is ${digest} (the registry ` +
                    `or something between is not serving what was asked for)`,
            );
        }
        const json = parseJsonObject(res.body, `the ${what}`);
        const bodyType = typeof json.mediaType === "string" ? json.mediaType : undefined;
        const headerType =
            typeof res.headers["content-type"] === "string"
                ? res.headers["content-type"].split(";")[0].trim()
                : undefined;
        if (bodyType && headerType && MANIFEST_TYPES.has(headerType) && bodyType !== headerType) {
            throw new EvidenceError("malformed", `the ${what} says it is ${bodyType} but was served as ${headerType}`);
        }
        const mediaType = bodyType ?? headerType ?? "";
        return { digest, mediaType, json, bytes: res.body };
    }

    /** Fetches a blob by digest (checked); undefined when it does not exist. */
    async blob(repo: Repository, digest: string, what: string, deadline: Deadline): Promise<Buffer | undefined> {
        const url = this.url(repo, `blobs/${digest}`);
        const res = await this.send(repo, url, { maxBytes: this.limits.blobBytes, what, deadline });
        if (res.status === 404) {
            return undefined;
        }
        if (res.status !== 200) {
            throw this.unexpected(repo, res, what);
        }
        const actual = digestOf(res.body, digest);
        if (actual !== digest) {
            throw new EvidenceError(
                "malformed",
                `registry ${repo.registry} returned content for ${digest} whose digest is ${actual} (the ${what} was ` +
                    `altered or substituted)`,
            );
        }
        return res.body;
    }

    /**
     * The referrers of a digest: from the OCI 1.1 referrers API, or, where the registry does not
     * have it, from the index stored under the tag `sha256-<hex>` (OCI distribution spec's
     * "referrers tag schema", which cosign v3 writes on such registries).
     */
    async referrers(
        repo: Repository,
        digest: string,
        deadline: Deadline,
    ): Promise<{ descriptors: Descriptor[]; source: string; problems: string[] }> {
        const what = `referrers list of ${repositoryName(repo)}@${digest}`;
        const res = await this.send(repo, this.url(repo, `referrers/${digest}`), {
            headers: { Accept: OCI_INDEX },
            maxBytes: this.limits.manifestBytes,
            what,
            deadline,
        });
        let index: Record<string, unknown> | undefined;
        let source: string;
        if (res.status === 200) {
            index = parseJsonObject(res.body, `the ${what}`);
            source = "the OCI referrers API";
        } else if (res.status === 404 || res.status === 405 || res.status === 400 || res.status === 501) {
            // No referrers API: the fallback tag (algorithm cut to 32 characters, hex to 64).
            const [algorithm, hex] = digest.split(":");
            const tag = `${algorithm.slice(0, 32)}-${hex.slice(0, 64)}`;
            source = `the referrers tag ${tag}`;
            const fallback = await this.manifest(repo, tag, deadline);
            index = fallback?.json;
        } else {
            throw this.unexpected(repo, res, what);
        }
        const descriptors: Descriptor[] = [];
        const problems: string[] = [];
        const manifests = index?.manifests;
        if (index && !Array.isArray(manifests)) {
            throw new EvidenceError(
                "malformed",
                `the ${what} (${source}) is not an OCI index: it has no manifests list`,
            );
        }
        for (const raw of (manifests as unknown[] | undefined) ?? []) {
            if (descriptors.length >= this.limits.maxReferrers) {
                problems.push(`more than ${this.limits.maxReferrers} referrers; the rest were not read`);
                break;
            }
            const d = readDescriptor(raw);
            if (typeof d === "string") {
                problems.push(`${source}: ${d}`);
            } else {
                descriptors.push(d);
            }
        }
        return { descriptors, source, problems };
    }

    private unexpected(repo: Repository, res: HttpResponse, what: string): EvidenceError {
        const category = res.status === 401 || res.status === 403 ? "auth" : "http";
        return new EvidenceError(category, `registry ${repo.registry} answered ${statusText(res)} for the ${what}`);
    }

    /** Sends a request with the repository's pull authorization, answering one auth challenge. */
    private async send(
        repo: Repository,
        url: URL,
        opts: {
            method?: "GET" | "HEAD";
            headers?: Record<string, string>;
            maxBytes: number;
            what: string;
            deadline: Deadline;
        },
    ): Promise<HttpResponse> {
        const scope = `repository:${repo.path}:pull`;
        const key = `${repo.registry} ${scope}`;
        const cached = this.tokens.get(key);
        let authorization = cached && cached.expires > Date.now() ? cached.authorization : undefined;
        let res = await this.transport.request(url, { ...opts, authorization });
        if (res.status !== 401) {
            if (res.status === 403) {
                throw this.refused(repo, res, this.credentials.lookup(repo.registry), opts.what);
            }
            return res;
        }
        const lookup = this.credentials.lookup(repo.registry);
        const challenge = parseChallenge(res.headers["www-authenticate"]);
        if (challenge?.scheme === "bearer") {
            const realm = challenge.params.get("realm");
            if (!realm) {
                throw new EvidenceError(
                    "auth",
                    `registry ${repo.registry} asked for a bearer token without saying where to get one (no realm)`,
                );
            }
            // Requests in flight for the same scope share one token request.
            let pending = this.pendingTokens.get(key);
            if (!pending) {
                pending = this.fetchToken(repo, realm, challenge.params.get("service"), scope, lookup, opts.deadline);
                this.pendingTokens.set(key, pending);
                const forget = () => this.pendingTokens.delete(key);
                pending.then(forget, forget);
            }
            const token = await pending;
            authorization = `Bearer ${token.value}`;
            this.tokens.set(key, { authorization, expires: Date.now() + token.ttlSeconds * 1000 });
        } else if (challenge?.scheme === "basic") {
            if (lookup.credential?.kind !== "basic") {
                throw this.refused(repo, res, lookup, opts.what);
            }
            authorization =
                `Basic ` +
                `${Buffer.from(`${lookup.credential.username}:${lookup.credential.password}`).toString("base64")}`;
            this.tokens.set(key, { authorization, expires: Number.MAX_SAFE_INTEGER });
        } else {
            throw new EvidenceError(
                "auth",
                `registry ${repo.registry} answered 401 Unauthorized for the ${opts.what} without an authentication ` +
                    `challenge container-guard can answer`,
            );
        }
        res = await this.transport.request(url, { ...opts, authorization });
        if (res.status === 401 || res.status === 403) {
            this.tokens.delete(key);
            throw this.refused(repo, res, lookup, opts.what);
        }
        return res;
    }

    private refused(repo: Repository, res: HttpResponse, lookup: CredentialLookup, what: string): EvidenceError {
        const how = lookup.credential
            ? `with the credentials for ${repo.registry} from ${lookup.source}`
            : `anonymously (${lookup.unavailable ?? this.noCredentials(repo.registry)})`;
        return new EvidenceError(
            "auth",
            `registry ${repo.registry} refused access to ${repo.path} (${statusText(res)}) for the ${what}, asked ` +
                `${how}`,
        );
    }

    /** Why a request went out without credentials. */
    private noCredentials(registry: string): string {
        return `no credentials for ${registry} are configured in ${this.credentials.file} or DOCKER_AUTH_CONFIG`;
    }

    /** Gets a pull token from the registry's token service (distribution token authentication). */
    private async fetchToken(
        repo: Repository,
        realm: string,
        service: string | undefined,
        scope: string,
        lookup: CredentialLookup,
        deadline: Deadline,
    ): Promise<{ value: string; ttlSeconds: number }> {
        let url: URL;
        try {
            url = new URL(realm);
        } catch {
            throw new EvidenceError("auth", `registry ${repo.registry} named a token service that is not a URL`);
        }
        // Credentials go to the token service the registry names, but never over plain HTTP unless that host is listed.
        if (url.protocol !== "https:" && !(url.protocol === "http:" && this.transport.isInsecure(url.host))) {
            throw new EvidenceError(
                "auth",
                `registry ${repo.registry} named the token service ${url.protocol}//${url.host}, which is not HTTPS ` +
                    `(plain HTTP is used only for insecureRegistries)`,
            );
        }
        const what = `token from ${shownUrl(url)}`;
        const credential: RegistryCredential | undefined = lookup.credential;
        let res: HttpResponse;
        if (credential?.kind === "identityToken") {
            const form = new URLSearchParams({
                grant_type: "refresh_token",
                refresh_token: credential.token,
                client_id: "container-guard",
                scope,
                ...(service && { service }),
            });
            res = await this.transport.request(url, {
                method: "POST",
                headers: { "Content-Type": "application/x-www-form-urlencoded" },
                body: form.toString(),
                maxBytes: 64 * 1024,
                what,
                deadline,
            });
        } else {
            if (service) {
                url.searchParams.set("service", service);
            }
            url.searchParams.set("scope", scope);
            const authorization =
                credential?.kind === "basic"
                    ? `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString("base64")}`
                    : undefined;
            res = await this.transport.request(url, { maxBytes: 64 * 1024, what, deadline, authorization });
        }
        if (res.status !== 200) {
            const how = credential
                ? `with the credentials from ${lookup.source}`
                : `anonymously${lookup.unavailable ? ` (${lookup.unavailable})` : ""}`;
            throw new EvidenceError(
                "auth",
                `the token service of registry ${repo.registry} (${url.host}) refused a pull token for ${repo.path} ` +
                    `(${statusText(res)}), asked ${how}`,
            );
        }
        const json = parseJsonObject(res.body, `the ${what}`);
        const token =
            typeof json.token === "string" && json.token !== ""
                ? json.token
                : typeof json.access_token === "string"
                  ? json.access_token
                  : undefined;
        if (!token) {
            throw new EvidenceError("auth", `the token service of registry ${repo.registry} answered without a token`);
        }
        const expires = typeof json.expires_in === "number" && json.expires_in > 0 ? json.expires_in : 60;
        // Renew a little early, so a token does not expire between the check and the request.
        return { value: token, ttlSeconds: Math.max(1, expires - 5) };
    }
}

/** Parses a JSON object, or throws a "malformed" EvidenceError naming what it was. */
export function parseJsonObject(bytes: Buffer, what: string): Record<string, unknown> {
    let json: unknown;
    try {
        json = JSON.parse(bytes.toString("utf8"));
    } catch (err) {
        throw new EvidenceError("malformed", `${what} is not valid JSON (${errorText(err).slice(0, 120)})`);
    }
    if (!isObject(json)) {
        throw new EvidenceError("malformed", `${what} is not a JSON object`);
    }
    return json;
}
