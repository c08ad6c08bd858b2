import { definePssCheck, eachContainer, known, show, unchangedSince } from "../../src/pss/standard";

/** v1.0: the check appears; no version has changed it since. */
const VERSIONS = unchangedSince("v1.0");

/** Capabilities a baseline container may add (compared exactly, as the admission controller does). */
const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
]);

/** Baseline: added capabilities must come from the default container runtime set. */
export const capabilitiesBaseline = definePssCheck({
    name: "pss-capabilities-baseline",
    checkId: "capabilities_baseline",
    level: "baseline",
    displayName: "Only default capabilities added",
    description:
        "Containers may add only the capabilities a container runtime grants by default (AUDIT_WRITE, CHOWN, " +
        "DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, " +
        "SYS_CHROOT), spelled exactly so.",
    severity: "high",
    topics: ["capabilities", "privilege"],
    versions: VERSIONS,
    remediationSteps:
        "Remove other capabilities from securityContext.capabilities.add. Names are matched exactly as Kubernetes " +
        "does: write NET_BIND_SERVICE, not net_bind_service or CAP_NET_BIND_SERVICE (the runtime would still " +
        "grant odd spellings).",
    check(pod, ev) {
        eachContainer(pod, ev, (c) => {
            const add = known(ev, c.field.at("securityContext", "capabilities", "add"), c);
            for (const item of add?.items() ?? []) {
                const cap = known(ev, item, c);
                if (cap && !(typeof cap.value === "string" && BASELINE_CAPABILITIES.has(cap.value))) {
                    ev.violation({
                        at: cap,
                        container: c,
                        problem: `adds capability ${show(cap)}, which is not in the baseline set`,
                        fix:
                            "remove it from securityContext.capabilities.add (names must be spelled exactly, e.g. " +
                            "NET_BIND_SERVICE)",
                    });
                }
            }
        });
    },
});
