// Judging one piece of evidence against a requirement: is it signed by a trusted signer, and is
// what it signs this image (and, for attestations, the wanted predicate)?
//
// The cryptography is the Sigstore project's: every signature, cosign v3 bundle or legacy cosign
// signature alike, is verified by @sigstore/verify. Legacy signatures (a payload blob with the
// signature, certificate, Rekor bundle and RFC 3161 timestamp in layer annotations) are converted
// into the equivalent v0.1 Sigstore bundle first, so one verifier checks keys, certificate chains at
// the signing time, SCTs, Rekor inclusion promises and timestamps for both formats. The libraries
// are loaded on first use only, not when the pack starts.
//
// What the library does not do, and this module does (cosign's claim verifiers do the same):
//   * bind the signature to the image: the in-toto subject's sha256 digest (or the legacy payload's
//     `critical.image.docker-manifest-digest`) must be the digest being verified, which defeats
//     copying a signature from another image (replay);
//   * check payloadType (`application/vnd.in-toto+json`), the statement type and predicateType
//     (cosign v3 signatures are in-toto statements of `https://sigstore.dev/cosign/sign/v1`);
//   * match keyless identities: the issuer and subject are compared here, exactly or with regular
//     expressions anchored at both ends (the library's own SAN match is an unanchored search).

import type * as SigstoreBundle from "@sigstore/bundle";
import type * as SigstoreCore from "@sigstore/core";
import type * as ProtobufSpecs from "@sigstore/protobuf-specs";
import type * as SigstoreVerify from "@sigstore/verify";
import { createHash } from "crypto";
import { errorText, isObject } from "./config-util";
import { type EvidenceItem, type LegacyMaterial } from "./evidence";
import { COSIGN_SIGN_PREDICATE } from "./predicate-types";
import {
    type KeySigner,
    type KeylessSigner,
    type Requirement,
    type TrustedSigner,
    shortFingerprint,
} from "./requirements";

interface Sigstore {
    readonly verify: typeof SigstoreVerify;
    readonly bundle: typeof SigstoreBundle;
    readonly core: typeof SigstoreCore;
    readonly specs: typeof ProtobufSpecs;
}

let sigstore: Promise<Sigstore> | undefined;

/** Loads the Sigstore libraries once, on first use (they cost start-up time the pack does not need otherwise). */
export function loadSigstore(): Promise<Sigstore> {
    sigstore ??= (async () => ({
        verify: await import("@sigstore/verify"),
        bundle: await import("@sigstore/bundle"),
        core: await import("@sigstore/core"),
        specs: await import("@sigstore/protobuf-specs"),
    }))();
    return sigstore;
}

export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
const STATEMENT_TYPES = new Set(["https://in-toto.io/Statement/v1", "https://in-toto.io/Statement/v0.1"]);
const SIMPLE_SIGNING_TYPE = "cosign container image signature";
const BUNDLE_V01 = "application/vnd.dev.sigstore.bundle+json;version=0.1";

/** A parsed in-toto statement. */
export interface Statement {
    readonly predicateType: string;
    readonly predicate: unknown;
    readonly subjectDigests: readonly string[];
}

/** What one piece of evidence turned out to be. */
export interface ItemOutcome {
    /** Signed by a trusted signer, bound to the digest, of the wanted type. */
    readonly accepted: boolean;
    /** Not a candidate at all (another predicate type, or an attestation where a signature is wanted). */
    readonly irrelevant: boolean;
    /** Who signed it, as far as can be told: "key sha256:ab12…", "certificate for … issued by …". */
    readonly foundSigner: string;
    /** The trusted signer that verified it (when the signature verified). */
    readonly trustedSigner?: TrustedSigner;
    /** Why it was not accepted. */
    readonly problem?: string;
    /** Set when a trusted signature was for another digest (replay). */
    readonly boundTo?: readonly string[];
    /** The verified statement, for attestations. */
    readonly statement?: Statement;
    /** Where the evidence was found. */
    readonly where: string;
}

