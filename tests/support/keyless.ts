// A private Sigstore for keyless tests: a Fulcio-like CA (with a certificate-transparency log that
// embeds SCTs), a Rekor-like transparency log and an RFC 3161 timestamp authority, all from
// @sigstore/mock, plus the trusted_root.json that trusts them. Signing certificates are issued for
// ephemeral keys with a chosen identity (SAN and OIDC issuer extension), at chosen times, so tests
// can produce valid, expired, wrongly issued and wrong-identity signatures without any network.

import { createHash, generateKeyPairSync, sign } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { initializeCA, initializeCTLog, initializeTLog, initializeTSA } from "@sigstore/mock";
import { BUNDLE_V03, IN_TOTO, pae } from "./signing";

const OID_FULCIO_ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";
const SHA256_OID = "2.16.840.1.101.3.4.2.1";

type KeyPair = ReturnType<typeof generateKeyPairSync>;
type CA = Awaited<ReturnType<typeof initializeCA>>;
type TLog = Awaited<ReturnType<typeof initializeTLog>>;
type TSA = Awaited<ReturnType<typeof initializeTSA>>;

function ecKeyPair(): KeyPair {
    return generateKeyPairSync("ec", { namedCurve: "P-256" });
}

/** The bytes of a typed-array view (the mock returns views; Buffer.from does not take them in the types). */
function bytes(view: ArrayBufferView): Buffer {
    return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

function spki(key: KeyPair["publicKey"]): Buffer {
    return key.export({ format: "der", type: "spki" });
}

export interface Identity {
    readonly subject: string;
    readonly issuer: string;
}

export interface KeylessSignOptions {
    /** When the certificate is issued (default: the world's start). */
    readonly certificateTime?: Date;
    /** Log the signature in the transparency log at this time (default: a minute after issuance); null: no entry. */
    readonly tlogTime?: Date | null;
    /** Timestamp the signature with the TSA at this time; undefined: no timestamp. */
    readonly tsaTime?: Date;
    /** Issue from this CA instead of the trusted one. */
    readonly ca?: { ca: CA; clock: Clock };
}

/** A clock the mock services read on every operation: set it before each one. */
class Clock extends Date {
    at(time: Date): this {
        this.setTime(time.getTime());
        return this;
    }
}

export class KeylessWorld {
    private constructor(
        readonly start: Date,
        private readonly caKeys: KeyPair,
        private readonly ctKeys: KeyPair,
        private readonly clocks: { ca: Clock; ct: Clock; tlog: Clock; tsa: Clock },
        private readonly ctLog: Awaited<ReturnType<typeof initializeCTLog>>,
        private readonly ca: CA,
        private readonly tlog: TLog,
        private readonly tsa: TSA,
    ) {}

    static async create(start = new Date(Math.ceil((Date.now() + 5000) / 1000) * 1000)): Promise<KeylessWorld> {
        // The mock CA and TSA root certificates are valid from the moment they are made (real time), so every
        // signing time in this world lies after that; verification only compares times, it never reads the clock.
        // Whole seconds: @sigstore/core 3.2.1 parses fractional GeneralizedTime only with exactly three digits, and
        // DER drops trailing zeros (see the keyless test of a timestamp at .5 s).
        const caKeys = ecKeyPair();
        const ctKeys = ecKeyPair();
        const clocks = { ca: new Clock(start), ct: new Clock(start), tlog: new Clock(start), tsa: new Clock(start) };
        const ctLog = await initializeCTLog(ctKeys, clocks.ct);
        const ca = await initializeCA(caKeys, ctLog, clocks.ca);
        const tlog = await initializeTLog("https://rekor.test", ecKeyPair(), clocks.tlog);
        const tsa = await initializeTSA(ecKeyPair(), clocks.tsa);
        return new KeylessWorld(start, caKeys, ctKeys, clocks, ctLog, ca, tlog, tsa);
    }

    /** A CA with the trusted CA's keys and name that embeds no SCT. */
    async caWithoutSct(): Promise<{ ca: CA; clock: Clock }> {
        const clock = new Clock(this.start);
        return { ca: await initializeCA(this.caKeys, undefined, clock), clock };
    }

    /** A CA nobody trusts. */
    static async untrustedCA(time: Date): Promise<{ ca: CA; clock: Clock }> {
        const clock = new Clock(time);
        return { ca: await initializeCA(ecKeyPair(), undefined, clock), clock };
    }

    /** The trusted_root.json trusting this world's CA, CT log, transparency log and TSA. */
    trustedRoot(): object {
        const validFrom = new Date(this.start.getTime() - 24 * 60 * 60 * 1000).toISOString();
        const tlogKey = this.tlog.publicKey;
        const ctKey = spki(this.ctKeys.publicKey);
        return {
            mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            tlogs: [
                {
                    baseUrl: "https://rekor.test",
                    hashAlgorithm: "SHA2_256",
                    publicKey: {
                        rawBytes: tlogKey.toString("base64"),
                        keyDetails: "PKIX_ECDSA_P256_SHA_256",
                        validFor: { start: validFrom },
                    },
                    logId: { keyId: createHash("sha256").update(tlogKey).digest("base64") },
                },
            ],
            certificateAuthorities: [
                {
                    subject: { organization: "sigstore.mock", commonName: "sigstore" },
                    uri: "https://fulcio.test",
                    certChain: { certificates: [{ rawBytes: bytes(this.ca.rootCertificate).toString("base64") }] },
                    validFor: { start: validFrom },
                },
            ],
            ctlogs: [
                {
                    baseUrl: "https://ctfe.test",
                    hashAlgorithm: "SHA2_256",
                    publicKey: {
                        rawBytes: ctKey.toString("base64"),
                        keyDetails: "PKIX_ECDSA_P256_SHA_256",
                        validFor: { start: validFrom },
                    },
                    logId: { keyId: bytes(this.ctLog.logID).toString("base64") },
                },
            ],
            timestampAuthorities: [
                {
                    subject: { organization: "sigstore.mock", commonName: "tsa" },
                    uri: "https://tsa.test",
                    certChain: {
                        certificates: [
                            { rawBytes: bytes(this.tsa.intCertificate).toString("base64") },
                            { rawBytes: bytes(this.tsa.rootCertificate).toString("base64") },
                        ],
                    },
                    validFor: { start: validFrom },
                },
            ],
        };
    }

    async writeTrustedRoot(dir: string): Promise<string> {
        const file = path.join(dir, "trusted_root.json");
        fs.writeFileSync(file, JSON.stringify(this.trustedRoot(), null, 2));
        return file;
    }

    private async certificate(
        identity: Identity,
        publicKey: KeyPair["publicKey"],
        opts: KeylessSignOptions,
    ): Promise<Buffer> {
        const time = opts.certificateTime ?? this.start;
        let ca = this.ca;
        if (opts.ca) {
            opts.ca.clock.at(time);
            ca = opts.ca.ca;
        } else {
            this.clocks.ca.at(time);
            this.clocks.ct.at(time);
        }
        return bytes(
            await ca.issueCertificate({
                publicKey: new Uint8Array(spki(publicKey)),
                subjectAltName: identity.subject,
                extensions: [{ oid: OID_FULCIO_ISSUER_V2, value: identity.issuer }],
            }),
        );
    }

    private async log(body: object, at: Date) {
        this.clocks.tlog.at(at);
        const entries = await this.tlog.log(body);
        return Object.values(entries)[0] as {
            body: string;
            integratedTime: number;
            logID: string;
            logIndex: number;
            verification: {
                signedEntryTimestamp: string;
                inclusionProof: {
                    logIndex: number;
                    treeSize: number;
                    rootHash: string;
                    hashes: string[];
                    checkpoint: string;
                };
            };
        };
    }

    private async tlogEntry(body: object, at: Date): Promise<object> {
        const entry = await this.log(body, at);
        const decoded = body as { kind: string; apiVersion: string };
        const proof = entry.verification.inclusionProof;
        return {
            logIndex: String(entry.logIndex),
            logId: { keyId: Buffer.from(entry.logID, "hex").toString("base64") },
            kindVersion: { kind: decoded.kind, version: decoded.apiVersion },
            integratedTime: String(entry.integratedTime),
            inclusionPromise: { signedEntryTimestamp: entry.verification.signedEntryTimestamp },
            inclusionProof: {
                logIndex: String(proof.logIndex),
                rootHash: Buffer.from(proof.rootHash, "hex").toString("base64"),
                treeSize: String(proof.treeSize),
                hashes: proof.hashes,
                checkpoint: { envelope: proof.checkpoint },
            },
            canonicalizedBody: entry.body,
        };
    }

    private async timestamp(signature: Buffer, at: Date): Promise<string> {
        this.clocks.tsa.at(at);
        const response = await this.tsa.timestamp({
            artifactHash: createHash("sha256").update(signature).digest(),
            hashAlgorithmOID: SHA256_OID,
            nonce: 42,
            policyOID: "1.2.3.4",
            certReq: true,
        });
        return bytes(response).toString("base64");
    }

    /** A keyless Sigstore bundle v0.3 over an in-toto statement, as cosign v3 keyless signing writes it. */
    async dsseBundle(identity: Identity, statementBytes: Buffer, opts: KeylessSignOptions = {}): Promise<object> {
        const keys = ecKeyPair();
        const certTime = opts.certificateTime ?? this.start;
        const cert = await this.certificate(identity, keys.publicKey, opts);
        const sig = sign("sha256", pae(IN_TOTO, statementBytes), keys.privateKey);
        const tlogEntries: object[] = [];
        if (opts.tlogTime !== null) {
            const certPem = `-----BEGIN CERTIFICATE-----\n${cert.toString("base64")}\n-----END CERTIFICATE-----\n`;
            const body = {
                kind: "dsse",
                apiVersion: "0.0.1",
                spec: {
                    signatures: [
                        { signature: sig.toString("base64"), verifier: Buffer.from(certPem).toString("base64") },
                    ],
                    payloadHash: {
                        algorithm: "sha256",
                        value: createHash("sha256").update(statementBytes).digest("hex"),
                    },
                },
            };
            tlogEntries.push(await this.tlogEntry(body, opts.tlogTime ?? new Date(certTime.getTime() + 60_000)));
        }
        return {
            mediaType: BUNDLE_V03,
            verificationMaterial: {
                certificate: { rawBytes: cert.toString("base64") },
                tlogEntries,
                ...(opts.tsaTime && {
                    timestampVerificationData: {
                        rfc3161Timestamps: [{ signedTimestamp: await this.timestamp(sig, opts.tsaTime) }],
                    },
                }),
            },
            dsseEnvelope: {
                payload: statementBytes.toString("base64"),
                payloadType: IN_TOTO,
                signatures: [{ sig: sig.toString("base64"), keyid: "" }],
            },
        };
    }

    /** A legacy keyless `.sig` evidence file: payload, signature, certificate and cosign's Rekor bundle. */
    async legacySignature(identity: Identity, payload: Buffer): Promise<object> {
        const keys = ecKeyPair();
        const cert = await this.certificate(identity, keys.publicKey, {});
        const sig = sign("sha256", payload, keys.privateKey);
        const certPem = `-----BEGIN CERTIFICATE-----\n${cert.toString("base64")}\n-----END CERTIFICATE-----\n`;
        const body = {
            kind: "hashedrekord",
            apiVersion: "0.0.1",
            spec: {
                signature: {
                    content: sig.toString("base64"),
                    publicKey: { content: Buffer.from(certPem).toString("base64") },
                },
                data: { hash: { algorithm: "sha256", value: createHash("sha256").update(payload).digest("hex") } },
            },
        };
        const entry = await this.log(body, new Date(this.start.getTime() + 60_000));
        return {
            payload: payload.toString("base64"),
            signature: sig.toString("base64"),
            certificate: certPem,
            rekorBundle: {
                SignedEntryTimestamp: entry.verification.signedEntryTimestamp,
                Payload: {
                    body: entry.body,
                    integratedTime: entry.integratedTime,
                    logIndex: entry.logIndex,
                    logID: entry.logID,
                },
            },
        };
    }
}
