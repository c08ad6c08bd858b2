// `container-guard scan` never passes silently and never crashes on its input: empty input is an
// error (unless --allow-empty), inputs over the size limits end the scan at once with a message
// naming the option that raises them, and input nested deeper than any Kubernetes object is an
// input error instead of a stack overflow.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_TOTAL_SIZE, parseArgs, parseSize } from "../../cli/args";
import { TreeCache, readManifestDocuments } from "../../cli/inputs/manifests";
import { MAX_NESTING } from "../../cli/inputs/nesting";
import {
    BUILT_CLI,
    compliantPodSpec,
    deploymentManifest,
    parseReport,
    runCli,
    spawnCli,
    tempDir,
    writeFile,
    yamlDocs,
} from "../support/cli";

const MIB = 1024 * 1024;
const PRIVILEGED = yamlDocs(
    deploymentManifest("web", {
        containers: [{ name: "app", image: "nginx:1.27", securityContext: { privileged: true } }],
    }),
);

/** A value nested `depth` levels deep (maps of maps). */
function nested(depth: number): Record<string, unknown> {
    let v: Record<string, unknown> = { leaf: "x" };
    for (let i = 1; i < depth; i++) {
        v = { a: v };
    }
    return v;
}

describe("scan: bounded input", function () {
    this.timeout(120000);

    describe("empty input", () => {
        it("exits 2 with 'no resources found' for stdin without documents (a failed helm template)", async () => {
            for (const stdin of ["", "\n\n", "# only a comment\n", "---\n---\n"]) {
                const r = await runCli(["scan", "-", "--format", "json"], { stdin });
                assert.strictEqual(r.code, 2, JSON.stringify(stdin));
                const report = parseReport(r.stdout);
                assert.deepStrictEqual(report.errors, [
                    {
                        file: null,
                        line: null,
                        column: null,
                        message: stdin.includes("---")
                            ? "no resources found to judge: the input holds only empty documents; pass " +
                              "--allow-empty to accept input without resources"
                            : "no resources found to judge: the input holds no documents (did the command " +
                              "that rendered it fail?); pass --allow-empty to accept input without resources",
                    },
                ]);
                assert.match(r.stderr, /container-guard: no resources found to judge/);
            }
            const text = await runCli(["scan", "-"], { stdin: "" });
            assert.match(text.stdout, /Input errors\n {2}✖ no resources found to judge/);
        });

        it("exits 2 when every document was skipped, naming how many", async () => {
            const dir = tempDir();
            writeFile(dir, "chart/values.yaml", "replicas: 2\nimage: {tag: latest}\n");
            writeFile(dir, "chart/Chart.yaml", "apiVersion: v2\nname: shop\nversion: 1.0.0\n");
            const r = await runCli(["scan", "chart", "--format", "json"], { cwd: dir });
            assert.strictEqual(r.code, 2);
            const report = parseReport(r.stdout);
            assert.strictEqual(report.summary.skipped, 2);
            assert.match(report.errors[0].message, /^no resources found to judge: 2 documents were skipped/);
        });

        it("--allow-empty accepts input without resources (exit 0) and still lists what was skipped", async () => {
            const r = await runCli(["scan", "-", "--allow-empty", "--format", "json"], { stdin: "" });
            assert.strictEqual(r.code, 0);
            assert.deepStrictEqual(parseReport(r.stdout).errors, []);
            const skipped = await runCli(["scan", "-", "--allow-empty"], {
                stdin: "apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: a}\n",
            });
            assert.strictEqual(skipped.code, 0);
            assert.match(skipped.stdout, /Skipped \(not judged\)/);
        });

        it("an empty stack export is empty input too", async () => {
            const r = await runCli(["scan", "-"], { stdin: JSON.stringify({ version: 3, deployment: {} }) });
            assert.strictEqual(r.code, 2);
            assert.match(r.stdout, /no resources found to judge: the stack export holds no resources a policy judges/);
        });

        it("does not add 'no resources found' when an input error already explains the empty result", async () => {
            const r = await runCli(["scan", "missing.yaml", "--format", "json"], { cwd: tempDir() });
            assert.strictEqual(r.code, 2);
            assert.deepStrictEqual(
                parseReport(r.stdout).errors.map((e) => e.message),
                ["cannot be read: no such file or directory"],
            );
        });
    });

    describe("size limits", () => {
        it("parses sizes in bytes and binary or decimal units, and rejects anything else", () => {
            assert.strictEqual(parseSize("--max-file-size", "64MiB"), 64 * MIB);
            assert.strictEqual(parseSize("--max-file-size", "64Mi"), 64 * MIB);
            assert.strictEqual(parseSize("--max-file-size", "500MB"), 500e6);
            assert.strictEqual(parseSize("--max-file-size", "1.5GiB"), 1.5 * 1024 * MIB);
            assert.strictEqual(parseSize("--max-file-size", "1048576"), MIB);
            for (const bad of ["", "0", "-1MiB", "64 MiBs", "lots", "1e9"]) {
                assert.throws(
                    () => parseSize("--max-file-size", bad),
                    /--max-file-size must be a size such as 64MiB, 500MB or 1GiB/,
                    bad,
                );
            }
            const parsed = parseArgs(["scan", "x", "--max-file-size", "2MiB", "--max-total-size=3MiB"]);
            assert.ok(parsed.command === "scan" && parsed.maxFileSize === 2 * MIB && parsed.maxTotalSize === 3 * MIB);
            const defaults = parseArgs(["scan", "x"]);
            assert.ok(
                defaults.command === "scan" &&
                    defaults.maxFileSize === DEFAULT_MAX_FILE_SIZE &&
                    defaults.maxTotalSize === DEFAULT_MAX_TOTAL_SIZE,
            );
        });

        it("a file over the default per-file limit ends the scan at once with exit 2, judging the others", async () => {
            const dir = tempDir();
            writeFile(dir, "web.yaml", PRIVILEGED);
            const huge = path.join(dir, "huge.yaml");
            fs.writeFileSync(huge, "");
            fs.truncateSync(huge, DEFAULT_MAX_FILE_SIZE + 1); // sparse: as large as it gets without the disk space
            const started = Date.now();
            const r = await runCli(["scan", "huge.yaml", "web.yaml", "--format", "json"], { cwd: dir });
            assert.ok(Date.now() - started < 20000, "decided by the size, not by reading the file");
            assert.strictEqual(r.code, 2);
            const report = parseReport(r.stdout);
            assert.deepStrictEqual(report.errors, [
                {
                    file: "huge.yaml",
                    line: null,
                    column: null,
                    message:
                        `is ${DEFAULT_MAX_FILE_SIZE + 1} bytes, over the ${DEFAULT_MAX_FILE_SIZE / MIB} MiB ` +
                        `(${DEFAULT_MAX_FILE_SIZE} bytes) limit for one input; nothing in it was judged ` +
                        `(raise the limit with --max-file-size, e.g. ` +
                        `--max-file-size ${(2 * DEFAULT_MAX_FILE_SIZE) / MIB}MiB)`,
                },
            ]);
            assert.ok(
                report.findings.some((f) => f.policy === "pss-privileged"),
                "web.yaml is still judged",
            );
        });

        it("--max-file-size raises (or lowers) the per-file limit", async () => {
            const dir = tempDir();
            writeFile(dir, "web.yaml", PRIVILEGED);
            const size = Buffer.byteLength(PRIVILEGED);
            const low = await runCli(["scan", "web.yaml", "--max-file-size", String(size - 1)], { cwd: dir });
            assert.strictEqual(low.code, 2);
            assert.match(low.stdout, /web\.yaml: is \d+ B, over the \d+ B limit for one input/);
            const enough = await runCli(["scan", "web.yaml", "--max-file-size", String(size)], { cwd: dir });
            assert.strictEqual(enough.code, 1);
        });

        it("inputs over the total limit are not scanned at all, with exit 2 and the option to raise it", async () => {
            const dir = tempDir();
            for (const name of ["a", "b", "c"]) {
                writeFile(dir, `k8s/${name}.yaml`, PRIVILEGED.replace(/web/g, name));
            }
            const size = Buffer.byteLength(PRIVILEGED);
            const r = await runCli(["scan", "k8s", "--format", "json", "--max-total-size", String(2 * size)], {
                cwd: dir,
            });
            assert.strictEqual(r.code, 2);
            const report = parseReport(r.stdout);
            assert.deepStrictEqual(report.findings, []);
            assert.strictEqual(report.errors.length, 1);
            assert.strictEqual(report.errors[0].file, null);
            assert.match(
                report.errors[0].message,
                new RegExp(
                    /^the 3 input files total [\d.]+ K?i?B, over the [\d.]+ K?i?B limit for all inputs together; /
                        .source + /nothing was judged \(raise the limit with --max-total-size/.source,
                ),
            );
            const raised = await runCli(["scan", "k8s", "--max-total-size", String(3 * size)], { cwd: dir });
            assert.strictEqual(raised.code, 1);
        });

        it("standard input over the limit stops being read and exits 2 (the built program)", function () {
            if (!fs.existsSync(BUILT_CLI)) {
                throw new Error("run `npm run build` first");
            }
            const big = yamlDocs(
                ...Array.from({ length: 3000 }, (_, i) => deploymentManifest(`a${i}`, compliantPodSpec())),
            );
            assert.ok(Buffer.byteLength(big) > 1.5 * MIB);
            const started = Date.now();
            const r = spawnCli(["scan", "-", "--max-file-size", "1MiB"], { stdin: big });
            assert.ok(Date.now() - started < 30000);
            assert.strictEqual(r.code, 2);
            assert.match(
                r.stdout,
                new RegExp(
                    /stdin: is larger than the 1 MiB limit for one input; nothing in it was judged /.source +
                        /\(raise the limit with --max-file-size, e\.g\. --max-file-size 2MiB\)/.source,
                ),
            );
            assert.match(r.stdout, /0 resources in 1 file/);
        });

        it("standard input also counts against the total limit", async () => {
            const dir = tempDir();
            writeFile(dir, "web.yaml", PRIVILEGED);
            const size = Buffer.byteLength(PRIVILEGED);
            const r = await runCli(["scan", "web.yaml", "-", "--max-total-size", String(size + 10)], {
                cwd: dir,
                stdin: PRIVILEGED.replace(/web/g, "api"),
            });
            assert.strictEqual(r.code, 2);
            assert.match(
                r.stdout,
                /stdin: is larger than the 10 B the other inputs left of the \d+ B limit for all inputs/,
            );
        });
    });

    describe("one document at a time", () => {
        it("places findings made after reading (stack policies) at the right line once the trees are dropped", () => {
            const objects = Array.from({ length: 50 }, (_, i) =>
                deploymentManifest(`app${i}`, {
                    containers: [{ name: "app", image: "nginx:1.27", securityContext: { privileged: i % 2 === 0 } }],
                }),
            );
            const text = yamlDocs(...objects);
            const read = (trees: TreeCache) => {
                const resources = [];
                let documents = 0;
                for (const d of readManifestDocuments(text, "m.yaml", true, { urns: new Set(), trees })) {
                    documents++;
                    resources.push(...d.resources);
                }
                assert.strictEqual(documents, 50);
                return resources.map((r) => r.locate?.("spec.template.spec.containers[0].securityContext.privileged"));
            };
            // A budget of one byte keeps no tree: every location is found by parsing its document again.
            const reparsed = read(new TreeCache(1));
            assert.deepStrictEqual(reparsed, read(new TreeCache()));
            const lines = text.split("\n");
            for (const [i, at] of reparsed.entries()) {
                assert.ok(at !== undefined);
                assert.match(lines[at.line - 1], /^ +privileged: (true|false)$/);
                assert.strictEqual(lines[at.line - 1].trim(), `privileged: ${i % 2 === 0}`);
            }
        });
    });

    describe("nesting", () => {
        const deepJson = (depth: number) =>
            `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":` +
            `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`;

        it("a deeply nested JSON manifest is 'too deeply nested', not a stack overflow", async () => {
            for (const depth of [MAX_NESTING, 5000, 100000]) {
                const r = await runCli(["scan", "-", "--stdin-name", "deep.json", "--format", "json"], {
                    stdin: deepJson(depth),
                });
                assert.strictEqual(r.code, 2, String(depth));
                const [error] = parseReport(r.stdout).errors;
                assert.strictEqual(error.file, "deep.json");
                assert.strictEqual(error.line, 1);
                assert.match(
                    error.message,
                    /^invalid JSON in the document: too deeply nested: maps and lists nest more than 128 levels deep$/,
                );
                assert.ok(!r.stdout.includes("call stack") && !r.stderr.includes("call stack"));
            }
        });

        it("deep YAML (flow and block) and deep values built from aliases are input errors too", async () => {
            const flow =
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n" +
                `data: ${"[".repeat(3000)}${"]".repeat(3000)}\n`;
            const block =
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n" +
                Array.from({ length: 200 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n") +
                " 1\n";
            // Each list nests 100 levels in the text; the alias puts one inside the other, 200 levels in the value.
            const anchors =
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n" +
                `inner: &inner ${"[".repeat(100)}1${"]".repeat(100)}\n` +
                `outer: ${"[".repeat(100)}*inner${"]".repeat(100)}\n`;
            for (const [name, stdin] of [
                ["flow", flow],
                ["block", block],
                ["anchors", anchors],
            ]) {
                const r = await runCli(["scan", "-", "--format", "json"], { stdin });
                assert.strictEqual(r.code, 2, name);
                assert.match(parseReport(r.stdout).errors[0].message, /too deeply nested/, name);
            }
        });

        it("a stack export resource nested too deeply is named and skipped; the others are judged", async () => {
            const pod = (name: string, extra: Record<string, unknown>) => ({
                urn: `urn:pulumi:prod::shop::kubernetes:core/v1:Pod::${name}`,
                type: "kubernetes:core/v1:Pod",
                inputs: {
                    apiVersion: "v1",
                    kind: "Pod",
                    metadata: { name },
                    spec: { hostPID: true, containers: [{ name, image: "nginx:1.27" }] },
                    ...extra,
                },
                outputs: {},
            });
            // Too deep for JSON.stringify: the deep value is spliced into the text.
            const exported = JSON.stringify({
                version: 3,
                deployment: { resources: [pod("deep", { data: "DEEP" }), pod("ok", {})] },
            }).replace('"DEEP"', `${'{"a":'.repeat(100000)}1${"}".repeat(100000)}`);
            const r = await runCli(["scan", "-", "--stdin-name", "prod.json", "--format", "json"], {
                stdin: exported,
            });
            assert.strictEqual(r.code, 2);
            const report = parseReport(r.stdout);
            assert.deepStrictEqual(
                report.errors.map((e) => e.message),
                [
                    "resource #1 of the stack export (urn:pulumi:prod::shop::kubernetes:core/v1:Pod::deep) is too " +
                        "deeply nested: maps and lists nest more than 128 levels deep; it is skipped",
                ],
            );
            assert.ok(report.findings.some((f) => f.resource?.name === "ok" && f.policy === "pss-host-namespaces"));
        });

        it("objects nested up to the limit are judged through the whole engine path without errors", async () => {
            // metadata, the object and the nested value: the value may nest MAX_NESTING - 2 levels below the object.
            const doc = {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name: "deep", annotations: { note: "x" } },
                spec: nested(MAX_NESTING - 1),
            };
            const r = await runCli(["scan", "-", "--format", "json"], { stdin: JSON.stringify(doc) });
            assert.deepStrictEqual(parseReport(r.stdout).errors, []);
            assert.strictEqual(parseReport(r.stdout).summary.resources, 1);
        });
    });
});
