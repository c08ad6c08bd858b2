// A Dockerfile BuildKit would reject (an unterminated heredoc, an invalid escape directive) is never
// passed silently: every Dockerfile policy reports, as advisory, that it could not be fully read,
// naming the problem and the line, and still judges what it could read.

import * as assert from "assert";
import { dockerfilePolicies } from "../../policies/dockerfile";
import { detail, DIGEST, findings, inline, mandatory } from "../support/dockerfile";

const HARDENED = `FROM node:22.11.0@${DIGEST}\nUSER 10001\n`;

describe("Dockerfiles that cannot be fully read", () => {
    it("an unterminated heredoc is reported by every Dockerfile policy, as advisory, with its line", async () => {
        const r = inline(`${HARDENED}RUN <<EOF\necho hi\n`);
        for (const policy of dockerfilePolicies.map((p) => p.name)) {
            const vs = await findings(r, policy, mandatory);
            const read = vs.filter((v) => detail(v).includes("could not be fully read"));
            assert.strictEqual(read.length, 1, `${policy}: ${vs.map(detail).join("\n")}`);
            assert.strictEqual(read[0].enforcementLevel, "advisory", policy);
            assert.match(
                detail(read[0]),
                new RegExp(
                    /the Dockerfile could not be fully read: line 3: the heredoc "EOF" is not terminated; /.source +
                        /BuildKit rejects it, so the build would fail/.source,
                ),
            );
        }
    });

    it("what could be read is still judged: a root final stage is reported next to the read problem", async () => {
        const vs = await findings(
            inline(`FROM node:22.11.0@${DIGEST}\nUSER root\nRUN <<EOF\n`),
            "dockerfile-non-root-user",
        );
        assert.ok(
            vs.some((v) => detail(v).includes("could not be fully read")),
            vs.map(detail).join("\n"),
        );
        assert.ok(
            vs.some((v) => v.enforcementLevel === "mandatory"),
            vs.map(detail).join("\n"),
        );
    });

    it("an invalid escape directive is named", async () => {
        const [v] = (await findings(inline(`# escape=x\n${HARDENED}`), "dockerfile-secrets")).filter((f) =>
            detail(f).includes("could not be fully read"),
        );
        assert.match(detail(v), /line 1: invalid escape character "x"/);
    });

    it("a Dockerfile that reads cleanly has no such finding", async () => {
        for (const policy of dockerfilePolicies.map((p) => p.name)) {
            const vs = await findings(inline(HARDENED), policy, mandatory);
            assert.ok(!vs.some((v) => detail(v).includes("could not be fully read")), policy);
        }
    });
});
