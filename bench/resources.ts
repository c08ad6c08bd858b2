// The resources the benchmark sends: a deterministic (seeded) mix shaped like a real organization's
// stacks. Every pod-bearing kind (with patches, lists and a custom resource), Docker containers,
// services and images, and the resources policies must skip quickly (ConfigMaps, Services,
// NetworkPolicies, Namespaces, ...). About one resource in ten has values unknown during preview.
// Shapes are declared with the provider SDKs' own argument types.

import type * as k8s from "@pulumi/kubernetes";
import type * as docker from "@pulumi/docker";
import type * as dockerBuild from "@pulumi/docker-build";
import { type EngineResource } from "../src/engine/local-engine";
import { UNKNOWN, secret, unknown } from "../src/engine/protocol";

type Obj = Record<string, unknown>;
type Container = k8s.types.input.core.v1.Container;
type PodSpec = k8s.types.input.core.v1.PodSpec;
type ObjectMeta = k8s.types.input.meta.v1.ObjectMeta;

/** A small, fast, seedable PRNG (mulberry32): the same seed always yields the same resources. */
export class Random {
    private state: number;

    constructor(seed: number) {
        this.state = seed >>> 0;
    }

    next(): number {
        let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }

    chance(p: number): boolean {
        return this.next() < p;
    }

    int(min: number, max: number): number {
        return min + Math.floor(this.next() * (max - min + 1));
    }

    pick<T>(items: readonly T[]): T {
        return items[Math.floor(this.next() * items.length)];
    }

    weighted<T>(table: readonly (readonly [T, number])[]): T {
        const total = table.reduce((s, [, w]) => s + w, 0);
        let r = this.next() * total;
        for (const [item, w] of table) {
            r -= w;
            if (r < 0) {
                return item;
            }
        }
        return table[table.length - 1][0];
    }
}

const APPS = [
    "web",
    "api",
    "worker",
    "billing",
    "search",
    "auth",
    "cart",
    "checkout",
    "catalog",
    "mailer",
    "gateway",
    "metrics",
    "ledger",
    "reports",
    "notify",
];
const REGISTRIES = [
    "registry.example.com/platform",
    "ghcr.io/example",
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
    "docker.io/library",
];
const BASE_IMAGES = ["nginx", "redis", "postgres", "node", "python", "busybox", "envoyproxy/envoy"];

/** Where a kind keeps its pod template (the resources are written independently of the pack's table). */
const TEMPLATE_PATH: Record<string, readonly string[]> = {
    Pod: [],
    PodTemplate: ["template"],
    CronJob: ["spec", "jobTemplate", "spec", "template"],
};

/** Every pod-bearing type the benchmark sends, with how common it is. */
const WORKLOAD_TYPES: readonly (readonly [string, number])[] = [
    ["kubernetes:apps/v1:Deployment", 30],
    ["kubernetes:apps/v1:StatefulSet", 7],
    ["kubernetes:apps/v1:DaemonSet", 4],
    ["kubernetes:apps/v1:ReplicaSet", 2],
    ["kubernetes:batch/v1:Job", 5],
    ["kubernetes:batch/v1:CronJob", 5],
    ["kubernetes:core/v1:Pod", 4],
    ["kubernetes:core/v1:PodTemplate", 1],
    ["kubernetes:core/v1:ReplicationController", 1],
    ["kubernetes:apps/v1:DeploymentPatch", 3],
    ["kubernetes:apps/v1:StatefulSetPatch", 1],
    ["kubernetes:apps/v1:DeploymentList", 1],
    ["kubernetes:batch/v1:JobList", 1],
    ["kubernetes:apps/v1beta1:Deployment", 1],
    ["kubernetes:argoproj.io/v1alpha1:Rollout", 2],
];

