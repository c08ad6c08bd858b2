// The verification engine: resolves images to digests, gathers evidence, judges it against
// requirements and answers with verdicts, at most once per (repository, digest, requirement) in a
// process, however many resources name the image.
//
// Caching and coalescing: every step is cached as a promise, so concurrent callers share the work in
// flight and later callers get the result. A digest's verdict never changes (content is immutable),
// so it is kept for the process. Failures are cached too: an unreachable registry costs at most
// `timeoutSeconds` per image, not per resource, and a registry that did not answer at all is not
// asked again (see http.ts). A tag's resolution is also kept for the process: one preview judges one
// state of the registry, and re-resolving per resource could give different resources different
// answers for the same tag.
//
// Fail closed: the verdict is "verified" only when a trusted signature bound to the digest (and,
// for provenance, meeting the conditions) was found. Anything else — nothing found, the wrong signer,
// a replayed signature, an expired certificate, a registry that did not answer, an oversized or
// malformed response — is "failed" (the evidence says no) or "error" (the evidence could not be
// obtained or read), with a reason for people. No method throws.

import * as fs from "fs";
import { type ImageReference, type ParsedImage, formatImageRef, pulledTag } from "../images/image-ref";
import { DockerCredentials } from "./auth";
import { conditionFailures } from "./conditions";
import { errorText, isObject } from "./config-util";
import { DirectorySource, type EvidenceItem, type EvidenceSet, type EvidenceSource, RegistrySource } from "./evidence";
import { Deadline, EvidenceError, Transport } from "./http";
import { RegistryClient, type Repository, repositoryName } from "./registry";
import { type ProvenanceRequirement, type Requirement, type SignatureRequirement } from "./requirements";
import { type ItemOutcome, type TrustContext, evaluateItem } from "./verify";

/** An evidence lookup shared by every verification of the same digest. */
interface EvidenceFetch {
    readonly promise: Promise<EvidenceSet>;
    /** It failed only because the verification that started it had finished and stopped waiting. */
    abandoned: boolean;
}

export interface Limits {
    /** Manifests, indexes and referrer lists (default 4 MiB). */
    readonly manifestBytes: number;
    /** Bundles, signature payloads, attestation envelopes, evidence files (default 16 MiB). */
    readonly blobBytes: number;
    /** Referrers, legacy layers or evidence files read per digest (default 128). */
    readonly maxReferrers: number;
    /** Redirects followed per request (default 5). */
    readonly maxRedirects: number;
    /** Requests in flight at once, over all registries (default 8). */
    readonly concurrency: number;
}

export const DEFAULT_LIMITS: Limits = {
    manifestBytes: 4 * 1024 * 1024,
    blobBytes: 16 * 1024 * 1024,
    maxReferrers: 128,
    maxRedirects: 5,
    concurrency: 8,
};

export const DEFAULT_TIMEOUT_SECONDS = 10;

export interface VerifierOptions {
    /** Per-image deadline for resolving and fetching evidence (default 10). */
    readonly timeoutSeconds?: number;
    /** Per-request timeout (default: timeoutSeconds). */
    readonly requestTimeoutSeconds?: number;
    /** Registries (`host[:port]` as in image names) spoken to over plain HTTP; no others ever are. */
    readonly insecureRegistries?: readonly string[];
    /** Read evidence from this directory instead of registries (no network at all). */
    readonly evidenceDir?: string;
    /** Path of a Sigstore trusted_root.json (needed for keyless signers and transparency-log checks). */
    readonly trustedRoot?: string;
    /**
     * Path of a Docker config.json to read credentials from (default: $DOCKER_CONFIG/config.json or
     * ~/.docker/config.json).
     */
    readonly dockerConfig?: string;
    readonly limits?: Partial<Limits>;
    /** Extra PEM CA certificates to trust for HTTPS (for tests and private CAs). */
    readonly extraCaPem?: string;
    /** Environment to read DOCKER_CONFIG, DOCKER_AUTH_CONFIG and HOME from (default: process.env). */
    readonly env?: NodeJS.ProcessEnv;
}

export type VerdictStatus = "verified" | "failed" | "error";

