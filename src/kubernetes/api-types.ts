// The types the Kubernetes API gives the pod spec fields the pack's checks read. The API server
// decodes objects strictly: a field of the wrong type is rejected, never converted. How the checks
// judge such a value (see src/framework/api-types.ts): a boolean as its less safe setting (given
// here per field), `runAsUser` as 0, a scalar where a list belongs as a one-element list, anything
// else as a value the check cannot judge. docs/security.md lists these fields; keep it in step.

import { type ApiType, apiTypes } from "../framework/api-types";

const k = apiTypes("kubernetes");
const str = k.str();
const strings = k.list(str);

const seccompProfile = k.object({ type: str, localhostProfile: str });
const appArmorProfile = k.object({ type: str, localhostProfile: str });
const seLinuxOptions = k.object({ user: str, role: str, type: str, level: str });
const windowsOptions = k.object({
    hostProcess: k.bool(true),
    gmsaCredentialSpecName: str,
    gmsaCredentialSpec: str,
    runAsUserName: str,
});

/** A probe or lifecycle handler: only the fields that can make the kubelet connect elsewhere are typed. */
const handler = k.object({
    httpGet: k.object({ host: str, path: str, scheme: str }),
    tcpSocket: k.object({ host: str }),
    exec: k.object({ command: strings }),
});

const containerSecurityContext = k.object({
    privileged: k.bool(true),
    allowPrivilegeEscalation: k.bool(true),
    readOnlyRootFilesystem: k.bool(false),
    runAsNonRoot: k.bool(false),
    runAsUser: k.int(0),
    runAsGroup: k.int(0),
    procMount: str,
    capabilities: k.object({ add: strings, drop: k.list(str, "empty list") }),
    seccompProfile,
    appArmorProfile,
    seLinuxOptions,
    windowsOptions,
});

const container = k.object({
    name: str,
    image: str,
    imagePullPolicy: str,
    command: strings,
    args: strings,
    securityContext: containerSecurityContext,
    ports: k.list(k.object({ hostPort: k.int(), containerPort: k.int(), hostIP: str, name: str, protocol: str })),
    env: k.list(k.object({ name: str, value: str, valueFrom: k.object() })),
    volumeMounts: k.list(k.object({ name: str, mountPath: str, readOnly: k.bool(false), subPath: str })),
    livenessProbe: handler,
    readinessProbe: handler,
    startupProbe: handler,
    lifecycle: k.object({ postStart: handler, preStop: handler }),
});

const volume = k.object({
    name: str,
    hostPath: k.object({ path: str, type: str }),
    secret: k.object({ secretName: str }),
    configMap: k.object({ name: str }),
    emptyDir: k.object(),
    persistentVolumeClaim: k.object({ claimName: str, readOnly: k.bool(false) }),
    projected: k.object({
        sources: k.list(
            k.object({
                secret: k.object(),
                serviceAccountToken: k.object(),
                configMap: k.object(),
                downwardAPI: k.object(),
            }),
        ),
    }),
    csi: k.object({ driver: str, readOnly: k.bool(false) }),
    image: k.object({ reference: str, pullPolicy: str }),
});

const podSecurityContext = k.object({
    runAsNonRoot: k.bool(false),
    runAsUser: k.int(0),
    runAsGroup: k.int(0),
    fsGroup: k.int(0),
    supplementalGroups: k.list(k.int(0)),
    seccompProfile,
    appArmorProfile,
    seLinuxOptions,
    windowsOptions,
    // sysctl values are left to sysctl-value-injection, which judges numbers as their text.
    sysctls: k.list(k.object({ name: str })),
});

/** core/v1 PodSpec, as far as the checks read it. */
export const POD_SPEC: ApiType = k.object({
    hostNetwork: k.bool(true),
    hostPID: k.bool(true),
    hostIPC: k.bool(true),
    hostUsers: k.bool(true),
    automountServiceAccountToken: k.bool(true),
    os: k.object({ name: str }),
    securityContext: podSecurityContext,
    volumes: k.list(volume),
    containers: k.list(container),
    initContainers: k.list(container),
    ephemeralContainers: k.list(container),
});

/** meta/v1 ObjectMeta of a pod template. */
export const OBJECT_META: ApiType = k.object({
    name: str,
    namespace: str,
    labels: k.map(str),
    annotations: k.map(str),
});
