import {
    type ImageReference,
    REPOSITORY_PATTERN_HINT,
    REPOSITORY_PATTERN_SYNTAX,
    parseRepositoryPattern,
    repositoryMatches,
} from "../../src/images/image-ref";
import { type Schema, array, boolean, object, option, string } from "../../src/framework/options";
import { today } from "../../src/framework/exemptions";
import { IMAGE_TAGS, type ImageAt, defineImagePolicy, listed, nist800190 } from "../../src/images/image-policy";
import {
    REPORTS_DIR_ENV,
    type ScannedImage,
    type Vulnerability,
    loadReports,
    lookupKeys,
    reportsConfigured,
    severityRank,
} from "../../src/images/scan-reports";

/** A JSON object taken as it is (a scanner report pasted into the configuration). */
function jsonObject(description: string): Schema<Record<string, unknown>> {
    return {
        json: { type: "object", description },
        parse(value, at, errors) {
            if (typeof value !== "object" || value === null || Array.isArray(value)) {
                errors.push(`${at} must be an object (a Trivy or Grype JSON report)`);
                return {};
            }
            return value as Record<string, unknown>;
        },
    };
}

const DATE = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";

const acceptance = object(
    {
        id: string({
            description: "Vulnerability id as the scanner reports it (CVE-…, GHSA-…); Grype's related ids match too.",
            minLength: 1,
        }),
        reason: string({
            description: "Why the vulnerability is accepted (for reviewers of the configuration).",
            minLength: 1,
        }),
        expires: string({
            description: "Last day (UTC) the acceptance applies, YYYY-MM-DD.",
            pattern: DATE,
            patternHint: "use a date such as 2026-06-30",
        }),
        image: string({
            description: "Only for images in this registry or repository, e.g. ghcr.io/acme/app.",
            pattern: REPOSITORY_PATTERN_SYNTAX,
            patternHint: REPOSITORY_PATTERN_HINT,
        }),
    },
    { required: ["id", "reason", "expires"] },
);

type Acceptance = { id: string; reason: string; expires: string; image?: string };

const LISTED_MAX = 5;

/** One vulnerability of an image, merged over packages and reports. */
interface MergedVulnerability {
    readonly v: Vulnerability;
    readonly packages: string[];
}

function merge(reports: readonly ScannedImage[]): MergedVulnerability[] {
    const byId = new Map<string, { v: Vulnerability; packages: string[] }>();
    for (const r of reports) {
        for (const v of r.vulnerabilities) {
            const pkg = `${v.pkg} ${v.installed}`;
            const seen = byId.get(v.id);
            if (!seen) {
                byId.set(v.id, { v, packages: [pkg] });
                continue;
            }
            if (!seen.packages.includes(pkg)) {
                seen.packages.push(pkg);
            }
            // Reports may rate the same vulnerability differently: keep the highest rating, a known fix and every
            // alias.
            seen.v = {
                ...seen.v,
                severity: severityRank(v.severity) > severityRank(seen.v.severity) ? v.severity : seen.v.severity,
                fixedIn: seen.v.fixedIn ?? v.fixedIn,
                aliases: [...new Set([...seen.v.aliases, ...v.aliases])],
            };
        }
    }
    return [...byId.values()];
}

function describeVulnerability(f: MergedVulnerability): string {
    const more =
        f.packages.length > 1 ? ` and ${f.packages.length - 1} more package${f.packages.length > 2 ? "s" : ""}` : "";
    return (
        `${f.v.id} (${f.v.severity}, ${f.packages[0]}${more}, ` +
        `${f.v.fixedIn !== undefined ? `fixed in ${f.v.fixedIn}` : "no fix yet"})`
    );
}