/** The whole mix: kind of resource and weight (sums to 100). */
const MIX: readonly (readonly [Kind, number])[] = [
    ["workload", 50],
    ["configMap", 10],
    ["service", 9],
    ["networkPolicy", 5],
    ["namespace", 2],
    ["secret", 2],
    ["serviceAccount", 2],
    ["ingress", 2],
    ["dockerContainer", 6],
    ["dockerService", 3],
    ["dockerImage", 3],
    ["remoteImage", 3],
    ["dockerBuildImage", 3],
];

type Kind =
    | "workload"
    | "configMap"
    | "service"
    | "networkPolicy"
    | "namespace"
    | "secret"
    | "serviceAccount"
    | "ingress"
    | "dockerContainer"
    | "dockerService"
    | "dockerImage"
    | "remoteImage"
    | "dockerBuildImage";

/** The share of resources that carry at least one value unknown during preview. */
const UNKNOWN_SHARE = 0.1;

/**
 * Which resources a run sends: `mixed` is the organization-like mix above; `workloads` makes every
 * resource a pod-bearing workload with several containers, init containers, long env lists with
 * secret references, and unknowns in one resource in five — where the pack does the most work.
 */
export type Mix = "mixed" | "workloads";
export const MIXES: readonly Mix[] = ["mixed", "workloads"];

const K8S_PROVIDER = { type: "pulumi:providers:kubernetes", name: "default_4_34_2", props: { version: "4.34.2" } };
const DOCKER_PROVIDER = {
    type: "pulumi:providers:docker",
    name: "default_4_5_0",
    props: { version: "4.5.0", host: "unix:///var/run/docker.sock" },
};

/** Builds resources of one stack: names, namespaces and apps are shared so NetworkPolicies select real workloads. */
class StackGenerator {
    private readonly rnd: Random;
    private readonly namespaces: string[];
    private serial = 0;

    constructor(
        seed: number,
        size: number,
        private readonly outputs: boolean,
        private readonly mix: Mix = "mixed",
    ) {
        this.rnd = new Random(seed);
        const count = Math.max(4, Math.round(size / 200));
        this.namespaces = Array.from(
            { length: count },
            (_, i) => `${APPS[i % APPS.length]}-${Math.floor(i / APPS.length) || "prod"}`,
        );
    }

    resources(count: number): EngineResource[] {
        const out: EngineResource[] = [];
        if (this.mix === "workloads") {
            while (out.length < count) {
                out.push(this.workload(this.rnd.weighted(WORKLOAD_TYPES), this.rnd.pick(this.namespaces)));
            }
            return out;
        }
        // The namespaces and their default-deny policies come first, as a program declares them.
        for (const ns of this.namespaces) {
            if (out.length < count) {
                out.push(this.namespace(ns));
            }
            if (out.length < count && this.rnd.chance(0.8)) {
                out.push(this.networkPolicy(ns, true));
            }
        }
        while (out.length < count) {
            const r = this.one(this.rnd.weighted(MIX));
            // Workloads and Docker resources place their unknowns where programs do (images built
            // in the same program, computed settings); other kinds get one computed value.
            if (!containsUnknown(r.props) && this.rnd.chance(UNKNOWN_SHARE / 2)) {
                this.makeOneValueUnknown(r.props);
            }
            out.push(r);
        }
        return out;
    }

    /** Replaces one string value (not the kind, API version or name) by an unknown. */
    private makeOneValueUnknown(props: Obj): void {
        const slots: [Obj | unknown[], string | number][] = [];
        const visit = (node: unknown) => {
            if (Array.isArray(node)) {
                node.forEach((v, i) => (typeof v === "string" ? slots.push([node, i]) : visit(v)));
            } else if (node !== null && typeof node === "object") {
                for (const [k, v] of Object.entries(node)) {
                    if (typeof v === "string" && !["apiVersion", "kind", "name"].includes(k)) {
                        slots.push([node as Obj, k]);
                    } else {
                        visit(v);
                    }
                }
            }
        };
        visit(props);
        if (slots.length > 0) {
            const [holder, key] = this.rnd.pick(slots);
            (holder as Record<string | number, unknown>)[key] = unknown;
        }
    }

