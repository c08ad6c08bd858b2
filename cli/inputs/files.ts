// The scanner's inputs: files, directories (walked recursively for .yaml, .yml and .json files) and
// `-` for standard input. Each file is a stack export or Kubernetes manifests, told apart by content.
//
// Inputs are bounded: a file (or standard input) larger than the per-file limit is an input error
// found by its size before it is read, and inputs that together exceed the total limit are not
// scanned at all, so an oversized input ends the scan in moments with a message naming the option
// that raises the limit. Within the limits, manifests are read one document at a time.

import * as fs from "fs";
import * as path from "path";
import { formatSize, formatSizes } from "../args";
import { type InputError, type ResourceGroup } from "../model";
import { type ManifestDocument, type ManifestScope, readManifestDocuments } from "./manifests";
import { isStackExport, readStackExport } from "./stack-export";

const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/** Standard input larger than `maxBytes`: reading stopped there. */
export class InputTooLargeError extends Error {
    constructor(readonly maxBytes: number) {
        super(`more than ${maxBytes} bytes`);
        this.name = "InputTooLargeError";
    }
}

export interface InputOptions {
    readonly cwd: string;
    /** Namespace for manifests that set none. */
    readonly namespace?: string;
    /**
     * Reads standard input (for the path `-`). May stop and reject with InputTooLargeError once more than `maxBytes`
     * bytes arrived; the size is checked again after reading either way.
     */
    readonly readStdin: (maxBytes: number) => Promise<string>;
    /** How reports name standard input. */
    readonly stdinName: string;
    readonly maxFileSize: number;
    readonly maxTotalSize: number;
    readonly scope: ManifestScope;
}

/** What reading the inputs produces, in order. */
export type InputEvent =
    | { readonly type: "file"; readonly file: string; readonly index: number; readonly total: number }
    | { readonly type: "manifests"; readonly file: string; readonly document: ManifestDocument }
    | { readonly type: "stack-export"; readonly group: ResourceGroup; readonly errors: InputError[] }
    | { readonly type: "error"; readonly error: InputError };

/** How reports show a file: relative to the working directory, with forward slashes. */
function displayPath(cwd: string, file: string): string {
    const rel = path.relative(cwd, file);
    return (rel === "" ? "." : rel).split(path.sep).join("/");
}

interface Source {
    readonly file: string;
    /** Named by the user, as opposed to found in a directory. */
    readonly explicit: boolean;
    /** Bytes, when known before reading (files). */
    readonly size?: number;
    readonly read: (maxBytes: number) => Promise<string>;
}

function walk(dir: string, seen: Set<string>, out: string[]): void {
    let real: string;
    try {
        real = fs.realpathSync(dir);
    } catch {
        return;
    }
    if (seen.has(real)) {
        return; // a symlink cycle
    }
    seen.add(real);
    let entries: fs.Dirent[];
    try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
        return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (e.name.startsWith(".") || e.name === "node_modules") {
            continue;
        }
        const p = path.join(dir, e.name);
        let isDir = e.isDirectory();
        let isFile = e.isFile();
        if (e.isSymbolicLink()) {
            try {
                const st = fs.statSync(p);
                isDir = st.isDirectory();
                isFile = st.isFile();
            } catch {
                continue; // a dangling link
            }
        }
        if (isDir) {
            walk(p, seen, out);
        } else if (isFile && MANIFEST_EXTENSIONS.has(path.extname(e.name).toLowerCase())) {
            out.push(p);
        }
    }
}

// Read synchronously: files are read one at a time anyway, and a scan of thousands of small files spent more time in
// the promise-based API's per-file work (opening a FileHandle, stat, close) than in reading them. The callers take a
// promise (standard input is read asynchronously).
async function readFileText(file: string): Promise<string> {
    return fs.readFileSync(file, "utf8");
}

function fileSource(cwd: string, abs: string, explicit: boolean): Source {
    let size: number | undefined;
    try {
        size = fs.statSync(abs).size;
    } catch {
        // reported when it is read
    }
    return {
        file: displayPath(cwd, abs),
        explicit,
        ...(size !== undefined && { size }),
        read: () => readFileText(abs),
    };
}

function sourcesOf(paths: readonly string[], opts: InputOptions, errors: InputError[]): Source[] {
    const sources: Source[] = [];
    for (const p of paths) {
        if (p === "-") {
            sources.push({ file: opts.stdinName, explicit: true, read: opts.readStdin });
            continue;
        }
        const abs = path.resolve(opts.cwd, p);
        const file = displayPath(opts.cwd, abs);
        let st: fs.Stats;
        try {
            st = fs.statSync(abs);
        } catch (err) {
            errors.push({ file, message: `cannot be read: ${describeFsError(err)}` });
            continue;
        }
        if (st.isDirectory()) {
            const found: string[] = [];
            walk(abs, new Set(), found);
            if (found.length === 0) {
                errors.push({ file, message: "is a directory without .yaml, .yml or .json files" });
            }
            sources.push(...found.map((f) => fileSource(opts.cwd, f, false)));
        } else {
            sources.push(fileSource(opts.cwd, abs, true));
        }
    }
    return sources;
}

