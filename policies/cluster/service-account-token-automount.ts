// Pods should not get a Kubernetes API token they do not use. Whether a pod gets one is decided as
// the API server decides it: the pod's own automountServiceAccountToken if it sets one, otherwise its
// ServiceAccount's (serviceAccountName, `default` when empty). That ServiceAccount is looked up among
// the stack's objects, so this is a stack policy: it sees every resource's outputs at once.

import { type Evaluation } from "../../src/framework/policy";
import { Field } from "../../src/framework/field";
import { boolean, option } from "../../src/framework/options";
import { buildStackPolicy, identityOf } from "../../src/framework/stack-policy";
import { resolveNamespace } from "../../src/framework/resource";
import { known, show } from "../../src/framework/checks";
import { type PodSpec, podSpecsOf } from "../../src/kubernetes/workload";
import { catalogFor, workloadOptions } from "../../src/kubernetes/workload-policy";
import { type StackObject, clusterOf, findObject, stackObjects } from "../../src/kubernetes/objects";

const KEEP_TOKEN =
    "if the workload calls the Kubernetes API, keep the token and set allowExplicitTrue or exempt the workload";

/** Where a pod's ServiceAccount is looked up. */
interface PodContext {
    readonly cluster: string;
    readonly providerNamespace: string | undefined;
    readonly accounts: readonly StackObject[];
    readonly isPatch: boolean;
}

/** The pod's ServiceAccount name as the API server defaults it, or the unknown field it depends on. */
function accountName(pod: PodSpec): string | Field<unknown> {
    for (const key of ["serviceAccountName", "serviceAccount"] as const) {
        // serviceAccount is the deprecated alias the API server copies into serviceAccountName.
        const f = pod.spec.get(key) as Field<unknown>;
        if (f.isUnknown) {
            return f;
        }
        if (f.str()) {
            return f.str()!;
        }
    }
    return "default";
}

function judgePod(pod: PodSpec, ev: Evaluation<{ allowExplicitTrue: boolean }>, ctx: PodContext): void {
    const automount = known(ev, pod.spec.get("automountServiceAccountToken"));
    if (!automount || automount.value === false) {
        return;
    }
    if (automount.isPresent) {
        // The pod's own setting wins over its ServiceAccount's.
        if (automount.value !== true || !ev.options.allowExplicitTrue) {
            ev.violation({
                at: automount,
                problem: `automountServiceAccountToken is ${show(automount)}`,
                fix: `set spec.automountServiceAccountToken: false (or, ${KEEP_TOKEN})`,
            });
        }
        return;
    }
    if (ctx.isPatch) {
        return; // a patch that leaves the setting alone does not change who decides it
    }
    const name = accountName(pod);
    const namespace = resolveNamespace(pod.owner.get("metadata"), ctx.providerNamespace);
    for (const pending of [name, namespace]) {
        if (pending instanceof Field) {
            ev.unknown(pending);
            return;
        }
    }
    const label = `ServiceAccount ${namespace as string}/${name as string}`;
    const found = findObject(ctx.accounts, ctx.cluster, namespace as string, name as string);
    if (found instanceof Field) {
        ev.unknown(found);
        return;
    }
    const fix =
        `set spec.automountServiceAccountToken: false in the pod template, or automountServiceAccountToken: false ` +
        `on ${label} (or, ${KEEP_TOKEN})`;
    if (!found) {
        ev.violation({
            at: automount,
            problem:
                `automountServiceAccountToken is not set, and ${label} is not declared in this stack, so every ` +
                `container gets a Kubernetes API token unless that ServiceAccount disables it`,
            fix,
        });
        return;
    }
    const setting = found.object.get("automountServiceAccountToken");
    if (setting.isUnknown) {
        ev.unknown(Field.unknown(`automountServiceAccountToken of ${found.identity.label}`));
        return;
    }
    if (setting.value === false || (setting.value === true && ev.options.allowExplicitTrue)) {
        return; // decided by the ServiceAccount
    }
    ev.violation({
        at: automount,
        problem:
            `automountServiceAccountToken is not set, and ${found.identity.label} (declared in this stack) ` +
            `${setting.isAbsent ? "does not set it either" : `sets it to ${show(setting)}`}, so every ` +
            `container gets a Kubernetes API token`,
        fix,
    });
}

/** Pods should not get a Kubernetes API token they do not use. */
export const serviceAccountTokenAutomount = buildStackPolicy({
    name: "service-account-token-automount",
    displayName: "Do not mount service account tokens by default",
    description:
        "Pods should not get a Kubernetes API token unless they call the Kubernetes API: the pod sets " +
        "automountServiceAccountToken: false, or leaves it unset and its ServiceAccount (declared in the same " +
        "stack) sets it to false.",
    severity: "low",
    tags: ["secrets", "kubernetes", "service-account", "identity", "stack"],
    remediationSteps:
        "Set automountServiceAccountToken: false on the ServiceAccount the workload uses (declared in the same " +
        "stack; a ServiceAccountPatch can set it on a namespace's default ServiceAccount) or in the pod template. " +
        "The pod's own setting wins over the ServiceAccount's, as in Kubernetes. A workload that calls the " +
        "Kubernetes API keeps the token: set automountServiceAccountToken: true explicitly (on the pod or its " +
        "ServiceAccount) and enable this policy's allowExplicitTrue option (or exempt the workload), or mount a " +
        "short-lived token with a projected serviceAccountToken volume.",
    url: "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/",
    framework: {
        name: "CIS Kubernetes Benchmark",
        version: "v1.9.0",
        reference: "https://www.cisecurity.org/benchmark/kubernetes",
        specification: "5.1.6 Ensure that Service Account Tokens are only mounted where necessary",
    },
    options: {
        ...workloadOptions,
        allowExplicitTrue: option(
            boolean({
                description:
                    "Accept automountServiceAccountToken: true written in the pod spec (or, when the pod leaves it " +
                    "unset, on its ServiceAccount), as a declaration that the workload calls the Kubernetes API.",
            }),
            false,
        ),
    },
    check(stack) {
        const catalog = catalogFor(stack.options.customWorkloads);
        const accounts = stackObjects(stack.resources, "core", "ServiceAccount", "namespaced");
        for (const r of stack.resources) {
            const shape = catalog.shapeOf(r.type);
            if (!shape) {
                continue;
            }
            const ev = stack.about(r, identityOf(r, shape.kind));
            const ctx: PodContext = {
                cluster: clusterOf(r),
                providerNamespace: r.provider?.get("namespace").str() || undefined,
                accounts,
                isPatch: shape.isPatch,
            };
            for (const pod of podSpecsOf(shape, r.props)) {
                judgePod(pod, ev, ctx);
            }
        }
    },
});
