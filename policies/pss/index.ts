// The 19 checks of the Pod Security Standards, baseline first, in the admission controller's terms.

import { allowPrivilegeEscalation } from "./allow-privilege-escalation";
import { appArmor } from "./apparmor";
import { capabilitiesBaseline } from "./capabilities-baseline";
import { capabilitiesRestricted } from "./capabilities-restricted";
import { hostNamespaces } from "./host-namespaces";
import { hostPathVolumes } from "./host-path-volumes";
import { hostPorts } from "./host-ports";
import { hostProbesAndLifecycle } from "./host-probes-lifecycle";
import { privileged } from "./privileged";
import { procMountBaseline, procMountRestricted } from "./proc-mount";
import { restrictedVolumes } from "./restricted-volumes";
import { runAsNonRoot } from "./run-as-non-root";
import { runAsUser } from "./run-as-user";
import { seccompBaseline } from "./seccomp-baseline";
import { seccompRestricted } from "./seccomp-restricted";
import { seLinux } from "./selinux";
import { sysctls } from "./sysctls";
import { windowsHostProcess } from "./windows-host-process";

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
    allowPrivilegeEscalation, appArmor, capabilitiesBaseline, capabilitiesRestricted, hostNamespaces, hostPathVolumes, hostPorts,
    hostProbesAndLifecycle, privileged, procMountBaseline, procMountRestricted, restrictedVolumes, runAsNonRoot, runAsUser,
    seccompBaseline, seccompRestricted, seLinux, sysctls, windowsHostProcess,
};
