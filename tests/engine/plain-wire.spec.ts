// The scanner's engine path (LocalEngine with `decoding: "plain"`) must hand policies exactly what
// the engine path does (props encoded to a protobuf Struct and decoded again): the same values, the
// same key order, the same errors, and therefore the same findings.

import * as assert from "assert";
import fc from "fast-check";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { analyzeResources, stackResources } from "../../bench/resources";
import { demoResources, demoStackExtras } from "../../demo/workloads";
import { allPolicies } from "../../policies";
import { type EngineResource, LocalEngine, type PolicyPackConfig } from "../../src/engine/local-engine";
import { plainWire } from "../../src/engine/plain-wire";
import { UNKNOWN, secret, toStruct } from "../../src/engine/protocol";
import { fuzzedPodSpec } from "../support/fuzz";
import { shape } from "../support/wire-shape";

type Outcome = { value: unknown } | { error: string };

function outcome(f: () => unknown): Outcome {
    try {
        return { value: f() };
    } catch (err) {
        return { error: (err as Error).message };
    }
}

function assertSameDecoding(props: Record<string, unknown>): void {
    const viaStruct = outcome(() => toStruct(props).toJavaScript());
    const plain = outcome(() => plainWire(props));
    assert.ok(isDeepStrictEqual(plain, viaStruct), `${JSON.stringify(plain)} != ${JSON.stringify(viaStruct)}`);
    if ("value" in plain && "value" in viaStruct) {
        assert.deepStrictEqual(shape(plain.value), shape(viaStruct.value));
    }
}

const KEYS = ["b", "a", "B", "10", "2", "__proto__", "constructor", "spec", "containers", "image", "value", "ä", ""];
const leaf = fc.oneof(
    fc.string({ maxLength: 6 }),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.constant(UNKNOWN),
);
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
        { depthSize: "small" },
        leaf,
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(fc.constantFrom(...KEYS), tie("value"), { maxKeys: 5 }),
        tie("value").map((v) => secret(v) as unknown),
    ),
}));
const props = fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 6 });

