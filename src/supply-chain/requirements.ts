// Signature and provenance requirements: compiled once from configuration, then matched to images.
//
// Compilation never throws. Every problem is reported as a message that names the requirement
// (by its index in the list), the field and what is wrong, so a misconfiguration fails at
// Configure with a message that can be acted on, and a requirement that did not compile is never
// used half-understood (a requirement with an error is left out and the errors are returned).

import { type KeyObject, createHash, createPublicKey } from "crypto";
import { type ImageReference, type ParsedImage } from "../images/image-ref";
import { type ImageGlob, compileImageGlob, imageGlobMatches } from "./glob";
import { anchoredRegExp, errorText, isObject, own, typeName, unknownFields } from "./config-util";
import { type CompiledConditions, compileConditions } from "./conditions";
import { type PredicateTypeMatcher, compilePredicateType } from "./predicate-types";

/**
 * How transparency-log (Rekor) evidence is treated:
 * - `required`: at least one tlog entry, verified against the trusted root's logs.
 * - `ifPresent`: entries the bundle carries are verified (an entry from a log the trusted root does
 *   not list fails); a bundle without entries passes this step.
 * - `ignore`: entries are not looked at (cosign's `--insecure-ignore-tlog`); keyless signatures then
 *   need an RFC 3161 timestamp.
 */
export type TlogMode = "required" | "ifPresent" | "ignore";
export const TLOG_MODES: readonly TlogMode[] = ["required", "ifPresent", "ignore"];

/** A trusted public key. */
export interface KeySigner {
    readonly kind: "key";
    readonly publicKey: KeyObject;
    /** `sha256:<hex>` of the key's SubjectPublicKeyInfo DER (cosign's bundle hint is the same hash, base64). */
    readonly fingerprint: string;
    /** How messages name it: `key sha256:ab12cd34ef56…`. */
    readonly label: string;
    /** Transparency-log handling for signatures by this key. */
    readonly tlog: TlogMode;
}

/** A trusted keyless (Fulcio certificate) identity. */
export interface KeylessSigner {
    readonly kind: "keyless";
    /** Exact OIDC issuer, or a regular expression anchored at both ends. */
    readonly issuer: string | undefined;
    readonly issuerRegExp: RegExp | undefined;
    /** Exact certificate subject (SAN: e-mail or URI), or a regular expression anchored at both ends. */
    readonly subject: string | undefined;
    readonly subjectRegExp: RegExp | undefined;
    /** Whether certificates need no embedded SCT (certificate-transparency proof). */
    readonly ignoreSCT: boolean;
    readonly label: string;
    readonly tlog: TlogMode;
}

export type TrustedSigner = KeySigner | KeylessSigner;

interface RequirementBase {
    /** Stable identity of the requirement's meaning (a hash): verdicts are cached by (digest, id). */
    readonly id: string;
    /** Position in the configured list. */
    readonly index: number;
    /** Where it was configured, e.g. `image-signature.requirements[1]`, for messages. */
    readonly path: string;
    readonly images: readonly ImageGlob[];
    /** Any one of these may sign. */
    readonly signers: readonly TrustedSigner[];
}

export interface SignatureRequirement extends RequirementBase {
    readonly kind: "signature";
}

export interface ProvenanceRequirement extends RequirementBase {
    readonly kind: "attestation";
    readonly predicateType: PredicateTypeMatcher;
    readonly conditions: CompiledConditions;
}

export type Requirement = SignatureRequirement | ProvenanceRequirement;

export interface Compiled<R> {
    readonly requirements: readonly R[];
    readonly errors: readonly string[];
}

/** Limits that keep a configuration (and its error list) bounded. */
const MAX_REQUIREMENTS = 1000;
const MAX_ITEMS = 1000;

const SIGNATURE_FIELDS = ["name", "images", "keys", "keyless", "tlog"] as const;
const PROVENANCE_FIELDS = [...SIGNATURE_FIELDS, "predicateType", "conditions"] as const;
const KEYLESS_FIELDS = ["issuer", "issuerRegExp", "subject", "subjectRegExp", "ignoreSCT"] as const;

/** `sha256:<hex>` of a public key's SubjectPublicKeyInfo DER. */
export function keyFingerprint(key: KeyObject): string {
    return `sha256:${createHash("sha256")
        .update(key.export({ format: "der", type: "spki" }))
        .digest("hex")}`;
}

/** A fingerprint shortened for messages: `sha256:ab12cd34ef56…`. */
export function shortFingerprint(fingerprint: string): string {
    return fingerprint.length > 19 ? `${fingerprint.slice(0, 19)}…` : fingerprint;
}

