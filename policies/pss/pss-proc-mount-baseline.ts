import { checkProcMount } from "../../src/pss/proc-mount";
import { definePssCheck, type PodExemptions, type VersionedRule } from "../../src/pss/standard";

/** v1.0: the check appears. v1.35: pods in a user namespace (hostUsers: false) are exempt. */
const VERSIONS: readonly VersionedRule<PodExemptions>[] = [
    { since: "v1.0", rule: { userNamespaceExempt: false } },
    { since: "v1.35", rule: { userNamespaceExempt: true } },
];

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
    versions: VERSIONS,
    remediationSteps:
        'Remove securityContext.procMount or set it to "Default". From v1.35, a pod that needs an unmasked /proc can ' +
        "run in a user namespace (spec.hostUsers: false) under the baseline profile.",
    check: checkProcMount,
});
