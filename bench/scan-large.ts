// Large inputs to `container-guard scan`: wall-clock time, CPU time and peak memory (RSS) of the built
// command line, each run a process of its own measured by `/usr/bin/time -v`.
//
//   npm run build && node -r ts-node/register/transpile-only bench/scan-large.ts [--all] [--only NAME]
//
// - platform-files: 50 MB of rendered manifests in 10 files, as a platform team renders a cluster:
//   CustomResourceDefinitions with large schemas, Grafana dashboards in ConfigMaps, and 400 apps of
//   eight objects each. Within the default limits.
// - platform-one-file: the same 50 MB as one file, with --max-file-size 64MiB (over the default).
// - small-10mb: 10 MB of small rendered objects (about 22,700) in one file: within the limits.
// - small-documents: 52 MB of small rendered objects (about 117,000) in one file, the shape of the
//   report that once ran out of memory. Over the default per-file limit: must end at once with exit 2.
// - small-documents-stdin: the same on standard input.
// - deep-json: a manifest nested 100,000 levels deep: exit 2, "too deeply nested".
// - deployments-5000: 5,000 rendered Deployments of about 4 KB, one file each (21.7 MB).
// - with --targets only platform-files and deployments-5000, each checked against its target (issue 11: 50 MB in
//   at most 10 s and 500 MB; issue 14: the 5,000 files in at most 3 s and 250 MB), and, when a `trivy` binary is on
//   PATH, `trivy config` of the 5,000 files beside it (`npm run bench:scan`).
// - with --all also small-documents-raised: the 52 MB file with the limits raised (minutes: every
//   object is judged by every policy).
//
// Inputs are written to .bench/large (ignored by git) and reused when present.

import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { manifest } from "../scripts/bench-scan";

const ROOT = path.resolve(__dirname, "..");
const DIR = path.join(ROOT, ".bench", "large");
const CLI = path.join(ROOT, "dist", "cli", "main.js");
const MB = 1e6;

/** A CustomResourceDefinition whose schema has `fields` documented properties, about 1.2 KB each. */
export function crd(n: number, fields: number): string {
    const lines = [
        "---",
        `# Source: platform/crds/crd-${n}.yaml`,
        "apiVersion: apiextensions.k8s.io/v1",
        "kind: CustomResourceDefinition",
        "metadata:",
        `  name: widgets${n}.platform.example.com`,
        "spec:",
        "  group: platform.example.com",
        `  names: {kind: Widget${n}, listKind: Widget${n}List, plural: widgets${n}, singular: widget${n}}`,
        "  scope: Namespaced",
        "  versions:",
        "  - name: v1",
        "    served: true",
        "    storage: true",
        "    schema:",
        "      openAPIV3Schema:",
        "        type: object",
        "        properties:",
        "          spec:",
        "            type: object",
        "            properties:",
    ];
    for (let f = 0; f < fields; f++) {
        lines.push(
            `              field${f}:`,
            "                description: This field configures one component of the operator. It is documented",
            "                  at length so that kubectl explain shows users what it does, which values it takes",
            "                  and what happens when it is left out.",
            "                type: object",
            "                properties:",
            "                  enabled: {type: boolean, description: Whether the component runs.}",
            "                  replicas: {type: integer, format: int32, minimum: 0}",
            "                  image: {type: string, description: The container image of the component.}",
            "                  resources:",
            "                    type: object",
            "                    properties:",
            "                      limits: {type: object, additionalProperties: {type: string}}",
            "                      requests: {type: object, additionalProperties: {type: string}}",
        );
    }
    return lines.join("\n") + "\n";
}

/** A ConfigMap holding a Grafana dashboard of `panels` panels (about 600 bytes each) as a block scalar. */
export function dashboard(n: number, panels: number): string {
    const json = JSON.stringify(
        {
            title: `Service ${n}`,
            panels: Array.from({ length: panels }, (_, p) => ({
                id: p,
                title: `Panel ${p}`,
                type: "timeseries",
                targets: [{ expr: `sum(rate(http_requests_total{service="s${n}",code=~"5.."}[5m])) by (pod)` }],
                gridPos: { h: 8, w: 12, x: (p % 2) * 12, y: p * 8 },
            })),
        },
        null,
        2,
    );
    return (
        `---\n# Source: platform/templates/dashboards.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n` +
        `  name: dashboard-${n}\n  namespace: monitoring\n  labels: {grafana_dashboard: "1"}\ndata:\n` +
        `  service-${n}.json: |\n${json
            .split("\n")
            .map((l) => `    ${l}`)
            .join("\n")}\n`
    );
}

