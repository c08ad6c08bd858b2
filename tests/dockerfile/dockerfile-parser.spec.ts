// The Dockerfile parser (core/dockerfile.ts) and the build model (core/dockerfile-stages.ts):
// BuildKit's syntax and scoping rules as tables, and properties over generated Dockerfiles.

import * as assert from "assert";
import fc from "fast-check";
import { type Instruction, parseDockerfile } from "../../src/dockerfile/parser";
import {
    argDeclarations,
    type BuildInputs,
    DockerfileBuild,
    MAX_STAGES,
    type VariableValue,
    expandWord,
} from "../../src/dockerfile/stages";

/** Keyword, flags and arguments: what the parser is asked to recover. */
function summary(ins: Instruction) {
    return {
        keyword: ins.keyword,
        flags: ins.flags.map((f) => (f.value === undefined ? `--${f.name}` : `--${f.name}=${f.value}`)),
        args: ins.args,
    };
}

function build(text: string, inputs: BuildInputs = {}) {
    return new DockerfileBuild(parseDockerfile(text), inputs);
}

const set = (value: string): VariableValue => ({ kind: "set", value });

describe("Dockerfile parser: syntax", () => {
    it("splits instructions, upper-cases keywords and keeps arguments", () => {
        const p = parseDockerfile("from alpine:3.19 AS base\nrun apk add curl\nUser app\n");
        assert.deepStrictEqual(p.instructions.map(summary), [
            { keyword: "FROM", flags: [], args: "alpine:3.19 AS base" },
            { keyword: "RUN", flags: [], args: "apk add curl" },
            { keyword: "USER", flags: [], args: "app" },
        ]);
        assert.deepStrictEqual(
            p.instructions.map((i) => i.line),
            [1, 2, 3],
        );
        assert.deepStrictEqual(p.problems, []);
    });

    it("reads parser directives only at the top, case-insensitively", () => {
        const p = parseDockerfile("# syntax=docker/dockerfile:1\n#ESCAPE = `\n# check=skip=all\nFROM x");
        assert.deepStrictEqual(p.directives, { syntax: "docker/dockerfile:1", escape: "`", check: "skip=all" });
        assert.strictEqual(p.escape, "`");
    });

    const notDirectives: [string, string][] = [
        ["after an instruction", "FROM x\n# escape=`\nRUN a \\\n b"],
        ["after a blank line", "\n# escape=`\nFROM x"],
        ["after a comment", "# hello\n# escape=`\nFROM x"],
        ["after an unknown directive", "# foo=bar\n# escape=`\nFROM x"],
        ["without a value", "# escape=\nFROM x"],
    ];
    for (const [what, text] of notDirectives) {
        it(`an escape directive ${what} is a comment`, () => {
            const p = parseDockerfile(text);
            assert.strictEqual(p.escape, "\\");
            assert.ok(!("escape" in p.directives));
        });
    }

    it("a repeated or invalid directive is a problem, not an exception", () => {
        assert.ok(
            parseDockerfile("# escape=`\n# escape=\\\nFROM x").problems[0].includes("only one escape parser directive"),
        );
        const bad = parseDockerfile("# escape=x\nFROM x");
        assert.strictEqual(bad.escape, "\\");
        assert.ok(bad.problems[0].includes("invalid escape character"));
    });

    it("joins continuation lines, dropping comments and empty lines inside them", () => {
        const p = parseDockerfile(
            "RUN apt-get update \\\n    # install curl\n\n    && apt-get install -y curl \\  \n    && rm -rf " +
                "/var/lib/apt/lists\nUSER app",
        );
        assert.strictEqual(
            p.instructions[0].args,
            "apt-get update     && apt-get install -y curl     && rm -rf /var/lib/apt/lists",
        );
        assert.deepStrictEqual([p.instructions[0].line, p.instructions[0].endLine, p.instructions[1].line], [1, 5, 6]);
    });

    it("uses the backtick as the continuation character after # escape=`", () => {
        const p = parseDockerfile(
            "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir c:\\ `\n  && echo done\nCOPY " +
                "a\\ b",
        );
        assert.strictEqual(p.instructions[1].args, "dir c:\\   && echo done");
        assert.strictEqual(p.instructions[2].args, "a\\ b");
    });

    it("skips indented comments; a # inside an instruction is not a comment", () => {
        const p = parseDockerfile("   # comment\nRUN echo '#not a comment' # neither");
        assert.deepStrictEqual(
            p.instructions.map((i) => i.args),
            ["echo '#not a comment' # neither"],
        );
    });

    it("recognises exec (JSON) form only for a JSON array of strings", () => {
        const p = parseDockerfile(
            'CMD ["node", "server.js"]\nCMD ["node", 1]\nCMD [ "node"\nENTRYPOINT []\nCMD node server.js',
        );
        assert.deepStrictEqual(
            p.instructions.map((i) => i.json),
            [["node", "server.js"], undefined, undefined, [], undefined],
        );
    });

    it("reads leading flags with quotes and escapes; -- ends them", () => {
        const p = parseDockerfile(
            'COPY --from=build --chown="app user:app" --link /src /dst\nRUN --mount=type=secret,id=npm ' +
                "--network=none npm ci\nFROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN -- --help\nRUN " +
                "--mount=a\\ b x",
        );
        assert.deepStrictEqual(p.instructions.map(summary), [
            { keyword: "COPY", flags: ["--from=build", "--chown=app user:app", "--link"], args: "/src /dst" },
            { keyword: "RUN", flags: ["--mount=type=secret,id=npm", "--network=none"], args: "npm ci" },
            { keyword: "FROM", flags: ["--platform=$BUILDPLATFORM"], args: "golang:1.22 AS build" },
            { keyword: "RUN", flags: [], args: "--help" },
            { keyword: "RUN", flags: ["--mount=a b"], args: "x" },
        ]);
    });

    it("reads heredoc bodies verbatim and never as instructions", () => {
        const p = parseDockerfile("FROM alpine\nRUN <<EOF\nUSER root\nFROM evil\nEOF\nUSER app\n");
        assert.deepStrictEqual(
            p.instructions.map((i) => i.keyword),
            ["FROM", "RUN", "USER"],
        );
        assert.deepStrictEqual(p.instructions[1].heredocs, [
            { name: "EOF", expand: true, chomp: false, content: "USER root\nFROM evil\n" },
        ]);
        assert.deepStrictEqual([p.instructions[1].line, p.instructions[1].endLine, p.instructions[2].line], [2, 5, 6]);
    });

    it("heredoc variants: <<-, quoted terminators, several per instruction, file descriptors", () => {
        const p = parseDockerfile(
            "RUN <<-END\n\techo hi\n\tEND\nCOPY <<\"a\" <<'b' /dst/\n$NOT_EXPANDED\na\nsecond\nb\nRUN 3<<EOF cat " +
                "/dev/fd/3\nx\nEOF",
        );
        assert.deepStrictEqual(p.instructions[0].heredocs, [
            { name: "END", expand: true, chomp: true, content: "\techo hi\n" },
        ]);
        assert.deepStrictEqual(
            p.instructions[1].heredocs.map((h) => [h.name, h.expand, h.content]),
            [
                ["a", false, "$NOT_EXPANDED\n"],
                ["b", false, "second\n"],
            ],
        );
        assert.deepStrictEqual(
            p.instructions[2].heredocs.map((h) => h.name),
            ["EOF"],
        );
        assert.deepStrictEqual(p.problems, []);
    });

    it("only RUN, COPY and ADD in shell form open heredocs", () => {
        const p = parseDockerfile('ENV A=<<EOF\nUSER root\nRUN ["cat", "<<EOF"]\nUSER app\nEOF');
        assert.deepStrictEqual(
            p.instructions.map((i) => i.keyword),
            ["ENV", "USER", "RUN", "USER", "EOF"],
        );
    });

    it("an unterminated heredoc runs to the end and is a problem", () => {
        const p = parseDockerfile("RUN <<EOF\necho hi\nUSER root");
        assert.strictEqual(p.instructions.length, 1);
        assert.strictEqual(p.instructions[0].heredocs[0].content, "echo hi\nUSER root\n");
        assert.ok(p.problems[0].includes('heredoc "EOF" is not terminated'));
    });

    it("CRLF line endings, a byte-order mark, and a missing final newline", () => {
        const p = parseDockerfile("\uFEFF# escape=`\r\nFROM alpine `\r\n  AS base\r\nUSER app");
        assert.strictEqual(p.escape, "`");
        assert.deepStrictEqual(p.instructions.map(summary), [
            { keyword: "FROM", flags: [], args: "alpine   AS base" },
            { keyword: "USER", flags: [], args: "app" },
        ]);
    });

    it("empty, whitespace-only and non-text input give no instructions", () => {
        for (const input of ["", "\n\n", "   \t", "# only a comment"]) {
            assert.deepStrictEqual(parseDockerfile(input).instructions, []);
        }
        for (const input of [undefined, null, 42, { text: "FROM x" }]) {
            const p = parseDockerfile(input);
            assert.deepStrictEqual(p.instructions, []);
            assert.deepStrictEqual(p.problems, ["the Dockerfile is not text"]);
        }
    });

    it("a continuation at the end of the file ends the instruction", () => {
        assert.deepStrictEqual(parseDockerfile("RUN echo \\").instructions.map(summary), [
            { keyword: "RUN", flags: [], args: "echo" },
        ]);
    });
});

