// Generates what is derived from policy metadata: the shipped configuration profiles (config/*.json), the
// policy table in README.md, a page per policy (docs/policies/<name>.md, with the options table rendered from
// the policy's config schema) and the index of those pages (docs/policies/README.md). `npm run generate`
// writes them; tests fail when they are stale (tests/docs/generated.spec.ts, tests/pack/profiles-and-readme).

import * as fs from "fs";
import * as path from "path";
import type { PolicyConfigJSONSchema, PolicyConfigJSONSchemaDefinition } from "@pulumi/policy/schema";
import { type ContainerGuardPolicy } from "../src/framework/policy";
import { allPolicies } from "../policies";

const ROOT = path.resolve(__dirname, "..");

export type Profile = Record<string, string>;

function levelTag(p: ContainerGuardPolicy): string | undefined {
    return p.tags.find((t) => t.startsWith("pss:"));
}

/** The shipped profiles, keyed by file name. */
export function profiles(policies: readonly ContainerGuardPolicy[] = allPolicies): Record<string, Profile> {
    // "all" keeps policies added by a later pack version at a known level; every policy is then
    // listed explicitly so the file documents itself.
    const levelsWhere = (
        all: string | undefined,
        mandatory: (p: ContainerGuardPolicy) => boolean,
        otherwise: (p: ContainerGuardPolicy) => string = () => "advisory",
    ): Profile => {
        const out: Profile = all ? { all } : {};
        for (const p of policies) {
            out[p.name] = mandatory(p) ? "mandatory" : otherwise(p);
        }
        return out;
    };
    // A profile makes mandatory the Pod Security Standards checks of its levels and the policies that
    // apply the same controls to Docker (tagged profile:baseline / profile:restricted).
    const inProfile = (p: ContainerGuardPolicy, ...levels: string[]) =>
        levels.some((l) => levelTag(p) === `pss:${l}` || p.tags.includes(`profile:${l}`));
    return {
        "advisory.json": levelsWhere("advisory", () => false),
        "baseline.json": levelsWhere("advisory", (p) => inProfile(p, "baseline")),
        "mandatory.json": levelsWhere("mandatory", () => true),
        // The strict profile: every other policy keeps its default level (high and critical block).
        "restricted.json": levelsWhere(
            undefined,
            (p) => inProfile(p, "baseline", "restricted"),
            (p) => p.enforcementLevel,
        ),
    };
}

export function profileText(p: Profile): string {
    return JSON.stringify(p, null, 2) + "\n";
}

/** The level a profile gives a policy. */
function levelIn(profile: Profile, name: string): string {
    return profile[name] ?? profile.all;
}

// ---------------------------------------------------------------------------------------------------------
// Markdown helpers

/**
 * Text for a Markdown table cell or paragraph: pipes escaped; outside code spans `*` kept literal and `<` kept
 * from starting HTML (remediation steps write placeholders such as <file>).
 */