export interface Verdict {
    /**
     * verified: a trusted, bound signature (and conditions) found; failed: the evidence says no; error: could not
     * verify.
     */
    readonly status: VerdictStatus;
    /** The image as given. */
    readonly image: string;
    /** `registry/path`. */
    readonly repository?: string;
    /** The digest that was verified. */
    readonly digest?: string;
    /** The tag the digest was resolved from, when the image named no digest. */
    readonly resolvedFromTag?: string;
    /** Why, in words: which signer was expected and what was found. */
    readonly reason: string;
    /** The trusted signer that verified it. */
    readonly signer?: string;
    /** Where the accepted evidence was found. */
    readonly evidence?: string;
    /** The requirement judged (its configuration path). */
    readonly requirement: string;
}

export type DigestResolution =
    | { readonly status: "resolved"; readonly digest: string; readonly fromTag?: string; readonly pinned: string }
    | { readonly status: "failed" | "error"; readonly reason: string };

/** Counters, for the bench and tests. */
export interface VerifierStats {
    /** Verifications of a (repository, digest, requirement) actually performed. */
    readonly verifications: number;
    /** Tag resolutions actually performed. */
    readonly resolutions: number;
    /** Evidence lookups actually performed (bundles, legacy signatures, legacy attestations). */
    readonly evidenceFetches: number;
    /** HTTP requests sent. */
    readonly httpRequests: number;
}

function short(digest: string): string {
    return digest.length > 19 ? `${digest.slice(0, 19)}…` : digest;
}

/** The written reference with the digest added: `name:tag` → `name:tag@sha256:…` (for remediation). */
export function pinnedReference(ref: ImageReference, digest: string): string {
    return `${formatImageRef({ ...ref, digest: undefined })}@${digest}`;
}

function repositoryOf(ref: ImageReference): Repository {
    return { registry: ref.domain.toLowerCase(), path: ref.path };
}

export class Verifier {
    private readonly timeoutSeconds: number;
    private readonly transport: Transport | undefined;
    private readonly source: EvidenceSource;
    private readonly verdicts = new Map<string, Promise<Verdict>>();
    private readonly digestVerdicts = new Map<string, Promise<Omit<Verdict, "image" | "resolvedFromTag">>>();
    private readonly resolutions = new Map<string, Promise<DigestResolution>>();
    private readonly evidence = new Map<string, EvidenceFetch>();
    private trust?: Promise<TrustContext | string>;
    private counters = { verifications: 0, resolutions: 0, evidenceFetches: 0 };

    constructor(readonly options: VerifierOptions = {}) {
        const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
        this.timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
        if (options.evidenceDir) {
            this.source = new DirectorySource(options.evidenceDir, limits.blobBytes, limits.maxReferrers);
        } else {
            this.transport = new Transport({
                insecureRegistries: new Set((options.insecureRegistries ?? []).map((h) => h.toLowerCase())),
                requestTimeoutMs: (options.requestTimeoutSeconds ?? this.timeoutSeconds) * 1000,
                maxRedirects: limits.maxRedirects,
                concurrency: limits.concurrency,
                ...(options.extraCaPem && { extraCaPem: options.extraCaPem }),
            });
            const credentials = new DockerCredentials(options.dockerConfig, options.env ?? process.env);
            this.source = new RegistrySource(new RegistryClient(this.transport, credentials, limits));
        }
    }

    get stats(): VerifierStats {
        return { ...this.counters, httpRequests: this.transport?.requests ?? 0 };
    }

    /** Closes idle connections (the process can exit anyway: idle sockets do not keep it alive). */
    close(): void {
        this.transport?.close();
    }

    /** Resolves the digest an image pulls: the written digest, or what its tag names now. Never throws. */
    async resolveDigest(image: ParsedImage): Promise<DigestResolution> {
        if (image.kind !== "reference") {
            return {
                status: "error",
                reason:
                    image.kind === "id"
                        ? "an image ID names local content, not a repository"
                        : `not a valid image reference (${image.reason})`,
            };
        }
        const deadline = Deadline.after(this.timeoutSeconds);
        try {
            return await this.resolve(image, deadline);
        } finally {
            deadline.dispose();
        }
    }