const PEM_KEY_KIND = "(?:PUBLIC KEY|EC PUBLIC KEY|RSA PUBLIC KEY)";
const PEM_PUBLIC_KEY = new RegExp(`-----BEGIN ${PEM_KEY_KIND}-----[\\s\\S]+?-----END ${PEM_KEY_KIND}-----`);

/** Parses a PEM public key, or says why it is not one. */
export function parsePublicKey(text: unknown): KeyObject | string {
    if (typeof text !== "string") {
        return `must be a PEM public key string, not ${typeName(text)}`;
    }
    if (text.includes("PRIVATE KEY")) {
        return "is a private key: configure the public key (cosign.pub), never the private one";
    }
    if (text.includes("BEGIN CERTIFICATE")) {
        return (
            "is a certificate: configure its public key (openssl x509 -pubkey -noout), or use keyless with the " +
            "certificate's identity"
        );
    }
    const pem = PEM_PUBLIC_KEY.exec(text);
    if (!pem) {
        return (
            `is not a PEM public key (expected "-----BEGIN PUBLIC KEY-----"…"-----END PUBLIC KEY-----"; got ` +
            `${JSON.stringify(text.slice(0, 40))}${text.length > 40 ? "…" : ""})`
        );
    }
    try {
        const key = createPublicKey({ key: pem[0], format: "pem" });
        const type = key.asymmetricKeyType;
        if (type !== "ec" && type !== "rsa" && type !== "ed25519") {
            return `is a ${type ?? "unknown"} key; cosign signatures use ECDSA, RSA or Ed25519 keys`;
        }
        return key;
    } catch (err) {
        return `is not a valid public key (${errorText(err)})`;
    }
}

function stringList(value: unknown, path: string, errors: string[], what: string): string[] | undefined {
    if (!Array.isArray(value)) {
        errors.push(`${path} must be a list of ${what}, not ${typeName(value)}`);
        return undefined;
    }
    if (value.length > MAX_ITEMS) {
        errors.push(`${path} has ${value.length} entries (at most ${MAX_ITEMS})`);
        return undefined;
    }
    return value as string[];
}

function compileImages(raw: unknown, path: string, errors: string[]): ImageGlob[] {
    if (raw === undefined) {
        errors.push(`${path}.images is missing: list the images this requirement covers, e.g. ["ghcr.io/acme/*"]`);
        return [];
    }
    const list = stringList(raw, `${path}.images`, errors, "image globs");
    if (!list) {
        return [];
    }
    if (list.length === 0) {
        errors.push(`${path}.images is empty: list the images this requirement covers, e.g. ["ghcr.io/acme/*"]`);
    }
    const out: ImageGlob[] = [];
    list.forEach((text, i) => {
        const g = compileImageGlob(text);
        if (typeof g === "string") {
            errors.push(`${path}.images[${i}] ${g}`);
        } else {
            out.push(g);
        }
    });
    return out;
}

function compileTlog(raw: unknown, path: string, errors: string[]): TlogMode | undefined {
    if (raw === undefined) {
        return undefined;
    }
    if (typeof raw !== "string" || !(TLOG_MODES as readonly string[]).includes(raw)) {
        errors.push(
            `${path}.tlog must be one of ${TLOG_MODES.map((m) => JSON.stringify(m)).join(", ")}, not ` +
                `${typeof raw === "string" ? JSON.stringify(raw) : typeName(raw)}`,
        );
        return undefined;
    }
    return raw as TlogMode;
}

function compileKeys(raw: unknown, path: string, tlog: TlogMode | undefined, errors: string[]): KeySigner[] {
    if (raw === undefined) {
        return [];
    }
    const list = stringList(raw, `${path}.keys`, errors, "PEM public keys");
    if (!list) {
        return [];
    }
    const out: KeySigner[] = [];
    list.forEach((text, i) => {
        const key = parsePublicKey(text);
        if (typeof key === "string") {
            errors.push(`${path}.keys[${i}] ${key}`);
            return;
        }
        const fingerprint = keyFingerprint(key);
        // Keys are usually used without a transparency log; entries a bundle carries are still checked.
        out.push({
            kind: "key",
            publicKey: key,
            fingerprint,
            label: `key ${shortFingerprint(fingerprint)}`,
            tlog: tlog ?? "ifPresent",
        });
    });
    return out;
}

