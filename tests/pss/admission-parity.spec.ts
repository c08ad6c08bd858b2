// Parity with the Kubernetes pod-security admission controller: pods written from the Pod Security
// Standards, the verdict (failing check IDs) the admission controller gives at each level and
// policy version, and the pack's verdict computed from its policies' mandatory violations. Each
// case also runs with every option of every policy written out at its default: the pack's own
// options (exceptions such as allowedHostPaths) are off by default, so the findings must not change.

import * as assert from "assert";
import { type TestResource } from "../../testkit";
import { EXPLICIT_DEFAULTS, type Level, type Version, pssViolations, verdictOf } from "../support/psa";
import { workloadProps } from "../support/workloads";

type Obj = Record<string, unknown>;

const VERSIONS: Version[] = [
    0,
    7,
    8,
    18,
    19,
    21,
    22,
    23,
    24,
    25,
    26,
    27,
    28,
    29,
    30,
    31,
    32,
    33,
    34,
    35,
    36,
    37,
    99,
    "latest",
];
const minor = (v: Version) => (v === "latest" ? 37 : Math.min(v, 37));
const range = (lo: number, hi = Infinity) => VERSIONS.filter((v) => minor(v) >= lo && minor(v) <= hi);
const ALL = VERSIONS;

const B0 = (): Obj => ({ containers: [{ name: "c", image: "i" }] });
const R0 = (): Obj => ({
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    containers: [
        {
            name: "c",
            image: "i",
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        },
    ],
});

/** Deep-merges `patch` into `base` (arrays are replaced). */
function merge(base: Obj, patch: Obj): Obj {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(patch)) {
        const b = out[k];
        out[k] =
            v && typeof v === "object" && !Array.isArray(v) && b && typeof b === "object" && !Array.isArray(b)
                ? merge(b as Obj, v as Obj)
                : v;
    }
    return out;
}

/** Sets fields on the first container. */
function c0(spec: Obj, fields: Obj): Obj {
    const containers = [...(spec.containers as Obj[])];
    containers[0] = merge(containers[0], fields);
    return { ...spec, containers };
}

const podOf = (spec: Obj, annotations?: Obj): TestResource => ({
    type: "kubernetes:core/v1:Pod",
    name: "p",
    props: workloadProps("kubernetes:core/v1:Pod", spec, annotations ? { annotations } : {}),
});
const ofType = (type: string, spec: Obj, annotations?: Obj, ownAnnotations?: Obj): TestResource => ({
    type,
    name: "w",
    props: workloadProps(type, spec, annotations ? { annotations } : {}, {
        name: "w",
        namespace: "ns",
        ...(ownAnnotations && { annotations: ownAnnotations }),
    }),
});

interface Vector {
    id: number;
    title: string;
    resource: TestResource;
    expect: [Level, Version[], string[]][];
}

const BASE_R: [Level, Version[], string[]][] = [
    ["restricted", range(0, 7), ["runAsNonRoot"]],
    ["restricted", range(8, 18), ["allowPrivilegeEscalation", "runAsNonRoot"]],
    ["restricted", range(19, 21), ["allowPrivilegeEscalation", "runAsNonRoot", "seccompProfile_restricted"]],
    [
        "restricted",
        range(22),
        ["allowPrivilegeEscalation", "capabilities_restricted", "runAsNonRoot", "seccompProfile_restricted"],
    ],
];

