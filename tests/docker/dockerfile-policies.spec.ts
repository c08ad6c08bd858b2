// The Dockerfile policies judge the Dockerfile of docker-build Images (inline or a file), docker
// Images and RemoteImages with a build: the final stage's USER, the images the build pulls, and
// secrets in ARG/ENV; files are found as the providers find them, relative to the program's directory.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR_ENV } from "../../src/dockerfile/sources";
import { dockerPolicies as dockerRuntimePolicies } from "../../policies/docker";
import { dockerfilePolicies } from "../../policies/dockerfile";
import { type PolicyPackConfig, PolicyTester, type TestResource, unknown } from "../../testkit";

const dockerPolicies = [...dockerRuntimePolicies, ...dockerfilePolicies];

const mandatory = new PolicyTester({ policies: dockerPolicies }, { all: "mandatory" });
const DIGEST = "sha256:" + "a".repeat(64);

/** A docker-build Image with an inline Dockerfile. */
function inline(dockerfile: unknown, extra: Record<string, unknown> = {}, name = "app"): TestResource {
    return {
        type: "docker-build:index:Image",
        name,
        props: { push: false, tags: ["registry.example.com/app:1.0"], dockerfile: { inline: dockerfile }, ...extra },
    };
}

async function findings(r: TestResource, policy: string, tester = mandatory) {
    return (await tester.analyze(r)).violations.filter((v) => v.policyName === policy);
}

function detail(v: { message: string }): string {
    return v.message.split("\n")[1] ?? "";
}

const withConfig = (config: PolicyPackConfig) =>
    new PolicyTester({ policies: dockerPolicies }, { all: "mandatory", ...config });

