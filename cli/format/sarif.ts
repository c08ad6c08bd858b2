// The report for code-scanning uploads: SARIF 2.1.0. Every policy that ran (not disabled by the
// configuration) is a rule (with its metadata, help from the remediation steps, and the level the
// configuration gives it); every finding a result at the file and line of the offending field; input
// errors and skipped documents are tool notifications. GitHub code scanning reads
// `properties.security-severity` (a number in a string, 0.0–10.0) and treats rules tagged `security`
// as security alerts.
//
// Artifact URIs resolve in code-scanning viewers: a file under the base directory (--sarif-base, by
// default the git repository around the working directory) is a relative URI against %SRCROOT%, which
// viewers map to the repository root; any other file is an absolute file:// URI.

import { createHash } from "crypto";
import * as path from "path";
import { pathToFileURL } from "url";
import type * as sarif from "sarif";
import type { EnforcementLevel, Severity } from "@pulumi/policy";
import type { Policy } from "../../src/engine/local-engine";
import { type Finding, type ReportContext, type ScanReport } from "../model";
import { LazyArray, prettyJson } from "./pretty-json";
import { withNewline } from "./json";

const SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT = "%SRCROOT%";

/** GitHub's bands: critical ≥ 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

function levelOf(enforcement: EnforcementLevel | undefined): sarif.ReportingConfiguration["level"] {
    return enforcement === "advisory" ? "warning" : "error";
}

/** Where report paths (relative to the working directory) point in SARIF. */
function artifactLocator(cwd: string, base: string): (file: string) => sarif.ArtifactLocation {
    return (file) => {
        const abs = path.resolve(cwd, file);
        const rel = path.relative(base, abs);
        if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) {
            return { uri: pathToFileURL(abs).href };
        }
        // A relative reference: segments percent-encoded, forward slashes.
        return { uri: rel.split(path.sep).map(encodeURIComponent).join("/"), uriBaseId: SRCROOT };
    };
}

function region(at: { line?: number; column?: number }): sarif.Region | undefined {
    return at.line !== undefined
        ? { startLine: at.line, ...(at.column !== undefined && { startColumn: at.column }) }
        : undefined;
}

function rule(p: Policy, level: EnforcementLevel | undefined): sarif.ReportingDescriptor {
    const steps = p.remediationSteps?.trim();
    const url = p.url;
    const helpText = [steps, url && `More: ${url}`].filter(Boolean).join("\n\n");
    const helpMarkdown = [steps, url && `[Documentation](${url})`].filter(Boolean).join("\n\n");
    const tags = ["security", ...(p.tags ?? []).filter((t) => t !== "security")];
    return {
        id: p.name,
        shortDescription: { text: p.displayName || p.name },
        fullDescription: { text: p.description },
        ...(helpText && { help: { text: helpText, markdown: helpMarkdown } }),
        ...(url && { helpUri: url }),
        defaultConfiguration: { level: levelOf(level) },
        properties: {
            tags,
            precision: "very-high",
            ...(p.severity && { "security-severity": SECURITY_SEVERITY[p.severity], severity: p.severity }),
            ...(p.framework && { framework: p.framework.name }),
        },
    };
}

function fingerprint(f: Finding): string {
    // Stable while the finding stays the same, wherever its line moves.
    return createHash("sha256")
        .update([f.policyName, f.resource?.type ?? "", f.resource?.label ?? "", f.detail].join("\u0000"))
        .digest("hex")
        .slice(0, 32);
}

const NOTIFICATIONS: sarif.ReportingDescriptor[] = [
    {
        id: "input-error",
        shortDescription: { text: "An input could not be read or judged; the scan exits with code 2." },
    },
    {
        id: "skipped",
        shortDescription: {
            text:
                "A document was not judged: it is not a Kubernetes object, or Kubernetes has no such kind or API " +
                "version.",
        },
    },
];

export function formatSarif(report: ScanReport, context: ReportContext): Iterable<string> {
    const ran = context.policies.filter((p) => context.levels.get(p.name) !== "disabled");
    const ruleIndex = new Map(ran.map((p, i) => [p.name, i]));
    const artifact = artifactLocator(context.cwd, context.sarifBase ?? context.cwd);
    const results = new LazyArray(report.findings, (f): sarif.Result => {
        const where = region(f.location);
        return {
            ruleId: f.policyName,
            ...(ruleIndex.has(f.policyName) && { ruleIndex: ruleIndex.get(f.policyName) }),
            level: f.enforcementLevel === "mandatory" ? "error" : "warning",
            message: { text: f.detail },
            locations: [
                {
                    physicalLocation: { artifactLocation: artifact(f.location.file), ...(where && { region: where }) },
                    ...(f.resource && {
                        logicalLocations: [
                            { name: f.resource.label, fullyQualifiedName: f.resource.urn, kind: "resource" },
                        ],
                    }),
                },
            ],
            partialFingerprints: { "containerGuardFinding/v1": fingerprint(f) },
            properties: {
                enforcementLevel: f.enforcementLevel,
                ...(f.severity && { severity: f.severity }),
                ...(f.path !== undefined && { jsonPath: f.path }),
                ...(f.resource?.template && { helmTemplate: f.resource.template }),
            },
        };
    });
    const located = (file: string | undefined, at: { line?: number; column?: number }): sarif.Location[] => {
        if (file === undefined) {
            return [];
        }
        const where = region(at);
        return [{ physicalLocation: { artifactLocation: artifact(file), ...(where && { region: where }) } }];
    };
    const notifications: sarif.Notification[] = [
        ...report.errors.map((e): sarif.Notification => ({
            level: "error",
            message: { text: e.file !== undefined ? `${e.file}: ${e.message}` : e.message },
            descriptor: { id: "input-error", index: 0 },
            locations: located(e.file, e),
        })),
        ...report.skipped.map((s): sarif.Notification => ({
            level: "warning",
            message: { text: `${s.file}: skipped (not judged): ${s.reason}` },
            descriptor: { id: "skipped", index: 1 },
            locations: located(s.file, s),
            properties: {
                ...(s.apiVersion !== undefined && { apiVersion: s.apiVersion }),
                ...(s.kind !== undefined && { kind: s.kind }),
                ...(s.name !== undefined && { name: s.name }),
            },
        })),
    ];
    const base = context.sarifBase ?? context.cwd;
    const log = {
        $schema: SARIF_SCHEMA_URI,
        version: "2.1.0",
        runs: [
            {
                tool: {
                    driver: {
                        name: context.toolName,
                        version: context.toolVersion,
                        semanticVersion: context.toolVersion,
                        informationUri: context.informationUri,
                        rules: ran.map((p) => rule(p, context.levels.get(p.name))),
                        notifications: NOTIFICATIONS,
                    },
                },
                originalUriBaseIds: {
                    [SRCROOT]: { uri: pathToFileURL(base.endsWith(path.sep) ? base : `${base}${path.sep}`).href },
                },
                invocations: [
                    {
                        executionSuccessful: report.errors.length === 0,
                        exitCode: context.exitCode,
                        toolExecutionNotifications: notifications,
                    },
                ],
                columnKind: "utf16CodeUnits",
                results,
            },
        ],
    };
    return withNewline(prettyJson(log));
}