describe("plain wire decoding (the scanner's engine path)", () => {
    it("equals the protobuf Struct round trip on fuzzed values: values, key order, errors", () => {
        fc.assert(
            fc.property(props, (p) => assertSameDecoding(p)),
            { numRuns: 2000 },
        );
    });

    it("equals it on objects of many keys, sorted, unsorted or with keys dropped (each ordered its own way)", () => {
        // Up to 16 keys are ordered in place and more by sort(); already sorted keys and dropped keys take other paths.
        const key = fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 4 }));
        const wide = fc.dictionary(key, leaf, { minKeys: 10, maxKeys: 40 });
        fc.assert(
            fc.property(wide, fc.boolean(), (p, sorted) => {
                const ordered = sorted ? Object.fromEntries(Object.entries(p).sort(([a], [b]) => (a < b ? -1 : 1))) : p;
                assertSameDecoding({ wide: ordered, ...ordered });
            }),
            { numRuns: 500 },
        );
    });

    it("equals it on edge cases: sparse arrays, -0, NaN, non-plain objects, values a Struct cannot hold", () => {
        const cases: Record<string, unknown>[] = [
            { z: [1, undefined, null, -0, NaN, Infinity] },
            JSON.parse('{"__proto__": {"polluted": true}, "a": {"__proto__": 1}}') as Record<string, unknown>,
            { d: new Date(0), m: new Map([[1, 2]]), bytes: new Uint8Array([1, 2]) },
            Object.create({ inherited: 1 }, { own: { value: 2, enumerable: true } }) as Record<string, unknown>,
            // eslint-disable-next-line no-sparse-arrays
            { holes: [1, , 3] },
            { big: 1n },
            { fn: () => 1 },
            { sym: Symbol("s") },
        ];
        for (const c of cases) {
            assertSameDecoding(c);
        }
    });

    const structEngine = (config?: PolicyPackConfig) => new LocalEngine({ policies: allPolicies }, config);
    const plainEngine = (config?: PolicyPackConfig) =>
        new LocalEngine({ policies: allPolicies }, config, undefined, { decoding: "plain" });
    /** The scanner's engine: plain decoding, one frozen copy of the props shared by every policy. */
    const sharedEngine = (config?: PolicyPackConfig) =>
        new LocalEngine({ policies: allPolicies }, config, undefined, { decoding: "plain", shareProps: true });

    const profiles: [string, PolicyPackConfig | undefined][] = [
        ["defaults", undefined],
        ...fs
            .readdirSync(path.join(__dirname, "../../config"))
            .filter((f) => f.endsWith(".json"))
            .map((f): [string, PolicyPackConfig] => [
                f,
                JSON.parse(fs.readFileSync(path.join(__dirname, "../../config", f), "utf8")) as PolicyPackConfig,
            ]),
    ];
    const demo: EngineResource[] = [...demoResources, ...demoStackExtras].map((r) => ({
        type: r.type,
        name: r.name,
        props: r.props as Record<string, unknown>,
    }));

    for (const [name, config] of profiles) {
        it(`gives the same findings as the engine path on the demo and benchmark resources (${name})`, async () => {
            const a = structEngine(config);
            const b = plainEngine(config);
            const c = sharedEngine(config);
            let violations = 0;
            for (const r of [...demo, ...analyzeResources(150)]) {
                const expected = await a.analyze(r);
                assert.deepStrictEqual(await b.analyze(r), expected, `${r.type} ${r.name}`);
                assert.deepStrictEqual(await c.analyze(r), expected, `${r.type} ${r.name} (shared props)`);
                violations += expected.violations.length;
            }
            assert.ok(violations > 50, "the resources must produce findings for the comparison to mean anything");
            const stack = [...demo, ...stackResources(150)];
            const expectedStack = await a.analyzeStack(stack);
            assert.deepStrictEqual(await b.analyzeStack(stack), expectedStack);
            assert.deepStrictEqual(await c.analyzeStack(stack), expectedStack);
        });
    }

    it("gives the same findings on fuzzed workloads (unknowns, secrets, wrong types)", async () => {
        const a = structEngine({ all: "mandatory" });
        const b = plainEngine({ all: "mandatory" });
        const c = sharedEngine({ all: "mandatory" });
        const TYPES = [
            "kubernetes:apps/v1:Deployment",
            "kubernetes:core/v1:Pod",
            "kubernetes:batch/v1:CronJob",
            "kubernetes:core/v1:ConfigMap",
            "docker:index/container:Container",
        ];
        const spec = fuzzedPodSpec(value);
        const resource = fc.record({
            type: fc.constantFrom(...TYPES),
            spec,
            data: value,
        });
        await fc.assert(
            fc.asyncProperty(resource, async ({ type, spec: podSpec, data }) => {
                const r: EngineResource = {
                    type,
                    name: "fuzzed",
                    props: type.endsWith(":Pod")
                        ? { metadata: { name: "p" }, spec: podSpec }
                        : type.endsWith(":CronJob")
                          ? { spec: { jobTemplate: { spec: { template: { spec: podSpec } } } } }
                          : type.endsWith(":Deployment")
                            ? { spec: { template: { spec: podSpec } } }
                            : { ...podSpec, data },
                };
                const settled = (engine: LocalEngine) =>
                    engine.analyze(r).then(
                        (result) => ({ result }),
                        (err: Error) => ({ error: err.message }),
                    );
                const expected = await settled(a);
                assert.deepStrictEqual(await settled(b), expected);
                assert.deepStrictEqual(await settled(c), expected);
            }),
            { numRuns: 300 },
        );
    });

    it("keeps Pulumi secrets tracked: judged, never shown, the same findings as the engine path", async () => {
        const hidden = "registry.internal/team-secret-path/app:latest";
        const r: EngineResource = {
            type: "kubernetes:apps/v1:Deployment",
            name: "web",
            props: {
                metadata: { name: "web" },
                spec: {
                    template: {
                        spec: {
                            containers: [{ name: "app", image: secret(hidden), securityContext: { privileged: true } }],
                            volumes: [{ name: "host", hostPath: { path: secret("/var/run/secret-socket.sock") } }],
                        },
                    },
                },
            },
        };
        const expected = await structEngine({ all: "mandatory" }).analyze(r);
        const actual = await plainEngine({ all: "mandatory" }).analyze(r);
        assert.deepStrictEqual(actual, expected);
        const text = JSON.stringify(actual.violations);
        assert.ok(
            actual.violations.some((v) => v.policyName === "pss-privileged"),
            "the resource is still judged",
        );
        assert.ok(text.includes("[secret]"), "values that were secrets are shown as [secret]");
        assert.ok(!text.includes("team-secret-path") && !text.includes("secret-socket"), text);
    });

    it("gives every policy its own props: one that mutates them does not change what the next one sees", async () => {
        const seen: unknown[] = [];
        const mutating: ResourceValidationPolicy = {
            name: "mutating",
            description: "changes its props",
            validateResource: (args) => {
                (args.props as { spec: { replicas: number } }).spec.replicas = 99;
                seen.push(args.props === args.asType({ __pulumiType: args.type } as never));
            },
        };
        const reading: ResourceValidationPolicy = {
            name: "reading",
            description: "reads its props",
            validateResource: (args) => {
                seen.push((args.props as { spec: { replicas: number } }).spec.replicas);
            },
        };
        const r: EngineResource = { type: "kubernetes:apps/v1:Deployment", props: { spec: { replicas: 2 } } };
        await new LocalEngine({ policies: [mutating, reading] }, undefined, undefined, { decoding: "plain" }).analyze(
            r,
        );
        assert.deepStrictEqual(seen, [true, 2]);
        assert.deepStrictEqual(r.props, { spec: { replicas: 2 } });
    });

    describe("with props shared by the policies (shareProps, the scanner)", () => {
        const reading = (seen: unknown[]): ResourceValidationPolicy => ({
            name: "reading",
            description: "reads its props",
            validateResource: (args) => {
                seen.push((args.props as { spec: { replicas: number } }).spec.replicas);
            },
        });
        const deployment = (props: Record<string, unknown>): EngineResource => ({
            type: "kubernetes:apps/v1:Deployment",
            props,
        });

        it("fails loudly when a policy writes to its props, and nothing it wrote reaches the next policy", async () => {
            const seen: unknown[] = [];
            const mutating: ResourceValidationPolicy = {
                name: "mutating",
                description: "changes its props",
                validateResource: (args) => {
                    (args.props as { spec: { replicas: number } }).spec.replicas = 99;
                },
            };
            const engine = new LocalEngine({ policies: [mutating, reading(seen)] }, undefined, undefined, {
                decoding: "plain",
                shareProps: true,
            });
            const r = deployment({ spec: { replicas: 2 } });
            await assert.rejects(engine.analyze(r), TypeError);
            assert.deepStrictEqual(seen, [], "the request failed before the next policy ran");
            assert.deepStrictEqual(r.props, { spec: { replicas: 2 } }, "the caller's object is untouched");
        });

        it("gives every policy of a request the same frozen props, and another request its own", async () => {
            const props: unknown[] = [];
            const keep: ResourceValidationPolicy = {
                name: "keep",
                description: "keeps its props",
                validateResource: (args) => void props.push(args.props),
            };
            const engine = new LocalEngine({ policies: [keep, { ...keep, name: "keep-2" }] }, undefined, undefined, {
                decoding: "plain",
                shareProps: true,
            });
            await engine.analyze(deployment({ spec: { replicas: 2 } }));
            await engine.analyze(deployment({ spec: { replicas: 2 } }));
            assert.strictEqual(props.length, 4);
            assert.strictEqual(props[0], props[1]);
            assert.notStrictEqual(props[1], props[2]);
            assert.ok(Object.isFrozen(props[0]) && Object.isFrozen((props[0] as { spec: object }).spec));
        });

        it("still decodes per policy, in the SDK's proxy, when a value is unknown during preview", async () => {
            const engine = (shareProps: boolean) =>
                new LocalEngine({ policies: allPolicies }, { all: "mandatory" }, undefined, {
                    decoding: "plain",
                    shareProps,
                });
            const r = deployment({
                spec: { template: { spec: { containers: [{ name: "app", image: UNKNOWN }], hostNetwork: UNKNOWN } } },
            });
            const shared = await engine(true).analyze(r);
            assert.deepStrictEqual(shared, await engine(false).analyze(r));
            assert.ok(
                shared.violations.some((v) => /during preview|not known/.test(v.message)),
                "the unknown values are reported as such",
            );
        });
    });
});

