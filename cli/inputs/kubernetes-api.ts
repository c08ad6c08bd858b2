// Which manifests the scanner judges and which it lists as skipped. A security user must not read a
// document nobody judged as a clean result, so:
//
// - skipped: a document that is not a Kubernetes object (no apiVersion and kind); an object of a
//   built-in API group (core, apps, batch, ..., *.k8s.io) whose kind that group does not have
//   (`Deploymnet`) or whose version Kubernetes never served for that kind (`apps/v1beta9`); an API
//   group without a dot that Kubernetes does not have (`app/v1`: custom resource groups always
//   contain a dot); a near miss of a built-in kind's group (`networking.k8s.oi`) or of a workload
//   kind of a custom resource group (`argoproj.io` `Rolout`); client-side configuration
//   (kustomize's Kustomization). The API server would reject all of these, so no verdict is
//   meaningful; the reason and, for near misses, the likely intended name are reported.
// - judged: everything else, including custom resources the policies have nothing to say about
//   (an `cert-manager.io` Certificate is a valid object; most policies do not apply to it).
//
// The table lists every kind and version the Kubernetes provider knows (a test keeps it in step with
// @pulumi/kubernetes), plus the request-only kinds it leaves out.

import { closest, editDistance } from "../../src/framework/suggest";

type KindVersions = Readonly<Record<string, string>>;

/** Built-in API groups ("" is the core group): kind → the versions Kubernetes served it in, space-separated. */
const BUILT_IN: ReadonlyMap<string, KindVersions> = new Map<string, KindVersions>([
    [
        "",
        {
            Binding: "v1",
            ComponentStatus: "v1",
            ConfigMap: "v1",
            Endpoints: "v1",
            Event: "v1",
            LimitRange: "v1",
            Namespace: "v1",
            Node: "v1",
            PersistentVolume: "v1",
            PersistentVolumeClaim: "v1",
            Pod: "v1",
            PodTemplate: "v1",
            ReplicationController: "v1",
            ResourceQuota: "v1",
            Secret: "v1",
            Service: "v1",
            ServiceAccount: "v1",
        },
    ],
    [
        "admissionregistration.k8s.io",
        {
            MutatingAdmissionPolicy: "v1 v1alpha1 v1beta1",
            MutatingAdmissionPolicyBinding: "v1 v1alpha1 v1beta1",
            MutatingWebhookConfiguration: "v1 v1beta1",
            ValidatingAdmissionPolicy: "v1 v1alpha1 v1beta1",
            ValidatingAdmissionPolicyBinding: "v1 v1alpha1 v1beta1",
            ValidatingWebhookConfiguration: "v1 v1beta1",
        },
    ],
    ["apiextensions.k8s.io", { CustomResourceDefinition: "v1 v1beta1" }],
    ["apiregistration.k8s.io", { APIService: "v1 v1beta1" }],
    [
        "apps",
        {
            ControllerRevision: "v1 v1beta1 v1beta2",
            DaemonSet: "v1 v1beta2",
            Deployment: "v1 v1beta1 v1beta2",
            ReplicaSet: "v1 v1beta2",
            StatefulSet: "v1 v1beta1 v1beta2",
        },
    ],
    ["auditregistration.k8s.io", { AuditSink: "v1alpha1" }],
    [
        "authentication.k8s.io",
        { SelfSubjectReview: "v1 v1alpha1 v1beta1", TokenRequest: "v1", TokenReview: "v1 v1beta1" },
    ],
    [
        "authorization.k8s.io",
        {
            LocalSubjectAccessReview: "v1 v1beta1",
            SelfSubjectAccessReview: "v1 v1beta1",
            SelfSubjectRulesReview: "v1 v1beta1",
            SubjectAccessReview: "v1 v1beta1",
        },
    ],
    ["autoscaling", { HorizontalPodAutoscaler: "v1 v2 v2beta1 v2beta2" }],
    ["batch", { CronJob: "v1 v1beta1 v2alpha1", Job: "v1" }],
    [
        "certificates.k8s.io",
        {
            CertificateSigningRequest: "v1 v1beta1",
            ClusterTrustBundle: "v1 v1alpha1 v1beta1",
            PodCertificateRequest: "v1 v1beta1",
        },
    ],
    ["coordination.k8s.io", { Lease: "v1 v1beta1", LeaseCandidate: "v1alpha1 v1alpha2 v1beta1" }],
    ["discovery.k8s.io", { EndpointSlice: "v1 v1beta1" }],
    ["events.k8s.io", { Event: "v1 v1beta1" }],
    [
        "extensions",
        {
            DaemonSet: "v1beta1",
            Deployment: "v1beta1",
            Ingress: "v1beta1",
            NetworkPolicy: "v1beta1",
            PodSecurityPolicy: "v1beta1",
            ReplicaSet: "v1beta1",
        },
    ],
    [
        "flowcontrol.apiserver.k8s.io",
        {
            FlowSchema: "v1 v1alpha1 v1beta1 v1beta2 v1beta3",
            PriorityLevelConfiguration: "v1 v1alpha1 v1beta1 v1beta2 v1beta3",
        },
    ],
    ["internal.apiserver.k8s.io", { StorageVersion: "v1alpha1" }],
    ["lifecycle.k8s.io", { Eviction: "v1alpha1", EvictionRequest: "v1alpha1" }],
    [
        "networking.k8s.io",
        {
            ClusterCIDR: "v1alpha1",
            IPAddress: "v1 v1alpha1 v1beta1",
            Ingress: "v1 v1beta1",
            IngressClass: "v1 v1beta1",
            NetworkPolicy: "v1",
            ServiceCIDR: "v1 v1alpha1 v1beta1",
        },
    ],
    ["node.k8s.io", { RuntimeClass: "v1 v1alpha1 v1beta1" }],
    ["policy", { Eviction: "v1 v1beta1", PodDisruptionBudget: "v1 v1beta1", PodSecurityPolicy: "v1beta1" }],
    [
        "rbac.authorization.k8s.io",
        {
            ClusterRole: "v1 v1alpha1 v1beta1",
            ClusterRoleBinding: "v1 v1alpha1 v1beta1",
            Role: "v1 v1alpha1 v1beta1",
            RoleBinding: "v1 v1alpha1 v1beta1",
        },
    ],
    [
        "resource.k8s.io",
        {
            DeviceClass: "v1 v1alpha3 v1beta1 v1beta2",
            DeviceTaintRule: "v1 v1alpha3 v1beta2",
            PodScheduling: "v1alpha1",
            PodSchedulingContext: "v1alpha2 v1alpha3",
            ResourceClaim: "v1 v1alpha1 v1alpha2 v1alpha3 v1beta1 v1beta2",
            ResourceClaimParameters: "v1alpha2",
            ResourceClaimTemplate: "v1 v1alpha1 v1alpha2 v1alpha3 v1beta1 v1beta2",
            ResourceClass: "v1alpha1 v1alpha2",
            ResourceClassParameters: "v1alpha2",
            ResourcePoolStatusRequest: "v1alpha3",
            ResourceSlice: "v1 v1alpha2 v1alpha3 v1beta1 v1beta2",
        },
    ],
    [
        "scheduling.k8s.io",
        {
            CompositePodGroup: "v1alpha3",
            PodGroup: "v1alpha2 v1alpha3 v1beta1",
            PriorityClass: "v1 v1alpha1 v1beta1",
            Workload: "v1alpha1 v1alpha2 v1alpha3 v1beta1",
        },
    ],
    ["settings.k8s.io", { PodPreset: "v1alpha1" }],
    [
        "storage.k8s.io",
        {
            CSIDriver: "v1 v1beta1",
            CSINode: "v1 v1beta1",
            CSIStorageCapacity: "v1 v1beta1",
            StorageClass: "v1 v1beta1",
            VolumeAttachment: "v1 v1alpha1 v1beta1",
            VolumeAttributesClass: "v1 v1alpha1 v1beta1",
        },
    ],
    ["storagemigration.k8s.io", { StorageVersionMigration: "v1 v1alpha1 v1beta1" }],
]);