    private resolve(ref: ImageReference, deadline: Deadline): Promise<DigestResolution> {
        if (ref.digest) {
            return Promise.resolve({ status: "resolved", digest: ref.digest.value, pinned: formatImageRef(ref) });
        }
        const tag = pulledTag(ref) ?? "latest";
        const repo = repositoryOf(ref);
        const key = `${repositoryName(repo)}:${tag}`;
        let p = this.resolutions.get(key);
        if (!p) {
            this.counters.resolutions++;
            p = this.source.resolveTag(repo, tag, deadline).then(
                (digest): DigestResolution =>
                    digest
                        ? { status: "resolved", digest, fromTag: tag, pinned: pinnedReference(ref, digest) }
                        : {
                              status: "failed",
                              reason:
                                  `the tag ${JSON.stringify(tag)} does not exist in ${repositoryName(repo)} ` +
                                  `(${this.source.description})`,
                          },
                (err): DigestResolution => ({
                    status: "error",
                    reason:
                        `could not resolve ${key} to a digest: ` +
                        `${err instanceof EvidenceError ? err.reason : errorText(err)}`,
                }),
            );
            this.resolutions.set(key, p);
        }
        return p;
    }

    /** Verifies that the image carries a signature from one of the requirement's signers. Never throws. */
    verifySignature(image: ParsedImage, requirement: SignatureRequirement): Promise<Verdict> {
        return this.verify(image, requirement);
    }

    /** Verifies that the image carries a signed attestation meeting the requirement. Never throws. */
    verifyAttestation(image: ParsedImage, requirement: ProvenanceRequirement): Promise<Verdict> {
        return this.verify(image, requirement);
    }

    /** Verifies every requirement for an image (all must be verified). */
    verifyAll(image: ParsedImage, requirements: readonly Requirement[]): Promise<Verdict[]> {
        return Promise.all(requirements.map((r) => this.verify(image, r)));
    }

    private verify(image: ParsedImage, requirement: Requirement): Promise<Verdict> {
        if (image.kind !== "reference") {
            return Promise.resolve({
                status: "error",
                image: image.input,
                requirement: requirement.path,
                reason:
                    image.kind === "id"
                        ? "an image ID names local content and no repository, so there is no registry to find its " +
                          "signatures in"
                        : `not a valid image reference (${image.reason})`,
            });
        }
        const key = `${image.name}|${image.tag ?? ""}|${image.digest?.value ?? ""}|${requirement.id}`;
        let p = this.verdicts.get(key);
        if (!p) {
            p = this.verifyReference(image, requirement).catch((err): Verdict => ({
                status: "error",
                image: image.input,
                requirement: requirement.path,
                reason: `could not verify: ${errorText(err)}`,
            }));
            this.verdicts.set(key, p);
        }
        return p;
    }

    private async verifyReference(ref: ImageReference, requirement: Requirement): Promise<Verdict> {
        const deadline = Deadline.after(this.timeoutSeconds);
        try {
            const resolution = await this.resolve(ref, deadline);
            const repo = repositoryOf(ref);
            if (resolution.status !== "resolved") {
                return {
                    status: resolution.status,
                    image: ref.input,
                    repository: repositoryName(repo),
                    requirement: requirement.path,
                    reason: resolution.reason,
                };
            }
            const digestKey = `${repositoryName(repo)}@${resolution.digest}|${requirement.id}`;
            let p = this.digestVerdicts.get(digestKey);
            if (!p) {
                this.counters.verifications++;
                p = this.verifyDigest(repo, resolution.digest, requirement, deadline);
                this.digestVerdicts.set(digestKey, p);
            }
            const v = await p;
            if (!resolution.fromTag) {
                return { ...v, image: ref.input };
            }
            const note =
                v.status === "verified"
                    ? `Verified the digest the tag ${JSON.stringify(resolution.fromTag)} names now ` +
                      `(${short(resolution.digest)}); pin it (${resolution.pinned}) so that what runs is what was ` +
                      `verified.`
                    : `The image names no digest: this is about ${short(resolution.digest)}, the digest its tag ` +
                      `${JSON.stringify(resolution.fromTag)} names now.`;
            return {
                ...v,
                image: ref.input,
                resolvedFromTag: resolution.fromTag,
                reason: `${v.reason.replace(/\.?$/, ".")} ${note}`,
            };
        } finally {
            deadline.dispose();
        }
    }

