// Vulnerability scanner reports (Trivy and Grype JSON), read once and indexed by the images they
// describe. CI scans images before `pulumi preview` and hands the reports to the pack; the pack
// itself never calls a scanner or a registry.
//
// A report names its image in several ways: repository digests and image IDs (content) and
// repository:tag names (mutable). Images are matched by digest first; a tag matches only when the
// report does not contradict the image's digest (a report with other digests scanned other content).

import * as fs from "fs";
import * as path from "path";
import { type ImageReference, type ParsedImage, parseImageRef } from "./image-ref";

/** Severities in increasing order; scanners' own spellings are upper-cased onto these. */
export const SEVERITIES = ["UNKNOWN", "NEGLIGIBLE", "LOW", "MEDIUM", "HIGH", "CRITICAL"] as const;
type VulnerabilitySeverity = (typeof SEVERITIES)[number];

export function severityRank(s: string): number {
    const i = SEVERITIES.indexOf(s as VulnerabilitySeverity);
    return i < 0 ? 0 : i;
}

export interface Vulnerability {
    /** CVE or advisory id, as the scanner reports it. */
    readonly id: string;
    /** Other ids of the same vulnerability (Grype's related vulnerabilities). */
    readonly aliases: readonly string[];
    readonly severity: VulnerabilitySeverity;
    readonly pkg: string;
    readonly installed: string;
    /** Versions with the fix, when the scanner knows one. */
    readonly fixedIn: string | undefined;
}

/** One scanned image. */
export interface ScannedImage {
    readonly scanner: "Trivy" | "Grype";
    /** How messages name the report: `Trivy report scans/web.json`. */
    readonly source: string;
    /** Digests of the image's content: repository digests, manifest digest, image ID. */
    readonly digests: ReadonlySet<string>;
    /** Canonical `name:tag` of the image (implicit tags are latest). */
    readonly names: ReadonlySet<string>;
    readonly vulnerabilities: readonly Vulnerability[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === "string");

function toSeverity(v: unknown): VulnerabilitySeverity {
    const s = typeof v === "string" ? v.toUpperCase() : "";
    return (SEVERITIES as readonly string[]).includes(s) ? (s as VulnerabilitySeverity) : "UNKNOWN";
}

/** The canonical `name:tag` a pull of this reference resolves (tags only; a digest-only name has none). */
function nameKey(ref: ImageReference): string | undefined {
    if (ref.tag !== undefined) {
        return `${ref.name}:${ref.tag}`;
    }
    return ref.digest ? undefined : `${ref.name}:latest`;
}

class Identity {
    readonly digests = new Set<string>();
    readonly names = new Set<string>();

