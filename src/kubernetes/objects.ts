// Kubernetes objects other than pods: which resources carry objects of a kind (the kind in any
// version, its `<Kind>Patch` and `<Kind>List`), and, for stack policies that follow references between
// objects (a pod to its ServiceAccount, a claim to its PersistentVolume), the objects declared in a
// stack, found by cluster, namespace and name as the API server would find them. Names and
// namespaces may be unknown during preview: a lookup then says which field it waits for instead of
// guessing.

import { Field } from "../framework/field";
import { type ResourceIdentity, kubernetesGroupVersion, parseTypeToken, resolveNamespace } from "../framework/resource";
import { type StackResource, identityOf } from "../framework/stack-policy";

/** How a resource type carries objects of a kind: the object itself, a patch of it, or a list of them. */
export type KindVariant = "object" | "patch" | "list";

/** The variant of `group`/`kind` a type token is (any version), or undefined for other types. */
export function kindVariant(type: string, group: string, kind: string): KindVariant | undefined {
    const t = parseTypeToken(type);
    if (kubernetesGroupVersion(t)?.group !== group || !t.name.startsWith(kind)) {
        return undefined;
    }
    const suffix = t.name.slice(kind.length);
    return suffix === "" ? "object" : suffix === "Patch" ? "patch" : suffix === "List" ? "list" : undefined;
}

/** The objects a resource of that variant carries: its props, or the items of a List. */
export function objectsOf(variant: KindVariant, props: Field<unknown>): Field<unknown>[] {
    return variant === "list" ? props.get("items").items() : [props];
}

/** One Kubernetes object of the stack. */
export interface StackObject {
    readonly resource: StackResource;
    /** The object: the resource's outputs, or one item of a List resource. */
    readonly object: Field<unknown>;
    /** Which cluster the object is in (see clusterOf). */
    readonly cluster: string;
    /** `metadata.name`. */
    readonly name: Field<unknown>;
    /** The resolved namespace (or the unknown `metadata.namespace`); undefined for cluster-scoped kinds. */
    readonly namespace: string | Field<unknown> | undefined;
    /** A server-side-apply patch: it carries only the fields it sets. */
    readonly isPatch: boolean;
    /** How findings about it name it (`PersistentVolume node-logs`, `ServiceAccount prod/app`). */
    readonly identity: ResourceIdentity;
}

/**
 * Which cluster a resource is deployed to, as far as its Kubernetes provider tells: resources whose
 * providers name the same kubeconfig, context and cluster (or none: the ambient configuration) are in
 * the same cluster, whatever provider resource they use. When one of those is unknown during preview,
 * only resources of the same provider are known to share the cluster.
 */
export function clusterOf(r: StackResource): string {
    const fields = ["kubeconfig", "context", "cluster"].map((k) => r.provider?.get(k) ?? Field.absent(k));
    if (fields.some((f) => f.isUnknown)) {
        return `provider ${r.source.provider?.urn ?? ""}`;
    }
    return JSON.stringify(fields.map((f) => (f.isPresent ? f.value : "")));
}

/** Every object of a kind (any version, `<Kind>Patch` and `<Kind>List` included) in the stack. */
export function stackObjects(
    resources: readonly StackResource[],
    group: string,
    kind: string,
    scope: "namespaced" | "cluster",
): StackObject[] {
    const out: StackObject[] = [];
    for (const r of resources) {
        const variant = kindVariant(r.type, group, kind);
        if (!variant) {
            continue;
        }
        const providerNamespace = r.provider?.get("namespace").str() || undefined;
        for (const object of objectsOf(variant, r.props)) {
            const metadata = object.get("metadata");
            const name = metadata.get("name");
            const namespace = scope === "namespaced" ? resolveNamespace(metadata, providerNamespace) : undefined;
            const own = identityOf(r, kind);
            const shownName = name.str() ?? own.name;
            const identity: ResourceIdentity =
                scope === "cluster"
                    ? { ...own, name: shownName, namespace: undefined, label: `${kind} ${shownName}` }
                    : {
                          ...own,
                          name: shownName,
                          namespace: typeof namespace === "string" ? namespace : own.namespace,
                          label: `${kind} ${typeof namespace === "string" ? namespace : own.namespace}/${shownName}`,
                      };
            out.push({
                resource: r,
                object,
                cluster: clusterOf(r),
                name,
                namespace,
                isPatch: variant === "patch",
                identity,
            });
        }
    }
    return out;
}

/** True, false, or the unknown field a comparison waits for. */
function sameText(field: Field<unknown> | string | undefined, want: string | undefined): boolean | Field<unknown> {
    if (field instanceof Field) {
        return field.isUnknown ? field : field.str() === want;
    }
    return field === want;
}

/**
 * The object of `objects` with this cluster, namespace (undefined for cluster-scoped kinds) and name;
 * the first one if several match. When none matches for certain but one may (its name or namespace is
 * unknown during preview), the field it waits for; undefined when none is declared in the stack.
 */
export function findObject(
    objects: readonly StackObject[],
    cluster: string,
    namespace: string | undefined,
    name: string,
): StackObject | Field<unknown> | undefined {
    let pending: Field<unknown> | undefined;
    for (const o of objects) {
        if (o.cluster !== cluster) {
            continue;
        }
        const parts = [sameText(o.name, name), sameText(o.namespace, namespace)];
        if (parts.includes(false)) {
            continue;
        }
        const waiting = parts.find((p): p is Field<unknown> => p instanceof Field);
        if (!waiting) {
            return o;
        }
        pending ??= Field.unknown(`${waiting.path} of ${o.identity.label}`);
    }
    return pending;
}
