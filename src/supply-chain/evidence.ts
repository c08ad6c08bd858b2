// Evidence: the signatures and attestations attached to an image digest, read from a registry or
// from an evidence directory, and nothing judged yet (verify.ts judges).
//
// From a registry, for a digest sha256:<hex> in repository R:
//   * Sigstore bundles (cosign v3's default): referrers of the digest, from the OCI 1.1 referrers
//     API or the `sha256-<hex>` index tag where the registry lacks it. A referrer counts when its
//     manifest has exactly one layer whose media type starts with
//     `application/vnd.dev.sigstore.bundle` (as cosign decides); others (SBOMs attached by other
//     tools, notation signatures) are skipped.
//   * Legacy signatures (cosign ≤ v2, or v3 with --new-bundle-format=false): the layers of the
//     manifest tagged `sha256-<hex>.sig` (payload blob plus annotations).
//   * Legacy attestations: the DSSE-envelope layers of `sha256-<hex>.att`.
//
// Evidence directory layout (see docs/supply-chain.md), for air-gapped previews and `scan --offline`:
//   <dir>/tags.json                     {"<registry>/<path>:<tag>": "sha256:<hex>"} for tag resolution
//   <dir>/sha256-<hex>/*.sigstore.json  Sigstore bundles (signatures and attestations)
//   <dir>/sha256-<hex>/*.sig.json       legacy signatures {payload, signature, certificate?, chain?, rekorBundle?,
// rfc3161Timestamp?}
//   <dir>/sha256-<hex>/*.att.json       legacy attestations {envelope, certificate?, chain?, rekorBundle?,
// rfc3161Timestamp?}
// Names are normalised as the pack's parser does (Docker Hub is docker.io/library/x). Evidence is
// stored per digest, not per repository: what binds a signature to an image is the digest inside
// the signed payload, which is checked whatever the source.

import * as fs from "fs";
import * as path from "path";
import { parseDigest } from "../images/image-ref";
import { errorText, isObject } from "./config-util";
import { type Deadline, EvidenceError } from "./http";
import {
    type Descriptor,
    type RegistryClient,
    type Repository,
    parseJsonObject,
    readDescriptor,
    repositoryName,
} from "./registry";

export const BUNDLE_MEDIA_TYPE_PREFIX = "application/vnd.dev.sigstore.bundle";
export const SIMPLE_SIGNING_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
export const DSSE_MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";
export const ANNOTATION_SIGNATURE = "dev.cosignproject.cosign/signature";
export const ANNOTATION_CERTIFICATE = "dev.sigstore.cosign/certificate";
export const ANNOTATION_CHAIN = "dev.sigstore.cosign/chain";
export const ANNOTATION_REKOR_BUNDLE = "dev.sigstore.cosign/bundle";
export const ANNOTATION_TIMESTAMP = "dev.sigstore.cosign/rfc3161timestamp";

/** Key material and timestamps a legacy signature or attestation carries beside its payload. */
export interface LegacyMaterial {
    /** PEM leaf certificate (keyless). */
    readonly certificate?: string;
    /** PEM intermediate and root certificates. */
    readonly chain?: string;
    /** cosign's Rekor bundle `{SignedEntryTimestamp, Payload: {body, integratedTime, logIndex, logID}}`. */
    readonly rekorBundle?: unknown;
    /** cosign's RFC 3161 timestamp `{SignedRFC3161Timestamp: base64}`. */
    readonly rfc3161Timestamp?: unknown;
}

export interface BundleItem {
    readonly kind: "bundle";
    /** The bundle JSON as stored. */
    readonly json: unknown;
    /** Where it was found, for messages. */
    readonly where: string;
}

export interface LegacySignatureItem extends LegacyMaterial {
    readonly kind: "legacy-signature";
    /** The exact signed bytes (simple-signing JSON). */
    readonly payload: Buffer;
    /** Base64 signature over the payload. */
    readonly signature: string;
    readonly where: string;
}

export interface LegacyAttestationItem extends LegacyMaterial {
    readonly kind: "legacy-attestation";
    /** The DSSE envelope JSON. */
    readonly envelope: unknown;
    readonly where: string;
}

export type EvidenceItem = BundleItem | LegacySignatureItem | LegacyAttestationItem;

/** Items of one kind found for a digest, plus what could not be read (not fatal: other items may verify). */
export interface EvidenceSet {
    readonly items: readonly EvidenceItem[];
    /** Where it looked, for "nothing found" messages. */
    readonly searched: string;
    readonly problems: readonly string[];
}

