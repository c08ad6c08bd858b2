import { type Evaluation } from "../../src/framework/policy";
import { type Field } from "../../src/framework/field";
import { type ContainerRef } from "../../src/kubernetes/workload";
import { array, option, string } from "../../src/framework/options";
import {
    allowedByOption,
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
    ev: Evaluation<{ allowedTypes: string[] }>,
    options: Field,
    types: ReadonlySet<string>,
    container?: ContainerRef,
): void {
    const type = known(ev, options.get("type"), container);
    if (type?.isPresent && !(typeof type.value === "string" && types.has(type.value))) {
        const problem = `SELinux type is ${show(type)}`;
        if (typeof type.value === "string" && ev.options.allowedTypes.includes(type.value)) {
            allowedByOption(ev, { at: type, container, problem, option: "allowedTypes" });
        } else {
            ev.violation({
                at: type,
                container,
                problem,
                fix: `remove seLinuxOptions.type or use one of ${[...types].filter(Boolean).join(", ")}`,
            });
        }
    }
    checkUserAndRole(ev, options, container);
}

function checkUserAndRole(ev: Evaluation<unknown>, options: Field, container?: ContainerRef): void {
    for (const key of ["user", "role"]) {
        const f = known(ev, options.get(key), container);
        if (f?.isPresent && f.value !== "") {
            ev.violation({
                at: f,
                container,
                problem: `SELinux ${key} is ${show(f)}`,
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
        "container type. Where a workload needs another type and it is accepted (e.g. a policy module's " +
        "container_logreader_t), list it in the allowedTypes option: it is then reported as an advisory naming the " +
        "option (the admission controller still rejects it at the baseline level).",
    options: {
        allowedTypes: option(
            array(
                string({
                    description: "An SELinux type, e.g. container_logreader_t",
                    pattern: "^[^\\s:]+$",
                    patternHint: "write one SELinux type, without spaces or colons",
                }),
                {
                    description:
                        "SELinux types to allow besides the standard's, matched exactly. A type allowed this way is " +
                        "reported as an advisory naming the option; user and role are still judged. Empty: only the " +
                        "standard's types, as in the standard.",
                },
            ),
            [] as string[],
        ),
    },
    check(pod, ev, { types }) {
        checkOptions(ev, pod.securityContext.get("seLinuxOptions"), types);
        eachContainer(pod, ev, (c) => checkOptions(ev, c.field.at("securityContext", "seLinuxOptions"), types, c));
    },
});
