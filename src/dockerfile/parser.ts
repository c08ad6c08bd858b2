// A Dockerfile parser with BuildKit's syntax rules: parser directives (`# syntax=`, `# escape=`,
// `# check=`), comments, line continuations with the escape character (`\` or, after
// `# escape=\``, a backtick), empty and comment lines inside continuations, leading `--flags`,
// exec (JSON) and shell form, and heredocs (`RUN <<EOF`, `<<-EOF`, quoted terminators, several per
// instruction) whose bodies are never read as instructions.
//
// It only splits the file into instructions; what they mean (stages, ARG and ENV scopes, variable
// substitution) is in `dockerfile-stages.ts`. It never throws: whatever it cannot make sense of is
// recorded in `problems`, as BuildKit would reject it, and parsing goes on.

export type EscapeCharacter = "\\" | "`";

/**
 * A `--name=value` (or bare `--name`) flag before an instruction's arguments (names are case-sensitive, as in
 * BuildKit).
 */
interface InstructionFlag {
    readonly name: string;
    readonly value: string | undefined;
}

/** A here-document attached to a RUN, COPY or ADD instruction. */
interface Heredoc {
    /** The terminator, without quotes. */
    readonly name: string;
    /** The body: every line up to the terminator, each ending with a newline. */
    readonly content: string;
    /** False when the terminator was quoted (`<<"EOF"`): no variable expansion in the body. */
    readonly expand: boolean;
    /** `<<-EOF`: leading tabs are stripped from the body and the terminator line. */
    readonly chomp: boolean;
}

/** One instruction of a Dockerfile. */
export interface Instruction {
    /** Upper-case keyword: FROM, RUN, USER, ... (unknown keywords are kept as written, upper-cased). */
    readonly keyword: string;
    /** Leading flags, quotes and escapes removed (as BuildKit reads them). */
    readonly flags: readonly InstructionFlag[];
    /** The arguments after the keyword and flags, continuation lines joined, trimmed. */
    readonly args: string;
    /** The exec-form arguments when `args` is a JSON array of strings. */
    readonly json: readonly string[] | undefined;
    readonly heredocs: readonly Heredoc[];
    /** 1-based line of the keyword, and of the instruction's last line (heredoc bodies included). */
    readonly line: number;
    readonly endLine: number;
}

export interface ParsedDockerfile {
    readonly escape: EscapeCharacter;
    /** Parser directives by lower-case name (`syntax`, `escape`, `check`). */
    readonly directives: Readonly<Record<string, string>>;
    readonly instructions: readonly Instruction[];
    /** What BuildKit would reject (unterminated heredoc, bad escape directive, ...). */
    readonly problems: readonly string[];
}

/** Directives BuildKit knows; any other `# name=value` line is a comment and ends the directives. */
const DIRECTIVES: ReadonlySet<string> = new Set(["syntax", "escape", "check"]);
const DIRECTIVE = /^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$/;
/** Instructions whose shell-form arguments may open heredocs. */
const HEREDOC_INSTRUCTIONS: ReadonlySet<string> = new Set(["RUN", "COPY", "ADD"]);
const HEREDOC_WORD = /^\d*<<(-?)([^<]+)$/;
/** Text longer than this is not parsed (a Dockerfile is a few kilobytes; this bounds the work). */
const MAX_DOCKERFILE_LENGTH = 1 << 20;

const isBlank = (s: string) => /^[ \t]*$/.test(s);
const isComment = (s: string) => /^[ \t]*#/.test(s);

function isSpace(ch: string): boolean {
    return ch === " " || ch === "\t" || ch === "\n" || ch === "\r" || ch === "\f" || ch === "\v";
}

