// The `--policy-pack-config` file: the JSON Pulumi reads with `pulumi preview --policy-pack-config`,
// checked as strictly as the pack checks it when the engine configures it (levels, policy names).
// Option values are checked by each policy when it first runs, exactly as in a preview.

import type { Policy, PolicyPackConfig } from "../src/engine/local-engine";
import { unknownPolicyNames } from "../src/framework/policy-names";

const ENFORCEMENT_LEVELS = ["advisory", "mandatory", "remediate", "disabled"] as const;

interface LoadedConfig {
    readonly config?: PolicyPackConfig;
    /** Reasons the configuration cannot be used. */
    readonly problems: string[];
    /** Things the scanner ignores, worth telling the user. */
    readonly notes: string[];
}

/** Line and column of a character offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
    const before = text.slice(0, Math.max(0, offset));
    const line = before.split("\n").length;
    return { line, column: offset - before.lastIndexOf("\n") };
}

function jsonError(text: string, err: unknown): string {
    const message = (err as Error)?.message ?? String(err);
    const pos = /at position (\d+)/.exec(message);
    if (!pos) {
        return message;
    }
    const { line, column } = lineAndColumn(text, Number(pos[1]));
    return `line ${line}, column ${column}: ${message.replace(/ in JSON at position \d+.*$/, "")}`;
}

const isLevel = (v: unknown) => typeof v === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(v);

/** Parses and checks a configuration file's content. */
export function parsePackConfig(text: string, file: string, policyNames: readonly string[]): LoadedConfig {
    let value: unknown;
    try {
        value = JSON.parse(text.replace(/^\uFEFF/, ""));
    } catch (err) {
        return { problems: [`${file}: invalid JSON at ${jsonError(text, err)}`], notes: [] };
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return {
            problems: [`${file}: a policy pack configuration must be a JSON object keyed by policy name`],
            notes: [],
        };
    }
    const problems: string[] = [];
    const notes: string[] = [];
    const config: PolicyPackConfig = {};
    for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
        if (name === "environments") {
            notes.push(
                `${file}: "environments" (Pulumi ESC) are not resolved by container-guard scan; put the ` +
                    `configuration in the file itself`,
            );
            continue;
        }
        const level =
            typeof v === "object" && v !== null && !Array.isArray(v)
                ? (v as Record<string, unknown>).enforcementLevel
                : v;
        if (typeof v === "string" || (typeof v === "object" && v !== null && !Array.isArray(v))) {
            if (level !== undefined && !isLevel(level)) {
                problems.push(
                    `${file}: "${name}": enforcement level ${JSON.stringify(level)} is not one of ` +
                        `${ENFORCEMENT_LEVELS.join(", ")}`,
                );
                continue;
            }
            Object.defineProperty(config, name, { value: v, enumerable: true, writable: true, configurable: true });
        } else {
            problems.push(
                `${file}: "${name}" must be an enforcement level or an object, not ` +
                    `${v === null ? "null" : Array.isArray(v) ? "an array" : typeof v}`,
            );
        }
    }
    problems.push(...unknownPolicyNames(Object.keys(config), policyNames).map((p) => `${file}: ${p}`));
    return { ...(problems.length === 0 && { config }), problems, notes };
}

/**
 * `--offline`: every policy that can reach the network (those with an `offline` option) is configured
 * with `offline: true`, so it uses its evidence directory only. The scanner knows no policy by name.
 */
export function offlineConfig(config: PolicyPackConfig | undefined, policies: readonly Policy[]): PolicyPackConfig {
    const out: PolicyPackConfig = { ...config };
    for (const p of policies) {
        if (!p.configSchema?.properties || !("offline" in p.configSchema.properties)) {
            continue;
        }
        const current = out[p.name];
        out[p.name] =
            typeof current === "string" ? { enforcementLevel: current, offline: true } : { ...current, offline: true };
    }
    return out;
}
