// Writing the reference packs (bench/reference-pack.ts) to disk, shared by `npm run bench` (over the
// analyzer protocol) and `npm run bench:engine` (through the Pulumi CLI).

import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

/** Compiles one TypeScript file to CommonJS (no type check): packs and probes run as plain JS. */
export function transpile(source: string, target: string): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require("typescript") as typeof import("typescript");
    const js = ts.transpileModule(fs.readFileSync(source, "utf8"), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, js);
}

/**
 * Writes a reference pack as a pack author ships one into `<work>/<name>`: PulumiPolicy.yaml,
 * package.json with a version, compiled index.js, and node_modules resolving to the measured pack's
 * (the same SDK). How many trivial policies it serves comes from its environment (see
 * bench/reference-pack.ts; one resource policy by default).
 */
export function writeReferencePack(work: string, name: string, packDir: string): string {
    const dir = path.join(work, name);
    fs.mkdirSync(dir, { recursive: true });
    transpile(path.join(ROOT, "bench", "reference-pack.ts"), path.join(dir, "index.js"));
    fs.writeFileSync(
        path.join(dir, "package.json"),
        JSON.stringify({ name: `reference-${name}`, version: "1.0.0", main: "index.js" }, null, 2),
    );
    fs.writeFileSync(
        path.join(dir, "PulumiPolicy.yaml"),
        "runtime: nodejs\ndescription: Reference pack for the container-guard benchmark.\n",
    );
    const modules = path.join(dir, "node_modules");
    fs.rmSync(modules, { force: true });
    fs.symlinkSync(path.join(packDir, "node_modules"), modules, "dir");
    return dir;
}
