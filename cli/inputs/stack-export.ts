// Pulumi stack exports (`pulumi stack export`, and the checkpoint files of self-managed backends) as
// the engine's snapshot analysis (`pulumi policy analyze --file`) sees them: resource policies judge
// each resource's inputs with its provider's inputs, stack policies judge the outputs of all
// resources with parents and dependencies. Resources pending deletion are left out, as the engine
// does.
//
// Values in the state format are turned into what the engine sends a policy pack: secrets exported
// in plaintext (`--show-secrets`) become secrets (policies judge the value and never print it),
// encrypted secrets become secrets without a value (checks that need them report that they cannot
// judge them instead of judging a ciphertext), resource references become their ID or URN, output
// values their value.

import type { PolicyResourceOptions } from "@pulumi/policy";
import type { EngineResource } from "../../src/engine/local-engine";
import { encryptedSecret, secret, unknown } from "../../src/engine/protocol";
import { Field } from "../../src/framework/field";
import { kubernetesIdentity, parseTypeToken, plainIdentity } from "../../src/framework/resource";
import { type InputError, type ResourceGroup, type ScanResource, type SourceLocation } from "../model";
import { MAX_NESTING, tooDeeplyNested, valueNestingExceeded } from "./nesting";

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

const STACK_TYPE = "pulumi:pulumi:Stack";
const PROVIDER_PREFIX = "pulumi:providers:";

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The resource list of a parsed stack export or checkpoint, or undefined when `value` is neither. */
function stateOf(value: unknown): { resources: unknown } | undefined {
    if (!isObject(value)) {
        return undefined;
    }
    if (isObject(value.deployment)) {
        return { resources: value.deployment.resources ?? [] };
    }
    if (isObject(value.checkpoint)) {
        return { resources: isObject(value.checkpoint.latest) ? (value.checkpoint.latest.resources ?? []) : [] };
    }
    return undefined;
}

/** True for a parsed `pulumi stack export` document (or a checkpoint file). */
export function isStackExport(value: unknown): boolean {
    return stateOf(value) !== undefined;
}

/** Converts a state value into the form the engine sends to a policy pack. */
export function engineValue(v: unknown): unknown {
    if (Array.isArray(v)) {
        return v.map(engineValue);
    }
    if (!isObject(v)) {
        return v;
    }
    const sig = v[SIG_KEY];
    if (sig === undefined) {
        const out: Obj = {};
        for (const [k, item] of Object.entries(v)) {
            // defineProperty keeps keys such as "__proto__" as plain data.
            Object.defineProperty(out, k, {
                value: engineValue(item),
                enumerable: true,
                writable: true,
                configurable: true,
            });
        }
        return out;
    }
    switch (sig) {
        case SECRET_SIG:
            if (typeof v.plaintext === "string") {
                try {
                    return secret(engineValue(JSON.parse(v.plaintext)));
                } catch {
                    return secret(v.plaintext);
                }
            }
            // Only ciphertext: a secret the policies cannot read, and say so.
            return "value" in v ? secret(engineValue(v.value)) : encryptedSecret;
        case RESOURCE_REFERENCE_SIG:
            // The engine sends references to analyzers as the resource's ID, or its URN for components.
            return typeof v.id === "string" && v.id !== "" ? v.id : typeof v.urn === "string" ? v.urn : unknown;
        case OUTPUT_VALUE_SIG:
            if (!("value" in v)) {
                return unknown;
            }
            return v.secret === true ? secret(engineValue(v.value)) : engineValue(v.value);
        case ASSET_SIG:
            return v.path || v.text || v.uri ? v : unknown;
        case ARCHIVE_SIG:
            return isObject(v.assets) || v.path || v.uri ? v : unknown;
        default:
            return unknown;
    }
}

/** The name part of a URN (`urn:pulumi:<stack>::<project>::<type>::<name>`; names may contain `::`). */
export function urnName(urn: string): string {
    const parts = urn.split("::");
    return parts.length >= 4 ? parts.slice(3).join("::") : urn;
}