/** About 50 MB: 100 CRDs, 80 dashboards, 400 apps of 8 objects with their config (3,380 objects). */
function platformDocuments(): string[] {
    const docs: string[] = [];
    for (let n = 0; n < 100; n++) {
        docs.push(crd(n, 330));
    }
    for (let n = 0; n < 80; n++) {
        docs.push(dashboard(n, 390));
    }
    const config = Array.from({ length: 780 }, (_, i) => `    setting.${i} = value-${i}`).join("\n");
    for (let app = 0; app < 400; app++) {
        for (let k = 0; k < 5; k++) {
            docs.push(manifest(app * 5 + k));
        }
        docs.push(
            `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-${app}-config, namespace: team-${app % 20}}\n` +
                `data:\n  app.properties: |\n${config}\n`,
            `---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app-${app}, namespace: team-${app % 20}}\n`,
            `---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: app-${app}, namespace: ` +
                `team-${app % 20}}\nspec: {minAvailable: 1, selector: {matchLabels: {app: app-${app}}}}\n`,
        );
    }
    return docs;
}

/**
 * A rendered Deployment of about 4 KB: labels and annotations, an init container, an app container and a
 * sidecar with env (literals, ConfigMap and Secret references), probes, resources, volume mounts and volumes.
 * Every seventh runs its app container privileged; every fifth has no runAsNonRoot.
 */