function compileKeyless(raw: unknown, path: string, tlog: TlogMode | undefined, errors: string[]): KeylessSigner[] {
    if (raw === undefined) {
        return [];
    }
    if (!Array.isArray(raw)) {
        errors.push(
            `${path}.keyless must be a list of identities ({issuer | issuerRegExp, subject | subjectRegExp}), not ` +
                `${typeName(raw)}`,
        );
        return [];
    }
    if (raw.length > MAX_ITEMS) {
        errors.push(`${path}.keyless has ${raw.length} entries (at most ${MAX_ITEMS})`);
        return [];
    }
    const out: KeylessSigner[] = [];
    raw.forEach((entry: unknown, i) => {
        const at = `${path}.keyless[${i}]`;
        if (!isObject(entry)) {
            errors.push(
                `${at} must be an object ({issuer | issuerRegExp, subject | subjectRegExp}), not ${typeName(entry)}`,
            );
            return;
        }
        const before = errors.length;
        unknownFields(entry, KEYLESS_FIELDS, at, errors);
        const exactOrRegExp = (
            exactKey: "issuer" | "subject",
            reKey: "issuerRegExp" | "subjectRegExp",
            example: string,
        ) => {
            const exact = own(entry, exactKey);
            const re = own(entry, reKey);
            if (exact !== undefined && re !== undefined) {
                errors.push(`${at}: give either ${exactKey} or ${reKey}, not both`);
                return { exact: undefined, re: undefined };
            }
            if (exact === undefined && re === undefined) {
                errors.push(`${at}: ${exactKey} or ${reKey} is required (e.g. ${example})`);
                return { exact: undefined, re: undefined };
            }
            if (exact !== undefined) {
                if (typeof exact !== "string" || exact === "") {
                    errors.push(
                        `${at}.${exactKey} must be a non-empty string, not ` +
                            `${typeof exact === "string" ? "empty" : typeName(exact)}`,
                    );
                    return { exact: undefined, re: undefined };
                }
                return { exact, re: undefined };
            }
            const compiled = anchoredRegExp(re);
            if (typeof compiled === "string") {
                errors.push(`${at}.${reKey} ${compiled}`);
                return { exact: undefined, re: undefined };
            }
            return { exact: undefined, re: compiled };
        };
        const issuer = exactOrRegExp(
            "issuer",
            "issuerRegExp",
            '"issuer": "https://token.actions.githubusercontent.com"',
        );
        const subject = exactOrRegExp("subject", "subjectRegExp", '"subjectRegExp": "https://github.com/acme/.*"');
        const ignoreSCT = own(entry, "ignoreSCT");
        if (ignoreSCT !== undefined && typeof ignoreSCT !== "boolean") {
            errors.push(`${at}.ignoreSCT must be true or false, not ${typeName(ignoreSCT)}`);
        }
        if (errors.length > before) {
            return;
        }
        // Shown as written, with the anchors that apply (RegExp.source would escape every "/").
        const issuerText =
            issuer.exact !== undefined
                ? JSON.stringify(issuer.exact)
                : `matching /^(?:${own(entry, "issuerRegExp") as string})$/`;
        const subjectText =
            subject.exact !== undefined
                ? JSON.stringify(subject.exact)
                : `matching /^(?:${own(entry, "subjectRegExp") as string})$/`;
        out.push({
            kind: "keyless",
            issuer: issuer.exact,
            issuerRegExp: issuer.re,
            subject: subject.exact,
            subjectRegExp: subject.re,
            ignoreSCT: ignoreSCT === true,
            label: `keyless identity with subject ${subjectText} from issuer ${issuerText}`,
            // A keyless certificate lives ten minutes: cosign requires a log entry to prove when it signed.
            tlog: tlog ?? "required",
        });
    });
    return out;
}

function requirementId(kind: string, parts: unknown): string {
    return createHash("sha256")
        .update(JSON.stringify([kind, parts]))
        .digest("hex")
        .slice(0, 16);
}

function signerIdentity(s: TrustedSigner): unknown {
    return s.kind === "key"
        ? ["key", s.fingerprint, s.tlog]
        : ["keyless", s.issuer, s.issuerRegExp?.source, s.subject, s.subjectRegExp?.source, s.ignoreSCT, s.tlog];
}

interface CommonParts {
    readonly path: string;
    readonly images: ImageGlob[];
    readonly signers: TrustedSigner[];
}

