// Secrets inside structured values: configuration files stored in a ConfigMap or a Docker config
// (JSON, YAML, TOML, INI, Java properties, .env), JSON in an environment variable
// (SPRING_APPLICATION_JSON), and JSON nested in a value of any of these. A line-by-line reading
// misses a one-line JSON document (`{"Jwt":{"Secret":"…"}}`), YAML flow style
// (`db: {user: app, password: …}`) and TOML inline tables; parsing the value and walking its keys
// finds them, with the key path inside the value (`Jwt.Secret`) for the finding. Values are never
// returned: a finding says where and what kind of secret.
//
// JSON and YAML are read with JSON.parse and the `yaml` package, TOML with `smol-toml`. INI, Java
// properties and .env are line formats with a few rules each (sections, `=` or `:`, `export`,
// quotes); a small parser here reads them, because the maintained `ini` package needs Node.js 22
// and the pack supports Node.js 20 (see docs/security.md). The work is bounded: a value larger than
// `MAX_PARSED_CHARS`, nested deeper than `MAX_DEPTH` or with more than `MAX_NODES` entries is
// scanned as far as the limits allow and reported as not fully scanned, never passed silently.

import type * as SmolToml from "smol-toml";
import type * as Yaml from "yaml";
import { type NameFilter, type SecretMatch, judgeLiteral, secretInName } from "./patterns";

/** The formats a structured value is read in. */
export type StructuredFormat = "JSON" | "YAML" | "TOML" | "INI" | "properties" | ".env";

/** Values larger than this are not parsed (a ConfigMap holds at most 1 MiB). */
export const MAX_PARSED_CHARS = 1 << 20;
/** Deeper nesting is not walked. */
export const MAX_DEPTH = 32;
/** At most this many keys and entries are judged per value. */
export const MAX_NODES = 20_000;
/** JSON found inside a string value is parsed this many levels deep. */
const MAX_EMBEDDED = 3;

/** A key inside a structured value that holds a literal secret. */
export interface StructuredSecret {
    /** The key path inside the value, e.g. `Jwt.Secret`, `db.password`, `servers[0].token`. */
    readonly path: string;
    readonly match: SecretMatch;
}

/** What scanning a structured value found. */
export interface StructuredScan {
    readonly format: StructuredFormat;
    readonly secrets: StructuredSecret[];
    /** Why the value could not be fully scanned (size, depth, entries), if it could not. */
    readonly incomplete?: string;
}

// Dotted keys stay unquoted: `spring.datasource.password` of a properties file reads as written.
const IDENTIFIER = /^[A-Za-z_$][\w$.-]*$/;

function joinKey(path: string, key: string): string {
    if (!IDENTIFIER.test(key)) {
        return `${path}[${JSON.stringify(key)}]`;
    }
    return path === "" ? key : `${path}.${key}`;
}

/** The format a key's name announces (`appsettings.json`, `application.yml`, `.env`), if any. */
function formatByName(name: string | undefined): StructuredFormat | undefined {
    const lower = (name ?? "").toLowerCase();
    if (/\.json$/.test(lower) || lower.endsWith("_json")) {
        return "JSON";
    }
    if (/\.ya?ml$/.test(lower)) {
        return "YAML";
    }
    if (/\.toml$/.test(lower)) {
        return "TOML";
    }
    if (/\.(ini|cfg|conf|cnf)$/.test(lower)) {
        return "INI";
    }
    if (/\.properties$/.test(lower)) {
        return "properties";
    }
    if (lower === ".env" || lower === "env" || /\.env$/.test(lower) || /^\.env\./.test(lower)) {
        return ".env";
    }
    return undefined;
}

class Budget {
    nodes = 0;
    incomplete?: string;

    spend(): boolean {
        if (++this.nodes > MAX_NODES) {
            this.incomplete ??= `it has more than ${MAX_NODES} entries`;
            return false;
        }
        return true;
    }
}

type Tree = unknown;

/** Parses JSON text; undefined when it is not JSON. */
function parseJson(text: string): { value: Tree } | undefined {
    try {
        return { value: JSON.parse(text) as Tree };
    } catch {
        return undefined;
    }
}

// The parsers are loaded when a value first needs one: most resources hold no structured text, and loading them
// cost the pack's start-up (every `pulumi preview`) about 60 ms.
let yaml: typeof Yaml | undefined;
let toml: typeof SmolToml | undefined;
/* eslint-disable @typescript-eslint/no-require-imports */
const yamlParser = () => (yaml ??= require("yaml") as typeof Yaml);
const tomlParser = () => (toml ??= require("smol-toml") as typeof SmolToml);
/* eslint-enable @typescript-eslint/no-require-imports */