describe("Dockerfile build model: substitution and scopes", () => {
    const lookup =
        (vars: Record<string, string>) =>
        (name: string): VariableValue =>
            name in vars ? set(vars[name]) : { kind: "unset" };
    const cases: [string, Record<string, string>, string][] = [
        ["$A", { A: "x" }, "x"],
        ["${A}", { A: "x" }, "x"],
        ["a${A}b$A", { A: "x" }, "axbx"],
        ["${B:-def}", {}, "def"],
        ["${B:-def}", { B: "" }, "def"],
        ["${B-def}", { B: "" }, ""],
        ["${B:+alt}", { B: "v" }, "alt"],
        ["${B:+alt}", { B: "" }, ""],
        ["${B+alt}", { B: "" }, "alt"],
        ["${B:-${A}}", { A: "x" }, "x"],
        ["${B:?required}", { B: "v" }, "v"],
        ["\\$A", { A: "x" }, "$A"],
        ["'$A'", { A: "x" }, "$A"],
        ['"$A b"', { A: "x" }, "x b"],
        ['"\\$A \\" \\n"', { A: "x" }, '$A " \\n'],
        ["$", {}, "$"],
        ["$1$@", {}, ""],
        ["${UNSET}x", {}, "x"],
        ["a$-b", {}, "ab"],
    ];
    for (const [word, vars, expected] of cases) {
        it(`${word} with ${JSON.stringify(vars)} → ${JSON.stringify(expected)}`, () => {
            const e = expandWord(word, lookup(vars));
            assert.deepStrictEqual(e, { text: expected, unresolved: [] });
        });
    }

    it("pattern substitutions and unresolved variables stay as written and are listed", () => {
        const e = expandWord("img:${V#v}-$P", (n) =>
            n === "P" ? { kind: "unresolved", reason: "depends on the platform" } : set("v1"),
        );
        assert.strictEqual(e.text, "img:${V#v}-$P");
        assert.deepStrictEqual(
            e.unresolved.map((u) => u.name),
            ["V", "P"],
        );
    });

    it("the backtick escape character", () => {
        assert.strictEqual(expandWord("`$A c:\\dir", () => set("x"), "`").text, "$A c:\\dir");
    });

    it("global ARG defaults and build arguments substitute into FROM; later ARGs do not", () => {
        const text = "ARG REG=ghcr.io\nARG TAG=1.0\nFROM $REG/app:${TAG} AS a\nARG LATE=x\nFROM b:${LATE}";
        const b = build(text);
        assert.deepStrictEqual(b.baseOf(b.stages[0]), {
            kind: "image",
            ref: { text: "ghcr.io/app:1.0", unresolved: [] },
        });
        assert.deepStrictEqual(b.baseOf(b.stages[1]), { kind: "image", ref: { text: "b:", unresolved: [] } });
        const withArgs = build(text, { buildArg: (n) => (n === "TAG" ? set("2.0") : undefined) });
        assert.strictEqual(
            (withArgs.baseOf(withArgs.stages[0]) as { ref: { text: string } }).ref.text,
            "ghcr.io/app:2.0",
        );
    });

    it("an ARG without default and without build argument is empty; a platform ARG is unresolved", () => {
        const b = build("ARG V\nFROM alpine:${V:-3.19}\nFROM golang:1.22-$TARGETARCH");
        assert.deepStrictEqual(b.baseOf(b.stages[0]), { kind: "image", ref: { text: "alpine:3.19", unresolved: [] } });
        const platform = b.baseOf(b.stages[1]);
        assert.ok(
            platform.kind === "image" &&
                platform.ref.unresolved[0].name === "TARGETARCH" &&
                platform.ref.unresolved[0].reason.includes("platform"),
        );
    });

    it(
        "stage names are case-insensitive and FROM sees only " + "earlier stages; then scratch, named contexts, images",
        () => {
            const b = build(
                "FROM later\nFROM alpine AS Build\nFROM BUILD\nFROM scratch\nFROM Scratch\nFROM ctx AS later\nFROM " +
                    "scratch AS s",
                { namedContexts: new Set(["ctx", "scratch"]) },
            );
            assert.deepStrictEqual(
                b.stages.map((s) => b.baseOf(s).kind),
                // "Scratch" is not scratch; with a named context of that name it is the context.
                ["image", "image", "stage", "scratch", "context", "context", "scratch"],
            );
            assert.strictEqual(b.stages[1].name, "build");
        },
    );

    it("a named context named like a stage replaces it; `name:latest` selects the context `name`", () => {
        const b = build("FROM golang:1.22 AS deps\nFROM deps\nFROM alpine:latest", {
            namedContexts: new Set(["deps", "alpine"]),
        });
        assert.deepStrictEqual(
            b.stages.map((s) => b.baseOf(s)),
            [
                { kind: "context", name: "deps" },
                { kind: "stage", stage: b.stages[0] },
                { kind: "context", name: "alpine" },
            ],
        );
    });

    it("FROM with extra words is a problem but still a stage", () => {
        const b = build("FROM alpine AS\nFROM alpine foo bar");
        assert.strictEqual(b.stages.length, 2);
        assert.strictEqual(b.problems.length, 2);
    });

    it("instructions other than ARG before the first FROM are problems", () => {
        assert.ok(build("RUN x\nFROM a").problems[0].includes("RUN before the first FROM"));
    });

    const users: [string, string | undefined, BuildInputs?][] = [
        ["FROM a\nUSER app\nUSER 1000:1000", "1000:1000"],
        ["FROM a\nENV U=svc\nUSER $U", "svc"],
        ["FROM a\nARG U=svc\nENV U=env\nUSER $U", "env"],
        ["ARG U=global\nFROM a\nARG U\nUSER ${U}", "global"],
        ["ARG U=global\nFROM scratch\nUSER ${U}", ""],
        ["FROM a\nARG U=def\nUSER $U", "given", { buildArg: (n) => (n === "U" ? set("given") : undefined) }],
        ["FROM a AS base\nENV U=inherited\nFROM base\nUSER $U", "inherited"],
        ["FROM a AS base\nUSER base-user\nFROM base\nRUN x", "base-user"],
        ["FROM scratch\nUSER $NOPE:1", ":1"],
        ["FROM a\nENV U v w\nUSER $U", "v w"],
    ];
    for (const [text, expected, inputs] of users) {
        it(`user of the final stage: ${JSON.stringify(text)} → ${JSON.stringify(expected)}`, () => {
            const b = build(text, inputs);
            const u = b.userOf(b.finalStage()!);
            assert.strictEqual(u.kind, "user");
            assert.deepStrictEqual(u.kind === "user" && u.user, { text: expected, unresolved: [] });
        });
    }

    it("an undeclared variable on an external base image may come from its ENV: unresolved", () => {
        const b = build("FROM node:22 AS base\nFROM base\nUSER $NODE_USER");
        const u = b.userOf(b.finalStage()!);
        assert.ok(u.kind === "user" && u.user.unresolved[0].reason.includes("may be set by the base image"));
    });

    it("no USER: the base is reported, through the stages it inherits from", () => {
        const b = build("FROM node:22 AS base\nFROM base AS mid\nFROM mid");
        const u = b.userOf(b.finalStage()!);
        assert.ok(
            u.kind === "base" &&
                u.stage.name === "base" &&
                u.source.kind === "image" &&
                u.source.ref.text === "node:22",
        );
    });

    it("the target stage is the final stage, case-insensitively; an unknown target has none", () => {
        const b = build("FROM a AS Build\nFROM b AS runtime");
        assert.strictEqual(b.finalStage("BUILD")?.index, 0);
        assert.strictEqual(b.finalStage()?.index, 1);
        assert.strictEqual(b.finalStage("nope"), undefined);
        assert.strictEqual(build("").finalStage(), undefined);
    });

    it("a long chain of stages is walked without recursion", () => {
        const n = MAX_STAGES - 1;
        const text = [
            "FROM alpine AS s0",
            ...Array.from({ length: n }, (_, i) => `FROM s${i} AS s${i + 1}\nENV V${i}=${i}`),
            `USER $V${n - 1}`,
        ].join("\n");
        const b = build(text);
        const u = b.userOf(b.finalStage()!);
        assert.deepStrictEqual(u.kind === "user" && u.user.text, String(n - 1));
    });

    it("more stages than MAX_STAGES are not judged", () => {
        const b = build(Array.from({ length: MAX_STAGES + 1 }, () => "FROM alpine\nENV A=b").join("\n"));
        assert.ok(b.tooLarge);
        assert.deepStrictEqual(b.stages, []);
    });
});

