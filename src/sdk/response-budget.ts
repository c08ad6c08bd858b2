// Keeping a response to the Pulumi engine under the size the engine accepts.
//
// The engine reads a policy pack's gRPC responses with a 4 MiB limit: past it, the call fails with
// "grpc: received message larger than max" and so does the whole `pulumi preview`, `up` or
// `policy analyze`. Stack policies report one finding per resource, so a large stack crosses the
// limit: `pulumi policy analyze --file` of 10,000 Deployments (bench/engine.ts) sent 5.75 MB of
// findings and failed. Each request the pack's server handles gets a budget of findings text
// (decode-once.ts puts it in scope); each policy reports while the budget lasts and then one summary
// saying how many findings were left out, at the level they would have had, so a mandatory policy
// still blocks. Outside a request (the scanner, the test kit's local engine) nothing is limited.

import { AsyncLocalStorage } from "async_hooks";
import type { EnforcementLevel, ReportViolation } from "@pulumi/policy";
import { type StructuredViolation, reportStructured } from "./policy-sdk";

/** What the engine accepts in one response. */
export const ENGINE_RESPONSE_LIMIT = 4 * 1024 * 1024;
/**
 * What the findings of one request may take, estimated; the rest is left for the summaries (a few hundred bytes per
 * policy), the not-applicable list and the protobuf framing.
 */
export const FINDINGS_BUDGET = 3 * 1024 * 1024;
/** Bytes a finding takes besides its text: field tags and lengths, the pack's name and version, level, severity. */
const PER_FINDING_OVERHEAD = 96;

/** The findings text left for one request. */
export class ResponseBudget {
    private used = 0;

    constructor(readonly limit: number = FINDINGS_BUDGET) {}

    /** Takes `bytes` from the budget; false (and nothing taken) when they do not fit. */
    take(bytes: number): boolean {
        if (this.used + bytes > this.limit) {
            return false;
        }
        this.used += bytes;
        return true;
    }
}

const budgets = new AsyncLocalStorage<ResponseBudget>();

/** Runs a request's handler with a fresh budget in scope. */
export function withResponseBudget<T>(handler: () => T, budget = new ResponseBudget()): T {
    return budgets.run(budget, handler);
}

/** A policy's reporter limited by the request's budget, and what to call when the policy is done. */
export interface LimitedReporter {
    readonly report: ReportViolation;
    /** Reports the summary of findings left out, if any. */
    finish(): void;
}

function utf8Length(text: string | undefined): number {
    return text === undefined ? 0 : Buffer.byteLength(text, "utf8");
}

/**
 * Limits `report` by the budget of the request being handled (unlimited outside one). The SDK sends a finding's
 * message and the policy's description with every finding.
 */
export function limitResponse(
    report: ReportViolation,
    policy: { readonly name: string; readonly description: string },
): LimitedReporter {
    const budget = budgets.getStore();
    if (!budget) {
        return { report, finish: () => undefined };
    }
    let left = 0;
    /** The level every finding left out had set itself, or "policy" when some took the policy's configured one. */
    let level: EnforcementLevel | "policy" | undefined;
    // Measured when the policy first reports: most policies report nothing on most resources.
    let fixed: number | undefined;
    const limited = ((message: unknown, urn?: string) => {
        fixed ??= utf8Length(policy.description) + utf8Length(policy.name) + PER_FINDING_OVERHEAD;
        const v = typeof message === "object" && message !== null ? (message as Partial<StructuredViolation>) : {};
        const text = typeof message === "string" ? message : v.message;
        if (budget.take(fixed + utf8Length(text) + utf8Length(v.urn ?? urn))) {
            (report as (m: unknown, u?: string) => void)(message, urn);
            return;
        }
        left++;
        const own = v.enforcementLevel ?? "policy";
        level = level === undefined || level === own ? own : "policy";
    }) as ReportViolation;
    return {
        report: limited,
        finish() {
            if (left === 0) {
                return;
            }
            reportStructured(report, {
                message:
                    `${policy.description}\n${left} more finding${left === 1 ? "" : "s"} of this policy ` +
                    `${left === 1 ? "is" : "are"} not listed: the Pulumi engine accepts at most ` +
                    `${ENGINE_RESPONSE_LIMIT / 1024 / 1024} MiB of findings from a policy pack at a time, and the ` +
                    `findings listed have used it. They count as much as those listed. To see every finding, run ` +
                    `container-guard scan on a stack export (pulumi stack export --show-secrets | ` +
                    `npx --no-install container-guard scan -).`,
                ...(level !== undefined && level !== "policy" && { enforcementLevel: level }),
            });
        },
    };
}
