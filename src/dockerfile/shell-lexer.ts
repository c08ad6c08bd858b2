// BuildKit's shell lexer (frontend/dockerfile/shell/lex.go) as far as the Dockerfile parser needs
// it to find heredocs: BuildKit splits an instruction's whole line into words with it, with `\`
// as the escape character whatever the escape directive says, quotes and escapes kept in the
// words, and no variables set (an unset variable stays as written). Which words a line has, and
// whether the lexer can read the line at all, decide which heredocs BuildKit opens: a word that
// is split differently, or a line it fails on, makes the following lines instructions in one
// reading and heredoc bodies in the other. So this follows the lexer exactly where it decides
// either: quotes, escapes, `${...}` forms and their errors, the blanks kept after `<<`, and
// splitting on every Unicode space.

/** Go's unicode.IsSpace, which splits words. */
const SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;

function isSpace(ch: string): boolean {
    // Printable ASCII other than the space is by far the most common case.
    return ch === " " || ((ch < " " || ch > "~") && SPACE.test(ch));
}

/** Characters with a meaning of their own to the lexer. */
const SPECIAL = "$<'\"\\";
const DIGIT = /^\p{Nd}$/u;
const NAME_CHAR = /^[\p{L}\p{Nd}_]$/u;
const SPECIAL_PARAMS = "@*#?-$!0";

/** The lexer cannot read the line. */
class LexError extends Error {}

/** Words as the lexer collects them: split on spaces, except inside text added raw. */
class Words {
    private readonly list: string[] = [];
    private buf = "";
    private inWord = false;

    addChar(ch: string): void {
        if (!isSpace(ch)) {
            this.addRaw(ch);
        } else if (this.inWord && this.buf !== "") {
            this.list.push(this.buf);
            this.buf = "";
            this.inWord = false;
        }
    }

    addRaw(text: string): void {
        this.buf += text;
        this.inWord = true;
    }

    addString(text: string): void {
        for (const ch of text) {
            this.addChar(ch);
        }
    }

    finish(): string[] {
        if (this.buf !== "") {
            this.list.push(this.buf);
        }
        return this.list;
    }
}

/**
 * The words BuildKit's lexer reads from a line when it looks for heredocs, or undefined when the
 * lexer fails on it (an unterminated quote, a malformed `${...}`): BuildKit then opens no heredoc.
 */