describe("dockerfile-non-root-user", () => {
    const P = "dockerfile-non-root-user";
    const passing: [string, string][] = [
        ["a non-root USER", "FROM alpine:3.19\nUSER app"],
        ["a numeric USER with root group", "FROM alpine:3.19\nUSER 10001:0"],
        ["the last USER wins", "FROM alpine:3.19\nUSER root\nRUN apk add curl\nUSER 10001"],
        ["only the final stage counts", "FROM golang:1.22 AS build\nUSER root\nFROM alpine:3.19\nUSER app"],
        ["a final stage inherits its parent stage's USER", "FROM alpine:3.19 AS base\nUSER app\nFROM base\nRUN true"],
        ["a USER substituted from ENV", "FROM alpine:3.19\nENV APP_USER=app\nUSER ${APP_USER}:${APP_USER}"],
        ["a USER substituted from an ARG default", "FROM alpine:3.19\nARG UID=10001\nUSER $UID"],
        ["USER root inside a heredoc is not an instruction", "FROM alpine:3.19\nUSER app\nRUN <<EOF\nUSER root\nEOF"],
    ];
    for (const [what, text] of passing) {
        it(`passes: ${what}`, async () => {
            assert.deepStrictEqual(await findings(inline(text), P), []);
        });
    }

    const failing: [string, string, string][] = [
        [
            "USER root",
            "FROM alpine:3.19\nUSER root",
            "the final stage runs as root: USER root (dockerfile.inline line 2)",
        ],
        ["USER 0", "FROM alpine:3.19\nUSER 0", "runs as root: USER 0"],
        ["USER 0:0", "FROM alpine:3.19\nUSER 0:0", "runs as root: USER 0:0"],
        ["USER root:root", "FROM alpine:3.19\nUSER root:root", "runs as root: USER root:root"],
        ["a later USER root", "FROM alpine:3.19\nUSER app\nUSER root", "line 3"],
        ["root through ENV", "FROM alpine:3.19\nENV U=root\nUSER $U", 'runs as root: USER $U ("root")'],
        [
            "root inherited from a stage",
            "FROM alpine:3.19 AS Base\nUSER root\nFROM base",
            'runs as root: USER root, inherited from stage "base" (dockerfile.inline line 2)',
        ],
        [
            "no USER at all",
            "FROM alpine:3.19",
            'the final stage sets no USER, so it runs as the user of "alpine:3.19", which is root unless that image ' +
                "sets another (dockerfile.inline line 1)",
        ],
        [
            "no USER through a stage",
            "FROM node:22 AS base\nFROM base",
            'runs as the user of "node:22" (through stage "base")',
        ],
        [
            "no USER on scratch",
            "FROM scratch\nCOPY app /app",
            "the final stage sets no USER and is built FROM scratch, so it runs as root",
        ],
        ["a USER with only a group", "FROM alpine:3.19\nUSER :1000", "USER :1000 names no user"],
    ];
    for (const [what, text, expected] of failing) {
        it(`fails: ${what}`, async () => {
            const [v, ...rest] = await findings(inline(text), P);
            assert.deepStrictEqual(rest, []);
            assert.strictEqual(v?.enforcementLevel, "mandatory");
            assert.ok(detail(v).includes(expected), detail(v));
            assert.ok(detail(v).startsWith("docker-build Image app: "), detail(v));
        });
    }

    it("is advisory by default (medium)", async () => {
        const [v] = await findings(
            inline("FROM alpine:3.19\nUSER root"),
            P,
            new PolicyTester({ policies: dockerPolicies }),
        );
        assert.strictEqual(v.enforcementLevel, "advisory");
    });

    it("judges the build's target stage, case-insensitively", async () => {
        const text = "FROM alpine:3.19 AS Debug\nUSER root\nFROM alpine:3.19 AS release\nUSER app";
        assert.strictEqual((await findings(inline(text, { target: "debug" }), P)).length, 1);
        assert.deepStrictEqual(await findings(inline(text, { target: "release" }), P), []);
        const [missing] = await findings(inline(text, { target: "prod" }), P);
        assert.ok(
            missing.enforcementLevel === "advisory" &&
                detail(missing).includes('the target "prod" is not a stage of the Dockerfile (target)'),
            detail(missing),
        );
        const [u] = await findings(inline(text, { target: unknown }), P);
        assert.ok(
            u.enforcementLevel === "advisory" && detail(u).includes("target is not known during preview"),
            detail(u),
        );
    });

    it("build arguments override ARG defaults; unknown ones are reported by field", async () => {
        const text = "FROM alpine:3.19\nARG UID=10001\nUSER $UID";
        assert.strictEqual((await findings(inline(text, { buildArgs: { UID: "0" } }), P)).length, 1);
        const [u] = await findings(inline(text, { buildArgs: { UID: unknown } }), P);
        assert.ok(
            u.enforcementLevel === "advisory" && detail(u).includes("buildArgs.UID is not known during preview"),
            detail(u),
        );
        const [all] = await findings(inline(text, { buildArgs: unknown }), P);
        assert.ok(detail(all).includes("buildArgs is not known during preview"), detail(all));
    });

    it("a variable the base image may set cannot be judged: advisory", async () => {
        const [v] = await findings(inline("FROM node:22\nUSER $NODE_USER"), P);
        assert.strictEqual(v.enforcementLevel, "advisory");
        assert.ok(
            detail(v).includes(
                "USER $NODE_USER cannot be judged: $NODE_USER is not declared in the Dockerfile and may be set by " +
                    "the base image",
            ),
            detail(v),
        );
    });

    it("unknown, malformed and empty inline Dockerfiles", async () => {
        const [u] = await findings(inline(unknown), P);
        assert.ok(
            u.enforcementLevel === "advisory" && detail(u).includes("dockerfile.inline is not known during preview"),
            detail(u),
        );
        const [m] = await findings(inline(42), P);
        assert.ok(
            m.enforcementLevel === "advisory" &&
                detail(m).includes("the inline Dockerfile is not text (dockerfile.inline)"),
            detail(m),
        );
        const [e] = await findings(inline(""), P);
        assert.ok(
            e.enforcementLevel === "advisory" && detail(e).includes("the Dockerfile has no FROM instruction"),
            detail(e),
        );
    });

    it("a Dockerfile with too many stages is not judged (advisory)", async () => {
        const [v] = await findings(inline(Array.from({ length: 200 }, () => "FROM alpine:3.19").join("\n")), P);
        assert.ok(v.enforcementLevel === "advisory" && detail(v).includes("more than 128 stages"), detail(v));
    });
});

