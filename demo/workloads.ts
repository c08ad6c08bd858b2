// The demo's example: Kubernetes resources as a Pulumi program declares them (the arguments are
// checked against the Kubernetes provider SDK's own types), in an insecure and a hardened variant.
// `UNKNOWN` stands for a value a program computes from another resource's output, e.g. an image
// built in the same program: the engine cannot know it during preview.

import type * as docker from "@pulumi/docker";
import type * as dockerBuild from "@pulumi/docker-build";
import type * as k8s from "@pulumi/kubernetes";
import { unknown as UNKNOWN } from "../src/engine/protocol";

export interface DemoResource {
    readonly set: "insecure" | "hardened";
    readonly type: string;
    readonly name: string;
    readonly props: object;
}

const digest = "sha256:4bd5c0d4e7a0f6b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5";

// Bounded: memory, CPU and scratch space (resource-limits).
const resources = { requests: { cpu: "250m" }, limits: { memory: "256Mi", "ephemeral-storage": "1Gi" } };

const hardenedContainer = (name: string, image: string): k8s.types.input.core.v1.Container => ({
    name,
    image,
    resources,
    securityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
    },
    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
});

const hardenedPod = (containers: k8s.types.input.core.v1.Container[]): k8s.types.input.core.v1.PodSpec => ({
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
    containers,
    volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
});

const legacyApi: k8s.apps.v1.DeploymentArgs = {
    metadata: { name: "legacy-api", namespace: "shop" },
    spec: {
        selector: { matchLabels: { app: "legacy-api" } },
        template: {
            metadata: {
                labels: { app: "legacy-api" },
                annotations: { "container.apparmor.security.beta.kubernetes.io/api": "unconfined" },
            },
            spec: {
                hostNetwork: true,
                initContainers: [{ name: "migrate", image: "shop/migrate:latest", securityContext: { runAsUser: 0 } }],
                containers: [
                    {
                        name: "api",
                        image: "shop/api",
                        securityContext: { privileged: true, capabilities: { add: ["SYS_ADMIN", "net_admin"] } },
                        ports: [{ containerPort: 8080, hostPort: 8080 }],
                        env: [{ name: "DB_PASSWORD", value: "correct-horse-battery-staple" }],
                        volumeMounts: [{ name: "docker", mountPath: "/var/run/docker.sock" }],
                    },
                ],
                volumes: [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }],
            },
        },
    },
};

const logShipper: k8s.apps.v1.DaemonSetArgs = {
    metadata: { name: "log-shipper", namespace: "ops" },
    spec: {
        selector: { matchLabels: { app: "log-shipper" } },
        template: {
            metadata: { labels: { app: "log-shipper" } },
            spec: {
                hostPID: true,
                securityContext: {
                    seccompProfile: { type: "Unconfined" },
                    sysctls: [{ name: "kernel.msgmax", value: "65536" }],
                },
                containers: [
                    { name: "shipper", image: "fluent/fluent-bit:3.1", securityContext: { procMount: "Unmasked" } },
                ],
            },
        },
    },
};

const nightlyReport: k8s.batch.v1.CronJobArgs = {
    metadata: { name: "nightly-report", namespace: "shop" },
    spec: {
        schedule: "0 3 * * *",
        jobTemplate: {
            spec: {
                template: {
                    spec: {
                        restartPolicy: "OnFailure",
                        securityContext: { runAsNonRoot: false },
                        containers: [
                            {
                                name: "report",
                                image: `registry.example.com/shop/report@${digest}`,
                                livenessProbe: { httpGet: { host: "10.0.0.12", port: 8080, path: "/healthz" } },
                            },
                        ],
                    },
                },
            },
        },
    },
};

/** Built in the same program: its image is unknown during preview, its privileged flag is not. */
const freshBuild: k8s.apps.v1.DeploymentArgs = {
    metadata: { name: "fresh-build", namespace: "shop" },
    spec: {
        selector: { matchLabels: { app: "fresh-build" } },
        template: {
            metadata: { labels: { app: "fresh-build" } },
            spec: {
                containers: [
                    { name: "app", image: UNKNOWN, securityContext: { privileged: true, capabilities: UNKNOWN } },
                ],
            },
        },
    },
};

const storefront: k8s.apps.v1.DeploymentArgs = {
    metadata: { name: "storefront", namespace: "shop" },
    spec: {
        selector: { matchLabels: { app: "storefront" } },
        template: {
            metadata: { labels: { app: "storefront" } },
            spec: hardenedPod([hardenedContainer("web", `registry.example.com/shop/storefront:2.3.1@${digest}`)]),
        },
    },
};

const orders: k8s.apps.v1.StatefulSetArgs = {
    metadata: { name: "orders", namespace: "shop" },
    spec: {
        serviceName: "orders",
        selector: { matchLabels: { app: "orders" } },
        template: {
            metadata: { labels: { app: "orders" } },
            spec: {
                ...hardenedPod([hardenedContainer("orders", `registry.example.com/shop/orders:5.0.0@${digest}`)]),
                initContainers: [
                    hardenedContainer("schema", `registry.example.com/shop/orders-migrate:5.0.0@${digest}`),
                ],
            },
        },
    },
};

