// Judges resources read from manifests and stack exports with the pack's policies, exactly as the
// engine would: resource policies through Analyze (one resource, its inputs), stack policies through
// AnalyzeStack (every resource of a group, their outputs), both through the test kit's engine path
// (the policy SDK's own decoding and unknown-checking proxy, the engine's config reconciliation).
// Whatever policies the pack has are run; the scanner knows none of them by name.

import type { EnforcementLevel } from "@pulumi/policy";
import { PackConfigError, type Policy, type PolicyPackConfig, LocalEngine } from "../src/engine/local-engine";
import { plainProps } from "../src/engine/plain-wire";
import type { PolicyViolation } from "../src/engine/protocol";
import { ConfigError } from "../src/framework/options";
import { jsonPathInMessage } from "./json-path";
import { type Finding, type InputError, type ResourceGroup, type ScanResource, type SourceLocation } from "./model";

/** The configuration cannot be used (an option a policy rejects): nothing can be judged. */
export class ScanConfigurationError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ScanConfigurationError";
    }
}

interface EvaluateOptions {
    readonly policies: readonly Policy[];
    readonly config?: PolicyPackConfig;
    readonly packName: string;
    readonly packVersion: string;
    /** Called after each resource judged, with the number judged so far. */
    readonly onProgress?: (judged: number) => void;
}

function isConfigurationError(err: unknown): boolean {
    return err instanceof ConfigError || err instanceof PackConfigError || (err as Error)?.name === "ConfigError";
}

/** The engine prints a diagnostic as `<policy description>\n<message>`; reports show the two apart. */
function detailOf(v: Pick<PolicyViolation, "message" | "description">): string {
    const d = v.description;
    // (compared in place: a finding's message is long, and there are tens of thousands of them)
    return d && v.message.charCodeAt(d.length) === 10 && v.message.startsWith(d)
        ? v.message.slice(d.length + 1)
        : v.message;
}

function levelOf(v: PolicyViolation): EnforcementLevel {
    // The engine treats a remediate-level diagnostic as mandatory (the remediation did not fix it).
    return v.enforcementLevel === "remediate" ? "mandatory" : v.enforcementLevel;
}

function findingOf(v: PolicyViolation, resource: ScanResource | undefined, fallback: SourceLocation): Finding {
    const detail = detailOf(v);
    const path = jsonPathInMessage(detail);
    const location = (path !== undefined && resource?.locate?.(path)) || resource?.location || fallback;
    return {
        policyName: v.policyName,
        enforcementLevel: levelOf(v),
        ...(v.severity && { severity: v.severity }),
        description: v.description,
        detail,
        ...(path !== undefined && { path }),
        ...(resource && { resource: findingSubject(resource) }),
        location,
    };
}

/** How findings name each resource: one object per resource, shared by its findings (a scan may have 100,000). */
const subjects = new WeakMap<ScanResource, NonNullable<Finding["resource"]>>();

function findingSubject(resource: ScanResource): NonNullable<Finding["resource"]> {
    let subject = subjects.get(resource);
    if (!subject) {
        subject = {
            type: resource.stack.type,
            name: resource.stack.name ?? "",
            label: resource.label,
            urn: resource.urn,
            start: resource.location,
            ...(resource.template && { template: resource.template }),
        };
        subjects.set(resource, subject);
    }
    return subject;
}

const errorMessage = (err: unknown) => (err as Error)?.message ?? String(err);

/**
 * A manifest's resource (the same props for Analyze and AnalyzeStack) with its props decoded as the engine's
 * plain path decodes them, frozen: LocalEngine's shared props are then this very value (plain-wire.ts). Props that
 * cannot be decoded are left as they are, for the engine to report.
 */
function decodedOnce(r: ScanResource): ScanResource {
    if (!r.analyze || r.analyze !== r.stack) {
        return r;
    }
    let props: Record<string, unknown>;
    try {
        props = plainProps(r.analyze.props, true).value;
    } catch {
        return r;
    }
    const resource = { ...r.analyze, props };
    return { ...r, analyze: resource, stack: resource };
}

/**
 * Runs every policy on resources as they are read: resource policies on each resource at once (so its source can be
 * released), stack policies on each group once it is complete. Throws ScanConfigurationError when the configuration
 * is unusable.
 */
export class Evaluator {
    readonly findings: Finding[] = [];
    readonly errors: InputError[] = [];
    /** Resources judged by resource policies. */
    resources = 0;
    private readonly tester: LocalEngine;
    private readonly hasStackPolicies: boolean;

    constructor(private readonly opts: EvaluateOptions) {
        this.tester = new LocalEngine(
            { name: opts.packName, version: opts.packVersion, policies: opts.policies },
            opts.config,
            undefined,
            // Findings identical to the engine path (tests/engine/plain-wire.spec.ts), without the protobuf round trip
            // and with one frozen copy of the props shared by the policies.
            { decoding: "plain", shareProps: true },
        );
        this.hasStackPolicies = opts.policies.some(
            (p) => typeof (p as { validateStack?: unknown }).validateStack === "function",
        );
    }

    private async guard<T>(what: () => Promise<T>, onError: (message: string) => void): Promise<T | undefined> {
        try {
            return await what();
        } catch (err) {
            if (isConfigurationError(err)) {
                throw new ScanConfigurationError(errorMessage(err));
            }
            onError(errorMessage(err));
            return undefined;
        }
    }

    /**
     * Judges one resource with the resource policies (a no-op for resources Analyze does not concern). Returns the
     * resource to keep for the stack policies: for a manifest, its props as the policies saw them (decoded once,
     * frozen), so the stack policies need no second copy and the object read from the file can be released.
     */
    async judgeResource(resource: ScanResource, fallback: SourceLocation): Promise<ScanResource> {
        const r = decodedOnce(resource);
        const analyzed = r.analyze;
        if (!analyzed) {
            return r;
        }
        this.resources++;
        const result = await this.guard(
            () => this.tester.analyze(analyzed),
            (message) => this.errors.push({ ...r.location, message: `${r.label} could not be evaluated: ${message}` }),
        );
        for (const v of result?.violations ?? []) {
            this.findings.push(findingOf(v, r, fallback));
        }
        this.opts.onProgress?.(this.resources);
        return r;
    }

    /** Judges a complete group with the stack policies. */
    async judgeStack(group: ResourceGroup): Promise<void> {
        if (!this.hasStackPolicies || group.resources.length === 0) {
            return;
        }
        const byUrn = new Map(group.resources.map((r) => [r.urn, r]));
        const result = await this.guard(
            () => this.tester.analyzeStack(group.resources.map((r) => r.stack)),
            (message) =>
                this.errors.push({ ...group.location, message: `stack policies could not be evaluated: ${message}` }),
        );
        for (const v of result?.violations ?? []) {
            this.findings.push(findingOf(v, v.urn ? byUrn.get(v.urn) : undefined, group.location));
        }
    }
}
