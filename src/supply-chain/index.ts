// Supply-chain verification for container images: cosign signatures and in-toto attestations
// (SLSA provenance, SBOMs), read from registries or an evidence directory and verified with the
// Sigstore libraries. The policy layer compiles its configuration with compileSignaturePolicyConfig /
// compileProvenancePolicyConfig, picks requirements with requirementsFor, and awaits verdicts from a
// shared Verifier. Importing this module loads no Sigstore library: they are loaded on first use.

export { compileImageGlob, globMatch, imageGlobMatches, matchableName } from "./glob";
export type { ImageGlob } from "./glob";
export {
    compileProvenanceRequirements,
    compileSignatureRequirements,
    keyFingerprint,
    parsePublicKey,
    requirementFor,
    requirementsFor,
    TLOG_MODES,
} from "./requirements";
export type {
    KeySigner,
    KeylessSigner,
    ProvenanceRequirement,
    Requirement,
    SignatureRequirement,
    TlogMode,
    TrustedSigner,
} from "./requirements";
export {
    compilePredicateType,
    COSIGN_SIGN_PREDICATE,
    CYCLONEDX,
    SLSA_PROVENANCE_V02,
    SLSA_PROVENANCE_V1,
    SPDX,
} from "./predicate-types";
export { conditionFailures, normalizeRepository } from "./conditions";
export {
    compileProvenancePolicyConfig,
    compileSignaturePolicyConfig,
    compileVerifierOptions,
    sharedVerifier,
    VERIFIER_OPTION_FIELDS,
} from "./config";
export type { CompiledPolicyConfig } from "./config";
export { DEFAULT_LIMITS, DEFAULT_TIMEOUT_SECONDS, pinnedReference, Verifier } from "./verifier";
export type { DigestResolution, Limits, Verdict, VerdictStatus, VerifierOptions, VerifierStats } from "./verifier";
export { DirectorySource, RegistrySource, TAGS_FILE } from "./evidence";
export type { EvidenceItem, EvidenceSet, EvidenceSource } from "./evidence";
export { collectEvidence } from "./collect";
export type { CollectResult } from "./collect";
export { EvidenceError } from "./http";
