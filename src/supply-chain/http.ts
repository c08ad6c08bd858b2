// The HTTP transport the registry client uses: node:http/node:https with hard bounds on everything
// a registry can make us wait for or hold in memory.
//
// A preview must never hang and never run out of memory because of a registry, so every request
// has a per-request timeout and runs under the caller's deadline (the per-image `timeoutSeconds`),
// every body is read up to a size limit and abandoned past it, redirects are capped, requests are
// limited in number at once, and a registry that did not answer (or could not be reached) is not
// asked again in the same process: its failure is reported for the images after it at once.
//
// Errors are EvidenceError values whose reason is written for people ("registry 127.0.0.1:5000 did
// not answer within 10 s"). Reasons never contain credentials, tokens or URL query strings (a
// redirect to blob storage often carries a signed URL).

import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as tls from "tls";
import { errorText } from "./config-util";

/** What kind of failure it was: decides whether the verdict is "could not verify" or "failed". */
export type FailureCategory =
    "timeout" | "unreachable" | "tls" | "auth" | "http" | "malformed" | "too-large" | "redirect" | "config";

/** A failure to obtain evidence, with a reason for people. */
export class EvidenceError extends Error {
    constructor(
        readonly category: FailureCategory,
        readonly reason: string,
    ) {
        super(reason);
        this.name = "EvidenceError";
    }
}

/** A point in time after which work for one image stops. */
export class Deadline {
    private readonly controller = new AbortController();
    private readonly timer: NodeJS.Timeout | undefined;
    private readonly end: number;
    private wasDisposed = false;

    private constructor(readonly seconds: number) {
        this.end = Date.now() + seconds * 1000;
        this.timer = setTimeout(() => this.controller.abort(), seconds * 1000);
        this.timer.unref?.();
    }

    static after(seconds: number): Deadline {
        return new Deadline(seconds);
    }

    get signal(): AbortSignal {
        return this.controller.signal;
    }

    get expired(): boolean {
        return this.controller.signal.aborted;
    }

    remainingMs(): number {
        return Math.max(0, this.end - Date.now());
    }

    /** Whether the work finished (dispose) rather than ran out of time. */
    get disposed(): boolean {
        return this.wasDisposed;
    }

    /** Stops the timer (the work finished); the deadline then counts as expired for late users. */
    dispose(): void {
        if (this.timer) {
            clearTimeout(this.timer);
        }
        this.wasDisposed = true;
        this.controller.abort();
    }
}

/** Limits the number of requests in flight; waiting for a slot counts against the caller's deadline. */
export class Semaphore {
    private active = 0;
    private readonly waiting: (() => void)[] = [];

    constructor(private readonly size: number) {}

    async acquire(signal: AbortSignal): Promise<() => void> {
        if (this.active < this.size) {
            this.active++;
            return this.releaser();
        }
        await new Promise<void>((resolve, reject) => {
            if (signal.aborted) {
                reject(new Error("aborted"));
                return;
            }
            const onAbort = () => {
                const i = this.waiting.indexOf(go);
                if (i >= 0) {
                    this.waiting.splice(i, 1);
                }
                reject(new Error("aborted"));
            };
            const go = () => {
                signal.removeEventListener("abort", onAbort);
                resolve();
            };
            signal.addEventListener("abort", onAbort, { once: true });
            this.waiting.push(go);
        });
        // The releasing holder handed its slot over: `active` already counts this one.
        return this.releaser();
    }

    private releaser(): () => void {
        let released = false;
        return () => {
            if (released) {
                return;
            }
            released = true;
            const next = this.waiting.shift();
            if (next) {
                next();
            } else {
                this.active--;
            }
        };
    }
}

export interface HttpResponse {
    readonly status: number;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: Buffer;
    /** The URL that answered (after redirects). */
    readonly url: URL;
}

