// The image reference parser against the distribution/reference grammar: a table of cases written
// from the grammar (registries with ports, IPv6 and localhost, Docker Hub normalization, tags,
// digests, length limits, malformed text), and properties checked on generated references: parsing
// and formatting give back the input, normalization is idempotent, acceptance agrees with a
// transcription of the grammar's regular expressions, and nothing throws.

import * as assert from "assert";
import fc from "fast-check";
import {
    type ImageReference,
    canonicalImageRef,
    familiarImageRef,
    formatImageRef,
    isDigestPinned,
    parseImageRef,
    parseRepositoryPattern,
    pulledTag,
    repositoryMatches,
} from "../../src/images/image-ref";

const H64 = "0123456789abcdef".repeat(4);
const H96 = "fedcba9876543210".repeat(6);
const H128 = "0a1b2c3d4e5f6789".repeat(8);

function ref(text: string): ImageReference {
    const p = parseImageRef(text);
    assert.strictEqual(p.kind, "reference", `${text}: ${JSON.stringify(p)}`);
    return p;
}

function reason(text: unknown): string {
    const p = parseImageRef(text);
    assert.strictEqual(p.kind, "error", `${String(text)} should not parse: ${JSON.stringify(p)}`);
    return (p as { reason: string }).reason;
}

describe("image references: valid names", () => {
    // [input, normalized name, familiar name, written registry, tag, digest]
    const cases: [string, string, string, string | undefined, string | undefined, string | undefined][] = [
        ["nginx", "docker.io/library/nginx", "nginx", undefined, undefined, undefined],
        ["nginx:1.27", "docker.io/library/nginx", "nginx", undefined, "1.27", undefined],
        ["library/nginx", "docker.io/library/nginx", "nginx", undefined, undefined, undefined],
        ["docker.io/nginx", "docker.io/library/nginx", "nginx", "docker.io", undefined, undefined],
        ["index.docker.io/library/nginx:1", "docker.io/library/nginx", "nginx", "index.docker.io", "1", undefined],
        ["index.docker.io/nginx", "docker.io/library/nginx", "nginx", "index.docker.io", undefined, undefined],
        ["acme/app:v2", "docker.io/acme/app", "acme/app", undefined, "v2", undefined],
        ["docker.io/acme/app", "docker.io/acme/app", "acme/app", "docker.io", undefined, undefined],
        // Only a single component after library/ is an official image.
        [
            "docker.io/library/team/app",
            "docker.io/library/team/app",
            "library/team/app",
            "docker.io",
            undefined,
            undefined,
        ],
        // Shortened, the name would read as the registry "a.b": the familiar form keeps docker.io.
        ["docker.io/a.b/app", "docker.io/a.b/app", "docker.io/a.b/app", "docker.io", undefined, undefined],
        [
            "docker.io/localhost/app",
            "docker.io/localhost/app",
            "docker.io/localhost/app",
            "docker.io",
            undefined,
            undefined,
        ],
        ["ghcr.io/acme/app:1.0", "ghcr.io/acme/app", "ghcr.io/acme/app", "ghcr.io", "1.0", undefined],
        ["localhost/app", "localhost/app", "localhost/app", "localhost", undefined, undefined],
        // A registry port is not a tag.
        ["localhost:5000/app", "localhost:5000/app", "localhost:5000/app", "localhost:5000", undefined, undefined],
        ["localhost:5000/app:1.2", "localhost:5000/app", "localhost:5000/app", "localhost:5000", "1.2", undefined],
        [
            "registry.example.com:5000/team/app",
            "registry.example.com:5000/team/app",
            "registry.example.com:5000/team/app",
            "registry.example.com:5000",
            undefined,
            undefined,
        ],
        [
            "my-registry:5000/app",
            "my-registry:5000/app",
            "my-registry:5000/app",
            "my-registry:5000",
            undefined,
            undefined,
        ],
        ["10.0.0.1:5000/app:v1", "10.0.0.1:5000/app", "10.0.0.1:5000/app", "10.0.0.1:5000", "v1", undefined],
        ["[::1]:5000/app", "[::1]:5000/app", "[::1]:5000/app", "[::1]:5000", undefined, undefined],
        [
            "[2001:db8::1]/team/app:v1",
            "[2001:db8::1]/team/app",
            "[2001:db8::1]/team/app",
            "[2001:db8::1]",
            "v1",
            undefined,
        ],
        // Uppercase marks a registry (paths are lowercase); the host keeps its case.
        [
            "Registry.Example.com/app",
            "Registry.Example.com/app",
            "Registry.Example.com/app",
            "Registry.Example.com",
            undefined,
            undefined,
        ],
        ["Foo/bar", "Foo/bar", "Foo/bar", "Foo", undefined, undefined],
        ["foo/bar", "docker.io/foo/bar", "foo/bar", undefined, undefined, undefined],
        // Without a "/", nothing is a registry: dots and ports become part of the path and the tag.
        ["foo.com", "docker.io/library/foo.com", "foo.com", undefined, undefined, undefined],
        ["localhost", "docker.io/library/localhost", "localhost", undefined, undefined, undefined],
        ["localhost:5000", "docker.io/library/localhost", "localhost", undefined, "5000", undefined],
        // Path separators: ".", "_", "__", any run of "-".
        ["a-b--c/d_e__f.g:T_1.x-Y", "docker.io/a-b--c/d_e__f.g", "a-b--c/d_e__f.g", undefined, "T_1.x-Y", undefined],
        ["app:1.0@sha256:" + H64, "docker.io/library/app", "app", undefined, "1.0", "sha256:" + H64],
        ["app:latest@sha256:" + H64, "docker.io/library/app", "app", undefined, "latest", "sha256:" + H64],
        ["app@sha256:" + H64, "docker.io/library/app", "app", undefined, undefined, "sha256:" + H64],
        [
            "localhost:5000/app@sha256:" + H64,
            "localhost:5000/app",
            "localhost:5000/app",
            "localhost:5000",
            undefined,
            "sha256:" + H64,
        ],
        ["app@sha384:" + H96, "docker.io/library/app", "app", undefined, undefined, "sha384:" + H96],
        ["app@sha512:" + H128, "docker.io/library/app", "app", undefined, undefined, "sha512:" + H128],
        ["app:" + "t".repeat(128), "docker.io/library/app", "app", undefined, "t".repeat(128), undefined],
    ];

    for (const [input, name, familiar, domain, tag, digest] of cases) {
        it(`${input.length > 60 ? input.slice(0, 60) + "…" : input}`, () => {
            const r = ref(input);
            assert.strictEqual(r.name, name);
            assert.strictEqual(r.familiarName, familiar);
            assert.strictEqual(r.writtenDomain, domain);
            assert.strictEqual(r.tag, tag);
            assert.strictEqual(r.digest?.value, digest);
            assert.strictEqual(formatImageRef(r), input);
            assert.strictEqual(isDigestPinned(r), digest !== undefined);
        });
    }

    it("limits the normalized repository name to 255 characters (Docker Hub names count docker.io/library/)", () => {
        const at255 = "a".repeat(255 - "docker.io/library/".length);
        assert.strictEqual(ref(at255).name.length, 255);
        assert.match(reason(at255 + "a"), /256 characters long \(at most 255\)/);
        assert.strictEqual(ref("ghcr.io/" + "b".repeat(255 - "ghcr.io/".length)).name.length, 255);
        assert.match(reason("ghcr.io/" + "b".repeat(256 - "ghcr.io/".length)), /at most 255/);
    });

    it("gives the canonical and familiar forms", () => {
        assert.strictEqual(canonicalImageRef(ref("nginx:1.27")), "docker.io/library/nginx:1.27");
        assert.strictEqual(
            canonicalImageRef(ref("index.docker.io/acme/app@sha256:" + H64)),
            "docker.io/acme/app@sha256:" + H64,
        );
        assert.strictEqual(familiarImageRef(ref("docker.io/library/nginx:1.27")), "nginx:1.27");
        assert.strictEqual(familiarImageRef(ref("ghcr.io/acme/app:1")), "ghcr.io/acme/app:1");
    });

    it("resolves the tag a pull uses: implicit latest, and none when a digest decides", () => {
        assert.strictEqual(pulledTag(ref("nginx")), "latest");
        assert.strictEqual(pulledTag(ref("localhost:5000/app")), "latest");
        assert.strictEqual(pulledTag(ref("nginx:1.27")), "1.27");
        assert.strictEqual(pulledTag(ref("nginx:latest@sha256:" + H64)), undefined);
    });
});