    private one(kind: Kind): EngineResource {
        const ns = this.rnd.pick(this.namespaces);
        switch (kind) {
            case "workload":
                return this.workload(this.rnd.weighted(WORKLOAD_TYPES), ns);
            case "configMap":
                return this.configMap(ns);
            case "service":
                return this.k8s("kubernetes:core/v1:Service", ns, {
                    spec: {
                        selector: { app: this.rnd.pick(APPS) },
                        ports: [{ port: 80, targetPort: 8080, protocol: "TCP" }],
                        type: "ClusterIP",
                    },
                });
            case "networkPolicy":
                return this.networkPolicy(ns, false);
            case "namespace":
                return this.namespace(`${this.rnd.pick(APPS)}-${this.serial}`);
            case "secret":
                return this.k8s("kubernetes:core/v1:Secret", ns, {
                    type: "Opaque",
                    stringData: { username: "app", password: this.unknownOr("s3cr3t-" + this.serial) },
                });
            case "serviceAccount":
                return this.k8s("kubernetes:core/v1:ServiceAccount", ns, {
                    automountServiceAccountToken: this.rnd.chance(0.5),
                });
            case "ingress":
                return this.k8s("kubernetes:networking.k8s.io/v1:Ingress", ns, {
                    spec: {
                        ingressClassName: "nginx",
                        rules: [
                            {
                                host: `${this.rnd.pick(APPS)}.example.com`,
                                http: {
                                    paths: [
                                        {
                                            path: "/",
                                            pathType: "Prefix",
                                            backend: { service: { name: this.rnd.pick(APPS), port: { number: 80 } } },
                                        },
                                    ],
                                },
                            },
                        ],
                    },
                });
            case "dockerContainer":
                return this.dockerContainer();
            case "dockerService":
                return this.dockerService();
            case "dockerImage":
                return this.dockerImage();
            case "remoteImage":
                return this.remoteImage();
            case "dockerBuildImage":
                return this.dockerBuildImage();
        }
    }

    private nextName(base: string): string {
        return `${base}-${++this.serial}`;
    }

    private urnOf(type: string, name: string): string {
        return `urn:pulumi:prod::shop::${type}::${name}`;
    }

    private unknownOr<T>(value: T): T {
        return this.rnd.chance(UNKNOWN_SHARE / 3) ? unknown : value;
    }