    /** Adds whatever a reference, image ID or `repo@digest` says about the image. */
    add(value: unknown): void {
        const parsed: ParsedImage = parseImageRef(value);
        if (parsed.kind === "id") {
            this.digests.add(parsed.digest.value);
        } else if (parsed.kind === "reference") {
            if (parsed.digest) {
                this.digests.add(parsed.digest.value);
            }
            const key = nameKey(parsed);
            if (key) {
                this.names.add(key);
            }
        }
    }
}

/** Trivy's JSON report (`trivy image --format json`, schema version 2). */
function fromTrivy(report: Json): ScannedImage | string {
    const type = text(report.ArtifactType);
    if (type !== undefined && type !== "container_image") {
        return `it is a Trivy report of a ${type}, not of a container image`;
    }
    const id = new Identity();
    const meta = isObject(report.Metadata) ? report.Metadata : {};
    id.add(report.ArtifactName);
    strings(meta.RepoTags).forEach((t) => id.add(t));
    strings(meta.RepoDigests).forEach((d) => id.add(d));
    id.add(meta.ImageID);
    const vulnerabilities: Vulnerability[] = [];
    for (const result of list(report.Results)) {
        for (const v of list(isObject(result) ? result.Vulnerabilities : undefined)) {
            if (!isObject(v) || typeof v.VulnerabilityID !== "string" || v.Status === "not_affected") {
                continue;
            }
            const fixed = text(v.FixedVersion);
            vulnerabilities.push({
                id: v.VulnerabilityID,
                aliases: [],
                severity: toSeverity(v.Severity),
                pkg: text(v.PkgName) ?? "?",
                installed: text(v.InstalledVersion) ?? "?",
                fixedIn: fixed ? fixed : v.Status === "fixed" ? "a newer version" : undefined,
            });
        }
    }
    return { scanner: "Trivy", source: "Trivy report", digests: id.digests, names: id.names, vulnerabilities };
}

/** Grype's JSON report (`grype <image> -o json`). */
function fromGrype(report: Json): ScannedImage | string {
    const src = isObject(report.source) ? report.source : {};
    if (src.type !== "image") {
        return (
            `it is a Grype report of a ${typeof src.type === "string" ? src.type : "source without a type"}, not ` +
            `of a container image`
        );
    }
    const target = isObject(src.target) ? src.target : {};
    const id = new Identity();
    // The user's input may carry a source scheme (grype docker:nginx, grype registry:ghcr.io/acme/web:1).
    id.add(
        typeof target.userInput === "string"
            ? target.userInput.replace(/^(?:docker|podman|registry|containerd):(?![0-9])/, "")
            : undefined,
    );
    strings(target.tags).forEach((t) => id.add(t));
    strings(target.repoDigests).forEach((d) => id.add(d));
    id.add(target.manifestDigest);
    id.add(target.imageID);
    const vulnerabilities: Vulnerability[] = [];
    for (const m of list(report.matches)) {
        const v = isObject(m) && isObject(m.vulnerability) ? m.vulnerability : undefined;
        if (!v || typeof v.id !== "string") {
            continue;
        }
        const artifact = isObject((m as Json).artifact) ? ((m as Json).artifact as Json) : {};
        const fix = isObject(v.fix) ? v.fix : {};
        const versions = strings(fix.versions);
        vulnerabilities.push({
            id: v.id,
            aliases: list((m as Json).relatedVulnerabilities).flatMap((r) =>
                isObject(r) && typeof r.id === "string" ? [r.id] : [],
            ),
            severity: toSeverity(v.severity),
            pkg: text(artifact.name) ?? "?",
            installed: text(artifact.version) ?? "?",
            fixedIn:
                fix.state === "fixed" ? (versions.length > 0 ? versions.join(", ") : "a newer version") : undefined,
        });
    }
    return { scanner: "Grype", source: "Grype report", digests: id.digests, names: id.names, vulnerabilities };
}

/** Reads a parsed JSON document as a Trivy or Grype image report, or says why it is not one. */
function readReport(doc: unknown, source: string): ScannedImage | string {
    const report =
        isObject(doc) && "SchemaVersion" in doc && ("Results" in doc || "ArtifactName" in doc)
            ? fromTrivy(doc)
            : isObject(doc) && Array.isArray(doc.matches) && ("source" in doc || "descriptor" in doc)
              ? fromGrype(doc)
              : undefined;
    if (report !== undefined) {
        return named(report, source);
    }
    return "it is neither a Trivy JSON report (trivy image --format json) nor a Grype JSON report (grype -o json)";
}

/** The report as messages name it: the scanner and where the report came from. */
function named(report: ScannedImage | string, source: string): ScannedImage | string {
    return typeof report === "string" ? report : { ...report, source: `${report.scanner} report ${source}` };
}

/** Scanned images by digest and by canonical name:tag. */
class ReportIndex {
    private readonly byDigest = new Map<string, ScannedImage[]>();
    private readonly byName = new Map<string, ScannedImage[]>();

    constructor(
        readonly reports: readonly ScannedImage[],
        /** Reports that could not be read, with the reason. */
        readonly problems: readonly string[],
    ) {
        const add = (map: Map<string, ScannedImage[]>, key: string, r: ScannedImage) => {
            const at = map.get(key);
            if (at) {
                at.push(r);
            } else {
                map.set(key, [r]);
            }
        };
        for (const r of reports) {
            r.digests.forEach((d) => add(this.byDigest, d, r));
            r.names.forEach((n) => add(this.byName, n, r));
        }
    }

    /** The reports about an image: by digest when it has one, else (or when none matches) by name:tag. */
    find(image: ParsedImage): ScannedImage[] {
        if (image.kind === "error") {
            return [];
        }
        const digest = image.digest?.value;
        const byDigest = digest ? this.byDigest.get(digest) : undefined;
        if (byDigest || image.kind === "id") {
            return byDigest ?? [];
        }
        const key = nameKey(image);
        const byName = key ? (this.byName.get(key) ?? []) : [];
        // A report that lists digests, none of them this image's, scanned other content under the same tag.
        return digest ? byName.filter((r) => r.digests.size === 0) : byName;
    }
}

/** Displays a canonical name for "not scanned" messages. */
export function lookupKeys(image: ParsedImage): string {
    if (image.kind === "id") {
        return image.digest.value;
    }
    if (image.kind === "error") {
        return "";
    }
    return [image.digest?.value, nameKey(image)].filter(Boolean).join(" or ");
}

// ---------------------------------------------------------------------------------------------
// Loading: report files (cached by path, modification time and size) and inline report objects.

/** Where relative report paths are resolved; the pack's own directory when unset. */
export const REPORTS_DIR_ENV = "CONTAINER_GUARD_REPORTS_DIR";

interface CachedFile {
    readonly mtimeMs: number;
    readonly size: number;
    readonly result: ScannedImage | string;
}

const fileCache = new Map<string, CachedFile>();
const inlineCache = new WeakMap<readonly unknown[], (ScannedImage | string)[]>();
let lastIndex: { key: string; inline: readonly unknown[]; index: ReportIndex } | undefined;

function errorText(err: unknown): string {
    const e = err as { code?: unknown; message?: unknown };
    return typeof e?.code === "string"
        ? e.code
        : typeof e?.message === "string"
          ? e.message.split("\n")[0].slice(0, 200)
          : String(err);
}

/** A report file, parsed at most once per content version. */
function loadFile(file: string, stat: fs.Stats): ScannedImage | string {
    const cached = fileCache.get(file);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) {
        return cached.result;
    }
    let result: ScannedImage | string;
    try {
        const doc = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
        result = readReport(doc, file);
    } catch (err) {
        result =
            err instanceof SyntaxError
                ? `it is not valid JSON (${err.message.slice(0, 120)})`
                : `it cannot be read (${errorText(err)})`;
    }
    fileCache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, result });
    return result;
}