export function deployment(n: number): string {
    const app = `app-${n}`;
    const ns = `team-${n % 25}`;
    const env = Array.from(
        { length: 8 },
        (_, i) => `            - name: SETTING_${i}\n              value: "value-${i}-of-${app}"\n`,
    ).join("");
    const labels =
        `    app.kubernetes.io/name: ${app}\n    app.kubernetes.io/instance: ${app}-prod\n` +
        `    app.kubernetes.io/part-of: shop\n    app.kubernetes.io/managed-by: Helm\n` +
        `    helm.sh/chart: shop-1.${n % 40}.0\n`;
    return (
        `# Source: shop/templates/deployment-${n}.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n` +
        `  name: ${app}\n  namespace: ${ns}\n  labels:\n${labels}  annotations:\n` +
        `    deployment.kubernetes.io/revision: "${n % 9}"\n    meta.helm.sh/release-name: shop\n` +
        `spec:\n  replicas: 3\n  revisionHistoryLimit: 5\n  selector:\n    matchLabels:\n` +
        `      app.kubernetes.io/name: ${app}\n  strategy:\n    type: RollingUpdate\n    rollingUpdate: ` +
        `{maxSurge: 25%, maxUnavailable: 0}\n  template:\n    metadata:\n      labels:\n` +
        `        app.kubernetes.io/name: ${app}\n        app.kubernetes.io/instance: ${app}-prod\n` +
        `      annotations:\n        prometheus.io/scrape: "true"\n        prometheus.io/port: "9090"\n` +
        `    spec:\n      serviceAccountName: ${app}\n      automountServiceAccountToken: false\n` +
        `      securityContext:\n${n % 5 === 0 ? "" : "        runAsNonRoot: true\n"}` +
        `        runAsUser: 10001\n        fsGroup: 10001\n        seccompProfile: {type: RuntimeDefault}\n` +
        `      initContainers:\n        - name: migrate\n          image: registry.example.com/shop/migrate:3.${n}` +
        `@sha256:${n.toString(16).padStart(64, "0")}\n          args: ["--wait", "--timeout=120s"]\n` +
        `          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, ` +
        `capabilities: {drop: [ALL]}}\n          resources: {limits: {cpu: 200m, memory: 128Mi}, ` +
        `requests: {cpu: 50m, memory: 64Mi}}\n` +
        `      containers:\n        - name: app\n          image: registry.example.com/shop/${app}:2.${n}.1\n` +
        `          imagePullPolicy: IfNotPresent\n          ports:\n            - {name: http, containerPort: 8080}\n` +
        `            - {name: metrics, containerPort: 9090}\n          env:\n${env}` +
        `            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef: ` +
        `{name: ${app}-db, key: password}\n            - name: FEATURE_FLAGS\n              valueFrom:\n` +
        `                configMapKeyRef: {name: ${app}-flags, key: flags}\n` +
        `          livenessProbe:\n            httpGet: {path: /healthz, port: http}\n` +
        `            initialDelaySeconds: 10\n            periodSeconds: 10\n          readinessProbe:\n` +
        `            httpGet: {path: /ready, port: http}\n            periodSeconds: 5\n` +
        `          resources:\n            limits: {cpu: "1", memory: 512Mi}\n            requests: ` +
        `{cpu: 250m, memory: 256Mi}\n          securityContext:\n            privileged: ${n % 7 === 0}\n` +
        `            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n` +
        `            capabilities: {drop: [ALL]}\n          volumeMounts:\n` +
        `            - {name: tmp, mountPath: /tmp}\n` +
        `            - {name: config, mountPath: /etc/${app}, readOnly: true}\n` +
        `        - name: proxy\n          image: docker.io/envoyproxy/envoy:v1.31.${n % 10}\n` +
        `          args: ["--config-path", "/etc/envoy/envoy.yaml", "--log-level", "info"]\n` +
        `          ports: [{name: proxy, containerPort: 15001}]\n` +
        `          resources: {limits: {cpu: 500m, memory: 256Mi}, requests: {cpu: 100m, memory: 128Mi}}\n` +
        `          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, ` +
        `runAsUser: 1337, capabilities: {drop: [ALL]}}\n          volumeMounts:\n` +
        `            - {name: envoy, mountPath: /etc/envoy, readOnly: true}\n` +
        `      volumes:\n        - name: tmp\n          emptyDir: {medium: Memory, sizeLimit: 64Mi}\n` +
        `        - name: config\n          configMap: {name: ${app}-config}\n        - name: envoy\n` +
        `          configMap: {name: ${app}-envoy}\n      topologySpreadConstraints:\n` +
        `        - maxSkew: 1\n          topologyKey: topology.kubernetes.io/zone\n` +
        `          whenUnsatisfiable: ScheduleAnyway\n          labelSelector:\n            matchLabels:\n` +
        `              app.kubernetes.io/name: ${app}\n`
    );
}

function writeOnce(file: string, write: () => void): void {
    if (!fs.existsSync(file)) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        write();
    }
}

/** The benchmark's small objects (scripts/bench-scan.ts) up to `bytes`, never cutting one. */
function writeSmallDocuments(file: string, bytes: number): void {
    const fd = fs.openSync(file, "w");
    let written = 0;
    for (let n = 0; ; n++) {
        const doc = manifest(n);
        if (written + doc.length > bytes) {
            break;
        }
        fs.writeSync(fd, doc);
        written += doc.length;
    }
    fs.closeSync(fd);
}

function prepare(): void {
    writeOnce(path.join(DIR, "platform", "part-9.yaml"), () => {
        const docs = platformDocuments();
        // Interleaved so every file holds every kind, as `helm template` of several charts would.
        for (let f = 0; f < 10; f++) {
            fs.writeFileSync(
                path.join(DIR, "platform", `part-${f}.yaml`),
                docs.filter((_, i) => i % 10 === f).join(""),
            );
        }
    });
    writeOnce(path.join(DIR, "platform-one-file.yaml"), () => {
        const parts = Array.from({ length: 10 }, (_, f) =>
            fs.readFileSync(path.join(DIR, "platform", `part-${f}.yaml`), "utf8"),
        );
        fs.writeFileSync(path.join(DIR, "platform-one-file.yaml"), parts.join(""));
    });
    writeOnce(path.join(DIR, "small-documents.yaml"), () => {
        writeSmallDocuments(path.join(DIR, "small-documents.yaml"), 52 * MB);
    });
    writeOnce(path.join(DIR, "small-10mb.yaml"), () => {
        writeSmallDocuments(path.join(DIR, "small-10mb.yaml"), 10 * MB);
    });
    writeOnce(path.join(DIR, "deployments", "deployment-4999.yaml"), () => {
        for (let n = 0; n < 5000; n++) {
            fs.writeFileSync(
                path.join(DIR, "deployments", `deployment-${String(n).padStart(4, "0")}.yaml`),
                deployment(n),
            );
        }
    });
    writeOnce(path.join(DIR, "deep.json"), () => {
        const depth = 100000;
        fs.writeFileSync(
            path.join(DIR, "deep.json"),
            `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":` +
                `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`,
        );
    });
}