describe("image references: image IDs", () => {
    for (const input of ["sha256:" + H64, H64, "sha512:" + H128]) {
        it(input.slice(0, 20), () => {
            const p = parseImageRef(input);
            assert.strictEqual(p.kind, "id");
            assert.ok(isDigestPinned(p));
            assert.strictEqual(formatImageRef(p as never), input);
        });
    }

    it("a malformed ID is an error, not the Docker Hub repository sha256 with a tag", () => {
        assert.match(reason("sha256:abc"), /looks like an image ID.*64 lowercase hexadecimal digits; this one has 3/);
        assert.match(reason("sha256:" + H64.toUpperCase()), /uppercase/);
        // Non-hexadecimal text after sha256: stays a (Docker Hub) name with a tag, as Docker reads it.
        assert.strictEqual(ref("sha256:latest").name, "docker.io/library/sha256");
    });
});

describe("image references: malformed text", () => {
    const cases: [unknown, RegExp][] = [
        ["", /empty/],
        ["Nginx", /must be lowercase/],
        ["docker.io/Library/nginx", /must be lowercase/],
        ["nginx:", /tag after ":" is empty/],
        ["nginx:-1", /tag "-1" is not valid/],
        ["nginx:.1", /tag ".1" is not valid/],
        ["nginx:" + "t".repeat(129), /129 characters long \(at most 128\)/],
        ["a:b:c", /tag "b:c" is not valid/],
        ["a/b:1/c", /tag "1\/c" is not valid/],
        ["nginx@sha256:abc", /64 lowercase hexadecimal digits; this one has 3 hexadecimal digits/],
        ["nginx@sha256:" + "A".repeat(64), /uppercase/],
        ["nginx@sha256:" + H64.slice(1), /this one has 63/],
        ["nginx@sha256:" + "g".repeat(64), /not hexadecimal/],
        ["nginx@md5:" + H64.slice(0, 32), /algorithm "md5" is not supported/],
        ["nginx@SHA256:" + H64, /algorithm "SHA256" is not valid/],
        ["nginx@" + H64, /has no algorithm/],
        ["nginx@sha256:" + H64 + "@sha256:" + H64, /more than one "@"/],
        ["@sha256:" + H64, /no repository name/],
        ["a..b", /component "a..b" is not valid/],
        ["a._b", /not valid/],
        ["a___b", /not valid/],
        ["-a", /not valid/],
        ["a-", /not valid/],
        ["_x", /not valid/],
        ["a//b", /empty component/],
        ["/a", /empty component/],
        ["a/", /empty component/],
        ["my_reg.io/app", /registry "my_reg.io" is not a valid host/],
        ["host:port/app", /registry "host:port"/],
        ["localhost:/app", /registry "localhost:"/],
        ["[::1/app", /registry "\[::1"/],
        ["-registry.io/app", /registry "-registry.io"/],
        ["nginx latest", /whitespace/],
        ["nginx\n", /whitespace/],
        ["nginx\u0000", /control/],
        ["x".repeat(2000), /2000 characters long/],
        [null, /null, not a string/],
        [42, /number, not a string/],
        [{ image: "nginx" }, /object, not a string/],
        [["nginx"], /an array, not a string/],
    ];
    for (const [input, expected] of cases) {
        it(`${JSON.stringify(input)?.slice(0, 60)}`, () => {
            assert.match(reason(input), expected);
        });
    }

    it("shortens long text it quotes in a reason", () => {
        assert.ok(reason("a".repeat(300) + "..b").length < 200);
    });
});