describe("dockerfile-base-image-not-latest and dockerfile-base-image-digest", () => {
    const LATEST = "dockerfile-base-image-not-latest";
    const PINNED = "dockerfile-base-image-digest";
    const table: [string, string | undefined, string | undefined][] = [
        // Dockerfile, not-latest finding, digest finding
        ["FROM alpine", "FROM alpine has no tag, so it pulls latest", "FROM alpine is not pinned by a digest"],
        ["FROM alpine:latest", "FROM alpine:latest uses the latest tag", "is not pinned"],
        ["FROM alpine:3.19", undefined, "FROM alpine:3.19 is not pinned by a digest"],
        [`FROM alpine@${DIGEST}`, undefined, undefined],
        [`FROM alpine:latest@${DIGEST}`, undefined, undefined],
        ["FROM localhost:5000/app", "FROM localhost:5000/app has no tag", "is not pinned"],
        ["FROM scratch", undefined, undefined],
        [
            "FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nFROM build",
            undefined,
            "FROM golang:1.22 is not pinned",
        ],
        [
            "ARG TAG=latest\nFROM alpine:${TAG}",
            'FROM alpine:${TAG} ("alpine:latest") uses the latest tag',
            "is not pinned",
        ],
        ["ARG IMAGE=alpine\nFROM $IMAGE", 'FROM $IMAGE ("alpine") has no tag', "is not pinned"],
        [
            `FROM alpine:3.19@${DIGEST} AS a\nFROM alpine@${DIGEST}\nCOPY --from=nginx:latest /x /y\nCOPY --from=A ` +
                `/x /y\nCOPY --from=0 /x /y\nCOPY --from=busybox@${DIGEST} /x /y`,
            "COPY --from=nginx:latest uses the latest tag (dockerfile.inline line 3)",
            "COPY --from=nginx:latest is not pinned",
        ],
        // COPY --from may name a later stage; FROM may not.
        [`FROM alpine@${DIGEST}\nCOPY --from=b /x /y\nFROM alpine@${DIGEST} AS b`, undefined, undefined],
        [`FROM b\nFROM alpine@${DIGEST} AS b`, "FROM b has no tag", "FROM b is not pinned"],
        [
            `FROM alpine@${DIGEST}\nRUN --mount=type=bind,from=golang,target=/go true`,
            "RUN --mount=...,from=golang has no tag",
            "RUN --mount=...,from=golang is not pinned",
        ],
        [`FROM app-$TARGETARCH@${DIGEST}`, undefined, undefined],
    ];
    for (const [text, latest, pinned] of table) {
        it(JSON.stringify(text), async () => {
            const r = await mandatory.analyze(inline(text));
            for (const [policy, expected] of [
                [LATEST, latest],
                [PINNED, pinned],
            ] as const) {
                const vs = r.violations.filter((v) => v.policyName === policy);
                if (expected === undefined) {
                    assert.deepStrictEqual(vs.map(detail), [], policy);
                } else {
                    assert.strictEqual(vs.length, 1, `${policy}: ${JSON.stringify(vs.map(detail))}`);
                    assert.ok(detail(vs[0]).includes(expected), detail(vs[0]));
                }
            }
        });
    }

    it("default levels follow the image policies: latest is mandatory (high), digest advisory (medium)", async () => {
        const r = await new PolicyTester({ policies: dockerPolicies }).analyze(inline("FROM alpine:latest\nUSER app"));
        assert.deepStrictEqual(
            r.violations
                .filter((v) => v.policyName.startsWith("dockerfile-base"))
                .map((v) => [v.policyName, v.enforcementLevel]),
            [
                [LATEST, "mandatory"],
                [PINNED, "advisory"],
            ],
        );
    });

    it("build arguments decide substituted references", async () => {
        const text = "ARG TAG\nFROM alpine:${TAG:-latest}";
        assert.strictEqual((await findings(inline(text), LATEST)).length, 1);
        assert.deepStrictEqual(await findings(inline(text, { buildArgs: { TAG: "3.19" } }), LATEST), []);
        const [u] = await findings(inline(text, { buildArgs: { TAG: unknown } }), LATEST);
        assert.ok(
            u.enforcementLevel === "advisory" && detail(u).includes("buildArgs.TAG is not known during preview"),
            detail(u),
        );
    });

    it("a platform-dependent reference without a digest cannot be judged: advisory", async () => {
        const [v] = await findings(inline("FROM golang:1.22-$TARGETARCH"), PINNED);
        assert.strictEqual(v.enforcementLevel, "advisory");
        assert.ok(
            detail(v).includes(
                "FROM golang:1.22-$TARGETARCH cannot be judged: $TARGETARCH depends on the platform the image is " +
                    "built for",
            ),
            detail(v),
        );
    });

    it("an invalid reference is an advisory for both", async () => {
        const r = await mandatory.analyze(inline("FROM Alpine:3"));
        const vs = r.violations.filter((v) => v.policyName.startsWith("dockerfile-base"));
        assert.strictEqual(vs.length, 2);
        assert.ok(
            vs.every((v) => v.enforcementLevel === "advisory" && detail(v).includes("is not a valid image reference")),
            JSON.stringify(vs.map(detail)),
        );
    });

    it("named build contexts: docker-image:// locations are judged, local ones are not", async () => {
        const text = "FROM base\nFROM vendor AS v\nFROM alpine:3.19@" + DIGEST;
        const named = { base: { location: "docker-image://alpine:latest" }, vendor: { location: "./vendor" } };
        const [v, ...rest] = await findings(inline(text, { context: { location: ".", named } }), LATEST);
        assert.deepStrictEqual(rest, []);
        assert.ok(
            detail(v).includes('FROM base ("alpine:latest") uses the latest tag (context.named.base.location)'),
            detail(v),
        );
        const [u] = await findings(
            inline(text, { context: { location: ".", named: { ...named, base: { location: unknown } } } }),
            LATEST,
        );
        assert.ok(detail(u).includes("context.named.base.location is not known during preview"), detail(u));
        const [all] = await findings(inline("FROM alpine", { context: { location: ".", named: unknown } }), LATEST);
        assert.ok(detail(all).includes("context.named is not known during preview"), detail(all));
    });
});