// ---------------------------------------------------------------------------------------------
// Properties

const word = fc.stringMatching(/^[a-zA-Z0-9_./:=-]{1,12}$/).filter((w) => !w.startsWith("-") && !w.startsWith("["));
const keyword = fc.constantFrom(
    "FROM",
    "RUN",
    "USER",
    "ENV",
    "ARG",
    "COPY",
    "ADD",
    "WORKDIR",
    "LABEL",
    "EXPOSE",
    "CMD",
    "ENTRYPOINT",
    "HEALTHCHECK",
    "SHELL",
    "STOPSIGNAL",
    "VOLUME",
    "ONBUILD",
);
const flag = fc.tuple(
    fc.stringMatching(/^[a-z][a-z-]{0,8}$/),
    fc.option(fc.stringMatching(/^[a-z0-9=,/.]{0,10}$/), { nil: undefined }),
);

interface Generated {
    readonly keyword: string;
    readonly flags: readonly (readonly [string, string | undefined])[];
    readonly words: readonly string[];
    readonly json?: readonly string[];
    readonly heredoc?: readonly string[];
}

const instruction: fc.Arbitrary<Generated> = fc.oneof(
    fc.record({
        keyword,
        flags: fc.array(flag, { maxLength: 3 }),
        words: fc.array(word, { minLength: 1, maxLength: 6 }),
    }),
    fc.record({
        keyword: fc.constantFrom("CMD", "ENTRYPOINT", "RUN"),
        flags: fc.constant([]),
        words: fc.constant([]),
        json: fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }),
    }),
    fc.record({
        keyword: fc.constantFrom("RUN", "COPY"),
        flags: fc.constant([]),
        words: fc.constant([]),
        heredoc: fc.array(
            fc.stringMatching(/^[^\n\r]{0,20}$/).filter((l) => l !== "EOF"),
            { maxLength: 4 },
        ),
    }),
);

