// The subset reader (cli/inputs/yaml-subset.ts) is only an accelerator: wherever it accepts a document, the
// scan must see exactly what the `yaml` library's syntax tree gives — the same value (key order included),
// the same resource start, template and errors, and every finding placed at the same line and column.
// These tests compare the two readers on generated manifest-like YAML, on every YAML the project's tests,
// demo and benchmarks use, and check that it declines (never misreads) what it does not handle.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as fc from "fast-check";
import * as ts from "typescript";
import { parseDocument, stringify } from "yaml";
import { crd, dashboard, deployment } from "../../bench/scan-large";
import { demoResources, demoStackExtras } from "../../demo/workloads";
import { readManifests, splitDocuments } from "../../cli/inputs/manifests";
import { KUBERNETES_YAML } from "../../cli/inputs/kubernetes-yaml";
import { MAX_NESTING } from "../../cli/inputs/nesting";
import { readYamlSubset } from "../../cli/inputs/yaml-subset";
import { manifest } from "../../scripts/bench-scan";
import { compliantPodSpec, deploymentManifest, yamlDocs } from "../support/cli";

const ROOT = path.join(__dirname, "..", "..");

type Segment = string | number;

/** Every path of a value (each key and index), and the same path one missing field deeper. */
function pathsOf(value: unknown, prefix: Segment[] = [], out: Segment[][] = []): Segment[][] {
    if (Array.isArray(value)) {
        value.forEach((v, i) => {
            out.push([...prefix, i], [...prefix, i, "missing"]);
            pathsOf(v, [...prefix, i], out);
        });
    } else if (typeof value === "object" && value !== null) {
        for (const [k, v] of Object.entries(value)) {
            out.push([...prefix, k], [...prefix, k, "missing"], [...prefix, k, 0]);
            pathsOf(v, [...prefix, k], out);
        }
    }
    return out;
}

/** A path as findings print it (`a.b[0]["x.y"]`). */
function jsonPath(segments: Segment[]): string {
    return segments
        .map((s, i) =>
            typeof s === "number"
                ? `[${s}]`
                : /^[A-Za-z_$][\w$]*$/.test(s)
                  ? `${i > 0 ? "." : ""}${s}`
                  : `[${JSON.stringify(s)}]`,
        )
        .join("");
}

/** Deep equality that also requires the same key order (assert's deep equality ignores it). */
function assertSameValue(actual: unknown, expected: unknown, what: string): void {
    assert.deepStrictEqual(actual, expected, what);
    const order = (v: unknown): unknown =>
        Array.isArray(v)
            ? v.map(order)
            : typeof v === "object" && v !== null
              ? Object.entries(v).map(([k, x]) => [k, order(x)])
              : typeof v === "number" && Number.isNaN(v)
                ? "NaN"
                : v;
    assert.deepStrictEqual(order(actual), order(expected), `${what}: key order`);
}

/** The syntax tree's value of one document, read as manifests.ts reads it (YAML 1.1, the Kubernetes schema). */
function treeValue(text: string): { value: unknown; errors: number } {
    const doc = parseDocument(text, { version: "1.1", schema: KUBERNETES_YAML });
    return { value: doc.errors.length > 0 ? undefined : doc.toJS({ maxAliasCount: 1000 }), errors: doc.errors.length };
}

/**
 * Compares the subset reader with the syntax tree on a YAML stream: per document (the value), and for the whole
 * scan input (resources, starts, templates, errors, skipped documents, and the place of every path of every resource).
 * Returns how many documents the subset reader accepted.
 */