describe("dockerfile-secrets", () => {
    const P = "dockerfile-secrets";
    const failing: [string, string, string][] = [
        [
            "an ARG with a secret name",
            "ARG NPM_TOKEN\nFROM node:22",
            "ARG NPM_TOKEN: its name suggests a token, and build arguments are recorded in the image history and in " +
                "build provenance (dockerfile.inline line 1)",
        ],
        ["a stage ARG", "FROM node:22\nARG GITHUB_TOKEN=", "ARG GITHUB_TOKEN: its name suggests a token"],
        ["AWS_ACCESS_KEY_ID", "FROM node:22\nARG AWS_ACCESS_KEY_ID", "its name suggests an AWS access key ID"],
        [
            "an ARG default shaped like a credential",
            "FROM node:22\nARG REGION_HINT=AKIAIOSFODNN7EXAMPLE",
            "ARG REGION_HINT has a default value that looks like an AWS access key ID",
        ],
        [
            "an ENV with a literal secret",
            'FROM node:22\nENV DB_PASSWORD="hunter2"',
            "ENV DB_PASSWORD: its name suggests a password, and ENV values are stored in the image",
        ],
        ["an ENV copying an ARG", "FROM node:22\nARG T\nENV API_TOKEN=$T", "ENV API_TOKEN: its name suggests a token"],
        [
            "the legacy ENV form",
            "FROM node:22\nENV SECRET_KEY s3cr3t value",
            "ENV SECRET_KEY: its name suggests a secret key",
        ],
        [
            "an ENV value shaped like a credential",
            "FROM node:22\nENV CONFIG=ghp_" + "a".repeat(36),
            "ENV CONFIG holds a value that looks like a GitHub token",
        ],
        [
            "a heredoc file with a secret setting",
            "FROM node:22\nCOPY <<EOF /app/config.yaml\ndb:\n  password: hunter2\nEOF",
            "COPY <<EOF writes password (line 2 of the heredoc), which its name suggests a password, into the image",
        ],
        [
            "a heredoc .npmrc",
            "FROM node:22\nCOPY <<EOF /root/.npmrc\n//registry.npmjs.org/:_authToken=abcdef0123456789\nEOF",
            "COPY <<EOF writes a file that contains an npm auth token into the image",
        ],
    ];
    for (const [what, text, expected] of failing) {
        it(`fails: ${what}`, async () => {
            const vs = await findings(inline(text), P, new PolicyTester({ policies: dockerPolicies }));
            assert.strictEqual(vs.length, 1, JSON.stringify(vs.map(detail)));
            assert.strictEqual(vs[0].enforcementLevel, "mandatory");
            assert.ok(detail(vs[0]).includes(expected), detail(vs[0]));
            for (const secret of ["hunter2", "s3cr3t", "AKIAIOSFODNN7EXAMPLE", "abcdef0123456789", "a".repeat(36)]) {
                assert.ok(!vs[0].message.includes(secret), "the value must not be printed");
            }
        });
    }

    const passing: [string, string][] = [
        ["ordinary ARG and ENV", "ARG VERSION=1.2\nFROM node:22\nARG BUILD_DATE\nENV NODE_ENV=production PORT=8080"],
        [
            "pointers to secrets",
            "FROM node:22\nENV DB_PASSWORD_FILE=/run/secrets/db TOKEN_PATH=/var/run/token\nARG SECRET_NAME=db",
        ],
        ["a secret-named ENV whose value is a file path", "FROM node:22\nENV DB_PASSWORD=/run/secrets/db"],
        ["an empty ENV", 'FROM node:22\nENV API_TOKEN=""'],
        ["a BuildKit secret mount", "FROM node:22\nRUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci"],
        ["a RUN heredoc (a script, not a file in the image)", "FROM node:22\nRUN <<EOF\nexport PASSWORD=hunter2\nEOF"],
    ];
    for (const [what, text] of passing) {
        it(`passes: ${what}`, async () => {
            assert.deepStrictEqual((await findings(inline(text), P)).map(detail), []);
        });
    }

    it("ignoreNames exempts names, case-insensitively with wildcards", async () => {
        const t = withConfig({ [P]: { ignoreNames: ["npm_*"] } });
        assert.deepStrictEqual(
            await findings(inline("ARG NPM_TOKEN\nFROM node:22\nENV NPM_TOKEN=$NPM_TOKEN"), P, t),
            [],
        );
    });
});