interface Entry {
    readonly file: string;
    readonly shownAs: string;
    readonly stat?: fs.Stats;
    readonly problem?: string;
}

/** The report files a configured path names: the file itself, or the `.json` files of a directory. */
function entriesOf(configured: string, baseDir: string): Entry[] {
    const file = path.resolve(baseDir, configured);
    let stat: fs.Stats;
    try {
        stat = fs.statSync(file);
    } catch (err) {
        return [{ file, shownAs: configured, problem: `it cannot be read (${errorText(err)}; resolved to ${file})` }];
    }
    if (!stat.isDirectory()) {
        return [{ file, shownAs: configured, stat }];
    }
    let names: string[];
    try {
        names = fs
            .readdirSync(file)
            .filter((n) => n.endsWith(".json"))
            .sort();
    } catch (err) {
        return [{ file, shownAs: configured, problem: `the directory cannot be read (${errorText(err)})` }];
    }
    return names.flatMap((n): Entry[] => {
        const f = path.join(file, n);
        const shownAs = path.join(configured, n);
        try {
            const s = fs.statSync(f);
            return s.isFile() ? [{ file: f, shownAs, stat: s }] : [];
        } catch (err) {
            return [{ file: f, shownAs, problem: `it cannot be read (${errorText(err)})` }];
        }
    });
}

/**
 * The report paths to read: the configured ones, or, when none are configured and the environment
 * names a reports directory, that whole directory (so CI can switch scanning on without a
 * configuration change).
 */
function reportPaths(files: readonly string[], env: NodeJS.ProcessEnv): readonly string[] {
    return files.length === 0 && env[REPORTS_DIR_ENV] ? ["."] : files;
}

/** Whether any report source is configured (files, inline reports, or the reports directory). */
export function reportsConfigured(
    files: readonly string[],
    inline: readonly unknown[],
    env: NodeJS.ProcessEnv = process.env,
): boolean {
    return reportPaths(files, env).length > 0 || inline.length > 0;
}

/**
 * The index of the configured reports. Files are re-read only when they change; the index is
 * rebuilt only when a report changed or the configuration did.
 */
export function loadReports(
    files: readonly string[],
    inline: readonly unknown[],
    env: NodeJS.ProcessEnv = process.env,
): ReportIndex {
    const baseDir = env[REPORTS_DIR_ENV] || process.cwd();
    const entries = reportPaths(files, env).flatMap((f) => entriesOf(f, baseDir));
    const key = JSON.stringify(entries.map((e) => [e.file, e.stat?.mtimeMs, e.stat?.size, e.problem]));
    if (lastIndex && lastIndex.key === key && lastIndex.inline === inline) {
        return lastIndex.index;
    }
    // A file reached through two configured paths is parsed once and named as each path names it.
    const results: [string, ScannedImage | string][] = entries.map((e) => [
        e.shownAs,
        e.problem ?? named(loadFile(e.file, e.stat!), e.shownAs),
    ]);
    let parsedInline = inlineCache.get(inline);
    if (!parsedInline) {
        parsedInline = inline.map((doc, i) => readReport(doc, `inlineReports[${i}]`));
        inlineCache.set(inline, parsedInline);
    }
    parsedInline.forEach((r, i) => results.push([`inlineReports[${i}]`, r]));
    const reports = results.flatMap(([, r]) => (typeof r === "string" ? [] : [r]));
    const problems = results.flatMap(([shownAs, r]) => (typeof r === "string" ? [`${shownAs}: ${r}`] : []));
    const index = new ReportIndex(reports, problems);
    lastIndex = { key, inline, index };
    return index;
}
