// Policies over the stack as a whole and over Kubernetes objects other than pods.

import { hostPathPersistentVolumes } from "./host-path-persistent-volumes";
import { legacyServiceAccountTokenSecrets } from "./legacy-service-account-token-secrets";
import { namespacePodSecurity } from "./namespace-pod-security";
import { networkIsolation } from "./network-isolation";
import { serviceAccountTokenAutomount } from "./service-account-token-automount";
import { serviceExternalIps } from "./service-external-ips";

/** Policies that judge the whole stack (AnalyzeStack, on outputs). */
export const stackPolicies = [
    networkIsolation,
    namespacePodSecurity,
    serviceAccountTokenAutomount,
    hostPathPersistentVolumes,
] as const;

/** Policies that judge one Kubernetes object other than a pod (a Secret, a Service). */
export const clusterObjectPolicies = [legacyServiceAccountTokenSecrets, serviceExternalIps] as const;

export {
    hostPathPersistentVolumes,
    legacyServiceAccountTokenSecrets,
    namespacePodSecurity,
    networkIsolation,
    serviceAccountTokenAutomount,
    serviceExternalIps,
};