/** Parses YAML (every document); undefined when it has errors or is a plain scalar. */
function parseYaml(text: string): { value: Tree } | undefined {
    try {
        const docs = yamlParser().parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false });
        if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) {
            return undefined;
        }
        const values = docs.map((d) => d.toJS({ maxAliasCount: 100 }) as Tree);
        const structured = values.filter((v) => typeof v === "object" && v !== null);
        if (structured.length === 0) {
            return undefined;
        }
        return { value: structured.length === 1 ? structured[0] : structured };
    } catch {
        return undefined;
    }
}

function parseTomlText(text: string): { value: Tree } | undefined {
    try {
        return { value: tomlParser().parse(text, { maxDepth: MAX_DEPTH }) };
    } catch {
        return undefined;
    }
}

/** The value of a line format's assignment without surrounding quotes. */
function unquoted(raw: string): string {
    const v = raw.trim();
    const q = v[0];
    if ((q === '"' || q === "'") && v.length >= 2 && v.endsWith(q)) {
        return v.slice(1, -1);
    }
    return v;
}

/**
 * Reads INI, Java properties and .env text: `[section]` headers (INI), `key = value`, `key: value`
 * (properties), `export KEY=value` (.env), `#` and `;` comments, continuation lines ending in `\`
 * (properties). Undefined when fewer than one line in two is an assignment (not such a file).
 */
function parseLines(text: string, format: "INI" | "properties" | ".env"): { value: Tree } | undefined {
    const root: Record<string, unknown> = {};
    let section: Record<string, unknown> = root;
    let assignments = 0;
    let meaningful = 0;
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
        let line = lines[i].trim();
        if (line === "" || line.startsWith("#") || line.startsWith(";") || line.startsWith("!")) {
            continue;
        }
        meaningful++;
        while (format === "properties" && line.endsWith("\\") && i + 1 < lines.length) {
            line = line.slice(0, -1) + lines[++i].trim();
        }
        const header = format === "INI" ? /^\[([^\]]{1,200})\]$/.exec(line) : null;
        if (header) {
            const name = header[1].trim();
            const existing = root[name];
            section = typeof existing === "object" && existing !== null ? (existing as Record<string, unknown>) : {};
            Object.defineProperty(root, name, { value: section, enumerable: true, writable: true, configurable: true });
            assignments++;
            continue;
        }
        const m = /^(?:export\s+)?([^=:\s][^=:]{0,200}?)\s*[=:]\s*(.*)$/.exec(line);
        if (!m) {
            continue;
        }
        assignments++;
        Object.defineProperty(section, m[1].trim(), {
            value: unquoted(m[2]),
            enumerable: true,
            writable: true,
            configurable: true,
        });
    }
    return meaningful > 0 && assignments * 2 >= meaningful ? { value: root } : undefined;
}

function parseAs(format: StructuredFormat, text: string): { value: Tree } | undefined {
    switch (format) {
        case "JSON":
            return parseJson(text);
        case "YAML":
            return parseYaml(text);
        case "TOML":
            return parseTomlText(text);
        default:
            return parseLines(text, format);
    }
}

/** The format the content has, tried in order of how little each could be mistaken for another. */
function sniff(text: string): { format: StructuredFormat; value: Tree } | undefined {
    const t = text.trim();
    if (t.startsWith("{") || t.startsWith("[")) {
        const json = parseJson(t);
        if (json && typeof json.value === "object" && json.value !== null) {
            return { format: "JSON", ...json };
        }
    }
    if (/^\s*\[[^\]\n]+\]\s*$/m.test(text) && /^\s*[\w.-]+\s*=/m.test(text)) {
        const toml = parseTomlText(text);
        if (toml) {
            return { format: "TOML", ...toml };
        }
        const ini = parseLines(text, "INI");
        if (ini) {
            return { format: "INI", ...ini };
        }
    }
    if (/^\s*[\w.-]+\s*=/m.test(text) && !/^\s*[\w.-]+:\s/m.test(text)) {
        const toml = /=\s*\{/.test(text) ? parseTomlText(text) : undefined;
        if (toml) {
            return { format: "TOML", ...toml };
        }
        const lines = parseLines(text, "properties");
        if (lines) {
            return { format: "properties", ...lines };
        }
    }
    if (/[:{]/.test(text)) {
        const yaml = parseYaml(text);
        if (yaml) {
            return { format: "YAML", ...yaml };
        }
    }
    return undefined;
}

/** The key a leaf is judged by: its own key when that names a secret, else its whole path. */
function judgedName(path: string, key: string): string {
    return secretInName(key) ? key : path;
}

function walk(
    node: Tree,
    path: string,
    key: string,
    depth: number,
    embedded: number,
    ignored: NameFilter,
    budget: Budget,
    out: StructuredSecret[],
): void {
    if (!budget.spend()) {
        return;
    }
    if (depth > MAX_DEPTH) {
        budget.incomplete ??= `it is nested more than ${MAX_DEPTH} levels deep`;
        return;
    }
    if (key !== "" && ignored.matches(key)) {
        return;
    }
    if (Array.isArray(node)) {
        node.forEach((item, i) => walk(item, `${path}[${i}]`, key, depth + 1, embedded, ignored, budget, out));
        return;
    }
    if (typeof node === "object" && node !== null) {
        if (node instanceof Date) {
            return;
        }
        for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
            walk(v, joinKey(path, k), k, depth + 1, embedded, ignored, budget, out);
        }
        return;
    }
    if (typeof node !== "string") {
        return; // numbers and booleans are not literal secrets
    }
    // JSON inside a value (a setting that holds a JSON document) is walked under the value's path.
    const t = node.trim();
    if (embedded < MAX_EMBEDDED && (t.startsWith("{") || t.startsWith("[")) && t.length > 2) {
        const json = parseJson(t);
        if (json && typeof json.value === "object" && json.value !== null) {
            walk(json.value, path, key, depth + 1, embedded + 1, ignored, budget, out);
            return;
        }
    }
    if (key === "") {
        return;
    }
    const match = judgeLiteral(judgedName(path, key), node, ignored);
    if (match) {
        out.push({ path, match });
    }
}