describe("repository patterns", () => {
    const matches = (pattern: string, image: string) => repositoryMatches(parseRepositoryPattern(pattern)!, ref(image));

    it("compares the registry exactly and the path by whole components", () => {
        assert.ok(matches("gcr.io/acme", "gcr.io/acme/app:1"));
        assert.ok(matches("gcr.io/acme", "gcr.io/acme"));
        assert.ok(matches("gcr.io/acme", "GCR.io/acme/team/app"));
        assert.ok(!matches("gcr.io/acme", "gcr.io/acme-evil/app"));
        assert.ok(!matches("gcr.io/acme", "evilgcr.io/acme/app"));
        assert.ok(!matches("gcr.io/acme", "gcr.io.evil.com/acme/app"));
        assert.ok(!matches("gcr.io/acme", "gcr.io/other/acme"));
        assert.ok(!matches("gcr.io/acme/app", "gcr.io/acme"));
    });

    it("normalizes Docker Hub on both sides", () => {
        assert.ok(matches("docker.io/library", "nginx"));
        assert.ok(matches("docker.io/library", "index.docker.io/library/nginx:1"));
        assert.ok(matches("index.docker.io/library/nginx", "nginx:1.27"));
        assert.ok(!matches("docker.io/library", "acme/app"));
        assert.ok(matches("docker.io/acme", "acme/app"));
        assert.ok(matches("docker.io", "bitnami/redis"));
    });

    it("treats ports as part of the registry", () => {
        assert.ok(matches("localhost:5000", "localhost:5000/app"));
        assert.ok(!matches("localhost", "localhost:5000/app"));
        assert.ok(!matches("localhost:5000", "localhost/app"));
        assert.ok(!matches("localhost:5000", "localhost:5001/app"));
        assert.ok(matches("[::1]:5000/team", "[::1]:5000/team/app"));
    });

    it("*.host matches subdomains only", () => {
        assert.ok(matches("*.example.com", "registry.example.com/app"));
        assert.ok(matches("*.example.com/team", "a.b.example.com/team/app"));
        assert.ok(!matches("*.example.com", "example.com/app"));
        assert.ok(!matches("*.example.com", "evilexample.com/app"));
        assert.ok(!matches("*.example.com", "registry.example.com.evil.io/app"));
        assert.ok(!matches("*.example.com/team", "registry.example.com/other/app"));
        assert.ok(!matches("*.example.com", "registry.example.com:5000/app"));
    });

    it("rejects patterns that do not name a registry", () => {
        for (const bad of [
            "nginx",
            "acme/app",
            "gcr.io/",
            "gcr.io//x",
            "gcr.io/Acme",
            "*.com",
            "*gcr.io",
            "gcr.io/acme:1.0",
            "gcr.io/acme@sha256:" + H64,
            "",
            "*",
            "https://gcr.io/acme",
        ]) {
            assert.strictEqual(parseRepositoryPattern(bad), undefined, bad);
        }
        for (const good of [
            "gcr.io",
            "gcr.io/acme",
            "localhost",
            "localhost:5000/x",
            "reg:5000",
            "[::1]",
            "*.example.com",
            "docker.io/library",
        ]) {
            assert.ok(parseRepositoryPattern(good), good);
        }
    });
});

