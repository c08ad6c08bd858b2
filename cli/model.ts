// What the scanner reads and what it reports: resources taken from manifests and stack exports, each
// with where it came from, and the findings and input errors of a scan.

import type { EnforcementLevel, Severity } from "@pulumi/policy";
import type { Policy, EngineResource } from "../src/engine/local-engine";

/** A place in an input file (1-based line and column). */
export interface SourceLocation {
    /** The file as reports show it: relative to the working directory, forward slashes. */
    readonly file: string;
    readonly line: number;
    readonly column: number;
}

/** A resource found in an input, ready to be judged as the engine would judge it. */
export interface ScanResource {
    /**
     * What resource policies receive (Analyze: the inputs); undefined when the engine's Analyze would not concern this
     * pack (providers, the stack).
     */
    readonly analyze?: EngineResource;
    /** What stack policies receive (AnalyzeStack: the outputs, with parent and dependencies). */
    readonly stack: EngineResource;
    readonly urn: string;
    /** How reports name the resource, e.g. `Deployment prod/web`. */
    readonly label: string;
    /** Where the resource starts. */
    readonly location: SourceLocation;
    /** Where the field at a JSON path (relative to the resource's props) is, as far as it can be found. */
    readonly locate?: (path: string) => SourceLocation | undefined;
    /** For rendered Helm output: the chart template the object came from (`# Source:` comment). */
    readonly template?: string;
}

/**
 * A problem with the scanner's input: an unreadable file, invalid YAML, a malformed stack export, an input over a size
 * limit. `file` is absent for problems with the input as a whole (no resources at all, the total size).
 */
export interface InputError {
    readonly file?: string;
    readonly line?: number;
    readonly column?: number;
    readonly message: string;
}

/**
 * A document or object the scanner did not judge, and why: not a Kubernetes object, or a kind or API version
 * Kubernetes does not have (see inputs/kubernetes-api.ts for the exact rule).
 */
export interface SkippedDocument extends SourceLocation {
    readonly apiVersion?: string;
    readonly kind?: string;
    /** metadata.name, when the document has one. */
    readonly name?: string;
    readonly reason: string;
}

/**
 * The resources that are judged together by stack policies: all manifests of a scan form one such
 * group (as one program deploying them would), and each stack export is a group of its own.
 */
export interface ResourceGroup {
    readonly resources: ScanResource[];
    /** Where findings of stack policies that name no resource are placed. */
    readonly location: SourceLocation;
}

/** One diagnostic, as the engine would print it, placed in the input. */
export interface Finding {
    readonly policyName: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly severity?: Severity;
    /** The policy's description (first line of the engine's message). */
    readonly description: string;
    /** The engine's message without the description line. */
    readonly detail: string;
    /** The JSON path of the offending field within the resource, when the message names one. */
    readonly path?: string;
    /** The resource the finding is about (absent for stack findings that name none). */
    readonly resource?: {
        readonly type: string;
        readonly name: string;
        readonly label: string;
        readonly urn: string;
        /** Where the resource starts. */
        readonly start: SourceLocation;
        readonly template?: string;
    };
    readonly location: SourceLocation;
}

/** The outcome of a scan. */
export interface ScanReport {
    readonly findings: Finding[];
    readonly errors: InputError[];
    /** Documents and objects that were not judged. */
    readonly skipped: SkippedDocument[];
    /** Files read (stdin counts as one). */
    readonly files: number;
    /** Resources judged. */
    readonly resources: number;
}

/** What every output format needs besides the report. */
export interface ReportContext {
    readonly policies: readonly Policy[];
    /** Each policy's enforcement level after configuration. */
    readonly levels: ReadonlyMap<string, EnforcementLevel>;
    readonly toolName: string;
    readonly toolVersion: string;
    readonly informationUri: string;
    /** Absolute working directory (report paths are relative to it). */
    readonly cwd: string;
    /** Absolute directory SARIF URIs are relative to (files outside it get absolute file:// URIs); default cwd. */
    readonly sarifBase?: string;
    readonly exitCode: number;
}