export interface RequestOptions {
    readonly method?: "GET" | "HEAD" | "POST";
    readonly headers?: Record<string, string>;
    readonly body?: string;
    /** Abandon the body past this many bytes. */
    readonly maxBytes: number;
    /** What the body is, for the too-large message: "manifest of ghcr.io/acme/app:1.0". */
    readonly what: string;
    readonly deadline: Deadline;
    /**
     * Sent to the URL's origin only: dropped when a redirect leads to another scheme, host or
     * port (blob storage must never see registry credentials).
     */
    readonly authorization?: string;
}

export interface TransportOptions {
    /** Hosts (`host[:port]`, as in image names) that are spoken to over plain HTTP. */
    readonly insecureRegistries: ReadonlySet<string>;
    readonly requestTimeoutMs: number;
    readonly maxRedirects: number;
    readonly concurrency: number;
    /** Extra PEM CA certificates to trust (tests; private registries use SSL_CERT_FILE or NODE_EXTRA_CA_CERTS). */
    readonly extraCaPem?: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Shows a URL without credentials or query (signed URLs carry secrets in the query). */
export function shownUrl(url: URL): string {
    return `${url.protocol}//${url.host}${url.pathname}`;
}

function mib(bytes: number): string {
    return bytes % (1024 * 1024) === 0
        ? `${bytes / (1024 * 1024)} MiB`
        : bytes >= 1024
          ? `${Math.round(bytes / 1024)} KiB`
          : `${bytes} bytes`;
}

function secondsText(ms: number): string {
    const s = ms / 1000;
    return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

let systemCas: string[] | undefined;

/**
 * The certificate authorities to trust: Node's bundled roots plus the system's bundle (Node 20 has no
 * API for the system store; this reads the file OpenSSL uses) and NODE_EXTRA_CA_CERTS, which an
 * explicit `ca` option would otherwise override. Read once per process.
 */
function certificateAuthorities(): string[] {
    if (!systemCas) {
        const files = [
            process.env.SSL_CERT_FILE,
            "/etc/ssl/certs/ca-certificates.crt",
            "/etc/pki/tls/certs/ca-bundle.crt",
            "/etc/ssl/cert.pem",
        ];
        const out = [...tls.rootCertificates];
        for (const file of files) {
            if (!file) {
                continue;
            }
            try {
                out.push(fs.readFileSync(file, "utf8"));
                break; // the first bundle found is the system's
            } catch {
                // not on this system
            }
        }
        if (process.env.NODE_EXTRA_CA_CERTS) {
            try {
                out.push(fs.readFileSync(process.env.NODE_EXTRA_CA_CERTS, "utf8"));
            } catch {
                // Node itself warns about an unreadable file
            }
        }
        systemCas = out;
    }
    return systemCas;
}

const TLS_ERROR = /^(?:ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL)/;

function describeConnectionError(host: string, err: NodeJS.ErrnoException): EvidenceError {
    const code = err.code ?? "";
    if (code === "ECONNREFUSED") {
        return new EvidenceError("unreachable", `registry ${host} is unreachable (connection refused)`);
    }
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
        return new EvidenceError("unreachable", `registry ${host} is unreachable (its name does not resolve)`);
    }
    if (code === "ECONNRESET" || code === "EPIPE") {
        return new EvidenceError("unreachable", `registry ${host} closed the connection`);
    }
    if (code === "EPROTO") {
        return new EvidenceError(
            "tls",
            `registry ${host} could not be reached securely: the TLS handshake failed (EPROTO); if it serves plain ` +
                `HTTP, list it in insecureRegistries`,
        );
    }
    if (TLS_ERROR.test(code)) {
        return new EvidenceError(
            "tls",
            `registry ${host} could not be reached securely: its TLS certificate is not trusted (${code}); add its ` +
                `CA to the system store, SSL_CERT_FILE or NODE_EXTRA_CA_CERTS`,
        );
    }
    return new EvidenceError("unreachable", `registry ${host} is unreachable (${code || errorText(err)})`);
}

/** One HTTP client per verifier: connection reuse, the concurrency limit and the down-host memory. */
export class Transport {
    private readonly semaphore: Semaphore;
    private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    private httpsAgent: https.Agent | undefined;
    /** Hosts that did not answer or could not be reached, with the failure, for the rest of the process. */
    private readonly downHosts = new Map<string, EvidenceError>();
    /** Number of HTTP requests sent (for the bench and tests). */
    requests = 0;