interface Measurement {
    readonly name: string;
    readonly input: string;
    readonly exitCode: number;
    readonly wallSeconds: number;
    readonly cpuSeconds: number;
    readonly peakRssMiB: number;
    readonly resources?: number;
    readonly findings?: number;
    readonly message: string;
    /** `/proc/loadavg` before and after the run: on a shared machine wall-clock time follows the load. */
    readonly loadBefore: string;
    readonly loadAfter: string;
}

function loadavg(): string {
    try {
        return fs.readFileSync("/proc/loadavg", "utf8").trim();
    } catch {
        return "unknown";
    }
}

/** Wall-clock seconds, CPU seconds, peak RSS and exit status from `/usr/bin/time -v` output. */
function timeStats(stderr: string): { wall: number; cpu: number; rssMiB: number; exit: number } {
    const stat = (label: string) => new RegExp(`${label}: (.*)`).exec(stderr)?.[1] ?? "";
    return {
        wall: stat("Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)")
            .split(":")
            .map(Number)
            .reduce((acc, part) => acc * 60 + part, 0),
        cpu: Number(stat("User time \\(seconds\\)")) + Number(stat("System time \\(seconds\\)")),
        rssMiB: Math.round(Number(stat("Maximum resident set size \\(kbytes\\)")) / 1024),
        exit: Number(stat("Exit status")),
    };
}

function sizeOf(paths: string[]): number {
    let total = 0;
    for (const p of paths) {
        const st = fs.statSync(p);
        total += st.isDirectory()
            ? fs.readdirSync(p).reduce((n, f) => n + fs.statSync(path.join(p, f)).size, 0)
            : st.size;
    }
    return total;
}

function measure(name: string, args: string[], inputs: string[], stdinFile?: string): Measurement {
    const report = path.join(DIR, `${name}.report.json`);
    fs.rmSync(report, { force: true });
    const loadBefore = loadavg();
    const r = spawnSync(
        "/usr/bin/time",
        ["-v", process.execPath, CLI, "scan", ...args, "--format", "json", "--output", report],
        {
            cwd: ROOT,
            encoding: "utf8",
            maxBuffer: 1 << 30,
            ...(stdinFile && { stdio: [fs.openSync(stdinFile, "r"), "pipe", "pipe"] }),
        },
    );
    const loadAfter = loadavg();
    const stats = timeStats(r.stderr);
    let resources: number | undefined;
    let findings: number | undefined;
    try {
        const summary = (JSON.parse(fs.readFileSync(report, "utf8")) as { summary: Record<string, number> }).summary;
        resources = summary.resources;
        findings = summary.findings;
    } catch {
        // no report: the run failed before writing one
    }
    const message = r.stderr
        .split("\n")
        .filter((l) => l.startsWith("container-guard:"))
        .slice(0, 2)
        .join(" | ");
    return {
        name,
        input: `${(sizeOf(inputs) / MB).toFixed(1)} MB`,
        exitCode: stats.exit,
        wallSeconds: stats.wall,
        cpuSeconds: stats.cpu,
        peakRssMiB: stats.rssMiB,
        ...(resources !== undefined && { resources }),
        ...(findings !== undefined && { findings }),
        message,
        loadBefore,
        loadAfter,
    };
}

