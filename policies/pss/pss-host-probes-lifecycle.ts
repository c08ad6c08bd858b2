import { definePssCheck, eachContainer, known, show, unchangedSince } from "../../src/pss/standard";

/** v1.34: the check appears. */
const VERSIONS = unchangedSince("v1.34");

const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;
const HOOKS = ["postStart", "preStop"] as const;
const HANDLERS = ["httpGet", "tcpSocket"] as const;

/** Baseline (v1.34+): probes and lifecycle hooks must not target another host. */
export const hostProbesAndLifecycle = definePssCheck({
    name: "pss-host-probes-lifecycle",
    checkId: "hostProbesAndHostLifecycle",
    level: "baseline",
    displayName: "Probes and lifecycle hooks stay on the pod",
    description:
        "Probes and lifecycle hooks must not set httpGet.host or tcpSocket.host: the kubelet would connect to " +
        "another host on the pod's behalf.",
    severity: "medium",
    topics: ["network"],
    versions: VERSIONS,
    remediationSteps:
        "Remove the host field from httpGet and tcpSocket handlers in livenessProbe, readinessProbe, startupProbe " +
        "and lifecycle hooks; they then target the pod's own IP.",
    check(pod, ev) {
        eachContainer(pod, ev, (c) => {
            const handlers = [
                ...PROBES.map((p) => c.field.get(p)),
                ...HOOKS.map((h) => c.field.get("lifecycle").get(h)),
            ];
            for (const handler of handlers) {
                for (const kind of HANDLERS) {
                    const host = known(ev, handler.get(kind).get("host"), c);
                    if (host?.isPresent && host.value !== "") {
                        ev.violation({
                            at: host,
                            container: c,
                            problem: `host is ${show(host)}`,
                            fix: "remove the host field so the check targets the pod itself",
                        });
                    }
                }
            }
        });
    },
});