    /**
     * A Kubernetes object with `apiVersion`/`kind` (the provider SDK sets them) and, for outputs, server-set fields.
     */
    private k8s(type: string, namespace: string | undefined, body: Obj, app = this.rnd.pick(APPS)): EngineResource {
        const [, module, kind] = type.split(":");
        const name = this.nextName(app);
        const metadata: ObjectMeta = {
            name,
            ...(namespace !== undefined && { namespace }),
            labels: { app, "app.kubernetes.io/part-of": "shop", "app.kubernetes.io/managed-by": "pulumi" },
            annotations: { "example.com/owner": `team-${app}` },
        };
        const props: Obj = {
            apiVersion: module.replace(/^core\//, ""),
            kind: kind.replace(/(Patch|List)$/, ""),
            metadata,
            ...body,
        };
        if (this.outputs) {
            Object.assign(metadata, {
                uid: `0000-${this.serial}`,
                resourceVersion: String(1000 + this.serial),
                generation: 1,
                creationTimestamp: "2026-01-01T00:00:00Z",
            });
        }
        return {
            type,
            name,
            urn: this.urnOf(type, name),
            props,
            provider: K8S_PROVIDER,
            ...(this.outputs && { dependencies: [] }),
        };
    }

    private namespace(name: string): EngineResource {
        const level = this.rnd.weighted([
            ["restricted", 5],
            ["baseline", 3],
            ["privileged", 1],
            [undefined, 1],
        ] as const);
        const r = this.k8s("kubernetes:core/v1:Namespace", undefined, {}, name);
        const meta = r.props.metadata as { name: string; labels: Record<string, string> };
        meta.name = name;
        if (level) {
            meta.labels["pod-security.kubernetes.io/enforce"] = this.unknownOr(level);
            meta.labels["pod-security.kubernetes.io/enforce-version"] = "latest";
        }
        return r;
    }

    private networkPolicy(ns: string, defaultDeny: boolean): EngineResource {
        const app = this.rnd.pick(APPS);
        const spec: k8s.types.input.networking.v1.NetworkPolicySpec = defaultDeny
            ? { podSelector: {}, policyTypes: ["Ingress", "Egress"] }
            : {
                  podSelector: this.rnd.chance(0.1) ? unknown : { matchLabels: { app } },
                  policyTypes: ["Ingress"],
                  ingress: [
                      {
                          from: [
                              { podSelector: { matchLabels: { app: "gateway" } } },
                              { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress" } } },
                          ],
                          ports: [{ port: 8080, protocol: "TCP" }],
                      },
                  ],
              };
        return this.k8s("kubernetes:networking.k8s.io/v1:NetworkPolicy", ns, { spec }, app);
    }

    private configMap(ns: string): EngineResource {
        const data: Record<string, string> = {};
        for (let i = this.rnd.int(2, 12); i > 0; i--) {
            data[
                this.rnd.pick([
                    "LOG_LEVEL",
                    "FEATURE_FLAGS",
                    "DATABASE_HOST",
                    "CACHE_TTL",
                    "API_URL",
                    "REGION",
                    "TIMEOUT",
                    "config.yaml",
                ]) + (i > 6 ? `_${i}` : "")
            ] = this.rnd.chance(0.05)
                ? "postgres://app:hunter2@db.internal:5432/app"
                : this.rnd.pick([
                      "info",
                      "true",
                      "db.internal",
                      "300",
                      "https://api.example.com",
                      "eu-west-1",
                      "server:\n  port: 8080\n  workers: 4\n",
                  ]);
        }
        return this.k8s("kubernetes:core/v1:ConfigMap", ns, { data: this.rnd.chance(0.03) ? unknown : data });
    }

    private image(): string {
        const app = this.rnd.pick(APPS);
        return this.rnd.weighted([
            [`${this.rnd.pick(REGISTRIES)}/${app}:1.${this.rnd.int(0, 30)}.${this.rnd.int(0, 9)}`, 5],
            [`${this.rnd.pick(REGISTRIES)}/${app}@sha256:${(this.serial * 7919).toString(16).padStart(64, "0")}`, 3],
            [`${this.rnd.pick(BASE_IMAGES)}:latest`, 1],
            [this.rnd.pick(BASE_IMAGES), 1],
        ]);
    }

    private securityContext(): k8s.types.input.core.v1.SecurityContext | undefined {
        return this.rnd.weighted<k8s.types.input.core.v1.SecurityContext | undefined>([
            [
                {
                    allowPrivilegeEscalation: false,
                    runAsNonRoot: true,
                    runAsUser: 10001,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                    seccompProfile: { type: "RuntimeDefault" },
                },
                6,
            ],
            [{ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } }, 2],
            [{ runAsUser: 0, capabilities: { add: ["NET_ADMIN", "SYS_TIME"] } }, 1],
            [{ privileged: true, procMount: "Unmasked", seLinuxOptions: { type: "spc_t" } }, 0.5],
            [undefined, 1.5],
        ]);
    }

    private container(name: string, init: boolean): Container {
        const env: k8s.types.input.core.v1.EnvVar[] = [];
        for (let i = this.mix === "workloads" ? this.rnd.int(8, 20) : this.rnd.int(3, 14); i > 0; i--) {
            env.push(
                this.rnd.weighted<k8s.types.input.core.v1.EnvVar>([
                    [
                        {
                            name: `SETTING_${i}`,
                            value: this.rnd.pick(["1", "true", "info", "eu-west-1", "https://api.example.com"]),
                        },
                        6,
                    ],
                    [{ name: `DB_PASSWORD_${i}`, valueFrom: { secretKeyRef: { name: "db", key: "password" } } }, 2],
                    [{ name: `POD_NAME_${i}`, valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }, 1],
                    [{ name: `API_TOKEN_${i}`, value: "ghp_" + "x".repeat(36) }, 0.2],
                    // A value the program passed as a Pulumi secret: judged, never shown.
                    ...(this.mix === "workloads"
                        ? ([[{ name: `SIGNING_KEY_${i}`, value: secret(`key-${this.serial}-${i}`) }, 1]] as const)
                        : []),
                ]),
            );
        }
        const c: Container = {
            name,
            image: this.image(),
            imagePullPolicy: "IfNotPresent",
            env,
            ...(this.mix === "workloads" && { envFrom: [{ secretRef: { name: "app-secrets" } }] }),
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
            volumeMounts: [
                { name: "config", mountPath: "/etc/app", readOnly: true },
                { name: "tmp", mountPath: "/tmp" },
            ],
            ...(!init && {
                ports: [
                    {
                        name: "http",
                        containerPort: 8080,
                        protocol: "TCP",
                        ...(this.rnd.chance(0.03) && { hostPort: 8080 }),
                    },
                ],
                readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 10 },
                livenessProbe: {
                    httpGet: { path: "/health", port: "http", ...(this.rnd.chance(0.02) && { host: "10.0.0.1" }) },
                    initialDelaySeconds: 10,
                },
            }),
        };
        const sc = this.securityContext();
        if (sc) {
            c.securityContext = sc;
        }
        return c;
    }