function md(text: string): string {
    const literal = (t: string) => t.replace(/\\/g, "\\\\").replace(/\*/g, "\\*").replace(/</g, "&lt;");
    return text
        .split(/(`[^`]*`)/)
        .map((part, i) => (i % 2 === 1 ? part : literal(part)))
        .join("")
        .replace(/\|/g, "\\|")
        .replace(/\s*\n\s*/g, " ");
}

/** A code span that survives a table cell (pipes escaped; backticks in the value widen the fence). */
function code(value: string): string {
    const fence = value.includes("`") ? "``" : "`";
    const pad = value.startsWith("`") || value.endsWith("`") ? " " : "";
    return `${fence}${pad}${value.replace(/\|/g, "\\|")}${pad}${fence}`;
}

// ---------------------------------------------------------------------------------------------------------
// Where each policy lives and which guide explains it

/** The area of a policy: the folder of policies/ that holds `<name>.ts` (undefined if none does). */
export function areaOf(name: string): string | undefined {
    const dir = path.join(ROOT, "policies");
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort()
        .find((area) => fs.existsSync(path.join(dir, area, `${name}.ts`)));
}

const AREA_TITLES: Record<string, string> = {
    pss: "Pod Security Standards",
    images: "Images",
    secrets: "Secrets",
    workloads: "Workloads",
    docker: "Docker containers and builds",
    dockerfile: "Dockerfiles",
    cluster: "Cluster: the whole stack and non-pod objects",
};

interface Guide {
    /** Relative to docs/, with the heading anchor. */
    readonly target: string;
    readonly title: string;
}

const PSS_GUIDE: Guide = {
    target: "how-it-judges.md#pod-security-standards-notes-on-exactness",
    title: "How it judges: Pod Security Standards, notes on exactness",
};
const DOCKERFILE_GUIDE: Guide = {
    target: "docker.md#dockerfiles-and-build-arguments",
    title: "Docker: Dockerfiles and build arguments",
};

const GUIDE_BY_AREA: Record<string, Guide> = {
    pss: PSS_GUIDE,
    images: { target: "images.md", title: "Images" },
    secrets: { target: "secrets.md", title: "Secrets" },
    docker: { target: "docker.md", title: "Docker containers and builds" },
    dockerfile: DOCKERFILE_GUIDE,
    cluster: { target: "stack-policies.md", title: "Stack policies" },
};

const GUIDE_BY_POLICY: Record<string, Guide> = {
    "read-only-root-filesystem": { target: "filesystem.md", title: "Read-only root filesystem" },
    "service-account-token-automount": {
        target: "secrets.md#service-account-tokens-and-secret-volumes",
        title: "Secrets: service account tokens and secret volumes",
    },
    "docker-build-args-secrets": DOCKERFILE_GUIDE,
};

function guideOf(name: string, area: string | undefined): Guide | undefined {
    return GUIDE_BY_POLICY[name] ?? (area !== undefined ? GUIDE_BY_AREA[area] : undefined);
}

// ---------------------------------------------------------------------------------------------------------
// Option types, rendered from the JSON Schema the engine validates against

function schemaOf(def: PolicyConfigJSONSchemaDefinition | PolicyConfigJSONSchemaDefinition[] | undefined) {
    return def !== undefined && typeof def === "object" && !Array.isArray(def) ? def : undefined;
}

function hasFields(s: PolicyConfigJSONSchema): boolean {
    return s.properties !== undefined && Object.keys(s.properties).length > 0;
}

/** A schema's type in words, e.g. `string` matching `^/`, one of `"LOW"`, `"HIGH"`, list of objects. */
export function typeText(s: PolicyConfigJSONSchema): string {
    if (s.enum) {
        return `one of ${s.enum.map((e) => code(JSON.stringify(e))).join(", ")}`;
    }
    const type = Array.isArray(s.type) ? s.type.join(" or ") : (s.type ?? "any value");
    switch (type) {
        case "string": {
            const parts = ["string"];
            if (s.minLength === 1) {
                parts[0] = "non-empty string";
            } else if (s.minLength !== undefined) {
                parts.push(`of at least ${s.minLength} characters`);
            }
            if (s.pattern !== undefined) {
                parts.push(`matching ${code(s.pattern)}`);
            }
            return parts.join(" ");
        }
        case "integer":
        case "number": {
            const range = [
                s.minimum !== undefined ? `≥ ${s.minimum}` : "",
                s.maximum !== undefined ? `≤ ${s.maximum}` : "",
            ].filter(Boolean);
            return range.length ? `${type} ${range.join(", ")}` : type;
        }
        case "array": {
            const items = schemaOf(s.items);
            const limit = s.maxItems !== undefined ? ` (at most ${s.maxItems})` : "";
            if (!items) {
                return `list${limit}`;
            }
            if (hasFields(items)) {
                return `list of objects${limit} (fields below)`;
            }
            const plural = typeText(items).replace(/^(non-empty )?(string|object|integer|boolean)/, "$1$2s");
            return `list of ${plural}${limit}`;
        }
        case "object": {
            if (hasFields(s)) {
                return "object (fields below)";
            }
            const values = schemaOf(s.additionalProperties);
            return values ? `map of string to ${typeText(values)}` : "object";
        }
        default:
            return type;
    }
}

interface OptionRow {
    readonly option: string;
    readonly type: string;
    readonly default: string;
    readonly description: string;
}

function descriptionOf(s: PolicyConfigJSONSchema): string {
    const own = s.description ?? "";
    // A list's entries often carry the detail (what one report path or registry looks like).
    const items = s.type === "array" ? schemaOf(s.items) : undefined;
    const each = items && !hasFields(items) ? items.description : undefined;
    return [own, each && `Each entry: ${each}`].filter(Boolean).join(" ");
}

/** The options table's rows: each option, then the fields of its objects (`exclude[].reason`). */
export function optionRows(name: string, s: PolicyConfigJSONSchema, required = false): OptionRow[] {
    const rows: OptionRow[] = [
        {
            option: name,
            type: typeText(s) + (required ? ", required" : ""),
            default: s.default !== undefined ? code(JSON.stringify(s.default)) : "",
            description: descriptionOf(s),
        },
    ];
    const items = s.type === "array" ? schemaOf(s.items) : undefined;
    const fieldsOf = items && hasFields(items) ? items : hasFields(s) ? s : undefined;
    if (fieldsOf?.properties) {
        const prefix = fieldsOf === s ? `${name}.` : `${name}[].`;
        for (const [field, def] of Object.entries(fieldsOf.properties)) {
            const fieldSchema = schemaOf(def);
            if (fieldSchema) {
                rows.push(...optionRows(prefix + field, fieldSchema, fieldsOf.required?.includes(field) ?? false));
            }
        }
    }
    return rows;
}

function optionsTable(p: ContainerGuardPolicy): string {
    const rows = Object.entries(p.configSchema.properties).flatMap(([k, s]) => {
        const schema = schemaOf(s);
        return schema ? optionRows(k, schema) : [];
    });
    return [
        "| Option | Type | Default | Description |",
        "|---|---|---|---|",
        ...rows.map((r) => `| ${code(r.option)} | ${r.type} | ${r.default} | ${md(r.description)} |`),
    ].join("\n");
}

// ---------------------------------------------------------------------------------------------------------
// The pages

const GENERATED_NOTE =
    "<!-- Generated by `npm run generate` from the policy's metadata and config schema. Do not edit. -->";
const PROFILE_FILES = ["advisory.json", "baseline.json", "restricted.json", "mandatory.json"] as const;
/** Options every policy (exemptions), every container policy or every workload policy has, explained in the guides. */
const COMMON_OPTIONS = ["exclude", "allowAnnotationExemptions", "exemptImages", "customWorkloads"];

function isStackPolicy(p: ContainerGuardPolicy): boolean {
    return "validateStack" in p;
}

function remediates(p: ContainerGuardPolicy): boolean {
    return "remediateResource" in p && p.remediateResource !== undefined;
}

/** docs/policies/<name>.md */
export function policyPage(p: ContainerGuardPolicy, ps: Record<string, Profile> = profiles()): string {
    const area = areaOf(p.name);
    const guide = guideOf(p.name, area);
    const fw = p.framework;
    const facts: [string, string][] = [
        ["Name", code(p.name)],
        ["Display name", md(p.displayName ?? p.name)],
        ["Kind", isStackPolicy(p) ? "stack policy (judges the whole stack)" : "resource policy"],
        ["Severity", p.severity],
        ["Default level", `${p.enforcementLevel} (follows the severity: high and critical block)`],
        [
            "Level in the shipped profiles",
            PROFILE_FILES.map((f) => `[${code(f)}](../../config/${f}): ${levelIn(ps[f], p.name)}`).join(", "),
        ],
        [
            "Automatic fix",
            remediates(p)
                ? "yes, at the `remediate` level ([Remediation](../exemptions.md#remediation))"
                : "none: at the `remediate` level its findings are mandatory",
        ],
        ["Tags", p.tags.map((t) => code(t)).join(" ")],
    ];
    if (fw) {
        const title = [fw.name, fw.version].filter(Boolean).join(" ");
        facts.push([
            "Framework",
            `${fw.reference ? `[${md(title)}](${fw.reference})` : md(title)}` +
                `${fw.specification ? `: ${md(fw.specification)}` : ""}`,
        ]);
    }
    if (p.url) {
        facts.push(["Reference", `<${p.url}>`]);
    }
    if (area !== undefined) {
        facts.push(["Source", `[policies/${area}/${p.name}.ts](../../policies/${area}/${p.name}.ts)`]);
    }
    if (guide) {
        facts.push(["Guide", `[${md(guide.title)}](../${guide.target})`]);
    }
    // The example spells out the policy's own options at their defaults (the common ones are on other pages).
    const own = Object.entries(p.configSchema.properties).filter(([k]) => !COMMON_OPTIONS.includes(k));
    const config = {
        [p.name]: {
            enforcementLevel: p.enforcementLevel,
            ...Object.fromEntries(own.map(([k, s]) => [k, schemaOf(s)?.default])),
        },
    };
    return [
        GENERATED_NOTE,
        "",
        `# ${p.name}`,
        "",
        md(p.description),
        "",
        "| | |",
        "|---|---|",
        ...facts.map(([k, v]) => `| ${k} | ${v} |`),
        "",
        "## Remediation",
        "",
        md(p.remediationSteps ?? ""),
        "",
        "## Options",
        "",
        "Set in the policy's entry of the configuration file ([Configuration](../configuration.md)), next to " +
            "`enforcementLevel`; the policy's own options at their defaults:",
        "",
        "```json",
        JSON.stringify(config, null, 2),
        "```",
        "",
        optionsTable(p),
        "",
        "`exclude` and `allowAnnotationExemptions` are the same for every policy ([Exemptions](../exemptions.md))" +
            ("exemptImages" in p.configSchema.properties
                ? "; `exemptImages` for every policy that judges containers " +
                  "([Exemptions](../exemptions.md#exemptions-by-image))"
                : "") +
            ("customWorkloads" in p.configSchema.properties
                ? "; `customWorkloads` for every policy that judges pod specs " +
                  "([Configuration](../configuration.md#options-of-the-kubernetes-policies))."
                : "."),
        "",
        "[All policies](README.md)",
        "",
    ].join("\n");
}

