// The options of the `image-signature` and `image-provenance` policies, compiled once at Configure:
// requirements plus the verifier's options, with every problem as a message naming the field.
//
// {
//   "requirements": [...],                  see requirements.ts
//   "insecureRegistries": ["127.0.0.1:5000"],  plain HTTP for exactly these hosts (default none)
//   "timeoutSeconds": 10,                    per-image deadline (1–300, default 10)
//   "evidenceDir": "/path",                  read evidence from here, never from registries
//   "trustedRoot": "/path/trusted_root.json",  Sigstore trust (keyless signers, transparency logs)
//   "dockerConfig": "/path/config.json",     credentials file (default $DOCKER_CONFIG/config.json,
// ~/.docker/config.json)
//   "limits": {"manifestBytes", "blobBytes", "maxReferrers", "maxRedirects", "concurrency"}
// }

import { isObject, own, typeName, unknownFields } from "./config-util";
import {
    type Compiled,
    type ProvenanceRequirement,
    type Requirement,
    type SignatureRequirement,
    compileProvenanceRequirements,
    compileSignatureRequirements,
} from "./requirements";
import {
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUT_SECONDS,
    type Limits,
    Verifier,
    type VerifierOptions,
    trustedRootProblem,
} from "./verifier";

export const VERIFIER_OPTION_FIELDS = [
    "insecureRegistries",
    "timeoutSeconds",
    "evidenceDir",
    "trustedRoot",
    "dockerConfig",
    "limits",
] as const;
export const LIMIT_FIELDS = Object.keys(DEFAULT_LIMITS) as (keyof Limits)[];
/** The values each limit may take (inclusive). */
export const LIMIT_RANGES: Record<keyof Limits, [number, number]> = {
    manifestBytes: [1024, 100 * 1024 * 1024],
    blobBytes: [1024, 512 * 1024 * 1024],
    maxReferrers: [1, 10000],
    maxRedirects: [0, 20],
    concurrency: [1, 256],
};
/** A registry `host[:port]` as image names write it (no scheme, no path). */
export const HOST_PORT =
    /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:]+\])(?::[0-9]{1,5})?$/i;

function nonEmptyString(raw: unknown, path: string, errors: string[]): string | undefined {
    if (raw === undefined) {
        return undefined;
    }
    if (typeof raw !== "string" || raw === "") {
        errors.push(
            `${path} must be a non-empty string (a file path), not ` +
                `${typeof raw === "string" ? "empty" : typeName(raw)}`,
        );
        return undefined;
    }
    return raw;
}

