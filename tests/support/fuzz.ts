// Generators for the property tests: Kubernetes-shaped, Docker and build resources with random,
// malformed and partially unknown props (shared by the never-throws and secrets properties).

import fc from "fast-check";
import { type TestResource, UNKNOWN } from "../../testkit";
import { hardenedPodSpec, workloadProps } from "./workloads";

export const KEYS = [
    "containers",
    "initContainers",
    "ephemeralContainers",
    "securityContext",
    "privileged",
    "capabilities",
    "add",
    "drop",
    "ports",
    "hostPort",
    "volumes",
    "hostPath",
    "name",
    "image",
    "spec",
    "template",
    "metadata",
    "annotations",
    "sysctls",
    "seccompProfile",
    "type",
    "appArmorProfile",
    "seLinuxOptions",
    "user",
    "role",
    "os",
    "hostUsers",
    "runAsNonRoot",
    "runAsUser",
    "procMount",
    "windowsOptions",
    "hostProcess",
    "livenessProbe",
    "readinessProbe",
    "httpGet",
    "tcpSocket",
    "host",
    "lifecycle",
    "preStop",
    "jobTemplate",
    "items",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "allowPrivilegeEscalation",
    "configMap",
    "nfs",
    "container.apparmor.security.beta.kubernetes.io/a",
    "seccomp.security.alpha.kubernetes.io/pod",
    "namespace",
    "__proto__",
    "constructor",
    "length",
    "env",
    "value",
    "valueFrom",
    "volumeMounts",
    "readOnly",
    "readOnlyRootFilesystem",
    "automountServiceAccountToken",
    "secret",
    "projected",
    "sources",
    "serviceAccountToken",
    "csi",
    "driver",
    "data",
    "binaryData",
    "DB_PASSWORD",
    "app.yaml",
    "externalIPs",
    "flexVolume",
    "localhostProfile",
    "path",
];
export const STRINGS = [
    "",
    "ALL",
    "all",
    "SYS_ADMIN",
    "NET_BIND_SERVICE",
    "Unconfined",
    "RuntimeDefault",
    "Localhost",
    "Default",
    "Unmasked",
    "windows",
    "unconfined",
    "runtime/default",
    "localhost/x",
    "spc_t",
    "kernel.msgmax",
    "a",
    UNKNOWN,
    "hunter2",
    "AKIAQ3EGRTWXY7ZPLM4K",
    "password: x\ntoken: y",
    "$(X)",
    "/run/secrets/x",
    "secrets-store.csi.k8s.io",
    "cGFzc3dvcmQ6IHg=",
    "kubernetes.io/service-account-token",
    "203.0.113.7",
    "2001:db8::1",
    "/var/log",
];

