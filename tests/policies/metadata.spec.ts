// Every policy agrees with where it lives and with what the pack says about it: policies/<area>/<name>.ts
// exports exactly that policy, its name carries its area's prefix and its tags the area's tag, its
// metadata is complete, the shipped profiles and the README table list it, and it has its own test file.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { allPolicies } from "../../policies";

const ROOT = path.resolve(__dirname, "../..");
const POLICIES = path.join(ROOT, "policies");

interface Area {
    /** The family prefix of every policy name in the area; stand-alone controls are named for the control. */
    readonly prefix?: string;
    /** Tags every policy of the area carries. */
    readonly tags: readonly string[];
}

/** The folders of policies/. */
const AREAS: Record<string, Area> = {
    pss: { prefix: "pss-", tags: ["pss"] },
    images: { prefix: "image-", tags: ["images"] },
    secrets: { prefix: "secrets-", tags: ["secrets"] },
    docker: { prefix: "docker-", tags: ["docker"] },
    dockerfile: { prefix: "dockerfile-", tags: ["docker", "dockerfile"] },
    // Stand-alone controls on Kubernetes workloads (some on Docker containers too) and cluster objects.
    workloads: { tags: ["kubernetes"] },
    cluster: { tags: ["kubernetes"] },
};

const SEVERITIES = ["low", "medium", "high", "critical"];
const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

type Policy = (typeof allPolicies)[number];

function isPolicy(value: unknown): value is Policy {
    if (typeof value !== "object" || value === null) {
        return false;
    }
    const v = value as Record<string, unknown>;
    return (
        typeof v.name === "string" &&
        (typeof v.validateResource === "function" || typeof v.validateStack === "function")
    );
}

interface PolicyFile {
    readonly area: string;
    /** policies/<area>/<file> */
    readonly file: string;
    /** The policies the file exports. */
    readonly exported: readonly Policy[];
}

