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
import { InputTooLargeError, openInputs } from "./inputs/files";
import { type KindContext } from "./inputs/kubernetes-api";
import { TreeCache } from "./inputs/manifests";
import { heapTuning, tuneHeap } from "./heap";
import {
    type InputError,
    type ReportContext,
    type ResourceGroup,
    type ScanReport,
    type SkippedDocument,
} from "./model";
import { Evaluator, ScanConfigurationError } from "./scan";
import { type CustomWorkload, WorkloadCatalog } from "../src/kubernetes/workload";

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
    /** Reads standard input; may reject with InputTooLargeError after more than `maxBytes` bytes. */
    readonly readStdin: (maxBytes: number) => Promise<string>;
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

/** Reads standard input, stopping as soon as more than `maxBytes` arrived (InputTooLargeError). */
function readAllStdin(maxBytes: number): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        const onData = (c: Buffer) => {
            bytes += c.length;
            if (bytes > maxBytes) {
                process.stdin.off("data", onData);
                process.stdin.destroy(); // the rest is not read: the scan ends now
                chunks.length = 0;
                reject(new InputTooLargeError(maxBytes));
                return;
            }
            chunks.push(c);
        };
        process.stdin.on("data", onData);
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
function progressReporter(stderr: Stream): { update(text: string): void; clear(): void } {
    const started = Date.now();
    let lastDraw = 0;
    let drawn = false;
    return {
        update(text) {
            const now = Date.now();
            if (!stderr.isTTY || now - started < 1000 || now - lastDraw < 100) {
                return;
            }
            lastDraw = now;
            drawn = true;
            stderr.write(`\r\u001b[Kcontainer-guard: ${text}`);
        },
        clear() {
            if (drawn) {
                stderr.write("\r\u001b[K");
            }
        },
    };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The type tokens of custom workloads configured for any policy (`customWorkloads`), for telling kinds apart. */
function kindContext(config: PolicyPackConfig | undefined): KindContext {
    const custom: CustomWorkload[] = [];
    for (const entry of Object.values(config ?? {})) {
        const list = typeof entry === "object" && entry !== null ? entry.customWorkloads : undefined;
        for (const w of Array.isArray(list) ? (list as unknown[]) : []) {
            const c = w as Partial<CustomWorkload> | null;
            if (typeof c?.type === "string" && typeof c.podSpecPath === "string") {
                custom.push({ type: c.type, podSpecPath: c.podSpecPath });
            }
        }
    }
    const catalog = new WorkloadCatalog(custom);
    return {
        isWorkload: (type) => catalog.shapeOf(type) !== undefined,
        customWorkloads: custom.flatMap((c) => {
            const m = /^kubernetes:([^/*:]+)\/[^:]*:([A-Za-z][A-Za-z0-9]*)$/.exec(c.type);
            return m ? [[m[1], m[2]] as const] : [];
        }),
    };
}

/** The root of the git work tree around `dir` (a `.git` directory, or a `.git` file in a linked work tree). */
function repositoryRoot(dir: string): string | undefined {
    for (let d = dir; ; d = path.dirname(d)) {
        if (fs.existsSync(path.join(d, ".git"))) {
            return d;
        }
        if (path.dirname(d) === d) {
            return undefined;
        }
    }
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
    let sarifBase: string | undefined;
    if (args.format === "sarif") {
        sarifBase = args.sarifBase !== undefined ? path.resolve(io.cwd, args.sarifBase) : repositoryRoot(io.cwd);
        if (sarifBase !== undefined && !fs.statSync(sarifBase, { throwIfNoEntry: false })?.isDirectory()) {
            io.stderr.write(`container-guard: --sarif-base ${args.sarifBase} is not a directory\n`);
            return EXIT_USAGE;
        }
    }

    const progress = progressReporter(io.stderr);
    const inputs = openInputs(args.paths, {
        cwd: io.cwd,
        namespace: args.namespace,
        readStdin: io.readStdin,
        stdinName: args.stdinName,
        maxFileSize: args.maxFileSize,
        maxTotalSize: args.maxTotalSize,
        scope: { namespace: args.namespace, urns: new Set(), kinds: kindContext(config), trees: new TreeCache() },
    });
    let fileText = "";
    const evaluator = new Evaluator({
        policies,
        config,
        packName: "container-guard",
        packVersion: info.version,
        onProgress: (judged) => {
            heapTuning().check();
            progress.update(`judging resource ${judged}${fileText}`);
        },
    });
    const inputErrors: InputError[] = [];
    const skipped: SkippedDocument[] = [];
    const manifests: ResourceGroup = { resources: [], location: { file: "", line: 1, column: 1 } };
    let firstManifestFile: string | undefined;
    const seen = { documents: 0, emptyDocuments: 0, exports: 0 };
    try {
        for await (const event of inputs.events()) {
            switch (event.type) {
                case "file":
                    fileText = event.total > 1 ? ` (file ${event.index + 1} of ${event.total})` : "";
                    break;
                case "error":
                    inputErrors.push(event.error);
                    break;
                case "stack-export":
                    inputErrors.push(...event.errors);
                    seen.exports++;
                    for (const r of event.group.resources) {
                        await evaluator.judgeResource(r, event.group.location);
                    }
                    progress.update(`judging the stack policies${fileText}`);
                    await evaluator.judgeStack(event.group);
                    break;
                case "manifests": {
                    const { document } = event;
                    firstManifestFile ??= event.file;
                    inputErrors.push(...document.errors);
                    skipped.push(...document.skipped);
                    seen[document.hasContent ? "documents" : "emptyDocuments"]++;
                    const location = { file: firstManifestFile, line: 1, column: 1 };
                    if (inputs.files === 1) {
                        fileText = ` (document ${document.index + 1} of ${document.count})`;
                    }
                    for (const r of document.resources) {
                        manifests.resources.push(await evaluator.judgeResource(r, location));
                    }
                    break;
                }
            }
        }
        if (firstManifestFile !== undefined) {
            progress.update(`judging the stack policies (${plural(manifests.resources.length, "resource")})`);
            await evaluator.judgeStack({ ...manifests, location: { file: firstManifestFile, line: 1, column: 1 } });
        }
    } catch (err) {
        progress.clear();
        if (err instanceof ScanConfigurationError) {
            io.stderr.write(`container-guard: invalid policy pack configuration: ${err.message}\n`);
            return EXIT_USAGE;
        }
        throw err;
    }
    progress.clear();
    if (evaluator.resources === 0 && inputErrors.length === 0 && !args.allowEmpty) {
        inputErrors.push({ message: emptyInputMessage(seen, skipped.length) });
    }

    const report: ScanReport = {
        findings: evaluator.findings,
        errors: [...inputErrors, ...evaluator.errors],
        skipped,
        files: inputs.files,
        resources: evaluator.resources,
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
        ...(sarifBase !== undefined && { sarifBase }),
        exitCode,
    };
    const toFile = args.output !== undefined;
    const color = args.color ?? (!toFile && io.stdout.isTTY === true && !io.env.NO_COLOR);
    const pieces: Iterable<string> =
        args.format === "json"
            ? formatJson(report, context)
            : args.format === "sarif"
              ? formatSarif(report, context)
              : [formatText(report, { color })];

    if ((args.format !== "text" || toFile) && report.errors.length > 0) {
        io.stderr.write(report.errors.map((e) => `container-guard: ${inputErrorText(e)}\n`).join(""));
    }
    if (toFile) {
        const file = path.resolve(io.cwd, args.output);
        let fd: number | undefined;
        try {
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fd = fs.openSync(file, "w");
            const target = fd;
            writeBatched(pieces, (s) => fs.writeSync(target, s));
        } catch (err) {
            io.stderr.write(`container-guard: cannot write ${args.output}: ${(err as Error).message}\n`);
            return EXIT_USAGE;
        } finally {
            if (fd !== undefined) {
                fs.closeSync(fd);
            }
        }
    } else {
        writeBatched(pieces, (s) => io.stdout.write(s));
    }
    return exitCode;
}

/** Writes pieces of a report in writes of about a megabyte (one write per piece would be slow, one in all large). */
function writeBatched(pieces: Iterable<string>, write: (s: string) => unknown): void {
    let batch: string[] = [];
    let size = 0;
    for (const piece of pieces) {
        batch.push(piece);
        size += piece.length;
        if (size >= 1 << 20) {
            write(batch.join(""));
            batch = [];
            size = 0;
        }
    }
    if (batch.length > 0) {
        write(batch.join(""));
    }
}

/** Why an input without resources is an error: nothing was judged, so nothing may pass. */
function emptyInputMessage(
    seen: { documents: number; emptyDocuments: number; exports: number },
    skipped: number,
): string {
    const why =
        skipped > 0
            ? `${plural(skipped, "document")} ${skipped === 1 ? "was" : "were"} skipped and nothing else was found`
            : seen.documents > 0
              ? "the documents hold no Kubernetes objects"
              : seen.emptyDocuments > 0
                ? "the input holds only empty documents"
                : seen.exports > 0
                  ? "the stack export holds no resources a policy judges"
                  : "the input holds no documents (did the command that rendered it fail?)";
    return `no resources found to judge: ${why}; pass --allow-empty to accept input without resources`;
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
    tuneHeap([...process.execArgv, process.env.NODE_OPTIONS ?? ""]);
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
