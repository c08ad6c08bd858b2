// The report for code-scanning uploads: SARIF 2.1.0. Every policy of the pack is a rule (with its
// metadata, help from the remediation steps, and the level the configuration gives it); every
// finding a result at the file and line of the offending field; input errors are tool notifications.
// GitHub code scanning reads `properties.security-severity` (a number in a string, 0.0–10.0) and
// treats rules tagged `security` as security alerts.

import { createHash } from "crypto";
import { pathToFileURL } from "url";
import type * as sarif from "sarif";
import type { EnforcementLevel, Severity } from "@pulumi/policy";
import type { Policy } from "../../src/engine/local-engine";
import { type Finding, type ReportContext, type ScanReport, type SourceLocation } from "../model";

const SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT = "%SRCROOT%";

/** GitHub's bands: critical ≥ 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

function levelOf(enforcement: EnforcementLevel | undefined): sarif.ReportingConfiguration["level"] {
    return enforcement === "advisory" ? "warning" : enforcement === "disabled" ? "none" : "error";
}

/** A report path as a relative URI reference (segments percent-encoded, `..` kept). */
function uriOf(file: string): string {
    return file
        .split("/")
        .map((s) => (s === ".." || s === "." ? s : encodeURIComponent(s)))
        .join("/");
}

function physical(at: SourceLocation, withRegion = true): sarif.PhysicalLocation {
    return {
        artifactLocation: { uri: uriOf(at.file), uriBaseId: SRCROOT },
        ...(withRegion && { region: { startLine: at.line, startColumn: at.column } }),
    };
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
        defaultConfiguration: level === "disabled" ? { enabled: false, level: "none" } : { level: levelOf(level) },
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

export function formatSarif(report: ScanReport, context: ReportContext): string {
    const ruleIndex = new Map(context.policies.map((p, i) => [p.name, i]));
    const results: sarif.Result[] = report.findings.map((f) => ({
        ruleId: f.policyName,
        ...(ruleIndex.has(f.policyName) && { ruleIndex: ruleIndex.get(f.policyName) }),
        level: f.enforcementLevel === "mandatory" ? "error" : "warning",
        message: { text: f.detail },
        locations: [
            {
                physicalLocation: physical(f.location),
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
    }));
    const notifications: sarif.Notification[] = report.errors.map((e) => ({
        level: "error",
        message: { text: `${e.file}: ${e.message}` },
        locations: [
            {
                physicalLocation: physical(
                    { file: e.file, line: e.line ?? 1, column: e.column ?? 1 },
                    e.line !== undefined,
                ),
            },
        ],
    }));
    const log: sarif.Log = {
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
                        rules: context.policies.map((p) => rule(p, context.levels.get(p.name))),
                    },
                },
                originalUriBaseIds: {
                    [SRCROOT]: { uri: pathToFileURL(context.cwd.endsWith("/") ? context.cwd : `${context.cwd}/`).href },
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
    return JSON.stringify(log, null, 2) + "\n";
}
