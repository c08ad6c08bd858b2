// Stack exports judged as the engine's snapshot analysis judges them: resource policies on inputs
// (with the provider's inputs), stack policies on outputs, secrets as the engine sends them,
// resources pending deletion, the stack and providers left out of resource analysis.

import * as assert from "assert";
import * as fc from "fast-check";
import type { ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { engineValue, readStackExport, urnName } from "../../cli/inputs/stack-export";
import { lineOf, parseReport, runCli, tempDir, writeFile } from "../support/cli";

type Obj = Record<string, unknown>;

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";
const STACK = "urn:pulumi:prod::shop::pulumi:pulumi:Stack::shop-prod";
const PROVIDER = "urn:pulumi:prod::shop::pulumi:providers:kubernetes::cluster";

const urn = (type: string, name: string) => `urn:pulumi:prod::shop::${type}::${name}`;

/** A `pulumi stack export` document (version 3) with a stack, a Kubernetes provider and `resources`. */
function stackExport(resources: Obj[], providerInputs: Obj = { namespace: "apps" }): Obj {
    return {
        version: 3,
        deployment: {
            manifest: { time: "2026-11-01T10:00:00Z", magic: "m", version: "v3.248.0" },
            secrets_providers: { type: "passphrase" },
            resources: [
                { urn: STACK, custom: false, type: "pulumi:pulumi:Stack", outputs: {} },
                {
                    urn: PROVIDER,
                    custom: true,
                    id: "prov-id",
                    type: "pulumi:providers:kubernetes",
                    inputs: providerInputs,
                    outputs: providerInputs,
                    parent: STACK,
                },
                ...resources,
            ],
        },
    };
}

function deploymentState(name: string, inputsSpec: Obj, outputsSpec: Obj = inputsSpec, extra: Obj = {}): Obj {
    const body = (spec: Obj) => ({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name },
        spec: { template: { spec } },
    });
    return {
        urn: urn("kubernetes:apps/v1:Deployment", name),
        custom: true,
        id: `apps/${name}`,
        type: "kubernetes:apps/v1:Deployment",
        inputs: body(inputsSpec),
        outputs: body(outputsSpec),
        parent: STACK,
        provider: `${PROVIDER}::prov-id`,
        ...extra,
    };
}

const privileged = { containers: [{ name: "app", image: "nginx:1.27", securityContext: { privileged: true } }] };
const unprivileged = { containers: [{ name: "app", image: "nginx:1.27", securityContext: { privileged: false } }] };

async function scanExport(
    exported: Obj,
    args: string[] = [],
    policies?: (ResourceValidationPolicy | StackValidationPolicy)[],
) {
    const dir = tempDir();
    const text = JSON.stringify(exported, null, 4);
    writeFile(dir, "state/prod.json", text);
    const r = await runCli(["scan", "state/prod.json", "--format", "json", ...args], { cwd: dir, policies });
    return { ...r, text, report: parseReport(r.stdout) };
}

/** Test policies that report what they were given, to see exactly what reaches each kind of policy. */
function recordingPolicies(seen: { analyzed: string[]; resourceMarker: unknown[]; stackMarkers: unknown[] }) {
    const resourcePolicy: ResourceValidationPolicy = {
        name: "records-inputs",
        description: "Records the props Analyze receives.",
        enforcementLevel: "advisory",
        validateResource: (args, report: ReportViolation) => {
            seen.analyzed.push(args.type);
            const marker = (args.props as Obj).marker;
            if (marker !== undefined) {
                seen.resourceMarker.push(marker);
                report(`saw ${marker as string}`);
            }
        },
    };
    const stackPolicy: StackValidationPolicy = {
        name: "records-outputs",
        description: "Records the props AnalyzeStack receives.",
        enforcementLevel: "mandatory",
        validateStack: (args, report: ReportViolation) => {
            for (const r of args.resources) {
                const marker = (r.props as Obj).marker;
                if (marker !== undefined) {
                    seen.stackMarkers.push(marker);
                    report(
                        `saw ${marker as string} with ${r.dependencies.length} dependencies and parent ` +
                            `${r.parent?.type ?? "none"}`,
                        r.urn,
                    );
                }
            }
        },
    };
    return [resourcePolicy, stackPolicy];
}

