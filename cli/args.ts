// Command-line arguments of `container-guard scan`: tokenised by `node:util` parseArgs, checked here
// so every problem has a message that names the option and says what it takes.

import { type ParseArgsConfig, parseArgs as tokenize } from "util";
import { closest } from "../src/framework/suggest";

const FORMATS = ["text", "json", "sarif"] as const;
type Format = (typeof FORMATS)[number];
const FAIL_ON = ["mandatory", "advisory"] as const;
type FailOn = (typeof FAIL_ON)[number];

const MIB = 1024 * 1024;
/**
 * Per input file (and standard input). Judging costs about 2 ms of CPU time per object, so 32 MiB of small rendered
 * objects (some 75,000) already takes minutes; more is far beyond any one chart's output.
 */
export const DEFAULT_MAX_FILE_SIZE = 32 * MIB;
/** All inputs of one scan together: a platform's rendered manifests (about 50 MB) fit. */
export const DEFAULT_MAX_TOTAL_SIZE = 64 * MIB;

export interface ScanArgs {
    readonly command: "scan";
    readonly paths: string[];
    readonly config?: string;
    readonly format: Format;
    readonly output?: string;
    readonly failOn: FailOn;
    readonly namespace?: string;
    readonly stdinName: string;
    /** Explicit colour choice; undefined decides by terminal and NO_COLOR. */
    readonly color?: boolean;
    /** Bytes one input may have. */
    readonly maxFileSize: number;
    /** Bytes all inputs together may have. */
    readonly maxTotalSize: number;
    /** Input without any resource is accepted (exit 0) instead of being an input error. */
    readonly allowEmpty: boolean;
    /** Policies that can reach registries use only their evidence directories. */
    readonly offline?: boolean;
    /** The directory SARIF artifact URIs are relative to (default: the repository root, else the working directory). */
    readonly sarifBase?: string;
}

type ParsedArgs = ScanArgs | { readonly command: "help" } | { readonly command: "version" };

export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

export const HELP = `Usage: container-guard scan [options] <path...>

Judges Kubernetes manifests and Pulumi stack exports with container-guard's policies,
as \`pulumi preview\` would judge the same resources.

Paths:
  <file>                 YAML or JSON manifests (multi-document, List kinds), or a
                         \`pulumi stack export\` file
  <directory>            every .yaml, .yml and .json file below it
  -                      standard input (e.g. \`helm template ... | container-guard scan -\`)

Options:
  --policy-pack-config <file>  the same JSON as \`pulumi preview --policy-pack-config\`
                               (e.g. config/restricted.json)
  --format <text|json|sarif>   report format (default: text)
  -o, --output <file>          write the report to a file instead of standard output
  --fail-on <mandatory|advisory>
                               exit 1 on mandatory findings (default) or on any finding
  -n, --namespace <name>       namespace of manifests that set none (default: "default")
  --stdin-name <path>          how reports name standard input (default: "stdin")
  --allow-empty                accept input without any resource (default: exit 2,
                               e.g. when a failed \`helm template\` printed nothing)
  --max-file-size <size>       largest input file or standard input (default: 32MiB)
  --max-total-size <size>      largest total of all inputs (default: 64MiB); sizes
                               take B, KiB, MiB, GiB (or kB, MB, GB)
  --sarif-base <dir>           SARIF paths are relative to this directory (default:
                               the git repository around the working directory, else
                               the working directory); other files get file:// URIs
  --color, --no-color          force colour on or off (default: on for a terminal
                               unless NO_COLOR is set)
  --offline                    never contact a registry: image-signature and
                               image-provenance verify from their evidenceDir only
  -h, --help                   show this help
  -V, --version                show the version

Skipped documents: a document that is not a Kubernetes object (no apiVersion and kind,
e.g. values.yaml in a directory), or whose kind or API version Kubernetes does not have
(a misspelled kind such as Deploymnet, apps/v1beta9, a near miss of a workload kind of
a custom resource group), is listed as skipped with the reason and is not judged.
Every other object is judged; custom resources (API groups with a dot) are judged
as the policies see them, and most policies have nothing to say about them.

Exit codes: 0 no mandatory findings, 1 mandatory findings, 2 usage or input errors:
an unreadable or invalid file, an input over a size limit, documents nested more than
128 levels deep, or no resource at all without --allow-empty (the other inputs are
still scanned and reported). Skipped documents do not change the exit code.
`;

const VALUE_OPTIONS = [
    "policy-pack-config",
    "format",
    "output",
    "fail-on",
    "namespace",
    "stdin-name",
    "max-file-size",
    "max-total-size",
    "sarif-base",
] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];

const FLAG_OPTIONS = ["help", "version", "color", "no-color", "allow-empty", "offline"] as const;

const SHORT: Record<string, string> = { o: "output", n: "namespace", h: "help", V: "version" };

function isValueOption(name: string): name is ValueOption {
    return (VALUE_OPTIONS as readonly string[]).includes(name);
}

const OPTIONS: NonNullable<ParseArgsConfig["options"]> = {};
for (const name of [...VALUE_OPTIONS, ...FLAG_OPTIONS]) {
    const short = Object.keys(SHORT).find((s) => SHORT[s] === name);
    OPTIONS[name] = { type: isValueOption(name) ? "string" : "boolean", ...(short && { short }) };
}

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
    if (!(allowed as readonly string[]).includes(value)) {
        throw new UsageError(`${option} must be one of ${allowed.join(", ")}, not "${value}"`);
    }
    return value as T;
}