export const leaf = fc.oneof(
    fc.constantFrom(...STRINGS),
    fc.string({ maxLength: 8 }),
    fc.integer({ min: -2, max: 70000 }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(UNKNOWN),
);

/** Random JSON-like values: the given leaves in arrays and objects with the given keys. */
export function valuesOf(
    leaves: fc.Arbitrary<unknown>,
    keys: readonly string[],
    maxKeys: number,
): fc.Arbitrary<unknown> {
    return fc.letrec<{ v: unknown }>((tie) => ({
        v: fc.oneof(
            { depthSize: "small", withCrossShrink: true },
            leaves,
            fc.array(tie("v"), { maxLength: 4 }),
            fc.dictionary(fc.constantFrom(...keys), tie("v"), { maxKeys }),
        ),
    })).v;
}

export const value = valuesOf(leaf, KEYS, 6);

/**
 * Pod specs whose containers (name, image, securityContext, env) and pod fields are `value` or near-valid shapes of
 * it: for comparing two ways of running the policies on the same fuzzed workloads.
 */
export function fuzzedPodSpec(
    value: fc.Arbitrary<unknown>,
    env: fc.Arbitrary<unknown> = value,
): fc.Arbitrary<Record<string, unknown>> {
    const container = fc.record({
        name: fc.oneof(fc.constant("app"), value),
        image: fc.oneof(fc.constantFrom("nginx", "registry.example.com/a:1", UNKNOWN), value),
        securityContext: fc.oneof(
            value,
            fc.record({ privileged: value, runAsNonRoot: value, capabilities: value }, { requiredKeys: [] }),
        ),
        env,
    });
    return fc.record(
        { containers: fc.oneof(fc.array(container, { maxLength: 3 }), value), hostNetwork: value, volumes: value },
        { requiredKeys: [] },
    );
}

export const TYPES = [
    "kubernetes:core/v1:Pod",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:batch/v1:CronJob",
    "kubernetes:core/v1:PodTemplate",
    "kubernetes:apps/v1:DaemonSetPatch",
    "kubernetes:apps/v1:StatefulSetList",
    "kubernetes:argoproj.io/v1alpha1:Rollout",
    "kubernetes:core/v1:ConfigMap",
    "kubernetes:core/v1:Secret",
    "kubernetes:core/v1:ServiceList",
];

/** A resource whose pod spec starts compliant and then has random parts replaced by random values. */
export const resource: fc.Arbitrary<TestResource> = fc
    .record({
        type: fc.constantFrom(...TYPES),
        podSpec: fc.oneof(
            value,
            fc
                .dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 8 })
                .map((extra) => ({ ...hardenedPodSpec(), ...extra })),
        ),
        containers: fc.array(fc.oneof(value, fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 6 })), {
            maxLength: 3,
        }),
        annotations: fc.oneof(value, fc.dictionary(fc.constantFrom(...KEYS), value)),
        wholeProps: fc.option(value, { freq: 8 }),
    })
    .map(({ type, podSpec, containers, annotations, wholeProps }) => {
        if (wholeProps !== null && typeof wholeProps === "object" && !Array.isArray(wholeProps)) {
            return { type, props: wholeProps as Record<string, unknown> };
        }
        const spec =
            podSpec && typeof podSpec === "object" && !Array.isArray(podSpec) ? { ...podSpec, containers } : podSpec;
        return { type, props: workloadProps(type, spec as Record<string, unknown>, { annotations }) };
    });

// Docker providers' resources that name images, with image-like strings among random values, run
// with every image rule active (an allow-list and scanner reports configured).
export const IMAGE_KEYS = [
    "image",
    "name",
    "imageName",
    "tags",
    "sources",
    "tag",
    "push",
    "skipPush",
    "build",
    "taskSpec",
    "containerSpec",
    "exports",
    "registry",
    "context",
    "envs",
    "env",
    "readOnly",
    "data",
    "dataRaw",
    "API_TOKEN",
];
export const IMAGE_STRINGS = [
    "nginx",
    "nginx:latest",
    "nginx:1.27.3",
    "localhost:5000/app",
    "[::1]:5000/app:v1",
    "Nginx",
    "a..b",
    "nginx@sha256:abc",
    "sha256:abc",
    "sha256:" + "4e".repeat(32),
    "ghcr.io/acme/web:1.4.2",
    "redis:7.2",
    "x".repeat(300),
    "",
    UNKNOWN,
    "DB_PASSWORD=hunter2",
    "AKIAQ3EGRTWXY7ZPLM4K",
    "cGFzc3dvcmQ6IHg=",
    "kubernetes.io/service-account-token",
    "203.0.113.7",
    "2001:db8::1",
    "/var/log",
];
export const imageLeaf = fc.oneof(fc.constantFrom(...IMAGE_STRINGS), leaf);
export const imageValue = valuesOf(imageLeaf, IMAGE_KEYS, 5);
export const DOCKER_TYPES = [
    "docker:index/container:Container",
    "docker:index/service:Service",
    "docker:index/remoteImage:RemoteImage",
    "docker:index/registryImage:RegistryImage",
    "docker:index/image:Image",
    "docker-build:index:Image",
    "docker-build:index:Index",
    "docker:index/serviceConfig:ServiceConfig",
];
export const dockerResource: fc.Arbitrary<TestResource> = fc.record({
    type: fc.constantFrom(...DOCKER_TYPES),
    name: fc.constantFrom("app", "web"),
    props: fc.dictionary(fc.constantFrom(...IMAGE_KEYS), imageValue, { maxKeys: 6 }),
});

