// A policy's findings are limited to what the engine accepts in one response, within a request the
// pack's server handles; a summary says how many were left out, at the level they had.

import * as assert from "assert";
import type { ReportViolation } from "@pulumi/policy";
import { ResponseBudget, limitResponse, withResponseBudget } from "../../src/sdk/response-budget";

const POLICY = { name: "a-policy", description: "Containers must be judged." };

/** Runs `body` with a reporter limited by `budget` (none: outside a request) and returns what reached the SDK. */
function reported(budget: ResponseBudget | undefined, body: (report: ReportViolation) => void): unknown[] {
    const out: unknown[] = [];
    const sdk = ((m: unknown) => void out.push(m)) as ReportViolation;
    const run = () => {
        const limited = limitResponse(sdk, POLICY);
        body(limited.report);
        limited.finish();
    };
    if (budget) {
        withResponseBudget(run, budget);
    } else {
        run();
    }
    return out;
}

const finding = (i: number, enforcementLevel?: "advisory") => ({
    message: `${POLICY.description}\nDeployment web-${i}: privileged is true.`,
    ...(enforcementLevel && { enforcementLevel }),
});

describe("response budget", () => {
    it("limits nothing outside a request the pack's server handles (the scanner, the test kit)", () => {
        const out = reported(undefined, (report) => {
            for (let i = 0; i < 1000; i++) {
                report(finding(i) as never);
            }
        });
        assert.strictEqual(out.length, 1000);
    });

    it("lists findings while the budget lasts, then one summary at the policy's level", () => {
        const out = reported(new ResponseBudget(1000), (report) => {
            for (let i = 0; i < 20; i++) {
                report(finding(i) as never);
            }
        }) as { message: string; enforcementLevel?: string }[];
        const listed = out.length - 1;
        assert.ok(listed >= 1 && listed < 20, `${listed} listed`);
        const summary = out[out.length - 1];
        assert.match(summary.message, new RegExp(`\\n${20 - listed} more findings of this policy are not listed`));
        assert.strictEqual(summary.enforcementLevel, undefined, "the policy's configured level");
    });

    it("keeps advisory a summary of findings that were all advisory, and singular for one", () => {
        const budget = new ResponseBudget(200);
        const out = reported(budget, (report) => {
            report(finding(0, "advisory") as never);
            report(finding(1, "advisory") as never);
        }) as { message: string; enforcementLevel?: string }[];
        const summary = out[out.length - 1];
        assert.strictEqual(summary.enforcementLevel, "advisory");
        assert.match(summary.message, /\n1 more finding of this policy is not listed/);
    });

    it("shares one budget between the policies of a request", () => {
        const budget = new ResponseBudget(1200);
        const first = reported(budget, (report) => report(finding(0) as never));
        const second = reported(budget, (report) => {
            for (let i = 0; i < 5; i++) {
                report(finding(i) as never);
            }
        });
        assert.strictEqual(first.length, 1);
        assert.ok(second.length < 6, "the second policy had less left");
    });
});
