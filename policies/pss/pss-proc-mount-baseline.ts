import { definePssCheck } from "../../src/pss/standard";

import { checkProcMount } from "../../src/pss/proc-mount";

/** Baseline: the default /proc mask; from v1.35 any procMount is allowed in a user namespace. */
export const procMountBaseline = definePssCheck({
    name: "pss-proc-mount-baseline",
    checkId: "procMount",
    level: "baseline",
    displayName: "Default /proc mount",
    description:
        "Containers must keep the default masked /proc mount (procMount unset or Default); from v1.35 pods with " +
        "hostUsers: false may unmask it.",
    severity: "medium",
    topics: ["isolation"],
    remediationSteps:
        'Remove securityContext.procMount or set it to "Default". From v1.35, a pod that needs an unmasked /proc can ' +
        "run in a user namespace (spec.hostUsers: false) under the baseline profile.",
    check(pod, ev, version) {
        checkProcMount(pod, ev, version >= 35);
    },
});