// Docker runtime settings (Container, swarm Service) and build resources with random Dockerfiles,
// build arguments, targets and named contexts, for the Docker runtime and Dockerfile rules.
export const RUNTIME_KEYS = [
    "privileged",
    "capabilities",
    "adds",
    "drops",
    "capAdds",
    "capDrops",
    "user",
    "networkMode",
    "pidMode",
    "ipcMode",
    "usernsMode",
    "cgroupnsMode",
    "networksAdvanced",
    "networksAdvanceds",
    "name",
    "volumes",
    "hostPath",
    "mounts",
    "type",
    "source",
    "volumeOptions",
    "driverOptions",
    "device",
    "o",
    "devices",
    "deviceCgroupRules",
    "securityOpts",
    "privileges",
    "seLinuxContext",
    "disable",
    "taskSpec",
    "containerSpec",
    "dockerfile",
    "inline",
    "location",
    "context",
    "named",
    "buildArgs",
    "args",
    "build",
    "target",
    "remoteContext",
    "NPM_TOKEN",
];
export const RUNTIME_STRINGS = [
    "host",
    "bind",
    "npipe",
    "volume",
    "/var/run/docker.sock",
    "/run/",
    "/",
    "/etc/../var/run",
    "\\\\.\\pipe\\docker_engine",
    "seccomp=unconfined",
    "seccomp:unconfined",
    "label=disable",
    "no-new-privileges",
    "no-new-privileges=false",
    "root",
    "0:0",
    "10001",
    "CAP_SYS_ADMIN",
    "all",
    "spc_t",
    "docker-image://alpine:latest",
    "docker-image://",
    "https://github.com/acme/app.git",
    "./app",
    "Dockerfile",
    "c *:* rmw",
];
export const DOCKERFILE_PARTS = [
    "FROM alpine",
    "FROM alpine:latest AS b",
    "FROM b",
    "FROM scratch",
    "FROM ${BASE}",
    "FROM $TARGETARCH",
    "ARG BASE=node",
    "ARG NPM_TOKEN",
    "ENV PASSWORD=x",
    "ENV A b c",
    "USER root",
    "USER $U",
    "USER ${U:-0}",
    "COPY --from=nginx /a /b",
    "COPY --from=0 /a /b",
    "RUN --mount=from=x,target=/y true",
    "RUN <<EOF",
    "COPY <<EOF /x",
    "EOF",
    "password: x",
    "# escape=`",
    "\\",
    "`",
    "",
    "${",
    '"',
    "'",
];
export const dockerfileText = fc
    .array(fc.oneof(fc.constantFrom(...DOCKERFILE_PARTS), fc.string({ maxLength: 6 })), { maxLength: 12 })
    .map((lines) => lines.join("\n"));
export const runtimeLeaf = fc.oneof(fc.constantFrom(...RUNTIME_STRINGS), dockerfileText, leaf);
export const runtimeValue = valuesOf(runtimeLeaf, RUNTIME_KEYS, 5);
export const RUNTIME_TYPES = [
    "docker:index/container:Container",
    "docker:index/service:Service",
    "docker:index/image:Image",
    "docker:index/remoteImage:RemoteImage",
    "docker-build:index:Image",
];
export const runtimeResource: fc.Arbitrary<TestResource> = fc.oneof(
    fc.record({
        type: fc.constantFrom(...RUNTIME_TYPES),
        name: fc.constantFrom("app", "web"),
        props: fc.dictionary(fc.constantFrom(...RUNTIME_KEYS), runtimeValue, { maxKeys: 8 }),
    }),
    fc
        .record({
            inline: fc.oneof(dockerfileText, runtimeLeaf),
            buildArgs: runtimeValue,
            target: runtimeLeaf,
            named: runtimeValue,
        })
        .map(({ inline, buildArgs, target, named }) => ({
            type: "docker-build:index:Image",
            name: "app",
            props: { push: false, dockerfile: { inline }, buildArgs, target, context: { location: ".", named } },
        })),
);