function assertSameAsSyntaxTree(text: string, file = "m.yaml"): number {
    let accepted = 0;
    const json = /^\s*[{[]/.test(text);
    for (const chunk of splitDocuments(text)) {
        const doc = text.slice(chunk.start, chunk.end);
        const subset = json ? undefined : readYamlSubset(doc);
        if (subset) {
            accepted++;
            const tree = treeValue(doc);
            assert.strictEqual(tree.errors, 0, `the subset reader accepted a document with errors:\n${doc}`);
            assertSameValue(subset.value, tree.value, `value of:\n${doc}`);
            const places = readYamlSubset(doc, "places");
            assert.ok(places?.place !== undefined || subset.value === null, "places mode declined");
            // Read for both at once (as the scanner reads), the same value and the same places.
            const both = readYamlSubset(doc, "value and places");
            assertSameValue(both?.value, tree.value, `value and places of:\n${doc}`);
            assert.deepStrictEqual(both?.place, places?.place, `places read with the value, of:\n${doc}`);
        }
    }
    const fast = readManifests(text, file, true, { urns: new Set() });
    const reference = readManifests(text, file, true, { urns: new Set(), syntaxTreesOnly: true });
    const comparable = (r: typeof fast) => ({
        errors: r.errors,
        skipped: r.skipped,
        resources: r.resources.map((x) => ({ ...x, locate: undefined })),
    });
    assertSameValue(comparable(fast), comparable(reference), `scan input of:\n${text}`);
    fast.resources.forEach((resource, i) => {
        for (const p of pathsOf(resource.analyze?.props)) {
            const at = jsonPath(p);
            assert.deepStrictEqual(
                resource.locate?.(at),
                reference.resources[i].locate?.(at),
                `place of ${at} in:\n${text}`,
            );
        }
    });
    return accepted;
}

// -- generated manifest-like YAML ---------------------------------------------------------------------------------

/** Plain scalars that resolve to something other than a string in YAML 1.1, and strings that look like they might. */
// prettier-ignore
const PLAIN_SCALARS = [
    "yes", "no", "on", "off", "y", "n", "Y", "N", "true", "False", "TRUE", "null", "Null", "~", "0x1F", "0x1f", "012",
    "0o12", "0b101", "08", "0644", "1e3", "1E3", "1.5e-3", "-.inf", "+.INF", ".NaN", ".nan", "1_000", "1_000.5", "-2",
    "+3", "0", "-0", "0.", ".5", "1.0", "12:30", "190:20:30", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "3.14",
    "1e", "0x", "nginx", "nginx:1.25", "http://example.com/a?b=c", "a#b", "foo bar", "-x", "--flag=1", "a[0]", "x,y",
    "{{ .Values }}x", "é ü", "a'b", 'a"b', "<<", "=", "100Mi", "250m", "0.5", "1_0", "0b", "Yes please", "on-call",
    "trailing  ",
] as const;
// prettier-ignore
const QUOTED_SCALARS = [
    '""', "''", '"a\\"b"', "'it''s'", '"yes"', "'012'", '"\\x41\\u00e9\\t\\n\\\\ \\/"', '"\\U0001F600"', '"a: b"',
    "'# not a comment'", '"  padded  "', '"\\0\\a\\b\\e\\f\\r\\v\\N\\_\\L\\P"', "'~'",
] as const;
/** Scalars the reader declines (or that are errors): rare, so most documents are read by both readers. */
/** One-line flow collections, JSON-like ones included. */
// prettier-ignore
const FLOW_TOKENS = [
    '{"a":1,"b":[true,null]}', "[a, 'b', \"c\"]", "{a: [1, {b: c}]}", "[]", "{}", "[ a , b ]", "{url: http://x/y}",
    "[nginx:1.25, x]", '{"k": "v"}', "{yes: no, 012: 0x1F}", "[~, null, '', -1]",
] as const;
const RARE_SCALARS = ['"bad \\q escape"', '"\\x4"', "&anchor x", "!!str 1", "*alias", '"a\\tb"', "@x", "`x"] as const;
// Keys whose values differ (`yes` and `on` are both true: a duplicate the reader declines, tested separately).
// prettier-ignore
const KEYS = [
    "a", "b", "name", "image", "app.kubernetes.io/name", "x-y", "yes", "1", "012", "0x1F", "~", "1e3", "a b",
    '"a:b"', "'x y'", '"yes"', "'1'", "__proto__", "constructor", "toString", "-k", "k.", ".k", "on-call", "x/y",
    "spaced ", "a#b",
] as const;
const RARE_KEYS = ['"<<"', "<<", "on", "null", "? k", "k\tx"] as const;
const keyArb = fc.oneof({ arbitrary: fc.constantFrom(...KEYS), weight: 12 }, fc.constantFrom(...RARE_KEYS));
const BLOCK_LINES = ["a", "b c", "  more", "", "", "# not a comment", "x: y", "- item", "trailing  ", "{a}"] as const;
const RARE_BLOCK_LINES = ["   ", "      ", "\tx"] as const;
const COMMENTS = ["# c", "# Source: chart/templates/x.yaml", "#", "#Source:  spaced.yaml  ", "# Source:"] as const;

type Tree =
    | { t: "map"; entries: [string, Tree][]; flow: boolean }
    | { t: "seq"; items: Tree[]; flow: boolean; sameIndent: boolean }
    | { t: "scalar"; token: string; comment: boolean }
    | { t: "block"; header: string; lines: string[] }
    | { t: "multi"; words: string[][] }
    | { t: "empty"; suffix: string };

const scalarArb: fc.Arbitrary<Tree> = fc.record({
    t: fc.constant("scalar" as const),
    token: fc.oneof(
        { arbitrary: fc.constantFrom(...PLAIN_SCALARS), weight: 6 },
        { arbitrary: fc.constantFrom(...QUOTED_SCALARS), weight: 3 },
        fc.constantFrom(...FLOW_TOKENS),
        fc.constantFrom(...RARE_SCALARS),
    ),
    comment: fc.boolean(),
});
const blockArb: fc.Arbitrary<Tree> = fc.record({
    t: fc.constant("block" as const),
    header: fc
        .tuple(fc.constantFrom("|", ">"), fc.constantFrom("", "-", "+"), fc.constantFrom("", "", "1", "2", "4"))
        .map(([m, c, i]) => (i && c ? (c === "-" ? m + i + c : m + c + i) : m + c + i)),
    lines: fc.array(
        fc.oneof({ arbitrary: fc.constantFrom(...BLOCK_LINES), weight: 20 }, fc.constantFrom(...RARE_BLOCK_LINES)),
        { maxLength: 6 },
    ),
});
const multiArb: fc.Arbitrary<Tree> = fc.record({
    t: fc.constant("multi" as const),
    words: fc.array(fc.array(fc.constantFrom("word", "x", "yes", "1", "a#b", "", "end."), { maxLength: 3 }), {
        minLength: 2,
        maxLength: 4,
    }),
});

const treeArb = fc.letrec<{ node: Tree }>((tie) => ({
    node: fc.oneof(
        { depthSize: "medium", maxDepth: 5, withCrossShrink: true },
        scalarArb,
        blockArb,
        multiArb,
        fc.record({ t: fc.constant("empty" as const), suffix: fc.constantFrom("", " ", " # c", "  #c") }),
        fc.record({
            t: fc.constant("map" as const),
            entries: fc.uniqueArray(fc.tuple(keyArb, tie("node")), { maxLength: 4, selector: ([k]) => k }),
            flow: fc.boolean(),
        }),
        fc.record({
            t: fc.constant("seq" as const),
            items: fc.array(tie("node"), { maxLength: 3 }),
            flow: fc.boolean(),
            sameIndent: fc.boolean(),
        }),
    ),
})).node;

/** One-line flow text of a tree (block scalars and multi-line scalars become plain tokens). */
function flowText(tree: Tree): string {
    switch (tree.t) {
        case "map":
            return `{${tree.entries.map(([k, v]) => `${k}: ${flowText(v)}`).join(", ")}}`;
        case "seq":
            return `[${tree.items.map(flowText).join(", ")}]`;
        case "scalar":
            return tree.token;
        default:
            return "word";
    }
}

/** The text after `key:` or `-` for a tree whose collection is at `indent` (with its line break). */
function afterIndicator(tree: Tree, indent: number, inSeq: boolean, comments: string[]): string {
    const pad = (n: number) => " ".repeat(Math.max(0, n));
    const comment = () => (comments.length > 0 ? `${pad(indent + 2)}${comments[indent % comments.length]}\n` : "");
    switch (tree.t) {
        case "scalar":
            return ` ${tree.token}${tree.comment ? " # trailing" : ""}\n`;
        case "empty":
            return `${tree.suffix}\n`;
        case "block": {
            const explicit = /\d/.exec(tree.header);
            const at = indent + (explicit ? Number(explicit[0]) : 2);
            return ` ${tree.header}\n${tree.lines.map((l) => (l === "" ? "\n" : `${pad(at)}${l}\n`)).join("")}`;
        }
        case "multi":
            return ` start${tree.words.map((w) => `\n${pad(indent + 2)}${w.join(" ")}`).join("")}\n`;
        case "map":
            if (tree.flow || tree.entries.length === 0) {
                return ` ${flowText(tree)}\n`;
            }
            if (inSeq && comments.length % 2 === 0) {
                // `- key: value` with the rest of the map below it
                return ` ${blockMap(tree.entries, indent + 2, comments).slice(indent + 2)}`;
            }
            return `\n${comment()}${blockMap(tree.entries, indent + 2, comments)}`;
        case "seq":
            if (tree.flow || tree.items.length === 0) {
                return ` ${flowText(tree)}\n`;
            }
            if (inSeq && tree.sameIndent) {
                return ` ${blockSeq(tree.items, indent + 2, comments).slice(indent + 2)}`; // `- - x`
            }
            return `\n${blockSeq(tree.items, tree.sameIndent && !inSeq ? indent : indent + 2, comments)}`;
    }
}

function blockMap(entries: [string, Tree][], indent: number, comments: string[]): string {
    return entries
        .map(([k, v], i) => {
            const before = i > 0 && comments.length > i ? `${" ".repeat(i % 3)}${comments[i]}\n` : "";
            return `${before}${" ".repeat(indent)}${k}:${afterIndicator(v, indent, false, comments)}`;
        })
        .join("");
}

function blockSeq(items: Tree[], indent: number, comments: string[]): string {
    return items.map((v) => `${" ".repeat(indent)}-${afterIndicator(v, indent, true, comments)}`).join("");
}

/** A manifest-like document: apiVersion and kind first (so it is a resource and every path is placed), then `tree`. */
const documentArb = fc
    .record({
        data: fc.uniqueArray(fc.tuple(keyArb, treeArb), { minLength: 1, maxLength: 5, selector: ([k]) => k }),
        comments: fc.array(fc.constantFrom(...COMMENTS), { maxLength: 3 }),
        lead: fc.array(fc.constantFrom(...COMMENTS, ""), { maxLength: 3 }),
        marker: fc.constantFrom("", "---\n", "--- # Source: on-the-marker.yaml\n"),
        list: fc.boolean(),
        end: fc.constantFrom("", "", "\n", "\n\n  \n", "# end\n", "...\n"),
    })
    .map(({ data, comments, lead, marker, list, end }) => {
        const body: [string, Tree][] = [["data", { t: "map", entries: data, flow: false }]];
        const object = blockMap(
            [
                ["apiVersion", { t: "scalar", token: "v1", comment: false }],
                ["kind", { t: "scalar", token: "ConfigMap", comment: false }],
                [
                    "metadata",
                    { t: "map", entries: [["name", { t: "scalar", token: "x", comment: false }]], flow: true },
                ],
                ...body,
            ],
            list ? 2 : 0,
            comments,
        );
        const content = list ? `apiVersion: v1\nkind: List\nitems:\n-${object.slice(1)}` : object;
        const leading = lead.map((l) => `${l}\n`).join("");
        return marker ? `${leading}${marker}${leading}${content}${end}` : `${leading}${content}${end}`;
    });

describe("scan: the YAML subset reader", () => {
    it("reads generated manifest-like YAML exactly as the syntax tree does wherever it accepts it", function () {
        this.timeout(300_000);
        let accepted = 0;
        let documents = 0;
        fc.assert(
            fc.property(fc.array(documentArb, { minLength: 1, maxLength: 3 }), fc.boolean(), (docs, unterminated) => {
                let text = docs.map((d, i) => (i > 0 && !d.startsWith("---") ? `---\n${d}` : d)).join("");
                if (unterminated) {
                    text = text.replace(/\n$/, ""); // a file without a line break at its end
                }
                documents += splitDocuments(text).length;
                accepted += assertSameAsSyntaxTree(text);
            }),
            { numRuns: 600 },
        );
        // The comparison means something only if the reader accepts most of what it is given.
        assert.ok(accepted > documents * 0.4, `accepted ${accepted} of ${documents}`);
    });

    it("reads generated JSON exactly as the syntax tree does wherever JSON.parse is used", () => {
        const jsonValue = fc.jsonValue({ maxDepth: 4 });
        fc.assert(
            fc.property(
                fc.dictionary(fc.constantFrom("a", "b", "yes", "1", "__proto__", "é"), jsonValue),
                fc.constantFrom(0, 2, -1),
                fc.boolean(),
                (data, indent, duplicate) => {
                    // (-1: every line at the first column)
                    const object = {
                        apiVersion: "v1",
                        kind: "ConfigMap",
                        data,
                        numbers: "NUMBERS",
                    };
                    let text =
                        indent < 0
                            ? JSON.stringify(object, null, 1).replace(/^ +/gm, "")
                            : JSON.stringify(object, null, indent);
                    // numbers JSON.stringify does not write: beyond doubles' range and precision, negative zero
                    text = text.replace('"NUMBERS"', "[1e400, -0, 12345678901234567890123, 1.5E-3, 9007199254740993]");
                    if (duplicate) {
                        text = text.replace(/^\{/, '{"kind": "Secret",');
                    }
                    assertSameAsSyntaxTree(text, "m.json");
                },
            ),
            { numRuns: 300 },
        );
    });

    it("reads every YAML the project's tests, demo and benchmarks use exactly as the syntax tree does", function () {
        this.timeout(300_000);
        const texts: [string, string][] = [];
        // YAML files in tests/ and demo/
        const walk = (dir: string): string[] =>
            fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
                const p = path.join(dir, e.name);
                return e.isDirectory() ? (e.name === "node_modules" ? [] : walk(p)) : [p];
            });
        for (const file of [...walk(path.join(ROOT, "tests")), ...walk(path.join(ROOT, "demo"))]) {
            if (/\.ya?ml$/.test(file)) {
                texts.push([file, fs.readFileSync(file, "utf8")]);
            }
        }
        // YAML written inline in the CLI tests (every string literal that holds a `kind:`)
        for (const file of walk(path.join(ROOT, "tests", "cli")).filter((f) => f.endsWith(".spec.ts"))) {
            const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
            const visit = (node: ts.Node): void => {
                if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
                    if (/kind:|apiVersion:/.test(node.text)) {
                        texts.push([`${file}:${node.getStart()}`, node.text]);
                    }
                } else if (ts.isTemplateExpression(node) && /kind:|apiVersion:/.test(node.head.text)) {
                    texts.push([`${file}:${node.getStart()}`, node.head.text]);
                }
                ts.forEachChild(node, visit);
            };
            visit(source);
        }
        // The benchmarks' generators and the tests' own manifests
        texts.push(["bench deployment", [0, 1, 5, 7, 35].map(deployment).join("")]);
        texts.push(["bench crd", crd(3, 4)], ["bench dashboard", dashboard(2, 3)]);
        // documents large enough (over 64 KB) to be placed with a table of line starts
        texts.push(["bench large crd", crd(1, 90)], ["bench large dashboard", dashboard(1, 200)]);
        texts.push(["bench-scan manifest", Array.from({ length: 12 }, (_, n) => manifest(n)).join("")]);
        texts.push(["support yamlDocs", yamlDocs(deploymentManifest("web", compliantPodSpec()))]);
        for (const r of [...demoResources, ...demoStackExtras]) {
            let rendered: string | undefined;
            try {
                rendered = stringify(JSON.parse(JSON.stringify(r.props)) as unknown);
            } catch {
                rendered = undefined;
            }
            if (rendered) {
                texts.push([`demo ${r.name}`, `apiVersion: v1\nkind: Demo\nspec:\n${rendered.replace(/^/gm, "  ")}`]);
            }
        }
        assert.ok(texts.length > 50, `${texts.length} fixtures`);
        let accepted = 0;
        for (const [name, text] of texts) {
            try {
                accepted += assertSameAsSyntaxTree(text);
            } catch (err) {
                assert.fail(`${name}: ${(err as Error).message}`);
            }
        }
        assert.ok(accepted > texts.length / 2, `accepted ${accepted} documents of ${texts.length} fixtures`);
    });

    it("never throws on text of YAML's characters, and reads it as the syntax tree does where it accepts it", () => {
        const yamlish = fc
            .array(fc.constantFrom(..."ab1 :-#|>'\"{}[],&*!?%@`~\n\t\\.0x+_eé"), { maxLength: 60 })
            .map((chars) => chars.join(""));
        fc.assert(
            fc.property(yamlish, (text) => {
                const read = readYamlSubset(text);
                readYamlSubset(text, "places");
                assert.deepStrictEqual(readYamlSubset(text, "value and places")?.value, read?.value, text);
                if (read) {
                    const tree = treeValue(text);
                    assert.strictEqual(tree.errors, 0, text);
                    assertSameValue(read.value, tree.value, text);
                }
            }),
            { numRuns: 3000 },
        );
    });

    it("reads random lines of YAML tokens as the syntax tree does wherever it accepts them", () => {
        // prettier-ignore
        const token = fc.constantFrom(
            "a", "b:", "- ", "-", "k: v", "'q'", '"d"', "|", ">-", "#c", " ", "  ", "{a: 1}", "[x]", ":", "yes",
            "1", "~", "...", "---", "x y", "? ", "&a", "*a", "\\", "é", ",", "k:", "- k:", "|+", "|2",
        );
        const line = fc
            .tuple(fc.integer({ min: 0, max: 6 }), fc.array(token, { maxLength: 4 }))
            .map(([indent, tokens]) => " ".repeat(indent) + tokens.join(""));
        fc.assert(
            fc.property(fc.array(line, { maxLength: 10 }), (lines) => {
                const text = lines.join("\n") + "\n";
                const read = readYamlSubset(text);
                if (read) {
                    const tree = parseDocument(text, { version: "1.1", schema: KUBERNETES_YAML });
                    assert.deepStrictEqual(tree.errors, [], text);
                    assertSameValue(read.value, tree.toJS(), text);
                    if (read.value !== null) {
                        assert.strictEqual(read.start, tree.contents?.range?.[0], text);
                    }
                }
            }),
            { numRuns: 20000 },
        );
    });

    it("reads the common constructs (so the benchmarks' speed-up is real)", () => {
        const text =
            "# Source: chart/templates/a.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\n" +
            "  labels: {app: a, tier: 'web'}\n  annotations:\n    note: \"x\\ty\"\nspec:\n  replicas: 3\n" +
            "  template:\n    spec:\n      containers:\n      - name: a\n        image: nginx:1.25\n" +
            '        args: [--port, "8080"]\n        command:\n          - sh\n          - -c\n' +
            "        env:\n        - name: X\n          value: |-\n            line one\n\n            line two\n" +
            "        - {name: Y, value: 'it''s'}\n      volumes: []\n";
        const read = readYamlSubset(text);
        assert.ok(read, "declined");
        assertSameAsSyntaxTree(text);
    });

    describe("declines what it does not read", () => {
        const declined: [string, string][] = [
            ["an anchor", "a: &x 1\nb: 2\n"],
            ["an alias", "a: 1\nb: *x\n"],
            ["a tag", "a: !!str 1\n"],
            ["a local tag", "a: !thing x\n"],
            ["a merge key", "a: {x: 1}\nb:\n  <<: {x: 2}\n"],
            ["a quoted merge key", 'b:\n  "<<": 1\n'],
            ["a complex key", "? a\n: b\n"],
            ["a multi-line double-quoted scalar", 'a: "one\n  two"\n'],
            ["a multi-line single-quoted scalar", "a: 'one\n  two'\n"],
            ["a multi-line flow collection", "a: [1,\n  2]\n"],
            ["duplicate keys", "a: 1\na: 2\n"],
            ["keys equal only as values", "1: a\n0x1: b\n"],
            ["a tab in indentation", "a:\n\tb: 1\n"],
            ["a tab in a value", "a: b\tc\n"],
            ["a carriage return", "a: 1\r\nb: 2\r\n"],
            ["a directive", "%YAML 1.1\n---\na: 1\n"],
            ["an unusual escape", 'a: "\\q"\n'],
            ["an escaped line break", 'a: "x\\\n  y"\n'],
            ["a compact nested map", "a: b: c\n"],
            ["a sequence after a key on its line", "a: - b\n"],
            ["a flow key", "{a: 1}: b\n"],
            ["content on the --- line", "--- a: 1\n"],
            ["a second document", "a: 1\n--- b:\n"],
            ["a block scalar as the document", "--- |\n  text\n"],
            ["more-indented leading blank lines in a block scalar", "a: |\n    \n  x\n"],
            ["a less indented block scalar line", "a: |2\n    x\n   y\n b: 1\n"],
            ["a comment without a space", 'a: "x"#c\n'],
            ["a key longer than 1,000 characters", `${"k".repeat(1100)}: v\n`],
            ["a syntax error", "a: [1, 2\n"],
            ["a trailing comma", "a: [1, 2,]\n"],
            // Found by the property test below: `-` before a flow indicator is a block sequence, an error there.
            ["a lone - in a flow sequence", "a: [-]\n"],
            ["a - before a comma in a flow sequence", "a: [-, b]\n"],
            ["a lone - as a flow mapping's value", "a: {b: -}\n"],
            ["a byte-order mark", "\ufeffa: 1\n"],
            ["a plain scalar continued by a key", "a: b\n  c: d\n"],
            ["nesting beyond MAX_NESTING", `${"[".repeat(MAX_NESTING + 1)}${"]".repeat(MAX_NESTING + 1)}\n`],
            [
                "block nesting beyond MAX_NESTING",
                Array.from({ length: MAX_NESTING + 2 }, (_, i) => `${" ".repeat(i)}k:`).join("\n") + " v\n",
            ],
        ];
        for (const [name, text] of declined) {
            it(name, () => {
                assert.strictEqual(readYamlSubset(text), undefined, text);
                assertSameAsSyntaxTree(text); // and the scan still reads it (or reports its error) as before
            });
        }
    });
});
