// In-toto predicate types an `image-provenance` requirement can ask for, with cosign's short names
// (`cosign attest --type …`) accepted as aliases, so users can write what they passed to cosign.

/** The predicate type cosign v3 signs (in a DSSE in-toto statement) for a plain `cosign sign`. */
export const COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
export const SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1";
export const SLSA_PROVENANCE_V02 = "https://slsa.dev/provenance/v0.2";
export const CYCLONEDX = "https://cyclonedx.org/bom";
export const SPDX = "https://spdx.dev/Document";

/** What the predicate is, which decides the conditions that can be written for it. */
export type PredicateFamily = "slsa-v1" | "slsa-v0.2" | "sbom" | "other";

export interface PredicateTypeMatcher {
    /** The URI as configured (aliases expanded). */
    readonly uri: string;
    readonly family: PredicateFamily;
    /** Whether an attestation's predicateType satisfies the requirement. */
    matches(predicateType: string): boolean;
}

/** cosign's `--type` aliases (cmd/cosign/cli/options/predicate.go). */
const ALIASES: ReadonlyMap<string, string> = new Map([
    ["slsaprovenance1", SLSA_PROVENANCE_V1],
    ["slsaprovenance", SLSA_PROVENANCE_V02],
    ["slsaprovenance02", SLSA_PROVENANCE_V02],
    ["spdx", SPDX],
    ["spdxjson", SPDX],
    ["cyclonedx", CYCLONEDX],
    ["vuln", "https://cosign.sigstore.dev/attestation/vuln/v1"],
    ["openvex", "https://openvex.dev/ns"],
    ["custom", "https://cosign.sigstore.dev/attestation/v1"],
]);

/**
 * SBOM predicate URIs may carry a version suffix (`…/bom/v1.5`, `…/Document/v2.3`): the unversioned URI accepts them.
 */
const VERSION_SUFFIX = /^\/v\d+(?:\.\d+)*$/;

function familyOf(uri: string): PredicateFamily {
    if (uri === SLSA_PROVENANCE_V1) {
        return "slsa-v1";
    }
    if (uri === SLSA_PROVENANCE_V02) {
        return "slsa-v0.2";
    }
    if (uri.startsWith(CYCLONEDX) || uri.startsWith(SPDX)) {
        return "sbom";
    }
    return "other";
}

/** Compiles a configured predicate type; pushes an error and returns undefined when it is not one. */
export function compilePredicateType(raw: unknown, path: string, errors: string[]): PredicateTypeMatcher | undefined {
    if (raw === undefined) {
        errors.push(
            `${path} is missing: give the in-toto predicate type, e.g. "${SLSA_PROVENANCE_V1}" (or cosign's alias ` +
                `"slsaprovenance1"), "cyclonedx" or "spdx"`,
        );
        return undefined;
    }
    if (typeof raw !== "string" || raw === "") {
        errors.push(
            `${path} must be a predicate type URI or one of cosign's aliases (${[...ALIASES.keys()].join(", ")})`,
        );
        return undefined;
    }
    const uri = ALIASES.get(raw) ?? raw;
    if (!ALIASES.has(raw) && !/^[a-z][a-z0-9+.-]*:\S+$/i.test(raw)) {
        errors.push(
            `${path} ${JSON.stringify(raw)} is neither a URI nor one of cosign's aliases ` +
                `(${[...ALIASES.keys()].join(", ")})`,
        );
        return undefined;
    }
    if (uri === COSIGN_SIGN_PREDICATE) {
        errors.push(
            `${path} ${JSON.stringify(raw)} is what cosign signs for a plain signature: require signatures with the ` +
                `image-signature policy`,
        );
        return undefined;
    }
    const acceptsVersions = uri === CYCLONEDX || uri === SPDX;
    return {
        uri,
        family: familyOf(uri),
        matches: (predicateType) =>
            predicateType === uri ||
            (acceptsVersions && predicateType.startsWith(uri) && VERSION_SUFFIX.test(predicateType.slice(uri.length))),
    };
}
