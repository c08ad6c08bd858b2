// Builds cosign-shaped evidence in Node for the unit tests, in the two layouts cosign v3 writes
// (checked against real cosign output in tests/supply-chain/cosign.spec.ts):
//   * a Sigstore bundle v0.3 holding a DSSE envelope over an in-toto statement, attached as an OCI
//     referrer (one layer, media type application/vnd.dev.sigstore.bundle.v0.3+json);
//   * a legacy `sha256-<hex>.sig` manifest whose layers are simple-signing payloads with the
//     signature in the `dev.cosignproject.cosign/signature` annotation (and `.att` with DSSE layers).

import { type KeyObject, createHash, generateKeyPairSync, sign } from "crypto";
import { type FakeRegistry, OCI_MANIFEST } from "./fake-registry";

export const BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";
export const COSIGN_SIGN = "https://sigstore.dev/cosign/sign/v1";
export const SLSA_V1 = "https://slsa.dev/provenance/v1";
export const IN_TOTO = "application/vnd.in-toto+json";

export interface TestKey {
    readonly privateKey: KeyObject;
    readonly publicKey: KeyObject;
    readonly publicPem: string;
    /** cosign's hint: base64(SHA-256(SPKI DER)). */
    readonly hint: string;
    /** `sha256:<hex>` of the SPKI DER, as messages show keys. */
    readonly fingerprint: string;
}

export function testKey(): TestKey {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const der = publicKey.export({ format: "der", type: "spki" });
    const hash = createHash("sha256").update(der);
    const hex = hash.copy().digest("hex");
    return {
        privateKey,
        publicKey,
        publicPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
        hint: Buffer.from(hex, "hex").toString("base64"),
        fingerprint: `sha256:${hex}`,
    };
}

/** DSSE pre-authentication encoding. */
export function pae(payloadType: string, payload: Buffer): Buffer {
    return Buffer.concat([
        Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `),
        payload,
    ]);
}

export function statement(
    subjectDigest: string,
    predicateType: string,
    predicate: unknown = {},
    type = "https://in-toto.io/Statement/v1",
): Buffer {
    const [algorithm, hex] = subjectDigest.split(":");
    return Buffer.from(
        JSON.stringify({
            _type: type,
            subject: [{ name: "image", digest: { [algorithm]: hex } }],
            predicateType,
            predicate,
        }),
    );
}

export interface EnvelopeOptions {
    readonly payloadType?: string;
    /** Replace the payload after signing (a tampered envelope). */
    readonly tamperedPayload?: Buffer;
}

export function dsseEnvelope(
    key: TestKey,
    payload: Buffer,
    opts: EnvelopeOptions = {},
): { payload: string; payloadType: string; signatures: { sig: string; keyid: string }[] } {
    const payloadType = opts.payloadType ?? IN_TOTO;
    const sig = sign("sha256", pae(payloadType, payload), key.privateKey).toString("base64");
    return {
        payload: (opts.tamperedPayload ?? payload).toString("base64"),
        payloadType,
        signatures: [{ sig, keyid: "" }],
    };
}

/** A keyed Sigstore bundle (no transparency log), as `cosign sign|attest --key … --tlog-upload=false` writes it. */
export function keyedBundle(key: TestKey, payload: Buffer, opts: EnvelopeOptions = {}): object {
    return {
        mediaType: BUNDLE_V03,
        verificationMaterial: { publicKey: { hint: key.hint } },
        dsseEnvelope: dsseEnvelope(key, payload, opts),
    };
}

/** Attaches a bundle to an image digest as an OCI referrer (cosign v3's layout). */
export function attachBundle(
    reg: FakeRegistry,
    repo: string,
    subject: string,
    bundle: object,
    predicateType = COSIGN_SIGN,
): string {
    const layer = reg.putBlob(JSON.stringify(bundle));
    const config = reg.putBlob("{}");
    return reg.putManifest(repo, {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: BUNDLE_V03,
        config: { mediaType: "application/vnd.oci.empty.v1+json", ...config },
        layers: [{ mediaType: BUNDLE_V03, ...layer }],
        subject: { mediaType: OCI_MANIFEST, digest: subject, size: 100 },
        annotations: {
            "dev.sigstore.bundle.content": "dsse-envelope",
            "dev.sigstore.bundle.predicateType": predicateType,
        },
    });
}

/** The simple-signing payload cosign signs in the legacy layout. */
export function simpleSigningPayload(repository: string, digest: string): Buffer {
    return Buffer.from(
        JSON.stringify({
            critical: {
                identity: { "docker-reference": repository },
                image: { "docker-manifest-digest": digest },
                type: "cosign container image signature",
            },
            optional: null,
        }),
    );
}

export interface LegacyLayer {
    readonly payload: Buffer;
    readonly annotations: Record<string, string>;
    readonly mediaType: string;
}

export function legacySignatureLayer(key: TestKey, payload: Buffer): LegacyLayer {
    return {
        payload,
        mediaType: "application/vnd.dev.cosign.simplesigning.v1+json",
        annotations: {
            "dev.cosignproject.cosign/signature": sign("sha256", payload, key.privateKey).toString("base64"),
        },
    };
}

export function legacyAttestationLayer(key: TestKey, statementBytes: Buffer, predicateType: string): LegacyLayer {
    return {
        payload: Buffer.from(JSON.stringify(dsseEnvelope(key, statementBytes))),
        mediaType: "application/vnd.dsse.envelope.v1+json",
        annotations: { "dev.cosignproject.cosign/signature": "", predicateType },
    };
}

/** Writes the legacy `sha256-<hex>.sig` or `.att` manifest for a digest. */
export function attachLegacy(
    reg: FakeRegistry,
    repo: string,
    digest: string,
    suffix: "sig" | "att",
    layers: readonly LegacyLayer[],
): string {
    const config = reg.putBlob("{}");
    return reg.putManifest(
        repo,
        {
            schemaVersion: 2,
            mediaType: OCI_MANIFEST,
            config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
            layers: layers.map((l) => ({
                mediaType: l.mediaType,
                ...reg.putBlob(l.payload),
                annotations: l.annotations,
            })),
        },
        [`${digest.replace(":", "-")}.${suffix}`],
    );
}