function compileCommon(entry: Record<string, unknown>, path: string, errors: string[]): CommonParts {
    const name = own(entry, "name");
    if (name !== undefined && typeof name !== "string") {
        errors.push(`${path}.name must be a string, not ${typeName(name)}`);
    }
    const images = compileImages(own(entry, "images"), path, errors);
    const tlog = compileTlog(own(entry, "tlog"), path, errors);
    const keys = compileKeys(own(entry, "keys"), path, tlog, errors);
    const keyless = compileKeyless(own(entry, "keyless"), path, tlog, errors);
    if (own(entry, "keys") === undefined && own(entry, "keyless") === undefined) {
        errors.push(
            `${path}: no trusted signer: give "keys" (PEM public keys) or "keyless" (certificate identities), or both`,
        );
    } else if (
        keys.length + keyless.length === 0 &&
        !errors.some((e) => e.startsWith(`${path}.keys`) || e.startsWith(`${path}.keyless`))
    ) {
        errors.push(`${path}: "keys" and "keyless" are both empty, so no signer could ever satisfy this requirement`);
    }
    return { path, images, signers: [...keys, ...keyless] };
}

function compileList<R>(
    raw: unknown,
    path: string,
    compileOne: (entry: Record<string, unknown>, at: string, index: number, errors: string[]) => R | undefined,
): Compiled<R> {
    const errors: string[] = [];
    if (raw === undefined || raw === null) {
        return { requirements: [], errors };
    }
    if (!Array.isArray(raw)) {
        return { requirements: [], errors: [`${path} must be a list of requirements, not ${typeName(raw)}`] };
    }
    if (raw.length > MAX_REQUIREMENTS) {
        return { requirements: [], errors: [`${path} has ${raw.length} requirements (at most ${MAX_REQUIREMENTS})`] };
    }
    const requirements: R[] = [];
    raw.forEach((entry: unknown, index) => {
        const at = `${path}[${index}]`;
        if (!isObject(entry)) {
            errors.push(`${at} must be an object with "images" and "keys" or "keyless", not ${typeName(entry)}`);
            return;
        }
        const entryErrors: string[] = [];
        const r = compileOne(entry, at, index, entryErrors);
        errors.push(...entryErrors);
        if (r !== undefined && entryErrors.length === 0) {
            requirements.push(r);
        }
    });
    return { requirements, errors };
}

/**
 * Compiles `image-signature` requirements: `[{images, keys?, keyless?, tlog?, name?}]`. `path` names
 * the list in messages, e.g. `image-signature.requirements`. Never throws.
 */
export function compileSignatureRequirements(raw: unknown, path = "requirements"): Compiled<SignatureRequirement> {
    try {
        return compileList(raw, path, (entry, at, index, errors) => {
            unknownFields(entry, SIGNATURE_FIELDS, at, errors);
            const common = compileCommon(entry, at, errors);
            return {
                kind: "signature",
                id: requirementId("signature", [
                    common.images.map((g) => g.normalized),
                    common.signers.map(signerIdentity),
                ]),
                index,
                ...common,
            };
        });
    } catch (err) {
        return { requirements: [], errors: [`${path} could not be read (${errorText(err)})`] };
    }
}

/**
 * Compiles `image-provenance` requirements: `[{images, keys?, keyless?, tlog?, name?,
 * predicateType, conditions?}]`. Never throws.
 */
export function compileProvenanceRequirements(raw: unknown, path = "requirements"): Compiled<ProvenanceRequirement> {
    try {
        return compileList(raw, path, (entry, at, index, errors) => {
            unknownFields(entry, PROVENANCE_FIELDS, at, errors);
            const common = compileCommon(entry, at, errors);
            const predicateType = compilePredicateType(own(entry, "predicateType"), `${at}.predicateType`, errors);
            const conditions = compileConditions(own(entry, "conditions"), `${at}.conditions`, predicateType, errors);
            if (!predicateType || !conditions) {
                return undefined;
            }
            return {
                kind: "attestation",
                id: requirementId("attestation", [
                    common.images.map((g) => g.normalized),
                    common.signers.map(signerIdentity),
                    predicateType.uri,
                    conditions.identity,
                ]),
                index,
                ...common,
                predicateType,
                conditions,
            };
        });
    } catch (err) {
        return { requirements: [], errors: [`${path} could not be read (${errorText(err)})`] };
    }
}

/**
 * The requirements that cover an image: every requirement with a glob matching its repository.
 * All of them must be satisfied (as in the policy-controller, where several matching policies all
 * apply). Image IDs and unparsable references match none: they name no repository to look in.
 */
export function requirementsFor<R extends Requirement>(
    image: ParsedImage | ImageReference,
    requirements: readonly R[],
): R[] {
    if (image.kind !== "reference") {
        return [];
    }
    return requirements.filter((r) => r.images.some((g) => imageGlobMatches(g, image)));
}

/** Alias with the name the policy layer was promised. */
export const requirementFor = requirementsFor;