/** Every policy file: each .ts file in a folder of policies/ other than the folder's index.ts. */
function policyFiles(): PolicyFile[] {
    const areas = fs
        .readdirSync(POLICIES, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort();
    return areas.flatMap((area) =>
        fs
            .readdirSync(path.join(POLICIES, area))
            .filter((f) => f.endsWith(".ts") && f !== "index.ts")
            .sort()
            .map((f) => {
                // eslint-disable-next-line @typescript-eslint/no-require-imports
                const mod = require(path.join(POLICIES, area, f)) as Record<string, unknown>;
                return { area, file: `policies/${area}/${f}`, exported: Object.values(mod).filter(isPolicy) };
            }),
    );
}

describe("policy metadata", () => {
    const files = policyFiles();
    /** The area of each policy, by the file that exports it. */
    const areaOf = new Map<Policy, string>(files.flatMap((f) => f.exported.map((p) => [p, f.area] as const)));

    it("every folder of policies/ is a known area", () => {
        for (const area of new Set(files.map((f) => f.area))) {
            assert.ok(
                area in AREAS,
                `policies/${area} is a new area: add it to AREAS in this test, with its prefix and tags`,
            );
        }
    });

    it("every policy file exports exactly one policy, named after the file", () => {
        const problems = files.flatMap((f) => {
            const expected = path.basename(f.file, ".ts");
            const names = f.exported.map((p) => p.name);
            return names.length === 1 && names[0] === expected
                ? []
                : [`${f.file} exports ${JSON.stringify(names)}, expected exactly ["${expected}"]`];
        });
        assert.deepStrictEqual(problems, []);
    });

    it("each policy of the pack comes from policies/<area>/<name>.ts, and each file's policy is in the pack", () => {
        const problems: string[] = [];
        for (const p of allPolicies) {
            const file = files.find((f) => f.exported.includes(p));
            if (file === undefined) {
                problems.push(`${p.name} is exported by no file in policies/<area>/`);
            } else if (file.file !== `policies/${file.area}/${p.name}.ts`) {
                problems.push(`${p.name} lives in ${file.file}`);
            }
        }
        for (const f of files) {
            for (const p of f.exported) {
                if (!(allPolicies as readonly Policy[]).includes(p)) {
                    problems.push(`${f.file}: ${p.name} is not in allPolicies (policies/index.ts)`);
                }
            }
        }
        assert.deepStrictEqual(problems, []);
    });

    it("every policy has its own test file, tests/policies/<area>/<name>.spec.ts, and every such file a policy", () => {
        const expected = allPolicies.map((p) => `${areaOf.get(p)}/${p.name}.spec.ts`).sort();
        const actual = fs
            .readdirSync(__dirname, { withFileTypes: true })
            .filter((e) => e.isDirectory())
            .flatMap((e) =>
                fs
                    .readdirSync(path.join(__dirname, e.name))
                    .filter((f) => f.endsWith(".spec.ts"))
                    .map((f) => `${e.name}/${f}`),
            )
            .sort();
        assert.deepStrictEqual(actual, expected);
    });

    it("names are unique and kebab-case", () => {
        const names = allPolicies.map((p) => p.name);
        assert.deepStrictEqual(
            names.filter((n, i) => names.indexOf(n) !== i),
            [],
            "duplicate names",
        );
        assert.deepStrictEqual(
            names.filter((n) => !KEBAB_CASE.test(n)),
            [],
            "names that are not kebab-case",
        );
    });

    it("names carry their area's prefix, and a family prefix is used only in its area", () => {
        const problems: string[] = [];
        for (const p of allPolicies) {
            const area = areaOf.get(p)!;
            const prefix = AREAS[area]?.prefix;
            if (prefix !== undefined && !p.name.startsWith(prefix)) {
                problems.push(`${p.name} (policies/${area}) does not start with ${prefix}`);
            }
            for (const [other, { prefix: otherPrefix }] of Object.entries(AREAS)) {
                if (other !== area && otherPrefix !== undefined && p.name.startsWith(otherPrefix)) {
                    problems.push(`${p.name} (policies/${area}) carries the prefix of policies/${other}`);
                }
            }
        }
        assert.deepStrictEqual(problems, []);
    });

    it("tags include the area's tags; stack policies, and only they, are tagged stack", () => {
        const problems: string[] = [];
        for (const p of allPolicies) {
            const area = areaOf.get(p)!;
            const tags: readonly string[] = p.tags ?? [];
            for (const tag of AREAS[area]?.tags ?? []) {
                if (!tags.includes(tag)) {
                    problems.push(`${p.name} (policies/${area}) lacks the tag ${tag}`);
                }
            }
            const isStackPolicy = "validateStack" in p;
            if (tags.includes("stack") !== isStackPolicy) {
                problems.push(
                    `${p.name}: tagged stack ${tags.includes("stack")}, validates the stack ${isStackPolicy}`,
                );
            }
        }
        assert.deepStrictEqual(problems, []);
    });

    it("metadata is complete and well-formed", () => {
        const problems: string[] = [];
        const https = (text: unknown) => typeof text === "string" && /^https:\/\/[^\s/]+\.[^\s]+$/.test(text);
        for (const p of allPolicies) {
            const fail = (what: string) => problems.push(`${p.name}: ${what}`);
            if (!p.displayName?.trim()) {
                fail("no displayName");
            }
            if (!p.description?.trim().endsWith(".")) {
                fail(`the description does not end with a period: ${JSON.stringify(p.description)}`);
            }
            if (!SEVERITIES.includes(p.severity ?? "")) {
                fail(`severity ${JSON.stringify(p.severity)}`);
            }
            if (typeof p.remediationSteps !== "string" || !p.remediationSteps.trim()) {
                fail("no remediationSteps");
            }
            if (!https(p.url)) {
                fail(`url ${JSON.stringify(p.url)} is not an https URL`);
            }
            const framework = p.framework;
            for (const key of ["name", "version", "reference", "specification"] as const) {
                if (typeof framework?.[key] !== "string" || !framework[key].trim()) {
                    fail(`framework.${key} is missing`);
                }
            }
            if (framework && !https(framework.reference)) {
                fail(`framework.reference ${JSON.stringify(framework.reference)} is not an https URL`);
            }
            const expectedLevel = p.severity === "high" || p.severity === "critical" ? "mandatory" : "advisory";
            if (p.enforcementLevel !== expectedLevel) {
                fail(`enforcementLevel ${p.enforcementLevel} for severity ${p.severity} (expected ${expectedLevel})`);
            }
        }
        assert.deepStrictEqual(problems, []);
    });

    it("every option has a default, and every policy takes exclude and allowAnnotationExemptions", () => {
        const problems: string[] = [];
        for (const p of allPolicies) {
            const properties = (p.configSchema?.properties ?? {}) as Record<string, object>;
            for (const [option, schema] of Object.entries(properties)) {
                if (!("default" in schema)) {
                    problems.push(`${p.name}: option ${option} has no default`);
                }
            }
            for (const option of ["exclude", "allowAnnotationExemptions"]) {
                if (!(option in properties)) {
                    problems.push(`${p.name}: no ${option} option`);
                }
            }
        }
        assert.deepStrictEqual(problems, []);
    });

    it("every config profile lists every policy, and nothing else", () => {
        const names: string[] = allPolicies.map((p) => p.name);
        const profiles = fs.readdirSync(path.join(ROOT, "config")).filter((f) => f.endsWith(".json"));
        assert.ok(profiles.length > 0, "no profiles in config/");
        for (const file of profiles) {
            const profile = JSON.parse(fs.readFileSync(path.join(ROOT, "config", file), "utf8")) as object;
            const keys = Object.keys(profile).filter((k) => k !== "all");
            assert.deepStrictEqual(
                names.filter((n) => !keys.includes(n)),
                [],
                `config/${file} leaves out policies (run \`npm run generate\`)`,
            );
            assert.deepStrictEqual(
                keys.filter((k) => !names.includes(k)),
                [],
                `config/${file} names policies the pack does not have`,
            );
        }
    });

    it("the README policy table lists every policy once, and nothing else", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const start = readme.indexOf("<!-- policy-table:start");
        const end = readme.indexOf("<!-- policy-table:end -->");
        assert.ok(start >= 0 && end > start, "README.md has no policy table markers");
        // Each row starts with the policy's name linking to its generated page.
        const rows = [...readme.slice(start, end).matchAll(/^\| \[`([^`]+)`\]\(docs\/policies\/\1\.md\) \|/gm)].map(
            (m) => m[1],
        );
        assert.deepStrictEqual([...rows].sort(), allPolicies.map((p) => p.name).sort());
    });
});
