// The report for tools: one JSON object with a versioned, documented schema (docs/scanning.md, "JSON
// report"). Fields are only added in later versions of the same schemaVersion:
//
//   {schemaVersion: 1, tool: {name, version},
//    summary: {files, resources, findings, mandatory, advisory, errors, exitCode, skipped},
//    findings: [...], errors: [{file, line, column, message}], skipped: [...]}
//
// `errors[].file` is null for a problem with the input as a whole (no resources found, the total size
// limit). `skipped` lists what was not judged — documents that are not Kubernetes objects and objects
// whose kind or API version Kubernetes does not have — each with `file`, `line`, `column`,
// `apiVersion`, `kind`, `name` (null when absent) and `reason`; skipped documents are not counted
// in `resources` and do not change the exit code.

import { type ReportContext, type ScanReport } from "../model";
import { LazyArray, prettyJson } from "./pretty-json";

const JSON_SCHEMA_VERSION = 1;

/** The report, in pieces to be written one after another. */
export function formatJson(report: ScanReport, context: ReportContext): Iterable<string> {
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
            skipped: report.skipped.length,
        },
        // Built one at a time as they are written.
        findings: new LazyArray(report.findings, (f) => ({
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
            file: e.file ?? null,
            line: e.line ?? null,
            column: e.column ?? null,
            message: e.message,
        })),
        skipped: report.skipped.map((s) => ({
            file: s.file,
            line: s.line,
            column: s.column,
            apiVersion: s.apiVersion ?? null,
            kind: s.kind ?? null,
            name: s.name ?? null,
            reason: s.reason,
        })),
    };
    return withNewline(prettyJson(doc));
}

export function* withNewline(pieces: Iterable<string>): Generator<string, void, undefined> {
    yield* pieces;
    yield "\n";
}
