import { definePssCheck, known, unchangedSince } from "../../src/pss/standard";

/** v1.0: the check appears; no version has changed it since. */
const VERSIONS = unchangedSince("v1.0");

const HOST_NAMESPACES = ["hostNetwork", "hostPID", "hostIPC"] as const;

/** Baseline: pods must not share the host's network, PID or IPC namespace. */
export const hostNamespaces = definePssCheck({
    name: "pss-host-namespaces",
    checkId: "hostNamespaces",
    level: "baseline",
    displayName: "No host namespaces",
    description: "Pods must not share the host's network, process or IPC namespace (hostNetwork, hostPID, hostIPC).",
    severity: "high",
    topics: ["host-access"],
    versions: VERSIONS,
    remediationSteps: "Remove spec.hostNetwork, spec.hostPID and spec.hostIPC from the pod spec, or set them to false.",
    check(pod, ev) {
        for (const key of HOST_NAMESPACES) {
            const f = known(ev, pod.spec.get(key));
            if (f?.value === true) {
                ev.violation({ at: f, problem: `${key} is true`, fix: `remove ${key} or set it to false` });
            }
        }
    },
});