/** Writes an instruction list as a Dockerfile with random, meaning-preserving formatting. */
const dockerfile = fc
    .record({
        instructions: fc.array(
            fc.tuple(
                instruction,
                fc.boolean(),
                fc.array(fc.boolean(), { maxLength: 6 }),
                fc.constantFrom("", "# comment", "", "   "),
            ),
            { maxLength: 12 },
        ),
        backtick: fc.boolean(),
        directives: fc.boolean(),
        lowerCase: fc.boolean(),
    })
    .map(({ instructions, backtick, directives, lowerCase }) => {
        const esc = backtick ? "`" : "\\";
        const lines: string[] = [];
        if (directives || backtick) {
            lines.push("# syntax=docker/dockerfile:1", ...(backtick ? ["# escape=`"] : []));
        }
        const starts: number[] = [];
        for (const [ins, indent, breaks, filler] of instructions) {
            lines.push(filler);
            starts.push(lines.length + 1);
            const kw = lowerCase ? ins.keyword.toLowerCase() : ins.keyword;
            const flags = ins.flags.map(([n, v]) => (v === undefined ? `--${n}` : `--${n}=${v}`));
            let text: string;
            if (ins.json) {
                text = `${kw} ${JSON.stringify(ins.json)}`;
            } else if (ins.heredoc) {
                text = `${kw} <<EOF${ins.keyword === "COPY" ? " /dst" : ""}`;
            } else {
                // Break lines between words: continuation, then an optional comment line.
                const parts = [kw, ...flags, ...ins.words];
                text = parts
                    .map((p, i) =>
                        i > 0 && breaks[i % Math.max(breaks.length, 1)] ? `${esc}\n    # note\n  ${p}` : ` ${p}`,
                    )
                    .join("")
                    .trim();
            }
            lines.push(...(indent ? "  " + text : text).split("\n"));
            if (ins.heredoc) {
                lines.push(...ins.heredoc, "EOF");
            }
        }
        return { text: lines.join("\n"), instructions: instructions.map(([ins]) => ins), starts };
    });

