// Resource identity: what a message calls the resource a finding is about.

import { type Field } from "./field";
import { SECRET_PLACEHOLDER } from "../sdk/secrets";

/** A parsed Pulumi type token such as `kubernetes:apps/v1:Deployment`. */
export interface TypeToken {
    readonly token: string;
    /** Package, e.g. `kubernetes`, `docker`, `docker-build`. */
    readonly pkg: string;
    /** Module, e.g. `apps/v1`, `core/v1`, `argoproj.io/v1alpha1`, `index/container`, `index`. */
    readonly module: string;
    /** Type name, e.g. `Deployment`, `DeploymentPatch`, `Container`. */
    readonly name: string;
}

export function parseTypeToken(token: string): TypeToken {
    const first = token.indexOf(":");
    const last = token.lastIndexOf(":");
    if (first < 0 || last === first) {
        return { token, pkg: token, module: "", name: "" };
    }
    return { token, pkg: token.slice(0, first), module: token.slice(first + 1, last), name: token.slice(last + 1) };
}

/** For Kubernetes tokens: the API group (`core` for the legacy group) and version of the module. */
export function kubernetesGroupVersion(t: TypeToken): { group: string; version: string } | undefined {
    if (t.pkg !== "kubernetes") {
        return undefined;
    }
    const slash = t.module.lastIndexOf("/");
    if (slash < 0) {
        return undefined;
    }
    return { group: t.module.slice(0, slash), version: t.module.slice(slash + 1) };
}

/** Whether a type token is a Kubernetes kind of an API group, in any version. */
export function isKubernetesKind(type: string, group: string, kind: string): boolean {
    const t = parseTypeToken(type);
    return t.name === kind && kubernetesGroupVersion(t)?.group === group;
}

/** How findings name a resource: `Deployment prod/web`, `docker Container web`. */
export interface ResourceIdentity {
    readonly type: string;
    /** Kubernetes kind or Pulumi type name. */
    readonly kind: string;
    readonly namespace?: string;
    readonly name: string;
    /** Human label used at the start of every message. */
    readonly label: string;
    /** Kubernetes object metadata (labels, annotations), read with unknowns preserved. */
    readonly metadata?: Field;
    /**
     * For a resource that is one container (a Docker Container or Service): its image reference,
     * which the `exemptImages` option matches for findings that name no container.
     */
    readonly image?: Field;
}

/**
 * The namespace of a namespaced Kubernetes object, resolved as the Kubernetes provider does:
 * `metadata.namespace`, else the provider's `namespace`, else `default`. The field itself when
 * `metadata.namespace` is unknown during preview.
 */
export function resolveNamespace(
    metadata: Field<unknown>,
    providerNamespace: string | undefined,
): string | Field<unknown> {
    const ns = metadata.get("namespace");
    if (ns.isUnknown) {
        return ns;
    }
    return ns.str() || providerNamespace || "default";
}

/**
 * Names a Kubernetes object as kind namespace/name. The namespace follows the Kubernetes provider's
 * rules: `metadata.namespace`, else the provider's `namespace`, else `default`.
 */
export function kubernetesIdentity(
    type: string,
    props: Field<unknown>,
    pulumiName: string,
    providerNamespace: string | undefined,
    kind?: string,
): ResourceIdentity {
    const t = parseTypeToken(type);
    const k = kind ?? t.name;
    const meta = props.get("metadata");
    const nameField = meta.get("name");
    const name = nameField.str() || pulumiName;
    const resolved = resolveNamespace(meta, providerNamespace);
    // A label needs a name now; exemptions see the unknown namespace through `metadata`.
    const ns = typeof resolved === "string" ? resolved : providerNamespace || "default";
    // Exemptions match the real name and namespace; messages never show a secret one.
    const shownName = nameField.isSecret && nameField.str() ? SECRET_PLACEHOLDER : name;
    const shownNs = meta.get("namespace").isSecret && typeof resolved === "string" ? SECRET_PLACEHOLDER : ns;
    return { type, kind: k, namespace: ns, name, label: `${k} ${shownNs}/${shownName}`, metadata: meta };
}

/** Names a non-Kubernetes resource by its type name and Pulumi name. */
export function plainIdentity(type: string, pulumiName: string): ResourceIdentity {
    const t = parseTypeToken(type);
    const kind = t.name || type;
    return { type, kind, name: pulumiName, label: `${t.pkg} ${kind} ${pulumiName}` };
}