const vectors: Vector[] = [
    { id: 1, title: "minimal pod", resource: podOf(B0()), expect: [["baseline", ALL, []], ...BASE_R] },
    {
        id: 2,
        title: "restricted-compliant pod",
        resource: podOf(R0()),
        expect: [
            ["baseline", ALL, []],
            ["restricted", ALL, []],
        ],
    },
    {
        id: 3,
        title: "hostNetwork",
        resource: podOf({ ...B0(), hostNetwork: true }),
        expect: [["baseline", ALL, ["hostNamespaces"]]],
    },
    {
        id: 4,
        title: "hostPID/hostIPC false",
        resource: podOf({ ...B0(), hostPID: false, hostIPC: false }),
        expect: [["baseline", ALL, []]],
    },
    {
        id: 5,
        title: "privileged",
        resource: podOf(c0(B0(), { securityContext: { privileged: true } })),
        expect: [["baseline", ALL, ["privileged"]]],
    },
    {
        id: 5.1,
        title: "privileged false",
        resource: podOf(c0(B0(), { securityContext: { privileged: false } })),
        expect: [["baseline", ALL, []]],
    },
    {
        id: 6,
        title: "privileged init container",
        resource: podOf({
            ...B0(),
            initContainers: [{ name: "i", image: "i", securityContext: { privileged: true } }],
        }),
        expect: [["baseline", ALL, ["privileged"]]],
    },
    {
        id: 7,
        title: "hostPort 0",
        resource: podOf(c0(B0(), { ports: [{ containerPort: 80, hostPort: 0 }] })),
        expect: [["baseline", ALL, []]],
    },
    {
        id: 8,
        title: "hostPort 8080",
        resource: podOf(c0(B0(), { ports: [{ containerPort: 80, hostPort: 8080 }] })),
        expect: [["baseline", ALL, ["hostPorts"]]],
    },
    {
        id: 9,
        title: "ephemeral container hostPort",
        resource: podOf({
            ...B0(),
            ephemeralContainers: [{ name: "e", image: "i", ports: [{ containerPort: 1, hostPort: 8080 }] }],
        }),
        expect: [["baseline", ALL, ["hostPorts"]]],
    },
    {
        id: 10,
        title: "add NET_RAW",
        resource: podOf(c0(B0(), { securityContext: { capabilities: { add: ["NET_RAW"] } } })),
        expect: [["baseline", ALL, ["capabilities_baseline"]]],
    },
    {
        id: 11.1,
        title: "add chown (lower case)",
        resource: podOf(c0(B0(), { securityContext: { capabilities: { add: ["chown"] } } })),
        expect: [["baseline", ALL, ["capabilities_baseline"]]],
    },
    {
        id: 11.2,
        title: "add CAP_CHOWN",
        resource: podOf(c0(B0(), { securityContext: { capabilities: { add: ["CAP_CHOWN"] } } })),
        expect: [["baseline", ALL, ["capabilities_baseline"]]],
    },
    {
        id: 11.3,
        title: "add ALL",
        resource: podOf(c0(B0(), { securityContext: { capabilities: { add: ["ALL"] } } })),
        expect: [["baseline", ALL, ["capabilities_baseline"]]],
    },
    {
        id: 12,
        title: "add CHOWN",
        resource: podOf(c0(B0(), { securityContext: { capabilities: { add: ["CHOWN"] } } })),
        expect: [["baseline", ALL, []]],
    },
    {
        id: 13,
        title: "restricted + add CHOWN",
        resource: podOf(c0(R0(), { securityContext: { capabilities: { add: ["CHOWN"] } } })),
        expect: [
            ["restricted", range(0, 21), []],
            ["restricted", range(22), ["capabilities_restricted"]],
        ],
    },
    {
        id: 14,
        title: "restricted + add NET_BIND_SERVICE",
        resource: podOf(c0(R0(), { securityContext: { capabilities: { add: ["NET_BIND_SERVICE"] } } })),
        expect: [["restricted", ALL, []]],
    },
    {
        id: 15,
        title: "drop all (lower case)",
        resource: podOf(c0(R0(), { securityContext: { capabilities: { drop: ["all"] } } })),
        expect: [
            ["restricted", range(0, 21), []],
            ["restricted", range(22), ["capabilities_restricted"]],
        ],
    },
    {
        id: 16,
        title: "capabilities {}",
        resource: podOf({
            ...R0(),
            containers: [
                { name: "c", image: "i", securityContext: { allowPrivilegeEscalation: false, capabilities: {} } },
            ],
        }),
        expect: [
            ["baseline", ALL, []],
            ["restricted", range(22), ["capabilities_restricted"]],
        ],
    },
    {
        id: 17,
        title: "drop each capability but not ALL",
        resource: podOf(c0(R0(), { securityContext: { capabilities: { drop: ["NET_RAW", "SYS_ADMIN", "CHOWN"] } } })),
        expect: [["restricted", range(22), ["capabilities_restricted"]]],
    },
    {
        id: 18,
        title: "restricted + add NET_RAW",
        resource: podOf(c0(R0(), { securityContext: { capabilities: { add: ["NET_RAW"] } } })),
        expect: [
            ["restricted", range(0, 21), ["capabilities_baseline"]],
            ["restricted", range(22), ["capabilities_restricted"]],
        ],
    },
    {
        id: 19.1,
        title: "hostPath volume (baseline)",
        resource: podOf({ ...B0(), volumes: [{ name: "h", hostPath: { path: "/" } }] }),
        expect: [["baseline", ALL, ["hostPathVolumes"]]],
    },
    {
        id: 19.2,
        title: "hostPath volume (restricted)",
        resource: podOf({ ...R0(), volumes: [{ name: "h", hostPath: { path: "/" } }] }),
        expect: [["restricted", ALL, ["restrictedVolumes"]]],
    },
    {
        id: 20,
        title: "image volume",
        resource: podOf({ ...R0(), volumes: [{ name: "v", image: { reference: "r" } }] }),
        expect: [["restricted", ALL, []]],
    },
    {
        id: 21,
        title: "nfs volume",
        resource: podOf({ ...R0(), volumes: [{ name: "v", nfs: { server: "s", path: "/" } }] }),
        expect: [
            ["baseline", ALL, []],
            ["restricted", ALL, ["restrictedVolumes"]],
        ],
    },
    {
        id: 22,
        // The API server defaults a volume without a source to emptyDir before admission runs.
        title: "volume without source",
        resource: podOf({ ...R0(), volumes: [{ name: "v" }] }),
        expect: [
            ["baseline", ALL, []],
            ["restricted", ALL, []],
        ],
    },
    {
        id: 23,
        title: "configMap + hostPath volume",
        resource: podOf({ ...R0(), volumes: [{ name: "v", configMap: { name: "m" }, hostPath: { path: "/" } }] }),
        expect: [
            ["baseline", ALL, ["hostPathVolumes"]],
            ["restricted", ALL, []],
        ],
    },
    {
        id: 24,
        title: "liveness probe host",
        resource: podOf(c0(B0(), { livenessProbe: { httpGet: { host: "10.0.0.1", port: 80 } } })),
        expect: [
            ["baseline", range(0, 33), []],
            ["baseline", range(34), ["hostProbesAndHostLifecycle"]],
        ],
    },
    {
        id: 25.1,
        title: "readiness tcpSocket localhost",
        resource: podOf(c0(B0(), { readinessProbe: { tcpSocket: { host: "localhost", port: 80 } } })),
        expect: [["baseline", range(34), ["hostProbesAndHostLifecycle"]]],
    },
    {
        id: 25.2,
        title: "readiness tcpSocket empty host",
        resource: podOf(c0(B0(), { readinessProbe: { tcpSocket: { host: "", port: 80 } } })),
        expect: [["baseline", ALL, []]],
    },
    {
        id: 26,
        title: "preStop loopback host",
        resource: podOf(c0(B0(), { lifecycle: { preStop: { httpGet: { host: "127.0.0.1", port: 80 } } } })),
        expect: [["baseline", range(34), ["hostProbesAndHostLifecycle"]]],
    },
    {
        id: 27,
        title: "grpc probe and sleep hook",
        resource: podOf(
            c0(B0(), { startupProbe: { grpc: { port: 9000 } }, lifecycle: { postStart: { sleep: { seconds: 1 } } } }),
        ),
        expect: [["baseline", ALL, []]],
    },
    {
        id: 28,
        title: "AppArmor annotation unconfined",
        resource: podOf(B0(), { "container.apparmor.security.beta.kubernetes.io/c": "unconfined" }),
        expect: [["baseline", ALL, ["appArmorProfile"]]],
    },
    {
        id: 29.1,
        title: "AppArmor annotation runtime/default",
        resource: podOf(B0(), { "container.apparmor.security.beta.kubernetes.io/c": "runtime/default" }),
        expect: [["baseline", ALL, []]],
    },
    {
        id: 29.2,
        title: "AppArmor annotation localhost/p",
        resource: podOf(B0(), { "container.apparmor.security.beta.kubernetes.io/c": "localhost/p" }),
        expect: [["baseline", ALL, []]],
    },
    {
        id: 29.3,
        title: "AppArmor annotation empty",
        resource: podOf(B0(), { "container.apparmor.security.beta.kubernetes.io/c": "" }),
        expect: [["baseline", ALL, []]],
    },
    {
        id: 30,
        title: "AppArmor annotation for a missing container",
        resource: podOf(B0(), { "container.apparmor.security.beta.kubernetes.io/ghost": "unconfined" }),
        expect: [["baseline", ALL, ["appArmorProfile"]]],
    },
    {
        id: 31,
        title: "pod AppArmor Unconfined",
        resource: podOf({ ...B0(), securityContext: { appArmorProfile: { type: "Unconfined" } } }),
        expect: [["baseline", ALL, ["appArmorProfile"]]],
    },
    {
        id: 31.1,
        title: "pod AppArmor empty type",
        resource: podOf({ ...B0(), securityContext: { appArmorProfile: { type: "" } } }),
        expect: [["baseline", ALL, ["appArmorProfile"]]],
    },
    {
        id: 32,
        title: "container AppArmor Localhost",
        resource: podOf(
            c0(B0(), { securityContext: { appArmorProfile: { type: "Localhost", localhostProfile: "p" } } }),
        ),
        expect: [["baseline", ALL, []]],
    },
    {
        id: 33.1,
        title: "procMount Unmasked (baseline)",
        resource: podOf(c0(B0(), { securityContext: { procMount: "Unmasked" } })),
        expect: [["baseline", ALL, ["procMount"]]],
    },
    {
        id: 33.2,
        title: "procMount Unmasked (restricted)",
        resource: podOf(c0(R0(), { securityContext: { procMount: "Unmasked" } })),
        expect: [
            ["restricted", range(0, 34), ["procMount"]],
            ["restricted", range(35), ["procMount_restricted"]],
        ],
    },
    {
        id: 34.1,
        title: "procMount Unmasked in a user namespace (baseline)",
        resource: podOf(c0({ ...B0(), hostUsers: false }, { securityContext: { procMount: "Unmasked" } })),
        expect: [
            ["baseline", range(0, 34), ["procMount"]],
            ["baseline", range(35), []],
        ],
    },
    {
        id: 34.2,
        title: "procMount Unmasked in a user namespace (restricted)",
        resource: podOf(c0({ ...R0(), hostUsers: false }, { securityContext: { procMount: "Unmasked" } })),
        expect: [
            ["restricted", range(0, 34), ["procMount"]],
            ["restricted", range(35), ["procMount_restricted"]],
        ],
    },
    {
        id: 35,
        title: "procMount Default",
        resource: podOf(c0(R0(), { securityContext: { procMount: "Default" } })),
        expect: [
            ["baseline", ALL, []],
            ["restricted", ALL, []],
        ],
    },
    {
        id: 36,
        title: "SELinux container_engine_t",
        resource: podOf(c0(B0(), { securityContext: { seLinuxOptions: { type: "container_engine_t" } } })),
        expect: [
            ["baseline", range(0, 30), ["seLinuxOptions"]],
            ["baseline", range(31), []],
        ],
    },
    {
        id: 37.1,
        title: "SELinux empty type",
        resource: podOf({ ...B0(), securityContext: { seLinuxOptions: { type: "" } } }),
        expect: [["baseline", ALL, []]],
    },
    {
        id: 37.2,
        title: "SELinux empty options",
        resource: podOf({ ...B0(), securityContext: { seLinuxOptions: {} } }),
        expect: [["baseline", ALL, []]],
    },
    {
        id: 37.3,
        title: "SELinux level only",
        resource: podOf({ ...B0(), securityContext: { seLinuxOptions: { level: "s0:c1,c2" } } }),
        expect: [["baseline", ALL, []]],
    },
    {
        id: 38,
        title: "SELinux user",
        resource: podOf({ ...B0(), securityContext: { seLinuxOptions: { user: "system_u" } } }),
        expect: [["baseline", ALL, ["seLinuxOptions"]]],
    },
    {
        id: 39,
        title: "SELinux spc_t",
        resource: podOf(c0(B0(), { securityContext: { seLinuxOptions: { type: "spc_t" } } })),
        expect: [["baseline", ALL, ["seLinuxOptions"]]],
    },
    {
        id: 40,
        title: "seccomp pod annotation unconfined",
        resource: podOf(B0(), { "seccomp.security.alpha.kubernetes.io/pod": "unconfined" }),
        expect: [
            ["baseline", range(0, 18), ["seccompProfile_baseline"]],
            ["baseline", range(19), []],
        ],
    },
    {
        id: 41,
        title: "seccomp container annotation docker/default",
        resource: podOf(B0(), { "container.seccomp.security.alpha.kubernetes.io/c": "docker/default" }),
        expect: [["baseline", ALL, []]],
    },
    {
        id: 42,
        title: "seccomp container annotation empty",
        resource: podOf(B0(), { "container.seccomp.security.alpha.kubernetes.io/c": "" }),
        expect: [
            ["baseline", range(0, 18), ["seccompProfile_baseline"]],
            ["baseline", range(19), []],
        ],
    },
    {
        id: 43,
        title: "seccomp annotation for a missing container",
        resource: podOf(B0(), { "container.seccomp.security.alpha.kubernetes.io/ghost": "unconfined" }),
        expect: [["baseline", ALL, []]],
    },
    {
        id: 44,
        title: "pod seccomp Unconfined",
        resource: podOf({ ...B0(), securityContext: { seccompProfile: { type: "Unconfined" } } }),
        expect: [
            ["baseline", range(0, 18), []],
            ["baseline", range(19), ["seccompProfile_baseline"]],
        ],
    },
    {
        id: 45,
        title: "container seccomp Unconfined",
        resource: podOf(c0(R0(), { securityContext: { seccompProfile: { type: "Unconfined" } } })),
        expect: [
            ["baseline", range(0, 18), []],
            ["baseline", range(19), ["seccompProfile_baseline"]],
            ["restricted", range(19), ["seccompProfile_restricted"]],
        ],
    },
    {
        id: 46,
        title: "one container without seccomp, no pod default",
        resource: podOf({
            securityContext: { runAsNonRoot: true },
            containers: [
                {
                    name: "c1",
                    image: "i",
                    securityContext: {
                        allowPrivilegeEscalation: false,
                        capabilities: { drop: ["ALL"] },
                        seccompProfile: { type: "RuntimeDefault" },
                    },
                },
                {
                    name: "c2",
                    image: "i",
                    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                },
            ],
        }),
        expect: [
            ["baseline", ALL, []],
            ["restricted", range(19), ["seccompProfile_restricted"]],
        ],
    },
    {
        id: 47,
        title: "no seccomp before v1.19",
        resource: podOf({ ...R0(), securityContext: { runAsNonRoot: true } }),
        expect: [["restricted", range(0, 18), []]],
    },
    {
        id: 48,
        title: "pod seccomp empty type",
        resource: podOf({ ...B0(), securityContext: { seccompProfile: { type: "" } } }),
        expect: [["baseline", range(19), ["seccompProfile_baseline"]]],
    },
    {
        id: 49,
        title: "sysctl ip_local_reserved_ports",
        resource: podOf({
            ...B0(),
            securityContext: { sysctls: [{ name: "net.ipv4.ip_local_reserved_ports", value: "1" }] },
        }),
        expect: [
            ["baseline", range(0, 26), ["sysctls"]],
            ["baseline", range(27), []],
        ],
    },
    {
        id: 50,
        title: "sysctl tcp_keepalive_time",
        resource: podOf({
            ...B0(),
            securityContext: { sysctls: [{ name: "net.ipv4.tcp_keepalive_time", value: "1" }] },
        }),
        expect: [
            ["baseline", range(0, 28), ["sysctls"]],
            ["baseline", range(29), []],
        ],
    },
    {
        id: 51,
        title: "sysctl tcp_rmem",
        resource: podOf({ ...B0(), securityContext: { sysctls: [{ name: "net.ipv4.tcp_rmem", value: "1" }] } }),
        expect: [
            ["baseline", range(0, 31), ["sysctls"]],
            ["baseline", range(32), []],
        ],
    },
    {
        id: 52,
        title: "sysctl tcp_slow_start_after_idle",
        resource: podOf({
            ...B0(),
            securityContext: { sysctls: [{ name: "net.ipv4.tcp_slow_start_after_idle", value: "1" }] },
        }),
        expect: [
            ["baseline", range(0, 36), ["sysctls"]],
            ["baseline", range(37), []],
        ],
    },
    {
        id: 53,
        title: "sysctl kernel.msgmax",
        resource: podOf({ ...B0(), securityContext: { sysctls: [{ name: "kernel.msgmax", value: "1" }] } }),
        expect: [["baseline", ALL, ["sysctls"]]],
    },
    {
        id: 54,
        title: "pod hostProcess on Windows",
        resource: podOf({
            ...B0(),
            os: { name: "windows" },
            securityContext: { windowsOptions: { hostProcess: true } },
        }),
        expect: [["baseline", ALL, ["windowsHostProcess"]]],
    },
    {
        id: 55,
        title: "container hostProcess false",
        resource: podOf(c0(B0(), { securityContext: { windowsOptions: { hostProcess: false } } })),
        expect: [["baseline", ALL, []]],
    },
    {
        id: 56,
        title: "Windows pod with runAsNonRoot only",
        resource: podOf({
            os: { name: "windows" },
            securityContext: { runAsNonRoot: true },
            containers: [{ name: "c", image: "i" }],
        }),
        expect: [
            ["restricted", range(0, 7), []],
            ["restricted", range(8, 18), ["allowPrivilegeEscalation"]],
            ["restricted", range(19, 21), ["allowPrivilegeEscalation", "seccompProfile_restricted"]],
            [
                "restricted",
                range(22, 24),
                ["allowPrivilegeEscalation", "capabilities_restricted", "seccompProfile_restricted"],
            ],
            ["restricted", range(25), []],
        ],
    },
    {
        id: 57,
        title: "Windows pod without runAsNonRoot",
        resource: podOf({ os: { name: "windows" }, containers: [{ name: "c", image: "i" }] }),
        expect: [["restricted", range(25), ["runAsNonRoot"]]],
    },
    {
        id: 58,
        title: "os name Windows (capital W)",
        resource: podOf({
            os: { name: "Windows" },
            securityContext: { runAsNonRoot: true },
            containers: [{ name: "c", image: "i" }],
        }),
        expect: [
            [
                "restricted",
                range(25),
                ["allowPrivilegeEscalation", "capabilities_restricted", "seccompProfile_restricted"],
            ],
        ],
    },
    {
        id: 59,
        title: "pod runAsNonRoot unset, one container true and one unset",
        resource: podOf({
            securityContext: { seccompProfile: { type: "RuntimeDefault" } },
            containers: [
                {
                    name: "c1",
                    image: "i",
                    securityContext: {
                        runAsNonRoot: true,
                        allowPrivilegeEscalation: false,
                        capabilities: { drop: ["ALL"] },
                    },
                },
                {
                    name: "c2",
                    image: "i",
                    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                },
            ],
        }),
        expect: [["restricted", ALL, ["runAsNonRoot"]]],
    },
    {
        id: 60,
        title: "container runAsNonRoot false",
        resource: podOf(c0(R0(), { securityContext: { runAsNonRoot: false } })),
        expect: [["restricted", ALL, ["runAsNonRoot"]]],
    },
    {
        id: 61,
        title: "pod runAsNonRoot false, container true",
        resource: podOf(
            c0(merge(R0(), { securityContext: { runAsNonRoot: false } }), { securityContext: { runAsNonRoot: true } }),
        ),
        expect: [["restricted", ALL, ["runAsNonRoot"]]],
    },
    {
        id: 62,
        title: "every container kind sets runAsNonRoot",
        resource: podOf({
            securityContext: { seccompProfile: { type: "RuntimeDefault" } },
            initContainers: [
                {
                    name: "i",
                    image: "i",
                    securityContext: {
                        runAsNonRoot: true,
                        allowPrivilegeEscalation: false,
                        capabilities: { drop: ["ALL"] },
                    },
                },
            ],
            containers: [
                {
                    name: "c",
                    image: "i",
                    securityContext: {
                        runAsNonRoot: true,
                        allowPrivilegeEscalation: false,
                        capabilities: { drop: ["ALL"] },
                    },
                },
            ],
            ephemeralContainers: [
                {
                    name: "e",
                    image: "i",
                    securityContext: {
                        runAsNonRoot: true,
                        allowPrivilegeEscalation: false,
                        capabilities: { drop: ["ALL"] },
                    },
                },
            ],
        }),
        expect: [["restricted", ALL, []]],
    },
    {
        id: 63,
        title: "runAsNonRoot unset in a user namespace",
        resource: podOf({ ...R0(), hostUsers: false, securityContext: { seccompProfile: { type: "RuntimeDefault" } } }),
        expect: [
            ["restricted", range(0, 34), ["runAsNonRoot"]],
            ["restricted", range(35), []],
        ],
    },
    {
        id: 64,
        title: "pod runAsUser 0 overridden by containers",
        resource: podOf(
            c0(merge(R0(), { securityContext: { runAsUser: 0 } }), { securityContext: { runAsUser: 1000 } }),
        ),
        expect: [
            ["restricted", range(0, 22), []],
            ["restricted", range(23), ["runAsUser"]],
        ],
    },
    {
        id: 65,
        title: "pod runAsUser 0 in a user namespace",
        resource: podOf(
            c0(merge({ ...R0(), hostUsers: false }, { securityContext: { runAsUser: 0 } }), {
                securityContext: { runAsUser: 1000 },
            }),
        ),
        expect: [
            ["restricted", range(23, 34), ["runAsUser"]],
            ["restricted", range(35), []],
        ],
    },
    {
        id: 66,
        title: "init container runAsUser 0",
        resource: podOf({
            ...R0(),
            initContainers: [
                {
                    name: "i",
                    image: "i",
                    securityContext: { runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                },
            ],
        }),
        expect: [["restricted", range(23), ["runAsUser"]]],
    },
    {
        id: 67,
        title: "runAsGroup 0",
        resource: podOf(merge(R0(), { securityContext: { runAsGroup: 0 } })),
        expect: [["restricted", ALL, []]],
    },
    {
        id: 68,
        title: "allowPrivilegeEscalation true",
        resource: podOf(c0(R0(), { securityContext: { allowPrivilegeEscalation: true } })),
        expect: [
            ["restricted", range(0, 7), []],
            ["restricted", range(8), ["allowPrivilegeEscalation"]],
        ],
    },
    {
        id: 69,
        title: "user namespace does not relax capabilities",
        resource: podOf(
            c0({ ...B0(), hostUsers: false }, { securityContext: { capabilities: { add: ["SYS_ADMIN"] } } }),
        ),
        expect: [["baseline", ALL, ["capabilities_baseline"]]],
    },
    {
        id: 70,
        title: "no containers",
        resource: podOf({ containers: [] }),
        expect: [
            ["baseline", ALL, []],
            ["restricted", ALL, []],
        ],
    },
    {
        id: 71,
        title: "Deployment: only template annotations count",
        resource: ofType("kubernetes:apps/v1:Deployment", R0(), undefined, {
            "container.apparmor.security.beta.kubernetes.io/c": "unconfined",
        }),
        expect: [["baseline", ALL, []]],
    },
    {
        id: 72,
        title: "CronJob template annotation",
        resource: ofType("kubernetes:batch/v1:CronJob", R0(), {
            "container.apparmor.security.beta.kubernetes.io/c": "unconfined",
        }),
        expect: [["baseline", ALL, ["appArmorProfile"]]],
    },
];

describe("Pod Security Standards: verdicts match the admission controller", () => {
    for (const v of vectors) {
        for (const [level, versions, failing] of v.expect) {
            it(
                `#${v.id} ${v.title}: ${level} at ${versions.map((x) => (x === "latest" ? x : `1.${x}`)).join(",")} ` +
                    `→ ` +
                    `${failing.length ? failing.join(", ") : "allowed"}`,
                async () => {
                    for (const version of versions) {
                        const plain = await pssViolations(v.resource, level, version);
                        assert.deepStrictEqual(
                            verdictOf(plain, level, version),
                            [...failing].sort(),
                            `${level} v1.${version}`,
                        );
                        assert.deepStrictEqual(
                            await pssViolations(v.resource, level, version, EXPLICIT_DEFAULTS),
                            plain,
                            `${level} v1.${version} with every option explicitly at its default`,
                        );
                    }
                },
            );
        }
    }
});
