// Dependencies run one way. The folders of src/ are layers: the SDK adapter at the bottom, the
// policy framework on it, the domain models (Kubernetes, Docker, images, ...) on the framework, and
// the policies, the CLI and the entry points on top. A new import that points the other way (a
// model reaching into a policy, the framework into the Kubernetes model) fails here, with the edge.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * Which src/ folders each src/ folder may import from (besides itself). `references` (the image
 * reference parser and image globs) is pure text parsing with no dependency, at the bottom: the
 * framework's image exemptions (`exemptImages`, an option of every container policy, decided where
 * every finding is reported) read references with it.
 */
const ALLOWED: Record<string, readonly string[]> = {
    references: [],
    sdk: [],
    framework: ["sdk", "references"],
    engine: ["sdk"],
    kubernetes: ["framework"],
    docker: ["framework"],
    containers: ["framework", "kubernetes", "docker"],
    images: ["framework", "kubernetes", "docker", "references"],
    dockerfile: ["framework", "images"],
    secrets: ["framework", "kubernetes"],
    pss: ["framework", "kubernetes"],
    "supply-chain": ["framework", "images", "references"],
};

function tsFiles(dir: string): string[] {
    if (!fs.existsSync(dir)) {
        return [];
    }
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? tsFiles(p) : e.name.endsWith(".ts") ? [p] : [];
    });
}

/** The repository-relative targets of a file's relative imports. */
function importsOf(file: string): string[] {
    const text = fs.readFileSync(file, "utf8");
    const specs = [...text.matchAll(/(?:from|import|require)\s*\(?\s*"(\.{1,2}\/[^"]*)"/g)].map((m) => m[1]);
    return specs.map((s) => path.relative(ROOT, path.resolve(path.dirname(file), s)));
}

describe("architecture", () => {
    it("src/ folders import only from the layers below them", () => {
        const violations: string[] = [];
        const folders = fs.readdirSync(path.join(ROOT, "src"));
        for (const folder of folders) {
            assert.ok(
                folder in ALLOWED,
                `src/${folder} is a new folder: add it to ALLOWED in this test, with the layers it may use`,
            );
            for (const file of tsFiles(path.join(ROOT, "src", folder))) {
                for (const target of importsOf(file)) {
                    const [top, layer] = target.split(path.sep);
                    if (top !== "src") {
                        violations.push(`${path.relative(ROOT, file)} imports ${target} (outside src/)`);
                    } else if (layer !== folder && !ALLOWED[folder].includes(layer)) {
                        violations.push(
                            `${path.relative(ROOT, file)} imports ${target} (src/${folder} may use ` +
                                `${ALLOWED[folder].join(", ") || "nothing"})`,
                        );
                    }
                }
            }
        }
        assert.deepStrictEqual(violations, []);
    });

    it("policies import the framework and models, never each other", () => {
        const violations: string[] = [];
        for (const file of tsFiles(path.join(ROOT, "policies"))) {
            const isIndex = path.basename(file) === "index.ts";
            for (const target of importsOf(file)) {
                const [top] = target.split(path.sep);
                if (top === "policies" && !isIndex) {
                    violations.push(`${path.relative(ROOT, file)} imports ${target}`);
                } else if (top !== "policies" && top !== "src") {
                    violations.push(`${path.relative(ROOT, file)} imports ${target} (outside src/)`);
                }
            }
        }
        assert.deepStrictEqual(violations, []);
    });

    it("the CLI and the test kit use the neutral engine, not each other", () => {
        const violations: string[] = [];
        for (const [dir, forbidden] of [
            ["cli", "testkit"],
            ["testkit", "cli"],
        ] as const) {
            for (const file of tsFiles(path.join(ROOT, dir))) {
                for (const target of importsOf(file)) {
                    if (target.split(path.sep)[0] === forbidden) {
                        violations.push(`${path.relative(ROOT, file)} imports ${target}`);
                    }
                }
            }
        }
        assert.deepStrictEqual(violations, []);
    });
});