/** The trust material a verification needs beyond the requirement: the trusted root, if configured. */
export interface TrustContext {
    /** The parsed trusted_root.json (protobuf JSON), or undefined when none is configured. */
    readonly trustedRootJson: unknown;
    /** Its path, for messages. */
    readonly trustedRootPath: string | undefined;
}

const EMPTY_ROOT = {
    mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    tlogs: [],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
};

function pemCertificates(pem: string): string[] {
    return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function short(digest: string): string {
    return digest.length > 19 ? `${digest.slice(0, 19)}…` : digest;
}

/** cosign's Rekor bundle annotation → a v0.1 bundle tlog entry (with its inclusion promise). */
function legacyTlogEntries(material: LegacyMaterial): unknown[] {
    const rb = material.rekorBundle;
    if (rb === undefined) {
        return [];
    }
    if (!isObject(rb) || !isObject(rb.Payload) || typeof rb.SignedEntryTimestamp !== "string") {
        throw new Error("its Rekor bundle annotation is not {SignedEntryTimestamp, Payload}");
    }
    const p = rb.Payload;
    if (
        typeof p.body !== "string" ||
        typeof p.integratedTime !== "number" ||
        typeof p.logIndex !== "number" ||
        typeof p.logID !== "string"
    ) {
        throw new Error("its Rekor bundle payload lacks body, integratedTime, logIndex or logID");
    }
    const body: unknown = JSON.parse(Buffer.from(p.body, "base64").toString("utf8"));
    if (!isObject(body) || typeof body.kind !== "string" || typeof body.apiVersion !== "string") {
        throw new Error("its Rekor entry body has no kind and apiVersion");
    }
    return [
        {
            logIndex: String(p.logIndex),
            logId: { keyId: Buffer.from(p.logID, "hex").toString("base64") },
            kindVersion: { kind: body.kind, version: body.apiVersion },
            integratedTime: String(p.integratedTime),
            inclusionPromise: { signedEntryTimestamp: rb.SignedEntryTimestamp },
            canonicalizedBody: p.body,
        },
    ];
}

function legacyTimestamps(material: LegacyMaterial): unknown {
    const ts = material.rfc3161Timestamp;
    if (ts === undefined) {
        return undefined;
    }
    if (!isObject(ts) || typeof ts.SignedRFC3161Timestamp !== "string") {
        throw new Error("its RFC 3161 timestamp annotation is not {SignedRFC3161Timestamp}");
    }
    return { rfc3161Timestamps: [{ signedTimestamp: ts.SignedRFC3161Timestamp }] };
}

/**
 * The verification material of a legacy item, as bundle JSON: the public-key form for key signers
 * (the key is the configured one; the hint is not used), the certificate chain for keyless ones.
 */
function legacyVerificationMaterial(material: LegacyMaterial, forKeyless: boolean, core: typeof SigstoreCore): unknown {
    const tlogEntries = legacyTlogEntries(material);
    const timestampVerificationData = legacyTimestamps(material);
    let content: unknown;
    if (forKeyless) {
        const pems = [...pemCertificates(material.certificate ?? ""), ...pemCertificates(material.chain ?? "")];
        content = {
            x509CertificateChain: {
                certificates: pems.map((pem) => ({ rawBytes: core.pem.toDER(pem).toString("base64") })),
            },
        };
    } else {
        content = { publicKey: { hint: "" } };
    }
    return {
        ...(content as object),
        tlogEntries,
        ...(timestampVerificationData !== undefined && { timestampVerificationData }),
    };
}

type AnyBundle = SigstoreBundle.Bundle;

interface Candidate {
    /** Bundles to verify (a legacy envelope with several signatures gives one bundle each). */
    readonly bundles: (forKeyless: boolean) => AnyBundle[];
    /** The artifact a message signature signs (legacy payload). */
    readonly artifact?: Buffer;
    /** The signed payload's claim: the statement (DSSE) or the legacy simple-signing JSON. */
    readonly claim:
        | { kind: "statement"; payloadType: string; payload: Buffer }
        | { kind: "simple-signing"; payload: Buffer }
        | { kind: "message" };
    readonly keyMaterial: "public-key" | "certificate";
    /** The public-key hint (bundles) or the PEM leaf (certificates), for describing the signer. */
    readonly hint?: string;
    readonly certificatePem?: string;
    readonly certificateDer?: Buffer;
}

function candidateOf(item: EvidenceItem, s: Sigstore): Candidate | string {
    if (item.kind === "bundle") {
        let bundle: AnyBundle;
        try {
            bundle = s.bundle.bundleFromJSON(item.json);
        } catch (err) {
            const fields = (err as { fields?: string[] })?.fields;
            return (
                `it is not a valid Sigstore bundle ` +
                `(${errorText(err)}${Array.isArray(fields) && fields.length ? `: ${fields.join(", ")}` : ""})`
            );
        }
        const vm = bundle.verificationMaterial.content;
        const keyMaterial = vm.$case === "publicKey" ? "public-key" : "certificate";
        const certificateDer =
            vm.$case === "certificate"
                ? Buffer.from(vm.certificate.rawBytes)
                : vm.$case === "x509CertificateChain"
                  ? Buffer.from(vm.x509CertificateChain.certificates[0]?.rawBytes ?? [])
                  : undefined;
        const content = bundle.content;
        const claim: Candidate["claim"] =
            content.$case === "dsseEnvelope"
                ? {
                      kind: "statement",
                      payloadType: content.dsseEnvelope.payloadType,
                      payload: Buffer.from(content.dsseEnvelope.payload),
                  }
                : { kind: "message" };
        return {
            bundles: () => [bundle],
            claim,
            keyMaterial,
            ...(vm.$case === "publicKey" && { hint: vm.publicKey.hint }),
            ...(certificateDer && { certificateDer }),
        };
    }
    const hasCertificate = item.certificate !== undefined && pemCertificates(item.certificate).length > 0;
    const build = (content: unknown) => (forKeyless: boolean) => [
        s.bundle.bundleFromJSON({
            mediaType: BUNDLE_V01,
            verificationMaterial: legacyVerificationMaterial(item, forKeyless, s.core),
            ...(content as object),
        }),
    ];
    if (item.kind === "legacy-signature") {
        const signature = item.signature;
        if (!signature) {
            return "it has no signature annotation";
        }
        const content = {
            messageSignature: {
                messageDigest: {
                    algorithm: "SHA2_256",
                    digest: createHash("sha256").update(item.payload).digest("base64"),
                },
                signature,
            },
        };
        return {
            bundles: build(content),
            artifact: item.payload,
            claim: { kind: "simple-signing", payload: item.payload },
            keyMaterial: hasCertificate ? "certificate" : "public-key",
            ...(hasCertificate && { certificatePem: item.certificate }),
        };
    }
    const env = item.envelope;
    if (
        !isObject(env) ||
        typeof env.payload !== "string" ||
        typeof env.payloadType !== "string" ||
        !Array.isArray(env.signatures) ||
        env.signatures.length === 0
    ) {
        return "it is not a DSSE envelope (payload, payloadType and signatures)";
    }
    const payloadType = env.payloadType;
    const payload = env.payload;
    const signatures = env.signatures.filter(
        (sig): sig is Record<string, unknown> => isObject(sig) && typeof sig.sig === "string" && sig.sig !== "",
    );
    if (signatures.length === 0) {
        return "its DSSE envelope has no signature";
    }
    return {
        bundles: (forKeyless) =>
            signatures.flatMap((sig) =>
                build({
                    dsseEnvelope: {
                        payload,
                        payloadType,
                        signatures: [{ sig: sig.sig, keyid: typeof sig.keyid === "string" ? sig.keyid : "" }],
                    },
                })(forKeyless),
            ),
        claim: { kind: "statement", payloadType, payload: Buffer.from(payload, "base64") },
        keyMaterial: hasCertificate ? "certificate" : "public-key",
        ...(hasCertificate && { certificatePem: item.certificate }),
    };
}

/** Reads a certificate's identity for messages (never throws). */
function certificateIdentity(c: Candidate, s: Sigstore): { subject?: string; issuer?: string } {
    try {
        const cert = c.certificateDer
            ? s.core.X509Certificate.parse(Buffer.from(c.certificateDer))
            : c.certificatePem
              ? s.core.X509Certificate.parse(c.certificatePem)
              : undefined;
        if (!cert) {
            return {};
        }
        const v2 = cert.extension("1.3.6.1.4.1.57264.1.8");
        const issuer = v2
            ? v2.valueObj.subs?.[0]?.value.toString("utf8")
            : cert.extension("1.3.6.1.4.1.57264.1.1")?.value.toString("utf8");
        return { subject: cert.subjectAltName, issuer };
    } catch {
        return {};
    }
}

function describeSigner(c: Candidate, s: Sigstore): string {
    if (c.keyMaterial === "certificate") {
        const { subject, issuer } = certificateIdentity(c, s);
        return (
            `certificate for ${subject ? JSON.stringify(subject) : "an unknown subject"} issued by ` +
            `${issuer ? JSON.stringify(issuer) : "an unknown OIDC issuer"}`
        );
    }
    const fingerprint = hintFingerprint(c.hint);
    return fingerprint
        ? `key ${shortFingerprint(fingerprint)}`
        : c.hint === undefined
          ? "a key (legacy signatures do not say which)"
          : "an unidentified key";
}

/** cosign's public-key hint is base64(SHA-256(SPKI DER)): shown the way configured keys are. */
function hintFingerprint(hint: string | undefined): string | undefined {
    if (!hint) {
        return undefined;
    }
    const bytes = Buffer.from(hint, "base64");
    return bytes.length === 32 ? `sha256:${bytes.toString("hex")}` : undefined;
}

/** Parses and checks an in-toto statement; returns it or why it is not one. */
export function parseStatement(payloadType: string, payload: Buffer): Statement | string {
    if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
        return `its payload type is ${JSON.stringify(payloadType)}, not ${IN_TOTO_PAYLOAD_TYPE}`;
    }
    let json: unknown;
    try {
        json = JSON.parse(payload.toString("utf8"));
    } catch {
        return "its in-toto statement is not valid JSON";
    }
    if (!isObject(json) || typeof json._type !== "string" || !STATEMENT_TYPES.has(json._type)) {
        return "its payload is not an in-toto statement (_type https://in-toto.io/Statement/v1)";
    }
    if (typeof json.predicateType !== "string") {
        return "its in-toto statement has no predicateType";
    }
    const subjects = Array.isArray(json.subject) ? json.subject : [];
    const subjectDigests: string[] = [];
    for (const s of subjects) {
        if (isObject(s) && isObject(s.digest)) {
            for (const [algorithm, hex] of Object.entries(s.digest)) {
                if (typeof hex === "string") {
                    subjectDigests.push(`${algorithm}:${hex.toLowerCase()}`);
                }
            }
        }
    }
    return { predicateType: json.predicateType, predicate: json.predicate, subjectDigests };
}

