// A Dockerfile parser with BuildKit's syntax rules: parser directives (`# syntax=`, `# escape=`,
// `# check=`), comments, line continuations with the escape character (`\` or, after
// `# escape=\``, a backtick), empty and comment lines inside continuations, leading `--flags`,
// exec (JSON) and shell form, and heredocs (`RUN <<EOF`, `<< EOF`, `<<-EOF`, quoted terminators,
// several per instruction, also in ONBUILD triggers) whose bodies are never read as instructions.
//
// It only splits the file into instructions; what they mean (stages, ARG and ENV scopes, variable
// substitution) is in `dockerfile-stages.ts`. It never throws: whatever it cannot make sense of is
// recorded in `problems`, as BuildKit would reject it, and parsing goes on.

import { heredocWords } from "./shell-lexer";

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

/** Instructions whose shell-form arguments may open heredocs (also as an ONBUILD trigger). */
const HEREDOC_INSTRUCTIONS: ReadonlySet<string> = new Set(["RUN", "COPY", "ADD"]);
/**
 * A word that opens a heredoc, as BuildKit matches it (`^(\d*)<<(-?)\s*([^<]*)$`): optional file
 * descriptor, `<<`, optional `-`, optional blanks, the terminator. The `-` is taken greedily, so
 * `<<-` alone opens nothing. The blanks are trimmed by hand: `\s*` before `[^<]*` backtracks
 * quadratically on a long run of blanks.
 */
const HEREDOC_WORD = /^\d*<<(-?)([^<]*)$/;
/** Text longer than this is not parsed (a Dockerfile is a few kilobytes; this bounds the work). */
const MAX_DOCKERFILE_LENGTH = 1 << 20;

/** Go's unicode.IsSpace: what BuildKit trims from lines and splits words on. */
const SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const LEADING_SPACE = new RegExp(`^[${SPACE}]+`);
const IS_SPACE = new RegExp(`^[${SPACE}]$`);
/** BuildKit splits the keyword from its arguments on these only. */
const KEYWORD_END = /[\t\v\f\r ]+/;

function isSpace(ch: string): boolean {
    return IS_SPACE.test(ch);
}

const trimStart = (s: string) => s.replace(LEADING_SPACE, "");
const isBlank = (s: string) => trimStart(s) === "";
const isComment = (s: string) => trimStart(s).startsWith("#");

/** Trims spaces at both ends (a loop at the end: a regex anchored there backtracks quadratically). */
function trimSpace(s: string, space: (ch: string) => boolean = isSpace): string {
    let start = 0;
    let end = s.length;
    while (start < end && space(s[start])) {
        start++;
    }
    while (end > start && space(s[end - 1])) {
        end--;
    }
    return s.slice(start, end);
}

/** Go's `\s`, which BuildKit's directive pattern uses around `=` and at the end. */
const isRegexSpace = (ch: string) => ch === " " || ch === "\t" || ch === "\f" || ch === "\r";
const DIRECTIVE_NAME = new RegExp(`^#[${SPACE}]*([a-zA-Z][a-zA-Z0-9]*)[\\t\\f\\r ]*=`);

/**
 * A `# name=value` line as BuildKit's directive pattern `^#\s*(name)\s*=\s*(.+?)\s*$` reads it
 * (matched by hand: the lazy value and the trailing spaces backtrack quadratically on long lines).
 */
