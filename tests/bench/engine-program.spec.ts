// The engine benchmark previews generated programs and divides by their resource count: the programs
// must compile against the provider SDK's types, declare exactly N workloads of the mixed kinds the
// issue names (with init containers, several containers and env), compute some values from an output
// (unknown during preview), and be the same for the same seed. Its statistics must be right too.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { generateProgram, SHARED_RESOURCES, WORKLOAD_KINDS } from "../../bench/engine-program";
import { bootstrap, differenceOfMedians, median, ratioOfMedians, relativeSpread, verdict } from "../../bench/stats";

const ROOT = path.resolve(__dirname, "../..");

/** `new k8s.apps.v1.Deployment(...)` → kubernetes:apps/v1:Deployment (core for the legacy group). */
function typeOf(constructor: string): string {
    const [, group, version, kind] = constructor.split(".");
    return `kubernetes:${group}/${version}:${kind}`;
}

interface Declared {
    readonly type: string;
    readonly name: string;
    /** Lengths of the `containers` and `initContainers` arrays, and the number of env entries. */
    readonly containers: number;
    readonly initContainers: number;
    readonly env: number;
    /** Whether an argument refers to the registry's address (an output unknown during preview). */
    readonly usesRegistryHost: boolean;
}

/** Every `new k8s...(name, args)` in the program, read from its syntax tree. */
function declared(source: string): Declared[] {
    const file = ts.createSourceFile("index.ts", source, ts.ScriptTarget.ES2022, true);
    const found: Declared[] = [];
    const arrayLength = (node: ts.Node, property: string): number => {
        let n = 0;
        const visit = (child: ts.Node) => {
            if (
                ts.isPropertyAssignment(child) &&
                child.name.getText(file) === property &&
                ts.isArrayLiteralExpression(child.initializer)
            ) {
                n += child.initializer.elements.length;
            }
            ts.forEachChild(child, visit);
        };
        visit(node);
        return n;
    };
    const visit = (node: ts.Node) => {
        if (ts.isNewExpression(node) && node.expression.getText(file).startsWith("k8s.")) {
            const [name, args] = node.arguments ?? [];
            assert.ok(ts.isStringLiteral(name) && args, node.getText(file).slice(0, 80));
            found.push({
                type: typeOf(node.expression.getText(file)),
                name: name.text,
                containers: arrayLength(args, "containers"),
                initContainers: arrayLength(args, "initContainers"),
                env: arrayLength(args, "env"),
                usesRegistryHost: args.getText(file).includes("registryHost"),
            });
        }
        ts.forEachChild(node, visit);
    };
    visit(file);
    return found;
}

