// image-signature through the engine path (PolicyTester: the SDK's decoding and unknown-checking
// proxy) against a registry on 127.0.0.1 holding cosign v3 signatures: every verdict (verified,
// unsigned, wrong signer, replay, unreachable, tag-only), every place an image is pulled and run, and
// configuration errors at Configure through the real gRPC server.

import * as assert from "assert";
import * as fs from "fs";
import type * as http from "http";
import * as os from "os";
import * as path from "path";
import { imagePolicies } from "../../../policies/images";
import { ContainerGuard, type ContainerGuardConfig } from "../../../lib";
import { collectEvidence } from "../../../src/supply-chain";
import {
    PackServer,
    type PolicyPackConfig,
    PolicyTester,
    type PolicyViolation,
    type TestResource,
    unknown,
} from "../../../testkit";
import { dockerContainer, dockerService } from "../../support/docker";
import { FakeRegistry, sha256 } from "../../support/fake-registry";
import { detail, remoteImage } from "../../support/images";
import { KeylessWorld } from "../../support/keyless";
import { SignedRegistry, closedPort } from "../../support/signed-registry";
import {
    COSIGN_SIGN,
    attachBundle,
    attachLegacy,
    keyedBundle,
    legacySignatureLayer,
    simpleSigningPayload,
    statement,
    testKey,
} from "../../support/signing";
import { deployment, pod, workloadProps } from "../../support/workloads";

const POLICY = "image-signature";
const ROOT = path.resolve(__dirname, "../../..");

// The composable API types the options (this file is type-checked by `npm test`).
const typed: ContainerGuardConfig = {
    "image-signature": {
        enforcementLevel: "mandatory",
        requirements: [
            { images: ["registry.example.com/team/*"], keys: ["-----BEGIN PUBLIC KEY-----…"] },
            {
                images: ["ghcr.io/acme/*"],
                keyless: [{ issuer: "https://token.actions.githubusercontent.com", subjectRegExp: "^https://x/.*" }],
            },
        ],
        insecureRegistries: ["127.0.0.1:5000"],
        timeoutSeconds: 10,
    },
    "image-provenance": {
        requirements: [
            {
                images: ["ghcr.io/acme/*"],
                keys: ["…"],
                predicateType: "slsaprovenance1",
                conditions: { sourceRepository: ["github.com/acme/*"], builderId: "https://github.com/*" },
            },
        ],
    },
    "image-digest-pinned": {
        enforcementLevel: "remediate",
        resolveDigests: { insecureRegistries: ["127.0.0.1:5000"] },
    },
};
// @ts-expect-error a misspelled requirement field does not compile
const badField: ContainerGuardConfig = { "image-signature": { requirements: [{ image: ["x/*"], keys: [] }] } };
// @ts-expect-error resolveDigests is true, false or settings
const badResolve: ContainerGuardConfig = { "image-digest-pinned": { resolveDigests: "yes" } };
void [typed, badField, badResolve];

