// The scanner's inputs: files, directories (walked recursively for .yaml, .yml and .json files) and
// `-` for standard input. Each file is a stack export or Kubernetes manifests, told apart by content.

import * as fs from "fs";
import * as path from "path";
import { type InputError, type ResourceGroup, type ScanResource } from "../model";
import { type ManifestScope, readManifests } from "./manifests";
import { isStackExport, readStackExport } from "./stack-export";

const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

interface InputOptions {
    readonly cwd: string;
    /** Namespace for manifests that set none. */
    readonly namespace?: string;
    /** Reads standard input (for the path `-`). */
    readonly readStdin: () => Promise<string>;
    /** How reports name standard input. */
    readonly stdinName: string;
    /** Called after each file is read. */
    readonly onProgress?: (done: number, total: number) => void;
}

interface LoadedInputs {
    /** Stack exports each form a group; all manifests together form one more. */
    readonly groups: ResourceGroup[];
    readonly errors: InputError[];
    readonly files: number;
}

/** How reports show a file: relative to the working directory, with forward slashes. */
function displayPath(cwd: string, file: string): string {
    const rel = path.relative(cwd, file);
    return (rel === "" ? "." : rel).split(path.sep).join("/");
}

interface Source {
    readonly file: string;
    /** Named by the user, as opposed to found in a directory. */
    readonly explicit: boolean;
    readonly read: () => Promise<string>;
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
            for (const f of found) {
                sources.push({
                    file: displayPath(opts.cwd, f),
                    explicit: false,
                    read: async () => fs.promises.readFile(f, "utf8"),
                });
            }
        } else {
            sources.push({ file, explicit: true, read: async () => fs.promises.readFile(abs, "utf8") });
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

/** Reads and parses every input. Problems with one file are recorded and the others still read. */
export async function loadInputs(paths: readonly string[], opts: InputOptions): Promise<LoadedInputs> {
    const errors: InputError[] = [];
    const groups: ResourceGroup[] = [];
    const manifests: ScanResource[] = [];
    let firstManifestFile: string | undefined;
    const scope: ManifestScope = { namespace: opts.namespace, urns: new Set() };
    const sources = sourcesOf(paths, opts, errors);
    for (const [index, source] of sources.entries()) {
        opts.onProgress?.(index, sources.length);
        let text: string;
        try {
            text = (await source.read()).replace(/^\uFEFF/, "");
        } catch (err) {
            errors.push({ file: source.file, message: `cannot be read: ${describeFsError(err)}` });
            continue;
        }
        const exported = parsedStackExport(text);
        if (exported !== undefined) {
            const r = readStackExport(exported, text, source.file);
            groups.push(r.group);
            errors.push(...r.errors);
            continue;
        }
        const r = readManifests(text, source.file, source.explicit, scope);
        firstManifestFile ??= source.file;
        manifests.push(...r.resources);
        errors.push(...r.errors);
    }
    if (firstManifestFile !== undefined) {
        groups.unshift({ resources: manifests, location: { file: firstManifestFile, line: 1, column: 1 } });
    }
    return { groups, errors, files: sources.length };
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
