import { Evaluation } from "../../core/policy";
import { PodSpec } from "../../core/workload";
import { definePssCheck, eachContainer, known, show, unlessExempt, usesUserNamespace } from "./standard";

/** Reports every container whose procMount is set to something other than Default. */
function checkProcMount(pod: PodSpec, ev: Evaluation<unknown>, relaxForUserNamespaces: boolean): void {
    eachContainer(pod, ev, (c) => {
        const f = known(ev, c.field.at("securityContext", "procMount"), c);
        if (f?.isPresent && f.value !== "Default") {
            const report = () => ev.violation({ at: f, container: c, problem: `procMount is ${show(f.value)}`, fix: 'remove securityContext.procMount or set it to "Default"' });
            if (relaxForUserNamespaces) {
                unlessExempt(ev, usesUserNamespace(pod), pod.hostUsers, report);
            } else {
                report();
            }
        }
    });
}

/** Baseline: the default /proc mask; from v1.35 any procMount is allowed in a user namespace. */
export const procMountBaseline = definePssCheck({
    name: "pss-proc-mount-baseline",
    checkId: "procMount",
    level: "baseline",
    displayName: "Default /proc mount",
    description: "Containers must keep the default masked /proc mount (procMount unset or Default); from v1.35 pods with hostUsers: false may unmask it.",
    severity: "medium",
    topics: ["isolation"],
    remediationSteps: 'Remove securityContext.procMount or set it to "Default". From v1.35, a pod that needs an unmasked /proc can run in a user namespace (spec.hostUsers: false) under the baseline profile.',
    check(pod, ev, version) {
        checkProcMount(pod, ev, version >= 35);
    },
});

/** Restricted (v1.35+): the default /proc mount even in user namespaces. */
export const procMountRestricted = definePssCheck({
    name: "pss-proc-mount-restricted",
    checkId: "procMount_restricted",
    level: "restricted",
    displayName: "Default /proc mount (restricted)",
    description: "Containers must keep the default masked /proc mount (procMount unset or Default), also in user namespaces.",
    severity: "medium",
    topics: ["isolation"],
    since: 35,
    remediationSteps: 'Remove securityContext.procMount or set it to "Default".',
    check(pod, ev) {
        checkProcMount(pod, ev, false);
    },
});
