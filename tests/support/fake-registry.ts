// An in-process OCI registry on 127.0.0.1 for the supply-chain unit tests: it serves manifests,
// blobs, referrers (API or `sha256-<hex>` tag fallback), optional bearer or Basic auth, and lets a
// test make any path misbehave (slow, 500, wrong bytes, huge bodies, redirect loops).

import { createHash } from "crypto";
import * as http from "http";
import type { AddressInfo } from "net";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

export function sha256(bytes: Buffer | string): string {
    return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

interface StoredManifest {
    readonly body: Buffer;
    readonly mediaType: string;
}

/** A request as the registry saw it (headers lowercased). */
export interface SeenRequest {
    readonly method: string;
    readonly path: string;
    readonly headers: http.IncomingHttpHeaders;
}

/** Returns true when it answered the request itself. */
export type Hook = (req: http.IncomingMessage, res: http.ServerResponse, path: string) => boolean;

export type FakeAuth =
    | {
          readonly kind: "bearer";
          readonly token: string;
          readonly username?: string;
          readonly password?: string;
          readonly realmHost?: string;
          readonly refreshToken?: string;
      }
    | { readonly kind: "basic"; readonly username: string; readonly password: string };

export class FakeRegistry {
    private server?: http.Server;
    private readonly manifests = new Map<string, Map<string, StoredManifest>>();
    private readonly blobs = new Map<string, Buffer>();
    /** Answer the referrers API (false: 404, so clients read the `sha256-<hex>` tag). */
    referrersApi = true;
    auth?: FakeAuth;
    readonly hooks: Hook[] = [];
    readonly requests: SeenRequest[] = [];
    host = "";

    async start(): Promise<string> {
        this.server = http.createServer((req, res) => this.handle(req, res));
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this.host;
    }

    async stop(): Promise<void> {
        if (!this.server) {
            return;
        }
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }

    putBlob(bytes: Buffer | string): { digest: string; size: number } {
        const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
        const digest = sha256(b);
        this.blobs.set(digest, b);
        return { digest, size: b.length };
    }

    /** Stores a manifest (JSON object or exact bytes) under its digest and the given tags; returns the digest. */
    putManifest(repo: string, manifest: object | Buffer, tags: readonly string[] = [], mediaType?: string): string {
        const body = Buffer.isBuffer(manifest) ? manifest : Buffer.from(JSON.stringify(manifest));
        const type = mediaType ?? ((manifest as { mediaType?: string }).mediaType || OCI_MANIFEST);
        const digest = sha256(body);
        let repoManifests = this.manifests.get(repo);
        if (!repoManifests) {
            repoManifests = new Map();
            this.manifests.set(repo, repoManifests);
        }
        for (const ref of [digest, ...tags]) {
            repoManifests.set(ref, { body, mediaType: type });
        }
        return digest;
    }

    deleteTag(repo: string, tag: string): void {
        this.manifests.get(repo)?.delete(tag);
    }

    /** Pushes a small random image and returns its digest. */
    pushImage(repo: string, tag: string, seed = Math.random().toString()): string {
        const config = this.putBlob(JSON.stringify({ architecture: "amd64", os: "linux", seed }));
        const layer = this.putBlob(`layer ${seed}`);
        return this.putManifest(
            repo,
            {
                schemaVersion: 2,
                mediaType: OCI_MANIFEST,
                config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
                layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", ...layer }],
            },
            [tag],
        );
    }

    /** The referrers of a digest, as the OCI 1.1 API lists them. */
    referrersOf(repo: string, digest: string): object {
        const seen = new Set<string>();
        const manifests: object[] = [];
        for (const [ref, m] of this.manifests.get(repo) ?? []) {
            if (!ref.includes(":") || seen.has(ref)) {
                continue;
            }
            seen.add(ref);
            let json: {
                subject?: { digest?: string };
                artifactType?: string;
                annotations?: object;
                config?: { mediaType?: string };
            };
            try {
                json = JSON.parse(m.body.toString());
            } catch {
                continue;
            }
            if (json.subject?.digest === digest) {
                manifests.push({
                    mediaType: m.mediaType,
                    digest: ref,
                    size: m.body.length,
                    artifactType: json.artifactType ?? json.config?.mediaType,
                    ...(json.annotations && { annotations: json.annotations }),
                });
            }
        }
        return { schemaVersion: 2, mediaType: OCI_INDEX, manifests };
    }

    private authorized(req: http.IncomingMessage): boolean {
        const auth = this.auth;
        if (!auth) {
            return true;
        }
        const header = req.headers.authorization ?? "";
        if (auth.kind === "bearer") {
            return header === `Bearer ${auth.token}`;
        }
        return header === `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        const url = new URL(req.url ?? "/", `http://${this.host}`);
        const path = url.pathname;
        this.requests.push({ method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers });
        for (const hook of this.hooks) {
            if (hook(req, res, path)) {
                return;
            }
        }
        if (path === "/token" && this.auth?.kind === "bearer" && req.method === "POST") {
            // OAuth2 refresh-token grant (Docker config `identitytoken`).
            const { refreshToken, token } = this.auth;
            let body = "";
            req.on("data", (c: Buffer) => (body += c.toString()));
            req.on("end", () => {
                const form = new URLSearchParams(body);
                const ok =
                    refreshToken !== undefined &&
                    form.get("grant_type") === "refresh_token" &&
                    form.get("refresh_token") === refreshToken;
                res.writeHead(ok ? 200 : 401, { "Content-Type": "application/json" }).end(
                    ok ? JSON.stringify({ access_token: token, expires_in: 300 }) : "{}",
                );
            });
            return;
        }
        if (path === "/token" && this.auth?.kind === "bearer") {
            const { username, password, token } = this.auth;
            if (username !== undefined) {
                const expected = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
                if (req.headers.authorization !== expected) {
                    res.writeHead(401).end();
                    return;
                }
            }
            res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ token, expires_in: 300 }));
            return;
        }
        if (!this.authorized(req)) {
            const challenge =
                this.auth!.kind === "bearer"
                    ? `Bearer ` +
                      `realm="http://${this.auth!.realmHost ?? this.host}/token",` +
                      'service="fake",scope="repository:x:pull"'
                    : `Basic realm="fake"`;
            res.writeHead(401, { "WWW-Authenticate": challenge, "Content-Type": "application/json" }).end(
                '{"errors":[{"code":"UNAUTHORIZED"}]}',
            );
            return;
        }
        const m = /^\/v2\/(.+)\/(manifests|blobs|referrers)\/([^/]+)$/.exec(path);
        if (!m) {
            res.writeHead(path === "/v2/" ? 200 : 404).end();
            return;
        }
        const [, repo, kind, ref] = m;
        if (kind === "blobs") {
            const blob = this.blobs.get(ref);
            if (!blob) {
                res.writeHead(404).end();
                return;
            }
            res.writeHead(200, {
                "Content-Type": "application/octet-stream",
                "Content-Length": blob.length,
                "Docker-Content-Digest": ref,
            }).end(req.method === "HEAD" ? undefined : blob);
            return;
        }
        if (kind === "referrers") {
            if (!this.referrersApi) {
                res.writeHead(404).end();
                return;
            }
            const body = JSON.stringify(this.referrersOf(repo, ref));
            res.writeHead(200, { "Content-Type": OCI_INDEX }).end(body);
            return;
        }
        let stored = this.manifests.get(repo)?.get(ref);
        const fallback = /^(sha256)-([0-9a-f]{64})$/.exec(ref);
        if (!stored && fallback && !this.referrersApi) {
            const index = this.referrersOf(repo, `${fallback[1]}:${fallback[2]}`) as { manifests: unknown[] };
            if (index.manifests.length > 0) {
                stored = { body: Buffer.from(JSON.stringify(index)), mediaType: OCI_INDEX };
            }
        }
        if (!stored) {
            res.writeHead(404, { "Content-Type": "application/json" }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
            return;
        }
        res.writeHead(200, {
            "Content-Type": stored.mediaType,
            "Content-Length": stored.body.length,
            "Docker-Content-Digest": sha256(stored.body),
        }).end(req.method === "HEAD" ? undefined : stored.body);
    }
}
