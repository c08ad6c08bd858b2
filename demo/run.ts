// `npm run demo`: starts the built pack the way the Pulumi engine does (the run-policy-pack launcher,
// gRPC on the port the pack prints), configures it with a shipped profile, sends every demo resource
// as an Analyze request, and prints the findings as a person reads them.

import * as fs from "fs";
import * as path from "path";
import type { PolicyPackConfig } from "../src/engine/local-engine";
import { PackServer } from "../src/engine/pack-server";
import { type PolicyViolation } from "../src/engine/protocol";
import { demoResources, demoStackExtras } from "./workloads";

const ROOT = path.resolve(__dirname, "..");
const tty = process.stdout.isTTY;
const paint = (code: number) => (s: string) => (tty ? `\u001b[${code}m${s}\u001b[0m` : s);
const red = paint(31);
const yellow = paint(33);
const green = paint(32);
const bold = paint(1);
const dim = paint(2);

async function main(): Promise<void> {
    const profile = process.argv[2] ?? "restricted";
    const configFile = path.join(ROOT, "config", `${profile}.json`);
    const config = JSON.parse(fs.readFileSync(configFile, "utf8")) as PolicyPackConfig;
    if (!fs.existsSync(path.join(ROOT, "dist", "pack.js"))) {
        throw new Error("the pack is not built: run `npm install` (or `npm run build`) first");
    }
    const server = await PackServer.start(ROOT);
    try {
        await server.configure(config);
        const info = await server.info();
        console.log(
            bold(`container-guard demo`) + ` — ${info.policies.length} policies, profile config/${profile}.json`,
        );
        console.log(
            dim(
                `Pack started by @pulumi/pulumi's run-policy-pack launcher, serving gRPC on port ${server.port}; ` +
                    `each resource below is sent as the engine's Analyze request.\n`,
            ),
        );

        const totals = { insecure: { mandatory: 0, advisory: 0 }, hardened: { mandatory: 0, advisory: 0 } };
        for (const r of demoResources) {
            const { violations } = await server.analyze({
                type: r.type,
                name: r.name,
                props: r.props as Record<string, unknown>,
            });
            for (const v of violations) {
                totals[r.set][v.enforcementLevel === "mandatory" ? "mandatory" : "advisory"]++;
            }
            const mark = violations.some((v) => v.enforcementLevel === "mandatory")
                ? red("✗")
                : violations.length
                  ? yellow("!")
                  : green("✓");
            console.log(`${mark} ${bold(r.name)} ${dim(`${r.type} (${r.set})`)}`);
            for (const v of violations) {
                console.log(render(v));
            }
            console.log("");
        }
        // After the resources, the engine sends the whole stack once, for the stack policies.
        const stack = [...demoResources, ...demoStackExtras].map((r) => ({
            type: r.type,
            name: r.name,
            urn: `urn:pulumi:demo::shop::${r.type}::${r.name}`,
            props: r.props as Record<string, unknown>,
        }));
        const { violations: stackFindings } = await server.analyzeStack(stack);
        console.log(
            `${stackFindings.length ? yellow("!") : green("✓")} ${bold("the stack")} ` +
                `${dim("(AnalyzeStack: NetworkPolicy coverage, namespace labels)")}`,
        );
        for (const v of stackFindings) {
            const r = [...demoResources, ...demoStackExtras].find((x) => v.urn?.endsWith(`::${x.name}`));
            totals[r?.set ?? "insecure"][v.enforcementLevel === "mandatory" ? "mandatory" : "advisory"]++;
            console.log(render(v));
        }
        console.log("");
        const line = (set: "insecure" | "hardened") =>
            `${set}: ${totals[set].mandatory} ` +
            `mandatory${totals[set].mandatory ? " (would block `pulumi preview`)" : ""}, ` +
            `${totals[set].advisory} advisory`;
        console.log(bold("Summary  ") + line("insecure") + ";  " + line("hardened"));
    } finally {
        await server.close();
    }
}

function render(v: PolicyViolation): string {
    const level = v.enforcementLevel === "mandatory" ? red("mandatory") : yellow("advisory ");
    const [, ...details] = v.message.split("\n");
    const detail = details.join("\n").replace(/\. Fix: /, `.\n${" ".repeat(6)}${green("Fix:")} `);
    return `    ${level} ${dim(`[${v.severity ?? "?"}]`)} ${bold(v.policyName)}\n      ${detail}`;
}

main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
});
