import { definePssCheck, eachContainer, known, unchangedSince } from "../../src/pss/standard";

/** v1.0: the check appears; no version has changed it since. */
const VERSIONS = unchangedSince("v1.0");

/** Baseline: no Windows HostProcess containers. */
export const windowsHostProcess = definePssCheck({
    name: "pss-windows-host-process",
    checkId: "windowsHostProcess",
    level: "baseline",
    displayName: "No Windows HostProcess",
    description:
        "Windows pods and containers must not run as HostProcess containers, which have full access to the Windows " +
        "node.",
    severity: "critical",
    topics: ["windows", "host-access", "privilege"],
    versions: VERSIONS,
    remediationSteps:
        "Remove securityContext.windowsOptions.hostProcess at pod and container level, or set it to false.",
    check(pod, ev) {
        const podFlag = known(ev, pod.securityContext.at("windowsOptions", "hostProcess"));
        if (podFlag?.value === true) {
            ev.violation({
                at: podFlag,
                problem: "hostProcess is true",
                fix: "remove windowsOptions.hostProcess or set it to false",
            });
        }
        eachContainer(pod, ev, (c) => {
            const f = known(ev, c.field.at("securityContext", "windowsOptions", "hostProcess"), c);
            if (f?.value === true) {
                ev.violation({
                    at: f,
                    container: c,
                    problem: "hostProcess is true",
                    fix: "remove windowsOptions.hostProcess or set it to false",
                });
            }
        });
    },
});