describe("property: Dockerfile parser", () => {
    it("round-trips generated instruction lists through random formatting", () => {
        fc.assert(
            fc.property(dockerfile, ({ text, instructions, starts }) => {
                const p = parseDockerfile(text);
                assert.deepStrictEqual(p.problems, []);
                assert.strictEqual(p.instructions.length, instructions.length, text);
                p.instructions.forEach((got, i) => {
                    const want = instructions[i];
                    assert.strictEqual(got.keyword, want.keyword);
                    assert.strictEqual(got.line, starts[i]);
                    if (want.json) {
                        assert.deepStrictEqual(got.json, want.json);
                    } else if (want.heredoc) {
                        assert.deepStrictEqual(
                            got.heredocs.map((h) => h.content),
                            [want.heredoc.map((l) => l + "\n").join("")],
                        );
                    } else {
                        assert.deepStrictEqual(
                            got.flags.map((f) => [f.name, f.value]),
                            want.flags,
                        );
                        assert.strictEqual(got.args.replace(/\s+/g, " "), want.words.join(" "));
                    }
                });
            }),
            { numRuns: 500 },
        );
    });

    const dockerfileish = fc
        .array(
            fc.oneof(
                fc.constantFrom(
                    "FROM ",
                    "USER ",
                    "ARG ",
                    "ENV ",
                    "RUN ",
                    "COPY ",
                    "<<",
                    "<<-",
                    "EOF",
                    "\n",
                    "\r\n",
                    "\\",
                    "`",
                    "# escape=`",
                    "$",
                    "${",
                    "}",
                    ":-",
                    '"',
                    "'",
                    "[",
                    "]",
                    "--from=",
                    "AS ",
                    "scratch",
                    " ",
                    "=",
                    "\t",
                    "#",
                ),
                fc.string({ maxLength: 6 }),
            ),
            { maxLength: 60 },
        )
        .map((parts) => parts.join(""));

    it("never throws, and the build model never throws on what it returns", () => {
        fc.assert(
            fc.property(
                fc.oneof(dockerfileish, fc.string({ maxLength: 200 })),
                fc.option(fc.string({ maxLength: 5 })),
                (text, target) => {
                    const p = parseDockerfile(text);
                    const b = new DockerfileBuild(p, {
                        buildArg: (n) => (n.length % 2 ? set("0") : { kind: "unresolved", reason: "r" }),
                        namedContexts: new Set(["x"]),
                    });
                    for (const s of b.stages) {
                        b.baseOf(s);
                        b.userOf(s);
                    }
                    b.finalStage(target ?? undefined);
                },
            ),
            { numRuns: 2000 },
        );
    });

    it("expansion never throws and leaves plain text alone", () => {
        fc.assert(
            fc.property(fc.string({ maxLength: 40 }), (s) => {
                expandWord(s, () => ({ kind: "unset" }));
                expandWord(s, () => ({ kind: "unresolved", reason: "r" }), "`");
                if (!/[$'"\\]/.test(s)) {
                    assert.strictEqual(expandWord(s, () => set("x")).text, s);
                }
            }),
            { numRuns: 2000 },
        );
    });

    it("deeply nested substitutions do not throw", () => {
        const deep = "${A:-".repeat(5000) + "x" + "}".repeat(5000);
        assert.doesNotThrow(() => expandWord(deep, () => ({ kind: "unset" })));
    });
});

// Cases where the parser used to read a Dockerfile differently from BuildKit (found by running
// both, and dockerfile-ast, over the same files: docs/decisions/dockerfile-parser.md). Each
// expectation is BuildKit's own reading (frontend/dockerfile/parser v0.34.2).
describe("Dockerfile parser: agrees with BuildKit", () => {
    const keywords = (text: string) => parseDockerfile(text).instructions.map((i) => `${i.keyword}@${i.line}`);
    const heredocs = (text: string) =>
        parseDockerfile(text).instructions.flatMap((i) => i.heredocs.map((h) => [h.name, h.content, h.expand]));

    it("an escaped escape character at the end of a line does not continue it", () => {
        assert.deepStrictEqual(keywords("FROM a\nRUN echo a\\\\\nUSER root"), ["FROM@1", "RUN@2", "USER@3"]);
        // BuildKit's pattern needs a character other than the escape before it, so three do not continue either.
        assert.deepStrictEqual(keywords("FROM a\nRUN echo a\\\\\\\nUSER root"), ["FROM@1", "RUN@2", "USER@3"]);
        assert.deepStrictEqual(keywords("# escape=`\nFROM a\nRUN echo a``\nUSER root"), ["FROM@2", "RUN@3", "USER@4"]);
        // Alone on a line, the escape character still continues it.
        assert.deepStrictEqual(parseDockerfile("FROM a\nRUN a \\\n  \\\n  b").instructions[1].args, "a     b");
    });

    it("`<< EOF` opens a heredoc; `<<- EOF` and `<< <<EOF` do not", () => {
        assert.deepStrictEqual(heredocs("RUN << EOF\nUSER app\nEOF"), [["EOF", "USER app\n", true]]);
        assert.deepStrictEqual(heredocs('RUN 3<< EOF << "Q" cat\nx\nEOF\n$Y\nQ'), [
            ["EOF", "x\n", true],
            ["Q", "$Y\n", false],
        ]);
        assert.deepStrictEqual(keywords("RUN cat <<- EOF\nUSER root"), ["RUN@1", "USER@2"]);
        assert.deepStrictEqual(keywords("RUN cat << <<EOF\nUSER root\nEOF"), ["RUN@1", "USER@2", "EOF@3"]);
    });

    it("ONBUILD RUN, COPY and ADD triggers open heredocs too (not in exec form)", () => {
        const p = parseDockerfile("FROM a\nONBUILD ADD <<EOF /x\nUSER root\nEOF\nonbuild run <<X\nFROM y\nX\nUSER app");
        assert.deepStrictEqual(
            p.instructions.map((i) => i.keyword),
            ["FROM", "ONBUILD", "ONBUILD", "USER"],
        );
        assert.deepStrictEqual(
            p.instructions.flatMap((i) => i.heredocs.map((h) => h.content)),
            ["USER root\n", "FROM y\n"],
        );
        assert.deepStrictEqual(keywords('ONBUILD RUN ["a", "<<EOF"]\nUSER app'), ["ONBUILD@1", "USER@2"]);
    });

    it("a line BuildKit's shell lexer cannot read opens no heredoc", () => {
        for (const line of ['RUN cat <<EOF "', "RUN cat <<EOF 'x", "RUN cat <<EOF ${A=x}", "RUN cat <<EOF ${A"]) {
            assert.deepStrictEqual(keywords(`${line}\nUSER root`), ["RUN@1", "USER@2"], line);
        }
        // The forms BuildKit reads (unset variables stay as written) still open one.
        assert.deepStrictEqual(keywords("RUN cat <<EOF ${A:-x} ${A:=y} ${A/a/b}\nUSER root\nEOF"), ["RUN@1"]);
    });

    it("heredoc terminators are unquoted as shell words; only quotes stop expansion", () => {
        assert.deepStrictEqual(heredocs("RUN <<\\EOF\n$X\nEOF"), [["EOF", "$X\n", true]]);
        assert.deepStrictEqual(heredocs('RUN <<E\\"F\nx\nE"F'), [['E"F', "x\n", true]]);
        assert.deepStrictEqual(heredocs("RUN <<'a\\b'\nx\na\\b"), [["a\\b", "x\n", false]]);
        assert.deepStrictEqual(heredocs('RUN <<"E\\xF"\nx\nE\\xF'), [["E\\xF", "x\n", false]]);
        assert.deepStrictEqual(keywords('RUN <<"EOF\nUSER root\nEOF'), ["RUN@1", "USER@2", "EOF@3"]);
        // A terminator that is only an escape character is empty (the backtick escape keeps `\` off the next line).
        assert.deepStrictEqual(keywords("# escape=`\nRUN <<\\\nUSER root"), ["RUN@2", "USER@3"]);
    });

    it("spaces are Go's: form feeds split a keyword, Unicode spaces split words and blank lines", () => {
        assert.deepStrictEqual(parseDockerfile("USER\froot").instructions.map(summary), [
            { keyword: "USER", flags: [], args: "root" },
        ]);
        assert.deepStrictEqual(keywords("FROM a\n\u00a0\u2003\n\u00a0# comment\nUSER app"), ["FROM@1", "USER@4"]);
        assert.deepStrictEqual(heredocs("RUN true ||\u00a0<<EOF\nUSER app\nEOF"), [["EOF", "USER app\n", true]]);
        // Flags are read byte by byte: a non-ASCII space starts the arguments.
        assert.deepStrictEqual(parseDockerfile("COPY \u00a0--from=x a b").instructions[0].flags, []);
    });

    it("an escape character at the very end of an ARG is dropped", () => {
        // (A form feed after it is not a continuation, and is trimmed from the arguments.)
        const b = build("ARG By z\\\f\nFROM a");
        assert.deepStrictEqual(
            b.globalArgs.flatMap((i) => argDeclarations(i, "\\").map((d) => d.name)),
            ["By", "z"],
        );
    });

    it("long runs of spaces take linear time (no backtracking regular expressions)", () => {
        const inputs = [
            "# escape=`" + " ".repeat(200_000) + "x\nFROM a",
            "FROM a\nRUN a" + " ".repeat(500_000) + "x",
            "FROM a\nRUN <<" + " ".repeat(500_000) + "<x\nUSER app",
            "FROM a\nRUN " + "<<A ".repeat(20_000) + "\n" + "A\n".repeat(20_000),
        ];
        for (const text of inputs) {
            const start = Date.now();
            parseDockerfile(text);
            // Quadratic matching took minutes on these; linear takes milliseconds.
            assert.ok(Date.now() - start < 5000, `${Date.now() - start} ms`);
        }
    });
});
