// Runs the real Pulumi CLI and engine (built by scripts/pulumi-toolchain.sh) against the pack, the
// way users do: `pulumi policy analyze --file` on state files and `pulumi preview --policy-pack` on
// programs. Each sandbox has its own PULUMI_HOME, a file:// backend and a passphrase, resolves
// providers from the toolchain's bin directory only, and cannot reach a cluster or Pulumi Cloud.

import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { EnforcementLevel } from "@pulumi/policy";
import type { TestResource } from "../../testkit";

export const ROOT = path.resolve(__dirname, "../..");
export const PROGRAMS = path.join(ROOT, "tests/e2e/programs");
export const PASSPHRASE = "container-guard e2e";

/** How long one CLI call may take before the test fails instead of hanging. */
const CLI_TIMEOUT_MS = 240_000;

/**
 * The toolchain's bin directory: $CONTAINER_GUARD_PULUMI_BIN, else what
 * `scripts/pulumi-toolchain.sh --check` reports (it never builds). Undefined when absent.
 */
export function findToolchain(kubernetes: boolean): { bin?: string; reason: string } {
    const explicit = process.env.CONTAINER_GUARD_PULUMI_BIN;
    if (explicit) {
        const missing = [
            "pulumi",
            "pulumi-language-nodejs",
            ...(kubernetes ? ["pulumi-resource-kubernetes"] : []),
        ].filter((b) => !fs.existsSync(path.join(explicit, b)));
        return missing.length === 0
            ? { bin: explicit, reason: "" }
            : { reason: `CONTAINER_GUARD_PULUMI_BIN=${explicit} lacks ${missing.join(", ")}` };
    }
    const args = [
        path.join(ROOT, "scripts/pulumi-toolchain.sh"),
        "--check",
        ...(kubernetes ? ["--with-kubernetes"] : []),
    ];
    const r = spawnSync("bash", args, { encoding: "utf8" });
    const bin = r.stdout.trim();
    return r.status === 0 && bin
        ? { bin, reason: "" }
        : { reason: (r.stderr || r.stdout || `exit ${r.status}`).trim() };
}

/**
 * For a mocha `before` hook: the toolchain's bin directory. Without a toolchain the suite is skipped
 * with the reason, except under CI, where a missing toolchain fails the run.
 */
export function requireToolchain(ctx: Mocha.Context, kubernetes: boolean): string {
    const { bin, reason } = findToolchain(kubernetes);
    if (bin) {
        return bin;
    }
    if (process.env.CI && process.env.CI !== "false") {
        throw new Error(`the Pulumi toolchain is missing (CI is set, so this fails instead of skipping): ${reason}`);
    }
    console.error(`    skipped: no Pulumi toolchain${kubernetes ? " with the Kubernetes provider" : ""}: ${reason}`);
    return ctx.skip();
}

/**
 * For a mocha suite: registers hooks that find the toolchain (see requireToolchain) and give every
 * test a sandbox of its own; returns the current test's sandbox.
 */
export function sandboxPerTest(kubernetes: boolean): () => EngineSandbox {
    let bin = "";
    let current: EngineSandbox | undefined;
    before(function () {
        bin = requireToolchain(this, kubernetes);
    });
    beforeEach(() => {
        current = new EngineSandbox(bin);
    });
    return () => current!;
}

const tempDirs: string[] = [];