/** Splits a Dockerfile into instructions. Never throws. */
export function parseDockerfile(input: unknown): ParsedDockerfile {
    const problems: string[] = [];
    let text = typeof input === "string" ? input : "";
    if (typeof input !== "string") {
        problems.push("the Dockerfile is not text");
    }
    if (text.length > MAX_DOCKERFILE_LENGTH) {
        problems.push(
            `the Dockerfile is ${text.length} characters long; only the first ${MAX_DOCKERFILE_LENGTH} are read`,
        );
        text = text.slice(0, MAX_DOCKERFILE_LENGTH);
    }
    if (text.startsWith("\uFEFF")) {
        text = text.slice(1);
    }
    const lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
    // A trailing newline does not start another line.
    if (lines.length > 0 && lines[lines.length - 1] === "" && text.endsWith("\n")) {
        lines.pop();
    }

    const directives: Record<string, string> = {};
    let escape: EscapeCharacter = "\\";
    let i = 0;
    for (; i < lines.length; i++) {
        const m = DIRECTIVE.exec(lines[i].replace(/^[ \t]+/, ""));
        const name = m?.[1].toLowerCase();
        if (!m || !name || !DIRECTIVES.has(name) || name in directives) {
            if (m && name && name in directives) {
                problems.push(`line ${i + 1}: only one ${name} parser directive can be used`);
            }
            break;
        }
        directives[name] = m[2];
        if (name === "escape") {
            if (m[2] === "\\" || m[2] === "`") {
                escape = m[2];
            } else {
                problems.push(`line ${i + 1}: invalid escape character ${JSON.stringify(m[2])} (use \\ or \`)`);
            }
        }
    }

    const continuation = escape === "\\" ? /\\[ \t]*$/ : /`[ \t]*$/;
    const instructions: Instruction[] = [];
    for (; i < lines.length; i++) {
        if (isComment(lines[i]) || isBlank(lines[i])) {
            continue;
        }
        const start = i;
        let logical = lines[i].replace(/^[ \t]+/, "");
        let open = continuation.test(logical);
        if (open) {
            logical = logical.replace(continuation, "");
        }
        while (open && i + 1 < lines.length) {
            i++;
            const next = lines[i];
            // Comment lines and empty lines inside a continuation are dropped.
            if (isComment(next) || isBlank(next)) {
                continue;
            }
            open = continuation.test(next);
            logical += open ? next.replace(continuation, "") : next;
        }
        const instruction = parseInstruction(logical, start + 1, i + 1);
        let heredocs: Heredoc[] = [];
        if (
            instruction.json === undefined &&
            HEREDOC_INSTRUCTIONS.has(instruction.keyword) &&
            instruction.args.includes("<<")
        ) {
            heredocs = heredocMarkers(instruction.args).map((h) => {
                const body: string[] = [];
                let terminated = false;
                while (i + 1 < lines.length) {
                    i++;
                    const candidate = h.chomp ? lines[i].replace(/^\t+/, "") : lines[i];
                    if (candidate === h.name) {
                        terminated = true;
                        break;
                    }
                    body.push(lines[i] + "\n");
                }
                if (!terminated) {
                    problems.push(`line ${start + 1}: the heredoc ${JSON.stringify(h.name)} is not terminated`);
                }
                return { ...h, content: body.join("") };
            });
        }
        instructions.push({ ...instruction, heredocs, endLine: i + 1 });
    }
    return { escape, directives, instructions, problems };
}

function parseInstruction(logical: string, line: number, endLine: number): Instruction {
    const trimmed = logical.trim();
    const ws = trimmed.search(/[ \t]/);
    const keyword = (ws < 0 ? trimmed : trimmed.slice(0, ws)).toUpperCase();
    const rest = ws < 0 ? "" : trimmed.slice(ws + 1);
    const { flags, args } = splitFlags(rest);
    return { keyword, flags, args: args.trim(), json: jsonForm(args), heredocs: [], line, endLine };
}

/**
 * Reads the leading `--flag` words of an instruction's arguments as BuildKit does: quotes group and
 * are removed, a backslash escapes the next character, a lone `--` ends the flags.
 */
function splitFlags(rest: string): { flags: InstructionFlag[]; args: string } {
    const flags: InstructionFlag[] = [];
    let pos = 0;
    for (;;) {
        while (pos < rest.length && isSpace(rest[pos])) {
            pos++;
        }
        if (!rest.startsWith("--", pos)) {
            return { flags, args: rest.slice(pos) };
        }
        let word = "";
        let quote = "";
        while (pos < rest.length && (quote !== "" || !isSpace(rest[pos]))) {
            const ch = rest[pos];
            if (quote !== "" && ch === quote) {
                quote = "";
            } else if (quote === "" && (ch === "'" || ch === '"')) {
                quote = ch;
            } else if (ch === "\\" && pos + 1 < rest.length) {
                word += rest[++pos];
            } else if (ch !== "\\") {
                word += ch;
            }
            pos++;
        }
        if (word === "--") {
            return { flags, args: rest.slice(pos) };
        }
        const body = word.slice(2);
        const eq = body.indexOf("=");
        flags.push(eq < 0 ? { name: body, value: undefined } : { name: body.slice(0, eq), value: body.slice(eq + 1) });
    }
}

/** The exec-form arguments: a JSON array of strings, else undefined (shell form). */
function jsonForm(args: string): string[] | undefined {
    const t = args.trim();
    if (!t.startsWith("[")) {
        return undefined;
    }
    try {
        const v: unknown = JSON.parse(t);
        return Array.isArray(v) && v.every((s) => typeof s === "string") ? v : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Splits text into shell words on unquoted whitespace, keeping quotes and escapes as written (they
 * are removed when a word is expanded). An unterminated quote runs to the end.
 */
export function shellWords(text: string, escape: EscapeCharacter = "\\"): string[] {
    const words: string[] = [];
    let word = "";
    let inWord = false;
    let quote = "";
    for (let pos = 0; pos < text.length; pos++) {
        const ch = text[pos];
        if (quote === "" && isSpace(ch)) {
            if (inWord) {
                words.push(word);
                word = "";
                inWord = false;
            }
            continue;
        }
        inWord = true;
        word += ch;
        if (ch === escape && quote !== "'" && pos + 1 < text.length) {
            word += text[++pos];
        } else if (quote === "" && (ch === "'" || ch === '"')) {
            quote = ch;
        } else if (ch === quote) {
            quote = "";
        }
    }
    if (inWord) {
        words.push(word);
    }
    return words;
}

/** The heredocs an instruction's arguments open, in order, with their bodies still to be read. */
function heredocMarkers(args: string): Omit<Heredoc, "content">[] {
    const out: Omit<Heredoc, "content">[] = [];
    for (const word of shellWords(args)) {
        const m = HEREDOC_WORD.exec(word);
        if (!m) {
            continue;
        }
        const quoted = /["'\\]/.test(m[2]);
        const name = m[2].replace(/\\(.)/g, "$1").replace(/["']/g, "");
        if (name !== "") {
            out.push({ name, expand: !quoted, chomp: m[1] === "-" });
        }
    }
    return out;
}