/** The digest a legacy simple-signing payload signs, or why it does not name one. */
function simpleSigningDigest(payload: Buffer): string | { problem: string } {
    let json: unknown;
    try {
        json = JSON.parse(payload.toString("utf8"));
    } catch {
        return { problem: "its payload is not valid JSON" };
    }
    const critical = isObject(json) ? json.critical : undefined;
    const image = isObject(critical) ? critical.image : undefined;
    const type = isObject(critical) ? critical.type : undefined;
    if (typeof type !== "string" || type.toLowerCase() !== SIMPLE_SIGNING_TYPE) {
        return { problem: `its payload is not a cosign image signature (critical.type is ${JSON.stringify(type)})` };
    }
    const digest = isObject(image) ? image["docker-manifest-digest"] : undefined;
    if (typeof digest !== "string") {
        return { problem: "its payload names no image digest (critical.image.docker-manifest-digest)" };
    }
    return digest;
}

const trustCache = new WeakMap<object, Map<string, SigstoreVerify.TrustMaterial>>();

function trustMaterialFor(signer: TrustedSigner, trust: TrustContext, s: Sigstore): SigstoreVerify.TrustMaterial {
    const rootJson = trust.trustedRootJson ?? EMPTY_ROOT;
    let perRoot = trustCache.get(rootJson);
    if (!perRoot) {
        perRoot = new Map();
        trustCache.set(rootJson, perRoot);
    }
    const key = signer.kind === "key" ? signer.fingerprint : "keyless";
    let tm = perRoot.get(key);
    if (!tm) {
        const root = s.specs.TrustedRoot.fromJSON(rootJson);
        tm =
            signer.kind === "key"
                ? s.verify.toTrustMaterial(root, () => ({
                      publicKey: signer.publicKey,
                      validFor: () => true,
                  }))
                : s.verify.toTrustMaterial(root);
        perRoot.set(key, tm);
    }
    return tm;
}

