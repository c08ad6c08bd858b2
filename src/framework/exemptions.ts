// Audited exemptions. A team can exempt a resource from a policy in configuration (matched by
// name, URN, namespace, labels or type, always with a reason and optionally an expiry date) or, where
// configuration allows it, with annotations on the resource itself. Nothing disappears silently: an
// exempted finding is still reported, as advisory, with its reason; an expired exemption is named in
// the finding it no longer covers.

import { Field } from "./field";
import { type ResourceIdentity } from "./resource";
import { array, boolean, object, option, record, refine, string } from "./options";

const EXEMPT_ANNOTATION = "container-guard.io/exempt";
const EXEMPT_REASON_ANNOTATION = "container-guard.io/exempt-reason";
const EXEMPT_UNTIL_ANNOTATION = "container-guard.io/exempt-until";

const DATE_PATTERN = "^\\d{4}-\\d{2}-\\d{2}$";

/** A calendar date (YYYY-MM-DD) that exists. */
function isRealDate(s: string): boolean {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const SELECTORS = ["name", "urn", "namespace", "type", "labels"] as const;

const excludeEntry = refine(
    object(
        {
            name: string({
                description: "Glob on the Pulumi resource name or the Kubernetes metadata.name",
                minLength: 1,
            }),
            urn: string({ description: "Glob on the resource URN", minLength: 1 }),
            namespace: string({ description: "Glob on the Kubernetes namespace", minLength: 1 }),
            type: string({
                description: "Glob on the Pulumi type token, e.g. kubernetes:apps/v1:DaemonSet",
                minLength: 1,
            }),
            labels: record(string(), { description: "Kubernetes labels that must all be present, values as globs" }),
            reason: string({
                description: "Why the exemption is acceptable (printed with every exempted finding)",
                minLength: 1,
            }),
            expires: string({
                description: "Last day (YYYY-MM-DD, UTC) the exemption applies",
                pattern: DATE_PATTERN,
                patternHint: "use a date such as 2027-01-31",
            }),
        },
        { required: ["reason"] },
    ),
    (entry, path, errors) => {
        if (!SELECTORS.some((s) => entry[s] !== undefined)) {
            errors.push(`${path} must select resources with at least one of ${SELECTORS.join(", ")}`);
        }
        if (entry.expires !== undefined && !isRealDate(entry.expires)) {
            errors.push(`${path}.expires ${JSON.stringify(entry.expires)} is not a calendar date`);
        }
        if (entry.reason !== undefined && entry.reason.trim() === "") {
            errors.push(`${path}.reason must not be blank`);
        }
    },
);

/** Options every policy accepts. */
export const exemptionOptions = {
    exclude: option(
        array(excludeEntry, {
            description:
                "Resources exempted from this policy. Each entry selects by name, urn, namespace, type and/or labels " +
                "(all given selectors must match; * and ? are wildcards) and needs a reason; expires " +
                "(YYYY-MM-DD) ends it.",
        }),
        [] as ExcludeEntry[],
    ),
    allowAnnotationExemptions: option(
        boolean({
            description:
                `Honour the ${EXEMPT_ANNOTATION} annotation (comma-separated policy names) with ` +
                `${EXEMPT_REASON_ANNOTATION} (and optional ${EXEMPT_UNTIL_ANNOTATION}) on Kubernetes resources.`,
        }),
        false,
    ),
};

type ExcludeEntry = {
    name?: string;
    urn?: string;
    namespace?: string;
    type?: string;
    labels?: Record<string, string>;
    reason: string;
    expires?: string;
};
export type ExemptionOptions = { exclude: ExcludeEntry[]; allowAnnotationExemptions: boolean };

/** The clock expiry dates are judged by. Only tests replace it (`useClock`); nothing a user sets can. */
let clock: () => Date = () => new Date();

/** Today's date (UTC), YYYY-MM-DD: exemptions and accepted vulnerabilities expire after their last day. */
export function today(): string {
    return clock().toISOString().slice(0, 10);
}

/** Replaces the clock (for tests); returns a function that restores the previous one. */
export function useClock(now: () => Date): () => void {
    const previous = clock;
    clock = now;
    return () => {
        clock = previous;
    };
}

const globCache = new Map<string, RegExp>();

/** Matches a glob where `*` is any run of characters and `?` one character. */
export function globMatch(glob: string, value: string): boolean {
    let re = globCache.get(glob);
    if (!re) {
        const body = glob
            .replace(/[.+^${}()|[\]\\/]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".");
        re = new RegExp(`^${body}$`, "s");
        globCache.set(glob, re);
    }
    return re.test(value);
}

/** The outcome for one resource and one policy. */
export type Exemption =
    | { readonly kind: "none"; readonly note?: string }
    | { readonly kind: "exempt"; readonly source: string; readonly reason: string; readonly expires?: string }
    | { readonly kind: "undecided"; readonly source: string; readonly field: Field };

/** Tri-state match: true, false, or the unknown field it depends on. */
type Match = boolean | Field;

function matchString(glob: string | undefined, value: Field | string | undefined): Match {
    if (glob === undefined) {
        return true;
    }
    if (value instanceof Field) {
        if (value.isUnknown) {
            return value;
        }
        value = value.str();
    }
    return value !== undefined && globMatch(glob, value);
}

function all(matches: Match[]): Match {
    if (matches.some((m) => m === false)) {
        return false;
    }
    return matches.find((m) => m instanceof Field) ?? true;
}

/** What exemptions match on, besides the Kubernetes metadata of the resource identity. */
export interface ExemptionSubject {
    /** Pulumi resource name. */
    readonly name: string;
    readonly urn: string;
    /** Pulumi type token. */
    readonly type: string;
}

/** Decides whether a policy's findings on a resource are exempt. The first matching entry wins. */
export function exemptionFor(
    policy: string,
    options: ExemptionOptions,
    args: ExemptionSubject,
    resource: ResourceIdentity,
): Exemption {
    const metadata = resource.metadata;
    const notes: string[] = [];
    const now = today();
    let undecided: Exemption | undefined;
    for (const [i, e] of options.exclude.entries()) {
        const source = `config ${policy}.exclude[${i}]`;
        const m = all([
            // A name selector matches the Pulumi name or the Kubernetes object name.
            e.name === undefined || globMatch(e.name, args.name) || matchString(e.name, metadata?.get("name")),
            matchString(e.urn, args.urn),
            matchString(e.type, args.type),
            e.namespace === undefined ||
                (metadata?.get("namespace").isUnknown
                    ? metadata.get("namespace")
                    : matchString(e.namespace, resource.namespace)),
            ...Object.entries(e.labels ?? {}).map(([k, v]) =>
                metadata ? matchString(v, metadata.get("labels").get(k)) : false,
            ),
        ]);
        if (m === false) {
            continue;
        }
        if (e.expires !== undefined && e.expires < now) {
            notes.push(`The exemption ${source} expired on ${e.expires}.`);
            continue;
        }
        if (m === true) {
            return { kind: "exempt", source, reason: e.reason, expires: e.expires };
        }
        undecided ??= { kind: "undecided", source, field: m };
    }
    const fromAnnotation = annotationExemption(policy, options, metadata, now);
    if (fromAnnotation.kind !== "none") {
        return fromAnnotation;
    }
    if (fromAnnotation.note) {
        notes.push(fromAnnotation.note);
    }
    return undecided ?? { kind: "none", ...(notes.length > 0 && { note: notes.join(" ") }) };
}

function annotationExemption(
    policy: string,
    options: ExemptionOptions,
    metadata: Field | undefined,
    now: string,
): Exemption {
    const annotations = metadata?.get("annotations");
    const exempt = annotations?.get(EXEMPT_ANNOTATION);
    if (!annotations || !exempt || exempt.isAbsent) {
        return { kind: "none" };
    }
    const source = `annotation ${EXEMPT_ANNOTATION}`;
    if (exempt.isUnknown) {
        return options.allowAnnotationExemptions ? { kind: "undecided", source, field: exempt } : { kind: "none" };
    }
    const names = (exempt.str() ?? "").split(",").map((s) => s.trim());
    if (!names.includes(policy)) {
        return { kind: "none" };
    }
    if (!options.allowAnnotationExemptions) {
        return {
            kind: "none",
            note:
                `The resource's ${EXEMPT_ANNOTATION} annotation names this policy, but annotation exemptions are ` +
                `not enabled for it (allowAnnotationExemptions).`,
        };
    }
    const reason = annotations.get(EXEMPT_REASON_ANNOTATION);
    const until = annotations.get(EXEMPT_UNTIL_ANNOTATION);
    for (const f of [reason, until]) {
        if (f.isUnknown) {
            return { kind: "undecided", source, field: f };
        }
    }
    const reasonText = reason.str()?.trim();
    if (!reasonText) {
        return {
            kind: "none",
            note: `The ${EXEMPT_ANNOTATION} annotation is ignored: it needs a ${EXEMPT_REASON_ANNOTATION} annotation.`,
        };
    }
    const untilText = until.str();
    if (untilText !== undefined && !isRealDate(untilText)) {
        return {
            kind: "none",
            note:
                `The ${EXEMPT_ANNOTATION} annotation is ignored: ${EXEMPT_UNTIL_ANNOTATION} must be a date ` +
                `(YYYY-MM-DD).`,
        };
    }
    if (untilText !== undefined && untilText < now) {
        return { kind: "none", note: `The exemption by ${source} expired on ${untilText}.` };
    }
    return { kind: "exempt", source, reason: reasonText, expires: untilText };
}
