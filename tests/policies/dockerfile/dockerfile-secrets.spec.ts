// dockerfile-secrets: ARG and ENV instructions and heredoc files must not carry secrets into the
// image; the value is never printed.

import * as assert from "assert";
import { PolicyTester } from "../../../testkit";
import { detail, dockerPolicies, findings, inline, withConfig } from "../../support/dockerfile";

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
