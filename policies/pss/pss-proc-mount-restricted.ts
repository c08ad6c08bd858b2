import { checkProcMount } from "../../src/pss/proc-mount";
import { definePssCheck, unchangedSince } from "../../src/pss/standard";

/** v1.35: the check appears (replacing procMount at restricted), with no user-namespace exemption. */
const VERSIONS = unchangedSince("v1.35");

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
    versions: VERSIONS,
    remediationSteps: 'Remove securityContext.procMount or set it to "Default".',
    check: checkProcMount,
});