    private trustContext(): Promise<TrustContext | string> {
        this.trust ??= (async () => {
            const file = this.options.trustedRoot;
            if (!file) {
                return { trustedRootJson: undefined, trustedRootPath: undefined };
            }
            const problem = trustedRootProblem(file);
            if (typeof problem === "string") {
                return problem;
            }
            return { trustedRootJson: problem.json, trustedRootPath: file };
        })();
        return this.trust;
    }

    private evidenceSet(
        repo: Repository,
        digest: string,
        part: "bundles" | "legacySignatures" | "legacyAttestations",
        deadline: Deadline,
    ): Promise<EvidenceSet> {
        const key = `${repositoryName(repo)}@${digest}|${part}`;
        let fetch = this.evidence.get(key);
        if (!fetch) {
            this.counters.evidenceFetches++;
            const started: EvidenceFetch = {
                promise: this.source[part](repo, digest, deadline),
                abandoned: false,
            };
            // Rejected because the verification that started it had already reached its verdict (another
            // part failed first) and stopped waiting: that says nothing about the evidence.
            started.promise.catch(() => {
                started.abandoned = deadline.disposed;
            });
            this.evidence.set(key, started);
            fetch = started;
        }
        const shared = fetch;
        return shared.promise.catch((err: unknown) => {
            if (!shared.abandoned || deadline.expired) {
                throw err;
            }
            // Another requirement's verification shared this fetch and gave it up: fetch again for this one.
            if (this.evidence.get(key) === shared) {
                this.evidence.delete(key);
            }
            return this.evidenceSet(repo, digest, part, deadline);
        });
    }

    private async verifyDigest(
        repo: Repository,
        digest: string,
        requirement: Requirement,
        deadline: Deadline,
    ): Promise<Omit<Verdict, "image" | "resolvedFromTag">> {
        const base = { repository: repositoryName(repo), digest, requirement: requirement.path };
        const trust = await this.trustContext();
        if (typeof trust === "string") {
            return { ...base, status: "error", reason: `could not verify: ${trust}` };
        }
        let sets: EvidenceSet[];
        try {
            sets = await Promise.all([
                this.evidenceSet(repo, digest, "bundles", deadline),
                this.evidenceSet(
                    repo,
                    digest,
                    requirement.kind === "signature" ? "legacySignatures" : "legacyAttestations",
                    deadline,
                ),
            ]);
        } catch (err) {
            return {
                ...base,
                status: "error",
                reason: `could not verify: ${err instanceof EvidenceError ? err.reason : errorText(err)}`,
            };
        }
        const items: EvidenceItem[] = sets.flatMap((s) => s.items);
        const problems = sets.flatMap((s) => s.problems);
        const searched = sets.map((s) => s.searched).join(" and ");
        const outcomes: ItemOutcome[] = [];
        for (const item of items) {
            outcomes.push(await evaluateItem(item, requirement, digest, trust));
        }
        return { ...base, ...judge(requirement, digest, outcomes, problems, searched, this.source.description) };
    }
}

const expectedSigners = (r: Requirement) => r.signers.map((s) => s.label).join(" or ");

function listOutcomes(outcomes: readonly ItemOutcome[], noun: string): string {
    const n = outcomes.length;
    const shown = outcomes.slice(0, 5).map((o) => `by ${o.foundSigner} (${o.problem ?? "not accepted"})`);
    return `found ${n} ${noun}${n === 1 ? "" : "s"}: ${shown.join("; ")}${n > 5 ? `; and ${n - 5} more` : ""}`;
}

