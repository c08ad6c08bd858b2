// The layout tree in the README and in docs/development.md is the same, has one line per folder, and names
// every folder of the repository, src/, tools/ and every policy area. The README stays short.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");
const UNTRACKED = new Set(["node_modules", "dist", "coverage", ".git", ".bench"]);

function tree(file: string): string {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const m = /<!-- layout:start[^>]*-->\n```\n([\s\S]*?)```\n<!-- layout:end -->/.exec(text);
    assert.ok(m, `${file} has no layout tree between the layout:start and layout:end markers`);
    return m[1];
}

function folders(dir: string): string[] {
    return fs
        .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
        .filter((e) => e.isDirectory() && !UNTRACKED.has(e.name))
        .map((e) => e.name);
}

describe("layout tree", () => {
    const readmeTree = tree("README.md");
    const entries = readmeTree
        .trimEnd()
        .split("\n")
        .map((line) => line.split(/\s{2,}/)[0]);

    it("is the same in the README and docs/development.md", () => {
        assert.strictEqual(readmeTree, tree("docs/development.md"));
    });

    it("names every folder, one line each", () => {
        const missing: string[] = [];
        for (const top of folders(".").filter((d) => !d.startsWith(".") || d === ".ci")) {
            if (!entries.some((e) => e.startsWith(`${top}/`))) {
                missing.push(`${top}/`);
            }
        }
        for (const parent of ["src", "tools"]) {
            for (const d of folders(parent)) {
                if (!entries.includes(`${parent}/${d}/`)) {
                    missing.push(`${parent}/${d}/`);
                }
            }
        }
        const areas = readmeTree.split("\n").find((l) => l.startsWith("policies/<area>/")) ?? "";
        for (const area of folders("policies")) {
            if (!new RegExp(`\\b${area}\\b`).test(areas.slice("policies/<area>/".length))) {
                missing.push(`policies/${area}/`);
            }
        }
        assert.deepStrictEqual(missing, [], "add these folders to the layout tree (README.md and docs/development.md)");
        assert.strictEqual(new Set(entries).size, entries.length, "a folder is listed twice");
    });

    it("README.md is at most 300 lines (details belong in docs/)", () => {
        const lines = fs.readFileSync(path.join(ROOT, "README.md"), "utf8").trimEnd().split("\n").length;
        assert.ok(lines <= 300, `README.md has ${lines} lines`);
    });
});