/** Explains a library verification error in words. */
function explainVerificationError(err: unknown, signer: TrustedSigner, trust: TrustContext): string {
    const code = (err as { code?: string })?.code ?? "";
    const message = errorText(err);
    const rootText = trust.trustedRootPath
        ? `the trusted root ${trust.trustedRootPath}`
        : "the trusted root (none is configured: option trustedRoot)";
    switch (code) {
        case "SIGNATURE_ERROR":
            return signer.kind === "key"
                ? `its signature does not verify with ${signer.label}`
                : "its signature does not verify with its certificate's key";
        case "CERTIFICATE_ERROR":
            return `its certificate could not be verified against ${rootText} at the signing time (${message})`;
        case "TIMESTAMP_ERROR":
            return signer.kind === "keyless"
                ? `it has no verifiable timestamp (a transparency-log entry or an RFC 3161 timestamp from ` +
                      `${rootText}) to prove the certificate was valid when it signed (${message})`
                : `it has no verifiable timestamp (${message})`;
        case "TLOG_ERROR":
            return `it has no transparency-log entry, and this requirement's tlog is "required" (${message})`;
        case "TLOG_INCLUSION_PROMISE_ERROR":
        case "TLOG_INCLUSION_PROOF_ERROR":
        case "TLOG_MISSING_INCLUSION_ERROR":
            return (
                `its transparency-log entry could not be verified against the logs of ${rootText} (${message}); ` +
                `add that log to the trusted root, or set tlog: "ignore" to not check log entries`
            );
        case "TLOG_BODY_ERROR":
            return `its transparency-log entry is for other content (${message})`;
        case "PUBLIC_KEY_ERROR":
            return `its key is not valid at the signing time (${message})`;
        default:
            return `it could not be verified (${message})`;
    }
}

