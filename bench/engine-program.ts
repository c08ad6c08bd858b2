// The TypeScript programs `npm run bench:engine` previews: N Kubernetes workloads of mixed kinds
// (Deployments, StatefulSets, CronJobs, Pods) written out one `new k8s...(...)` per workload, as a
// program author writes them, with init containers, several containers, env (literals, secret and
// ConfigMap references) and security contexts from hardened to privileged, so policies do real work.
// Some images and env values are computed from an output that exists only once a LoadBalancer
// Service has been created, so the engine hands them to the packs as unknown during preview.
// Deterministic: the same size and seed always give the same program.

import { Random } from "./resources";

/** A TypeScript expression the program embeds as is (an Output, a reference), not a literal. */
class Code {
    constructor(readonly text: string) {}
}

const code = (text: string) => new Code(text);

/** Kinds of workload and how common they are. */
export const WORKLOAD_KINDS = [
    { kind: "Deployment", type: "kubernetes:apps/v1:Deployment", weight: 45 },
    { kind: "StatefulSet", type: "kubernetes:apps/v1:StatefulSet", weight: 20 },
    { kind: "CronJob", type: "kubernetes:batch/v1:CronJob", weight: 15 },
    { kind: "Pod", type: "kubernetes:core/v1:Pod", weight: 20 },
] as const;

type Kind = (typeof WORKLOAD_KINDS)[number]["kind"];

/** The resources every program declares besides its workloads (their outputs feed the workloads). */
export const SHARED_RESOURCES = [
    { name: "registry", type: "kubernetes:core/v1:Service" },
    { name: "settings", type: "kubernetes:core/v1:ConfigMap" },
] as const;

/** Share of workloads given one value computed from the registry Service's status. */
const UNKNOWN_SHARE = 0.15;

const APPS = ["web", "api", "worker", "billing", "search", "auth", "cart", "checkout", "catalog", "mailer"];
const NAMESPACES = ["shop", "payments", "search", "platform"];
const REGISTRIES = ["registry.example.com/platform", "ghcr.io/example", "docker.io/library"];

export interface GeneratedProgram {
    /** File name → content: Pulumi.yaml, package.json, index.ts. */
    readonly files: Readonly<Record<string, string>>;
    readonly workloads: number;
    /** Custom resources the program registers: the workloads and SHARED_RESOURCES. */
    readonly resources: number;
    /** Workloads per type token. */
    readonly kinds: Readonly<Record<string, number>>;
    readonly containers: number;
    readonly initContainers: number;
    readonly envVars: number;
    /** Workloads with a value computed from the registry's status (unknown during preview). */
    readonly withUnknownValues: number;
}

/** TypeScript source for a literal value (objects, arrays, strings, numbers, booleans, Code). */
function literal(value: unknown): string {
    if (value instanceof Code) {
        return value.text;
    }
    if (Array.isArray(value)) {
        return `[${value.map(literal).join(", ")}]`;
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value).filter(([, v]) => v !== undefined);
        const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));
        return `{ ${entries.map(([k, v]) => `${key(k)}: ${literal(v)}`).join(", ")} }`;
    }
    return JSON.stringify(value);
}

class ProgramWriter {
    private readonly rnd: Random;
    readonly kinds: Record<string, number> = {};
    containers = 0;
    initContainers = 0;
    envVars = 0;
    withUnknownValues = 0;

    constructor(seed: number) {
        this.rnd = new Random(seed);
    }

    private image(app: string): string {
        return this.rnd.weighted([
            [`${this.rnd.pick(REGISTRIES)}/${app}:1.${this.rnd.int(0, 30)}.${this.rnd.int(0, 9)}`, 6],
            [`${this.rnd.pick(REGISTRIES)}/${app}@sha256:${this.rnd.int(1, 1e9).toString(16).padStart(64, "0")}`, 3],
            [`${app}:latest`, 1],
        ]);
    }