describe("docker-build-args-secrets", () => {
    const P = "docker-build-args-secrets";
    it("docker-build buildArgs: secret names and credential-shaped values, never printed", async () => {
        const r = inline("FROM node:22", {
            buildArgs: {
                NPM_TOKEN: "hunter2hunter2",
                VERSION: "1.2.3",
                CONFIG: "AKIAIOSFODNN7EXAMPLE",
                EMPTY_PASSWORD: "",
                GITHUB_TOKEN: unknown,
            },
        });
        const vs = await findings(r, P, new PolicyTester({ policies: dockerPolicies }));
        // The engine sends props as a protobuf Struct, whose keys arrive sorted.
        assert.deepStrictEqual(vs.map(detail), [
            'docker-build Image app: build argument "CONFIG" looks like an AWS access key ID, and build arguments ' +
                "are recorded in the image history and in build provenance (buildArgs.CONFIG). Fix: pass it in " +
                "secrets and read it in the Dockerfile with RUN --mount=type=secret,id=<name>",
            'docker-build Image app: build argument "GITHUB_TOKEN" its name suggests a token, and build arguments ' +
                "are recorded in the image history and in build provenance (buildArgs.GITHUB_TOKEN). Fix: pass it " +
                "in secrets and read it in the Dockerfile with RUN --mount=type=secret,id=<name>",
            'docker-build Image app: build argument "NPM_TOKEN" its name suggests a token, and build arguments are ' +
                "recorded in the image history and in build provenance (buildArgs.NPM_TOKEN). Fix: pass it in " +
                "secrets and read it in the Dockerfile with RUN --mount=type=secret,id=<name>",
        ]);
        assert.ok(
            vs.every(
                (v) =>
                    v.enforcementLevel === "mandatory" &&
                    !v.message.includes("hunter2") &&
                    !v.message.includes("AKIAIOSFODNN7EXAMPLE"),
            ),
        );
    });

    it("docker Image build.args and RemoteImage build.buildArgs, with their own fix", async () => {
        const [image] = await findings(
            {
                type: "docker:index/image:Image",
                name: "api",
                props: { imageName: "x", build: { args: { DB_PASSWORD: "pw" } } },
            },
            P,
        );
        assert.ok(
            detail(image).includes(
                "(build.args.DB_PASSWORD). Fix: docker.Image cannot pass build secrets: build with docker-build.Image",
            ),
            detail(image),
        );
        const [remote] = await findings(
            {
                type: "docker:index/remoteImage:RemoteImage",
                name: "r",
                props: { name: "x", build: { context: ".", buildArgs: { AWS_ACCESS_KEY_ID: "id" } } },
            },
            P,
        );
        assert.ok(
            detail(remote).includes("(build.buildArgs.AWS_ACCESS_KEY_ID). Fix: pass it in build.secrets"),
            detail(remote),
        );
    });

    it("unknown build arguments are advisory; RemoteImages without build are not applicable", async () => {
        const [u] = await findings(inline("FROM node:22", { buildArgs: unknown }), P);
        assert.ok(
            u.enforcementLevel === "advisory" && detail(u).includes("buildArgs is not known during preview"),
            detail(u),
        );
        const r = await mandatory.analyze({
            type: "docker:index/remoteImage:RemoteImage",
            props: { name: "nginx:1.27" },
        });
        assert.ok(r.notApplicable.some((n) => n.policyName === P));
        assert.ok(r.notApplicable.some((n) => n.policyName === "dockerfile-non-root-user"));
    });

    it("ignoreNames", async () => {
        const t = withConfig({ [P]: { ignoreNames: ["NPM_TOKEN"] } });
        assert.deepStrictEqual(await findings(inline("FROM node:22", { buildArgs: { npm_token: "x" } }), P, t), []);
    });
});