// ------------------------------------------------------------------------------------------------
// Properties.

/** The grammar's regular expressions (distribution/reference regexp.go), transcribed. */
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const TAG = "[\\w][\\w.-]{0,127}";
/** The reference grammar's digest, narrowed to the algorithms and lengths the digest library accepts. */
const DIGEST = "sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128}";
const WITH_DOMAIN = new RegExp(
    `^(${DOMAIN})/(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::${TAG})?(?:@(?:${DIGEST}))?$`,
);
const WITHOUT_DOMAIN = new RegExp(`^(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::${TAG})?(?:@(?:${DIGEST}))?$`);

/** What Docker's ParseAnyReference accepts (plus the pack's one deviation: malformed `sha256:<hex>` IDs are errors). */
function oracle(s: string): "reference" | "id" | "error" {
    if (/^[a-f0-9]{64}$/.test(s)) {
        return "id";
    }
    if (/^sha(256|384|512):[0-9a-fA-F]+$/.test(s)) {
        return new RegExp(`^(?:${DIGEST})$`).test(s) ? "id" : "error";
    }
    // normalize.go: the first "/"-component names a registry if it has "." or ":", is localhost, or has uppercase.
    const slash = s.indexOf("/");
    const first = slash < 0 ? undefined : s.slice(0, slash);
    const hasDomain =
        first !== undefined && (/[.:]/.test(first) || first === "localhost" || first !== first.toLowerCase());
    const m = (hasDomain ? WITH_DOMAIN : WITHOUT_DOMAIN).exec(s);
    if (!m) {
        return "error";
    }
    const domain = hasDomain ? (m[1] === "index.docker.io" ? "docker.io" : m[1]) : "docker.io";
    const path = hasDomain ? m[2] : m[1];
    const name = `${domain}/${domain === "docker.io" && !path.includes("/") ? "library/" : ""}${path}`;
    return name.length <= 255 ? "reference" : "error";
}