/** Compiles the verifier options of a policy configuration (fields absent from `raw` get defaults). */
export function compileVerifierOptions(
    raw: Record<string, unknown>,
    path: string,
): { options: VerifierOptions; errors: string[] } {
    const errors: string[] = [];
    const options: { -readonly [K in keyof VerifierOptions]: VerifierOptions[K] } = {};
    const insecure = own(raw, "insecureRegistries");
    if (insecure !== undefined) {
        if (!Array.isArray(insecure) || !insecure.every((h) => typeof h === "string")) {
            errors.push(
                `${path}.insecureRegistries must be a list of registry hosts ("host[:port]"), not ` +
                    `${typeName(insecure)}`,
            );
        } else {
            insecure.forEach((h: string, i) => {
                if (!HOST_PORT.test(h)) {
                    errors.push(
                        `${path}.insecureRegistries[${i}] ${JSON.stringify(h)} is not a registry host[:port] (no ` +
                            `scheme, no path), e.g. "127.0.0.1:5000"`,
                    );
                }
            });
            options.insecureRegistries = insecure.map((h: string) => h.toLowerCase());
        }
    }
    const timeout = own(raw, "timeoutSeconds");
    if (timeout !== undefined) {
        if (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout < 1 || timeout > 300) {
            errors.push(
                `${path}.timeoutSeconds must be a number of seconds from 1 to 300, not ` +
                    `${typeof timeout === "number" ? timeout : typeName(timeout)}`,
            );
        } else {
            options.timeoutSeconds = timeout;
        }
    }
    const evidenceDir = nonEmptyString(own(raw, "evidenceDir"), `${path}.evidenceDir`, errors);
    if (evidenceDir !== undefined) {
        options.evidenceDir = evidenceDir;
    }
    const trustedRoot = nonEmptyString(own(raw, "trustedRoot"), `${path}.trustedRoot`, errors);
    if (trustedRoot !== undefined) {
        const problem = trustedRootProblem(trustedRoot);
        if (typeof problem === "string") {
            errors.push(`${path}.trustedRoot: ${problem}`);
        }
        options.trustedRoot = trustedRoot;
    }
    const dockerConfig = nonEmptyString(own(raw, "dockerConfig"), `${path}.dockerConfig`, errors);
    if (dockerConfig !== undefined) {
        options.dockerConfig = dockerConfig;
    }
    const limits = own(raw, "limits");
    if (limits !== undefined) {
        if (!isObject(limits)) {
            errors.push(`${path}.limits must be an object with ${LIMIT_FIELDS.join(", ")}, not ${typeName(limits)}`);
        } else {
            unknownFields(limits, LIMIT_FIELDS, `${path}.limits`, errors);
            const out: Partial<Record<keyof Limits, number>> = {};
            for (const field of LIMIT_FIELDS) {
                const v = own(limits, field);
                if (v === undefined) {
                    continue;
                }
                const [min, max] = LIMIT_RANGES[field];
                if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
                    errors.push(
                        `${path}.limits.${field} must be an integer from ${min} to ${max} (default ` +
                            `${DEFAULT_LIMITS[field]})`,
                    );
                } else {
                    out[field] = v;
                }
            }
            options.limits = out;
        }
    }
    return { options, errors };
}

export interface CompiledPolicyConfig<R extends Requirement> {
    readonly requirements: readonly R[];
    readonly options: VerifierOptions;
    readonly errors: readonly string[];
}

function compilePolicy<R extends Requirement>(
    raw: unknown,
    policy: string,
    compileRequirements: (raw: unknown, path: string) => Compiled<R>,
): CompiledPolicyConfig<R> {
    if (raw === undefined || raw === null) {
        return { requirements: [], options: {}, errors: [] };
    }
    if (!isObject(raw)) {
        return { requirements: [], options: {}, errors: [`${policy} must be an object, not ${typeName(raw)}`] };
    }
    const compiled = compileRequirements(own(raw, "requirements"), `${policy}.requirements`);
    const { options, errors } = compileVerifierOptions(raw, policy);
    const all = [...compiled.errors, ...errors];
    if (!options.trustedRoot) {
        for (const r of compiled.requirements) {
            if (r.signers.some((s) => s.kind === "keyless")) {
                all.push(
                    `${r.path}.keyless needs ${policy}.trustedRoot: the path of a Sigstore trusted_root.json holding ` +
                        `the certificate authority (and logs) that issued the signing certificates`,
                );
            }
        }
    }
    return { requirements: compiled.requirements, options, errors: all };
}

/** Compiles the whole `image-signature` configuration. Never throws. */
export function compileSignaturePolicyConfig(
    raw: unknown,
    policy = "image-signature",
): CompiledPolicyConfig<SignatureRequirement> {
    return compilePolicy(raw, policy, compileSignatureRequirements);
}

/** Compiles the whole `image-provenance` configuration. Never throws. */
export function compileProvenancePolicyConfig(
    raw: unknown,
    policy = "image-provenance",
): CompiledPolicyConfig<ProvenanceRequirement> {
    return compilePolicy(raw, policy, compileProvenanceRequirements);
}

const shared = new Map<string, Verifier>();

/**
 * One verifier per distinct option set for the process, so the two policies (and every resource)
 * share caches, connections and the concurrency limit.
 */
export function sharedVerifier(options: VerifierOptions): Verifier {
    const key = JSON.stringify({
        ...options,
        env: undefined,
        insecureRegistries: [...(options.insecureRegistries ?? [])].sort(),
    });
    let v = shared.get(key);
    if (!v) {
        v = new Verifier(options);
        shared.set(key, v);
    }
    return v;
}

export { DEFAULT_TIMEOUT_SECONDS };
