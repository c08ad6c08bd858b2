// The options of the `image-signature` and `image-provenance` policies and of `image-digest-pinned`'s
// digest resolution, in the pack's options DSL: one description gives the JSON schema the engine
// checks, the typed configuration of the composable API and the parsing. The DSL checks the shape
// (with "did you mean" for misspelled keys); the supply-chain compilers then check the meaning (PEM
// keys, identities, image globs, predicate types, conditions), so every problem is a configuration
// error at Configure that names the option, e.g.
// `requirements[1].keyless[0].subjectRegExp is not a valid regular expression (…)`.

import * as path from "path";
import {
    type Schema,
    array,
    boolean,
    feature,
    integer,
    object,
    option,
    refine,
    string,
    type OptionValues,
} from "../framework/options";
import { HOST_PORT, LIMIT_RANGES } from "./config";
import {
    type Limits,
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUT_SECONDS,
    type VerifierOptions,
    trustedRootProblem,
} from "./verifier";
import {
    type ProvenanceRequirement,
    type SignatureRequirement,
    TLOG_MODES,
    compileProvenanceRequirements,
    compileSignatureRequirements,
} from "./requirements";

/** A JSON value of one of several types, checked by the compiler that reads it. */
function oneOfTypes<T>(
    types: ("string" | "number" | "boolean" | "array" | "object")[],
    description: string,
    extra: object = {},
): Schema<T> {
    return {
        json: { type: types, description, ...extra },
        parse(value) {
            return value as T; // the requirement compiler reports what is wrong with it, by path
        },
    };
}

const globs = (description: string) =>
    oneOfTypes<string | string[]>(["string", "array"], description, { items: { type: "string" } });

const keyless = object(
    {
        issuer: string({
            description:
                "OIDC issuer of the signing certificate, exactly, e.g. https://token.actions.githubusercontent.com",
        }),
        issuerRegExp: string({ description: "OIDC issuer as a regular expression (anchored at both ends)" }),
        subject: string({ description: "Certificate subject (SAN: e-mail or URI), exactly" }),
        subjectRegExp: string({
            description:
                "Certificate subject as a regular expression (anchored at both ends), " +
                "e.g. https://github.com/acme/.*/.github/workflows/release.yml@refs/tags/.*",
        }),
        ignoreSCT: boolean({ description: "Accept certificates without an embedded SCT (certificate transparency)" }),
    },
    {
        description:
            "A trusted keyless (Fulcio certificate) identity: issuer or issuerRegExp, subject or subjectRegExp",
    },
);

const requirementFields = {
    name: string({ description: "A label for people (not part of the requirement)" }),
    images: array(string(), {
        description:
            'Image globs the requirement covers, e.g. "ghcr.io/acme/*" (* within a path segment, ** across segments)',
    }),
    keys: array(string(), { description: "Trusted public keys (PEM, as in cosign.pub): ECDSA, RSA or Ed25519" }),
    keyless: array(keyless, { description: "Trusted certificate identities (cosign keyless signing)" }),
    tlog: string({
        description:
            'Transparency-log evidence: "required" (default for keyless), "ifPresent" (default for keys: verify ' +
            'the entries a signature carries) or "ignore"',
        enum: TLOG_MODES,
    }),
};

const signatureRequirement = object(requirementFields, { required: ["images"] });

const condition = object({
    path: string({ description: "Path in the predicate, e.g. buildDefinition.externalParameters.workflow.ref" }),
    equals: oneOfTypes<string | number | boolean>(["string", "number", "boolean"], "The value, exactly"),
    oneOf: array(oneOfTypes<string | number | boolean>(["string", "number", "boolean"], "An accepted value"), {
        description: "The accepted values",
    }),
    matches: string({ description: "A regular expression the value must match (anchored at both ends)" }),
});

const provenanceRequirement = object(
    {
        ...requirementFields,
        predicateType: string({
            description:
                "In-toto predicate type: a URI or one of cosign's --type names (slsaprovenance1, slsaprovenance, " +
                "cyclonedx, spdx, spdxjson, vuln, openvex, custom)",
        }),
        conditions: object(
            {
                builderId: globs("SLSA builder id glob(s), e.g. https://github.com/actions/runner/*"),
                buildType: globs("SLSA build type glob(s)"),
                sourceRepository: globs("Source repository glob(s), e.g. github.com/acme/*"),
                fields: array(condition, { description: "Checks of any predicate field by path" }),
            },
            { description: "Conditions on the predicate; all must hold" },
        ),
    },
    { required: ["images", "predicateType"] },
);