/** Where evidence comes from. Methods throw EvidenceError when the source cannot answer. */
export interface EvidenceSource {
    /** A description for messages: "registry" or "evidence directory /x". */
    readonly description: string;
    resolveTag(repo: Repository, tag: string, deadline: Deadline): Promise<string | undefined>;
    /** Sigstore bundles attached to the digest. */
    bundles(repo: Repository, digest: string, deadline: Deadline): Promise<EvidenceSet>;
    legacySignatures(repo: Repository, digest: string, deadline: Deadline): Promise<EvidenceSet>;
    legacyAttestations(repo: Repository, digest: string, deadline: Deadline): Promise<EvidenceSet>;
}

/** `sha256:<hex>` → `sha256-<hex>` (the legacy tag prefix and the evidence directory name). */
export function digestTag(digest: string): string {
    return digest.replace(":", "-");
}

function short(digest: string): string {
    return digest.length > 19 ? `${digest.slice(0, 19)}…` : digest;
}

function materialFrom(annotations: Readonly<Record<string, string>>): LegacyMaterial {
    const out: { -readonly [K in keyof LegacyMaterial]: LegacyMaterial[K] } = {};
    if (annotations[ANNOTATION_CERTIFICATE]) {
        out.certificate = annotations[ANNOTATION_CERTIFICATE];
    }
    if (annotations[ANNOTATION_CHAIN]) {
        out.chain = annotations[ANNOTATION_CHAIN];
    }
    for (const [key, field] of [
        [ANNOTATION_REKOR_BUNDLE, "rekorBundle"],
        [ANNOTATION_TIMESTAMP, "rfc3161Timestamp"],
    ] as const) {
        const text = annotations[key];
        if (text) {
            try {
                out[field] = JSON.parse(text);
            } catch {
                out[field] = text; // judged (and rejected) by verification, with the reason
            }
        }
    }
    return out;
}

/** Evidence from the registry the image lives in. */
export class RegistrySource implements EvidenceSource {
    readonly description = "registry";

    constructor(private readonly client: RegistryClient) {}

    resolveTag(repo: Repository, tag: string, deadline: Deadline): Promise<string | undefined> {
        return this.client.resolveTag(repo, tag, deadline);
    }

    async bundles(repo: Repository, digest: string, deadline: Deadline): Promise<EvidenceSet> {
        const { descriptors, source, problems } = await this.client.referrers(repo, digest, deadline);
        const out: EvidenceItem[] = [];
        const allProblems = [...problems];
        for (const d of descriptors) {
            // Every referrer manifest is read, as cosign does: artifactType in the list cannot be relied
            // on (registries derive it differently, and the tag fallback's index may lack it).
            if (d.mediaType !== "application/vnd.oci.image.manifest.v1+json") {
                continue;
            }
            const where = `referrer ${short(d.digest)} (${source})`;
            try {
                const manifest = await this.client.manifest(repo, d.digest, deadline);
                if (!manifest) {
                    allProblems.push(`${where} is listed but missing`);
                    continue;
                }
                const layers = Array.isArray(manifest.json.layers) ? manifest.json.layers : [];
                const bundleLayers = layers
                    .map(readDescriptor)
                    .filter(
                        (l): l is Descriptor =>
                            typeof l !== "string" && l.mediaType.startsWith(BUNDLE_MEDIA_TYPE_PREFIX),
                    );
                if (layers.length !== 1 || bundleLayers.length !== 1) {
                    continue; // as cosign: a bundle referrer has exactly one bundle layer
                }
                const blob = await this.client.blob(repo, bundleLayers[0].digest, `bundle of ${where}`, deadline);
                if (!blob) {
                    allProblems.push(`the bundle of ${where} is missing from the registry`);
                    continue;
                }
                out.push({ kind: "bundle", json: parseJsonObject(blob, `the bundle of ${where}`), where });
            } catch (err) {
                if (err instanceof EvidenceError && (err.category === "malformed" || err.category === "too-large")) {
                    allProblems.push(err.reason);
                    continue;
                }
                throw err;
            }
        }
        return { items: out, searched: source, problems: allProblems };
    }

    legacySignatures(repo: Repository, digest: string, deadline: Deadline): Promise<EvidenceSet> {
        return this.legacy(repo, digest, "sig", deadline);
    }

    legacyAttestations(repo: Repository, digest: string, deadline: Deadline): Promise<EvidenceSet> {
        return this.legacy(repo, digest, "att", deadline);
    }