function identityProblem(signer: KeylessSigner, identity: SigstoreVerify.Signer["identity"]): string | undefined {
    const subject = identity?.subjectAlternativeName;
    const issuer = identity?.extensions?.issuer;
    const issuerOk =
        issuer !== undefined &&
        (signer.issuer !== undefined ? issuer === signer.issuer : signer.issuerRegExp!.test(issuer));
    const subjectOk =
        subject !== undefined &&
        (signer.subject !== undefined ? subject === signer.subject : signer.subjectRegExp!.test(subject));
    if (issuerOk && subjectOk) {
        return undefined;
    }
    return (
        `its certificate identity (subject ${JSON.stringify(subject ?? "none")}, issuer ` +
        `${JSON.stringify(issuer ?? "none")}) is not the expected ${signer.label.replace(/^keyless identity /, "")}`
    );
}

/**
 * When the certificate was not valid at any time the bundle's log entries or timestamps prove, says
 * so with the dates: the usual cause of a certificate error for a real keyless signature.
 */
function expiryNote(c: Candidate, bundle: AnyBundle, s: Sigstore): string {
    try {
        const der = c.certificateDer ?? (c.certificatePem ? s.core.pem.toDER(c.certificatePem) : undefined);
        if (!der) {
            return "";
        }
        const cert = s.core.X509Certificate.parse(Buffer.from(der));
        const times = s.verify
            .toSignedEntity(bundle, c.artifact)
            .timestamps.map((t) =>
                t.$case === "transparency-log"
                    ? new Date(Number(t.tlogEntry.integratedTime) * 1000)
                    : t.timestamp.signingTime,
            );
        if (times.length === 0 || times.some((t) => t >= cert.notBefore && t <= cert.notAfter)) {
            return "";
        }
        const when = times.map((t) => t.toISOString()).join(", ");
        const expired = times.every((t) => t > cert.notAfter);
        return (
            `; the certificate was valid from ${cert.notBefore.toISOString()} until ` +
            `${cert.notAfter.toISOString()}, but the signature was made at ` +
            `${when}${expired ? " (after it expired)" : ""}`
        );
    } catch {
        return "";
    }
}