/** The requirements option, whose meaning is checked by the supply-chain compiler after its shape. */
function requirements<T, R>(
    item: Schema<T>,
    compile: (raw: unknown, path: string) => { errors: readonly string[]; requirements: readonly R[] },
    description: string,
) {
    return option(
        refine(array(item, { description }), (value, at, errors) => {
            errors.push(...compile(value, at).errors);
        }),
        [] as T[],
    );
}

/** Options of the registry client (shared by the verification policies and digest resolution). */
const registryFields = {
    insecureRegistries: array(
        string({
            // HOST_PORT is case-insensitive; JSON Schema patterns have no flags.
            pattern: HOST_PORT.source.replace(/a-z/g, "A-Za-z").replace(/0-9a-f:/g, "0-9A-Fa-f:"),
            patternHint: 'give a registry host[:port] without scheme or path, e.g. "127.0.0.1:5000"',
        }),
        {
            description:
                "Registries (host[:port] as in image names) spoken to over plain HTTP; every other registry is " +
                "reached over HTTPS only.",
        },
    ),
    timeoutSeconds: integer({
        description: "Deadline per image for reaching its registry (resolving the tag and fetching evidence)",
        minimum: 1,
        maximum: 300,
    }),
    evidenceDir: string({
        description:
            "Read tags, signatures and attestations from this evidence directory instead of registries (no " +
            "network). Empty: registries.",
    }),
    dockerConfig: string({
        description:
            "Docker config.json with registry credentials (auths; credential helpers are not run). Empty: " +
            "$DOCKER_CONFIG/config.json, else ~/.docker/config.json.",
    }),
    limits: object(
        Object.fromEntries(
            (Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]).map((k) => [
                k,
                integer({
                    description: `Default ${DEFAULT_LIMITS[k]}`,
                    minimum: LIMIT_RANGES[k][0],
                    maximum: LIMIT_RANGES[k][1],
                }),
            ]),
        ) as Record<keyof Limits, Schema<number>>,
        {
            description:
                "Bounds on what a registry may send: manifestBytes, blobBytes, maxReferrers, maxRedirects, " +
                "concurrency (requests in flight)",
        },
    ),
};

const trustedRoot = refine(
    string({
        description:
            "Path of a Sigstore trusted_root.json (certificate authorities, transparency and CT logs, timestamp " +
            "authorities): needed for keyless signers and to verify transparency-log entries. Never fetched. Empty: " +
            "none.",
    }),
    (file, at, errors) => {
        const problem = file === "" ? undefined : trustedRootProblem(file);
        if (typeof problem === "string") {
            errors.push(`${at}: ${problem}`);
        }
    },
);

/** Options both verification policies have besides `requirements`. */
const verifierOptions = {
    insecureRegistries: option(registryFields.insecureRegistries, [] as string[]),
    timeoutSeconds: option(registryFields.timeoutSeconds, DEFAULT_TIMEOUT_SECONDS),
    evidenceDir: option(registryFields.evidenceDir, ""),
    trustedRoot: option(trustedRoot, ""),
    dockerConfig: option(registryFields.dockerConfig, ""),
    limits: option(registryFields.limits, {}),
    offline: option(
        boolean({
            description:
                "Never reach a registry: verify from evidenceDir only (container-guard scan --offline sets this).",
        }),
        false,
    ),
};

export const signaturePolicyOptions = {
    requirements: requirements(
        signatureRequirement,
        compileSignatureRequirements,
        "Which images must be signed, and by whom: [{images, keys and/or keyless, tlog?, name?}]. Images no " +
            "requirement covers are not judged; an image several cover must satisfy all of them.",
    ),
    ...verifierOptions,
};

export const provenancePolicyOptions = {
    requirements: requirements(
        provenanceRequirement,
        compileProvenanceRequirements,
        "Which images need which signed attestation: [{images, keys and/or keyless, predicateType, conditions?, " +
            "tlog?, name?}]. Images no requirement covers are not judged.",
    ),
    ...verifierOptions,
};

