// Measures `container-guard scan` on generated manifests: `npm run build`, then
// `node -r ts-node/register/transpile-only scripts/bench-scan.ts [count]` (default 5000). Writes the
// manifests to .bench/manifests (rendered-Helm style, 100 objects per file) and prints wall-clock and
// CPU time of the built command line.

import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

/** One rendered object; every seventh workload is privileged, every namespace lacks a NetworkPolicy but the first. */
export function manifest(n: number): string {
    const ns = `team-${n % 20}`;
    const header = `---\n# Source: shop/templates/object-${n}.yaml\n`;
    switch (n % 5) {
        case 0:
            return (
                `${header}apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${n}\n  namespace: ${ns}\nspec:\n ` +
                ` selector: {app: app-${n}}\n  ports: [{port: 80, targetPort: 8080}]\n`
            );
        case 1:
            return (
                `${header}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg-${n}\n  namespace: ` +
                `${ns}\ndata:\n  MODE: production\n  LOG_LEVEL: info\n`
            );
        case 2:
            return (
                `${header}apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: job-${n}\n  namespace: ` +
                `${ns}\nspec:\n  schedule: "*/5 * * * *"\n  jobTemplate:\n    spec:\n      template:\n` +
                `        spec:\n          restartPolicy: OnFailure\n          containers:\n            - name: job\n ` +
                `             image: registry.example.com/jobs/report:1.${n}\n` +
                `              securityContext: {allowPrivilegeEscalation: false, runAsNonRoot: true}\n`
            );
        default:
            return (
                `${header}apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${n}\n  namespace: ${ns}\n  ` +
                `labels: {app: app-${n}}\nspec:\n  replicas: 2\n` +
                `  selector: {matchLabels: {app: app-${n}}}\n  template:\n    metadata:\n      labels: {app: ` +
                `app-${n}}\n    spec:\n` +
                `      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n      ` +
                `containers:\n        - name: app\n` +
                `          image: registry.example.com/shop/app:2.${n}\n          ports: [{containerPort: 8080}]\n` +
                `          env: [{name: MODE, value: production}]\n` +
                `          securityContext:\n            privileged: ${n % 7 === 0}\n            ` +
                `allowPrivilegeEscalation: false\n            capabilities: {drop: [ALL]}\n`
            );
    }
}

/** Writes `count` objects into `dir` (100 per file); returns the number of files. */
export function writeManifests(dir: string, count: number): number {
    fs.mkdirSync(dir, { recursive: true });
    let files = 0;
    for (let start = 0; start < count; start += 100) {
        const docs: string[] = [];
        for (let n = start; n < Math.min(count, start + 100); n++) {
            docs.push(manifest(n));
        }
        fs.writeFileSync(path.join(dir, `rendered-${String(files).padStart(4, "0")}.yaml`), docs.join(""));
        files++;
    }
    return files;
}

if (require.main === module) {
    const count = Number(process.argv[2] ?? 5000);
    const dir = path.join(ROOT, ".bench", "manifests");
    fs.rmSync(dir, { recursive: true, force: true });
    const files = writeManifests(dir, count);
    // The built command line, in this process, so its CPU time can be measured too.
    const wallStart = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cli = require(path.join(ROOT, "dist/cli/main.js")) as typeof import("../cli/main");
    let report = "";
    const io = {
        stdout: { write: (s: string) => (report += s) },
        stderr: { write: (s: string) => process.stderr.write(s) },
        readStdin: () => Promise.resolve(""),
        cwd: ROOT,
        env: {},
    };
    void cli.run(["scan", dir, "--format", "json"], io).then((code) => {
        const wall = Number(process.hrtime.bigint() - wallStart) / 1e9;
        const cpu = process.cpuUsage(cpuStart);
        const { summary } = JSON.parse(report) as {
            summary: { resources: number; findings: number; mandatory: number };
        };
        process.stdout.write(
            `${count} objects in ${files} files: exit ${code}; ${wall.toFixed(2)} s wall clock, ` +
                `${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU ` +
                `(loading the policies included); ${summary.resources} resources judged, ${summary.findings} ` +
                `findings (${summary.mandatory} mandatory)\n`,
        );
    });
}