/**
 * Parses a value as a configuration file, by the format its name announces or else by its content,
 * and finds the keys that hold literal secrets. Undefined when the value is not structured (plain
 * text, a single value): callers judge it as text.
 */
export function scanStructured(
    name: string | undefined,
    text: string,
    ignored: NameFilter,
): StructuredScan | undefined {
    const budget = new Budget();
    let scanned = text;
    if (text.length > MAX_PARSED_CHARS) {
        budget.incomplete = `it is longer than ${MAX_PARSED_CHARS} characters`;
        scanned = text.slice(0, MAX_PARSED_CHARS);
    }
    const byName = formatByName(name);
    const parsed = byName ? parseAs(byName, scanned) : undefined;
    const found = parsed && byName ? { format: byName, value: parsed.value } : sniff(scanned);
    if (!found || typeof found.value !== "object" || found.value === null) {
        return budget.incomplete ? { format: byName ?? "JSON", secrets: [], incomplete: budget.incomplete } : undefined;
    }
    const secrets: StructuredSecret[] = [];
    walk(found.value, "", "", 0, 0, ignored, budget, secrets);
    return { format: found.format, secrets, ...(budget.incomplete && { incomplete: budget.incomplete }) };
}

/** A `-Dkey=value`, `--key=value` or `-key=value` flag in a command line or an options variable. */
const FLAG = /(?:^|\s)-{1,2}(?:D)?([A-Za-z_][\w.-]{0,200})=("[^"]*"|'[^']*'|\S*)/g;

/** A command-line flag that sets a literal secret. */
export interface FlagSecret {
    /** The flag as a message names it: `-Ddb.password`, `--password`. */
    readonly flag: string;
    readonly match: SecretMatch;
}

/**
 * The flags in a text (an argument, an options variable such as JAVA_OPTS) that set literal
 * secrets: `-Ddb.password=…`, `--password=…`, `-token=…`.
 */
export function flagSecrets(text: string, ignored: NameFilter): FlagSecret[] {
    const out: FlagSecret[] = [];
    if (!text.includes("-") || !text.includes("=")) {
        return out;
    }
    const scanned = text.length > 65536 ? text.slice(0, 65536) : text;
    FLAG.lastIndex = 0;
    for (let m = FLAG.exec(scanned); m !== null; m = FLAG.exec(scanned)) {
        const key = m[1];
        const leaf = key.slice(key.lastIndexOf(".") + 1);
        const written = m[0].trim();
        const flag = written.slice(0, written.indexOf("="));
        const match = ignored.matches(key) ? undefined : judgeLiteral(secretInName(leaf) ? leaf : key, unquoted(m[2]));
        if (match && match.by === "name") {
            out.push({ flag, match });
        }
    }
    return out;
}

/**
 * The flags of an argument list that set literal secrets, as one argument (`--password=…`) or as a
 * flag followed by its value (`--password`, `…`).
 */
export function argumentSecrets(args: readonly (string | undefined)[], ignored: NameFilter): FlagSecret[] {
    const out: FlagSecret[] = [];
    args.forEach((arg, i) => {
        if (arg === undefined) {
            return;
        }
        out.push(...flagSecrets(arg, ignored));
        const separate = /^--?([A-Za-z_][\w.-]{0,200})$/.exec(arg);
        const next = args[i + 1];
        if (separate && next !== undefined && !next.startsWith("-")) {
            const key = separate[1];
            const leaf = key.slice(key.lastIndexOf(".") + 1);
            const match = ignored.matches(key) ? undefined : judgeLiteral(secretInName(leaf) ? leaf : key, next);
            if (match && match.by === "name") {
                out.push({ flag: arg, match });
            }
        }
    });
    return out;
}
