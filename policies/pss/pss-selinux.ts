import { type Evaluation } from "../../src/framework/policy";
import { type Field } from "../../src/framework/field";
import { type ContainerRef } from "../../src/kubernetes/workload";
import {
    cumulativeVariants,
    definePssCheck,
    eachContainer,
    known,
    type PssVersion,
    show,
    type VersionedRule,
} from "../../src/pss/standard";

/** SELinux types allowed from each version on, in addition to the previous ones ("" is an unset type). */
const TYPES_ADDED: readonly (readonly [PssVersion, readonly string[]])[] = [
    ["v1.0", ["", "container_t", "container_init_t", "container_kvm_t"]],
    ["v1.31", ["container_engine_t"]],
];

/** v1.0: the container types. v1.31: container_engine_t is allowed too. */
const VERSIONS: readonly VersionedRule<{ types: ReadonlySet<string> }>[] = cumulativeVariants(TYPES_ADDED).map(
    ({ since, rule }) => ({ since, rule: { types: new Set(rule) } }),
);

function checkOptions(
    ev: Evaluation<unknown>,
    options: Field,
    types: ReadonlySet<string>,
    container?: ContainerRef,
): void {
    const type = known(ev, options.get("type"), container);
    if (type?.isPresent && !(typeof type.value === "string" && types.has(type.value))) {
        ev.violation({
            at: type,
            container,
            problem: `SELinux type is ${show(type.value)}`,
            fix: `remove seLinuxOptions.type or use one of ${[...types].filter(Boolean).join(", ")}`,
        });
    }
    for (const key of ["user", "role"]) {
        const f = known(ev, options.get(key), container);
        if (f?.isPresent && f.value !== "") {
            ev.violation({
                at: f,
                container,
                problem: `SELinux ${key} is ${show(f.value)}`,
                fix: `remove seLinuxOptions.${key}`,
            });
        }
    }
}

/** Baseline: no custom SELinux user or role, and only the container types. */
export const seLinux = definePssCheck({
    name: "pss-selinux",
    checkId: "seLinuxOptions",
    level: "baseline",
    displayName: "No custom SELinux options",
    description:
        "Pods and containers must not set a custom SELinux user or role, and the SELinux type may only be " +
        "container_t, container_init_t, container_kvm_t or (from v1.31) container_engine_t.",
    severity: "high",
    topics: ["selinux", "isolation"],
    versions: VERSIONS,
    remediationSteps:
        "Remove seLinuxOptions.user and seLinuxOptions.role, and remove seLinuxOptions.type or set it to an allowed " +
        "container type.",
    check(pod, ev, { types }) {
        checkOptions(ev, pod.securityContext.get("seLinuxOptions"), types);
        eachContainer(pod, ev, (c) => checkOptions(ev, c.field.at("securityContext", "seLinuxOptions"), types, c));
    },
});
