// The workload model: every pod spec a resource carries, with JSON paths, and every container in it.
//
// One table maps Kubernetes kinds to where their pod template lives, the same places the
// pod-security admission controller reads. Kinds match by API group and kind across every version
// (apps/v1, apps/v1beta2, extensions/v1beta1, batch/v1beta1, ...), so a version added later is still
// covered. `<Kind>Patch` types carry partial objects (server-side apply), `<Kind>List` types carry
// `items[]`. Custom resources with pod templates are described by the same shape in configuration.

import type * as k8s from "@pulumi/kubernetes";
import { Field } from "../framework/field";
import { type ContainerList, type ContainerLocation } from "../framework/finding";
import { type TypeToken, kubernetesGroupVersion, parseTypeToken } from "../framework/resource";
import { OBJECT_META, POD_SPEC } from "./api-types";

/** Where a kind keeps its pod spec and the pod template's metadata (annotations live there). */
interface PodTemplateLocation {
    readonly podSpecPath: string;
    readonly metadataPath: string;
}

const POD: PodTemplateLocation = { podSpecPath: "spec", metadataPath: "metadata" };
const POD_TEMPLATE: PodTemplateLocation = { podSpecPath: "template.spec", metadataPath: "template.metadata" };
const CONTROLLER: PodTemplateLocation = { podSpecPath: "spec.template.spec", metadataPath: "spec.template.metadata" };
const CRON_JOB: PodTemplateLocation = {
    podSpecPath: "spec.jobTemplate.spec.template.spec",
    metadataPath: "spec.jobTemplate.spec.template.metadata",
};

/** Built-in pod-bearing kinds, keyed by `group/Kind` (any version). */
const BUILT_IN_KINDS: ReadonlyMap<string, PodTemplateLocation> = new Map([
    ["core/Pod", POD],
    ["core/PodTemplate", POD_TEMPLATE],
    ["core/ReplicationController", CONTROLLER],
    ["apps/Deployment", CONTROLLER],
    ["apps/StatefulSet", CONTROLLER],
    ["apps/DaemonSet", CONTROLLER],
    ["apps/ReplicaSet", CONTROLLER],
    ["extensions/Deployment", CONTROLLER],
    ["extensions/DaemonSet", CONTROLLER],
    ["extensions/ReplicaSet", CONTROLLER],
    ["batch/Job", CONTROLLER],
    ["batch/CronJob", CRON_JOB],
]);

/** A custom resource type that carries a pod template (configurable). */
export interface CustomWorkload {
    /** Pulumi type token; `*` matches any run of characters, e.g. `kubernetes:argoproj.io/*:Rollout`. */
    readonly type: string;
    /** Dotted path of the pod spec inside the resource's props, e.g. `spec.template.spec`. */
    readonly podSpecPath: string;
    /** Dotted path of the pod template metadata; defaults to the sibling `metadata` of the pod spec. */
    readonly metadataPath?: string;
}

/** Custom resources recognised without configuration. */
const DEFAULT_CUSTOM_WORKLOADS: readonly CustomWorkload[] = [
    { type: "kubernetes:argoproj.io/*:Rollout", podSpecPath: "spec.template.spec" },
    { type: "kubernetes:serving.knative.dev/*:Service", podSpecPath: "spec.template.spec" },
    { type: "kubernetes:serving.knative.dev/*:Configuration", podSpecPath: "spec.template.spec" },
    { type: "kubernetes:apps.openshift.io/*:DeploymentConfig", podSpecPath: "spec.template.spec" },
];

/** The Kubernetes API types policies read, as the Kubernetes provider's SDK declares them. */
type PodSpecObject = k8s.types.input.core.v1.PodSpec;
type ContainerObject = k8s.types.input.core.v1.Container;
type ObjectMetaObject = k8s.types.input.meta.v1.ObjectMeta;

/** The container lists in the order the admission controller visits them. */
const CONTAINER_LISTS: readonly ContainerList[] = ["initContainers", "containers", "ephemeralContainers"];