/** docs/policies/README.md: the index of the policy pages, by area. */
export function policyIndex(policies: readonly ContainerGuardPolicy[] = allPolicies): string {
    const byArea = new Map<string, ContainerGuardPolicy[]>();
    for (const p of policies) {
        const area = areaOf(p.name) ?? "other";
        byArea.set(area, [...(byArea.get(area) ?? []), p]);
    }
    const sections = [...byArea].map(([area, ps]) =>
        [
            `## ${AREA_TITLES[area] ?? area}`,
            "",
            area in AREA_TITLES ? `Sources: [policies/${area}/](../../policies/${area}/)\n` : "",
            "| Policy | Display name | Severity | Default | Options |",
            "|---|---|---|---|---|",
            ...ps.map(
                (p) =>
                    `| [${code(p.name)}](${p.name}.md) | ${md(p.displayName ?? p.name)} | ${p.severity} | ` +
                    `${p.enforcementLevel} | ${Object.keys(p.configSchema.properties)
                        .filter((k) => k !== "exclude" && k !== "allowAnnotationExemptions")
                        .map((k) => code(k))
                        .join(", ")} |`,
            ),
            "",
        ]
            .filter((l) => l !== "")
            .join("\n"),
    );
    return [
        "<!-- Generated by `npm run generate` from the policies' metadata. Do not edit. -->",
        "",
        "# Policies",
        "",
        `container-guard has ${policies.length} policies. Each page lists the policy's metadata (what Pulumi ` +
            "Cloud shows), its level in each shipped profile and its options with their types and defaults, " +
            "rendered from the config schema the engine validates against. Every policy also takes `exclude` " +
            "and `allowAnnotationExemptions` ([Exemptions](../exemptions.md)).",
        "",
        ...sections.flatMap((s) => [s, ""]),
        "[Back to the README](../../README.md)",
        "",
    ].join("\n");
}

