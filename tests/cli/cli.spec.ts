// `container-guard scan` as users and CI run it: exit codes, the same configuration files as Pulumi,
// input errors that name the file and line while the other inputs are still judged, the text and
// JSON reports, standard input, and the built program itself.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as fc from "fast-check";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_TOTAL_SIZE, parseArgs, UsageError } from "../../cli/args";
import { parsePackConfig } from "../../cli/config";
import { allPolicies } from "../../policies";
import {
    BUILT_CLI,
    ROOT,
    compliantPodSpec,
    defaultDenyPolicy,
    deploymentManifest,
    lineOf,
    parseReport,
    restrictedNamespace,
    runCli,
    spawnCli,
    tempDir,
    writeFile,
    yamlDocs,
} from "../support/cli";

const PRIVILEGED = yamlDocs(
    deploymentManifest("web", {
        containers: [{ name: "app", image: "nginx:1.27", securityContext: { privileged: true } }],
    }),
);
/** Only restricted-level problems (advisory by default, mandatory with the restricted profile). */
const RESTRICTED_ONLY = yamlDocs(
    restrictedNamespace(),
    defaultDenyPolicy(),
    deploymentManifest("api", {
        ...compliantPodSpec(),
        securityContext: { seccompProfile: { type: "RuntimeDefault" } },
        containers: [
            {
                ...(compliantPodSpec().containers as Record<string, unknown>[])[0],
                securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                },
            },
        ],
    }),
);
const COMPLIANT = yamlDocs(restrictedNamespace(), defaultDenyPolicy(), deploymentManifest("ok", compliantPodSpec()));

function inputs(files: Record<string, string>): string {
    const dir = tempDir();
    for (const [rel, content] of Object.entries(files)) {
        writeFile(dir, rel, content);
    }
    return dir;
}

/** The escape character that starts terminal control sequences. */
const ESC = "\u001b";