    private podSpec(): PodSpec {
        const heavy = this.mix === "workloads";
        const containers = Array.from(
            {
                length: heavy
                    ? this.rnd.int(2, 4)
                    : this.rnd.weighted([
                          [1, 6],
                          [2, 3],
                          [3, 1],
                      ] as const),
            },
            (_, i) => this.container(i === 0 ? "app" : `sidecar-${i}`, false),
        );
        const initContainers = heavy
            ? Array.from({ length: this.rnd.int(1, 2) }, (_, i) => this.container(`init-${i}`, true))
            : this.rnd.chance(0.3)
              ? [this.container("migrate", true)]
              : undefined;
        const spec: PodSpec = {
            serviceAccountName: this.rnd.pick(APPS),
            containers,
            ...(initContainers && { initContainers }),
            volumes: [
                { name: "config", configMap: { name: "app-config" } },
                { name: "tmp", emptyDir: {} },
                ...(this.rnd.chance(0.04) ? [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }] : []),
            ],
            nodeSelector: { "kubernetes.io/os": "linux" },
            tolerations: [{ key: "dedicated", operator: "Equal", value: "apps", effect: "NoSchedule" }],
            ...(this.rnd.chance(0.7) && {
                securityContext: { runAsNonRoot: true, fsGroup: 2000, seccompProfile: { type: "RuntimeDefault" } },
            }),
            ...(this.rnd.chance(0.02) && { hostNetwork: true }),
            ...(this.rnd.chance(0.02) && { securityContext: { sysctls: [{ name: "kernel.msgmax", value: "65536" }] } }),
        };
        return spec;
    }

    /** Replaces one or two values by unknowns, as a preview sees values computed from other resources. */
    private withUnknowns(spec: PodSpec): PodSpec {
        const containers = spec.containers as Container[];
        const target = containers[this.rnd.int(0, containers.length - 1)];
        switch (this.rnd.int(0, 4)) {
            case 0:
                target.image = unknown; // an image built in the same program
                break;
            case 1:
                (target.env as k8s.types.input.core.v1.EnvVar[])[0].value = unknown;
                break;
            case 2:
                target.securityContext = unknown;
                break;
            case 3:
                return { ...spec, securityContext: unknown };
            default:
                return { ...spec, containers: unknown };
        }
        return spec;
    }

    private workload(type: string, ns: string): EngineResource {
        const name = type.slice(type.lastIndexOf(":") + 1);
        const kind = name.replace(/(Patch|List)$/, "");
        const app = this.rnd.pick(APPS);
        const unknownShare = this.mix === "workloads" ? 2 * UNKNOWN_SHARE : UNKNOWN_SHARE;
        const spec = this.rnd.chance(unknownShare) ? this.withUnknowns(this.podSpec()) : this.podSpec();
        const template = {
            metadata: {
                labels: { app, version: `v${this.rnd.int(1, 9)}` },
                annotations: { "prometheus.io/scrape": "true" },
            },
            spec,
        };
        const path = TEMPLATE_PATH[kind] ?? ["spec", "template"];
        const controller: Obj = { replicas: this.rnd.int(1, 6), selector: { matchLabels: { app } } };
        if (kind === "CronJob") {
            Object.assign(controller, { schedule: "*/15 * * * *", concurrencyPolicy: "Forbid", selector: undefined });
        }
        let body: Obj;
        if (path.length === 0) {
            body = { spec };
        } else if (path[0] === "template") {
            body = { template };
        } else {
            const nested = path.slice(1).reduceRight<Obj>((inner, key) => ({ [key]: inner }), template);
            body = { spec: { ...controller, ...(kind === "CronJob" ? { jobTemplate: nested.jobTemplate } : nested) } };
        }
        if (this.outputs) {
            body.status = {
                replicas: 2,
                readyReplicas: 2,
                conditions: [{ type: "Available", status: "True", reason: "MinimumReplicasAvailable" }],
            };
        }
        const r = this.k8s(type, ns, body, app);
        if (name.endsWith("List")) {
            const { apiVersion, metadata, ...item } = r.props;
            return {
                ...r,
                props: {
                    apiVersion,
                    kind: `${kind}List`,
                    items: [
                        { apiVersion, metadata: { ...(metadata as Obj), name: `${app}-a` }, ...item },
                        { apiVersion, metadata: { ...(metadata as Obj), name: `${app}-b` }, ...item },
                    ],
                },
            };
        }
        return r;
    }

    /** A Docker resource from its provider SDK arguments (plain values; `unknown` where not yet known). */
    private docker(type: string, args: object): EngineResource {
        const name = this.nextName(this.rnd.pick(APPS));
        const props: Obj = {
            ...args,
            ...(this.outputs && { id: `sha256:${this.serial.toString(16).padStart(12, "0")}` }),
        };
        return { type, name, urn: this.urnOf(type, name), props, provider: DOCKER_PROVIDER };
    }

    private dockerContainer(): EngineResource {
        const insecure = this.rnd.chance(0.15);
        const args: docker.ContainerArgs = {
            name: this.rnd.pick(APPS),
            image: this.unknownOr(this.image()),
            envs: [
                "LOG_LEVEL=info",
                "PORT=8080",
                ...(this.rnd.chance(0.1) ? ["DB_PASSWORD=hunter2"] : []),
                this.unknownOr("REGION=eu-west-1"),
            ],
            ports: [{ internal: 8080, external: this.rnd.int(8000, 9000) }],
            restart: "unless-stopped",
            user: insecure ? "root" : "10001:10001",
            readOnly: !insecure,
            capabilities: insecure ? { adds: ["SYS_ADMIN"] } : { drops: ["ALL"] },
            privileged: insecure && this.rnd.chance(0.5),
            mounts: [{ target: "/data", type: "volume", source: "data" }],
            volumes: insecure ? [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }] : [],
            labels: [{ label: "com.example.team", value: "platform" }],
            healthcheck: { tests: ["CMD", "curl", "-f", "http://localhost:8080/health"], interval: "30s" },
            networkMode: insecure ? "host" : "bridge",
            logDriver: "json-file",
            logOpts: { "max-size": "10m" },
        };
        return this.docker("docker:index/container:Container", args);
    }

    private dockerService(): EngineResource {
        const args: docker.ServiceArgs = {
            name: this.rnd.pick(APPS),
            taskSpec: {
                containerSpec: {
                    image: this.unknownOr(this.image()),
                    env: { LOG_LEVEL: "info", ...(this.rnd.chance(0.1) && { API_KEY: "AKIAABCDEFGHIJKLMNOP" }) },
                    user: this.rnd.chance(0.2) ? "root" : "10001",
                    readOnly: this.rnd.chance(0.6),
                    mounts: [{ target: "/data", type: "volume", source: "data" }],
                    capDrops: ["ALL"],
                    ...(this.rnd.chance(0.1) && { capAdds: ["NET_ADMIN"] }),
                    healthcheck: { tests: ["CMD", "true"], interval: "30s", retries: 3 },
                },
                resources: { limits: { memoryBytes: 536870912, nanoCpus: 1000000000 } },
                restartPolicy: { condition: "on-failure", maxAttempts: 3 },
                placement: { constraints: ["node.role==worker"] },
            },
            mode: { replicated: { replicas: this.rnd.int(1, 5) } },
            endpointSpec: { ports: [{ targetPort: 8080, publishedPort: this.rnd.int(8000, 9000) }] },
        };
        return this.docker("docker:index/service:Service", args);
    }

    private dockerImage(): EngineResource {
        const app = this.rnd.pick(APPS);
        const args: docker.ImageArgs = {
            imageName: this.unknownOr(`${this.rnd.pick(REGISTRIES)}/${app}:1.${this.rnd.int(0, 30)}.0`),
            build: {
                context: `./${app}`,
                dockerfile: `./${app}/Dockerfile`,
                platform: "linux/amd64",
                args: { NODE_ENV: "production", ...(this.rnd.chance(0.1) && { NPM_TOKEN: "npm_" + "y".repeat(36) }) },
            },
            skipPush: this.rnd.chance(0.2),
        };
        return this.docker("docker:index/image:Image", args);
    }

    private remoteImage(): EngineResource {
        const args: docker.RemoteImageArgs = { name: this.image(), keepLocally: true, platform: "linux/amd64" };
        return this.docker("docker:index/remoteImage:RemoteImage", args);
    }

    private dockerBuildImage(): EngineResource {
        const app = this.rnd.pick(APPS);
        const args: dockerBuild.ImageArgs = {
            tags: [this.unknownOr(`${this.rnd.pick(REGISTRIES)}/${app}:1.${this.rnd.int(0, 30)}.0`)],
            push: true,
            context: { location: `./${app}` },
            dockerfile: { location: `./${app}/Dockerfile` },
            platforms: ["linux/amd64", "linux/arm64"] as dockerBuild.types.enums.Platform[],
            buildArgs: { NODE_ENV: "production" },
            cacheFrom: [{ registry: { ref: `${this.rnd.pick(REGISTRIES)}/${app}:cache` } }],
        };
        return this.docker("docker-build:index:Image", args);
    }
}

/** The resources of an Analyze run (inputs, as the engine sends them during preview). */
export function analyzeResources(count: number, seed = 20260101, mix: Mix = "mixed"): EngineResource[] {
    return new StackGenerator(seed, count, false, mix).resources(count);
}

/** The resources of an AnalyzeStack run (outputs, with server-set fields). */
export function stackResources(count: number, seed = 20260102, mix: Mix = "mixed"): EngineResource[] {
    return new StackGenerator(seed, count, true, mix).resources(count);
}

/** Whether a value holds a value unknown during preview anywhere inside it. */
export function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) {
        return true;
    }
    return value !== null && typeof value === "object" && Object.values(value).some(containsUnknown);
}

/** How many resources of each type a list holds (for the report). */
export function typeCounts(resources: readonly EngineResource[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of resources) {
        counts[r.type] = (counts[r.type] ?? 0) + 1;
    }
    return counts;
}