/** Which kind of resource a pod spec came from. */
interface WorkloadShape {
    /** The Kubernetes kind without `Patch`/`List`, e.g. `Deployment`. */
    readonly kind: string;
    readonly location: PodTemplateLocation;
    /** Server-side-apply patch: only fields that are set are judged. */
    readonly isPatch: boolean;
    /** A `<Kind>List` resource: pod specs live under `items[*]`. */
    readonly isList: boolean;
}

function compileTypePattern(pattern: string): RegExp {
    const escaped = pattern
        .split("*")
        .map((s) => s.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
        .join(".*");
    return new RegExp(`^${escaped}$`);
}

/** Matches type tokens against the built-in table and configured custom workloads. */
export class WorkloadCatalog {
    private readonly custom: { re: RegExp; location: PodTemplateLocation }[];
    private readonly cache = new Map<string, WorkloadShape | null>();

    constructor(customWorkloads: readonly CustomWorkload[] = []) {
        this.custom = [...DEFAULT_CUSTOM_WORKLOADS, ...customWorkloads].map((c) => ({
            re: compileTypePattern(c.type),
            location: {
                podSpecPath: c.podSpecPath,
                metadataPath: c.metadataPath ?? siblingMetadata(c.podSpecPath),
            },
        }));
    }

    /** The workload shape of a type token, or undefined for resources that carry no pod spec. */
    shapeOf(type: string): WorkloadShape | undefined {
        let shape = this.cache.get(type);
        if (shape === undefined) {
            shape = this.resolve(parseTypeToken(type)) ?? null;
            this.cache.set(type, shape);
        }
        return shape ?? undefined;
    }

    private resolve(t: TypeToken): WorkloadShape | undefined {
        const gv = kubernetesGroupVersion(t);
        if (!gv) {
            return undefined;
        }
        for (const [suffix, flags] of [
            ["", { isPatch: false, isList: false }],
            ["Patch", { isPatch: true, isList: false }],
            ["List", { isPatch: false, isList: true }],
        ] as const) {
            if (suffix && !t.name.endsWith(suffix)) {
                continue;
            }
            const kind = suffix ? t.name.slice(0, -suffix.length) : t.name;
            const builtIn = BUILT_IN_KINDS.get(`${gv.group}/${kind}`);
            if (builtIn) {
                return { kind, location: builtIn, ...flags };
            }
            const baseToken = suffix ? t.token.slice(0, -suffix.length) : t.token;
            const custom = this.custom.find((c) => c.re.test(baseToken));
            if (custom) {
                return { kind, location: custom.location, ...flags };
            }
        }
        return undefined;
    }
}

function siblingMetadata(podSpecPath: string): string {
    const parts = podSpecPath.split(".");
    if (parts.length > 1 && parts[parts.length - 1] === "spec") {
        return [...parts.slice(0, -1), "metadata"].join(".");
    }
    return "metadata";
}

/** One container of a pod spec, with where it sits. */
export interface ContainerRef extends ContainerLocation {
    /** The container object; its `path` is e.g. `spec.template.spec.containers[0]`. */
    readonly field: Field<ContainerObject>;
}

/** A pod spec found in a resource, with its template metadata and containers. */
export class PodSpec {
    private containerCache?: ContainerRef[];

    constructor(
        /** The PodSpec object, e.g. at `spec.template.spec`. */
        readonly spec: Field<PodSpecObject>,
        /** The pod template's metadata, e.g. at `spec.template.metadata`. */
        readonly metadata: Field<ObjectMetaObject>,
        readonly isPatch: boolean,
        /** The object that carries this pod spec: the resource's props, or an item of a List resource. */
        readonly owner: Field<unknown> = Field.absent(""),
    ) {}

    /** Pod-level security context (`spec.securityContext`). */
    get securityContext() {
        return this.spec.get("securityContext");
    }

    /** Every container (init, regular, ephemeral) whose entry could be read. */
    containers(): readonly ContainerRef[] {
        if (!this.containerCache) {
            const out: ContainerRef[] = [];
            for (const list of CONTAINER_LISTS) {
                this.spec
                    .get(list)
                    .items()
                    .forEach((item, index) => {
                        if (item.isUnknown) {
                            return; // reported through unknownContainers()
                        }
                        // Ephemeral containers share every field the checks read with regular containers.
                        const field = item;
                        out.push({ list, index, field, name: field.get("name").str(), image: field.get("image") });
                    });
            }
            this.containerCache = out;
        }
        return this.containerCache;
    }

    /**
     * The same pod with only the containers `keep` accepts (for fixes that must leave some
     * containers alone, such as those exempt by image). Unknown containers are unchanged.
     */
    only(keep: (c: ContainerRef) => boolean): PodSpec {
        const view = new PodSpec(this.spec, this.metadata, this.isPatch, this.owner);
        view.containerCache = this.containers().filter(keep);
        return view;
    }

    /**
     * Container lists or entries that are unknown during preview: checks that read containers
     * cannot judge these yet and report them as such.
     */
    unknownContainers(): Field[] {
        const out: Field[] = [];
        for (const list of CONTAINER_LISTS) {
            const f = this.spec.get(list);
            if (f.isUnknown) {
                out.push(f);
                continue;
            }
            for (const item of f.items()) {
                if (item.isUnknown) {
                    out.push(item);
                }
            }
        }
        return out;
    }

    /** `spec.os.name` is `windows` (the standard relaxes some restricted checks for Windows pods). */
    get osName() {
        return this.spec.at("os", "name");
    }

    /** `spec.hostUsers` (false runs the pod in a user namespace). */
    get hostUsers() {
        return this.spec.get("hostUsers");
    }
}

/**
 * The pod specs of the props most recently asked about, when they are props that every policy of a request shares:
 * the scanner's engine gives all policies one frozen value (src/engine/local-engine.ts, `shareProps`), so the model is
 * built once per resource instead of once per policy. Frozen props cannot change between policies; the engine's own
 * copies (one per policy) are never frozen.
 *
 * One slot, not a table keyed by the props: the policies of a request run one after another on the same props, and
 * the scanner keeps every resource's props until the stack policies have run, so a table would keep every resource's
 * model alive with them (on 5,000 Deployment files, peak RSS went from about 370 to 350 MiB with one slot).
 */
let lastShared: { readonly raw: object; readonly byShape: Map<WorkloadShape, readonly PodSpec[]> } | undefined;

/** The pod specs of a resource (none for resources that carry no pod template). */
export function podSpecsOf(shape: WorkloadShape, props: Field): readonly PodSpec[] {
    const raw = props.path === "" && props.isPresent ? props.value : undefined;
    if (typeof raw !== "object" || raw === null || !Object.isFrozen(raw)) {
        return findPodSpecs(shape, props);
    }
    if (lastShared?.raw !== raw) {
        lastShared = { raw, byShape: new Map() };
    }
    let pods = lastShared.byShape.get(shape);
    if (!pods) {
        pods = findPodSpecs(shape, props);
        lastShared.byShape.set(shape, pods);
    }
    return pods;
}

function findPodSpecs(shape: WorkloadShape, props: Field): PodSpec[] {
    const roots = shape.isList ? props.get("items").items() : [props];
    const out: PodSpec[] = [];
    for (const root of roots) {
        const spec = root.dotted(shape.location.podSpecPath) as Field<PodSpecObject>;
        if (spec.isAbsent) {
            // A controller without a template (a patch that leaves it alone, or an optional template)
            // carries no pod: there is nothing to judge, as in the admission controller.
            continue;
        }
        // The API types make wrongly typed fields read as the API server reads them (api-types.ts).
        out.push(
            new PodSpec(
                spec.typed(POD_SPEC),
                root.dotted(shape.location.metadataPath).typed(OBJECT_META),
                shape.isPatch,
                root,
            ),
        );
    }
    return out;
}