/** Verifies the cryptography of a candidate with one signer; returns undefined on success or the problem. */
function verifyCrypto(c: Candidate, signer: TrustedSigner, trust: TrustContext, s: Sigstore): string | undefined {
    if ((signer.kind === "key") !== (c.keyMaterial === "public-key")) {
        return signer.kind === "key"
            ? "it is signed with a certificate (keyless), not with a key"
            : "it is signed with a key, not with a keyless certificate";
    }
    if (signer.kind === "keyless" && trust.trustedRootJson === undefined) {
        return (
            "keyless signatures need a trusted root, and none is configured (option trustedRoot: a " +
            "trusted_root.json)"
        );
    }
    let bundles: AnyBundle[];
    try {
        bundles = c.bundles(signer.kind === "keyless");
    } catch (err) {
        return `it could not be read as a Sigstore bundle (${errorText(err)})`;
    }
    const tlogRequired = signer.tlog === "required";
    const options: SigstoreVerify.VerifierOptions =
        signer.kind === "key"
            ? { tlogThreshold: tlogRequired ? 1 : 0, ctlogThreshold: 0, timestampThreshold: tlogRequired ? 1 : 0 }
            : { tlogThreshold: tlogRequired ? 1 : 0, ctlogThreshold: signer.ignoreSCT ? 0 : 1, timestampThreshold: 1 };
    let last: string | undefined;
    for (const original of bundles) {
        const bundle: AnyBundle =
            signer.tlog === "ignore"
                ? {
                      ...original,
                      verificationMaterial: { ...original.verificationMaterial, tlogEntries: [] },
                  }
                : original;
        try {
            const tm = trustMaterialFor(signer, trust, s);
            const verifier = new s.verify.Verifier(tm, options);
            const result = verifier.verify(s.verify.toSignedEntity(bundle, c.artifact));
            if (signer.kind === "keyless") {
                const problem = identityProblem(signer, result.identity);
                if (problem) {
                    last = problem;
                    continue;
                }
            }
            return undefined;
        } catch (err) {
            last = explainVerificationError(err, signer, trust);
            if ((err as { code?: string })?.code === "CERTIFICATE_ERROR") {
                last += expiryNote(c, bundle, s);
            }
        }
    }
    return last ?? "it carries no signature";
}

/**
 * Judges one piece of evidence for one requirement and digest. Never throws: every failure is an
 * outcome with a problem.
 */
