// Keyless (certificate) signatures against a private Sigstore (tests/support/keyless.ts), read from
// an evidence directory: identity matching, certificate validity at the signing time, SCTs,
// transparency-log and timestamp evidence, and the legacy format.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseImageRef } from "../../src/images/image-ref";
import { type SignatureRequirement, Verifier, compileSignatureRequirements } from "../../src/supply-chain";
import { type Identity, KeylessWorld } from "../support/keyless";
import { COSIGN_SIGN, simpleSigningPayload, statement } from "../support/signing";

const GITHUB = "https://token.actions.githubusercontent.com";
const WORKFLOW = "https://github.com/acme/app/.github/workflows/build.yml@refs/heads/main";
const ACME: Identity = { subject: WORKFLOW, issuer: GITHUB };

describe("supply chain: keyless signatures", function () {
    this.timeout(60_000);
    let world: KeylessWorld;
    let dir = "";
    let rootFile = "";
    let n = 0;

    before(async () => {
        world = await KeylessWorld.create();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "cg-keyless-"));
        rootFile = await world.writeTrustedRoot(dir);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** A fresh digest with the given evidence files. */
    function digestWith(files: Record<string, object>): string {
        const digest = `sha256:${(++n).toString(16).padStart(64, "0")}`;
        const sub = path.join(dir, "evidence", digest.replace(":", "-"));
        fs.mkdirSync(sub, { recursive: true });
        for (const [name, content] of Object.entries(files)) {
            fs.writeFileSync(path.join(sub, name), JSON.stringify(content));
        }
        return digest;
    }

    function requirement(keyless: object, tlog?: string): SignatureRequirement {
        const c = compileSignatureRequirements(
            [{ images: ["ghcr.io/acme/*"], keyless: [keyless], ...(tlog && { tlog }) }],
            "image-signature.requirements",
        );
        assert.deepStrictEqual(c.errors, []);
        return c.requirements[0];
    }

    const verify = (digest: string, req: SignatureRequirement, trustedRoot: string | null = rootFile) =>
        new Verifier({ evidenceDir: path.join(dir, "evidence"), ...(trustedRoot && { trustedRoot }) }).verifySignature(
            parseImageRef(`ghcr.io/acme/app@${digest}`),
            req,
        );

    it(
        "passes a bundle whose certificate identity matches (issuer exact, subject by anchored regexp), with a " +
            "logged SET and an SCT",
        async () => {
            const digest = digestWith({});
            fs.writeFileSync(
                path.join(dir, "evidence", digest.replace(":", "-"), "a.sigstore.json"),
                JSON.stringify(await world.dsseBundle(ACME, statement(digest, COSIGN_SIGN))),
            );
            const v = await verify(
                digest,
                requirement({ issuer: GITHUB, subjectRegExp: "https://github\\.com/acme/.*" }),
            );
            assert.strictEqual(v.status, "verified", v.reason);
            assert.strictEqual(
                v.signer,
                `keyless identity with subject matching /^(?:https://github\\.com/acme/.*)$/ from issuer "${GITHUB}"`,
            );
        },
    );

    it("passes an exact subject and fails an unanchored-looking prefix, naming the identity found", async () => {
        const digest = digestWith({
            "a.sigstore.json": await world.dsseBundle(
                ACME,
                statement(`sha256:${(n + 1).toString(16).padStart(64, "0")}`, COSIGN_SIGN),
            ),
        });
        assert.strictEqual(
            (await verify(digest, requirement({ issuer: GITHUB, subject: WORKFLOW }))).status,
            "verified",
        );
        const prefix = await verify(digest, requirement({ issuer: GITHUB, subjectRegExp: "https://github.com/acme" }));
        assert.strictEqual(prefix.status, "failed");
        assert.strictEqual(
            prefix.reason,
            `no signature from the expected signer (keyless identity with subject matching ` +
                `/^(?:https://github.com/acme)$/ from issuer "${GITHUB}"): ` +
                `found 1 signature: by certificate for "${WORKFLOW}" issued by "${GITHUB}" ` +
                `(its certificate identity (subject "${WORKFLOW}", issuer "${GITHUB}") is not the expected with ` +
                `subject matching /^(?:https://github.com/acme)$/ from issuer "${GITHUB}").`,
        );
    });

    it("fails a certificate from another issuer or for another subject", async () => {
        const next = `sha256:${(n + 1).toString(16).padStart(64, "0")}`;
        const digest = digestWith({
            "a.sigstore.json": await world.dsseBundle(
                { subject: "mallory@example.com", issuer: "https://accounts.google.com" },
                statement(next, COSIGN_SIGN),
            ),
        });
        const v = await verify(digest, requirement({ issuer: GITHUB, subjectRegExp: ".*" }));
        assert.strictEqual(v.status, "failed");
        assert.match(
            v.reason,
            new RegExp(
                /by certificate for "mallory@example\.com" /.source +
                    /issued by "https:\/\/accounts\.google\.com" \(its certificate identity/.source,
            ),
        );
    });

    it("fails a certificate that had expired when the signature was logged", async () => {
        const next = `sha256:${(n + 1).toString(16).padStart(64, "0")}`;
        // Certificates live ten minutes; this signature was logged an hour after issuance.
        const late = new Date(world.start.getTime() + 60 * 60 * 1000);
        const digest = digestWith({
            "a.sigstore.json": await world.dsseBundle(ACME, statement(next, COSIGN_SIGN), { tlogTime: late }),
        });
        const v = await verify(digest, requirement({ issuer: GITHUB, subject: WORKFLOW }));
        assert.strictEqual(v.status, "failed");
        assert.ok(
            v.reason.includes(
                `its certificate could not be verified against the trusted root ${rootFile} at the signing time (`,
            ),
            v.reason,
        );
        assert.match(
            v.reason,
            new RegExp(
                /; the certificate was valid from \S+ until \S+, /.source +
                    /but the signature was made at \S+ \(after it expired\)\)\.$/.source,
            ),
        );
    });

    it("fails a certificate from a CA the trusted root does not hold", async () => {
        const next = `sha256:${(n + 1).toString(16).padStart(64, "0")}`;
        const digest = digestWith({
            "a.sigstore.json": await world.dsseBundle(ACME, statement(next, COSIGN_SIGN), {
                ca: await KeylessWorld.untrustedCA(world.start),
            }),
        });
        const v = await verify(digest, requirement({ issuer: GITHUB, subject: WORKFLOW }));
        assert.strictEqual(v.status, "failed");
        assert.match(
            v.reason,
            /its certificate could not be verified against the trusted root .* at the signing time \(/,
        );
    });

    it("requires a transparency-log entry by default; an RFC 3161 timestamp does with tlog: ifPresent", async () => {
        const next = `sha256:${(n + 1).toString(16).padStart(64, "0")}`;
        const digest = digestWith({
            "a.sigstore.json": await world.dsseBundle(ACME, statement(next, COSIGN_SIGN), {
                tlogTime: null,
                tsaTime: new Date(world.start.getTime() + 60_000),
            }),
        });
        const strict = await verify(digest, requirement({ issuer: GITHUB, subject: WORKFLOW }));
        assert.strictEqual(strict.status, "failed");
        assert.match(strict.reason, /it has no transparency-log entry, and this requirement's tlog is "required"/);
        const lenient = await verify(digest, requirement({ issuer: GITHUB, subject: WORKFLOW }, "ifPresent"));
        assert.strictEqual(lenient.status, "verified", lenient.reason);
    });

    it("fails closed on an RFC 3161 time with one fractional digit (@sigstore/core 3.2.1 can't parse it)", async () => {
        const next = `sha256:${(n + 1).toString(16).padStart(64, "0")}`;
        // DER writes 12:01:00.500 as "…0100.5Z"; the library's parser wants exactly three digits.
        const digest = digestWith({
            "a.sigstore.json": await world.dsseBundle(ACME, statement(next, COSIGN_SIGN), {
                tlogTime: null,
                tsaTime: new Date(world.start.getTime() + 60_500),
            }),
        });
        const v = await verify(digest, requirement({ issuer: GITHUB, subject: WORKFLOW }, "ifPresent"));
        assert.strictEqual(v.status, "failed");
        assert.match(v.reason, /\(it could not be verified \(invalid time\)\)\.$/);
    });

    it("fails a signature with neither log entry nor timestamp: nothing proves when it was made", async () => {
        const next = `sha256:${(n + 1).toString(16).padStart(64, "0")}`;
        const digest = digestWith({
            "a.sigstore.json": await world.dsseBundle(ACME, statement(next, COSIGN_SIGN), { tlogTime: null }),
        });
        const v = await verify(digest, requirement({ issuer: GITHUB, subject: WORKFLOW }, "ifPresent"));
        assert.strictEqual(v.status, "failed");
        assert.match(
            v.reason,
            new RegExp(
                /it has no verifiable timestamp \(a transparency-log entry or an RFC 3161 timestamp /.source +
                    /from the trusted root .*\) to prove the certificate was valid when it signed/.source,
            ),
        );
    });

    it("requires an embedded SCT unless ignoreSCT is set", async () => {
        const next = `sha256:${(n + 1).toString(16).padStart(64, "0")}`;
        const noSct = await world.caWithoutSct();
        const digest = digestWith({
            "a.sigstore.json": await world.dsseBundle(ACME, statement(next, COSIGN_SIGN), { ca: noSct }),
        });
        const strict = await verify(digest, requirement({ issuer: GITHUB, subject: WORKFLOW }));
        assert.strictEqual(strict.status, "failed");
        assert.match(strict.reason, /expected 1 SCTs, got 0/);
        assert.strictEqual(
            (await verify(digest, requirement({ issuer: GITHUB, subject: WORKFLOW, ignoreSCT: true }))).status,
            "verified",
        );
    });

    it("cannot verify keyless signatures without a trusted root, and says so", async () => {
        const next = `sha256:${(n + 1).toString(16).padStart(64, "0")}`;
        const digest = digestWith({ "a.sigstore.json": await world.dsseBundle(ACME, statement(next, COSIGN_SIGN)) });
        const v = await verify(digest, requirement({ issuer: GITHUB, subject: WORKFLOW }), null);
        assert.strictEqual(v.status, "failed");
        assert.match(
            v.reason,
            new RegExp(
                /keyless signatures need a trusted root, /.source +
                    /and none is configured \(option trustedRoot: a trusted_root\.json\)/.source,
            ),
        );
    });

    it("passes a legacy keyless .sig (certificate and Rekor bundle in annotations)", async () => {
        const next = `sha256:${(n + 1).toString(16).padStart(64, "0")}`;
        const digest = digestWith({
            "a.sig.json": await world.legacySignature(ACME, simpleSigningPayload("ghcr.io/acme/app", next)),
        });
        const v = await verify(digest, requirement({ issuer: GITHUB, subject: WORKFLOW }));
        assert.strictEqual(v.status, "verified", v.reason);
        const other = `sha256:${(n + 1).toString(16).padStart(64, "0")}`;
        const replay = digestWith({
            "a.sig.json": await world.legacySignature(ACME, simpleSigningPayload("ghcr.io/acme/app", digest)),
        });
        assert.strictEqual(replay, other);
        const r = await verify(replay, requirement({ issuer: GITHUB, subject: WORKFLOW }));
        assert.strictEqual(r.status, "failed");
        assert.ok(
            r.reason.startsWith(`the signature is for ${digest.slice(0, 19)}…, not for ${replay.slice(0, 19)}…`),
            r.reason,
        );
    });

    it("a log entry from a log the trusted root lacks fails a key signature unless tlog is ignored", async () => {
        const { testKey, keyedBundle } = await import("../support/signing");
        const key = testKey();
        const next = `sha256:${(n + 1).toString(16).padStart(64, "0")}`;
        const logged = (await world.dsseBundle(ACME, statement(next, COSIGN_SIGN))) as {
            verificationMaterial: { tlogEntries: unknown[] };
        };
        const bundle = keyedBundle(key, statement(next, COSIGN_SIGN)) as {
            verificationMaterial: Record<string, unknown>;
        };
        // an entry for other content, from this world's log
        bundle.verificationMaterial.tlogEntries = logged.verificationMaterial.tlogEntries;
        const digest = digestWith({ "a.sigstore.json": bundle });
        const keyReq = (tlog?: string) =>
            compileSignatureRequirements([{ images: ["ghcr.io/**"], keys: [key.publicPem], ...(tlog && { tlog }) }])
                .requirements[0];
        const noRoot = await verify(digest, keyReq(), null);
        assert.strictEqual(noRoot.status, "failed");
        assert.match(
            noRoot.reason,
            new RegExp(
                /its transparency-log entry could not be verified against the logs of the trusted root /.source +
                    /\(none is configured: option trustedRoot\)/.source,
            ),
        );
        const withRoot = await verify(digest, keyReq());
        assert.strictEqual(withRoot.status, "failed");
        assert.match(withRoot.reason, /its transparency-log entry is for other content/);
        assert.strictEqual((await verify(digest, keyReq("ignore"), null)).status, "verified");
    });
});