describe("image-signature", function () {
    this.timeout(60_000);
    const reg = new SignedRegistry();

    before(() => reg.start());
    after(() => reg.stop());

    /** The policy's configuration: the trusted key covers `host/team/*`. */
    function config(extra: Record<string, unknown> = {}, level: "mandatory" | "advisory" = "mandatory") {
        return {
            [POLICY]: {
                enforcementLevel: level,
                requirements: [{ images: [`${reg.host}/team/*`], keys: [reg.trusted.publicPem] }],
                insecureRegistries: [reg.host],
                timeoutSeconds: 5,
                ...extra,
            },
        } as PolicyPackConfig;
    }

    async function findings(r: TestResource, c: PolicyPackConfig = config()): Promise<PolicyViolation[]> {
        const result = await new PolicyTester({ policies: imagePolicies }, c).analyze(r);
        return result.violations.filter((v) => v.policyName === POLICY);
    }

    const withImage = (image: unknown) => deployment({ containers: [{ name: "app", image }] });
    const short = (digest: string) => `${digest.slice(0, 19)}…`;

    it("passes an image signed by the trusted key, by digest or by tag", async () => {
        assert.deepStrictEqual(await findings(withImage(reg.signed.pinned)), []);
        assert.deepStrictEqual(await findings(withImage(reg.signed.tag)), []);
        assert.deepStrictEqual(await findings(withImage(`${reg.signed.tag}@${reg.signed.digest}`)), []);
    });

    it("blocks an unsigned image at the policy's level (mandatory: high severity), says where it looked", async () => {
        const [v, ...rest] = await findings(withImage(reg.unsigned.pinned));
        assert.deepStrictEqual(rest, []);
        assert.strictEqual(v.enforcementLevel, "mandatory");
        assert.strictEqual(v.severity, "high");
        assert.strictEqual(
            detail(v),
            `Deployment prod/web, container "app": image "${reg.unsigned.pinned}" is not signed as requirements[0] ` +
                `requires: no signature found for ${short(reg.unsigned.digest)} (looked in the OCI referrers API and ` +
                `the legacy tag ${reg.unsigned.digest.replace(":", "-")}.sig, registry); expected one from key ` +
                `${short(`sha256:${reg.trusted.fingerprint.slice(7)}`)} (spec.template.spec.containers[0].image). ` +
                `Fix: sign the image with a trusted signer of requirements[0] (e.g. cosign sign --key cosign.key ` +
                `${reg.unsigned.pinned}) or use an image that is signed; if the signer found is legitimate, add its ` +
                `key or identity to requirements[0]`,
        );
    });

    it("names the expected and the found signer when another key signed the image", async () => {
        const [v] = await findings(withImage(reg.wrong.pinned));
        assert.match(
            detail(v),
            new RegExp(
                `no signature from the expected signer \\(key ${reg.trusted.fingerprint.slice(0, 19)}…\\): found 1 ` +
                    `signature: by key ${reg.other.fingerprint.slice(0, 19)}… \\(not trusted\\)`,
            ),
        );
        assert.strictEqual(v.enforcementLevel, "mandatory");
    });

    it("does not accept a trusted signature replayed from another image", async () => {
        const [v] = await findings(withImage(reg.replay.pinned));
        assert.ok(v, "a replayed signature passed");
        assert.ok(
            detail(v).includes(
                `the signature is for ${short(reg.signed.digest)}, not for ${short(reg.replay.digest)} (copied from ` +
                    `another image?)`,
            ),
            detail(v),
        );
    });

    it("verifies the digest a tag resolves to, and names that digest in the finding", async () => {
        const [v] = await findings(withImage(reg.unsigned.tag));
        const text = detail(v);
        assert.match(
            text,
            new RegExp(
                `The image names no digest: this is about ${short(reg.unsigned.digest)}, the digest its tag "1.0" ` +
                    `names now`,
            ),
        );
        // The whole digest, in the instruction.
        assert.ok(text.includes(`cosign sign --key cosign.key ${reg.unsigned.pinned}`), text);
    });

    it("reports an unreachable registry as could not verify, with the reason, at the policy's level", async () => {
        const down = await closedPort();
        const c = config({
            requirements: [{ images: [`${down}/**`], keys: [reg.trusted.publicPem] }],
            insecureRegistries: [down],
            timeoutSeconds: 2,
        });
        const [v] = await findings(withImage(`${down}/team/app:1.0`), c);
        assert.strictEqual(v.enforcementLevel, "mandatory");
        assert.match(
            detail(v),
            new RegExp(
                `image "${down}/team/app:1.0" \\(requirements\\[0\\]\\): could not verify: could not resolve ` +
                    `${down}/team/app:1.0 to a digest: registry ${down} is unreachable \\(connection refused\\)`,
            ),
        );
        assert.match(detail(v), /Fix: make the registry reachable from where the preview runs/);
        // Advisory level: the same finding, not blocking (still never a pass).
        const [advisory] = await findings(withImage(`${down}/team/app:1.0`), {
            [POLICY]: { ...(c[POLICY] as object), enforcementLevel: "advisory" },
        });
        assert.strictEqual(advisory.enforcementLevel, "advisory");
    });

    describe("a registry that misbehaves: a finding at the policy's level naming the reason, never a pass", () => {
        // A registry of its own, so the faults (and the verifier's memory of a host that did not answer)
        // touch no other test. Every image here is signed by the trusted key: only the fault can fail it.
        const faulty = new FakeRegistry();
        let host = "";
        before(async () => {
            host = await faulty.start();
        });
        after(() => faulty.stop());
        afterEach(() => {
            faulty.hooks.length = 0;
            faulty.auth = undefined;
        });

        function signedImage(repo: string): { pinned: string; tag: string; referrer: string } {
            const digest = faulty.pushImage(repo, "1.0");
            const referrer = attachBundle(
                faulty,
                repo,
                digest,
                keyedBundle(reg.trusted, statement(digest, COSIGN_SIGN)),
            );
            return { pinned: `${host}/${repo}@${digest}`, tag: `${host}/${repo}:1.0`, referrer };
        }

        /** The policy's only finding for the image, mandatory and "could not verify: …". */
        async function couldNotVerify(image: string, extra: Record<string, unknown> = {}): Promise<string> {
            const c = config({
                requirements: [{ images: [`${host}/**`], keys: [reg.trusted.publicPem] }],
                insecureRegistries: [host],
                timeoutSeconds: 3,
                ...extra,
            });
            const vs = await findings(withImage(image), c);
            assert.strictEqual(vs.length, 1, `expected one finding, got ${JSON.stringify(vs.map(detail))}`);
            assert.strictEqual(vs[0].enforcementLevel, "mandatory");
            const text = detail(vs[0]);
            assert.ok(text.includes(`image "${image}" (requirements[0]): could not verify: `), text);
            assert.match(text, /Fix: make the registry reachable from where the preview runs/);
            return text;
        }

        const answer = (prefix: string, respond: (res: http.ServerResponse, p: string) => void) =>
            faulty.hooks.push((req, res, p) => (p.startsWith(prefix) ? (respond(res, p), true) : false));

        it("the same registry, well behaved, verifies the image (the control)", async () => {
            const image = signedImage("fine/app");
            const c = config({
                requirements: [{ images: [`${host}/**`], keys: [reg.trusted.publicPem] }],
                insecureRegistries: [host],
                timeoutSeconds: 3,
            });
            assert.deepStrictEqual(await findings(withImage(image.pinned), c), []);
            assert.deepStrictEqual(await findings(withImage(image.tag), c), []);
        });

        it("slow: a registry that does not answer within timeoutSeconds", async () => {
            const image = signedImage("slow/app");
            const hung: http.ServerResponse[] = [];
            answer("/v2/slow/app/manifests/", (res) => hung.push(res));
            const started = Date.now();
            const text = await couldNotVerify(image.tag, { timeoutSeconds: 1 });
            hung.forEach((res) => res.destroy());
            assert.ok(
                text.includes(`could not resolve ${image.tag} to a digest: registry ${host} did not answer within 1 s`),
                text,
            );
            assert.ok(Date.now() - started < 3000, "waited longer than timeoutSeconds");
        });

        it("500: the status and what was asked for", async () => {
            const image = signedImage("err/app");
            answer("/v2/err/app/referrers/", (res) => res.writeHead(500).end());
            const text = await couldNotVerify(image.pinned);
            assert.ok(
                text.includes(
                    `registry ${host} answered 500 Internal Server Error for the referrers list of ${image.pinned}`,
                ),
                text,
            );
        });

        it("wrong digest: content whose hash is not the digest asked for", async () => {
            const image = signedImage("swap/app");
            const swapped = '{"schemaVersion":2,"layers":[]}';
            answer(`/v2/swap/app/manifests/${image.referrer}`, (res) =>
                res.writeHead(200, { "Content-Type": "application/vnd.oci.image.manifest.v1+json" }).end(swapped),
            );
            const text = await couldNotVerify(image.pinned);
            assert.ok(
                text.includes(
                    `registry ${host} returned content for ${image.referrer} whose digest is ${sha256(swapped)}`,
                ),
                text,
            );
        });

        it("huge body: over the size limit, with or without a Content-Length", async () => {
            const image = signedImage("huge/app");
            const huge = Buffer.alloc(64 * 1024, 0x20);
            answer("/v2/huge/app/referrers/", (res) => {
                res.writeHead(200, { "Content-Type": "application/vnd.oci.image.index.v1+json" });
                res.write(huge);
                res.end(huge);
            });
            const text = await couldNotVerify(image.pinned, { limits: { manifestBytes: 16 * 1024 } });
            assert.ok(text.includes(`the referrers list of ${image.pinned} is larger than the 16 KiB limit`), text);
        });

        it("redirect loop: stops after limits.maxRedirects", async () => {
            const image = signedImage("loop/app");
            let hops = 0;
            answer("/v2/loop/app/referrers/", (res, p) => res.writeHead(307, { Location: `${p}?hop=${++hops}` }).end());
            const text = await couldNotVerify(image.pinned, { limits: { maxRedirects: 2 } });
            assert.ok(
                text.includes(`too many redirects (more than 2) fetching the referrers list of ${image.pinned}`),
                text,
            );
            assert.strictEqual(hops, 3);
        });

        it("malformed JSON: reported, not trusted", async () => {
            const image = signedImage("badjson/app");
            answer("/v2/badjson/app/referrers/", (res) => res.writeHead(200).end('{"manifests": [}'));
            const text = await couldNotVerify(image.pinned);
            assert.ok(text.includes(`the referrers list of ${image.pinned} is not valid JSON (`), text);
        });

        it("auth failure: the registry refuses, and no credentials are printed", async () => {
            const image = signedImage("private/app");
            faulty.auth = { kind: "basic", username: "alice", password: "s3cr3t" };
            const text = await couldNotVerify(image.pinned);
            assert.ok(
                text.includes(
                    `could not verify: registry ${host} refused access to private/app (401 Unauthorized) for the ` +
                        `referrers list of ${image.pinned}, asked anonymously`,
                ),
                text,
            );
            assert.ok(!text.includes("s3cr3t"), text);
        });
    });

    it("reports an image unknown during preview as an advisory naming the field", async () => {
        const vs = await findings(
            deployment({
                containers: [
                    { name: "app", image: unknown },
                    { name: "sidecar", image: reg.unsigned.pinned },
                ],
            }),
        );
        assert.deepStrictEqual(
            vs.map((v) => [v.enforcementLevel, detail(v).split(":")[0]]),
            [
                ["mandatory", 'Deployment prod/web, container "sidecar"'],
                ["advisory", 'Deployment prod/web, container "app"'],
            ],
        );
        assert.match(
            detail(vs[1]),
            /spec\.template\.spec\.containers\[0\]\.image is not known during preview, so this check cannot judge it/,
        );
    });

    it("judges every image a pod pulls and runs: init, regular and ephemeral containers, image volumes", async () => {
        const vs = await findings(
            pod({
                initContainers: [{ name: "init", image: reg.unsigned.pinned }],
                containers: [{ name: "app", image: reg.signed.pinned }],
                ephemeralContainers: [{ name: "debug", image: reg.wrong.pinned }],
                volumes: [{ name: "data", image: { reference: reg.unsigned.pinned } }],
            }),
        );
        assert.deepStrictEqual(
            vs.map((v) => /^(.*?): (image|volume "data" image) /.exec(detail(v))!.slice(1)),
            [
                ['Pod prod/web, init container "init"', "image"],
                ['Pod prod/web, ephemeral container "debug"', "image"],
                ["Pod prod/web", 'volume "data" image'],
            ],
        );
        assert.match(detail(vs[2]), /\(spec\.volumes\[0\]\.image\.reference\)/);
    });

    it("judges a CronJob's pod template and the Docker providers' Container, Service and RemoteImage", async () => {
        const resources: [TestResource, string][] = [
            [
                {
                    type: "kubernetes:batch/v1:CronJob",
                    name: "nightly",
                    props: workloadProps("kubernetes:batch/v1:CronJob", {
                        containers: [{ name: "job", image: reg.unsigned.pinned }],
                    }),
                },
                "spec.jobTemplate.spec.template.spec.containers[0].image",
            ],
            [dockerContainer({ image: reg.unsigned.pinned }), "image"],
            [dockerService({ image: reg.unsigned.pinned }), "taskSpec.containerSpec.image"],
            [remoteImage({ name: reg.unsigned.pinned }), "name"],
        ];
        for (const [r, field] of resources) {
            const vs = await findings(r);
            assert.strictEqual(vs.length, 1, r.type);
            assert.ok(detail(vs[0]).includes(`(${field})`), detail(vs[0]));
            assert.deepStrictEqual(await findings({ ...r, props: swapImage(r.props, reg.signed.pinned) }), [], r.type);
        }
    });

    it("does not judge images no requirement covers (and does not ask their registries)", async () => {
        const before = reg.registry.requests.length;
        assert.deepStrictEqual(await findings(withImage("docker.io/library/nginx:1.27")), []);
        assert.deepStrictEqual(await findings(withImage(`${reg.host}/other/app:1.0`)), []);
        assert.strictEqual(reg.registry.requests.length, before);
        // And without requirements the policy does not apply at all.
        const result = await new PolicyTester({ policies: imagePolicies }).analyze(withImage(reg.unsigned.pinned));
        assert.ok(result.notApplicable.some((n) => n.policyName === POLICY));
    });

    it("requires every requirement that covers an image, and reports the one not met", async () => {
        const c = config({
            requirements: [
                { images: [`${reg.host}/team/*`], keys: [reg.trusted.publicPem] },
                { images: [`${reg.host}/**`], keys: [reg.other.publicPem] },
            ],
        });
        const vs = await findings(withImage(reg.signed.pinned), c);
        assert.strictEqual(vs.length, 1);
        assert.match(detail(vs[0]), /is not signed as requirements\[1\] requires/);
    });

    it("fails closed on a reference it cannot parse", async () => {
        const [v] = await findings(withImage(`${reg.host}/team/app@sha256:abc`));
        assert.match(detail(v), /is not a valid image reference .*, so whether it must be signed cannot be decided/);
        assert.strictEqual(v.enforcementLevel, "mandatory");
    });

    it("accepts a legacy (cosign v2) .sig signature by the trusted key", async () => {
        const legacy = reg.push("legacy");
        attachLegacy(reg.registry, "team/legacy", legacy.digest, "sig", [
            legacySignatureLayer(reg.trusted, simpleSigningPayload(`${reg.host}/team/legacy`, legacy.digest)),
        ]);
        assert.deepStrictEqual(await findings(withImage(legacy.pinned)), []);
    });

    it("verifies once per image however many resources name it", async () => {
        const image = reg.push("popular");
        reg.sign(image, reg.trusted);
        const tester = new PolicyTester({ policies: imagePolicies }, config());
        const results = await Promise.all(
            Array.from({ length: 20 }, (_, i) => tester.analyze({ ...withImage(image.tag), name: `web-${i}` })),
        );
        assert.ok(results.every((r) => !r.violations.some((v) => v.policyName === POLICY)));
        assert.strictEqual(reg.requestsFor(`/v2/team/popular/manifests/1.0`), 1, "one tag resolution");
        assert.strictEqual(reg.requestsFor(`/v2/team/popular/referrers/`), 1, "one referrers lookup");
    });

    it("honours exemptions: an exempted finding is advisory with its reason", async () => {
        const c = config({ exclude: [{ name: "web", reason: "SEC-9 vendor image, signature pending" }] });
        const [v] = await findings(withImage(reg.unsigned.pinned), c);
        assert.strictEqual(v.enforcementLevel, "advisory");
        assert.match(v.message, /Exempted by config image-signature\.exclude\[0\]: SEC-9/);
    });

    describe("evidence directory (offline)", () => {
        let dir = "";
        before(async () => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "cg-sig-evidence-"));
            const results = await collectEvidence([reg.signed.tag, reg.unsigned.tag], dir, {
                insecureRegistries: [reg.host],
            });
            assert.ok(
                results.every((r) => r.problems.length === 0 && r.error === undefined),
                JSON.stringify(results),
            );
        });
        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("verifies from the evidence directory without asking the registry", async () => {
            const before = reg.registry.requests.length;
            const c = config({ evidenceDir: dir, offline: true, insecureRegistries: [] });
            assert.deepStrictEqual(await findings(withImage(reg.signed.tag), c), []);
            const [v] = await findings(withImage(reg.unsigned.tag), c);
            assert.match(
                detail(v),
                new RegExp(`no signature found for ${short(reg.unsigned.digest)}.*evidence directory`),
            );
            const [missing] = await findings(withImage(reg.wrong.pinned), c);
            assert.match(detail(missing), /no signature found/);
            assert.strictEqual(reg.registry.requests.length, before, "the registry was asked");
        });
    });

    describe("keyless (GitHub Actions identity)", () => {
        const GITHUB = "https://token.actions.githubusercontent.com";
        let world: KeylessWorld;
        let dir = "";
        let trustedRoot = "";

        before(async () => {
            world = await KeylessWorld.create();
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "cg-sig-keyless-"));
            trustedRoot = await world.writeTrustedRoot(dir);
        });
        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("passes a workflow of the trusted organisation and names the identity of any other", async () => {
            const ours = reg.push("keyless-ours");
            const theirs = reg.push("keyless-theirs");
            const sign = async (image: typeof ours, subject: string) =>
                attachBundle(
                    reg.registry,
                    image.pinned.slice(reg.host.length + 1, image.pinned.indexOf("@")),
                    image.digest,
                    await world.dsseBundle({ subject, issuer: GITHUB }, statement(image.digest, COSIGN_SIGN)),
                );
            await sign(ours, "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main");
            await sign(theirs, "https://github.com/evil/app/.github/workflows/release.yml@refs/heads/main");
            const c = config({
                requirements: [
                    {
                        images: [`${reg.host}/team/keyless-*`],
                        keyless: [{ issuer: GITHUB, subjectRegExp: "^https://github.com/acme/.*" }],
                    },
                ],
                trustedRoot,
            });
            assert.deepStrictEqual(await findings(withImage(ours.pinned), c), []);
            const [v] = await findings(withImage(theirs.pinned), c);
            assert.match(detail(v), /expected signer \(keyless identity with subject matching/);
            assert.match(detail(v), /https:\/\/github\.com\/evil\/app/);
        });

        it("blocks a signature whose certificate had expired when it was logged", async () => {
            const late = reg.push("keyless-late");
            const subject = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main";
            // Certificates live ten minutes; this signature was logged an hour after issuance.
            const tlogTime = new Date(world.start.getTime() + 60 * 60 * 1000);
            attachBundle(
                reg.registry,
                "team/keyless-late",
                late.digest,
                await world.dsseBundle({ subject, issuer: GITHUB }, statement(late.digest, COSIGN_SIGN), { tlogTime }),
            );
            const c = config({
                requirements: [
                    {
                        images: [`${reg.host}/team/keyless-*`],
                        keyless: [{ issuer: GITHUB, subjectRegExp: "^https://github.com/acme/.*" }],
                    },
                ],
                trustedRoot,
            });
            const [v, ...rest] = await findings(withImage(late.pinned), c);
            assert.deepStrictEqual(rest, []);
            assert.strictEqual(v.enforcementLevel, "mandatory");
            assert.match(
                detail(v),
                new RegExp(
                    /its certificate could not be verified against the trusted root .* at the signing time \(/.source +
                        /.*the signature was made at \S+ \(after it expired\)\)/.source,
                ),
            );
        });
    });
});