describe("Dockerfile files: where they are found and read", () => {
    let dir: string;
    const saved = process.env[PROJECT_DIR_ENV];
    const USER_P = "dockerfile-non-root-user";

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "container-guard-dockerfiles-"));
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM alpine:3.19\nUSER root\n");
        fs.mkdirSync(path.join(dir, "app"));
        fs.writeFileSync(path.join(dir, "app", "Dockerfile"), "FROM alpine:3.19\nUSER 0\n");
        fs.writeFileSync(path.join(dir, "app", "Dockerfile.dev"), "FROM alpine:3.19\nUSER 0:0\n");
        fs.mkdirSync(path.join(dir, "docker"));
        fs.writeFileSync(path.join(dir, "docker", "Dockerfile.prod"), "FROM alpine:3.19\nUSER root:root\n");
    });
    after(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => {
        delete process.env[PROJECT_DIR_ENV];
    });
    afterEach(() => {
        if (saved === undefined) {
            delete process.env[PROJECT_DIR_ENV];
        } else {
            process.env[PROJECT_DIR_ENV] = saved;
        }
    });

    const dockerBuild = (props: Record<string, unknown>): TestResource => ({
        type: "docker-build:index:Image",
        name: "app",
        props: { push: false, ...props },
    });
    const dockerImage = (build: unknown): TestResource => ({
        type: "docker:index/image:Image",
        name: "api",
        props: { imageName: "registry.example.com/api:1", ...(build !== undefined && { build }) },
    });

    /** The USER finding's location, proving which file was read. */
    async function readFrom(r: TestResource, tester = mandatory): Promise<string> {
        const [v, ...rest] = await findings(r, USER_P, tester);
        assert.deepStrictEqual(rest, []);
        return detail(v);
    }

    it("an absolute dockerfile.location is read without any configuration", async () => {
        const d = await readFrom(dockerBuild({ dockerfile: { location: path.join(dir, "app", "Dockerfile.dev") } }));
        assert.ok(d.includes(`USER 0:0 (${path.join(dir, "app", "Dockerfile.dev")} line 2)`), d);
    });

    it(
        "a relative path without a program directory is " + "an advisory, not a guess from the pack's directory",
        async () => {
            const d = await readFrom(dockerBuild({ dockerfile: { location: "app/Dockerfile" } }));
            assert.ok(
                d.includes(
                    `the Dockerfile "app/Dockerfile" is relative to the Pulumi program's directory, which the policy ` +
                        `pack cannot see, so it is not checked (dockerfile.location). Fix: set ${PROJECT_DIR_ENV}`,
                ),
                d,
            );
            const [v] = await findings(dockerBuild({ dockerfile: { location: "app/Dockerfile" } }), USER_P);
            assert.strictEqual(v.enforcementLevel, "advisory");
        },
    );

    it(`relative paths resolve against ${PROJECT_DIR_ENV}`, async () => {
        process.env[PROJECT_DIR_ENV] = dir;
        assert.ok(
            (await readFrom(dockerBuild({ dockerfile: { location: "./app/../app/Dockerfile" } }))).includes(
                `(${path.join(dir, "app", "Dockerfile")} line 2)`,
            ),
        );
        // The default: <context>/Dockerfile, the context defaulting to the program's directory.
        assert.ok(
            (await readFrom(dockerBuild({ context: { location: "app" } }))).includes(
                `(${path.join(dir, "app", "Dockerfile")} line 2)`,
            ),
        );
        assert.ok((await readFrom(dockerBuild({}))).includes(`(${path.join(dir, "Dockerfile")} line 2)`));
    });

    it("the projectDir option takes precedence over the environment variable", async () => {
        process.env[PROJECT_DIR_ENV] = path.join(dir, "nowhere");
        const t = withConfig({ [USER_P]: { projectDir: dir } });
        assert.ok(
            (await readFrom(dockerBuild({ dockerfile: { location: "Dockerfile" } }), t)).includes(
                `(${path.join(dir, "Dockerfile")} line 2)`,
            ),
        );
    });

    it(
        "docker.Image: build.dockerfile is relative to the program, not to the context; the default is " +
            "<context>/Dockerfile",
        async () => {
            process.env[PROJECT_DIR_ENV] = dir;
            assert.ok(
                (await readFrom(dockerImage({ context: "app", dockerfile: "docker/Dockerfile.prod" }))).includes(
                    `USER root:root (${path.join(dir, "docker", "Dockerfile.prod")} line 2)`,
                ),
            );
            assert.ok(
                (await readFrom(dockerImage({ context: "app" }))).includes(
                    `(${path.join(dir, "app", "Dockerfile")} line 2)`,
                ),
            );
            assert.ok((await readFrom(dockerImage(undefined))).includes(`(${path.join(dir, "Dockerfile")} line 2)`));
        },
    );

    it("RemoteImage: build.dockerfile is a name inside build.context", async () => {
        process.env[PROJECT_DIR_ENV] = dir;
        const r: TestResource = {
            type: "docker:index/remoteImage:RemoteImage",
            name: "r",
            props: { name: "app:dev", build: { context: "app", dockerfile: "Dockerfile.dev" } },
        };
        assert.ok((await readFrom(r)).includes(`(${path.join(dir, "app", "Dockerfile.dev")} line 2)`));
        const remote: TestResource = {
            type: "docker:index/remoteImage:RemoteImage",
            name: "r",
            props: { name: "app:dev", build: { context: ".", remoteContext: "https://github.com/acme/app.git" } },
        };
        assert.ok((await readFrom(remote)).includes("the build uses a remote context"));
    });

    it("missing files, directories, remote locations and unknown paths", async () => {
        process.env[PROJECT_DIR_ENV] = dir;
        assert.ok(
            (await readFrom(dockerBuild({ dockerfile: { location: "nope/Dockerfile" } }))).includes(
                `the Dockerfile ${path.join(dir, "nope", "Dockerfile")} does not exist`,
            ),
        );
        assert.ok(
            (await readFrom(dockerBuild({ dockerfile: { location: "app" } }))).includes(
                `${path.join(dir, "app")} is not a file`,
            ),
        );
        assert.ok(
            (await readFrom(dockerBuild({ context: { location: "https://github.com/acme/app.git#main" } }))).includes(
                "comes from the remote location",
            ),
        );
        assert.ok(
            (await readFrom(dockerBuild({ context: { location: unknown } }))).includes(
                "context.location is not known during preview",
            ),
        );
        assert.ok(
            (await readFrom(dockerImage({ context: "app", dockerfile: unknown }))).includes(
                "build.dockerfile is not known during preview",
            ),
        );
        assert.ok((await readFrom(dockerImage(unknown))).includes("build is not known during preview"));
    });

    it("a changed file is read again", async () => {
        const file = path.join(dir, "Dockerfile.changing");
        fs.writeFileSync(file, "FROM alpine:3.19\nUSER root\n");
        assert.strictEqual((await findings(dockerBuild({ dockerfile: { location: file } }), USER_P)).length, 1);
        fs.writeFileSync(file, "FROM alpine:3.19\nRUN true\nUSER 10001:10001\n");
        assert.deepStrictEqual(await findings(dockerBuild({ dockerfile: { location: file } }), USER_P), []);
    });

    it("a file larger than 1 MiB is not read (advisory)", async () => {
        const file = path.join(dir, "Dockerfile.huge");
        fs.writeFileSync(file, "FROM alpine:3.19\n" + "# padding\n".repeat(120000));
        const [v] = await findings(dockerBuild({ dockerfile: { location: file } }), USER_P);
        assert.ok(
            v.enforcementLevel === "advisory" && detail(v).includes("more than the 1048576 a Dockerfile is read up to"),
            detail(v),
        );
    });

    it("inline text wins over a location, as in docker-build", async () => {
        assert.deepStrictEqual(
            await findings(
                dockerBuild({
                    dockerfile: { inline: "FROM alpine:3.19\nUSER app", location: path.join(dir, "Dockerfile") },
                }),
                USER_P,
            ),
            [],
        );
    });
});

