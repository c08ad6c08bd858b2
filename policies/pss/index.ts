// The 19 checks of the Pod Security Standards, baseline first, in the admission controller's terms.

import { allowPrivilegeEscalation } from "./pss-allow-privilege-escalation";
import { appArmor } from "./pss-apparmor";
import { capabilitiesBaseline } from "./pss-capabilities-baseline";
import { capabilitiesRestricted } from "./pss-capabilities-restricted";
import { hostNamespaces } from "./pss-host-namespaces";
import { hostPathVolumes } from "./pss-host-path-volumes";
import { hostPorts } from "./pss-host-ports";
import { hostProbesAndLifecycle } from "./pss-host-probes-lifecycle";
import { privileged } from "./pss-privileged";
import { procMountBaseline } from "./pss-proc-mount-baseline";
import { procMountRestricted } from "./pss-proc-mount-restricted";
import { restrictedVolumes } from "./pss-restricted-volumes";
import { runAsNonRoot } from "./pss-run-as-non-root";
import { runAsUser } from "./pss-run-as-user";
import { seccompBaseline } from "./pss-seccomp-baseline";
import { seccompRestricted } from "./pss-seccomp-restricted";
import { seLinux } from "./pss-selinux";
import { sysctls } from "./pss-sysctls";
import { windowsHostProcess } from "./pss-windows-host-process";

export const baselinePolicies = [
    hostNamespaces,
    privileged,
    capabilitiesBaseline,
    hostPathVolumes,
    hostPorts,
    hostProbesAndLifecycle,
    appArmor,
    seLinux,
    procMountBaseline,
    seccompBaseline,
    sysctls,
    windowsHostProcess,
] as const;

export const restrictedPolicies = [
    restrictedVolumes,
    allowPrivilegeEscalation,
    runAsNonRoot,
    runAsUser,
    seccompRestricted,
    capabilitiesRestricted,
    procMountRestricted,
] as const;

export {
    allowPrivilegeEscalation,
    appArmor,
    capabilitiesBaseline,
    capabilitiesRestricted,
    hostNamespaces,
    hostPathVolumes,
    hostPorts,
    hostProbesAndLifecycle,
    privileged,
    procMountBaseline,
    procMountRestricted,
    restrictedVolumes,
    runAsNonRoot,
    runAsUser,
    seccompBaseline,
    seccompRestricted,
    seLinux,
    sysctls,
    windowsHostProcess,
};
