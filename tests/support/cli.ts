// Helpers for testing `container-guard scan`: input files written by the tests into temporary
// directories, the command run in-process (captured output) or as the built program.

import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import type { Policy } from "../../testkit";
import { type CliIo, run } from "../../cli/main";
import { hardenedPodSpec } from "./workloads";

export const ROOT = path.resolve(__dirname, "../..");
export const BUILT_CLI = path.join(ROOT, "dist/cli/main.js");

type Obj = Record<string, unknown>;

const tempDirs: string[] = [];

/** A fresh temporary directory, removed when the process exits. */
export function tempDir(prefix = "cg-scan-"): string {
    if (tempDirs.length === 0) {
        process.once("exit", () => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    tempDirs.push(dir);
    return dir;
}

/** Writes `content` at `rel` below `dir` (creating directories); returns the absolute path. */
export function writeFile(dir: string, rel: string, content: string): string {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    return file;
}

/** Kubernetes objects as a multi-document YAML stream. */
export function yamlDocs(...objects: Obj[]): string {
    return objects.map((o) => `---\n${stringify(o)}`).join("");
}

/** A Deployment object (as a manifest) with the given pod spec. */
export function deploymentManifest(name: string, podSpec: Obj, namespace = "prod"): Obj {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace },
        spec: {
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name } }, spec: podSpec },
        },
    };
}

/** A NetworkPolicy isolating every pod of a namespace (so the stack policies find nothing to report). */
export function defaultDenyPolicy(namespace = "prod"): Obj {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "default-deny", namespace },
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    };
}

/** A Namespace that enforces the restricted Pod Security Standard. */
export function restrictedNamespace(name = "prod"): Obj {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name, labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
    };
}

/** A pod spec that passes every policy of the pack. */
export function compliantPodSpec(): Obj {
    return hardenedPodSpec({ automountServiceAccountToken: false });
}

export interface CliResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

export interface RunOptions {
    readonly cwd?: string;
    readonly stdin?: string;
    readonly env?: Record<string, string | undefined>;
    readonly stdoutIsTTY?: boolean;
    readonly stderrIsTTY?: boolean;
    readonly policies?: readonly Policy[];
}

/** Runs the command line in this process. */
export async function runCli(args: readonly string[], opts: RunOptions = {}): Promise<CliResult> {
    let stdout = "";
    let stderr = "";
    const io: CliIo = {
        stdout: { write: (s: string) => (stdout += s), isTTY: opts.stdoutIsTTY ?? false },
        stderr: { write: (s: string) => (stderr += s), isTTY: opts.stderrIsTTY ?? false },
        readStdin: () => Promise.resolve(opts.stdin ?? ""),
        cwd: opts.cwd ?? ROOT,
        env: opts.env ?? {},
        ...(opts.policies && { policies: opts.policies }),
    };
    const code = await run(args, io);
    return { code, stdout, stderr };
}

/** Runs the built program (`npm run build` first) as a user would. */
export function spawnCli(
    args: readonly string[],
    opts: { cwd?: string; stdin?: string; env?: Record<string, string> } = {},
): CliResult {
    const r = spawnSync(process.execPath, [BUILT_CLI, ...args], {
        cwd: opts.cwd ?? ROOT,
        input: opts.stdin ?? "",
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", ...opts.env },
        timeout: 120000,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The JSON report of a run with `--format json`. */
export interface JsonReport {
    schemaVersion: number;
    summary: {
        files: number;
        resources: number;
        findings: number;
        mandatory: number;
        advisory: number;
        errors: number;
        exitCode: number;
        skipped: number;
    };
    findings: {
        policy: string;
        enforcementLevel: string;
        severity: string | null;
        description: string;
        message: string;
        path: string | null;
        resource: {
            type: string;
            name: string;
            label: string;
            urn: string;
            start: { file: string; line: number; column: number };
            template: string | null;
        } | null;
        location: { file: string; line: number; column: number };
    }[];
    errors: { file: string | null; line: number | null; column: number | null; message: string }[];
    skipped: {
        file: string;
        line: number;
        column: number;
        apiVersion: string | null;
        kind: string | null;
        name: string | null;
        reason: string;
    }[];
}

export function parseReport(stdout: string): JsonReport {
    return JSON.parse(stdout) as JsonReport;
}

/** The 1-based line of the first line of `text` containing `needle` (after line `after`). */
export function lineOf(text: string, needle: string, after = 0): number {
    const lines = text.split("\n");
    for (let i = after; i < lines.length; i++) {
        if (lines[i].includes(needle)) {
            return i + 1;
        }
    }
    throw new Error(`"${needle}" not found`);
}
