// The README's scanner examples work as written: every `container-guard scan` command parses and
// names shipped files, the rendered-Helm CI example judges Helm output, and the re-scan example's
// configuration turns fresh scanner reports into mandatory findings on an exported stack.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_TOTAL_SIZE, formatSize, parseArgs } from "../../cli/args";
import { MAX_NESTING } from "../../cli/inputs/nesting";
import { parsePackConfig } from "../../cli/config";
import { allPolicies } from "../../policies";
import { ROOT, parseReport, runCli, tempDir, writeFile } from "../support/cli";

const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const SECTION_START = README.indexOf("## Scanning manifests and stack exports");
// The section runs to the next second-level heading.
const SECTION = README.slice(SECTION_START, README.indexOf("\n## ", SECTION_START + 1));

/** The arguments of every `container-guard scan` command in the section's shell and YAML blocks. */
function scanCommands(): string[][] {
    const commands: string[][] = [];
    for (const block of SECTION.matchAll(/```(?:sh|yaml)\n([\s\S]*?)```/g)) {
        // YAML folded scalars (`run: >`) continue on indented lines.
        const joined = block[1].replace(/>\n\s+/g, " ").replace(/\n\s+(?=--)/g, " ");
        for (const m of joined.matchAll(/container-guard (scan[^\n#|]*)/g)) {
            commands.push(m[1].trim().split(/\s+/));
        }
    }
    return commands;
}

function codeBlock(language: string, containing: string): string {
    for (const m of SECTION.matchAll(/```(\w+)\n([\s\S]*?)```/g)) {
        if (m[1] === language && m[2].includes(containing)) {
            return m[2];
        }
    }
    throw new Error(`no ${language} block with ${containing}`);
}

const DIGEST = "c".repeat(64);
const VULNERABLE = `registry.example.com/shop/web:1.4.2@sha256:${DIGEST}`;
const UNSCANNED = "registry.example.com/shop/worker:2.0.0";

describe("scan: README examples", () => {
    it("states the scanner's limits as the command line has them, in the README and docs/scanning.md", () => {
        const scanning = fs.readFileSync(path.join(ROOT, "docs/scanning.md"), "utf8");
        const [file, total] = [DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_TOTAL_SIZE].map(formatSize);
        const prose = SECTION.replace(/\s+/g, " ");
        assert.ok(prose.includes(`a file over ${file}, inputs over ${total} together`), prose);
        assert.ok(prose.includes(`nested more than ${MAX_NESTING} levels deep`));
        const flag = (size: string) => `\`${size.replace(" ", "")}\``;
        assert.match(scanning, new RegExp(`\\| \`--max-file-size <size>\` \\| ${flag(file)} \\|`));
        assert.match(scanning, new RegExp(`\\| \`--max-total-size <size>\` \\| ${flag(total)} \\|`));
        assert.ok(scanning.includes(`more than ${MAX_NESTING} levels deep`));
    });

    it("every scan command parses, and the configuration files it names are shipped", () => {
        const commands = scanCommands();
        assert.ok(commands.length >= 5, `found ${commands.length}`);
        for (const argv of commands) {
            const parsed = parseArgs(argv);
            if (parsed.command !== "scan") {
                continue;
            }
            const config = parsed.config;
            if (config?.startsWith("node_modules/container-guard/") || config?.startsWith("config/")) {
                assert.ok(fs.existsSync(path.join(ROOT, config.replace("node_modules/container-guard/", ""))), config);
            }
        }
    });

    it("the Helm example judges rendered output and places findings in it", async () => {
        const dir = tempDir();
        // What `helm template` writes: separators, source comments, empty documents.
        const rendered = [
            "---",
            "# Source: shop/templates/serviceaccount.yaml",
            "apiVersion: v1",
            "kind: ServiceAccount",
            "metadata:",
            "  name: shop",
            "---",
            "# Source: shop/templates/empty.yaml",
            "---",
            "# Source: shop/templates/deployment.yaml",
            "apiVersion: apps/v1",
            "kind: Deployment",
            "metadata:",
            "  name: shop-web",
            "  labels:",
            '    helm.sh/chart: "shop-1.0.0"',
            "spec:",
            "  template:",
            "    metadata:",
            "      labels: {app: shop-web}",
            "    spec:",
            "      serviceAccountName: shop",
            "      containers:",
            "        - name: web",
            "          image: registry.example.com/shop/web:1.4.2",
            "          securityContext:",
            "            capabilities:",
            "              add: [NET_ADMIN]",
            "",
        ].join("\n");
        writeFile(dir, "rendered.yaml", rendered);
        fs.mkdirSync(path.join(dir, "node_modules/container-guard"), { recursive: true });
        fs.symlinkSync(path.join(ROOT, "config"), path.join(dir, "node_modules/container-guard/config"));
        const argv = scanCommands().find((c) => c.includes("rendered.yaml") && c.includes("sarif"))!;
        const r = await runCli(argv, { cwd: dir });
        assert.strictEqual(r.code, 1);
        const sarif = JSON.parse(fs.readFileSync(path.join(dir, "container-guard.sarif"), "utf8"));
        const result = sarif.runs[0].results.find((x: { ruleId: string }) => x.ruleId === "pss-capabilities-baseline");
        assert.strictEqual(result.level, "error");
        assert.strictEqual(result.locations[0].physicalLocation.artifactLocation.uri, "rendered.yaml");
        assert.strictEqual(result.locations[0].physicalLocation.region.startLine, 28);
        assert.strictEqual(result.properties.helmTemplate, "shop/templates/deployment.yaml");
        assert.ok(result.message.text.startsWith("Deployment shop/shop-web, "), result.message.text);
    });

    it("the re-scan example turns fresh scanner reports into mandatory findings on an exported stack", async () => {
        const config = JSON.parse(codeBlock("json", "image-vulnerabilities"));
        assert.deepStrictEqual(
            parsePackConfig(
                JSON.stringify(config),
                "rescan.json",
                allPolicies.map((p) => p.name),
            ).problems,
            [],
        );
        const dir = tempDir();
        const pod = (name: string, image: string) => ({
            urn: `urn:pulumi:prod::shop::kubernetes:core/v1:Pod::${name}`,
            custom: true,
            type: "kubernetes:core/v1:Pod",
            inputs: {
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name, namespace: "shop" },
                spec: { containers: [{ name, image }] },
            },
            outputs: {},
        });
        writeFile(
            dir,
            "prod.json",
            JSON.stringify(
                { version: 3, deployment: { resources: [pod("web", VULNERABLE), pod("worker", UNSCANNED)] } },
                null,
                2,
            ),
        );
        writeFile(
            dir,
            "scans/web.json",
            JSON.stringify({
                SchemaVersion: 2,
                ArtifactName: "registry.example.com/shop/web:1.4.2",
                ArtifactType: "container_image",
                Metadata: { RepoDigests: [`registry.example.com/shop/web@sha256:${DIGEST}`] },
                Results: [
                    {
                        Target: "web",
                        Class: "os-pkgs",
                        Vulnerabilities: [
                            {
                                VulnerabilityID: "CVE-2026-1234",
                                PkgName: "openssl",
                                InstalledVersion: "3.0.1",
                                FixedVersion: "3.0.9",
                                Severity: "HIGH",
                            },
                        ],
                    },
                ],
            }),
        );
        // Report paths in the example are relative to the working directory of the scan.
        config["image-vulnerabilities"].reports = [path.join(dir, "scans")];
        writeFile(dir, "rescan.json", JSON.stringify(config));
        const argv = scanCommands().find((c) => c.includes("prod.json") && c.includes("rescan.json"))!;
        const r = await runCli(
            [
                ...argv.filter(
                    (a, i) =>
                        !(
                            a === "--format" ||
                            argv[i - 1] === "--format" ||
                            a === "--output" ||
                            argv[i - 1] === "--output"
                        ),
                ),
                "--format",
                "json",
            ],
            { cwd: dir },
        );
        const vulnerable = parseReport(r.stdout).findings.filter((f) => f.policy === "image-vulnerabilities");
        assert.deepStrictEqual(
            vulnerable.map((f) => [f.resource?.name, f.enforcementLevel]),
            [
                ["web", "mandatory"],
                ["worker", "mandatory"],
            ],
        );
        assert.match(vulnerable[0].message, /CVE-2026-1234/);
        assert.strictEqual(r.code, 1);
    });
});

/** Every text file of the repository a user may copy from: docs, examples, scripts, sources. */
function repositoryTextFiles(dir = ROOT): string[] {
    const skip = new Set(["node_modules", "dist", ".git", "fixtures", "results", ".bench"]);
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
            return skip.has(e.name) ? [] : repositoryTextFiles(p);
        }
        return /\.(md|ts|js|mjs|json|ya?ml|sh)$/.test(e.name) || e.name === "run" ? [p] : [];
    });
}

describe("docs and examples", () => {
    it("run the installed command line: every npx of container-guard passes --no-install", () => {
        // Without --no-install, npx downloads and runs whatever package holds the name on the registry when the
        // pack is not installed.
        const offenders: string[] = [];
        for (const file of repositoryTextFiles()) {
            if (file === __filename) {
                continue;
            }
            const text = fs.readFileSync(file, "utf8");
            for (const m of text.matchAll(/\bnpx((?:\s+-\S+)*)\s+container-guard\b/g)) {
                if (!/(^|\s)--no-install(?=\s|$)/.test(m[1])) {
                    const line = text.slice(0, m.index).split("\n").length;
                    offenders.push(`${path.relative(ROOT, file)}:${line}: ${m[0].replace(/\s+/g, " ")}`);
                }
            }
        }
        assert.deepStrictEqual(offenders, [], "write `npx --no-install container-guard` (or node_modules/.bin/...)");
        assert.match(SECTION, /npx --no-install container-guard scan/);
    });
});