const PROFILE_COLUMNS = ["baseline.json", "restricted.json"] as const;

/** The README's policy table (Markdown). */
export function policyTable(policies: readonly ContainerGuardPolicy[] = allPolicies): string {
    const ps = profiles(policies);
    const rows = policies.map((p) => {
        const options = Object.keys(p.configSchema.properties)
            .map((k) => `\`${k}\``)
            .join(", ");
        const inProfile = PROFILE_COLUMNS.map((f) => levelIn(ps[f], p.name)).join(" / ");
        const tags = p.tags
            .filter((t) => t !== "kubernetes")
            .map((t) => `\`${t}\``)
            .join(" ");
        return (
            `| [\`${p.name}\`](docs/policies/${p.name}.md) | ${md(p.description)} | ${p.severity} | ` +
            `${p.enforcementLevel} | ${inProfile} | ${tags} | ${options} |`
        );
    });
    return [
        "| Policy | Requires | Severity | Default | baseline / restricted profile | Tags | Options |",
        "|---|---|---|---|---|---|---|",
        ...rows,
    ].join("\n");
}

const START = "<!-- policy-table:start (generated by `npm run generate`) -->";
const END = "<!-- policy-table:end -->";

/** README.md with the policy table replaced by the current one. */
export function readmeWithTable(readme: string): string {
    const a = readme.indexOf(START);
    const b = readme.indexOf(END);
    if (a < 0 || b < a) {
        throw new Error("README.md has no policy table markers");
    }
    return readme.slice(0, a + START.length) + "\n" + policyTable() + "\n" + readme.slice(b);
}

