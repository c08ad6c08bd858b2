// Requirement compilation (precise errors), image-glob semantics, conditions, and the properties
// that the compiler and matcher never throw on any input.

import * as assert from "assert";
import fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseImageRef, type ImageReference } from "../../src/images/image-ref";
import {
    compileImageGlob,
    compileProvenancePolicyConfig,
    compileProvenanceRequirements,
    compileSignaturePolicyConfig,
    compileSignatureRequirements,
    conditionFailures,
    globMatch,
    imageGlobMatches,
    normalizeRepository,
    requirementsFor,
} from "../../src/supply-chain";
import { testKey } from "../support/signing";

const KEY = testKey().publicPem;

function ref(text: string): ImageReference {
    const p = parseImageRef(text);
    assert.strictEqual(p.kind, "reference", text);
    return p;
}

function matches(glob: string, image: string): boolean {
    const g = compileImageGlob(glob);
    assert.ok(typeof g !== "string", `${glob}: ${typeof g === "string" ? g : ""}`);
    return imageGlobMatches(g, ref(image));
}

describe("supply chain: image globs", () => {
    it("`*` stays within one path segment, `**` crosses segments, the whole name must match", () => {
        assert.ok(matches("registry.example.com/team/*", "registry.example.com/team/app:1.0"));
        assert.ok(!matches("registry.example.com/team/*", "registry.example.com/team/sub/app:1.0"));
        assert.ok(matches("registry.example.com/team/**", "registry.example.com/team/sub/app"));
        assert.ok(!matches("registry.example.com/team/*", "registry.example.com/team-evil/app"));
        assert.ok(!matches("registry.example.com/team/*", "registry.example.com.evil.io/team/app"));
        assert.ok(matches("*.example.com/team/*", "eu.example.com/team/app"));
        assert.ok(!matches("*.example.com/team/*", "example.com/team/app"), "*. needs a subdomain label");
        assert.ok(matches("**", "ghcr.io/acme/app@sha256:" + "a".repeat(64)));
        assert.ok(matches("**/app", "ghcr.io/acme/app"));
        assert.ok(matches("ghcr.io/acme/app-*", "ghcr.io/acme/app-api:2"));
    });

    it("matches the repository, never the tag or digest", () => {
        assert.ok(matches("ghcr.io/acme/app", "ghcr.io/acme/app:latest"));
        assert.ok(matches("ghcr.io/acme/app", `ghcr.io/acme/app@sha256:${"b".repeat(64)}`));
        assert.strictEqual(
            compileImageGlob("ghcr.io/acme/app@sha256:x"),
            '"ghcr.io/acme/app@sha256:x" has characters an image name cannot contain (use letters, digits, ".", "_", ' +
                '"-", ":", "/", and "*" or "**" as wildcards)',
        );
    });

    it("normalizes Docker Hub on both sides: docker.io, index.docker.io and bare names are one registry", () => {
        for (const glob of [
            "nginx",
            "library/nginx",
            "docker.io/nginx",
            "index.docker.io/library/nginx",
            "docker.io/library/*",
            "*",
        ]) {
            for (const image of ["nginx", "nginx:1.27", "docker.io/library/nginx", "index.docker.io/nginx"]) {
                assert.ok(matches(glob, image), `${glob} should match ${image}`);
            }
        }
        assert.ok(matches("*/*", "acme/app"));
        assert.ok(matches("acme/*", "docker.io/acme/app"));
        assert.ok(!matches("*", "acme/app"), "`*` is Docker Hub's official images only, as in the policy-controller");
        assert.ok(!matches("nginx", "ghcr.io/library/nginx"));
    });

    it("matches registry hosts case-insensitively and ports exactly", () => {
        assert.ok(matches("Registry.Example.com/team/*", "registry.example.com/team/app"));
        assert.ok(matches("127.0.0.1:5000/**", "127.0.0.1:5000/a/b"));
        assert.ok(!matches("127.0.0.1:5000/**", "127.0.0.1:5001/a/b"));
        assert.ok(matches("localhost:*/**", "localhost:5000/a"));
    });

    it("explains globs it cannot accept", () => {
        const cases: [unknown, string][] = [
            ["", "is empty"],
            [7, "must be a string, not a number"],
            [
                "ghcr.io",
                '"ghcr.io" names only a registry: add the repository part, e.g. "ghcr.io/**" for every image on it',
            ],
            [
                "*/team/*",
                '"*/team/*" is ambiguous: its first segment "*" could be a registry or a Docker Hub namespace; write ' +
                    'the registry, e.g. "docker.io/*/team/*", "*.example.com/team/*", or "**/team/*" for any ' +
                    "registry",
            ],
            [
                "ghcr.io/Acme/*",
                '"ghcr.io/Acme/*" has uppercase letters in the repository path, which no image name has (repository ' +
                    "paths are lowercase)",
            ],
            ["ghcr.io//a", '"ghcr.io//a" has an empty path segment (a leading, trailing or doubled "/")'],
            ["ghcr.io/***", '"ghcr.io/***" has "***": use "*" (within one path segment) or "**" (across segments)'],
            ["host:abc/x", '"host:abc/x": the registry must be host[:port] with a numeric port'],
        ];
        for (const [glob, reason] of cases) {
            assert.strictEqual(compileImageGlob(glob), reason, String(glob));
        }
    });

    it("matches in time linear in the pattern even with many stars", () => {
        const pattern = "**a".repeat(200) + "b";
        const name = "a".repeat(255);
        const started = Date.now();
        assert.strictEqual(globMatch(pattern, name), false);
        assert.ok(Date.now() - started < 500);
    });

    it("property: the glob compiler and matcher never throw, and literal globs match exactly themselves", () => {
        fc.assert(
            fc.property(
                fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^[a-z0-9.:*/_-]{0,30}$/), fc.anything()),
                fc.string({ maxLength: 60 }),
                (glob, name) => {
                    const g = compileImageGlob(glob);
                    if (typeof g !== "string") {
                        const p = parseImageRef(name);
                        if (p.kind === "reference") {
                            imageGlobMatches(g, p);
                        }
                        globMatch(g.normalized, name);
                    }
                },
            ),
            { numRuns: 2000 },
        );
        fc.assert(
            fc.property(fc.stringMatching(/^[a-z0-9._-]{1,20}$/), fc.stringMatching(/^[a-z0-9._/-]{0,20}$/), (a, b) => {
                assert.strictEqual(globMatch(a, a), true);
                assert.strictEqual(globMatch(a, b), a === b);
            }),
        );
    });
});