function parseDirective(line: string): { name: string; value: string } | undefined {
    const m = DIRECTIVE_NAME.exec(line);
    if (!m) {
        return undefined;
    }
    const rest = line.slice(m[0].length);
    const value = trimSpace(rest, isRegexSpace);
    if (value !== "") {
        return { name: m[1], value };
    }
    // Only spaces after `=`: the pattern still needs one character of value, the last space.
    return rest === "" ? undefined : { name: m[1], value: rest[rest.length - 1] };
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
        const m = parseDirective(trimStart(lines[i]));
        const name = m?.name.toLowerCase();
        if (!m || !name || !DIRECTIVES.has(name) || name in directives) {
            if (m && name && name in directives) {
                problems.push(`line ${i + 1}: only one ${name} parser directive can be used`);
            }
            break;
        }
        directives[name] = m.value;
        if (name === "escape") {
            if (m.value === "\\" || m.value === "`") {
                escape = m.value;
            } else {
                problems.push(`line ${i + 1}: invalid escape character ${JSON.stringify(m.value)} (use \\ or \`)`);
            }
        }
    }

    // As in BuildKit, the escape character at the end of a line continues it unless another escape
    // character precedes it (`a\\` ends with an escaped backslash), or when it is alone on the line.
    const continuation = escape === "\\" ? /(^|[^\\])\\[ \t]*$/ : /(^|[^`])`[ \t]*$/;
    const instructions: Instruction[] = [];
    for (; i < lines.length; i++) {
        if (isComment(lines[i]) || isBlank(lines[i])) {
            continue;
        }
        const start = i;
        let logical = trimStart(lines[i]);
        let open = continuation.test(logical);
        if (open) {
            logical = logical.replace(continuation, "$1");
        }
        while (open && i + 1 < lines.length) {
            i++;
            const next = lines[i];
            // Comment lines and empty lines inside a continuation are dropped.
            if (isComment(next) || isBlank(next)) {
                continue;
            }
            open = continuation.test(next);
            logical += open ? next.replace(continuation, "$1") : next;
        }
        const instruction = parseInstruction(logical, start + 1, i + 1);
        let heredocs: Heredoc[] = [];
        if (opensHeredocs(instruction) && logical.includes("<<")) {
            heredocs = heredocMarkers(logical).map((h) => {
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

/** RUN, COPY and ADD in shell form open heredocs, also as the trigger of an ONBUILD. */
function opensHeredocs(ins: Instruction): boolean {
    const target = ins.keyword === "ONBUILD" ? parseInstruction(ins.args, ins.line, ins.endLine) : ins;
    return target.json === undefined && HEREDOC_INSTRUCTIONS.has(target.keyword);
}

function parseInstruction(logical: string, line: number, endLine: number): Instruction {
    const trimmed = trimSpace(logical);
    const end = KEYWORD_END.exec(trimmed);
    const keyword = (end ? trimmed.slice(0, end.index) : trimmed).toUpperCase();
    const rest = end ? trimmed.slice(end.index + end[0].length) : "";
    const { flags, args } = splitFlags(rest);
    return { keyword, flags, args: trimSpace(args), json: jsonForm(args), heredocs: [], line, endLine };
}

/**
 * Reads the leading `--flag` words of an instruction's arguments as BuildKit does: quotes group and
 * are removed, a backslash escapes the next character, a lone `--` ends the flags. BuildKit reads
 * them byte by byte, so only ASCII spaces separate them (a non-ASCII space starts the arguments).
 */
function splitFlags(rest: string): { flags: InstructionFlag[]; args: string } {
    const isSpace = (ch: string) =>
        ch === " " || ch === "\t" || ch === "\n" || ch === "\v" || ch === "\f" || ch === "\r";
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
        if (ch === escape && quote !== "'" && pos + 1 === text.length) {
            continue; // BuildKit drops an escape character at the very end
        }
        inWord = true;
        word += ch;
        if (ch === escape && quote !== "'") {
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

/**
 * The heredocs an instruction's line opens, in order, with their bodies still to be read. BuildKit
 * reads them from the words its shell lexer splits the whole line into, and opens none when the
 * lexer fails on the line.
 */
function heredocMarkers(line: string): Omit<Heredoc, "content">[] {
    const out: Omit<Heredoc, "content">[] = [];
    for (const word of heredocWords(line) ?? []) {
        const m = HEREDOC_WORD.exec(word);
        const rest = m?.[2].replace(/^[\t\n\f\r ]+/, "");
        if (!m || !rest) {
            continue;
        }
        const terminator = unquoteTerminator(rest);
        if (terminator && terminator.name !== "") {
            out.push({ name: terminator.name, expand: !terminator.quoted, chomp: m[1] === "-" });
        }
    }
    return out;
}

/**
 * A heredoc terminator with its quotes and escapes removed, as a shell word: single quotes keep
 * everything literally, a backslash escapes any character outside quotes and only `"`, `$` and `\`
 * inside double quotes, and is dropped at the end. Any quote means the body is not expanded (an
 * escape alone does not, as in BuildKit). An unterminated quote opens no heredoc.
 */
function unquoteTerminator(word: string): { name: string; quoted: boolean } | undefined {
    let name = "";
    let quote = "";
    let quoted = false;
    for (let pos = 0; pos < word.length; pos++) {
        const ch = word[pos];
        if (quote === "'") {
            if (ch === "'") {
                quote = "";
            } else {
                name += ch;
            }
        } else if (ch === "\\" && pos + 1 < word.length && (quote === "" || '"$\\'.includes(word[pos + 1]))) {
            name += word[++pos];
        } else if (ch === "\\" && pos + 1 === word.length && quote === "") {
            break; // an escape character at the end escapes nothing and is dropped
        } else if (ch === quote) {
            quote = "";
        } else if (quote === "" && (ch === "'" || ch === '"')) {
            quote = ch;
            quoted = true;
        } else {
            name += ch;
        }
    }
    return quote === "" ? { name, quoted } : undefined;
}
