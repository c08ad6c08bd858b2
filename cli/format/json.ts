// The report for tools: one JSON object with a versioned, documented schema (README, "Scanning
// manifests and stack exports"). Fields are only added in later versions of the same schemaVersion.

import { type ReportContext, type ScanReport } from "../model";

const JSON_SCHEMA_VERSION = 1;

export function formatJson(report: ScanReport, context: ReportContext): string {
    const mandatory = report.findings.filter((f) => f.enforcementLevel === "mandatory").length;
    const doc = {
        schemaVersion: JSON_SCHEMA_VERSION,
        tool: { name: context.toolName, version: context.toolVersion },
        summary: {
            files: report.files,
            resources: report.resources,
            findings: report.findings.length,
            mandatory,
            advisory: report.findings.length - mandatory,
            errors: report.errors.length,
            exitCode: context.exitCode,
        },
        findings: report.findings.map((f) => ({
            policy: f.policyName,
            enforcementLevel: f.enforcementLevel,
            severity: f.severity ?? null,
            description: f.description,
            message: f.detail,
            path: f.path ?? null,
            resource: f.resource
                ? {
                      type: f.resource.type,
                      name: f.resource.name,
                      label: f.resource.label,
                      urn: f.resource.urn,
                      start: {
                          file: f.resource.start.file,
                          line: f.resource.start.line,
                          column: f.resource.start.column,
                      },
                      template: f.resource.template ?? null,
                  }
                : null,
            location: { file: f.location.file, line: f.location.line, column: f.location.column },
        })),
        errors: report.errors.map((e) => ({
            file: e.file,
            line: e.line ?? null,
            column: e.column ?? null,
            message: e.message,
        })),
    };
    return JSON.stringify(doc, null, 2) + "\n";
}
