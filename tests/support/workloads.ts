// Test fixtures: the same pod spec placed where each kind of resource carries it. Written from the
// Kubernetes API reference, independently of the pack's own workload table.

import { type TestResource } from "../../testkit";

type Obj = Record<string, unknown>;

/** Where a kind keeps its pod template, as the Kubernetes API defines it. */
export function templatePathOf(kind: string): string[] {
    switch (kind) {
        case "Pod":
            return [];
        case "PodTemplate":
            return ["template"];
        case "CronJob":
            return ["spec", "jobTemplate", "spec", "template"];
        default:
            return ["spec", "template"];
    }
}

function nest(path: string[], value: Obj): Obj {
    return path.reduceRight<Obj>((inner, key) => ({ [key]: inner }), value);
}

/** Props of a resource of `type` whose pod has `spec` and template `metadata`. */
export function workloadProps(
    type: string,
    spec: Obj,
    templateMetadata: Obj = {},
    metadata: Obj = { name: "web", namespace: "prod" },
): Obj {
    const name = type.slice(type.lastIndexOf(":") + 1);
    const isList = name.endsWith("List");
    const kind = name.replace(/(Patch|List)$/, "");
    const path = templatePathOf(kind);
    const template =
        path.length === 0
            ? { metadata: { ...metadata, ...templateMetadata }, spec }
            : { metadata: templateMetadata, spec };
    const body = path.length === 0 ? template : { metadata, ...nest(path, template) };
    return isList ? { items: [body] } : body;
}

/** The JSON path of the pod spec inside a resource of `type`. */
export function podSpecPathOf(type: string): string {
    const name = type.slice(type.lastIndexOf(":") + 1);
    const kind = name.replace(/(Patch|List)$/, "");
    const prefix = name.endsWith("List") ? "items[0]" : "";
    const parts = [...templatePathOf(kind), "spec"];
    return prefix ? `${prefix}.${parts.join(".")}` : parts.join(".");
}

/** A Deployment resource with the given pod spec. */
export function deployment(spec: Obj, templateMetadata: Obj = {}): TestResource {
    return {
        type: "kubernetes:apps/v1:Deployment",
        name: "web",
        props: workloadProps("kubernetes:apps/v1:Deployment", spec, templateMetadata),
    };
}

/** A Pod resource with the given spec. */
export function pod(spec: Obj, metadata: Obj = {}): TestResource {
    return {
        type: "kubernetes:core/v1:Pod",
        name: "web",
        props: workloadProps("kubernetes:core/v1:Pod", spec, metadata),
    };
}

/** A container that passes every restricted check and every container policy of the pack. */
export function hardenedContainer(name = "app", extra: Obj = {}): Obj {
    return {
        name,
        image: "registry.example.com/team/app:1.4.2@sha256:" + "a".repeat(64),
        securityContext: {
            allowPrivilegeEscalation: false,
            runAsNonRoot: true,
            runAsUser: 10001,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        },
        resources: {
            requests: { cpu: "100m", memory: "64Mi" },
            limits: { memory: "128Mi", "ephemeral-storage": "1Gi" },
        },
        imagePullPolicy: "IfNotPresent",
        ...extra,
    };
}

/** A pod spec that passes every Pod Security Standards check. */
export function hardenedPodSpec(extra: Obj = {}): Obj {
    return {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        containers: [hardenedContainer()],
        ...extra,
    };
}
