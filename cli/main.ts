#!/usr/bin/env node
// `container-guard scan`: the pack's policies outside a preview — on rendered manifests in CI and on
// exported stacks — with the same configuration files. It loads the policies directly (not the
// pack's entry point, which would start the gRPC server the engine talks to).

import * as fs from "fs";
import * as path from "path";
import { allPolicies } from "../policies";
import { type Policy, type PolicyPackConfig, reconcileConfig } from "../src/engine/local-engine";
import type { EnforcementLevel } from "@pulumi/policy";
import { HELP, type ScanArgs, UsageError, parseArgs } from "./args";
import { offlineConfig, parsePackConfig } from "./config";
import { formatJson } from "./format/json";
import { formatSarif } from "./format/sarif";
import { formatText, inputErrorText } from "./format/text";
import { loadInputs } from "./inputs/files";
import { type ReportContext, type ScanReport } from "./model";
import { ScanConfigurationError, evaluate } from "./scan";

const EXIT_OK = 0;
const EXIT_MANDATORY = 1;
const EXIT_USAGE = 2;

interface Stream {
    write(s: string): unknown;
    readonly isTTY?: boolean;
}

/** Everything the command touches, so tests can run it in-process. */
export interface CliIo {
    readonly stdout: Stream;
    readonly stderr: Stream;
    readonly readStdin: () => Promise<string>;
    readonly cwd: string;
    readonly env: Readonly<Record<string, string | undefined>>;
    /** The policies to run (the pack's by default). */
    readonly policies?: readonly Policy[];
}

function packageInfo(): { version: string; repository: string } {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        try {
            const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
                name?: string;
                version?: string;
                repository?: string;
            };
            if (pkg.name === "container-guard") {
                return { version: pkg.version ?? "0.0.0", repository: pkg.repository ?? "" };
            }
        } catch {
            // keep looking upwards
        }
        if (path.dirname(dir) === dir) {
            return { version: "0.0.0", repository: "" };
        }
    }
}

function readAllStdin(): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        process.stdin.on("data", (c: Buffer) => chunks.push(c));
        process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        process.stdin.on("error", reject);
    });
}

function processIo(): CliIo {
    return {
        stdout: process.stdout,
        stderr: process.stderr,
        readStdin: readAllStdin,
        cwd: process.cwd(),
        env: process.env,
    };
}

/** Shows progress on a terminal once a scan has taken more than a second. */
function progressReporter(stderr: Stream): {
    update(what: string): (done: number, total: number) => void;
    clear(): void;
} {
    const started = Date.now();
    let lastDraw = 0;
    let drawn = false;
    return {
        update: (what) => (done, total) => {
            const now = Date.now();
            if (!stderr.isTTY || now - started < 1000 || (now - lastDraw < 100 && done < total)) {
                return;
            }
            lastDraw = now;
            drawn = true;
            stderr.write(`\r\u001b[Kcontainer-guard: ${what} ${done} of ${total}`);
        },
        clear() {
            if (drawn) {
                stderr.write("\r\u001b[K");
            }
        },
    };
}

async function scan(args: ScanArgs, io: CliIo): Promise<number> {
    const policies = io.policies ?? allPolicies;
    const info = packageInfo();
    let config: PolicyPackConfig | undefined;
    if (args.config !== undefined) {
        let text: string;
        try {
            text = fs.readFileSync(path.resolve(io.cwd, args.config), "utf8");
        } catch (err) {
            io.stderr.write(
                `container-guard: cannot read the policy pack configuration ${args.config}: ` +
                    `${(err as Error).message}\n`,
            );
            return EXIT_USAGE;
        }
        const loaded = parsePackConfig(
            text,
            args.config,
            policies.map((p) => p.name),
        );
        for (const note of loaded.notes) {
            io.stderr.write(`container-guard: note: ${note}\n`);
        }
        if (loaded.problems.length > 0) {
            io.stderr.write(
                `container-guard: invalid policy pack ` +
                    `configuration:\n${loaded.problems.map((p) => `  ${p}\n`).join("")}`,
            );
            return EXIT_USAGE;
        }
        config = loaded.config;
    }
    if (args.offline) {
        config = offlineConfig(config, policies);
    }

    const progress = progressReporter(io.stderr);
    const inputs = await loadInputs(args.paths, {
        cwd: io.cwd,
        namespace: args.namespace,
        readStdin: io.readStdin,
        stdinName: args.stdinName,
        onProgress: progress.update("reading file"),
    });
    let evaluated;
    try {
        evaluated = await evaluate(inputs.groups, {
            policies,
            config,
            packName: "container-guard",
            packVersion: info.version,
            onProgress: progress.update("judging resource"),
        });
    } catch (err) {
        progress.clear();
        if (err instanceof ScanConfigurationError) {
            io.stderr.write(`container-guard: invalid policy pack configuration: ${err.message}\n`);
            return EXIT_USAGE;
        }
        throw err;
    }
    progress.clear();

    const report: ScanReport = {
        findings: evaluated.findings,
        errors: [...inputs.errors, ...evaluated.errors],
        files: inputs.files,
        resources: evaluated.resources,
    };
    const failing = report.findings.filter((f) => args.failOn === "advisory" || f.enforcementLevel === "mandatory");
    const exitCode = report.errors.length > 0 ? EXIT_USAGE : failing.length > 0 ? EXIT_MANDATORY : EXIT_OK;
    const levels = new Map<string, EnforcementLevel>();
    for (const [name, resolved] of reconcileConfig({ policies }, config)) {
        if (resolved.enforcementLevel) {
            levels.set(name, resolved.enforcementLevel);
        }
    }
    const context: ReportContext = {
        policies,
        levels,
        toolName: "container-guard",
        toolVersion: info.version,
        informationUri: info.repository,
        cwd: io.cwd,
        exitCode,
    };
    const toFile = args.output !== undefined;
    const color = args.color ?? (!toFile && io.stdout.isTTY === true && !io.env.NO_COLOR);
    const text =
        args.format === "json"
            ? formatJson(report, context)
            : args.format === "sarif"
              ? formatSarif(report, context)
              : formatText(report, { color });

    if ((args.format !== "text" || toFile) && report.errors.length > 0) {
        io.stderr.write(report.errors.map((e) => `container-guard: ${inputErrorText(e)}\n`).join(""));
    }
    if (toFile) {
        try {
            const file = path.resolve(io.cwd, args.output);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, text);
        } catch (err) {
            io.stderr.write(`container-guard: cannot write ${args.output}: ${(err as Error).message}\n`);
            return EXIT_USAGE;
        }
    } else {
        io.stdout.write(text);
    }
    return exitCode;
}

/** Runs the command line; resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
    let args;
    try {
        args = parseArgs(argv);
    } catch (err) {
        if (err instanceof UsageError) {
            io.stderr.write(`container-guard: ${err.message}\nRun "container-guard scan --help" for usage.\n`);
            return EXIT_USAGE;
        }
        throw err;
    }
    switch (args.command) {
        case "help":
            io.stdout.write(HELP);
            return EXIT_OK;
        case "version":
            io.stdout.write(`${packageInfo().version}\n`);
            return EXIT_OK;
        default:
            return scan(args, io);
    }
}

if (require.main === module) {
    run(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (err) => {
            process.stderr.write(`container-guard: ${(err as Error)?.stack ?? String(err)}\n`);
            process.exitCode = EXIT_USAGE;
        },
    );
}