/** Files that look like Kubernetes objects but configure a client: `group/Kind` → what they are. */
const CLIENT_SIDE: ReadonlyMap<string, string> = new Map([
    ["kustomize.config.k8s.io/Kustomization", "kustomize configuration"],
    ["kustomize.config.k8s.io/Component", "a kustomize component"],
    ["/Config", "a kubeconfig file"],
]);

/** Custom resources that carry pod templates, known by name so a misspelling of them can be named. */
const WELL_KNOWN_CUSTOM_WORKLOADS: readonly (readonly [group: string, kind: string])[] = [
    ["argoproj.io", "Rollout"],
    ["serving.knative.dev", "Service"],
    ["serving.knative.dev", "Configuration"],
    ["apps.openshift.io", "DeploymentConfig"],
];

/** Built-in kinds that carry a pod template. */
const BUILT_IN_WORKLOADS: readonly (readonly [group: string, kind: string])[] = [
    ["", "Pod"],
    ["", "PodTemplate"],
    ["", "ReplicationController"],
    ...["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"].map((k) => ["apps", k] as const),
    ["batch", "Job"],
    ["batch", "CronJob"],
];

export type Verdict = { readonly judged: true } | { readonly judged: false; readonly reason: string };

const JUDGED: Verdict = { judged: true };

function apiVersionOf(group: string, version: string): string {
    return group === "" ? version : `${group}/${version}`;
}

function groupName(group: string): string {
    return group === "" ? "the core API group" : `API group ${group}`;
}

/** Every apiVersion Kubernetes served `kind` in, across built-in groups, newest group first as listed. */
function apiVersionsOfKind(kind: string): string[] {
    const out: string[] = [];
    for (const [group, kinds] of BUILT_IN) {
        const versions = Object.prototype.hasOwnProperty.call(kinds, kind) ? kinds[kind] : undefined;
        for (const v of versions?.split(" ") ?? []) {
            out.push(apiVersionOf(group, v));
        }
    }
    return out;
}

function kindsOf(group: string): KindVersions | undefined {
    return BUILT_IN.get(group);
}