function tempDir(prefix: string): string {
    if (tempDirs.length === 0) {
        process.once("exit", () => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    tempDirs.push(dir);
    return dir;
}

/** The engine events `--json` streams (one JSON object per line), the parts the tests read. */
export interface EngineEvent {
    policyEvent?: PolicyEvent;
    policyRemediationEvent?: PolicyRemediationEvent;
    resourcePreEvent?: {
        metadata: { op: string; urn: string; type: string; new?: { inputs?: Record<string, unknown> } };
    };
    diagnosticEvent?: { message: string; severity: string; urn?: string };
    summaryEvent?: { result: string; isPreview: boolean; PolicyPacks: Record<string, string> };
}

export interface PolicyEvent {
    resourceUrn?: string;
    message: string;
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    enforcementLevel: EnforcementLevel;
    severity?: string;
}

export interface PolicyRemediationEvent {
    resourceUrn: string;
    policyName: string;
    before: Record<string, unknown>;
    after: Record<string, unknown>;
}

export interface CliResult {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
    /** stdout parsed as NDJSON engine events (lines that are not JSON are ignored). */
    readonly events: EngineEvent[];
}

/** "<resource name> <policy> <level>" for every policy finding, sorted: compact and exact to compare. */
export function findings(events: readonly EngineEvent[]): string[] {
    return events
        .filter((e) => e.policyEvent)
        .map(
            (e) =>
                `${(e.policyEvent!.resourceUrn ?? "").split("::").pop()} ${e.policyEvent!.policyName} ` +
                `${e.policyEvent!.enforcementLevel}`,
        )
        .sort();
}

export function policyEvents(events: readonly EngineEvent[], policyName?: string): PolicyEvent[] {
    return events.flatMap((e) =>
        e.policyEvent && (!policyName || e.policyEvent.policyName === policyName) ? [e.policyEvent] : [],
    );
}

function parseEvents(stdout: string): EngineEvent[] {
    const events: EngineEvent[] = [];
    for (const line of stdout.split("\n")) {
        if (line.startsWith("{")) {
            try {
                events.push(JSON.parse(line) as EngineEvent);
            } catch {
                // not an event (the CLI's own output)
            }
        }
    }
    return events;
}

/** A PULUMI_HOME, a file:// backend and an environment in which only the toolchain's binaries resolve. */
export class EngineSandbox {
    readonly dir: string;
    readonly env: NodeJS.ProcessEnv;

    constructor(readonly bin: string) {
        this.dir = tempDir("cg-e2e-");
        const env: NodeJS.ProcessEnv = { ...process.env };
        for (const k of Object.keys(env)) {
            // No Pulumi Cloud, no ambient backend, stack or tracing settings from the developer's shell.
            if (k.startsWith("PULUMI_") || k === "KUBECONFIG") {
                delete env[k];
            }
        }
        this.env = {
            ...env,
            PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
            PULUMI_HOME: path.join(this.dir, "home"),
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            // Programs are type-checked by `npm run typecheck`; ts-node only transpiles them here.
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            // The Kubernetes provider must find no cluster (and never the developer's): previews then
            // run on the provider-checked inputs without contacting an API server.
            KUBECONFIG: path.join(this.dir, "no-kubeconfig"),
        };
    }

    pulumi(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
        const r = spawnSync(path.join(this.bin, "pulumi"), [...args, "--color", "never"], {
            cwd: options.cwd ?? this.dir,
            env: { ...this.env, ...options.env },
            encoding: "utf8",
            timeout: CLI_TIMEOUT_MS,
            maxBuffer: 64 * 1024 * 1024,
        });
        if (r.error) {
            throw r.error;
        }
        return { status: r.status, stdout: r.stdout, stderr: r.stderr, events: parseEvents(r.stdout) };
    }

    /** Like `pulumi`, but fails the test (with the CLI's output) on a non-zero exit. */
    pulumiOk(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
        const r = this.pulumi(args, options);
        if (r.status !== 0) {
            throw new Error(`pulumi ${args.join(" ")} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
        }
        return r;
    }

    /** Writes `content` (JSON for non-strings) at `name` in the sandbox; returns the path. */
    write(name: string, content: unknown): string {
        const file = path.join(this.dir, name);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
        return file;
    }

    /** `pulumi policy analyze --file <state> --policy-pack <pack> [--policy-pack-config <config>] --json`. */
    analyze(stateFile: string, options: { pack?: string; config?: string } = {}): CliResult {
        const args = ["policy", "analyze", "--file", stateFile, "--policy-pack", options.pack ?? ROOT, "--json"];
        if (options.config) {
            args.push("--policy-pack-config", options.config);
        }
        return this.pulumi(args);
    }

    /**
     * Copies tests/e2e/programs/<name> into the sandbox (the engine writes stack files next to
     * Pulumi.yaml), links the repository's node_modules, logs in to a file:// backend and creates
     * stack `dev` with the given configuration.
     */
    program(name: string, config: { plain?: Record<string, string>; secret?: Record<string, string> } = {}): Program {
        const dir = path.join(this.dir, "programs", name);
        fs.cpSync(path.join(PROGRAMS, name), dir, { recursive: true });
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
        const state = path.join(this.dir, "state");
        fs.mkdirSync(state, { recursive: true });
        this.pulumiOk(["login", `file://${state}`], { cwd: dir });
        this.pulumiOk(["stack", "init", "dev"], { cwd: dir });
        for (const [k, v] of Object.entries(config.plain ?? {})) {
            this.pulumiOk(["config", "set", k, v], { cwd: dir });
        }
        for (const [k, v] of Object.entries(config.secret ?? {})) {
            this.pulumiOk(["config", "set", "--secret", k, v], { cwd: dir });
        }
        return new Program(this, dir);
    }
}

export class Program {
    constructor(
        readonly sandbox: EngineSandbox,
        readonly dir: string,
    ) {}

    /** `pulumi preview --policy-pack <pack> [--policy-pack-config <config>]` with engine events streamed as JSON. */
    preview(options: { pack?: string; config?: string } = {}): CliResult {
        const args = ["preview", "--json", "--policy-pack", options.pack ?? ROOT];
        if (options.config) {
            args.push("--policy-pack-config", options.config);
        }
        // Without this, `preview --json` prints a digest that leaves out every policy event.
        return this.sandbox.pulumi(args, { cwd: this.dir, env: { PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "true" } });
    }
}

/** A `pulumi stack export` (deployment v3) holding `resources` with the same inputs and outputs. */
export function stateFile(
    resources: readonly TestResource[],
    project = "shop",
    stack = "dev",
): Record<string, unknown> {
    const prefix = `urn:pulumi:${stack}::${project}::`;
    const stackUrn = `${prefix}pulumi:pulumi:Stack::${project}-${stack}`;
    const providerId = "00000000-0000-4000-8000-000000000000";
    const providers = new Map<string, string>();
    const providerOf = (type: string): string => {
        const pkg = type.split(":")[0];
        if (!providers.has(pkg)) {
            providers.set(pkg, `${prefix}pulumi:providers:${pkg}::default`);
        }
        return `${providers.get(pkg)}::${providerId}`;
    };
    const custom = resources.map((r) => ({
        urn: r.urn ?? `${prefix}${r.type}::${r.name ?? "test"}`,
        custom: true,
        id: r.name ?? "test",
        type: r.type,
        inputs: r.props,
        outputs: r.props,
        parent: stackUrn,
        provider: providerOf(r.type),
        ...(r.dependencies && { dependencies: r.dependencies }),
    }));
    return {
        version: 3,
        deployment: {
            manifest: { time: "2026-01-01T00:00:00Z", magic: "", version: "v3.274.1" },
            resources: [
                { urn: stackUrn, custom: false, type: "pulumi:pulumi:Stack", outputs: {} },
                ...[...providers].map(([pkg, urn]) => ({
                    urn,
                    custom: true,
                    id: providerId,
                    type: `pulumi:providers:${pkg}`,
                    inputs: {},
                    outputs: {},
                    parent: stackUrn,
                })),
                ...custom,
            ],
        },
    };
}
