// SARIF output for code-scanning uploads: valid against the official SARIF 2.1.0 schema, every
// policy a rule with its metadata and configured level, results at the file and line of the
// offending field, and what GitHub code scanning reads (security-severity, tags, relative URIs).

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import type * as sarif from "sarif";
import { allPolicies } from "../../policies";
import { lineOf, ROOT, runCli, tempDir, writeFile, yamlDocs, deploymentManifest } from "../support/cli";

/** The OASIS schema (see tests/fixtures/sarif/README.md), read with Ajv's default dialect. */
function sarifValidator() {
    const { $schema, id, ...schema } = JSON.parse(
        fs.readFileSync(path.join(__dirname, "../fixtures/sarif/sarif-schema-2.1.0.json"), "utf8"),
    );
    assert.strictEqual($schema, "http://json-schema.org/draft-04/schema#");
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    return { validate: ajv.compile({ ...schema, $id: id }), ajv };
}

const PRIVILEGED = yamlDocs(
    deploymentManifest("web", {
        containers: [{ name: "app", image: "nginx:1.27", securityContext: { privileged: true } }],
    }),
);

async function sarifOf(
    files: Record<string, string>,
    args: string[] = [],
): Promise<{ log: sarif.Log; code: number; dir: string }> {
    const dir = tempDir();
    for (const [rel, content] of Object.entries(files)) {
        writeFile(dir, rel, content);
    }
    const r = await runCli(["scan", ...Object.keys(files), "--format", "sarif", ...args], { cwd: dir });
    return { log: JSON.parse(r.stdout) as sarif.Log, code: r.code, dir };
}