/** `trivy config` of the same input, when a trivy binary is on PATH (it is never built or downloaded here). */
function measureTrivy(input: string): string | undefined {
    const which = spawnSync("sh", ["-c", "command -v trivy"], { encoding: "utf8" });
    if (which.status !== 0) {
        return undefined;
    }
    const loadBefore = loadavg();
    const r = spawnSync(
        "/usr/bin/time",
        ["-v", "trivy", "config", "--skip-check-update", "--quiet", "--format", "json", input],
        { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 30 },
    );
    const t = timeStats(r.stderr);
    return (
        `trivy config             exit ${t.exit}  ${t.wall.toFixed(1)} s wall, ${t.cpu.toFixed(1)} s CPU, ` +
        `${t.rssMiB} MiB peak RSS (load ${loadBefore} → ${loadavg()})`
    );
}

/** The targets of issues 11 and 14. */
const TARGETS: Record<string, { wallSeconds: number; peakRssMiB: number }> = {
    "platform-files": { wallSeconds: 10, peakRssMiB: 500 },
    "deployments-5000": { wallSeconds: 3, peakRssMiB: 250 },
};

function main(): void {
    if (!fs.existsSync(CLI)) {
        throw new Error("run `npm run build` first");
    }
    const all = process.argv.includes("--all");
    const targets = process.argv.includes("--targets");
    const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;
    prepare();
    const platform = path.join(DIR, "platform");
    const oneFile = path.join(DIR, "platform-one-file.yaml");
    const small = path.join(DIR, "small-documents.yaml");
    const small10 = path.join(DIR, "small-10mb.yaml");
    const deep = path.join(DIR, "deep.json");
    const deployments = path.join(DIR, "deployments");
    const runs: [string, () => Measurement][] = [
        ["platform-files", () => measure("platform-files", [platform], [platform])],
        ["platform-one-file", () => measure("platform-one-file", [oneFile, "--max-file-size", "64MiB"], [oneFile])],
        ["small-10mb", () => measure("small-10mb", [small10], [small10])],
        ["small-documents", () => measure("small-documents", [small], [small])],
        ["small-documents-stdin", () => measure("small-documents-stdin", ["-"], [small], small)],
        ["deep-json", () => measure("deep-json", [deep], [deep])],
        ["deployments-5000", () => measure("deployments-5000", [deployments], [deployments])],
    ];
    if (all) {
        runs.push([
            "small-documents-raised",
            () =>
                measure(
                    "small-documents-raised",
                    [small, "--max-file-size", "100MiB", "--max-total-size", "100MiB"],
                    [small],
                ),
        ]);
    }
    const results: Measurement[] = [];
    for (const [name, run] of runs) {
        if ((only !== undefined && name !== only) || (targets && !(name in TARGETS))) {
            continue;
        }
        const m = run();
        results.push(m);
        process.stdout.write(
            `${m.name.padEnd(24)} ${m.input.padStart(8)}  exit ${m.exitCode}  ${m.wallSeconds.toFixed(1)} s wall, ` +
                `${m.cpuSeconds.toFixed(1)} s CPU, ${m.peakRssMiB} MiB peak RSS` +
                (m.resources !== undefined ? `, ${m.resources} resources, ${m.findings} findings` : "") +
                (m.message ? `\n${" ".repeat(26)}${m.message.slice(0, 300)}` : "") +
                `\n${" ".repeat(26)}load ${m.loadBefore} → ${m.loadAfter}` +
                (TARGETS[m.name]
                    ? `\n${" ".repeat(26)}target ≤ ${TARGETS[m.name].wallSeconds} s and ≤ ` +
                      `${TARGETS[m.name].peakRssMiB} MB: ` +
                      (m.wallSeconds <= TARGETS[m.name].wallSeconds &&
                      m.peakRssMiB * 1.048576 <= TARGETS[m.name].peakRssMiB
                          ? "met"
                          : "not met")
                    : "") +
                "\n",
        );
    }
    if (targets) {
        const trivy = measureTrivy(deployments);
        process.stdout.write(trivy ? `${trivy}\n` : "trivy: not on PATH, no side-by-side\n");
    }
    fs.writeFileSync(path.join(DIR, "results.json"), JSON.stringify(results, null, 2) + "\n");
}

if (require.main === module) {
    main();
}
