// Pod Security Standards policy versions, and checks whose rules change between versions.
//
// The admission controller keeps, for every check, a list of versioned implementations: the check
// applies the newest one whose minimum version is not newer than the version a namespace pins, and
// does not exist at all before its first one. A check here declares the same list as data: each
// variant names the version it starts at and the rule (the data that differs between versions)
// that applies from then on.

/** A policy version as the namespace label writes it: `v1.N`. */
export type PssVersion = `v1.${number}`;

/** One versioned variant of a check: `rule` applies from `since` until the next variant's `since`. */
export interface VersionedRule<R> {
    readonly since: PssVersion;
    readonly rule: R;
}

/**
 * The newest policy version whose rules are implemented (Kubernetes v1.37). `latest` means this
 * version; a newer `v1.N` is judged by it too, as the admission controller does for versions newer
 * than it knows.
 */
export const LATEST_MINOR = 37;

/** The `version` option: `latest` or `v1.N`. */
export const VERSION_PATTERN = "^(latest|v1\\.(0|[1-9][0-9]{0,2}))$";

const VERSION_RE = /^v1\.(0|[1-9][0-9]{0,2})$/;

/** The minor version of `v1.N`, or undefined if the text is not a version. */
export function minorOf(version: string): number | undefined {
    const m = VERSION_RE.exec(version);
    return m ? Number(m[1]) : undefined;
}

/** Parses the `version` option (`latest` or `v1.N`) into the minor version whose rules apply. */
export function effectiveMinor(version: string): number {
    if (version === "latest") {
        return LATEST_MINOR;
    }
    const minor = minorOf(version);
    if (minor === undefined) {
        throw new Error(`invalid Pod Security Standards version ${JSON.stringify(version)}`);
    }
    return Math.min(minor, LATEST_MINOR);
}

/**
 * Why a variant table is malformed, or undefined if it is well-formed: at least one variant, each
 * `since` a valid `v1.N` no newer than the latest implemented version, in strictly increasing order.
 */
export function variantTableProblem(variants: readonly VersionedRule<unknown>[]): string | undefined {
    if (variants.length === 0) {
        return "has no versions";
    }
    let previous = -1;
    for (const { since } of variants) {
        const minor = minorOf(since);
        if (minor === undefined) {
            return `has an invalid version ${JSON.stringify(since)} (write v1.N)`;
        }
        if (minor > LATEST_MINOR) {
            return `has version ${since}, newer than the latest implemented v1.${LATEST_MINOR}`;
        }
        if (minor <= previous) {
            return `lists ${since} after v1.${previous} (versions must be unique and in increasing order)`;
        }
        previous = minor;
    }
    return undefined;
}

/** The variant that applies at a minor version, or undefined before the check exists. */
export function variantAt<R>(variants: readonly VersionedRule<R>[], minor: number): VersionedRule<R> | undefined {
    let chosen: VersionedRule<R> | undefined;
    for (const v of variants) {
        if (minorOf(v.since)! <= minor) {
            chosen = v;
        }
    }
    return chosen;
}

/** The same rule at every version since the check appeared. */
export function unchangedSince(since: PssVersion): readonly VersionedRule<Record<string, never>>[] {
    return [{ since, rule: {} }];
}

/**
 * Cumulative variants from a table of additions by version (e.g. the sysctls each version allows
 * in addition to the previous ones): the variant at each version holds everything added up to it.
 */
export function cumulativeVariants<T>(
    additions: readonly (readonly [PssVersion, readonly T[]])[],
): readonly VersionedRule<readonly T[]>[] {
    const all: T[] = [];
    return additions.map(([since, added]) => {
        all.push(...added);
        return { since, rule: [...all] };
    });
}