/** Images must not carry known vulnerabilities at or above the configured severity. */
export const imageVulnerabilities = defineImagePolicy({
    name: "image-vulnerabilities",
    displayName: "No known-vulnerable images",
    description:
        "Images that are pulled and run must not have known vulnerabilities at or above the configured severity in " +
        "the scanner reports (Trivy or Grype JSON) given to the policy.",
    severity: "high",
    tags: [...IMAGE_TAGS, "vulnerabilities"],
    remediationSteps:
        "Scan images in CI before `pulumi preview` (trivy image --format json --output <file> <image>, or grype " +
        "<image> -o json --file <file>) and list the reports in the policy's reports option. " +
        "Update vulnerable images (or their base images) to versions with the fixes; accept a vulnerability for a " +
        "limited time with an accept entry (id, reason, expires).",
    url: "https://csrc.nist.gov/pubs/sp/800/190/final",
    framework: nist800190("4.1.1 Image vulnerabilities"),
    options: {
        reports: option(
            array(
                string({
                    description:
                        `Trivy or Grype JSON report file, or a directory of them (its .json files); ` +
                        `relative paths are resolved against $${REPORTS_DIR_ENV}, else the policy pack's directory. ` +
                        `When empty, every report in $${REPORTS_DIR_ENV} is read.`,
                    minLength: 1,
                }),
                { description: "Scanner report files or directories." },
            ),
            [] as string[],
        ),
        inlineReports: option(
            array(jsonObject("A Trivy or Grype JSON report."), {
                description: "Scanner reports given in the configuration itself.",
            }),
            [] as Record<string, unknown>[],
        ),
        severityThreshold: option(
            string({
                description: "Lowest severity reported (vulnerabilities of UNKNOWN severity are never reported).",
                enum: ["LOW", "MEDIUM", "HIGH", "CRITICAL"],
            }),
            "CRITICAL",
        ),
        ignoreUnfixed: option(
            boolean({ description: "Do not report vulnerabilities that have no fixed version yet." }),
            false,
        ),
        accept: option(
            array(acceptance, { description: "Accepted vulnerabilities, each with a reason and an expiry date." }),
            [] as Acceptance[],
        ),
        notScanned: option(
            string({
                description:
                    'What to do with an image no report covers: "advisory" (report as advisory), "enforce" (report ' +
                    'at the policy\'s level, also when no reports are configured) or "ignore".',
                enum: ["advisory", "enforce", "ignore"],
            }),
            "advisory",
        ),
    },
    uses: ["run"],
    // Without reports there is nothing to judge, unless every image must have been scanned.
    active: (o) => o.notScanned === "enforce" || reportsConfigured(o.reports, o.inlineReports),
    check(images, ev) {
        if (images.length === 0) {
            return;
        }
        const o = ev.options;
        const index = loadReports(o.reports, o.inlineReports);
        if (index.problems.length > 0) {
            const reports =
                index.problems.length === 1 ? "a scanner report" : `${index.problems.length} scanner reports`;
            ev.note(
                `cannot use ${reports}: ${listed(index.problems, 3)}. ` +
                    "Fix the policy's reports option (or the report files); images are judged with the other reports " +
                    "meanwhile.",
            );
        }
        const threshold = severityRank(o.severityThreshold);
        const now = today();
        for (const image of images) {
            const p = image.parsed;
            if (p.kind === "error") {
                continue; // reported by the digest and tag rules
            }
            const reports = index.find(p);
            if (reports.length === 0) {
                if (o.notScanned !== "ignore") {
                    ev.violation({
                        at: image.site.field,
                        container: image.site.container,
                        advisory: o.notScanned === "advisory",
                        problem:
                            index.reports.length === 0
                                ? `${image.site.noun} ${image.shown} has not been scanned: no scanner reports are ` +
                                  `configured`
                                : `${image.site.noun} ${image.shown} has not been scanned: none of the ` +
                                  `${index.reports.length} scanner reports matches ${lookupKeys(p)}`,
                        fix:
                            "scan the image before pulumi preview (trivy image --format json, or grype -o json) and " +
                            "add the report to the policy's reports option",
                    });
                }
                continue;
            }
            const expired: string[] = [];
            const acceptedFor = (v: Vulnerability): boolean => {
                const matching = o.accept.filter((a) => (a.id === v.id || v.aliases.includes(a.id)) && appliesTo(a, p));
                if (matching.some((a) => a.expires >= now)) {
                    return true;
                }
                if (matching.length > 0) {
                    expired.push(
                        `${v.id} (expired ${matching
                            .map((a) => a.expires)
                            .sort()
                            .pop()})`,
                    );
                }
                return false;
            };
            const found = merge(reports)
                .filter((f) => severityRank(f.v.severity) >= threshold && severityRank(f.v.severity) > 0)
                .filter((f) => !(o.ignoreUnfixed && f.v.fixedIn === undefined))
                .filter((f) => !acceptedFor(f.v))
                .sort(
                    (a, b) =>
                        severityRank(b.v.severity) - severityRank(a.v.severity) ||
                        Number(a.v.fixedIn === undefined) - Number(b.v.fixedIn === undefined) ||
                        a.v.id.localeCompare(b.v.id),
                );
            if (found.length > 0) {
                report(image, found, reports, expired);
            }
        }

        function report(
            image: ImageAt,
            found: MergedVulnerability[],
            reports: readonly ScannedImage[],
            expired: string[],
        ): void {
            const counts = new Map<string, number>();
            found.forEach((f) => counts.set(f.v.severity, (counts.get(f.v.severity) ?? 0) + 1));
            const bySeverity = [...counts].map(([s, n]) => `${n} ${s}`).join(", ");
            const sources = listed([...new Set(reports.map((r) => r.source))], 2);
            const shownFindings =
                found.slice(0, LISTED_MAX).map(describeVulnerability).join("; ") +
                (found.length > LISTED_MAX ? `; and ${found.length - LISTED_MAX} more` : "");
            ev.violation({
                at: image.site.field,
                container: image.site.container,
                problem:
                    `${image.site.noun} ${image.shown} has ${found.length} known ` +
                    `vulnerabilit${found.length === 1 ? "y" : "ies"} at or above ${o.severityThreshold} ` +
                    `(${bySeverity}; ${sources}): ${shownFindings}` +
                    (expired.length > 0 ? `. Acceptances that no longer apply: ${listed(expired, 3)}` : ""),
                fix:
                    "update the image (or its base image) to versions with the fixes and scan it again; to accept a " +
                    "vulnerability for a time, add it to the policy's accept option with a reason and an expiry date",
            });
        }
    },
});

const patterns = new Map<string, ReturnType<typeof parseRepositoryPattern>>();

/** Whether an acceptance covers an image: it names no image, or the image's repository matches. */
function appliesTo(a: Acceptance, image: ImageReference | { kind: "id" }): boolean {
    if (a.image === undefined) {
        return true;
    }
    if (image.kind !== "reference") {
        return false; // an image ID has no repository to compare
    }
    let pattern = patterns.get(a.image);
    if (!patterns.has(a.image)) {
        pattern = parseRepositoryPattern(a.image);
        patterns.set(a.image, pattern);
    }
    return pattern !== undefined && repositoryMatches(pattern, image);
}