/** Offsets of each resource's `"urn": ...` entry, as 1-based lines (the place a finding about it points at). */
function urnLines(text: string): Map<string, { line: number; column: number }> {
    const out = new Map<string, { line: number; column: number }>();
    const re = /"urn"\s*:\s*("(?:[^"\\]|\\.)*")/g;
    let line = 1;
    let lineStart = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
        for (let nl = text.indexOf("\n", lineStart); nl >= 0 && nl < m.index; nl = text.indexOf("\n", lineStart)) {
            line++;
            lineStart = nl + 1;
        }
        try {
            const urn = JSON.parse(m[1]) as string;
            if (!out.has(urn)) {
                out.set(urn, { line, column: m.index - lineStart + 1 });
            }
        } catch {
            // not a string after all; the resource falls back to the top of the file
        }
    }
    return out;
}

function strings(v: unknown): string[] {
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
}

function objectProps(v: unknown): Obj {
    const decoded = engineValue(v ?? {});
    return isObject(decoded) ? decoded : {};
}

/** Reads the resources of a parsed stack export. `text` is the file's content (for line numbers). */
export function readStackExport(
    value: unknown,
    text: string,
    file: string,
): { group: ResourceGroup; errors: InputError[] } {
    const top: SourceLocation = { file, line: 1, column: 1 };
    const errors: InputError[] = [];
    const state = stateOf(value);
    if (!state || !Array.isArray(state.resources)) {
        return {
            group: { resources: [], location: top },
            errors: [{ file, message: "is not a usable stack export: deployment.resources must be an array" }],
        };
    }
    const lines = urnLines(text);
    const entries: Obj[] = [];
    state.resources.forEach((r, i) => {
        if (!isObject(r) || typeof r.urn !== "string" || typeof r.type !== "string") {
            errors.push({ file, message: `resource #${i + 1} of the stack export has no urn or type; it is skipped` });
        } else if ([r.inputs, r.outputs].some((v) => valueNestingExceeded(v, MAX_NESTING))) {
            errors.push({
                file,
                ...lines.get(r.urn),
                message: `resource #${i + 1} of the stack export (${r.urn}) is ${tooDeeplyNested()}; it is skipped`,
            });
        } else if (r.delete !== true) {
            entries.push(r);
        }
    });

    const providers = new Map<string, NonNullable<EngineResource["provider"]>>();
    for (const r of entries) {
        const type = r.type as string;
        if (type.startsWith(PROVIDER_PREFIX)) {
            const urn = r.urn as string;
            providers.set(urn, { type, urn, name: urnName(urn), props: objectProps(r.inputs) });
        }
    }
    // A provider reference is `<provider urn>::<provider id>`.
    const providerOf = (ref: unknown) =>
        typeof ref === "string" && ref.includes("::") ? providers.get(ref.slice(0, ref.lastIndexOf("::"))) : undefined;

    const resources = entries.map((r): ScanResource => {
        const urn = r.urn as string;
        const type = r.type as string;
        const name = urnName(urn);
        const provider = providerOf(r.provider);
        const opts: Partial<PolicyResourceOptions> = {
            protect: r.protect === true,
            ignoreChanges: strings(r.ignoreChanges),
            aliases: strings(r.aliases),
            additionalSecretOutputs: strings(r.additionalSecretOutputs),
            ...(typeof r.parent === "string" && { parent: r.parent }),
            ...(typeof r.deleteBeforeReplace === "boolean" && { deleteBeforeReplace: r.deleteBeforeReplace }),
        };
        const inputs = objectProps(r.inputs);
        const common = { type, name, urn, opts, ...(provider && { provider }) };
        const isTarget = type !== STACK_TYPE && !type.startsWith(PROVIDER_PREFIX);
        const propertyDependencies: Record<string, string[]> = {};
        if (isObject(r.propertyDependencies)) {
            for (const [k, urns] of Object.entries(r.propertyDependencies)) {
                propertyDependencies[k] = strings(urns);
            }
        }
        const label =
            parseTypeToken(type).pkg === "kubernetes"
                ? kubernetesIdentity(
                      type,
                      Field.root(inputs),
                      name,
                      provider ? Field.root(provider.props).get("namespace").str() : undefined,
                  ).label
                : plainIdentity(type, name).label;
        const at = lines.get(urn);
        return {
            ...(isTarget && { analyze: { ...common, props: inputs } }),
            stack: {
                ...common,
                props: objectProps(r.outputs),
                ...(typeof r.parent === "string" && { parent: r.parent }),
                dependencies: strings(r.dependencies),
                propertyDependencies,
            },
            urn,
            label,
            location: at ? { file, ...at } : top,
        };
    });
    return { group: { resources, location: top }, errors };
}