export function heredocWords(line: string): string[] | undefined {
    // Indexes are UTF-16 positions: every character the lexer treats specially is in the BMP; only
    // names are read by code point.
    const chars = line;
    let pos = 0;
    let rawEscapes = true;

    const codePoint = (): string => String.fromCodePoint(chars.codePointAt(pos)!);
    const readName = (): string => {
        const start = pos;
        if (pos < chars.length && DIGIT.test(codePoint())) {
            while (pos < chars.length && DIGIT.test(codePoint())) {
                pos += codePoint().length;
            }
        } else if (pos < chars.length && SPECIAL_PARAMS.includes(chars[pos])) {
            pos++;
        } else {
            while (pos < chars.length && NAME_CHAR.test(codePoint())) {
                pos += codePoint().length;
            }
        }
        return chars.slice(start, pos);
    };

    /** `$...` with no variable set: kept as written, after checking that it is well-formed. */
    const dollar = (): string => {
        pos++; // $
        if (chars[pos] !== "{") {
            const name = readName();
            return "$" + name;
        }
        pos++; // {
        const first = chars[pos];
        if (first === undefined || first === "{" || first === "}" || first === ":") {
            throw new LexError(); // missing '}' or bad substitution
        }
        const name = readName();
        let op: string | undefined = chars[pos++];
        if (op === "}") {
            return `\${${name}}`;
        }
        let ops = op ?? "";
        const nullIsUnset = op === ":";
        if (nullIsUnset) {
            op = chars[pos++];
            ops += op ?? "";
        }
        if (nullIsUnset || (op !== undefined && "+-?#%".includes(op))) {
            const pattern = op === "#" || op === "%";
            if (nullIsUnset && pattern) {
                throw new LexError(); // unsupported modifier
            }
            return `\${${name}${ops}${stopOn("}", pattern, pattern).result}}`;
        }
        if (op === "/") {
            if (chars[pos] === "/") {
                pos++;
            }
            const pattern = stopOn("/", true, true).result;
            const replacement = stopOn("}", true, false).result;
            return `\${${name}/${pattern}/${replacement}}`;
        }
        throw new LexError(); // unsupported modifier
    };

    /** Everything up to the next `'` is literal (escapes are doubled for a pattern). */
    const singleQuoted = (preservePatternEscapes: boolean): string => {
        const end = chars.indexOf("'", pos + 1);
        if (end < 0) {
            throw new LexError();
        }
        const text = chars.slice(pos, end + 1);
        pos = end + 1;
        return preservePatternEscapes ? text.replaceAll("\\", "\\\\") : text;
    };

    const doubleQuoted = (preservePatternEscapes: boolean): string => {
        let result = chars[pos++];
        for (;;) {
            if (pos >= chars.length) {
                throw new LexError();
            }
            if (chars[pos] === '"') {
                return result + chars[pos++];
            }
            if (chars[pos] === "$") {
                result += dollar();
                continue;
            }
            let ch = chars[pos++];
            if (ch === "\\" && pos < chars.length) {
                const escaped = chars[pos];
                if (escaped === '"' || escaped === "$" || escaped === "\\") {
                    if (rawEscapes) {
                        result += ch;
                    }
                    ch = chars[pos++];
                } else if (rawEscapes && preservePatternEscapes) {
                    result += ch;
                }
            }
            result += ch;
        }
    };

    /** `<<` keeps the blanks after it in its word (BuildKit allows `<< EOF`). */
    const angle = (): string => {
        pos++;
        if (chars[pos] !== "<") {
            return "<";
        }
        const start = pos - 1;
        pos++;
        while (pos < chars.length && (chars[pos] === " " || chars[pos] === "\t" || chars[pos] === "\r")) {
            pos++;
        }
        return chars.slice(start, pos);
    };

    /**
     * Reads up to `stop` (consumed; an error if it never comes), or to the end of the line, into
     * words and (if `keep`) the text.
     */
    function stopOn(stop: string | undefined, raw: boolean, preservePatternEscapes: boolean, keep = true) {
        const saved = rawEscapes;
        rawEscapes = raw;
        try {
            const words = new Words();
            let result = "";
            const keepText = (t: string): void => {
                if (keep) {
                    result += t;
                }
            };
            while (pos < chars.length) {
                const ch = chars[pos];
                if (ch === stop) {
                    pos++;
                    return { result, words: words.finish() };
                }
                if (ch === "$") {
                    const text = dollar();
                    keepText(text);
                    words.addString(text);
                } else if (ch === "<" || ch === "'" || ch === '"') {
                    const text =
                        ch === "<"
                            ? angle()
                            : ch === "'"
                              ? singleQuoted(preservePatternEscapes)
                              : doubleQuoted(preservePatternEscapes);
                    keepText(text);
                    words.addRaw(text);
                } else if (ch !== "\\") {
                    // A run of ordinary characters, or of spaces, is taken at once.
                    const space = isSpace(ch);
                    let end = pos + 1;
                    while (
                        end < chars.length &&
                        chars[end] !== stop &&
                        !SPECIAL.includes(chars[end]) &&
                        isSpace(chars[end]) === space
                    ) {
                        end++;
                    }
                    const run = chars.slice(pos, end);
                    if (space) {
                        words.addChar(ch);
                    } else {
                        words.addRaw(run);
                    }
                    keepText(run);
                    pos = end;
                } else {
                    pos++; // the escape character
                    if (rawEscapes) {
                        words.addRaw(ch);
                        keepText(ch);
                    }
                    if (pos >= chars.length) {
                        break;
                    }
                    const escaped = chars[pos++];
                    words.addRaw(escaped);
                    keepText(escaped);
                }
            }
            if (stop !== undefined) {
                throw new LexError(); // unexpected end of statement
            }
            return { result, words: words.finish() };
        } finally {
            rawEscapes = saved;
        }
    }

    try {
        // The top level needs only the words: its text is not kept (a long line would make a deep string).
        return stopOn(undefined, true, false, false).words;
    } catch {
        // A lexer error, or `${` nested deeper than the stack allows: either way no heredoc is read.
        return undefined;
    }
}