describe("supply chain: requirement compilation", () => {
    it("compiles a requirement with keys and keyless identities, with tlog defaults by signer kind", () => {
        const c = compileSignatureRequirements(
            [
                {
                    images: ["ghcr.io/acme/*"],
                    keys: [KEY],
                    keyless: [
                        {
                            issuer: "https://token.actions.githubusercontent.com",
                            subjectRegExp: "^https://github.com/acme/.*",
                        },
                    ],
                },
            ],
            "image-signature.requirements",
        );
        assert.deepStrictEqual(c.errors, []);
        const [r] = c.requirements;
        assert.deepStrictEqual(
            r.signers.map((s) => [s.kind, s.tlog]),
            [
                ["key", "ifPresent"],
                ["keyless", "required"],
            ],
        );
        assert.strictEqual(r.path, "image-signature.requirements[0]");
        assert.match(r.id, /^[0-9a-f]{16}$/);
        const keyless = r.signers[1];
        assert.ok(keyless.kind === "keyless");
        // Anchored: a prefix of the allowed subjects does not match, nor does the allowed one behind another prefix.
        assert.ok(keyless.subjectRegExp!.test("https://github.com/acme/app/.github/workflows/x.yml@refs/heads/main"));
        assert.ok(!keyless.subjectRegExp!.test("https://evil.example/https://github.com/acme/x"));
    });

    it("names the requirement index, the field and what is wrong", () => {
        const c = compileSignatureRequirements(
            [
                { images: ["ghcr.io/acme/*"], keys: ["-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"] },
                { images: [], keyless: [{ issuer: "https://x", subjectRegExp: "(" }] },
                { images: ["*/x/*"], keys: [KEY], tlog: "sometimes", colour: "red" },
                { images: ["ghcr.io/acme/*"] },
                "not an object",
                {
                    images: ["ghcr.io/acme/*"],
                    keys: ["-----BEGIN EC PRIVATE KEY-----\nx\n-----END EC PRIVATE KEY-----"],
                    keyless: [{ subject: "a@b.c" }],
                },
            ],
            "image-signature.requirements",
        );
        assert.strictEqual(c.requirements.length, 0, "no requirement with an error is used");
        const errors = c.errors.map((e) => e.replace(/\(error:[^)]*\)|\([^)]*DECODER[^)]*\)|\(Invalid[^)]*\)/, "(…)"));
        assert.deepStrictEqual(errors.slice(0, 2), [
            "image-signature.requirements[0].keys[0] is not a valid public key (…)",
            "image-signature.requirements[1].images is empty: list the images this requirement covers, e.g. " +
                '["ghcr.io/acme/*"]',
        ]);
        assert.match(
            errors[2],
            /^image-signature\.requirements\[1\]\.keyless\[0\]\.subjectRegExp is not a valid regular expression \(/,
        );
        assert.deepStrictEqual(errors.slice(3), [
            'image-signature.requirements[2]: unknown field "colour" (expected "name", "images", "keys", "keyless", ' +
                '"tlog")',
            'image-signature.requirements[2].images[0] "*/x/*" is ambiguous: its first segment "*" could be a ' +
                'registry or a Docker Hub namespace; write the registry, e.g. "docker.io/*/x/*", ' +
                '"*.example.com/x/*", or "**/x/*" for any registry',
            'image-signature.requirements[2].tlog must be one of "required", "ifPresent", "ignore", not "sometimes"',
            'image-signature.requirements[3]: no trusted signer: give "keys" (PEM public keys) or "keyless" ' +
                "(certificate identities), or both",
            'image-signature.requirements[4] must be an object with "images" and "keys" or "keyless", not a string',
            "image-signature.requirements[5].keys[0] is a private key: configure the public key (cosign.pub), never " +
                "the private one",
            'image-signature.requirements[5].keyless[0]: issuer or issuerRegExp is required (e.g. "issuer": ' +
                '"https://token.actions.githubusercontent.com")',
        ]);
    });

    it("provenance: predicate aliases, conditions only where they apply, and field checks", () => {
        const c = compileProvenanceRequirements(
            [
                {
                    images: ["ghcr.io/acme/*"],
                    keys: [KEY],
                    predicateType: "slsaprovenance1",
                    conditions: {
                        builderId: "https://github.com/*/**",
                        fields: [{ path: "runDetails.metadata.invocationId", matches: "[0-9]+" }],
                    },
                },
                {
                    images: ["ghcr.io/acme/*"],
                    keys: [KEY],
                    predicateType: "cyclonedx",
                    conditions: { sourceRepository: "github.com/acme/*" },
                },
                { images: ["ghcr.io/acme/*"], keys: [KEY], predicateType: "not a uri" },
                { images: ["ghcr.io/acme/*"], keys: [KEY], predicateType: "https://sigstore.dev/cosign/sign/v1" },
                { images: ["ghcr.io/acme/*"], keys: [KEY] },
                {
                    images: ["ghcr.io/acme/*"],
                    keys: [KEY],
                    predicateType: "spdx",
                    conditions: {
                        fields: [
                            { path: "a..b", equals: 1 },
                            { path: "a", equals: 1, oneOf: [1] },
                        ],
                    },
                },
            ],
            "image-provenance.requirements",
        );
        assert.deepStrictEqual(
            c.requirements.map((r) => r.index),
            [0],
        );
        assert.deepStrictEqual(c.errors, [
            "image-provenance.requirements[1].conditions.sourceRepository applies to SLSA provenance only " +
                '(predicateType "https://slsa.dev/provenance/v1" or v0.2); use "fields" for other predicates',
            'image-provenance.requirements[2].predicateType "not a uri" is neither a URI nor one of cosign\'s ' +
                "aliases (slsaprovenance1, slsaprovenance, slsaprovenance02, spdx, spdxjson, cyclonedx, vuln, " +
                "openvex, custom)",
            'image-provenance.requirements[3].predicateType "https://sigstore.dev/cosign/sign/v1" is what cosign ' +
                "signs for a plain signature: require signatures with the image-signature policy",
            "image-provenance.requirements[4].predicateType is missing: give the in-toto predicate type, e.g. " +
                '"https://slsa.dev/provenance/v1" (or cosign\'s alias "slsaprovenance1"), "cyclonedx" or "spdx"',
            "image-provenance.requirements[5].conditions.fields[0].path must be a path into the predicate such as " +
                '"buildDefinition.externalParameters.workflow.ref" or "materials[0].uri", not "a..b"',
            'image-provenance.requirements[5].conditions.fields[1] needs exactly one of "equals", "oneOf" or ' +
                '"matches", not equals and oneOf',
        ]);
        const [r] = c.requirements;
        assert.ok(r.predicateType.matches("https://slsa.dev/provenance/v1"));
        assert.ok(!r.predicateType.matches("https://slsa.dev/provenance/v0.2"));
        assert.deepStrictEqual(
            conditionFailures(r.conditions, {
                runDetails: { builder: { id: "https://github.com/actions/runner" }, metadata: { invocationId: "42" } },
            }),
            [],
        );
        assert.deepStrictEqual(
            conditionFailures(r.conditions, {
                runDetails: { builder: { id: "https://gitlab.com/x" }, metadata: { invocationId: "x1" } },
            }),
            [
                'its builder id is "https://gitlab.com/x", expected "https://github.com/*/**"',
                'runDetails.metadata.invocationId is "x1", expected a string matching /^(?:[0-9]+)$/',
            ],
        );
        assert.deepStrictEqual(conditionFailures(r.conditions, null), [
            'its builder id (runDetails.builder.id) is missing, expected "https://github.com/*/**"',
            "runDetails.metadata.invocationId is missing, expected a string matching /^(?:[0-9]+)$/",
        ]);
    });

    it("reads SLSA v0.2 provenance fields and normalizes source repository URIs", () => {
        const c = compileProvenanceRequirements([
            {
                images: ["**"],
                keys: [KEY],
                predicateType: "slsaprovenance02",
                conditions: { sourceRepository: "https://github.com/acme/app" },
            },
        ]);
        assert.deepStrictEqual(c.errors, []);
        const r = c.requirements[0];
        assert.deepStrictEqual(
            conditionFailures(r.conditions, {
                invocation: { configSource: { uri: "git+https://github.com/Acme/App.git@refs/heads/main" } },
            }),
            [],
        );
        assert.deepStrictEqual(
            [
                "git+https://github.com/acme/app@refs/heads/main",
                "https://github.com/acme/app.git",
                "git@github.com:acme/app.git",
                "ssh://git@github.com/acme/app",
            ].map(normalizeRepository),
            ["github.com/acme/app", "github.com/acme/app", "github.com/acme/app", "github.com/acme/app"],
        );
    });

    it("requirementsFor returns every matching requirement and none for image IDs", () => {
        const c = compileSignatureRequirements([
            { images: ["ghcr.io/acme/*"], keys: [KEY] },
            { images: ["ghcr.io/**"], keys: [KEY] },
            { images: ["docker.io/library/*"], keys: [KEY] },
        ]);
        assert.deepStrictEqual(
            requirementsFor(parseImageRef("ghcr.io/acme/app:1"), c.requirements).map((r) => r.index),
            [0, 1],
        );
        assert.deepStrictEqual(
            requirementsFor(parseImageRef("nginx"), c.requirements).map((r) => r.index),
            [2],
        );
        assert.deepStrictEqual(requirementsFor(parseImageRef("quay.io/x/y"), c.requirements), []);
        assert.deepStrictEqual(requirementsFor(parseImageRef(`sha256:${"c".repeat(64)}`), c.requirements), []);
        assert.deepStrictEqual(requirementsFor(parseImageRef("Not Valid"), c.requirements), []);
    });

    it("the same meaning gives the same id; a different key gives another", () => {
        const a = compileSignatureRequirements([{ images: ["ghcr.io/acme/*"], keys: [KEY] }]).requirements[0];
        const b = compileSignatureRequirements([{ name: "renamed", images: ["ghcr.io/acme/*"], keys: [KEY] }])
            .requirements[0];
        const c = compileSignatureRequirements([{ images: ["ghcr.io/acme/*"], keys: [testKey().publicPem] }])
            .requirements[0];
        assert.strictEqual(a.id, b.id);
        assert.notStrictEqual(a.id, c.id);
    });

    it("policy configuration: options with precise errors, and keyless needs a trusted root", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cg-root-"));
        try {
            const badRoot = path.join(dir, "root.json");
            fs.writeFileSync(badRoot, '{"mediaType":"application/json"}');
            const c = compileSignaturePolicyConfig({
                requirements: [{ images: ["ghcr.io/acme/*"], keyless: [{ issuer: "https://x", subject: "a@b.c" }] }],
                insecureRegistries: ["127.0.0.1:5000", "http://x"],
                timeoutSeconds: 0,
                trustedRoot: badRoot,
                limits: { blobBytes: 10, colour: 1 },
            });
            assert.deepStrictEqual(c.errors, [
                'image-signature.insecureRegistries[1] "http://x" is not a registry host[:port] (no scheme, no ' +
                    'path), e.g. "127.0.0.1:5000"',
                "image-signature.timeoutSeconds must be a number of seconds from 1 to 300, not 0",
                `image-signature.trustedRoot: the trusted root ${badRoot} is not a Sigstore trusted root (mediaType ` +
                    `application/vnd.dev.sigstore.trustedroot…)`,
                'image-signature.limits: unknown field "colour" (expected "manifestBytes", "blobBytes", ' +
                    '"maxReferrers", "maxRedirects", "concurrency")',
                "image-signature.limits.blobBytes must be an integer from 1024 to 536870912 (default 16777216)",
            ]);
            const noRoot = compileProvenancePolicyConfig({
                requirements: [
                    { images: ["**"], keyless: [{ issuer: "https://x", subject: "a@b.c" }], predicateType: "spdx" },
                ],
            });
            assert.deepStrictEqual(noRoot.errors, [
                "image-provenance.requirements[0].keyless needs image-provenance.trustedRoot: the path of a Sigstore " +
                    "trusted_root.json holding the certificate authority (and logs) that issued the signing " +
                    "certificates",
            ]);
            const ok = compileSignaturePolicyConfig({
                requirements: [{ images: ["**"], keys: [KEY] }],
                insecureRegistries: ["127.0.0.1:5000"],
                timeoutSeconds: 3,
                limits: { concurrency: 2 },
            });
            assert.deepStrictEqual(ok.errors, []);
            assert.deepStrictEqual(ok.options, {
                insecureRegistries: ["127.0.0.1:5000"],
                timeoutSeconds: 3,
                limits: { concurrency: 2 },
            });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("property: compiling arbitrary configuration never throws and every error names a path", () => {
        const value = fc.letrec<{ v: unknown }>((tie) => ({
            v: fc.oneof(
                { depthSize: "small" },
                fc.constantFrom(
                    KEY,
                    "ghcr.io/acme/*",
                    "**",
                    "*",
                    "",
                    "(",
                    "slsaprovenance1",
                    "https://x",
                    null,
                    0,
                    true,
                    "required",
                ),
                fc.string({ maxLength: 10 }),
                fc.array(tie("v"), { maxLength: 3 }),
                fc.dictionary(
                    fc.constantFrom(
                        "images",
                        "keys",
                        "keyless",
                        "tlog",
                        "issuer",
                        "subject",
                        "subjectRegExp",
                        "issuerRegExp",
                        "predicateType",
                        "conditions",
                        "builderId",
                        "fields",
                        "path",
                        "equals",
                        "matches",
                        "x",
                        "__proto__",
                        "constructor",
                    ),
                    tie("v"),
                    { maxKeys: 4 },
                ),
            ),
        })).v;
        fc.assert(
            fc.property(value, (raw) => {
                for (const c of [
                    compileSignatureRequirements(raw, "r"),
                    compileProvenanceRequirements(raw, "r"),
                    compileSignaturePolicyConfig(raw, "p"),
                    compileProvenancePolicyConfig(raw, "p"),
                ]) {
                    for (const e of c.errors) {
                        assert.ok(e.startsWith("r") || e.startsWith("p"), e);
                    }
                }
            }),
            { numRuns: 3000 },
        );
    });
});