export type SignaturePolicyOptions = OptionValues<typeof signaturePolicyOptions>;
export type ProvenancePolicyOptions = OptionValues<typeof provenancePolicyOptions>;
export type VerificationPolicyOptions = SignaturePolicyOptions | ProvenancePolicyOptions;

export type RequirementKind = "signature" | "attestation";

/** The compiled requirements of a verification policy's (already parsed) options. */
export function compiledRequirements(
    kind: "signature",
    options: VerificationPolicyOptions,
): readonly SignatureRequirement[];
export function compiledRequirements(
    kind: "attestation",
    options: VerificationPolicyOptions,
): readonly ProvenanceRequirement[];
export function compiledRequirements(
    kind: RequirementKind,
    options: VerificationPolicyOptions,
): readonly (SignatureRequirement | ProvenanceRequirement)[];
export function compiledRequirements(kind: RequirementKind, options: VerificationPolicyOptions) {
    const compile = kind === "signature" ? compileSignatureRequirements : compileProvenanceRequirements;
    return compile(options.requirements, "requirements").requirements;
}

/** Problems that involve several options of a verification policy (reported at Configure). */
export function verificationOptionProblems(kind: RequirementKind, options: VerificationPolicyOptions): string[] {
    const problems: string[] = [];
    const reqs = compiledRequirements(kind, options);
    if (options.trustedRoot === "") {
        for (const r of reqs) {
            if (r.signers.some((s) => s.kind === "keyless")) {
                problems.push(
                    `${r.path}.keyless needs trustedRoot: the path of a Sigstore trusted_root.json holding the ` +
                        `certificate authority (and logs) that issued the signing certificates`,
                );
            }
        }
    }
    if (options.offline && options.evidenceDir === "" && reqs.length > 0) {
        problems.push(
            "offline is true (container-guard scan --offline sets it) but evidenceDir is not set: with no registry " +
                "and no evidence directory no image could " +
                "be verified; set evidenceDir to a directory filled by the evidence collector where the registries " +
                "are reachable",
        );
    }
    return problems;
}

/** Registry settings as the options spell them (verification policies, digest resolution). */
interface RegistrySettings {
    readonly insecureRegistries?: readonly string[];
    readonly timeoutSeconds?: number;
    readonly evidenceDir?: string;
    readonly dockerConfig?: string;
    readonly limits?: Partial<Limits>;
    readonly trustedRoot?: string;
}

/** The verifier options of parsed settings (empty strings mean "not set"). Relative paths resolve against the cwd. */
export function verifierOptionsOf(settings: RegistrySettings): VerifierOptions {
    const file = (p: string | undefined) => (p ? path.resolve(p) : undefined);
    const evidenceDir = file(settings.evidenceDir);
    const trustedRootFile = file(settings.trustedRoot);
    const dockerConfig = file(settings.dockerConfig);
    return {
        timeoutSeconds: settings.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
        insecureRegistries: (settings.insecureRegistries ?? []).map((h) => h.toLowerCase()),
        ...(evidenceDir && { evidenceDir }),
        ...(trustedRootFile && { trustedRoot: trustedRootFile }),
        ...(dockerConfig && { dockerConfig }),
        ...(settings.limits && Object.keys(settings.limits).length > 0 && { limits: { ...settings.limits } }),
    };
}

/** `image-digest-pinned`'s `resolveDigests`: off, on with defaults, or registry settings. */
export const resolveDigestsOption = option(
    feature(
        object({
            insecureRegistries: registryFields.insecureRegistries,
            timeoutSeconds: registryFields.timeoutSeconds,
            evidenceDir: registryFields.evidenceDir,
            dockerConfig: registryFields.dockerConfig,
            limits: registryFields.limits,
        }),
        {
            description:
                "At the remediate level, pin tag-only images to the digest their registry names for the tag: false " +
                "(never contact a registry), true (registries over HTTPS, default settings) or {insecureRegistries, " +
                "timeoutSeconds, evidenceDir, dockerConfig, limits}.",
        },
    ),
    false,
);