describe("scan: SARIF", () => {
    const { validate, ajv } = sarifValidator();

    it("the schema check itself rejects invalid logs", () => {
        assert.ok(validate({ version: "2.1.0", runs: [] }));
        assert.ok(
            !validate({ version: "2.1.0", runs: [{ tool: { driver: { name: "x" } }, results: [{ ruleId: "r" }] }] }),
            "a result needs a message",
        );
        assert.ok(
            !validate({
                version: "2.1.0",
                runs: [{ tool: { driver: { name: "x" } }, results: [{ message: { text: "m" }, level: "fatal" }] }],
            }),
        );
    });

    it("is valid SARIF 2.1.0 with findings, a stack export and input errors", async () => {
        const exported = {
            version: 3,
            deployment: {
                resources: [
                    {
                        urn: "urn:pulumi:prod::shop::kubernetes:core/v1:Pod::db",
                        type: "kubernetes:core/v1:Pod",
                        inputs: {
                            apiVersion: "v1",
                            kind: "Pod",
                            metadata: { name: "db" },
                            spec: { hostPID: true, containers: [{ name: "db", image: "postgres:16" }] },
                        },
                        outputs: {},
                    },
                ],
            },
        };
        const { log, code } = await sarifOf({
            "charts/rendered dir/shop.yaml": PRIVILEGED,
            "state.json": JSON.stringify(exported, null, 2),
            "broken.yaml": "a: [1,\n",
        });
        assert.strictEqual(code, 2);
        assert.ok(validate(log), ajv.errorsText(validate.errors));
        const run = log.runs[0];
        assert.ok(run.results!.length > 0);
        assert.deepStrictEqual(
            run.invocations![0].toolExecutionNotifications!.map((n) => [
                n.level,
                n.locations![0].physicalLocation!.artifactLocation!.uri,
            ]),
            [["error", "broken.yaml"]],
        );
        assert.strictEqual(run.invocations![0].executionSuccessful, false);
        assert.ok(run.results!.some((r) => r.locations![0].physicalLocation!.artifactLocation!.uri === "state.json"));
        // Relative, forward slashes, percent-encoded, resolved against the working directory.
        assert.ok(
            run.results!.some(
                (r) => r.locations![0].physicalLocation!.artifactLocation!.uri === "charts/rendered%20dir/shop.yaml",
            ),
        );
        assert.ok(
            run.results!.every((r) => r.locations![0].physicalLocation!.artifactLocation!.uriBaseId === "%SRCROOT%"),
        );
        assert.match(run.originalUriBaseIds!["%SRCROOT%"].uri!, /^file:\/\/\/.*\/$/);
    });

    it("describes every policy as a rule, with help, severity and the configured level", async () => {
        const { log } = await sarifOf({ "web.yaml": PRIVILEGED }, [
            "--policy-pack-config",
            path.join(ROOT, "config/restricted.json"),
        ]);
        assert.ok(validate(log), ajv.errorsText(validate.errors));
        const rules = log.runs[0].tool.driver.rules!;
        assert.deepStrictEqual(
            rules.map((r) => r.id),
            allPolicies.map((p) => p.name),
        );
        const restricted = JSON.parse(fs.readFileSync(path.join(ROOT, "config/restricted.json"), "utf8")) as Record<
            string,
            string
        >;
        const bands: Record<string, [number, number]> = {
            critical: [9, 10],
            high: [7, 8.9],
            medium: [4, 6.9],
            low: [0.1, 3.9],
        };
        for (const p of allPolicies) {
            const rule = rules.find((r) => r.id === p.name)!;
            assert.strictEqual(rule.shortDescription?.text, p.displayName);
            assert.strictEqual(rule.fullDescription?.text, p.description);
            assert.strictEqual(rule.helpUri, p.url);
            assert.ok(
                rule.help?.text.includes(p.remediationSteps!) && rule.help.markdown?.includes(`(${p.url})`),
                p.name,
            );
            assert.strictEqual(
                rule.defaultConfiguration?.level,
                restricted[p.name] === "mandatory" ? "error" : "warning",
                p.name,
            );
            const severity = Number(rule.properties!["security-severity"]);
            const [low, high] = bands[p.severity];
            assert.ok(severity >= low && severity <= high, `${p.name}: ${severity}`);
            assert.ok(
                (rule.properties!.tags as string[]).includes("security") &&
                    p.tags.every((t) => (rule.properties!.tags as string[]).includes(t)),
                p.name,
            );
        }
    });

    it("places results at the offending line, with the level the finding has", async () => {
        const { log } = await sarifOf({ "web.yaml": PRIVILEGED });
        const run = log.runs[0];
        const rules = run.tool.driver.rules!;
        const privileged = run.results!.find((r) => r.ruleId === "pss-privileged")!;
        assert.strictEqual(privileged.level, "error");
        assert.strictEqual(rules[privileged.ruleIndex!].id, "pss-privileged");
        assert.strictEqual(
            privileged.locations![0].physicalLocation!.region!.startLine,
            lineOf(PRIVILEGED, "privileged: true"),
        );
        assert.match(
            privileged.message.text!,
            new RegExp(
                /^Deployment prod\/web, container "app": privileged is true /.source +
                    /\(spec\.template\.spec\.containers\[0\]\.securityContext\.privileged\)\. Fix: /.source,
            ),
        );
        assert.deepStrictEqual(privileged.locations![0].logicalLocations, [
            {
                name: "Deployment prod/web",
                fullyQualifiedName: "urn:pulumi:scan::manifests::kubernetes:apps/v1:Deployment::prod/web",
                kind: "resource",
            },
        ]);
        assert.ok(
            run
                .results!.filter((r) => r.properties?.enforcementLevel === "advisory")
                .every((r) => r.level === "warning"),
        );
        for (const r of run.results!) {
            assert.strictEqual(rules[r.ruleIndex!].id, r.ruleId);
        }
    });

    it("keeps fingerprints stable when a finding only moves to another line", async () => {
        const first = await sarifOf({ "web.yaml": PRIVILEGED });
        const moved = await sarifOf({ "web.yaml": `# a comment added above\n\n${PRIVILEGED}` });
        const prints = (log: sarif.Log) =>
            log.runs[0].results!.map((r) => r.partialFingerprints!["containerGuardFinding/v1"]);
        assert.deepStrictEqual(prints(moved.log), prints(first.log));
        assert.notDeepStrictEqual(
            first.log.runs[0].results!.map((r) => r.locations![0].physicalLocation!.region!.startLine),
            moved.log.runs[0].results!.map((r) => r.locations![0].physicalLocation!.region!.startLine),
        );
        assert.strictEqual(
            new Set(prints(first.log)).size,
            prints(first.log).length,
            "distinct findings, distinct fingerprints",
        );
    });
});
