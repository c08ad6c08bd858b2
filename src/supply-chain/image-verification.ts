// What the `image-signature` and `image-provenance` policies do with the images a resource pulls and
// runs: pick the requirements that cover each image, ask the shared verifier for a verdict (once per
// image, requirement and process, however many resources name the image) and report every verdict
// that is not "verified" as a finding that names the image, its field, the requirement and the
// reason. Fail closed: a verdict that could not be reached ("could not verify: …") is a finding at
// the policy's level like any other, never a pass and never an exception.

import { type OptionValues } from "../framework/options";
import { type Evaluation } from "../framework/policy";
import { type Fixer } from "../framework/remediation";
import { type ImageAt } from "../images/image-policy";
import { type ImageReference, formatImageRef } from "../images/image-ref";
import { sharedVerifier } from "./config";
import {
    type RequirementKind,
    type VerificationPolicyOptions,
    compiledRequirements,
    type resolveDigestsOption,
    verifierOptionsOf,
} from "./policy-options";
import { type ProvenanceRequirement, type Requirement, requirementsFor } from "./requirements";
import { type Verdict, type Verifier } from "./verifier";

interface Setup {
    readonly requirements: readonly Requirement[];
    readonly verifier: () => Verifier;
}

/** Compiled once per parsed configuration (the policy framework hands the same object while it is unchanged). */
const setups = new WeakMap<object, Setup>();

function setupFor(kind: RequirementKind, options: VerificationPolicyOptions): Setup {
    let setup = setups.get(options);
    if (!setup) {
        let verifier: Verifier | undefined;
        setup = {
            requirements: compiledRequirements(kind, options),
            // Created on first use: loading the pack opens no connection and reads no file.
            verifier: () => (verifier ??= sharedVerifier(verifierOptionsOf(options))),
        };
        setups.set(options, setup);
    }
    return setup;
}

interface Judged {
    readonly image: ImageAt;
    readonly requirement: Requirement;
    readonly verdict: Verdict;
}

/**
 * Verifies every image of a resource against the requirements that cover it and reports the
 * failures. Returns a promise only when some image is covered (resources whose images no requirement
 * covers are judged synchronously).
 */
export function verifyImages(
    kind: RequirementKind,
    images: readonly ImageAt[],
    ev: Evaluation<VerificationPolicyOptions>,
): void | Promise<void> {
    const setup = setupFor(kind, ev.options);
    const pending: Promise<Judged>[] = [];
    for (const image of images) {
        const p = image.parsed;
        if (p.kind === "error") {
            // Which requirements cover it cannot be told: fail closed.
            ev.violation({
                at: image.site.field,
                container: image.site.container,
                problem:
                    `${image.site.noun} ${image.shown} is not a valid image reference (${p.reason}), so whether ` +
                    `it must be ${kind === "signature" ? "signed" : "attested"} cannot be decided`,
                fix:
                    "write it as [registry[:port]/]repository[:tag][@sha256:<64 hex digits>], e.g. " +
                    "ghcr.io/acme/app:1.4.2",
            });
            continue;
        }
        for (const requirement of requirementsFor(p, setup.requirements)) {
            const verifier = setup.verifier();
            const verdict =
                requirement.kind === "signature"
                    ? verifier.verifySignature(p, requirement)
                    : verifier.verifyAttestation(p, requirement);
            pending.push(verdict.then((v) => ({ image, requirement, verdict: v })));
        }
    }
    if (pending.length === 0) {
        return;
    }
    // Reported in document order, whatever order the registries answer in.
    return Promise.all(pending).then((judged) => {
        for (const j of judged) {
            if (j.verdict.status !== "verified") {
                report(ev, j);
            }
        }
    });
}

const COULD_NOT_VERIFY = "could not verify";

function report(ev: Evaluation<VerificationPolicyOptions>, j: Judged): void {
    const { image, requirement, verdict } = j;
    const ref = image.parsed as ImageReference;
    const couldNot = verdict.status === "error";
    const reason =
        couldNot && !verdict.reason.startsWith(COULD_NOT_VERIFY)
            ? `${COULD_NOT_VERIFY}: ${verdict.reason}`
            : verdict.reason;
    const what =
        requirement.kind === "signature"
            ? `is not signed as ${requirement.path} requires`
            : `has no ${requirement.predicateType.uri} attestation as ${requirement.path} requires`;
    ev.violation({
        at: image.site.field,
        container: image.site.container,
        problem: `${image.site.noun} ${image.shown} ${couldNot ? `(${requirement.path})` : what}: ${reason}`,
        fix: couldNot ? unreachableFix(ev.options) : signFix(requirement, ref, verdict.digest),
    });
}

function signFix(requirement: Requirement, ref: ImageReference, digest: string | undefined): string {
    if (digest === undefined) {
        return `correct the image reference, or push ${formatImageRef(ref)} to its registry`;
    }
    const target = `${ref.name}@${digest}`;
    if (requirement.kind === "signature") {
        return (
            `sign the image with a trusted signer of ${requirement.path} (e.g. cosign sign --key cosign.key ` +
            `${target}) or use an image that is signed; if the signer found is legitimate, add its key or ` +
            `identity to ${requirement.path}`
        );
    }
    return attestFix(requirement, target);
}

function attestFix(requirement: ProvenanceRequirement, target: string): string {
    return (
        `attest the image with a trusted signer of ${requirement.path} (e.g. cosign attest --key cosign.key --type ` +
        `${requirement.predicateType.uri} --predicate <file> ${target})` +
        `${requirement.conditions.checks.length > 0 ? " with a predicate that meets its conditions" : ""}, or use an ` +
        `image that has one`
    );
}

function unreachableFix(options: VerificationPolicyOptions): string {
    const dir = verifierOptionsOf(options).evidenceDir;
    if (dir !== undefined) {
        return (
            `add the image's evidence to the evidence directory ${dir} (collect it with container-guard's ` +
            `evidence collector where the registry is reachable)`
        );
    }
    return (
        "make the registry reachable from where the preview runs (network, credentials in DOCKER_AUTH_CONFIG or " +
        "the Docker config's auths, insecureRegistries for a plain-HTTP registry, a longer timeoutSeconds), or " +
        "verify from an evidence directory (evidenceDir)"
    );
}

/** `resolveDigests` as `image-digest-pinned` parsed it. */
type ResolveDigests = OptionValues<{ resolveDigests: typeof resolveDigestsOption }>["resolveDigests"];

/**
 * `image-digest-pinned`'s fix: rewrites each tag-only reference as `name:tag@sha256:…` with the digest
 * its registry (or evidence directory) names for the tag now. Off (`false`) it touches no network and
 * changes nothing; a tag that cannot be resolved is left as it is (the validation still reports it).
 */
export function pinToDigests(images: readonly ImageAt[], fix: Fixer, settings: ResolveDigests): void | Promise<void> {
    if (settings === false) {
        return;
    }
    const pending: Promise<void>[] = [];
    for (const image of images) {
        const p = image.parsed;
        const owner = image.site.owner;
        if (p.kind !== "reference" || p.digest || !owner) {
            continue;
        }
        const verifier = sharedVerifier(verifierOptionsOf(settings === true ? {} : settings));
        pending.push(
            verifier.resolveDigest(p).then((r) => {
                if (r.status === "resolved") {
                    fix.set(owner.field, owner.key, r.pinned);
                }
            }),
        );
    }
    return pending.length > 0 ? Promise.all(pending).then(() => undefined) : undefined;
}