describe("scan: command line", () => {
    describe("exit codes", () => {
        it("0 without mandatory findings, 1 with, 2 for input errors (other inputs still judged)", async () => {
            const dir = inputs({
                "ok.yaml": COMPLIANT,
                "bad.yaml": PRIVILEGED,
                "broken/x.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n spec: {}\n",
            });
            assert.strictEqual((await runCli(["scan", "ok.yaml"], { cwd: dir })).code, 0);
            assert.strictEqual((await runCli(["scan", "ok.yaml", "bad.yaml"], { cwd: dir })).code, 1);
            const mixed = await runCli(["scan", "ok.yaml", "broken", "bad.yaml", "--format", "json"], { cwd: dir });
            assert.strictEqual(mixed.code, 2);
            const report = parseReport(mixed.stdout);
            assert.deepStrictEqual(report.errors, [
                {
                    file: "broken/x.yaml",
                    line: 5,
                    column: 1,
                    message: "invalid YAML in the document: All mapping items must start at the same column",
                },
            ]);
            assert.ok(
                report.findings.some((f) => f.policy === "pss-privileged" && f.location.file === "bad.yaml"),
                "the valid files are still judged",
            );
            assert.strictEqual(report.summary.exitCode, 2);
            assert.match(mixed.stderr, /broken\/x\.yaml:5:1: invalid YAML/);
        });

        it("2 for a missing file, naming it, after judging the others", async () => {
            const dir = inputs({ "bad.yaml": PRIVILEGED });
            const r = await runCli(["scan", "missing.yaml", "bad.yaml"], { cwd: dir });
            assert.strictEqual(r.code, 2);
            assert.match(r.stdout, /missing\.yaml: cannot be read: no such file or directory/);
            assert.match(r.stdout, /pss-privileged/);
        });

        it("2 for usage errors, with a pointer to the help", async () => {
            for (const args of [
                [],
                ["scan"],
                ["lint", "x"],
                ["scan", "--format", "xml", "x"],
                ["scan", "--bogus", "x"],
                ["scan", "--output"],
                ["scan", "-", "-"],
            ]) {
                const r = await runCli(args);
                assert.strictEqual(r.code, 2, args.join(" "));
                assert.match(
                    r.stderr,
                    /container-guard: .*\nRun "container-guard scan --help" for usage\./,
                    args.join(" "),
                );
            }
        });

        it("--fail-on advisory fails on any finding", async () => {
            const dir = inputs({ "api.yaml": RESTRICTED_ONLY });
            assert.strictEqual((await runCli(["scan", "api.yaml"], { cwd: dir })).code, 0);
            assert.strictEqual((await runCli(["scan", "api.yaml", "--fail-on", "advisory"], { cwd: dir })).code, 1);
        });
    });

    describe("configuration", () => {
        it("takes the shipped profiles unchanged: restricted makes restricted checks mandatory", async () => {
            const dir = inputs({ "api.yaml": RESTRICTED_ONLY });
            const plain = parseReport((await runCli(["scan", "api.yaml", "--format", "json"], { cwd: dir })).stdout);
            assert.strictEqual(
                plain.findings.find((f) => f.policy === "pss-run-as-non-root")?.enforcementLevel,
                "advisory",
            );
            const restricted = await runCli(
                [
                    "scan",
                    "api.yaml",
                    "--format",
                    "json",
                    "--policy-pack-config",
                    path.join(ROOT, "config/restricted.json"),
                ],
                { cwd: dir },
            );
            assert.strictEqual(restricted.code, 1);
            assert.strictEqual(
                parseReport(restricted.stdout).findings.find((f) => f.policy === "pss-run-as-non-root")
                    ?.enforcementLevel,
                "mandatory",
            );
            for (const profile of fs.readdirSync(path.join(ROOT, "config"))) {
                const r = await runCli(
                    ["scan", "api.yaml", "--policy-pack-config", path.join(ROOT, "config", profile)],
                    { cwd: dir },
                );
                assert.notStrictEqual(r.code, 2, `${profile}: ${r.stderr}`);
            }
        });

        it("rejects unknown policy names and levels, with suggestions, before scanning", async () => {
            const dir = inputs({
                "bad.yaml": PRIVILEGED,
                "cfg.json": JSON.stringify({ "pss-privilegd": "mandatory", "pss-sysctls": "madatory" }),
            });
            const r = await runCli(["scan", "bad.yaml", "--policy-pack-config", "cfg.json"], { cwd: dir });
            assert.strictEqual(r.code, 2);
            assert.strictEqual(r.stdout, "");
            assert.match(
                r.stderr,
                /cfg\.json: policy "pss-privilegd" is not a policy of this pack .*Did you mean "pss-privileged"\?/,
            );
            assert.match(
                r.stderr,
                new RegExp(
                    /cfg\.json: "pss-sysctls": enforcement level "madatory" /.source +
                        /is not one of advisory, mandatory, remediate, disabled/.source,
                ),
            );
        });

        it("reports option errors as the pack does (exit 2)", async () => {
            const dir = inputs({
                "bad.yaml": PRIVILEGED,
                "cfg.json": JSON.stringify({ "pss-run-as-user": { verson: "v1.30" } }),
            });
            const r = await runCli(["scan", "bad.yaml", "--policy-pack-config", "cfg.json"], { cwd: dir });
            assert.strictEqual(r.code, 2);
            assert.match(r.stderr, /invalid configuration for policy "pss-run-as-user".*Did you mean "version"\?/);
        });

        it("reports unreadable and invalid configuration files with the position", async () => {
            const dir = inputs({ "bad.yaml": PRIVILEGED, "cfg.json": '{\n  "all": "advisory",\n}' });
            const r = await runCli(["scan", "bad.yaml", "--policy-pack-config", "cfg.json"], { cwd: dir });
            assert.strictEqual(r.code, 2);
            assert.match(r.stderr, /cfg\.json: invalid JSON at line 3, column 1/);
            assert.strictEqual(
                (await runCli(["scan", "bad.yaml", "--policy-pack-config", "nope.json"], { cwd: dir })).code,
                2,
            );
        });

        it("parses any JSON without throwing and accepts exactly the levels Pulumi accepts (property)", () => {
            const names = allPolicies.map((p) => p.name);
            fc.assert(
                fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
                    const r = parsePackConfig(text, "c.json", names);
                    assert.ok(r.config !== undefined || r.problems.length > 0);
                }),
            );
            assert.deepStrictEqual(
                parsePackConfig(
                    '{"all": "remediate", "pss-privileged": {"enforcementLevel": "disabled"}, "environments": ["a/b"]}',
                    "c.json",
                    names,
                ).problems,
                [],
            );
        });
    });

    describe("reports", () => {
        it("text: findings grouped by resource, mandatory first, with the line, the fix and a summary", async () => {
            const dir = inputs({ "deploy/web.yaml": PRIVILEGED });
            const r = await runCli(["scan", "deploy"], { cwd: dir });
            const lines = r.stdout.split("\n");
            assert.strictEqual(lines[0], `Deployment prod/web  deploy/web.yaml:${lineOf(PRIVILEGED, "apiVersion")}`);
            assert.match(lines[1], /^ {2}✖ mandatory {2}pss-privileged \[critical\] {2}deploy\/web\.yaml:\d+:\d+$/);
            assert.strictEqual(
                lines[2],
                '      container "app": privileged is true ' +
                    "(spec.template.spec.containers[0].securityContext.privileged)",
            );
            assert.strictEqual(lines[3], "      Fix: remove securityContext.privileged or set it to false");
            const firstAdvisory = lines.findIndex((l) => l.includes("⚠ advisory"));
            const lastMandatory = lines.map((l) => l.includes("✖ mandatory")).lastIndexOf(true);
            assert.ok(lastMandatory < firstAdvisory);
            assert.match(
                lines[lines.length - 2],
                /^1 resource in 1 file: 1 mandatory finding, (?:[2-9]|[1-9]\d+) advisory findings\.$/,
            );
            assert.ok(!r.stdout.includes("\u001b["), "no colour when not a terminal");
        });

        it("text: colour on a terminal unless NO_COLOR, and when forced", async () => {
            const dir = inputs({ "web.yaml": PRIVILEGED });
            assert.ok(
                (await runCli(["scan", "web.yaml"], { cwd: dir, stdoutIsTTY: true })).stdout.includes("\u001b[31m"),
            );
            assert.ok(
                !(
                    await runCli(["scan", "web.yaml"], { cwd: dir, stdoutIsTTY: true, env: { NO_COLOR: "1" } })
                ).stdout.includes("\u001b["),
            );
            assert.ok((await runCli(["scan", "web.yaml", "--color"], { cwd: dir })).stdout.includes("\u001b[31m"));
            assert.ok(
                !(await runCli(["scan", "web.yaml", "--no-color"], { cwd: dir, stdoutIsTTY: true })).stdout.includes(
                    "\u001b[",
                ),
            );
        });

        it("json: the documented schema", async () => {
            const dir = inputs({
                "web.yaml": `# Source: shop/templates/web.yaml\n${PRIVILEGED.replace(/^---\n/, "")}`,
            });
            const report = parseReport((await runCli(["scan", "web.yaml", "--format", "json"], { cwd: dir })).stdout);
            assert.strictEqual(report.schemaVersion, 1);
            assert.deepStrictEqual(Object.keys(report), [
                "schemaVersion",
                "tool",
                "summary",
                "findings",
                "errors",
                "skipped",
            ]);
            assert.deepStrictEqual(Object.keys(report.summary), [
                "files",
                "resources",
                "findings",
                "mandatory",
                "advisory",
                "errors",
                "exitCode",
                "skipped",
            ]);
            const f = report.findings.find((x) => x.policy === "pss-privileged")!;
            assert.deepStrictEqual(Object.keys(f), [
                "policy",
                "enforcementLevel",
                "severity",
                "description",
                "message",
                "path",
                "resource",
                "location",
            ]);
            assert.deepStrictEqual(f.resource, {
                type: "kubernetes:apps/v1:Deployment",
                name: "web",
                label: "Deployment prod/web",
                urn: "urn:pulumi:scan::manifests::kubernetes:apps/v1:Deployment::prod/web",
                start: { file: "web.yaml", line: 2, column: 1 },
                template: "shop/templates/web.yaml",
            });
            assert.strictEqual(f.description, allPolicies.find((p) => p.name === "pss-privileged")!.description);
            assert.strictEqual(
                report.summary.mandatory,
                report.findings.filter((x) => x.enforcementLevel === "mandatory").length,
            );
        });

        it("places stack findings that name no resource at the top of the first manifest", async () => {
            const dir = inputs({ "a.yaml": COMPLIANT, "b.yaml": PRIVILEGED });
            const stackWide: StackValidationPolicy = {
                name: "stack-wide",
                description: "The stack as a whole must be fine.",
                enforcementLevel: "mandatory",
                validateStack: (args, report) => report(`${args.resources.length} resources looked at`),
            };
            const r = await runCli(["scan", "a.yaml", "b.yaml", "--format", "json"], {
                cwd: dir,
                policies: [stackWide],
            });
            assert.strictEqual(r.code, 1);
            assert.deepStrictEqual(parseReport(r.stdout).findings, [
                {
                    policy: "stack-wide",
                    enforcementLevel: "mandatory",
                    severity: null,
                    description: "The stack as a whole must be fine.",
                    message: "4 resources looked at",
                    path: null,
                    resource: null,
                    location: { file: "a.yaml", line: 1, column: 1 },
                },
            ]);
            const text = await runCli(["scan", "a.yaml", "b.yaml"], { cwd: dir, policies: [stackWide] });
            assert.match(
                text.stdout,
                /^stack {2}a\.yaml:1\n {2}✖ mandatory {2}stack-wide {2}a\.yaml:1:1\n {6}4 resources looked at\n/,
            );
        });

        it("writes the report to --output and keeps stdout empty", async () => {
            const dir = inputs({ "web.yaml": PRIVILEGED });
            const r = await runCli(["scan", "web.yaml", "--format", "sarif", "-o", "out/report.sarif"], { cwd: dir });
            assert.strictEqual(r.stdout, "");
            assert.strictEqual(r.code, 1);
            assert.strictEqual(
                JSON.parse(fs.readFileSync(path.join(dir, "out/report.sarif"), "utf8")).version,
                "2.1.0",
            );
        });

        it("shows progress on a terminal only when the scan is slow, and clears it", async () => {
            const dir = inputs({
                "web.yaml": PRIVILEGED,
                "more.yaml": yamlDocs(
                    ...["a", "b", "c", "d", "e"].map((n) => deploymentManifest(n, compliantPodSpec())),
                ),
            });
            const fast = await runCli(["scan", "web.yaml"], { cwd: dir, stderrIsTTY: true });
            assert.strictEqual(fast.stderr, "", "a fast scan shows no progress");
            const slow: ResourceValidationPolicy = {
                name: "slow",
                description: "Takes its time.",
                validateResource: () => {
                    const until = Date.now() + 300;
                    while (Date.now() < until) {
                        // busy: the scanner is single-threaded, as a slow policy would make it
                    }
                },
            };
            const r = await runCli(["scan", "more.yaml"], { cwd: dir, stderrIsTTY: true, policies: [slow] });
            assert.match(
                r.stderr,
                new RegExp(`\r${ESC}\\[Kcontainer-guard: judging resource [2-5] \\(document [2-5] of 5\\)`),
            );
            assert.ok(r.stderr.endsWith("\r\u001b[K"), "the progress line is cleared");
            assert.strictEqual(
                (await runCli(["scan", "more.yaml"], { cwd: dir, stderrIsTTY: false, policies: [slow] })).stderr,
                "",
                "not on a pipe",
            );
        });
    });

    describe("standard input", () => {
        it("reads - (e.g. piped `helm template` output), named by --stdin-name in reports", async () => {
            const r = await runCli(["scan", "-", "--stdin-name", "rendered/shop.yaml", "--format", "json"], {
                stdin: PRIVILEGED,
            });
            assert.strictEqual(r.code, 1);
            const report = parseReport(r.stdout);
            assert.ok(
                report.findings.length > 0 && report.findings.every((f) => f.location.file === "rendered/shop.yaml"),
            );
        });
    });

    describe("arguments", () => {
        it("parses options in both spellings and keeps paths in order", () => {
            assert.deepStrictEqual(
                parseArgs([
                    "scan",
                    "a.yaml",
                    "--format=json",
                    "-o",
                    "r.json",
                    "dir",
                    "--policy-pack-config",
                    "c.json",
                    "-n",
                    "apps",
                    "--",
                    "--odd-name.yaml",
                ]),
                {
                    command: "scan",
                    paths: ["a.yaml", "dir", "--odd-name.yaml"],
                    config: "c.json",
                    format: "json",
                    output: "r.json",
                    failOn: "mandatory",
                    namespace: "apps",
                    stdinName: "stdin",
                    maxFileSize: DEFAULT_MAX_FILE_SIZE,
                    maxTotalSize: DEFAULT_MAX_TOTAL_SIZE,
                    allowEmpty: false,
                },
            );
            assert.deepStrictEqual(parseArgs(["--help"]), { command: "help" });
            assert.deepStrictEqual(parseArgs(["scan", "--version"]), { command: "version" });
        });

        it("either parses or throws a UsageError for any arguments (property)", () => {
            fc.assert(
                fc.property(
                    fc.array(
                        fc.oneof(
                            fc.string(),
                            fc.constantFrom(
                                "scan",
                                "-",
                                "--format",
                                "json",
                                "--output",
                                "-o",
                                "--fail-on",
                                "--",
                                "--color",
                                "-n",
                            ),
                        ),
                        { maxLength: 8 },
                    ),
                    (argv) => {
                        try {
                            parseArgs(argv);
                        } catch (err) {
                            assert.ok(err instanceof UsageError, String(err));
                        }
                    },
                ),
            );
        });

        it("--namespace places objects without a namespace, as the provider's namespace does", async () => {
            const doc =
                "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostPID: true, containers: [{name: a, image: " +
                "i}]}\n";
            const report = parseReport(
                (await runCli(["scan", "-", "--namespace", "shop", "--format", "json"], { stdin: doc })).stdout,
            );
            assert.ok(report.findings.every((f) => f.resource?.label === "Pod shop/p"));
        });
    });

    describe("the built program", function () {
        this.timeout(120000);
        before(function () {
            if (!fs.existsSync(BUILT_CLI)) {
                throw new Error("run `npm run build` first");
            }
        });

        it("is the package's bin, with a shebang", () => {
            const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
            assert.strictEqual(pkg.bin["container-guard"], "dist/cli/main.js");
            assert.ok(fs.readFileSync(BUILT_CLI, "utf8").startsWith("#!/usr/bin/env node\n"));
        });

        it("prints help and exits 0", () => {
            const r = spawnCli(["--help"]);
            assert.strictEqual(r.code, 0);
            assert.match(r.stdout, /^Usage: container-guard scan \[options\] <path\.\.\.>/);
        });

        it("exits 0, 1 and 2 as documented, reading files and standard input", () => {
            const dir = inputs({ "ok.yaml": COMPLIANT, "bad.yaml": PRIVILEGED, "broken.yaml": "a: [" });
            assert.strictEqual(spawnCli(["scan", "ok.yaml"], { cwd: dir }).code, 0);
            const bad = spawnCli(["scan", "-"], { cwd: dir, stdin: PRIVILEGED });
            assert.strictEqual(bad.code, 1);
            assert.match(bad.stdout, /stdin:\d+:\d+/);
            const broken = spawnCli(["scan", "ok.yaml", "broken.yaml", "--format", "sarif"], { cwd: dir });
            assert.strictEqual(broken.code, 2);
            assert.strictEqual(JSON.parse(broken.stdout).runs[0].invocations[0].executionSuccessful, false);
            assert.match(broken.stderr, /broken\.yaml:\d+:\d+: invalid YAML/);
        });
    });
});