describe("scan: stack exports", () => {
    it("judges each resource's inputs, as `pulumi policy analyze --file` does", async () => {
        const { code, report } = await scanExport(stackExport([deploymentState("web", privileged, unprivileged)]));
        assert.strictEqual(code, 1);
        const finding = report.findings.find((f) => f.policy === "pss-privileged");
        assert.ok(finding);
        assert.strictEqual(finding.enforcementLevel, "mandatory");
        // The provider's namespace applies to objects without one.
        assert.strictEqual(finding.resource?.label, "Deployment apps/web");
        assert.strictEqual(finding.resource?.urn, urn("kubernetes:apps/v1:Deployment", "web"));
    });

    it("gives resource policies the inputs and stack policies the outputs, parents and dependencies", async () => {
        const seen = { analyzed: [] as string[], resourceMarker: [] as unknown[], stackMarkers: [] as unknown[] };
        const config = urn("kubernetes:core/v1:ConfigMap", "cfg");
        const exported = stackExport([
            { urn: config, custom: true, type: "kubernetes:core/v1:ConfigMap", inputs: {}, outputs: {}, parent: STACK },
            {
                urn: urn("kubernetes:core/v1:Service", "svc"),
                custom: true,
                type: "kubernetes:core/v1:Service",
                inputs: { marker: "input" },
                outputs: { marker: "output" },
                parent: STACK,
                dependencies: [config],
                propertyDependencies: { spec: [config] },
            },
        ]);
        const { code, report } = await scanExport(exported, [], recordingPolicies(seen));
        assert.deepStrictEqual(seen.resourceMarker, ["input"]);
        assert.deepStrictEqual(seen.stackMarkers, ["output"]);
        // The stack and providers are not analyzed as resources; everything else is.
        assert.deepStrictEqual(seen.analyzed, ["kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:Service"]);
        assert.deepStrictEqual(
            report.findings.map((f) => [f.policy, f.enforcementLevel, f.message, f.resource?.label]),
            [
                ["records-inputs", "advisory", "saw input", "Service default/svc"],
                [
                    "records-outputs",
                    "mandatory",
                    "saw output with 1 dependencies and parent pulumi:pulumi:Stack",
                    "Service default/svc",
                ],
            ],
        );
        assert.strictEqual(code, 1);
    });

    it("leaves out resources pending deletion", async () => {
        const { report } = await scanExport(
            stackExport([
                deploymentState("old", privileged, privileged, { delete: true }),
                deploymentState("new", unprivileged),
            ]),
        );
        assert.ok(!report.findings.some((f) => f.resource?.name === "old"));
        assert.strictEqual(report.summary.resources, 1);
    });

    it("places findings at the resource's entry in the export", async () => {
        const { report, text } = await scanExport(stackExport([deploymentState("web", privileged)]));
        const finding = report.findings.find((f) => f.policy === "pss-privileged");
        const entry = `"urn": "${urn("kubernetes:apps/v1:Deployment", "web")}"`;
        const line = lineOf(text, entry);
        assert.deepStrictEqual(finding?.location, {
            file: "state/prod.json",
            line,
            column: text.split("\n")[line - 1].indexOf(entry) + 1,
        });
    });

    it("reads plaintext secrets as the engine sends them and never prints them", async () => {
        const secretValue = { [SIG]: SECRET, plaintext: JSON.stringify("hunter2-is-my-password") };
        const spec = {
            containers: [{ name: "app", image: "nginx:1.27", env: [{ name: "DB_PASSWORD", value: secretValue }] }],
        };
        const { stdout, report } = await scanExport(stackExport([deploymentState("web", spec)]));
        assert.ok(
            report.findings.some(
                (f) => f.policy === "secrets-env-literal" && f.path === "spec.template.spec.containers[0].env[0].value",
            ),
            stdout,
        );
        assert.ok(!stdout.includes("hunter2"));
    });

    it("treats encrypted secrets as values it cannot read: checks that need them say so as advisories", async () => {
        const encrypted = { [SIG]: SECRET, ciphertext: "v1:abcdefgh:ijklmnop" };
        const spec = { containers: [{ name: "app", image: "nginx:1.27", securityContext: { privileged: encrypted } }] };
        const { report } = await scanExport(stackExport([deploymentState("web", spec)]));
        const findings = report.findings.filter((f) => f.policy === "pss-privileged");
        assert.deepStrictEqual(
            findings.map((f) => f.enforcementLevel),
            ["advisory"],
        );
        assert.match(
            findings[0].message,
            /securityContext\.privileged is a secret whose value is not available \(stored encrypted\)/,
        );
        assert.ok(!findings[0].message.includes("v1:abcdefgh"), findings[0].message);
    });

    it("turns state-only values into what the engine sends", () => {
        assert.deepStrictEqual(engineValue({ [SIG]: SECRET, plaintext: "[1,2]" }), { [SIG]: SECRET, value: [1, 2] });
        assert.deepStrictEqual(
            engineValue({ [SIG]: "5cf8f73096256a8f31e491e813e4eb8e", urn: "urn:x", id: "i-1" }),
            "i-1",
        );
        assert.deepStrictEqual(
            engineValue({ [SIG]: "5cf8f73096256a8f31e491e813e4eb8e", urn: "urn:x", id: "" }),
            "urn:x",
        );
        assert.deepStrictEqual(engineValue({ [SIG]: "d0e6a833031e9bbcd3f4e8bde6ca49a4", value: "v" }), "v");
        assert.deepStrictEqual(engineValue({ a: [{ [SIG]: "d0e6a833031e9bbcd3f4e8bde6ca49a4" }] }), {
            a: ["04da6b54-80e4-46f7-96ec-b56ff0331ba9"],
        });
        assert.strictEqual(
            engineValue({ [SIG]: "c44067f5952c0a294b673a41bacd8c17", hash: "h" }),
            "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        );
        assert.strictEqual(urnName("urn:pulumi:s::p::a:b:C$d:e:F::name::with::colons"), "name::with::colons");
    });

    it("never throws on arbitrary JSON values, and its output survives the engine's decoding (property)", async () => {
        const special = fc.record(
            {
                [SIG]: fc.constantFrom(
                    SECRET,
                    "5cf8f73096256a8f31e491e813e4eb8e",
                    "d0e6a833031e9bbcd3f4e8bde6ca49a4",
                    "c44067f5952c0a294b673a41bacd8c17",
                    "0def7320c3a5731c473e5ecbe6d01bc7",
                    "nope",
                ),
                plaintext: fc.oneof(fc.string(), fc.json()),
                value: fc.jsonValue(),
                id: fc.string(),
            },
            { requiredKeys: [SIG] },
        );
        const value = fc.letrec((tie) => ({
            v: fc.oneof(
                { depthSize: "small" },
                fc.jsonValue(),
                special,
                fc.array(tie("v"), { maxLength: 3 }),
                fc.dictionary(fc.string(), tie("v"), { maxKeys: 3 }),
            ),
        })).v;
        await fc.assert(
            fc.asyncProperty(
                fc.array(
                    fc.record({
                        urn: fc.constantFrom(urn("kubernetes:core/v1:Pod", "p"), "x"),
                        type: fc.constantFrom("kubernetes:core/v1:Pod", "docker:index/container:Container"),
                        inputs: value,
                        outputs: value,
                        provider: fc.string(),
                    }),
                    { maxLength: 3 },
                ),
                async (resources) => {
                    const exported = { version: 3, deployment: { resources } };
                    const { group } = readStackExport(exported, JSON.stringify(exported), "x.json");
                    const { PolicyTester } = await import("../../testkit");
                    const { allPolicies } = await import("../../policies");
                    const tester = new PolicyTester({ policies: allPolicies });
                    for (const r of group.resources) {
                        if (r.analyze) {
                            await tester.analyze(r.analyze);
                        }
                    }
                    await tester.analyzeStack(group.resources.map((r) => r.stack));
                },
            ),
            { numRuns: 60 },
        );
    });

    it("reports a malformed export and still judges its well-formed resources", async () => {
        const { code, report } = await scanExport({
            version: 3,
            deployment: { resources: [{ type: "kubernetes:apps/v1:Deployment" }, deploymentState("web", privileged)] },
        });
        assert.strictEqual(code, 2);
        assert.deepStrictEqual(
            report.errors.map((e) => e.message),
            ["resource #1 of the stack export has no urn or type; it is skipped"],
        );
        assert.ok(report.findings.some((f) => f.policy === "pss-privileged"));
        const broken = await scanExport({ version: 3, deployment: { resources: "nope" } });
        assert.strictEqual(broken.code, 2);
        assert.match(broken.report.errors[0].message, /deployment\.resources must be an array/);
    });

    it("reads self-managed backend checkpoints too", async () => {
        const exported = stackExport([deploymentState("web", privileged)]) as { deployment: unknown };
        const { report } = await scanExport({ version: 3, checkpoint: { stack: "prod", latest: exported.deployment } });
        assert.ok(report.findings.some((f) => f.policy === "pss-privileged"));
    });
});
