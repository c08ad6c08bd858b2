// Every workload's pods must be isolated by a NetworkPolicy declared in the same stack: either the
// namespace has a namespace-wide isolating policy (empty podSelector), or some policy selects the
// pods. One pass indexes the NetworkPolicies by namespace; each workload then looks only at its own
// namespace, and identical label sets are decided once, so cost grows linearly with the stack.

import { Field } from "../../src/framework/field";
import { array, boolean, option, refine, string } from "../../src/framework/options";
import { type Tri, anyOf, allOf, describeLabels, isEmptySelector, selects } from "../../src/kubernetes/selectors";
import { type StackResource, buildStackPolicy, identityOf } from "../../src/framework/stack-policy";
import { catalogFor, workloadOptions } from "../../src/kubernetes/workload-policy";
import { podSpecsOf } from "../../src/kubernetes/workload";
import { isKubernetesKind, resolveNamespace } from "../../src/framework/resource";

type Direction = "Ingress" | "Egress";

const DIRECTIONS: readonly Direction[] = ["Ingress", "Egress"];

const directionsSchema = refine(
    array(string({ enum: DIRECTIONS }), {
        description:
            "The traffic directions every workload's pods must be isolated for: Ingress, Egress, or both (each at " +
            "most once).",
    }),
    (list, path, errors) => {
        if (list.length === 0) {
            errors.push(`${path} must name at least one direction (Ingress, Egress)`);
        }
        const repeated = list.filter((d, i) => list.indexOf(d) !== i);
        if (repeated.length > 0) {
            errors.push(`${path} lists ${JSON.stringify(repeated[0])} more than once`);
        }
    },
);

/**
 * The directions to require: `directions`, plus Egress when the deprecated `requireEgress` is true (it
 * meant "Egress too"), in the order Ingress, Egress.
 */
function requiredDirections(options: { directions: readonly string[]; requireEgress: boolean }): Direction[] {
    return DIRECTIONS.filter((d) => options.directions.includes(d) || (d === "Egress" && options.requireEgress));
}

/** What one NetworkPolicy isolates. */
interface Isolation {
    readonly selector: Field<unknown>;
    /** The policy selects every pod of its namespace (empty podSelector). */
    readonly namespaceWide: Tri;
    /** Per direction: whether the policy isolates it (lists it in policyTypes and has no allow-everything rule). */
    readonly isolates: Record<Direction, Tri>;
}

/** The namespace of a stack resource (or of a List item, by its metadata). */
function namespaceOf(r: StackResource, metadata: Field<unknown> = r.props.get("metadata")): string | Field<unknown> {
    return resolveNamespace(metadata, r.provider?.get("namespace").str() || undefined);
}

/** A rule with no peers (`from`/`to` absent or empty) and no ports allows all traffic. */
function allowsEverything(rule: Field<unknown>, peers: string): Tri {
    const p = rule.get(peers);
    const ports = rule.get("ports");
    if (p.isUnknown) {
        return p;
    }
    if (ports.isUnknown) {
        return ports;
    }
    return p.items().length === 0 && ports.items().length === 0;
}

function readIsolation(np: StackResource): Isolation {
    const spec = np.props.get("spec");
    const selector = spec.get("podSelector");
    const types = spec.get("policyTypes");
    const isolates = {} as Record<Direction, Tri>;
    for (const [direction, rulesKey, peers] of [
        ["Ingress", "ingress", "from"],
        ["Egress", "egress", "to"],
    ] as const) {
        const rules = spec.get(rulesKey);
        // Without policyTypes a policy isolates Ingress, and Egress too when it has egress rules.
        const listed: Tri = types.isUnknown
            ? types
            : types.isPresent
              ? types.items().some((t) => t.value === direction)
              : direction === "Ingress" || rules.items().length > 0;
        const open: Tri = rules.isUnknown ? rules : anyOf(rules.items().map((r) => allowsEverything(r, peers)));
        isolates[direction] = allOf([listed, open === true ? false : open === false ? true : open]);
    }
    return { selector, namespaceWide: isEmptySelector(selector), isolates };
}

