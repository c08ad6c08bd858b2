import { checkProcMount } from "../../src/pss/proc-mount";
import { definePssCheck } from "../../src/pss/standard";

/** Restricted (v1.35+): the default /proc mount even in user namespaces. */
export const procMountRestricted = definePssCheck({
    name: "pss-proc-mount-restricted",
    checkId: "procMount_restricted",
    level: "restricted",
    displayName: "Default /proc mount (restricted)",
    description:
        "Containers must keep the default masked /proc mount (procMount unset or Default), also in user namespaces.",
    severity: "medium",
    topics: ["isolation"],
    since: 35,
    remediationSteps: 'Remove securityContext.procMount or set it to "Default".',
    check(pod, ev) {
        checkProcMount(pod, ev, false);
    },
});