const cleanup: k8s.batch.v1.CronJobArgs = {
    metadata: { name: "cleanup", namespace: "shop" },
    spec: {
        schedule: "*/30 * * * *",
        jobTemplate: {
            spec: {
                template: {
                    spec: {
                        ...hardenedPod([
                            hardenedContainer("cleanup", `registry.example.com/shop/cleanup:1.0.4@${digest}`),
                        ]),
                        restartPolicy: "Never",
                    },
                },
            },
        },
    },
};

const windowsAgent: k8s.core.v1.PodArgs = {
    metadata: { name: "windows-agent", namespace: "shop" },
    spec: {
        os: { name: "windows" },
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true },
        containers: [{ name: "agent", image: `registry.example.com/ops/agent:7.1@${digest}`, resources }],
    },
};

/** A Docker container with the runtime's socket mounted: anyone in it controls the host. */
const ciRunner: docker.ContainerArgs = {
    name: "ci-runner",
    image: "gitlab/gitlab-runner:latest",
    privileged: true,
    networkMode: "host",
    volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }],
    envs: ["RUNNER_TOKEN=glrt-2CR8_ka9yfgdE3bZpQ1x"],
};

const apiImage: dockerBuild.ImageArgs = {
    push: true,
    tags: ["registry.example.com/shop/api:latest"],
    buildArgs: { NPM_TOKEN: "npm_x3Q9fj2kLq0aZ8w7v6u5t4s3r2q1p0o9n8m7" },
    dockerfile: { inline: 'FROM node:latest\nARG NPM_TOKEN\nCOPY . /app\nRUN npm ci\nCMD ["node", "/app"]\n' },
    context: { location: "./api" },
};

const worker: docker.ContainerArgs = {
    name: "worker",
    image: `registry.example.com/shop/worker:3.2.0@${digest}`,
    user: "10001:10001",
    readOnly: true,
    capabilities: { drops: ["ALL"] },
    securityOpts: ["no-new-privileges:true"],
};

const workerImage: dockerBuild.ImageArgs = {
    push: true,
    tags: ["registry.example.com/shop/worker:3.2.0"],
    dockerfile: { inline: `FROM node:22.11-alpine@${digest}\nCOPY . /app\nUSER 10001\nCMD ["node", "/app"]\n` },
    context: { location: "./worker" },
};

export const demoResources: readonly DemoResource[] = [
    { set: "insecure", type: "kubernetes:apps/v1:Deployment", name: "legacy-api", props: legacyApi },
    { set: "insecure", type: "kubernetes:apps/v1:DaemonSet", name: "log-shipper", props: logShipper },
    { set: "insecure", type: "kubernetes:batch/v1:CronJob", name: "nightly-report", props: nightlyReport },
    { set: "insecure", type: "kubernetes:apps/v1:Deployment", name: "fresh-build", props: freshBuild },
    { set: "hardened", type: "kubernetes:apps/v1:Deployment", name: "storefront", props: storefront },
    { set: "hardened", type: "kubernetes:apps/v1:StatefulSet", name: "orders", props: orders },
    { set: "hardened", type: "kubernetes:batch/v1:CronJob", name: "cleanup", props: cleanup },
    { set: "hardened", type: "kubernetes:core/v1:Pod", name: "windows-agent", props: windowsAgent },
    { set: "insecure", type: "docker:index/container:Container", name: "ci-runner", props: ciRunner },
    { set: "insecure", type: "docker-build:index:Image", name: "api-image", props: apiImage },
    { set: "hardened", type: "docker:index/container:Container", name: "worker", props: worker },
    { set: "hardened", type: "docker-build:index:Image", name: "worker-image", props: workerImage },
];

/**
 * What the stack declares besides the workloads, for the stack policies: the shop namespace is
 * labelled for Pod Security admission and isolated by a default-deny NetworkPolicy; ops is neither.
 */
export const demoStackExtras: readonly DemoResource[] = [
    {
        set: "hardened",
        type: "kubernetes:core/v1:Namespace",
        name: "shop",
        props: {
            metadata: {
                name: "shop",
                labels: {
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/enforce-version": "v1.37",
                },
            },
        } satisfies k8s.core.v1.NamespaceArgs,
    },
    {
        set: "hardened",
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        name: "shop-default-deny",
        props: {
            metadata: { name: "default-deny", namespace: "shop" },
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        } satisfies k8s.networking.v1.NetworkPolicyArgs,
    },
    {
        set: "insecure",
        type: "kubernetes:core/v1:Namespace",
        name: "ops",
        props: { metadata: { name: "ops" } } satisfies k8s.core.v1.NamespaceArgs,
    },
];