const alnum = fc.string({ unit: fc.constantFrom(..."abcxyz0189"), minLength: 1, maxLength: 5 });
const separator = fc.constantFrom(".", "_", "__", "-", "--", "---");
const pathComponent = fc
    .tuple(alnum, fc.array(fc.tuple(separator, alnum), { maxLength: 2 }))
    .map(([a, rest]) => a + rest.map(([s, x]) => s + x).join(""));
const label = fc.stringMatching(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,4}[a-zA-Z0-9])?$/);
const port = fc.integer({ min: 0, max: 70000 }).map((n) => `:${n}`);
/** Registries Docker recognises as such: a dot, a port, localhost, IPv6, or an uppercase letter. */
const domain = fc.oneof(
    fc
        .tuple(fc.array(label, { minLength: 2, maxLength: 3 }), fc.option(port, { nil: "" }))
        .map(([ls, p]) => ls.join(".") + p),
    fc.tuple(label, port).map(([l, p]) => l + p),
    fc.option(port, { nil: "" }).map((p) => "localhost" + p),
    fc.tuple(fc.stringMatching(/^\[[a-fA-F0-9:]{1,12}\]$/), fc.option(port, { nil: "" })).map(([h, p]) => h + p),
    fc.stringMatching(/^[A-Z][a-zA-Z0-9]{0,4}$/),
    fc.constantFrom("docker.io", "index.docker.io"),
);
const tag = fc.oneof(fc.stringMatching(/^[\w][\w.-]{0,12}$/), fc.stringMatching(/^[\w][\w.-]{100,127}$/));
const digest = fc.oneof(
    fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`),
    fc.stringMatching(/^[a-f0-9]{128}$/).map((h) => `sha512:${h}`),
);

interface Parts {
    domain?: string;
    path: string[];
    tag?: string;
    digest?: string;
}

const validParts: fc.Arbitrary<Parts> = fc
    .record({
        domain: fc.option(domain, { nil: undefined }),
        path: fc.array(pathComponent, { minLength: 1, maxLength: 4 }),
        tag: fc.option(tag, { nil: undefined }),
        digest: fc.option(digest, { nil: undefined }),
    })
    // Without a registry, a first component with a dot (or localhost) would be read as one.
    .filter(
        (p) => p.domain !== undefined || p.path.length === 1 || (!p.path[0].includes(".") && p.path[0] !== "localhost"),
    )
    .filter((p) => oracle(textOf(p)) === "reference");

function textOf(p: Parts): string {
    const domain = p.domain !== undefined ? p.domain + "/" : "";
    const tag = p.tag !== undefined ? ":" + p.tag : "";
    return `${domain}${p.path.join("/")}${tag}${p.digest !== undefined ? "@" + p.digest : ""}`;
}

/** Text near the grammar: fragments that matter to it, so that both valid and invalid text is common. */
const nearText = fc.string({
    unit: fc.constantFrom(
        "a",
        "b",
        "z",
        "0",
        "9",
        "A",
        "F",
        ".",
        "_",
        "__",
        "-",
        ":",
        "/",
        "@",
        "[",
        "]",
        "::1",
        "localhost",
        "docker.io",
        "index.docker.io",
        "sha256:",
        "sha512:",
        H64,
        "latest",
        " ",
        "é",
    ),
    maxLength: 12,
});

function mutate(text: string, at: number, insert: string, remove: number): string {
    const i = at % (text.length + 1);
    return text.slice(0, i) + insert + text.slice(i + remove);
}

describe("image references: properties", () => {
    it("generated valid references parse, keep their parts, and format back to the same text", () => {
        fc.assert(
            fc.property(validParts, (p) => {
                const text = textOf(p);
                const r = ref(text);
                assert.strictEqual(formatImageRef(r), text);
                assert.strictEqual(r.writtenDomain, p.domain);
                assert.strictEqual(r.writtenPath, p.path.join("/"));
                assert.strictEqual(r.tag, p.tag);
                assert.strictEqual(r.digest?.value, p.digest);
                assert.strictEqual(isDigestPinned(r), p.digest !== undefined);
            }),
            { numRuns: 2000 },
        );
    });

    it("normalization is idempotent and the familiar form means the same image", () => {
        fc.assert(
            fc.property(validParts, (p) => {
                const r = ref(textOf(p));
                const canonical = canonicalImageRef(r);
                const again = ref(canonical);
                assert.strictEqual(canonicalImageRef(again), canonical);
                assert.strictEqual(again.name, r.name);
                const familiar = ref(familiarImageRef(r));
                assert.strictEqual(canonicalImageRef(familiar), canonical);
            }),
            { numRuns: 1000 },
        );
    });

    it("accepts exactly what the grammar accepts (text near the grammar, and mutated valid references)", () => {
        const text = fc.oneof(
            nearText,
            fc
                .tuple(
                    validParts,
                    fc.nat(),
                    fc.constantFrom("", ".", "_", "-", ":", "/", "@", "A", "..", "//", " ", ":5000", "@sha256:"),
                    fc.nat({ max: 2 }),
                )
                .map(([p, at, insert, remove]) => mutate(textOf(p), at, insert, remove)),
        );
        fc.assert(
            fc.property(text, (s) => {
                const kind = parseImageRef(s).kind;
                assert.strictEqual(kind, oracle(s), `${JSON.stringify(s)}: parser says ${kind}`);
            }),
            { numRuns: 5000 },
        );
    });

    it(
        "a repository pattern made from an image's own registry and path prefix matches it; a longer component does " +
            "not",
        () => {
            fc.assert(
                fc.property(validParts, fc.nat(), (p, cut) => {
                    const r = ref(textOf(p));
                    const components = r.path.split("/");
                    const n = cut % (components.length + 1);
                    const host = r.domain;
                    if (!parseRepositoryPattern(host)) {
                        return; // registries written with uppercase only: not a valid pattern host
                    }
                    const prefix = [host, ...components.slice(0, n)].join("/");
                    const pattern = parseRepositoryPattern(
                        prefix.toLowerCase().startsWith(host.toLowerCase())
                            ? host.toLowerCase() + prefix.slice(host.length)
                            : prefix,
                    )!;
                    assert.ok(repositoryMatches(pattern, r), `${prefix} should match ${r.name}`);
                    if (n > 0) {
                        const evil = parseRepositoryPattern(
                            [host.toLowerCase(), ...components.slice(0, n - 1), components[n - 1] + "-x"].join("/"),
                        )!;
                        assert.ok(!repositoryMatches(evil, r), `${evil.text} must not match ${r.name}`);
                    }
                }),
                { numRuns: 1000 },
            );
        },
    );

    it("never throws, whatever it is given", () => {
        fc.assert(
            fc.property(fc.oneof(fc.anything(), fc.string(), fc.string({ unit: "binary" }), nearText), (x) => {
                const p = parseImageRef(x);
                assert.ok(p.kind === "reference" || p.kind === "id" || (p.kind === "error" && p.reason.length > 0));
                if (typeof x === "string") {
                    parseRepositoryPattern(x);
                }
            }),
            { numRuns: 3000 },
        );
    });
});
