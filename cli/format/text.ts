// The report for people: findings grouped by resource, mandatory ones first within a resource,
// each with the line of the offending field and the fix (and, indented with it, any note the policy
// added, such as an exemption); documents that were skipped; input errors; a one-line summary.

import { type Finding, type InputError, type ScanReport, type SkippedDocument } from "../model";

interface TextStyle {
    readonly color: boolean;
}

const CODES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const;
type Paint = (code: keyof typeof CODES, s: string) => string;

function painter(color: boolean): Paint {
    return color ? (code, s) => `\u001b[${CODES[code]}m${s}\u001b[0m` : (_code, s) => s;
}

/**
 * A finding's message without the resource name (the group header shows it), split into the problem, the fix and the
 * notes on the lines after it (an exemption and its reason, why an exemption does not apply).
 */
function splitDetail(f: Finding): { problem: string; fix?: string; notes: string[] } {
    let text = f.detail;
    const label = f.resource?.label;
    if (label && (text.startsWith(`${label}, `) || text.startsWith(`${label}: `))) {
        text = text.slice(label.length + 2);
    }
    const [first, ...notes] = text.split("\n");
    // Only the first line holds the policy's own `<problem> (<path>). Fix: <fix>`; notes may quote anything.
    const at = first.lastIndexOf(". Fix: ");
    return at < 0
        ? { problem: text, notes: [] }
        : { problem: first.slice(0, at), fix: first.slice(at + ". Fix: ".length), notes };
}

/** An input error as one line: `file:line:column: message` (only the message for the input as a whole). */
export function inputErrorText(e: InputError): string {
    if (e.file === undefined) {
        return e.message;
    }
    const at = e.line !== undefined ? `:${e.line}${e.column !== undefined ? `:${e.column}` : ""}` : "";
    return `${e.file}${at}: ${e.message}`;
}

/** A skipped document as one line: `file:line:column: Kind name: reason`. */
function skippedText(s: SkippedDocument): string {
    const what = s.kind !== undefined ? `${s.kind}${s.name !== undefined ? ` ${s.name}` : ""}: ` : "";
    return `${s.file}:${s.line}:${s.column}: ${what}${s.reason}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function summary(report: ScanReport, paint: Paint): string {
    const mandatory = report.findings.filter((f) => f.enforcementLevel === "mandatory").length;
    const advisory = report.findings.length - mandatory;
    const scanned = `${plural(report.resources, "resource")} in ${plural(report.files, "file")}`;
    const found =
        report.findings.length === 0
            ? paint("green", "no findings")
            : [
                  mandatory > 0 ? paint("red", plural(mandatory, "mandatory finding")) : "0 mandatory findings",
                  advisory > 0 ? paint("yellow", plural(advisory, "advisory finding")) : "0 advisory findings",
              ].join(", ");
    const errors = report.errors.length > 0 ? `; ${paint("red", plural(report.errors.length, "input error"))}` : "";
    const skipped =
        report.skipped.length > 0
            ? `; ${paint("yellow", `${plural(report.skipped.length, "document")} skipped (not judged)`)}`
            : "";
    return `${scanned}: ${found}${errors}${skipped}.`;
}

export function formatText(report: ScanReport, style: TextStyle): string {
    const paint = painter(style.color);
    const out: string[] = [];
    const groups = new Map<string, Finding[]>();
    for (const f of report.findings) {
        const key = f.resource?.urn ?? "";
        groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    for (const findings of groups.values()) {
        const first = findings[0];
        const start = first.resource?.start ?? first.location;
        const where = `${start.file}:${start.line}`;
        const name = first.resource ? first.resource.label : "stack";
        const template = first.resource?.template ? paint("dim", ` (from ${first.resource.template})`) : "";
        out.push(`${paint("bold", name)}  ${paint("dim", where)}${template}`);
        const ordered = [
            ...findings.filter((f) => f.enforcementLevel === "mandatory"),
            ...findings.filter((f) => f.enforcementLevel !== "mandatory"),
        ];
        for (const f of ordered) {
            const mandatory = f.enforcementLevel === "mandatory";
            const mark = mandatory ? paint("red", "✖ mandatory") : paint("yellow", "⚠ advisory ");
            const severity = f.severity ? ` ${paint("dim", `[${f.severity}]`)}` : "";
            out.push(
                `  ${mark}  ${paint("bold", f.policyName)}${severity}  ` +
                    `${paint("cyan", `${f.location.file}:${f.location.line}:${f.location.column}`)}`,
            );
            const { problem, fix, notes } = splitDetail(f);
            out.push(...problem.split("\n").map((l) => `      ${l}`));
            if (fix !== undefined) {
                out.push(`      ${paint("green", "Fix:")} ${fix}`);
            }
            out.push(...notes.map((l) => `      ${l}`));
        }
        out.push("");
    }
    if (report.skipped.length > 0) {
        out.push(paint("bold", "Skipped (not judged)"));
        for (const s of report.skipped) {
            out.push(`  ${paint("yellow", "○")} ${skippedText(s)}`);
        }
        out.push("");
    }
    if (report.errors.length > 0) {
        out.push(paint("bold", "Input errors"));
        for (const e of report.errors) {
            out.push(`  ${paint("red", "✖")} ${inputErrorText(e)}`);
        }
        out.push("");
    }
    out.push(summary(report, paint));
    return out.join("\n") + "\n";
}