export async function evaluateItem(
    item: EvidenceItem,
    requirement: Requirement,
    digest: string,
    trust: TrustContext,
): Promise<ItemOutcome> {
    const where = item.where;
    let s: Sigstore;
    try {
        s = await loadSigstore();
    } catch (err) {
        return {
            accepted: false,
            irrelevant: false,
            foundSigner: "unknown",
            problem: `the Sigstore libraries could not be loaded (${errorText(err)})`,
            where,
        };
    }
    try {
        const c = candidateOf(item, s);
        if (typeof c === "string") {
            return { accepted: false, irrelevant: false, foundSigner: "unknown", problem: c, where };
        }
        const foundSigner = describeSigner(c, s);
        // Classify by the (signed) payload first: other attestations are not candidates at all.
        let statement: Statement | undefined;
        let boundTo: string[];
        if (c.claim.kind === "message") {
            return {
                accepted: false,
                irrelevant: true,
                foundSigner,
                problem: "it is a message-signature bundle, which signs a file, not an image",
                where,
            };
        } else if (c.claim.kind === "simple-signing") {
            if (requirement.kind === "attestation") {
                return { accepted: false, irrelevant: true, foundSigner, where };
            }
            const d = simpleSigningDigest(c.claim.payload);
            if (typeof d !== "string") {
                return { accepted: false, irrelevant: false, foundSigner, problem: d.problem, where };
            }
            boundTo = [d];
        } else {
            const parsed = parseStatement(c.claim.payloadType, c.claim.payload);
            if (typeof parsed === "string") {
                return { accepted: false, irrelevant: false, foundSigner, problem: parsed, where };
            }
            const wanted =
                requirement.kind === "signature"
                    ? parsed.predicateType === COSIGN_SIGN_PREDICATE
                    : requirement.predicateType.matches(parsed.predicateType);
            if (!wanted) {
                return {
                    accepted: false,
                    irrelevant: true,
                    foundSigner,
                    problem: `its predicate type is ${parsed.predicateType}`,
                    where,
                };
            }
            statement = parsed;
            boundTo = parsed.subjectDigests.filter((d) => d.startsWith(`${digest.split(":")[0]}:`));
        }
        // Then the signature, with each trusted signer in turn.
        const problems: string[] = [];
        let trustedSigner: TrustedSigner | undefined;
        for (const signer of requirement.signers) {
            const problem = verifyCrypto(c, signer, trust, s);
            if (problem === undefined) {
                trustedSigner = signer;
                break;
            }
            problems.push(problem);
        }
        if (!trustedSigner) {
            // A key the bundle names that is not among the trusted ones: say so rather than "does not verify with each
            // key".
            const found = hintFingerprint(c.hint);
            const keySigners = requirement.signers.filter((x): x is KeySigner => x.kind === "key");
            if (found !== undefined && !keySigners.some((k) => k.fingerprint === found)) {
                return { accepted: false, irrelevant: false, foundSigner, problem: "not trusted", where };
            }
            return { accepted: false, irrelevant: false, foundSigner, problem: summarizeProblems(problems), where };
        }
        // Finally the binding to this image: a trusted signature over another digest is a replay.
        if (!boundTo.includes(digest)) {
            const shown = boundTo.length ? boundTo.map(short).join(", ") : "no image digest";
            return {
                accepted: false,
                irrelevant: false,
                foundSigner,
                trustedSigner,
                boundTo,
                problem:
                    `the ${requirement.kind === "signature" ? "signature" : "attestation"} is for ${shown}, not ` +
                    `for ${short(digest)} (copied from another image?)`,
                where,
            };
        }
        return {
            accepted: true,
            irrelevant: false,
            foundSigner,
            trustedSigner,
            ...(statement && { statement }),
            where,
        };
    } catch (err) {
        return {
            accepted: false,
            irrelevant: false,
            foundSigner: "unknown",
            problem: `it could not be verified (${errorText(err)})`,
            where,
        };
    }
}

function summarizeProblems(problems: readonly string[]): string {
    const unique = [...new Set(problems)];
    return unique.length === 0 ? "no trusted signer is configured" : unique.join("; ");
}