export const POLICY_DOCS_DIR = "docs/policies";

/**
 * Every generated file, by path relative to the repository root, with the content it must have. The README's
 * table is spliced into the README as it is on disk.
 */
export function generatedFiles(): Map<string, string> {
    const ps = profiles();
    const files = new Map<string, string>();
    for (const [file, p] of Object.entries(ps)) {
        files.set(`config/${file}`, profileText(p));
    }
    files.set("README.md", readmeWithTable(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")));
    files.set(`${POLICY_DOCS_DIR}/README.md`, policyIndex());
    for (const p of allPolicies) {
        files.set(`${POLICY_DOCS_DIR}/${p.name}.md`, policyPage(p, ps));
    }
    return files;
}

/** Pages in docs/policies that no policy generates any more (a renamed or removed policy). */
export function stalePolicyPages(files: Map<string, string> = generatedFiles()): string[] {
    const dir = path.join(ROOT, POLICY_DOCS_DIR);
    if (!fs.existsSync(dir)) {
        return [];
    }
    return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".md"))
        .map((f) => `${POLICY_DOCS_DIR}/${f}`)
        .filter((f) => !files.has(f));
}

if (require.main === module) {
    const files = generatedFiles();
    for (const stale of stalePolicyPages(files)) {
        fs.rmSync(path.join(ROOT, stale));
        process.stderr.write(`removed ${stale}\n`);
    }
    fs.mkdirSync(path.join(ROOT, POLICY_DOCS_DIR), { recursive: true });
    for (const [file, text] of files) {
        fs.writeFileSync(path.join(ROOT, file), text);
    }
    process.stderr.write(
        `wrote config/*.json, the README policy table and ${POLICY_DOCS_DIR}/ (${files.size} files)\n`,
    );
}