/** Turns the outcomes for one digest into the verdict's status and reason. */
function judge(
    requirement: Requirement,
    digest: string,
    outcomes: readonly ItemOutcome[],
    problems: readonly string[],
    searched: string,
    sourceDescription: string,
): { status: VerdictStatus; reason: string; signer?: string; evidence?: string } {
    const noun = requirement.kind === "signature" ? "signature" : `${requirement.predicateType.uri} attestation`;
    const unreadable = problems.length
        ? ` Could not read: ` +
          `${problems.slice(0, 3).join("; ")}${problems.length > 3 ? `; and ${problems.length - 3} more` : ""}.`
        : "";
    const accepted = outcomes.filter((o) => o.accepted);
    if (requirement.kind === "signature" && accepted.length > 0) {
        const a = accepted[0];
        return {
            status: "verified",
            reason: `signed by ${a.trustedSigner!.label} (${a.where})`,
            signer: a.trustedSigner!.label,
            evidence: a.where,
        };
    }
    if (requirement.kind === "attestation" && accepted.length > 0) {
        const failures: string[] = [];
        for (const a of accepted) {
            const f = conditionFailures(requirement.conditions, a.statement?.predicate);
            if (f.length === 0) {
                return {
                    status: "verified",
                    reason:
                        `${noun} signed by ${a.trustedSigner!.label}` +
                        `${requirement.conditions.checks.length ? " meets the conditions" : ""} (${a.where})`,
                    signer: a.trustedSigner!.label,
                    evidence: a.where,
                };
            }
            failures.push(`by ${a.trustedSigner!.label}: ${f.join("; ")}`);
        }
        return {
            status: "failed",
            reason:
                `the ${noun} does not meet the conditions of ${requirement.path}: ` +
                `${failures.slice(0, 3).join(" | ")}`,
        };
    }
    const relevant = outcomes.filter((o) => !o.irrelevant);
    const replayed = relevant.find((o) => o.trustedSigner && o.boundTo);
    if (replayed) {
        return {
            status: "failed",
            reason:
                `${replayed.problem} The ${noun} by ${replayed.trustedSigner!.label} was found at ` +
                `${replayed.where}.${unreadable}`,
        };
    }
    if (relevant.length > 0) {
        return {
            status: "failed",
            reason:
                `no ${noun} from the expected signer (${expectedSigners(requirement)}): ` +
                `${listOutcomes(relevant, noun)}.${unreadable}`,
        };
    }
    const others = outcomes.filter((o) => o.irrelevant && o.problem?.startsWith("its predicate type is"));
    const otherTypes = [...new Set(others.map((o) => o.problem!.replace("its predicate type is ", "")))];
    const otherText =
        requirement.kind === "attestation" && otherTypes.length
            ? ` (found attestations of other types: ${otherTypes.slice(0, 5).join(", ")})`
            : "";
    if (problems.length > 0) {
        return {
            status: "error",
            reason:
                `could not verify: no readable ${noun} for ${short(digest)} (looked in ${searched}, ` +
                `${sourceDescription}).${unreadable}`,
        };
    }
    return {
        status: "failed",
        reason:
            `no ${noun} found for ${short(digest)} (looked in ${searched}, ${sourceDescription})${otherText}; ` +
            `expected one from ${expectedSigners(requirement)}`,
    };
}

/**
 * Reads a trusted root file and checks its shape (no Sigstore library needed); returns the JSON or why it is unusable.
 */
export function trustedRootProblem(file: string): { json: unknown } | string {
    let text: string;
    try {
        const stat = fs.statSync(file);
        if (stat.size > DEFAULT_LIMITS.blobBytes) {
            return `the trusted root ${file} is larger than ${DEFAULT_LIMITS.blobBytes / 1024 / 1024} MiB`;
        }
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        return `the trusted root ${file} could not be read (${(err as NodeJS.ErrnoException)?.code ?? errorText(err)})`;
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch {
        return `the trusted root ${file} is not valid JSON`;
    }
    if (
        !isObject(json) ||
        typeof json.mediaType !== "string" ||
        !json.mediaType.startsWith("application/vnd.dev.sigstore.trustedroot")
    ) {
        return (
            `the trusted root ${file} is not a Sigstore trusted root (mediaType ` +
            `application/vnd.dev.sigstore.trustedroot…)`
        );
    }
    for (const field of ["tlogs", "certificateAuthorities", "ctlogs", "timestampAuthorities"]) {
        if (json[field] !== undefined && !Array.isArray(json[field])) {
            return `the trusted root ${file} has a ${field} that is not a list`;
        }
    }
    return { json };
}