/** A type token for the workload catalog (`kubernetes:<group or core>/<version>:<Kind>`). */
function typeToken(group: string, version: string, kind: string): string {
    return `kubernetes:${group || "core"}/${version}:${kind}`;
}

export interface KindContext {
    /** Whether the policies judge the pod template of this type token (built-in or configured custom workloads). */
    readonly isWorkload: (type: string) => boolean;
    /** Workload kinds configured by the user (`customWorkloads`), as group and kind, for near-miss hints. */
    readonly customWorkloads: readonly (readonly [group: string, kind: string])[];
}

/**
 * Whether the object with this apiVersion and kind (both well-formed: see kubernetesTypeOf) is judged or skipped,
 * with the reason.
 */
export function classifyKind(apiVersion: string, kind: string, context: KindContext): Verdict {
    const slash = apiVersion.indexOf("/");
    const group = slash < 0 ? "" : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    const client = CLIENT_SIDE.get(`${group}/${kind}`);
    if (client) {
        return { judged: false, reason: `${apiVersion} ${kind} is ${client}, not a Kubernetes object` };
    }
    const builtIn = kindsOf(group);
    if (builtIn) {
        const versions = Object.prototype.hasOwnProperty.call(builtIn, kind) ? builtIn[kind] : undefined;
        if (versions === undefined) {
            return { judged: false, reason: `${groupName(group)} has no kind ${kind}${kindHint(kind, builtIn)}` };
        }
        if (!versions.split(" ").includes(version)) {
            return {
                judged: false,
                reason:
                    `${apiVersion} is not an API version of ${kind} ` +
                    `(Kubernetes has ${apiVersionsOfKind(kind).join(", ")})`,
            };
        }
        return JUDGED;
    }
    if (!group.includes(".")) {
        const elsewhere = apiVersionsOfKind(kind);
        const nearGroup = closest(
            group,
            [...BUILT_IN.keys()].filter((g) => g !== "" && !g.includes(".")),
        );
        const hint =
            elsewhere.length > 0
                ? `; did you mean ${elsewhere[0]}?`
                : nearGroup !== undefined
                  ? `; did you mean ${nearGroup}?`
                  : "";
        return {
            judged: false,
            reason: `${group} is not a Kubernetes API group, and custom resource groups contain a dot${hint}`,
        };
    }
    if (context.isWorkload(typeToken(group, version, kind))) {
        return JUDGED;
    }
    const miss = nearMiss(group, version, kind, context);
    if (miss) {
        return {
            judged: false,
            reason: `${apiVersion} ${kind} looks like a misspelling of ${miss}, a kind the policies judge`,
        };
    }
    return JUDGED;
}

/** For a kind a built-in group does not have: the kind of that group it was probably meant to be, or where it is. */
function kindHint(kind: string, kinds: KindVersions): string {
    const near = closest(kind, Object.keys(kinds));
    if (near !== undefined) {
        return `; did you mean ${near}?`;
    }
    const elsewhere = apiVersionsOfKind(kind);
    if (elsewhere.length > 0) {
        return `; ${kind} is in ${elsewhere[0]}`;
    }
    const anywhere = closest(kind, new Set([...BUILT_IN.values()].flatMap((k) => Object.keys(k))));
    return anywhere !== undefined ? `; did you mean ${apiVersionsOfKind(anywhere)[0]} ${anywhere}?` : "";
}

/**
 * For a custom resource that is not a workload: the apiVersion and kind it was probably meant to be, when it is one
 * or two letters away from a built-in kind in a misspelled `*.k8s.io`-like group, or from a workload kind of its own
 * group.
 */
function nearMiss(group: string, version: string, kind: string, context: KindContext): string | undefined {
    for (const [g, kinds] of BUILT_IN) {
        if (g.includes(".") && Object.prototype.hasOwnProperty.call(kinds, kind) && editDistance(group, g) <= 2) {
            const versions = kinds[kind].split(" ");
            return `${g}/${versions.includes(version) ? version : versions[0]} ${kind}`;
        }
    }
    const workloads = [...BUILT_IN_WORKLOADS, ...WELL_KNOWN_CUSTOM_WORKLOADS, ...context.customWorkloads];
    const sameGroup = workloads.filter(([g]) => g === group).map(([, k]) => k);
    const near = closest(kind, sameGroup);
    if (near !== undefined && context.isWorkload(typeToken(group, version, near))) {
        return `${apiVersionOf(group, version)} ${near}`;
    }
    for (const [g, k] of workloads) {
        if (
            k === kind &&
            g.includes(".") &&
            editDistance(group, g) <= 2 &&
            context.isWorkload(typeToken(g, version, k))
        ) {
            return `${apiVersionOf(g, version)} ${k}`;
        }
    }
    return undefined;
}

/** Every built-in `apiVersion/Kind` (for tests that hold the table to the Kubernetes provider's). */
export function builtInKinds(): string[] {
    const out: string[] = [];
    for (const [group, kinds] of BUILT_IN) {
        for (const [kind, versions] of Object.entries(kinds)) {
            for (const v of versions.split(" ")) {
                out.push(`${apiVersionOf(group, v)}/${kind}`);
            }
        }
    }
    return out;
}