function describeFsError(err: unknown): string {
    const e = err as NodeJS.ErrnoException;
    switch (e?.code) {
        case "ENOENT":
            return "no such file or directory";
        case "EACCES":
        case "EPERM":
            return "permission denied";
        case "EISDIR":
            return "is a directory";
        default:
            return e?.message ?? String(err);
    }
}

function overFileLimit(bytes: number, limit: number): string {
    const shown = formatSizes(bytes, limit);
    return (
        `is ${shown.size}, over the ${shown.limit} limit for one input; nothing in it was judged ` +
        `(raise the limit with --max-file-size, e.g. --max-file-size ${formatSize(limit * 2).replace(" ", "")})`
    );
}

/** The inputs of a scan: the files found, and what was wrong with the paths and sizes before anything is read. */
export interface Inputs {
    /** Files to read (stdin counts as one). */
    readonly files: number;
    /** Reads the inputs in order: manifests one document at a time, each stack export whole. */
    readonly events: () => AsyncGenerator<InputEvent, void, undefined>;
}

/** Finds the inputs and checks their sizes. Problems with one input are reported and the others still read. */
export function openInputs(paths: readonly string[], opts: InputOptions): Inputs {
    const early: InputError[] = [];
    let sources = sourcesOf(paths, opts, early);
    sources = sources.filter((s) => {
        if (s.size !== undefined && s.size > opts.maxFileSize) {
            early.push({ file: s.file, message: overFileLimit(s.size, opts.maxFileSize) });
            return false;
        }
        return true;
    });
    const known = sources.reduce((n, s) => n + (s.size ?? 0), 0);
    if (known > opts.maxTotalSize) {
        const shown = formatSizes(known, opts.maxTotalSize);
        early.push({
            message:
                `${sources.length === 1 ? "the input file is" : `the ${sources.length} input files total`} ` +
                `${shown.size}, over the ` +
                `${shown.limit} limit for all inputs together; nothing was judged (raise the ` +
                `limit with --max-total-size, or scan fewer files at a time)`,
        });
        sources = [];
    }
    const count = sources.length;
    return {
        files: count,
        events: async function* () {
            for (const error of early) {
                yield { type: "error", error };
            }
            for (const [index, source] of sources.entries()) {
                yield { type: "file", file: source.file, index, total: count };
                // Standard input is the only input of unknown size, and there is one at most.
                const budget =
                    source.size !== undefined
                        ? opts.maxFileSize
                        : Math.min(opts.maxFileSize, opts.maxTotalSize - known);
                let text: string;
                try {
                    text = (await source.read(budget)).replace(/^\uFEFF/, "");
                } catch (err) {
                    const message =
                        err instanceof InputTooLargeError
                            ? tooLarge(budget, opts)
                            : `cannot be read: ${describeFsError(err)}`;
                    yield { type: "error", error: { file: source.file, message } };
                    continue;
                }
                if (source.size === undefined && Buffer.byteLength(text, "utf8") > budget) {
                    yield { type: "error", error: { file: source.file, message: tooLarge(budget, opts) } };
                    continue;
                }
                const exported = parsedStackExport(text);
                if (exported !== undefined) {
                    const r = readStackExport(exported, text, source.file);
                    yield { type: "stack-export", group: r.group, errors: r.errors };
                    continue;
                }
                for (const document of readManifestDocuments(text, source.file, source.explicit, opts.scope)) {
                    yield { type: "manifests", file: source.file, document };
                }
            }
        },
    };
}

/** Standard input that did not fit: over the per-input limit, or over what the other inputs left of the total. */
function tooLarge(budget: number, opts: InputOptions): string {
    return budget === opts.maxFileSize
        ? `is larger than the ${formatSize(budget)} limit for one input; nothing in it was judged (raise the limit ` +
              `with --max-file-size, e.g. --max-file-size ${formatSize(budget * 2).replace(" ", "")})`
        : `is larger than the ${formatSize(budget)} the other inputs left of the ${formatSize(opts.maxTotalSize)} ` +
              `limit for all inputs together; nothing in it was judged (raise the limit with --max-total-size)`;
}

/** The parsed document when `text` is a stack export (JSON with `deployment` or `checkpoint`). */
function parsedStackExport(text: string): unknown {
    if (!/^\s*\{/.test(text)) {
        return undefined;
    }
    try {
        const value: unknown = JSON.parse(text);
        return isStackExport(value) ? value : undefined;
    } catch {
        return undefined; // reported with its position by the manifest reader
    }
}