    private async legacy(
        repo: Repository,
        digest: string,
        suffix: "sig" | "att",
        deadline: Deadline,
    ): Promise<EvidenceSet> {
        const tag = `${digestTag(digest)}.${suffix}`;
        const searched = `the legacy tag ${tag}`;
        const manifest = await this.client.manifest(repo, tag, deadline);
        if (!manifest) {
            return { items: [], searched, problems: [] };
        }
        const layers = manifest.json.layers;
        if (!Array.isArray(layers)) {
            throw new EvidenceError("malformed", `the manifest of ${repositoryName(repo)}:${tag} has no layers list`);
        }
        const items: EvidenceItem[] = [];
        const problems: string[] = [];
        const wanted = suffix === "sig" ? SIMPLE_SIGNING_MEDIA_TYPE : DSSE_MEDIA_TYPE;
        for (const [i, raw] of layers.entries()) {
            if (items.length >= this.client.limits.maxReferrers) {
                problems.push(
                    `${searched} has more than ${this.client.limits.maxReferrers} layers; the rest were not read`,
                );
                break;
            }
            const layer = readDescriptor(raw);
            if (typeof layer === "string") {
                problems.push(`${searched}, layer ${i}: ${layer}`);
                continue;
            }
            if (layer.mediaType !== wanted) {
                continue;
            }
            const where = `${searched}, layer ${i}`;
            try {
                const blob = await this.client.blob(repo, layer.digest, `payload of ${where}`, deadline);
                if (!blob) {
                    problems.push(`the payload of ${where} is missing from the registry`);
                    continue;
                }
                const material = materialFrom(layer.annotations);
                if (suffix === "sig") {
                    items.push({
                        kind: "legacy-signature",
                        payload: blob,
                        signature: layer.annotations[ANNOTATION_SIGNATURE] ?? "",
                        ...material,
                        where,
                    });
                } else {
                    items.push({
                        kind: "legacy-attestation",
                        envelope: parseJsonObject(blob, `the attestation in ${where}`),
                        ...material,
                        where,
                    });
                }
            } catch (err) {
                if (err instanceof EvidenceError && (err.category === "malformed" || err.category === "too-large")) {
                    problems.push(err.reason);
                    continue;
                }
                throw err;
            }
        }
        return { items, searched, problems };
    }
}

export const TAGS_FILE = "tags.json";

/** Evidence from a directory (no network at all). */
export class DirectorySource implements EvidenceSource {
    readonly description: string;
    private tags?: Map<string, string> | string;

    constructor(
        private readonly dir: string,
        private readonly maxBytes: number,
        private readonly maxFiles: number,
    ) {
        this.description = `evidence directory ${dir}`;
    }

    async resolveTag(repo: Repository, tag: string): Promise<string | undefined> {
        if (this.tags === undefined) {
            this.tags = this.readTags();
        }
        if (typeof this.tags === "string") {
            throw new EvidenceError("malformed", this.tags);
        }
        return this.tags.get(`${repositoryName(repo)}:${tag}`);
    }

    private readTags(): Map<string, string> | string {
        const file = path.join(this.dir, TAGS_FILE);
        let text: string;
        try {
            text = this.read(file);
        } catch (err) {
            return (err as NodeJS.ErrnoException)?.code === "ENOENT"
                ? new Map()
                : `${file} could not be read (${errorText(err)})`;
        }
        let json: unknown;
        try {
            json = JSON.parse(text);
        } catch {
            return `${file} is not valid JSON`;
        }
        if (!isObject(json)) {
            return `${file} is not a JSON object of "name:tag": "sha256:…"`;
        }
        // Only well-formed digests: a value becomes a directory name, so "../x" must never be one.
        return new Map(
            Object.entries(json).filter(
                (e): e is [string, string] => typeof e[1] === "string" && typeof parseDigest(e[1]) !== "string",
            ),
        );
    }

    private read(file: string): string {
        const stat = fs.statSync(file);
        if (!stat.isFile()) {
            throw new Error("not a file");
        }
        if (stat.size > this.maxBytes) {
            throw new EvidenceError(
                "too-large",
                `${file} is larger than the ${Math.round(this.maxBytes / 1024 / 1024)} MiB limit`,
            );
        }
        return fs.readFileSync(file, "utf8");
    }

