// dockerfile-non-root-user: the final stage of a Dockerfile (inline or a file) sets a USER other than
// root, whatever the stage it inherits from, the build target, ARG and ENV substitution decide.

import * as assert from "assert";
import { PolicyTester, unknown } from "../../../testkit";
import { detail, dockerPolicies, findings, inline } from "../../support/dockerfile";

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