describe("image-signature configuration", function () {
    this.timeout(120_000);
    const PEM = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEnot-a-key\n-----END PUBLIC KEY-----";
    const KEY = testKey().publicPem;
    let server: PackServer;

    before(async () => {
        server = await PackServer.start(ROOT);
    });
    after(async () => {
        await server?.close();
    });

    const cases: [string, Record<string, unknown>, RegExp][] = [
        [
            "a malformed PEM key",
            { requirements: [{ images: ["ghcr.io/acme/*"], keys: [PEM] }] },
            /policy "image-signature": requirements\[0\]\.keys\[0\] is not a valid public key/,
        ],
        [
            "a private key",
            { requirements: [{ images: ["ghcr.io/acme/*"], keys: ["-----BEGIN PRIVATE KEY-----\nx\n"] }] },
            /requirements\[0\]\.keys\[0\] is a private key: configure the public key \(cosign\.pub\)/,
        ],
        [
            "an invalid identity regular expression",
            {
                requirements: [
                    { images: ["ghcr.io/acme/*"], keyless: [{ issuer: "https://x", subjectRegExp: "(unclosed" }] },
                ],
                trustedRoot: "",
            },
            /requirements\[0\]\.keyless\[0\]\.subjectRegExp is not a valid regular expression/,
        ],
        [
            "a keyless signer without a trusted root",
            { requirements: [{ images: ["ghcr.io/acme/*"], keyless: [{ issuer: "https://x", subject: "me" }] }] },
            /requirements\[0\]\.keyless needs trustedRoot/,
        ],
        ["an ambiguous glob", { requirements: [{ images: ["*/team/*"], keys: [] }] }, /requirements\[0\]\.images\[0\]/],
        [
            "a misspelled field",
            { requirements: [{ image: ["ghcr.io/acme/*"], keys: [KEY] }] },
            /requirements\[0\]\.image is not a known option .*Did you mean "images"\?/,
        ],
        [
            "offline without an evidence directory",
            { requirements: [{ images: ["ghcr.io/acme/*"], keys: [KEY] }], offline: true },
            /offline is true .* but evidenceDir is not set/,
        ],
        [
            "a registry with a scheme",
            { insecureRegistries: ["http://127.0.0.1:5000"] },
            /insecureRegistries\[0\] "http:\/\/127\.0\.0\.1:5000" is not valid: give a registry host\[:port\]/,
        ],
    ];

    for (const [what, options, expected] of cases) {
        it(`fails Configure with a clear message: ${what}`, async () => {
            await assert.rejects(
                () => server.configure({ [POLICY]: { enforcementLevel: "mandatory", ...options } }),
                (err: Error) => {
                    assert.match(err.message, /INVALID_ARGUMENT: invalid policy pack configuration: /);
                    assert.match(err.message, expected);
                    return true;
                },
            );
        });
    }

    it("accepts the documented shape, and the composable API checks it at construction", async () => {
        await server.configure({
            [POLICY]: {
                enforcementLevel: "mandatory",
                requirements: [{ images: ["registry.example.com/team/*"], keys: [KEY] }],
                insecureRegistries: ["127.0.0.1:5000"],
                timeoutSeconds: 10,
            },
        });
        await server.configure(undefined);
        assert.throws(
            () => new ContainerGuard({ [POLICY]: { requirements: [{ images: ["ghcr.io/a/*"], keys: [PEM] }] } }),
            /image-signature: requirements\[0\]\.keys\[0\] is not a valid public key/,
        );
    });
});

/** The same resource with its image (wherever the type keeps it) replaced. */
function swapImage(props: Record<string, unknown>, image: string): Record<string, unknown> {
    const text = JSON.stringify(props);
    const current = /"(?:image|name)":"([^"]*\/team\/[^"]*)"/.exec(text)![1];
    return JSON.parse(text.split(current).join(image)) as Record<string, unknown>;
}