describe("the scanner's start-up", () => {
    it("judges manifests without loading @pulumi/pulumi (the SDK's deserializer and server load it)", function () {
        this.timeout(120_000);
        const script =
            'const cli = require("./cli/main"); const fs = require("fs"); const os = require("os"); ' +
            'const dir = fs.mkdtempSync(require("path").join(os.tmpdir(), "cg-")); const f = dir + "/d.yaml"; ' +
            'fs.writeFileSync(f, "apiVersion: v1\\nkind: Pod\\nmetadata: {name: p}\\nspec:\\n  containers:\\n' +
            '  - {name: a, image: nginx, securityContext: {privileged: true}}\\n"); let out = ""; ' +
            'cli.run(["scan", f, "--format", "json"], { stdout: { write: (s) => (out += s) }, ' +
            'stderr: { write: () => 0 }, readStdin: async () => "", cwd: dir, env: {} }).then((code) => { ' +
            "const loaded = Object.keys(require.cache)" +
            ".filter((k) => /node_modules[\\\\/]@pulumi[\\\\/]pulumi[\\\\/]/.test(k)); " +
            "const findings = JSON.parse(out).summary.findings; " +
            "console.log(JSON.stringify({ code, findings, loaded: loaded.length })); });";
        const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
            cwd: path.join(__dirname, "../.."),
            encoding: "utf8",
        });
        assert.strictEqual(r.status, 0, r.stderr);
        const result = JSON.parse(r.stdout.trim().split("\n").pop()!) as {
            code: number;
            findings: number;
            loaded: number;
        };
        assert.strictEqual(result.code, 1, "the privileged pod is a mandatory finding");
        assert.ok(result.findings > 0);
        assert.strictEqual(result.loaded, 0, "no module of @pulumi/pulumi was loaded");
    });
});