    private securityContext(): object | undefined {
        return this.rnd.weighted<object | undefined>([
            [
                {
                    allowPrivilegeEscalation: false,
                    runAsNonRoot: true,
                    runAsUser: 10001,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                    seccompProfile: { type: "RuntimeDefault" },
                },
                5,
            ],
            [{ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } }, 2],
            [{ runAsUser: 0, capabilities: { add: ["NET_ADMIN"] } }, 1],
            [{ privileged: true }, 0.5],
            [undefined, 1.5],
        ]);
    }

    private env(count: number): object[] {
        this.envVars += count;
        return Array.from({ length: count }, (_, i) =>
            this.rnd.weighted<object>([
                [{ name: `SETTING_${i}`, value: this.rnd.pick(["1", "true", "info", "eu-west-1"]) }, 5],
                [{ name: `DB_PASSWORD_${i}`, valueFrom: { secretKeyRef: { name: "db", key: "password" } } }, 2],
                [
                    {
                        name: `LOG_LEVEL_${i}`,
                        valueFrom: { configMapKeyRef: { name: code("settingsName"), key: "LOG_LEVEL" } },
                    },
                    2,
                ],
                [{ name: `POD_NAME_${i}`, valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }, 1],
                [{ name: `API_TOKEN_${i}`, value: "ghp_" + "x".repeat(36) }, 0.2],
            ]),
        );
    }

    private container(name: string, app: string, init: boolean): Record<string, unknown> {
        if (init) {
            this.initContainers++;
        } else {
            this.containers++;
        }
        return {
            name,
            image: this.image(app),
            imagePullPolicy: "IfNotPresent",
            env: this.env(this.rnd.int(init ? 1 : 2, init ? 3 : 8)),
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
            volumeMounts: [
                { name: "config", mountPath: "/etc/app", readOnly: true },
                { name: "tmp", mountPath: "/tmp" },
            ],
            ...(!init && {
                ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
                readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 10 },
                livenessProbe: { httpGet: { path: "/health", port: "http" }, initialDelaySeconds: 10 },
            }),
            securityContext: this.securityContext(),
        };
    }

    private podSpec(app: string, kind: Kind): Record<string, unknown> {
        const containers = Array.from(
            {
                length: this.rnd.weighted([
                    [1, 5],
                    [2, 3],
                    [3, 2],
                ] as const),
            },
            (_, i) => this.container(i === 0 ? app : `sidecar-${i}`, app, false),
        );
        const initContainers = Array.from(
            {
                length: this.rnd.weighted([
                    [0, 5],
                    [1, 3],
                    [2, 2],
                ] as const),
            },
            (_, i) => this.container(`init-${i}`, app, true),
        );
        const spec: Record<string, unknown> = {
            serviceAccountName: app,
            automountServiceAccountToken: this.rnd.chance(0.5) ? false : undefined,
            initContainers: initContainers.length > 0 ? initContainers : undefined,
            containers,
            volumes: [
                { name: "config", configMap: { name: code("settingsName") } },
                { name: "tmp", emptyDir: {} },
                ...(this.rnd.chance(0.03) ? [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }] : []),
            ],
            restartPolicy: kind === "CronJob" ? "OnFailure" : undefined,
            securityContext: this.rnd.chance(0.6)
                ? { runAsNonRoot: true, fsGroup: 2000, seccompProfile: { type: "RuntimeDefault" } }
                : undefined,
            hostNetwork: this.rnd.chance(0.02) ? true : undefined,
        };
        if (this.rnd.chance(UNKNOWN_SHARE)) {
            this.withUnknownValues++;
            const all = [...initContainers, ...containers];
            const target = all[this.rnd.int(0, all.length - 1)];
            if (this.rnd.chance(0.5)) {
                // An image pushed to the program's own registry.
                target.image = code(`pulumi.interpolate\`\${registryHost}:5000/shop/${app}:1.4.2\``);
            } else {
                (target.env as object[]).unshift({
                    name: "REGISTRY_URL",
                    value: code("pulumi.interpolate`http://${registryHost}:5000`"),
                });
                this.envVars++;
            }
        }
        return spec;
    }

    workload(index: number): string {
        const { kind, type } = this.rnd.weighted(WORKLOAD_KINDS.map((k) => [k, k.weight] as const));
        this.kinds[type] = (this.kinds[type] ?? 0) + 1;
        const app = this.rnd.pick(APPS);
        const name = `${app}-${kind.toLowerCase()}-${index}`;
        const labels = { app, workload: name };
        const metadata = { name, namespace: this.rnd.pick(NAMESPACES), labels };
        const template = { metadata: { labels }, spec: this.podSpec(app, kind) };
        let args: object;
        let ctor: string;
        switch (kind) {
            case "Deployment":
                ctor = "k8s.apps.v1.Deployment";
                args = {
                    metadata,
                    spec: { replicas: this.rnd.int(1, 6), selector: { matchLabels: labels }, template },
                };
                break;
            case "StatefulSet":
                ctor = "k8s.apps.v1.StatefulSet";
                args = {
                    metadata,
                    spec: {
                        serviceName: name,
                        replicas: this.rnd.int(1, 3),
                        selector: { matchLabels: labels },
                        template,
                    },
                };
                break;
            case "CronJob":
                ctor = "k8s.batch.v1.CronJob";
                args = {
                    metadata,
                    spec: {
                        schedule: `*/${this.rnd.int(5, 59)} * * * *`,
                        concurrencyPolicy: "Forbid",
                        jobTemplate: { spec: { backoffLimit: 2, template } },
                    },
                };
                break;
            case "Pod":
                ctor = "k8s.core.v1.Pod";
                args = { metadata, spec: template.spec };
                break;
        }
        return `new ${ctor}(${JSON.stringify(name)}, ${literal(args)});`;
    }
}

