// Details of the scanner's reports that code-scanning viewers and people rely on: SARIF artifact URIs
// that resolve (relative to the repository root or --sarif-base, file:// otherwise), rules only for
// the policies that ran, skipped documents in every format, the text report's notes and counts, and
// the command-line parsing (node's parseArgs) with messages that name the option.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import type * as sarif from "sarif";
import { parseArgs } from "../../cli/args";
import { deploymentManifest, parseReport, runCli, tempDir, writeFile, yamlDocs } from "../support/cli";

const PRIVILEGED = yamlDocs(
    deploymentManifest("web", {
        containers: [{ name: "app", image: "nginx:1.27", securityContext: { privileged: true } }],
    }),
);

const MISSPELLED = "apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: api, namespace: prod}\n";

function uris(log: sarif.Log): { uri?: string; uriBaseId?: string }[] {
    return log.runs[0].results!.map((r) => {
        const a = r.locations![0].physicalLocation!.artifactLocation!;
        return {
            ...(a.uri !== undefined && { uri: a.uri }),
            ...(a.uriBaseId !== undefined && { uriBaseId: a.uriBaseId }),
        };
    });
}

describe("scan: report details", function () {
    this.timeout(120000);

    describe("SARIF artifact URIs", () => {
        /** A git work tree `repo` with k8s/web.yaml, and outside/x.yaml next to it. */
        function layout(): { dir: string; repo: string } {
            const dir = tempDir();
            const repo = path.join(dir, "repo");
            fs.mkdirSync(path.join(repo, ".git"), { recursive: true });
            writeFile(repo, "k8s/web.yaml", PRIVILEGED);
            writeFile(dir, "outside/x.yaml", PRIVILEGED.replace(/web/g, "x"));
            return { dir, repo };
        }

        it("are relative to the repository root for files in it, absolute file:// URIs otherwise", async () => {
            const { dir, repo } = layout();
            const r = await runCli(["scan", "web.yaml", "../../outside/x.yaml", "--format", "sarif"], {
                cwd: path.join(repo, "k8s"),
            });
            assert.strictEqual(r.code, 1);
            const log = JSON.parse(r.stdout) as sarif.Log;
            assert.strictEqual(log.runs[0].originalUriBaseIds!["%SRCROOT%"].uri, pathToFileURL(repo).href + "/");
            const found = uris(log);
            assert.ok(found.some((u) => u.uri === "k8s/web.yaml" && u.uriBaseId === "%SRCROOT%"));
            const outside = pathToFileURL(path.join(dir, "outside/x.yaml")).href;
            assert.ok(found.some((u) => u.uri === outside && u.uriBaseId === undefined));
            assert.ok(!found.some((u) => u.uri?.startsWith("..")), "no URI climbs out of its base");
        });

        it("--sarif-base sets the directory URIs are relative to", async () => {
            const { dir, repo } = layout();
            const r = await runCli(["scan", "k8s/web.yaml", "--format", "sarif", "--sarif-base", "k8s"], { cwd: repo });
            const log = JSON.parse(r.stdout) as sarif.Log;
            assert.strictEqual(
                log.runs[0].originalUriBaseIds!["%SRCROOT%"].uri,
                pathToFileURL(path.join(repo, "k8s")).href + "/",
            );
            assert.ok(uris(log).every((u) => u.uri === "web.yaml" && u.uriBaseId === "%SRCROOT%"));

            const notDir = await runCli(["scan", "k8s/web.yaml", "--format", "sarif", "--sarif-base", "nope"], {
                cwd: repo,
            });
            assert.strictEqual(notDir.code, 2);
            assert.strictEqual(notDir.stderr, "container-guard: --sarif-base nope is not a directory\n");
            const notSarif = await runCli(["scan", "k8s/web.yaml", "--sarif-base", "k8s"], { cwd: dir });
            assert.strictEqual(notSarif.code, 2);
            assert.match(notSarif.stderr, /^container-guard: --sarif-base applies only to --format sarif\n/);
        });

        it("outside a repository, they are relative to the working directory", async () => {
            const dir = tempDir();
            writeFile(dir, "k8s/web.yaml", PRIVILEGED);
            const log = JSON.parse(
                (await runCli(["scan", "k8s", "--format", "sarif"], { cwd: dir })).stdout,
            ) as sarif.Log;
            assert.ok(uris(log).every((u) => u.uri === "k8s/web.yaml" && u.uriBaseId === "%SRCROOT%"));
        });
    });

    it("SARIF lists as rules only the policies that ran, not the disabled ones", async () => {
        const dir = tempDir();
        writeFile(dir, "web.yaml", PRIVILEGED);
        writeFile(dir, "cfg.json", JSON.stringify({ all: "disabled", "pss-privileged": "mandatory" }));
        const r = await runCli(["scan", "web.yaml", "--format", "sarif", "--policy-pack-config", "cfg.json"], {
            cwd: dir,
        });
        const log = JSON.parse(r.stdout) as sarif.Log;
        assert.deepStrictEqual(
            log.runs[0].tool.driver.rules!.map((rule) => rule.id),
            ["pss-privileged"],
        );
        assert.deepStrictEqual(
            log.runs[0].results!.map((result) => [result.ruleId, result.ruleIndex]),
            [["pss-privileged", 0]],
        );
    });

    describe("skipped documents", () => {
        it("a misspelled kind is listed as skipped, with the likely kind, in text, JSON and SARIF", async () => {
            const dir = tempDir();
            writeFile(dir, "k8s/app.yaml", `${PRIVILEGED}---\n${MISSPELLED}`);

            const text = await runCli(["scan", "k8s"], { cwd: dir });
            assert.strictEqual(text.code, 1, "skipped documents do not change the exit code");
            assert.match(
                text.stdout,
                new RegExp(
                    /\nSkipped \(not judged\)\n {2}○ k8s\/app\.yaml:\d+:1: Deploymnet api: /.source +
                        /API group apps has no kind Deploymnet; did you mean Deployment\?\n/.source,
                ),
            );
            assert.match(text.stdout, /; 1 document skipped \(not judged\)\.\n$/);

            const json = parseReport((await runCli(["scan", "k8s", "--format", "json"], { cwd: dir })).stdout);
            assert.strictEqual(json.summary.skipped, 1);
            assert.deepStrictEqual(
                json.skipped.map((s) => [s.file, s.apiVersion, s.kind, s.name]),
                [["k8s/app.yaml", "apps/v1", "Deploymnet", "api"]],
            );
            assert.match(json.skipped[0].reason, /did you mean Deployment\?/);

            const log = JSON.parse(
                (await runCli(["scan", "k8s", "--format", "sarif"], { cwd: dir })).stdout,
            ) as sarif.Log;
            const notes = log.runs[0].invocations![0].toolExecutionNotifications!;
            assert.deepStrictEqual(
                notes.map((n) => [n.level, n.descriptor?.id, n.properties?.kind]),
                [["warning", "skipped", "Deploymnet"]],
            );
            assert.strictEqual(log.runs[0].invocations![0].executionSuccessful, true);
        });
    });

    describe("text report", () => {
        it("indents an exemption note under its finding", async () => {
            const dir = tempDir();
            writeFile(
                dir,
                "web.yaml",
                PRIVILEGED.replace(
                    "  name: web\n",
                    "  name: web\n  annotations:\n    container-guard.io/exempt: pss-privileged\n" +
                        "    container-guard.io/exempt-reason: vendor agent (SEC-1)\n",
                ),
            );
            writeFile(dir, "cfg.json", JSON.stringify({ "pss-privileged": { allowAnnotationExemptions: true } }));
            const r = await runCli(["scan", "web.yaml", "--policy-pack-config", "cfg.json"], { cwd: dir });
            const lines = r.stdout.split("\n");
            const note = lines.findIndex((l) => l.includes("Exempted by annotation"));
            assert.ok(note > 0, r.stdout);
            assert.strictEqual(
                lines[note],
                "      Exempted by annotation container-guard.io/exempt: vendor agent (SEC-1)",
            );
            assert.match(lines[note - 1], /^ {6}Fix: remove securityContext\.privileged/);
            assert.match(lines[note - 3], /^ {2}⚠ advisory {3}pss-privileged/);
        });

        it("counts findings in words that agree with the number", async () => {
            const dir = tempDir();
            writeFile(dir, "web.yaml", PRIVILEGED);
            writeFile(dir, "one-mandatory.json", JSON.stringify({ all: "disabled", "pss-privileged": "mandatory" }));
            writeFile(dir, "one-advisory.json", JSON.stringify({ all: "disabled", "pss-privileged": "advisory" }));
            const last = async (config: string) => {
                const r = await runCli(["scan", "web.yaml", "--policy-pack-config", config], { cwd: dir });
                return r.stdout.trimEnd().split("\n").pop();
            };
            assert.strictEqual(
                await last("one-mandatory.json"),
                "1 resource in 1 file: 1 mandatory finding, 0 advisory findings.",
            );
            assert.strictEqual(
                await last("one-advisory.json"),
                "1 resource in 1 file: 0 mandatory findings, 1 advisory finding.",
            );
        });
    });

    describe("command line (node's parseArgs)", () => {
        it("takes values after = or as the next argument, and short options", () => {
            const a = parseArgs(["scan", "--format=sarif", "-o", "out.sarif", "--sarif-base", ".", "x.yaml"]);
            assert.ok(a.command === "scan");
            assert.deepStrictEqual([a.format, a.output, a.sarifBase, a.paths], ["sarif", "out.sarif", ".", ["x.yaml"]]);
            const b = parseArgs(["scan", "--allow-empty", "--", "-weird-name.yaml"]);
            assert.ok(b.command === "scan" && b.allowEmpty);
            assert.deepStrictEqual(b.paths, ["-weird-name.yaml"]);
        });

        it("names the option in every usage error, suggesting the option meant", () => {
            const cases: [string[], string][] = [
                [["scan", "x", "--fromat", "json"], "unknown option --fromat (did you mean --format?)"],
                [["scan", "x", "--allow-emtpy"], "unknown option --allow-emtpy (did you mean --allow-empty?)"],
                [
                    ["scan", "x", "--max-file-sise=1MiB"],
                    "unknown option --max-file-sise (did you mean --max-file-size?)",
                ],
                [["scan", "x", "-q"], "unknown option -q"],
                [["scan", "x", "--allow-empty=yes"], '--allow-empty takes no value (given "yes")'],
                [["scan", "x", "--output"], "--output needs a value"],
                [["scan", "x", "--format="], "--format needs a value"],
                [["scan", "x", "--format", "xml"], '--format must be one of text, json, sarif, not "xml"'],
                [
                    ["scan", "x", "--max-total-size", "big"],
                    '--max-total-size must be a size such as 64MiB, 500MB or 1GiB, not "big"',
                ],
            ];
            for (const [argv, message] of cases) {
                assert.throws(() => parseArgs(argv), { name: "UsageError", message }, argv.join(" "));
            }
        });

        it("prints a usage error with a pointer to --help and exits 2", async () => {
            const r = await runCli(["scan", "x.yaml", "--fromat", "json"]);
            assert.strictEqual(r.code, 2);
            assert.strictEqual(
                r.stderr,
                "container-guard: unknown option --fromat (did you mean --format?)\n" +
                    'Run "container-guard scan --help" for usage.\n',
            );
        });
    });
});