    /** The files of a digest's directory with a suffix, sorted (so verdicts do not depend on directory order). */
    private files(digest: string, suffix: string): { files: string[]; searched: string; problems: string[] } {
        const sub = path.join(this.dir, digestTag(digest));
        const searched = `${sub}/*${suffix}`;
        let names: string[];
        try {
            names = fs.readdirSync(sub);
        } catch (err) {
            if ((err as NodeJS.ErrnoException)?.code === "ENOENT") {
                return { files: [], searched, problems: [] };
            }
            throw new EvidenceError("config", `the evidence directory ${sub} could not be read (${errorText(err)})`);
        }
        const matching = names.filter((n) => n.endsWith(suffix)).sort();
        const problems =
            matching.length > this.maxFiles
                ? [`${sub} has more than ${this.maxFiles} ${suffix} files; the rest were not read`]
                : [];
        return { files: matching.slice(0, this.maxFiles).map((n) => path.join(sub, n)), searched, problems };
    }

    private readJson(file: string, problems: string[]): Record<string, unknown> | undefined {
        try {
            return parseJsonObject(Buffer.from(this.read(file), "utf8"), file);
        } catch (err) {
            problems.push(err instanceof EvidenceError ? err.reason : `${file} could not be read (${errorText(err)})`);
            return undefined;
        }
    }

    async bundles(_repo: Repository, digest: string): Promise<EvidenceSet> {
        const { files, searched, problems } = this.files(digest, ".sigstore.json");
        const items: EvidenceItem[] = [];
        for (const file of files) {
            const json = this.readJson(file, problems);
            if (json) {
                items.push({ kind: "bundle", json, where: file });
            }
        }
        return { items, searched, problems };
    }

    async legacySignatures(_repo: Repository, digest: string): Promise<EvidenceSet> {
        const { files, searched, problems } = this.files(digest, ".sig.json");
        const items: EvidenceItem[] = [];
        for (const file of files) {
            const json = this.readJson(file, problems);
            if (!json) {
                continue;
            }
            if (typeof json.payload !== "string" || typeof json.signature !== "string") {
                problems.push(`${file} is not a legacy signature (it needs "payload" and "signature", both base64)`);
                continue;
            }
            items.push({
                kind: "legacy-signature",
                payload: Buffer.from(json.payload, "base64"),
                signature: json.signature,
                ...legacyMaterialOf(json),
                where: file,
            });
        }
        return { items, searched, problems };
    }

    async legacyAttestations(_repo: Repository, digest: string): Promise<EvidenceSet> {
        const { files, searched, problems } = this.files(digest, ".att.json");
        const items: EvidenceItem[] = [];
        for (const file of files) {
            const json = this.readJson(file, problems);
            if (!json) {
                continue;
            }
            if (!isObject(json.envelope)) {
                problems.push(`${file} is not a legacy attestation (it needs "envelope", a DSSE envelope)`);
                continue;
            }
            items.push({ kind: "legacy-attestation", envelope: json.envelope, ...legacyMaterialOf(json), where: file });
        }
        return { items, searched, problems };
    }
}

function legacyMaterialOf(json: Record<string, unknown>): LegacyMaterial {
    return {
        ...(typeof json.certificate === "string" && { certificate: json.certificate }),
        ...(typeof json.chain === "string" && { chain: json.chain }),
        ...(json.rekorBundle !== undefined && { rekorBundle: json.rekorBundle }),
        ...(json.rfc3161Timestamp !== undefined && { rfc3161Timestamp: json.rfc3161Timestamp }),
    };
}

/** The file name an item is stored under in an evidence directory. */
export function evidenceFileName(item: EvidenceItem, id: string): string {
    const base = id.replace(/[^A-Za-z0-9_.-]/g, "-");
    return item.kind === "bundle"
        ? `${base}.sigstore.json`
        : item.kind === "legacy-signature"
          ? `${base}.sig.json`
          : `${base}.att.json`;
}

/** The JSON an item is stored as in an evidence directory. */
export function evidenceFileContent(item: EvidenceItem): unknown {
    const material = (m: LegacyMaterial) => ({
        ...(m.certificate !== undefined && { certificate: m.certificate }),
        ...(m.chain !== undefined && { chain: m.chain }),
        ...(m.rekorBundle !== undefined && { rekorBundle: m.rekorBundle }),
        ...(m.rfc3161Timestamp !== undefined && { rfc3161Timestamp: m.rfc3161Timestamp }),
    });
    switch (item.kind) {
        case "bundle":
            return item.json;
        case "legacy-signature":
            return { payload: item.payload.toString("base64"), signature: item.signature, ...material(item) };
        case "legacy-attestation":
            return { envelope: item.envelope, ...material(item) };
    }
}