export const networkIsolation = buildStackPolicy({
    name: "network-isolation",
    displayName: "Workloads isolated by NetworkPolicy",
    description:
        "Every workload's pods must be isolated by a NetworkPolicy in the same stack: a namespace-wide policy (empty " +
        "podSelector) or one that selects the pods, for the configured directions (Ingress by default).",
    severity: "medium",
    tags: ["kubernetes", "network", "stack"],
    remediationSteps:
        "Add a default-deny NetworkPolicy to each namespace the stack deploys workloads to (spec.podSelector: {}, " +
        "policyTypes: [Ingress, Egress], no rules) and NetworkPolicies that allow the traffic each workload " +
        "needs; declare them in the same Pulumi stack.",
    url: "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies",
    framework: {
        name: "CIS Kubernetes Benchmark",
        version: "1.10",
        reference: "https://www.cisecurity.org/benchmark/kubernetes",
        specification: "5.3.2 Ensure that all Namespaces have Network Policies defined",
    },
    options: {
        ...workloadOptions,
        directions: option(directionsSchema, ["Ingress"] as string[]),
        requireEgress: option(
            boolean({
                description:
                    "Deprecated: use directions. true adds Egress to directions (true with the default directions " +
                    "is directions: [Ingress, Egress]); findings then name the replacement.",
            }),
            false,
        ),
    },
    check(stack) {
        const directions = requiredDirections(stack.options);
        const deprecation = stack.options.requireEgress
            ? `; the deprecated option requireEgress added Egress: set directions: [${directions.join(", ")}] instead`
            : "";
        const byNamespace = new Map<string, Isolation[]>();
        const anywhere: { isolation: Isolation; namespace: Field<unknown> }[] = [];
        for (const r of stack.resources) {
            if (!isKubernetesKind(r.type, "networking.k8s.io", "NetworkPolicy")) {
                continue;
            }
            const ns = namespaceOf(r);
            const isolation = readIsolation(r);
            if (ns instanceof Field) {
                anywhere.push({ isolation, namespace: ns });
            } else {
                byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), isolation]);
            }
        }
        const catalog = catalogFor(stack.options.customWorkloads);
        const decided = new Map<string, Record<Direction, Tri>>();
        const coverage = (ns: string, labels: Field<unknown>): Record<Direction, Tri> => {
            const key = labels.isUnknown
                ? undefined
                : `${ns}\u0000${JSON.stringify(labels.entries().map(([k, v]) => [k, v.value]))}`;
            const cached = key !== undefined ? decided.get(key) : undefined;
            if (cached) {
                return cached;
            }
            // Policies whose namespace is unknown during preview may be in this one: they make the
            // answer undecided rather than covered.
            const candidates: { iso: Isolation; inNamespace: Tri }[] = [
                ...(byNamespace.get(ns) ?? []).map((iso) => ({ iso, inNamespace: true })),
                ...anywhere.map((a) => ({ iso: a.isolation, inNamespace: a.namespace })),
            ];
            const result = {} as Record<Direction, Tri>;
            for (const d of directions) {
                result[d] = anyOf(
                    candidates.map(({ iso, inNamespace }) =>
                        allOf([
                            inNamespace,
                            iso.isolates[d],
                            anyOf([iso.namespaceWide, selects(iso.selector, labels)]),
                        ]),
                    ),
                );
            }
            if (key !== undefined) {
                decided.set(key, result);
            }
            return result;
        };
        for (const r of stack.resources) {
            const shape = catalog.shapeOf(r.type);
            if (!shape || shape.isPatch) {
                continue; // a patch changes a workload declared elsewhere
            }
            const ev = stack.about(r, identityOf(r, shape.kind));
            for (const pod of podSpecsOf(shape, r.props)) {
                const ns = namespaceOf(r, pod.owner.get("metadata"));
                if (ns instanceof Field) {
                    ev.unknown(ns);
                    continue;
                }
                const labels = pod.metadata.get("labels") as Field<unknown>;
                const cover = coverage(ns, labels);
                const missing = directions.filter((d) => cover[d] === false);
                const pending = directions.map((d) => cover[d]).find((c): c is Field<unknown> => c instanceof Field);
                if (missing.length > 0) {
                    ev.violation({
                        at: labels,
                        problem:
                            `no NetworkPolicy in namespace "${ns}" isolates its pods ` +
                            `(${describeLabels(labels)}) for ${missing.join(" and ")}`,
                        fix:
                            `declare a default-deny NetworkPolicy in namespace "${ns}" in this stack (podSelector: ` +
                            `{}, policyTypes: [${directions.join(", ")}]) plus policies allowing the traffic the ` +
                            `workload needs${deprecation}`,
                    });
                } else if (pending) {
                    ev.unknown(pending);
                }
            }
        }
    },
});
