import { definePssCheck, eachContainer, known, show, unchangedSince } from "../../src/pss/standard";

/** v1.0: the check appears; no version has changed it since. */
const VERSIONS = unchangedSince("v1.0");

/** Baseline: no host ports. */
export const hostPorts = definePssCheck({
    name: "pss-host-ports",
    checkId: "hostPorts",
    level: "baseline",
    displayName: "No host ports",
    description:
        "Containers must not bind host ports (ports[].hostPort other than 0): host ports bypass network policy and " +
        "expose the node.",
    severity: "medium",
    topics: ["host-access", "network"],
    versions: VERSIONS,
    remediationSteps: "Remove ports[].hostPort (or set it to 0) and expose the workload through a Service instead.",
    check(pod, ev) {
        eachContainer(pod, ev, (c) => {
            const ports = known(ev, c.field.get("ports"), c);
            for (const port of ports?.items() ?? []) {
                const hostPort = known(ev, port.get("hostPort"), c);
                if (hostPort?.isPresent && hostPort.value !== 0) {
                    ev.violation({
                        at: hostPort,
                        container: c,
                        problem: `hostPort is ${show(hostPort.value)}`,
                        fix: "remove hostPort (or set it to 0) and use a Service",
                    });
                }
            }
        });
    },
});
