// Command-line arguments of `container-guard scan`, parsed without dependencies.

const FORMATS = ["text", "json", "sarif"] as const;
type Format = (typeof FORMATS)[number];
const FAIL_ON = ["mandatory", "advisory"] as const;
type FailOn = (typeof FAIL_ON)[number];

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
    /** Policies that can reach registries use only their evidence directories. */
    readonly offline?: boolean;
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
  --color, --no-color          force colour on or off (default: on for a terminal
                               unless NO_COLOR is set)
  --offline                    never contact a registry: image-signature and
                               image-provenance verify from their evidenceDir only
  -h, --help                   show this help
  -V, --version                show the version

Exit codes: 0 no mandatory findings, 1 mandatory findings, 2 usage or input errors
(the other inputs are still scanned and reported).
`;

const VALUE_OPTIONS: Record<string, string> = {
    "--policy-pack-config": "config",
    "--format": "format",
    "--output": "output",
    "-o": "output",
    "--fail-on": "failOn",
    "--namespace": "namespace",
    "-n": "namespace",
    "--stdin-name": "stdinName",
};

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
    if (!(allowed as readonly string[]).includes(value)) {
        throw new UsageError(`${option} must be one of ${allowed.join(", ")}, not "${value}"`);
    }
    return value as T;
}

/** Parses the arguments after the program name. Throws UsageError. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
    const values: Record<string, string> = {};
    const positional: string[] = [];
    let help = false;
    let version = false;
    let color: boolean | undefined;
    let offline = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--") {
            positional.push(...argv.slice(i + 1));
            break;
        }
        if (arg === "-" || !arg.startsWith("-")) {
            positional.push(arg);
            continue;
        }
        const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
        const name = eq > 0 ? arg.slice(0, eq) : arg;
        if (name === "-h" || name === "--help") {
            help = true;
        } else if (name === "-V" || name === "--version") {
            version = true;
        } else if (name === "--color" || name === "--no-color") {
            color = name === "--color";
        } else if (name === "--offline") {
            offline = true;
        } else if (VALUE_OPTIONS[name]) {
            const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
            if (value === undefined || value === "") {
                throw new UsageError(`${name} needs a value`);
            }
            values[VALUE_OPTIONS[name]] = value;
        } else {
            throw new UsageError(`unknown option ${name}`);
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
    return {
        command: "scan",
        paths,
        ...(values.config !== undefined && { config: values.config }),
        format: values.format !== undefined ? oneOf("--format", values.format, FORMATS) : "text",
        ...(values.output !== undefined && { output: values.output }),
        failOn: values.failOn !== undefined ? oneOf("--fail-on", values.failOn, FAIL_ON) : "mandatory",
        ...(values.namespace !== undefined && { namespace: values.namespace }),
        stdinName: values.stdinName ?? "stdin",
        ...(color !== undefined && { color }),
        ...(offline && { offline }),
    };
}
