// Registries that misbehave: every failure must end in a verdict with a reason (never a pass, never
// an exception), within the deadline, and without leaking credentials.

import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import type * as http from "http";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { parseImageRef } from "../../src/images/image-ref";
import {
    type SignatureRequirement,
    Verifier,
    type VerifierOptions,
    compileSignatureRequirements,
} from "../../src/supply-chain";
import { FakeRegistry, sha256 } from "../support/fake-registry";
import { COSIGN_SIGN, attachBundle, keyedBundle, statement, testKey } from "../support/signing";

const key = testKey();

function requirement(host: string): SignatureRequirement {
    const c = compileSignatureRequirements([{ images: [`${host}/**`], keys: [key.publicPem] }]);
    assert.deepStrictEqual(c.errors, []);
    return c.requirements[0];
}

describe("supply chain: misbehaving registries fail closed with a reason", () => {
    const reg = new FakeRegistry();
    let host = "";
    const verifiers: Verifier[] = [];
    const verifier = (opts: VerifierOptions = {}) => {
        const v = new Verifier({ insecureRegistries: [host], timeoutSeconds: 5, ...opts });
        verifiers.push(v);
        return v;
    };
    const verify = (v: Verifier, ref: string) => v.verifySignature(parseImageRef(`${host}/${ref}`), requirement(host));

    before(async () => {
        host = await reg.start();
    });
    after(() => reg.stop());
    afterEach(() => {
        reg.hooks.length = 0;
        reg.auth = undefined;
        verifiers.splice(0).forEach((v) => v.close());
    });

    it("an unanswering registry costs one timeout per image, not per resource, and is not asked again", async () => {
        const hung: http.ServerResponse[] = [];
        reg.hooks.push((req, res, p) => {
            if (p.startsWith("/v2/slow/")) {
                hung.push(res); // never answered
                return true;
            }
            return false;
        });
        const v = verifier({ timeoutSeconds: 1 });
        const started = Date.now();
        const verdicts = await Promise.all(Array.from({ length: 30 }, (_, i) => verify(v, `slow/app${i % 3}:1.0`)));
        const elapsed = Date.now() - started;
        assert.ok(verdicts.every((x) => x.status === "error"));
        assert.ok(
            verdicts[0].reason.startsWith(
                `could not resolve ${host}/slow/app0:1.0 to a digest: registry ${host} did not answer within 1 s`,
            ),
            verdicts[0].reason,
        );
        // One timeout (the images wait in parallel); per resource it would be 30 s.
        assert.ok(elapsed < 5000, `took ${elapsed} ms for 30 resources of 3 images with timeoutSeconds 1`);
        assert.strictEqual(v.stats.resolutions, 3);
        const seen = reg.requests.length;
        const next = await verify(v, "slow/another:1.0");
        assert.strictEqual(reg.requests.length, seen, "the host that did not answer is not asked again");
        assert.match(next.reason, /did not answer within 1 s \(an earlier request in this run; not asked again\)/);
        hung.forEach((res) => res.destroy());
    });

    it("a verdict reached while other requests are in flight does not mark the registry as down", async () => {
        // The referrers list is malformed at once while the legacy `.sig` lookup still waits: the
        // verdict is reached, the waiting request is abandoned, and the registry stays usable.
        const digest = reg.pushImage("race/app", "1.0");
        const hung: http.ServerResponse[] = [];
        let referrers: http.ServerResponse | undefined;
        // The referrers list is answered only once the legacy lookup is waiting, whichever came first.
        const answerReferrers = () => {
            if (referrers && hung.length > 0) {
                referrers.writeHead(200).end('{"manifests": [}');
            }
        };
        reg.hooks.push((req, res, p) => {
            if (p.startsWith("/v2/race/app/referrers/")) {
                referrers = res;
                answerReferrers();
                return true;
            }
            if (p.startsWith("/v2/race/app/manifests/sha256-")) {
                hung.push(res);
                answerReferrers();
                return true;
            }
            return false;
        });
        const good = reg.pushImage("race/ok", "1.0");
        attachBundle(reg, "race/ok", good, keyedBundle(key, statement(good, COSIGN_SIGN)));
        const v = verifier();
        const first = await verify(v, `race/app@${digest}`);
        assert.match(first.reason, /is not valid JSON/);
        const second = await verify(v, `race/ok@${good}`);
        hung.forEach((res) => res.destroy());
        assert.strictEqual(second.status, "verified", second.reason);
    });

    it("a body that arrives too slowly hits the per-request timeout", async () => {
        const digest = reg.pushImage("drip/app", "1.0");
        reg.hooks.push((req, res, p) => {
            if (p.startsWith("/v2/drip/app/referrers/")) {
                res.writeHead(200, { "Content-Type": "application/vnd.oci.image.index.v1+json" });
                res.write("{");
                const t = setInterval(() => res.write(" "), 100);
                res.on("close", () => clearInterval(t));
                return true;
            }
            return false;
        });
        const v = verifier({ timeoutSeconds: 5, requestTimeoutSeconds: 1 });
        const started = Date.now();
        const verdict = await verify(v, `drip/app@${digest}`);
        assert.strictEqual(verdict.status, "error");
        assert.strictEqual(verdict.reason, `could not verify: registry ${host} did not answer within 1 s`);
        assert.ok(Date.now() - started < 4000, "the request timeout (1 s) applies, not the 5 s deadline");
    });

    it("resolves a tag by hashing the manifest when the registry sends no Docker-Content-Digest", async () => {
        const digest = reg.pushImage("nodigest/app", "1.0");
        attachBundle(reg, "nodigest/app", digest, keyedBundle(key, statement(digest, COSIGN_SIGN)));
        reg.hooks.push((req, res, p) => {
            if (req.method === "HEAD" && p === "/v2/nodigest/app/manifests/1.0") {
                res.writeHead(200, { "Content-Type": "application/vnd.oci.image.manifest.v1+json" }).end();
                return true;
            }
            return false;
        });
        const v = verifier();
        const resolution = await v.resolveDigest(parseImageRef(`${host}/nodigest/app:1.0`));
        assert.deepStrictEqual(resolution, {
            status: "resolved",
            digest,
            fromTag: "1.0",
            pinned: `${host}/nodigest/app:1.0@${digest}`,
        });
        assert.strictEqual((await verify(v, "nodigest/app:1.0")).status, "verified");
    });

    it("a 500 is reported with the status and what was asked for", async () => {
        const digest = reg.pushImage("err/app", "1.0");
        reg.hooks.push((req, res, p) => (p.includes("/referrers/") ? (res.writeHead(500).end(), true) : false));
        const verdict = await verify(verifier(), `err/app@${digest}`);
        assert.strictEqual(verdict.status, "error");
        assert.strictEqual(
            verdict.reason,
            `could not verify: registry ${host} answered 500 Internal Server Error for the referrers list of ` +
                `${host}/err/app@${digest}`,
        );
    });

    it("content whose hash is not the requested digest is rejected (manifest and blob)", async () => {
        const digest = reg.pushImage("swap/app", "1.0");
        const referrer = attachBundle(reg, "swap/app", digest, keyedBundle(key, statement(digest, COSIGN_SIGN)));
        reg.hooks.push((req, res, p) => {
            if (p === `/v2/swap/app/manifests/${referrer}`) {
                res.writeHead(200, { "Content-Type": "application/vnd.oci.image.manifest.v1+json" }).end(
                    '{"schemaVersion":2,"layers":[]}',
                );
                return true;
            }
            return false;
        });
        const verdict = await verify(verifier(), `swap/app@${digest}`);
        assert.strictEqual(verdict.status, "error");
        assert.ok(
            verdict.reason.includes(
                `registry ${host} returned content for ${referrer} whose digest is ` +
                    `${sha256('{"schemaVersion":2,"layers":[]}')}`,
            ),
            verdict.reason,
        );

        reg.hooks.length = 0;
        const blobDigest = reg.pushImage("swapblob/app", "1.0");
        attachBundle(reg, "swapblob/app", blobDigest, keyedBundle(key, statement(blobDigest, COSIGN_SIGN)));
        reg.hooks.push((req, res, p) =>
            p.startsWith("/v2/swapblob/app/blobs/") ? (res.writeHead(200).end("not the bundle"), true) : false,
        );
        const blobVerdict = await verify(verifier(), `swapblob/app@${blobDigest}`);
        assert.strictEqual(blobVerdict.status, "error");
        assert.ok(
            blobVerdict.reason.includes(`whose digest is ${sha256("not the bundle")} (the bundle of referrer`),
            blobVerdict.reason,
        );
    });

    it("a body over the size limit is abandoned, with or without a Content-Length", async () => {
        const digest = reg.pushImage("huge/app", "1.0");
        const huge = Buffer.alloc(64 * 1024, 0x20);
        reg.hooks.push((req, res, p) => {
            if (p.startsWith("/v2/huge/app/referrers/")) {
                res.writeHead(200, {
                    "Content-Type": "application/vnd.oci.image.index.v1+json",
                    "Content-Length": huge.length,
                }).end(huge);
                return true;
            }
            return false;
        });
        const declared = await verify(verifier({ limits: { manifestBytes: 16 * 1024 } }), `huge/app@${digest}`);
        assert.strictEqual(
            declared.reason,
            `could not verify: the referrers list of ${host}/huge/app@${digest} is larger than the 16 KiB limit`,
        );

        reg.hooks.length = 0;
        reg.hooks.push((req, res, p) => {
            if (p.startsWith("/v2/huge/app/referrers/")) {
                res.writeHead(200, { "Content-Type": "application/vnd.oci.image.index.v1+json" }); // chunked: no length
                res.write(huge);
                res.end(huge);
                return true;
            }
            return false;
        });
        const streamed = await verify(verifier({ limits: { manifestBytes: 16 * 1024 } }), `huge/app@${digest}`);
        assert.strictEqual(
            streamed.reason,
            `could not verify: the referrers list of ${host}/huge/app@${digest} is larger than the 16 KiB limit`,
        );
    });

    it("the default limits allow 4 MiB for manifests and reject a 5 MiB index", async () => {
        const digest = reg.pushImage("big/app", "1.0");
        reg.hooks.push((req, res, p) =>
            p.startsWith("/v2/big/app/referrers/")
                ? (res.writeHead(200).end(Buffer.alloc(5 * 1024 * 1024, 0x20)), true)
                : false,
        );
        const v = await verify(verifier(), `big/app@${digest}`);
        assert.strictEqual(
            v.reason,
            `could not verify: the referrers list of ${host}/big/app@${digest} is larger than the 4 MiB limit`,
        );
    });

    it("a redirect loop stops after 5 redirects", async () => {
        const digest = reg.pushImage("loop/app", "1.0");
        let hops = 0;
        reg.hooks.push((req, res, p) => {
            if (p.startsWith("/v2/loop/app/referrers/")) {
                hops++;
                res.writeHead(307, { Location: `${p}?hop=${hops}` }).end();
                return true;
            }
            return false;
        });
        const v = await verify(verifier(), `loop/app@${digest}`);
        assert.strictEqual(
            v.reason,
            `could not verify: too many redirects (more than 5) fetching the referrers list of ` +
                `${host}/loop/app@${digest}`,
        );
        assert.strictEqual(hops, 6);
    });

    it("malformed JSON is reported, not trusted", async () => {
        const digest = reg.pushImage("badjson/app", "1.0");
        reg.hooks.push((req, res, p) =>
            p.startsWith("/v2/badjson/app/referrers/") ? (res.writeHead(200).end('{"manifests": [}'), true) : false,
        );
        const v = await verify(verifier(), `badjson/app@${digest}`);
        assert.strictEqual(v.status, "error");
        assert.match(
            v.reason,
            new RegExp(
                `^could not verify: the referrers list of ` +
                    `${host.replace(/\./g, "\\.")}/badjson/app@sha256:[0-9a-f]{64} is not valid JSON \\(`,
            ),
        );
    });

    it("a bundle that is not a Sigstore bundle is reported with the fields at fault", async () => {
        const digest = reg.pushImage("notbundle/app", "1.0");
        attachBundle(reg, "notbundle/app", digest, {
            mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
            verificationMaterial: {},
        });
        const v = await verify(verifier(), `notbundle/app@${digest}`);
        assert.strictEqual(v.status, "failed");
        assert.match(
            v.reason,
            /found 1 signature: by unknown \(it is not a valid Sigstore bundle \(invalid bundle: .*content.*\)\)/,
        );
    });

    describe("authentication", () => {
        let dockerDir = "";
        before(() => {
            dockerDir = fs.mkdtempSync(path.join(os.tmpdir(), "cg-docker-"));
        });
        after(() => fs.rmSync(dockerDir, { recursive: true, force: true }));
        const writeConfig = (config: object) => {
            const file = path.join(dockerDir, "config.json");
            fs.writeFileSync(file, JSON.stringify(config));
            return file;
        };

        it(
            "answers a bearer challenge with a token from the realm, using Basic credentials from the Docker config, " +
                "once per scope",
            async () => {
                const digest = reg.pushImage("private/app", "1.0");
                attachBundle(reg, "private/app", digest, keyedBundle(key, statement(digest, COSIGN_SIGN)));
                reg.auth = { kind: "bearer", token: "s3cr3t-token", username: "alice", password: "pa55" };
                const file = writeConfig({
                    auths: { [`http://${host}/v1/`]: { auth: Buffer.from("alice:pa55").toString("base64") } },
                });
                const v = verifier({ dockerConfig: file });
                const verdict = await verify(v, "private/app:1.0");
                assert.strictEqual(verdict.status, "verified", verdict.reason);
                const tokenRequests = reg.requests.filter((r) => r.path.startsWith("/token"));
                assert.strictEqual(tokenRequests.length, 1, "the token is cached for the scope");
                assert.match(tokenRequests[0].path, /^\/token\?service=fake&scope=repository%3Aprivate%2Fapp%3Apull$/);
                assert.strictEqual(
                    tokenRequests[0].headers.authorization,
                    `Basic ${Buffer.from("alice:pa55").toString("base64")}`,
                );
            },
        );

        it("exchanges an identity token (refresh token) from the Docker config at the token realm", async () => {
            const digest = reg.pushImage("private/oauth", "1.0");
            attachBundle(reg, "private/oauth", digest, keyedBundle(key, statement(digest, COSIGN_SIGN)));
            reg.auth = { kind: "bearer", token: "access-123", refreshToken: "refresh-456" };
            const file = writeConfig({ auths: { [host]: { identitytoken: "refresh-456" } } });
            const before = reg.requests.length;
            const verdict = await verify(verifier({ dockerConfig: file }), `private/oauth@${digest}`);
            assert.strictEqual(verdict.status, "verified", verdict.reason);
            const tokenRequests = reg.requests.slice(before).filter((r) => r.path.startsWith("/token"));
            assert.deepStrictEqual(
                tokenRequests.map((r) => r.method),
                ["POST"],
            );
        });

        it("says who asked and how when the registry refuses, without printing the credentials or token", async () => {
            const digest = reg.pushImage("private/denied", "1.0");
            reg.auth = { kind: "bearer", token: "s3cr3t-token", username: "alice", password: "right" };
            const file = writeConfig({
                auths: { [host]: { auth: Buffer.from("alice:wrong-pa55").toString("base64") } },
            });
            const verdict = await verify(verifier({ dockerConfig: file }), `private/denied@${digest}`);
            assert.strictEqual(verdict.status, "error");
            assert.strictEqual(
                verdict.reason,
                `could not verify: the token service of registry ${host} (${host}) refused a pull token for ` +
                    `private/denied (401 Unauthorized), asked with the credentials from ${file}`,
            );
            assert.ok(!verdict.reason.includes("wrong-pa55") && !verdict.reason.includes("s3cr3t"));
        });

        it("reports a credential helper it does not run as the reason access was refused", async () => {
            const digest = reg.pushImage("private/helper", "1.0");
            reg.auth = { kind: "basic", username: "bob", password: "x" };
            const file = writeConfig({ auths: { [host]: {} }, credsStore: "desktop" });
            const verdict = await verify(verifier({ dockerConfig: file }), `private/helper@${digest}`);
            assert.strictEqual(verdict.status, "error");
            assert.ok(
                verdict.reason.includes(
                    `registry ${host} refused access to private/helper (401 Unauthorized) for the referrers list of ` +
                        `${host}/private/helper@${digest}, asked anonymously (the credentials for ${host} are kept ` +
                        `by the credential helper docker-credential-desktop (credsStore in ${file}), which ` +
                        `container-guard does not run during a preview`,
                ),
                verdict.reason,
            );
        });

        it("answers a Basic challenge with credentials from DOCKER_AUTH_CONFIG (exact host match only)", async () => {
            const digest = reg.pushImage("private/basic", "1.0");
            attachBundle(reg, "private/basic", digest, keyedBundle(key, statement(digest, COSIGN_SIGN)));
            reg.auth = { kind: "basic", username: "carol", password: "pw" };
            const env = {
                DOCKER_AUTH_CONFIG: JSON.stringify({
                    auths: {
                        [host]: { username: "carol", password: "pw" },
                        "127.0.0.1": { username: "x", password: "y" },
                    },
                }),
                HOME: dockerDir,
            };
            const ok = await verify(verifier({ env }), `private/basic@${digest}`);
            assert.strictEqual(ok.status, "verified", ok.reason);
            // A key naming a different port is a different registry: its credentials are not sent.
            const otherPort = {
                DOCKER_AUTH_CONFIG: JSON.stringify({
                    auths: { [host.replace(/:\d+$/, ":1")]: { username: "carol", password: "pw" } },
                }),
                HOME: dockerDir,
            };
            const refused = await verify(verifier({ env: otherPort }), `private/basic@${digest}`);
            assert.strictEqual(refused.status, "error");
            assert.match(refused.reason, /refused access to private\/basic \(401 Unauthorized\)/);
        });

        it("never forwards Authorization to another host on a redirect", async () => {
            const cdn = new FakeRegistry();
            const cdnHost = await cdn.start();
            try {
                const digest = reg.pushImage("private/redirect", "1.0");
                attachBundle(reg, "private/redirect", digest, keyedBundle(key, statement(digest, COSIGN_SIGN)));
                reg.auth = { kind: "bearer", token: "s3cr3t-token" };
                // Blobs are served from the "CDN" (another port: another origin) through a redirect.
                reg.hooks.push((req, res, p) => {
                    const m = /^\/v2\/private\/redirect\/blobs\/(sha256:[0-9a-f]{64})$/.exec(p);
                    if (m && req.headers.authorization === "Bearer s3cr3t-token") {
                        res.writeHead(307, {
                            Location: `http://${cdnHost}/v2/cdn/blobs/${m[1]}?X-Signature=abc`,
                        }).end();
                        return true;
                    }
                    return false;
                });
                cdn.hooks.push((req, res, p) => {
                    const m = /^\/v2\/cdn\/blobs\/(sha256:[0-9a-f]{64})$/.exec(p);
                    if (m) {
                        const body = (reg as unknown as { blobs: Map<string, Buffer> }).blobs.get(m[1]);
                        res.writeHead(body ? 200 : 404).end(body);
                        return true;
                    }
                    return false;
                });
                const verdict = await verify(
                    verifier({ insecureRegistries: [host, cdnHost] }),
                    `private/redirect@${digest}`,
                );
                assert.strictEqual(verdict.status, "verified", verdict.reason);
                assert.ok(cdn.requests.length > 0, "the blob came from the other host");
                assert.ok(
                    cdn.requests.every((r) => r.headers.authorization === undefined),
                    "no Authorization reached the other host",
                );
            } finally {
                await cdn.stop();
            }
        });

        it("refuses a redirect to plain HTTP on a host not listed as insecure", async () => {
            const digest = reg.pushImage("private/downgrade", "1.0");
            reg.hooks.push((req, res, p) =>
                p.startsWith("/v2/private/downgrade/referrers/")
                    ? (res.writeHead(302, { Location: "http://evil.example/x" }).end(), true)
                    : false,
            );
            const verdict = await verify(verifier(), `private/downgrade@${digest}`);
            assert.strictEqual(
                verdict.reason,
                `could not verify: http://${host}/v2/private/downgrade/referrers/${digest} redirected the referrers ` +
                    `list of ${host}/private/downgrade@${digest} to http://evil.example, which is not HTTPS (plain ` +
                    `HTTP is used only for insecureRegistries)`,
            );
        });
    });

    describe("TLS", () => {
        let dir = "";
        let server: https.Server | undefined;
        let tlsHost = "";
        let caPem = "";
        before(async function () {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "cg-tls-"));
            try {
                execFileSync(
                    "openssl",
                    [
                        "req",
                        "-x509",
                        "-newkey",
                        "ec",
                        "-pkeyopt",
                        "ec_paramgen_curve:P-256",
                        "-nodes",
                        "-days",
                        "1",
                        "-subj",
                        "/CN=127.0.0.1",
                        "-addext",
                        "subjectAltName=IP:127.0.0.1",
                        "-keyout",
                        path.join(dir, "key.pem"),
                        "-out",
                        path.join(dir, "cert.pem"),
                    ],
                    { stdio: "ignore" },
                );
            } catch {
                console.error("    skipped: openssl is not available to make a test certificate");
                return this.skip();
            }
            caPem = fs.readFileSync(path.join(dir, "cert.pem"), "utf8");
            const backend = new FakeRegistry();
            const digest = backend.pushImage("tls/app", "1.0");
            attachBundle(backend, "tls/app", digest, keyedBundle(key, statement(digest, COSIGN_SIGN)));
            server = https.createServer({ key: fs.readFileSync(path.join(dir, "key.pem")), cert: caPem }, (req, res) =>
                (backend as unknown as { handle(a: http.IncomingMessage, b: http.ServerResponse): void }).handle(
                    req,
                    res,
                ),
            );
            await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
            tlsHost = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
            backend.host = tlsHost;
        });
        after(async () => {
            if (server) {
                server.closeAllConnections();
                await new Promise((r) => server!.close(r));
            }
            fs.rmSync(dir, { recursive: true, force: true });
        });

        it("uses HTTPS for registries not listed as insecure; fails closed on an untrusted certificate", async () => {
            const untrusted = new Verifier({ timeoutSeconds: 5 });
            verifiers.push(untrusted);
            const v = await untrusted.verifySignature(parseImageRef(`${tlsHost}/tls/app:1.0`), requirement(tlsHost));
            assert.strictEqual(v.status, "error");
            assert.match(
                v.reason,
                new RegExp(
                    `registry ${tlsHost} could not be reached securely: its TLS certificate is not trusted ` +
                        `\\(DEPTH_ZERO_SELF_SIGNED_CERT\\)`,
                ),
            );
            const trusted = new Verifier({ timeoutSeconds: 5, extraCaPem: caPem });
            verifiers.push(trusted);
            const ok = await trusted.verifySignature(parseImageRef(`${tlsHost}/tls/app:1.0`), requirement(tlsHost));
            assert.strictEqual(ok.status, "verified", ok.reason);
        });

        it("does not speak plain HTTP to a registry that is not listed", async () => {
            const plain = new Verifier({ timeoutSeconds: 5 });
            verifiers.push(plain);
            const v = await plain.verifySignature(parseImageRef(`${host}/any/app:1.0`), requirement(host));
            assert.strictEqual(v.status, "error");
            assert.match(
                v.reason,
                new RegExp(
                    `registry ${host} could not be reached securely: the TLS handshake failed \\(EPROTO\\); if it ` +
                        `serves plain HTTP, list it in insecureRegistries`,
                ),
            );
            assert.ok(!reg.requests.some((r) => r.path.startsWith("/v2/any/")), "nothing was sent in clear text");
        });
    });

    it("a closed port is reported as unreachable at once", async () => {
        const server = net.createServer();
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const port = (server.address() as net.AddressInfo).port;
        await new Promise((r) => server.close(r));
        const closed = `127.0.0.1:${port}`;
        const v = new Verifier({ insecureRegistries: [closed], timeoutSeconds: 5 });
        verifiers.push(v);
        const verdict = await v.verifySignature(parseImageRef(`${closed}/a/b:1`), requirement(closed));
        assert.strictEqual(
            verdict.reason,
            `could not resolve ${closed}/a/b:1 to a digest: registry ${closed} is unreachable (connection refused)`,
        );
    });
});