const UNITS: Record<string, number> = {
    "": 1,
    b: 1,
    k: 1e3,
    kb: 1e3,
    ki: 1024,
    kib: 1024,
    m: 1e6,
    mb: 1e6,
    mi: MIB,
    mib: MIB,
    g: 1e9,
    gb: 1e9,
    gi: 1024 * MIB,
    gib: 1024 * MIB,
};

/** A size such as `64MiB`, `500MB`, `1.5GiB` or `1048576` (bytes). Throws UsageError. */
export function parseSize(option: string, text: string): number {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
    const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
    const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
    if (!Number.isSafeInteger(bytes) || bytes <= 0) {
        throw new UsageError(`${option} must be a size such as 64MiB, 500MB or 1GiB, not "${text}"`);
    }
    return bytes;
}

/** A byte count as people read it: `52.4 MiB`, `900 KiB`, `12 B`. */
export function formatSize(bytes: number): string {
    for (const [unit, size] of [
        ["GiB", 1024 * MIB],
        ["MiB", MIB],
        ["KiB", 1024],
    ] as const) {
        if (bytes >= size) {
            return `${(bytes / size).toFixed(1).replace(/\.0$/, "")} ${unit}`;
        }
    }
    return `${bytes} B`;
}

/**
 * `bytes` compared with `limit`, as people read it: `52.4 MiB`, or exact (`67108865 bytes`, `64 MiB (67108864 bytes)`)
 * when rounding would show both the same.
 */
export function formatSizes(bytes: number, limit: number): { size: string; limit: string } {
    const size = formatSize(bytes);
    return size === formatSize(limit)
        ? { size: `${bytes} bytes`, limit: `${formatSize(limit)} (${limit} bytes)` }
        : { size, limit: formatSize(limit) };
}

/** Parses the arguments after the program name. Throws UsageError. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
    const { tokens } = tokenize({
        args: [...argv],
        options: OPTIONS,
        strict: false,
        allowPositionals: true,
        tokens: true,
    });
    const values: Partial<Record<ValueOption, string>> = {};
    const positional: string[] = [];
    let help = false;
    let version = false;
    let allowEmpty = false;
    let offline = false;
    let color: boolean | undefined;
    for (const token of tokens) {
        if (token.kind === "positional") {
            positional.push(token.value);
            continue;
        }
        if (token.kind === "option-terminator") {
            continue;
        }
        const name = token.name;
        const option = token.rawName; // as the user wrote it, without a value given with `=`
        if (isValueOption(name)) {
            if (token.value === undefined || token.value === "") {
                throw new UsageError(`${option} needs a value`);
            }
            values[name] = token.value; // given twice: the last one counts, as in most tools
        } else if ((FLAG_OPTIONS as readonly string[]).includes(name)) {
            if (token.value !== undefined) {
                throw new UsageError(`${option} takes no value (given "${token.value}")`);
            }
            if (name === "help") {
                help = true;
            } else if (name === "version") {
                version = true;
            } else if (name === "allow-empty") {
                allowEmpty = true;
            } else if (name === "offline") {
                offline = true;
            } else {
                color = name === "color";
            }
        } else {
            const near = option.startsWith("--")
                ? closest(option.slice(2), [...VALUE_OPTIONS, ...FLAG_OPTIONS])
                : undefined;
            throw new UsageError(`unknown option ${option}${near !== undefined ? ` (did you mean --${near}?)` : ""}`);
        }
    }
    if (help || positional[0] === "help") {
        return { command: "help" };
    }
    if (version) {
        return { command: "version" };
    }
    const [command, ...paths] = positional;
    if (command !== "scan") {
        throw new UsageError(
            command === undefined
                ? "missing command (try: container-guard scan <path...>)"
                : `unknown command "${command}" (try: container-guard scan <path...>)`,
        );
    }
    if (paths.length === 0) {
        throw new UsageError("scan needs at least one file, directory or - (standard input)");
    }
    if (paths.filter((p) => p === "-").length > 1) {
        throw new UsageError("standard input (-) can be given only once");
    }
    const format = values.format !== undefined ? oneOf("--format", values.format, FORMATS) : "text";
    if (values["sarif-base"] !== undefined && format !== "sarif") {
        throw new UsageError("--sarif-base applies only to --format sarif");
    }
    return {
        command: "scan",
        paths,
        ...(values["policy-pack-config"] !== undefined && { config: values["policy-pack-config"] }),
        format,
        ...(values.output !== undefined && { output: values.output }),
        failOn: values["fail-on"] !== undefined ? oneOf("--fail-on", values["fail-on"], FAIL_ON) : "mandatory",
        ...(values.namespace !== undefined && { namespace: values.namespace }),
        stdinName: values["stdin-name"] ?? "stdin",
        ...(color !== undefined && { color }),
        maxFileSize:
            values["max-file-size"] !== undefined
                ? parseSize("--max-file-size", values["max-file-size"])
                : DEFAULT_MAX_FILE_SIZE,
        maxTotalSize:
            values["max-total-size"] !== undefined
                ? parseSize("--max-total-size", values["max-total-size"])
                : DEFAULT_MAX_TOTAL_SIZE,
        allowEmpty,
        ...(offline && { offline }),
        ...(values["sarif-base"] !== undefined && { sarifBase: values["sarif-base"] }),
    };
}
