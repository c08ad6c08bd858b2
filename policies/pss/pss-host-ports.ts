import { array, integer, object, option, refine } from "../../src/framework/options";
import { allowedByOption, definePssCheck, eachContainer, known, show, unchangedSince } from "../../src/pss/standard";

/** v1.0: the check appears; no version has changed it since. */
const VERSIONS = unchangedSince("v1.0");

/** One entry of allowedHostPorts: an inclusive range of ports. */
export interface HostPortRange {
    min: number;
    max: number;
}

const port = (what: string) =>
    integer({ description: `${what} port of the range (inclusive)`, minimum: 1, maximum: 65535 });

const hostPortRange = refine(
    object({ min: port("First"), max: port("Last") }, { required: ["min", "max"] }),
    (range, path, errors) => {
        if (range.min > range.max) {
            errors.push(`${path}: min (${range.min}) must not be greater than max (${range.max})`);
        }
    },
);

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
    remediationSteps:
        "Remove ports[].hostPort (or set it to 0) and expose the workload through a Service instead. Where a host " +
        "port is needed and accepted, list its range in the allowedHostPorts option: such ports are then reported " +
        "as advisories naming the option (the admission controller still rejects every host port at the baseline " +
        "level).",
    options: {
        allowedHostPorts: option(
            array(hostPortRange, {
                description:
                    "Host port ranges to allow, each { min, max } (inclusive; min = max for one port). An allowed " +
                    "port is reported as an advisory naming the range. Empty: every host port is a finding, as in " +
                    "the standard.",
            }),
            [] as HostPortRange[],
        ),
    },
    check(pod, ev) {
        const allowed = ev.options.allowedHostPorts;
        eachContainer(pod, ev, (c) => {
            const ports = known(ev, c.field.get("ports"), c);
            for (const p of ports?.items() ?? []) {
                const hostPort = known(ev, p.get("hostPort"), c);
                if (!hostPort?.isPresent || hostPort.value === 0) {
                    continue;
                }
                const value = hostPort.value;
                const i = allowed.findIndex((r) => typeof value === "number" && value >= r.min && value <= r.max);
                if (i >= 0) {
                    allowedByOption(ev, {
                        at: hostPort,
                        container: c,
                        problem: `hostPort is ${show(hostPort)}`,
                        option: `allowedHostPorts[${i}] (${allowed[i].min}-${allowed[i].max})`,
                    });
                    continue;
                }
                ev.violation({
                    at: hostPort,
                    container: c,
                    problem: `hostPort is ${show(hostPort)}`,
                    fix: "remove hostPort (or set it to 0) and use a Service",
                });
            }
        });
    },
});