describe("engine benchmark programs", () => {
    it("declare exactly N workloads of the mixed kinds plus the shared resources, with unique names", () => {
        for (const n of [1, 40, 300]) {
            const program = generateProgram(n);
            const resources = declared(program.files["index.ts"]);
            assert.strictEqual(resources.length, n + SHARED_RESOURCES.length);
            assert.strictEqual(program.resources, resources.length);
            assert.strictEqual(new Set(resources.map((r) => r.name)).size, resources.length, "names are unique");
            const workloads = resources.filter((r) => !SHARED_RESOURCES.some((s) => s.name === r.name));
            const counts: Record<string, number> = {};
            for (const w of workloads) {
                counts[w.type] = (counts[w.type] ?? 0) + 1;
            }
            assert.deepStrictEqual(counts, program.kinds);
        }
        const mixed = declared(generateProgram(300).files["index.ts"]);
        assert.deepStrictEqual(
            WORKLOAD_KINDS.map((k) => k.type).filter((t) => !mixed.some((r) => r.type === t)),
            [],
            "every kind appears in a 300-workload program",
        );
    });

    it("carry init containers, several containers, env and values computed from the registry's status", () => {
        const program = generateProgram(300);
        const types: readonly string[] = WORKLOAD_KINDS.map((k) => k.type);
        const ofKind = declared(program.files["index.ts"]).filter((r) => types.includes(r.type));
        assert.strictEqual(ofKind.length, 300);
        assert.ok(ofKind.every((w) => w.containers >= 1 && w.env >= 1));
        assert.ok(ofKind.filter((w) => w.containers >= 2).length > 30, "several containers");
        assert.ok(ofKind.filter((w) => w.initContainers >= 1).length > 30, "init containers");
        const unknown = ofKind.filter((w) => w.usesRegistryHost).length;
        assert.strictEqual(unknown, program.withUnknownValues);
        assert.ok(unknown >= 20 && unknown <= 70, `${unknown} of 300 workloads use an output unknown during preview`);
        assert.strictEqual(
            ofKind.reduce((s, w) => s + w.containers, 0),
            program.containers,
        );
        assert.strictEqual(
            ofKind.reduce((s, w) => s + w.initContainers, 0),
            program.initContainers,
        );
    });

    it("are the same for the same size and seed, and differ for another seed", () => {
        assert.deepStrictEqual(generateProgram(50), generateProgram(50));
        assert.notStrictEqual(generateProgram(50, 1).files["index.ts"], generateProgram(50, 2).files["index.ts"]);
        assert.throws(() => generateProgram(0), /positive whole number/);
    });

    it("compile against @pulumi/kubernetes and @pulumi/pulumi (strict type check)", function () {
        this.timeout(180_000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cg-engine-program-"));
        try {
            const program = generateProgram(40);
            for (const [name, content] of Object.entries(program.files)) {
                fs.writeFileSync(path.join(dir, name), content);
            }
            fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
            const compiled = ts.createProgram([path.join(dir, "index.ts")], {
                strict: true,
                noEmit: true,
                skipLibCheck: true,
                target: ts.ScriptTarget.ES2022,
                module: ts.ModuleKind.CommonJS,
                moduleResolution: ts.ModuleResolutionKind.Node10,
                types: ["node"],
                typeRoots: [path.join(ROOT, "node_modules", "@types")],
            });
            const errors = ts
                .getPreEmitDiagnostics(compiled)
                .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
            assert.deepStrictEqual(errors, []);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("benchmark statistics", () => {
    it("medians, spreads and ratios of medians", () => {
        assert.strictEqual(median([3, 1, 2]), 2);
        assert.strictEqual(median([4, 1, 3, 2]), 2.5);
        assert.ok(Number.isNaN(median([])));
        assert.strictEqual(relativeSpread([9, 10, 11]), 0.2);
        const r = ratioOfMedians([103, 104, 102, 110, 101], [100, 100, 99, 101, 100]);
        assert.strictEqual(r.value, 1.03);
        assert.ok(r.low <= r.value && r.value <= r.high, JSON.stringify(r));
        const d = differenceOfMedians([1300, 1400, 1200], [1000, 1000, 1000], 100);
        assert.strictEqual(d.value, 3);
        assert.ok(d.low >= 2 && d.high <= 4, JSON.stringify(d));
    });

    it("bootstrap intervals are deterministic, stay within the values and collapse without noise", () => {
        const a = [10, 12, 11, 15, 9];
        const stat = (ix: readonly number[]) => median(ix.map((i) => a[i]));
        assert.deepStrictEqual(bootstrap(a.length, stat), bootstrap(a.length, stat));
        const { low, high } = bootstrap(a.length, stat);
        assert.ok(low >= 9 && high <= 15 && low < high);
        assert.deepStrictEqual(
            bootstrap(4, () => 7),
            { low: 7, high: 7 },
        );
    });

    it("a target verdict is definite only when the whole interval is on one side of the limit", () => {
        assert.strictEqual(verdict({ low: 0.98, high: 1.02 }, 1.03), "met");
        assert.strictEqual(verdict({ low: 1.04, high: 1.1 }, 1.03), "missed");
        assert.strictEqual(verdict({ low: 1.0, high: 1.06 }, 1.03), "inconclusive");
    });
});