const PRELUDE = `// Generated by bench/engine-program.ts for \`npm run bench:engine\`; do not edit.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

// The registry's address exists only once its LoadBalancer Service has been created: during preview
// every value computed from it is unknown.
const registry = new k8s.core.v1.Service("registry", {
    metadata: { name: "registry", namespace: "shop" },
    spec: { type: "LoadBalancer", selector: { app: "registry" }, ports: [{ port: 5000 }] },
});
const registryHost = registry.status.loadBalancer.ingress[0].ip;

const settings = new k8s.core.v1.ConfigMap("settings", {
    metadata: { namespace: "shop" },
    data: { LOG_LEVEL: "info", REGION: "eu-west-1" },
});
const settingsName = settings.metadata.name;
`;

/** The program for `workloads` workloads (a positive integer). */
export function generateProgram(workloads: number, seed = 20260301): GeneratedProgram {
    if (!Number.isInteger(workloads) || workloads < 1) {
        throw new Error(`a program needs a positive whole number of workloads, not ${workloads}`);
    }
    const writer = new ProgramWriter(seed);
    const lines = [PRELUDE];
    for (let i = 0; i < workloads; i++) {
        lines.push(writer.workload(i));
    }
    const project = `cg-bench-engine-${workloads}`;
    return {
        files: {
            "Pulumi.yaml": `name: ${project}\nruntime: nodejs\ndescription: container-guard engine benchmark program\n`,
            "package.json":
                JSON.stringify(
                    {
                        name: project,
                        version: "0.0.0",
                        private: true,
                        dependencies: { "@pulumi/kubernetes": "4.34.2", "@pulumi/pulumi": "3.248.0" },
                    },
                    null,
                    2,
                ) + "\n",
            "index.ts": lines.join("\n") + "\n",
        },
        workloads,
        resources: workloads + SHARED_RESOURCES.length,
        kinds: writer.kinds,
        containers: writer.containers,
        initContainers: writer.initContainers,
        envVars: writer.envVars,
        withUnknownValues: writer.withUnknownValues,
    };
}
