// Every relative link in the README, the changelog and docs/ points at a file that exists, and every
// `#anchor` at a heading of that file (GitHub's heading ids).

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

/**
 * Guides written on other branches at the same time as the links to them. A link to one of these passes while
 * the file is absent; once it exists, the link and its anchor are checked like any other.
 */
const WRITTEN_ELSEWHERE = new Set(["docs/scanning.md", "docs/supply-chain.md", "docs/decisions/dockerfile-parser.md"]);

function markdownFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? markdownFiles(p) : e.name.endsWith(".md") ? [p] : [];
    });
}

/** The text outside fenced code blocks, line by line (fenced lines blanked, so line numbers stay). */
function proseLines(text: string): string[] {
    let fence: string | undefined;
    return text.split("\n").map((line) => {
        const m = /^\s*(```|~~~)/.exec(line);
        if (m) {
            fence = fence === undefined ? m[1] : fence === m[1] ? undefined : fence;
            return "";
        }
        return fence === undefined ? line : "";
    });
}

/** GitHub's id for a heading: formatting removed, lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
    return heading
        .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
        .replace(/[`*]/g, "")
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
        .replace(/ /g, "-");
}

const anchorCache = new Map<string, Set<string>>();

function anchorsOf(file: string): Set<string> {
    let anchors = anchorCache.get(file);
    if (!anchors) {
        anchors = new Set();
        const seen = new Map<string, number>();
        for (const line of proseLines(fs.readFileSync(file, "utf8"))) {
            const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
            if (h) {
                const base = slug(h[1]);
                const n = seen.get(base) ?? 0;
                seen.set(base, n + 1);
                anchors.add(n === 0 ? base : `${base}-${n}`);
            }
            for (const a of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) {
                anchors.add(a[1]);
            }
        }
        anchorCache.set(file, anchors);
    }
    return anchors;
}

interface Link {
    readonly file: string;
    readonly line: number;
    readonly target: string;
}

function linksOf(file: string): Link[] {
    const links: Link[] = [];
    proseLines(fs.readFileSync(file, "utf8")).forEach((text, i) => {
        const prose = text.replace(/(`+)[\s\S]*?\1/g, "");
        for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
            links.push({ file, line: i + 1, target: m[1] });
        }
    });
    return links;
}

function problemOf(link: Link): string | undefined {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) {
        return undefined; // https:, mailto: and other absolute URLs
    }
    const [rawPath, anchor] = link.target.split("#", 2);
    const target = rawPath === "" ? link.file : path.resolve(path.dirname(link.file), decodeURIComponent(rawPath));
    const relative = path.relative(ROOT, target).split(path.sep).join("/");
    if (relative.startsWith("..")) {
        return "points outside the repository";
    }
    if (!fs.existsSync(target)) {
        return WRITTEN_ELSEWHERE.has(relative) ? undefined : `${relative} does not exist`;
    }
    if (anchor !== undefined && anchor !== "") {
        if (!target.endsWith(".md")) {
            return `#${anchor}: anchors are checked in Markdown files only`;
        }
        if (!anchorsOf(target).has(anchor)) {
            return `${relative} has no heading #${anchor}`;
        }
    }
    return undefined;
}

describe("documentation links", () => {
    const files = [
        path.join(ROOT, "README.md"),
        path.join(ROOT, "CHANGELOG.md"),
        ...markdownFiles(path.join(ROOT, "docs")),
    ];

    it("every relative link resolves to a file, and every anchor to a heading", () => {
        const broken: string[] = [];
        let checked = 0;
        for (const file of files) {
            for (const link of linksOf(file)) {
                checked++;
                const problem = problemOf(link);
                if (problem) {
                    broken.push(`${path.relative(ROOT, link.file)}:${link.line}: (${link.target}) ${problem}`);
                }
            }
        }
        assert.deepStrictEqual(broken, []);
        assert.ok(checked > 100, `only ${checked} links found: the link parser is broken`);
    });

    it("computes GitHub's heading ids", () => {
        assert.strictEqual(
            slug("Pod Security Standards: notes on exactness"),
            "pod-security-standards-notes-on-exactness",
        );
        assert.strictEqual(slug("Using `container-guard` in your own pack"), "using-container-guard-in-your-own-pack");
        assert.strictEqual(slug("Exemptions — and remediation"), "exemptions--and-remediation");
        assert.strictEqual(slug("[Images](images.md) & more"), "images--more");
    });

    it("finds broken links and anchors", () => {
        const readme = path.join(ROOT, "README.md");
        assert.match(problemOf({ file: readme, line: 1, target: "docs/nope.md" }) ?? "", /does not exist/);
        assert.match(problemOf({ file: readme, line: 1, target: "docs/images.md#nope" }) ?? "", /no heading #nope/);
        assert.strictEqual(
            problemOf({ file: readme, line: 1, target: "docs/images.md#allowed-registries" }),
            undefined,
        );
        assert.strictEqual(problemOf({ file: readme, line: 1, target: "#profiles" }), undefined);
    });
});