    constructor(readonly options: TransportOptions) {
        this.semaphore = new Semaphore(Math.max(1, options.concurrency));
    }

    /** Whether `host` (`host[:port]`) is spoken to over plain HTTP. */
    isInsecure(host: string): boolean {
        return this.options.insecureRegistries.has(host.toLowerCase());
    }

    /** The scheme for a registry host. */
    schemeFor(host: string): "http:" | "https:" {
        return this.isInsecure(host) ? "http:" : "https:";
    }

    private agentFor(url: URL): http.Agent {
        if (url.protocol === "http:") {
            return this.httpAgent;
        }
        if (!this.httpsAgent) {
            const ca = [...certificateAuthorities(), ...(this.options.extraCaPem ? [this.options.extraCaPem] : [])];
            this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 16, ca });
        }
        return this.httpsAgent;
    }

    /** Closes idle connections (tests and one-shot tools call this when done). */
    close(): void {
        this.httpAgent.destroy();
        this.httpsAgent?.destroy();
    }

    /** Sends a request, following redirects; throws EvidenceError. */
    async request(start: URL, opts: RequestOptions): Promise<HttpResponse> {
        let url = start;
        let method = opts.method ?? "GET";
        let body = opts.body;
        for (let hop = 0; ; hop++) {
            const sameOrigin = url.origin === start.origin;
            const headers: Record<string, string> = { "User-Agent": "container-guard", ...opts.headers };
            if (opts.authorization && sameOrigin) {
                headers.Authorization = opts.authorization;
            }
            const res = await this.once(url, method, headers, body, opts);
            if (!REDIRECTS.has(res.status)) {
                return res;
            }
            const location = res.headers.location;
            if (typeof location !== "string" || location === "") {
                throw new EvidenceError(
                    "malformed",
                    `${shownUrl(url)} answered ${res.status} without a Location to follow`,
                );
            }
            if (hop >= this.options.maxRedirects) {
                throw new EvidenceError(
                    "redirect",
                    `too many redirects (more than ${this.options.maxRedirects}) fetching the ${opts.what}`,
                );
            }
            let next: URL;
            try {
                next = new URL(location, url);
            } catch {
                throw new EvidenceError("malformed", `${shownUrl(url)} redirected to a location that is not a URL`);
            }
            if (next.protocol !== "https:" && !(next.protocol === "http:" && this.isInsecure(next.host))) {
                throw new EvidenceError(
                    "redirect",
                    `${shownUrl(url)} redirected the ${opts.what} to ${next.protocol}//${next.host}, which is not ` +
                        `HTTPS (plain HTTP is used only for insecureRegistries)`,
                );
            }
            if (res.status === 303) {
                method = "GET";
                body = undefined;
            }
            url = next;
        }
    }

    private async once(
        url: URL,
        method: string,
        headers: Record<string, string>,
        body: string | undefined,
        opts: RequestOptions,
    ): Promise<HttpResponse> {
        const host = url.host;
        const down = this.downHosts.get(host);
        if (down) {
            throw new EvidenceError(down.category, `${down.reason} (an earlier request in this run; not asked again)`);
        }
        const deadline = opts.deadline;
        if (deadline.expired) {
            throw new EvidenceError("timeout", `registry ${host} did not answer within ${deadline.seconds} s`);
        }
        let release: () => void;
        try {
            release = await this.semaphore.acquire(deadline.signal);
        } catch {
            throw new EvidenceError(
                "timeout",
                `registry ${host} did not answer within ${deadline.seconds} s (requests were queued behind others)`,
            );
        }
        try {
            this.requests++;
            return await this.send(url, method, headers, body, opts);
        } finally {
            release();
        }
    }

    private send(
        url: URL,
        method: string,
        headers: Record<string, string>,
        body: string | undefined,
        opts: RequestOptions,
    ): Promise<HttpResponse> {
        const host = url.host;
        const deadline = opts.deadline;
        const requestMs = Math.min(this.options.requestTimeoutMs, Math.max(1, deadline.remainingMs()));
        const timeoutMessage = () =>
            requestMs < this.options.requestTimeoutMs || deadline.expired
                ? `registry ${host} did not answer within ${deadline.seconds} s`
                : `registry ${host} did not answer within ${secondsText(this.options.requestTimeoutMs)}`;
        return new Promise<HttpResponse>((resolve, reject) => {
            let settled = false;
            let gotResponse = false;
            const finish = (err: EvidenceError | undefined, res?: HttpResponse) => {
                if (settled) {
                    return;
                }
                settled = true;
                clearTimeout(timer);
                deadline.signal.removeEventListener("abort", onAbort);
                if (err) {
                    // A host that did not answer at all, or could not be reached, is remembered as down.
                    // A request abandoned because its image's verdict was already reached (another
                    // request failed first) says nothing about the host.
                    if (
                        !gotResponse &&
                        !deadline.disposed &&
                        (err.category === "timeout" || err.category === "unreachable" || err.category === "tls")
                    ) {
                        this.downHosts.set(host, err);
                    }
                    reject(err);
                } else {
                    resolve(res!);
                }
            };
            const transport = url.protocol === "https:" ? https : http;
            let req: http.ClientRequest;
            try {
                req = transport.request(url, {
                    method,
                    headers:
                        body !== undefined
                            ? { ...headers, "Content-Length": String(Buffer.byteLength(body)) }
                            : headers,
                    agent: this.agentFor(url),
                });
            } catch (err) {
                reject(new EvidenceError("config", `could not send a request to ${shownUrl(url)} (${errorText(err)})`));
                return;
            }
            const timer = setTimeout(() => {
                finish(new EvidenceError("timeout", timeoutMessage()));
                req.destroy();
            }, requestMs);
            const onAbort = () => {
                finish(new EvidenceError("timeout", `registry ${host} did not answer within ${deadline.seconds} s`));
                req.destroy();
            };
            deadline.signal.addEventListener("abort", onAbort, { once: true });
            req.on("error", (err: NodeJS.ErrnoException) => finish(describeConnectionError(host, err)));
            req.on("response", (res) => {
                gotResponse = true;
                const status = res.statusCode ?? 0;
                const declared = Number(res.headers["content-length"]);
                // Redirect and error bodies are not needed; read them only to reuse the connection.
                const limit = REDIRECTS.has(status) || method === "HEAD" ? 64 * 1024 : opts.maxBytes;
                const tooLarge = () =>
                    new EvidenceError("too-large", `the ${opts.what} is larger than the ${mib(opts.maxBytes)} limit`);
                if (method !== "HEAD" && Number.isFinite(declared) && declared > limit) {
                    if (REDIRECTS.has(status)) {
                        res.resume();
                    } else {
                        finish(tooLarge());
                        req.destroy();
                        return;
                    }
                }
                const chunks: Buffer[] = [];
                let size = 0;
                res.on("data", (chunk: Buffer) => {
                    size += chunk.length;
                    if (size > limit) {
                        finish(
                            REDIRECTS.has(status)
                                ? new EvidenceError("malformed", `${shownUrl(url)} sent an oversized redirect`)
                                : tooLarge(),
                        );
                        req.destroy();
                        return;
                    }
                    chunks.push(chunk);
                });
                res.on("error", (err: NodeJS.ErrnoException) => finish(describeConnectionError(host, err)));
                res.on("aborted", () =>
                    finish(
                        new EvidenceError(
                            "unreachable",
                            `registry ${host} closed the connection in the middle of the ${opts.what}`,
                        ),
                    ),
                );
                res.on("end", () =>
                    finish(undefined, { status, headers: res.headers, body: Buffer.concat(chunks), url }),
                );
            });
            if (body !== undefined) {
                req.write(body);
            }
            req.end();
        });
    }
}