describe("dockerfile-non-root-user judges the instructions BuildKit runs", () => {
    // Each of these Dockerfiles runs as root when BuildKit builds it; the parser used to read the
    // last USER line into a continuation or a heredoc body, or a heredoc body as instructions.
    const rootImages: [string, string][] = [
        ["an escaped backslash ends a line", "FROM alpine:3.19\nUSER app\nRUN echo done\\\\\nUSER root"],
        ["a line BuildKit cannot lex opens no heredoc", "FROM alpine:3.19\nUSER app\nRUN cat <<EOF ${A=x}\nUSER root"],
        ["`<<- EOF` opens no heredoc", "FROM alpine:3.19\nUSER app\nRUN cat <<- EOF\nUSER root"],
        ["a form feed separates USER from its argument", "FROM alpine:3.19\nUSER app\nUSER\froot"],
        ["`<< EOF` opens a heredoc", "FROM alpine:3.19\nRUN cat << EOF > /etc/motd\nUSER app\nEOF"],
        ["an ONBUILD trigger opens a heredoc", "FROM alpine:3.19\nONBUILD RUN <<EOF\nUSER app\nEOF"],
        ["a no-break space separates a heredoc word", "FROM alpine:3.19\nRUN true ||\u00a0<<EOF\nUSER app\nEOF"],
    ];
    for (const [what, text] of rootImages) {
        it(`fails: ${what}`, async () => {
            const found = await findings(inline(text), "dockerfile-non-root-user");
            assert.deepStrictEqual(
                found.map((v) => v.enforcementLevel),
                ["mandatory"],
            );
            assert.ok(/runs as root|sets no USER/.test(detail(found[0])), detail(found[0]));
        });
    }
});
