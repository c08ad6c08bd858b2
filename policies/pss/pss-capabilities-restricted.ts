import {
    definePssCheck,
    eachContainer,
    known,
    type PodExemptions,
    show,
    type VersionedRule,
} from "../../src/pss/standard";

/** v1.22: the check appears (replacing capabilities_baseline at restricted). v1.25: Windows pods are exempt. */
const VERSIONS: readonly VersionedRule<PodExemptions>[] = [
    { since: "v1.22", rule: { windowsExempt: false } },
    { since: "v1.25", rule: { windowsExempt: true } },
];

/** Restricted (v1.22+): drop ALL capabilities; add back at most NET_BIND_SERVICE. */
export const capabilitiesRestricted = definePssCheck({
    name: "pss-capabilities-restricted",
    checkId: "capabilities_restricted",
    level: "restricted",
    displayName: "Drop all capabilities",
    description:
        'Containers must drop all capabilities (capabilities.drop contains "ALL", spelled exactly) and may add back ' +
        "only NET_BIND_SERVICE (Windows pods are exempt from v1.25).",
    severity: "medium",
    topics: ["capabilities", "privilege"],
    versions: VERSIONS,
    remediationSteps:
        'Set securityContext.capabilities.drop: ["ALL"] on every container and add back only NET_BIND_SERVICE if the ' +
        "process binds ports below 1024. " +
        'At the remediate level the pack adds "ALL" to drop (keeping what is listed in add): safe for workloads that ' +
        "run as non-root, which have no effective capabilities anyway; a process that starts as root and needs " +
        "e.g. CHOWN or SETUID must add those back explicitly. Capabilities in add are never removed " +
        "automatically.",
    remediate(pod, fix) {
        for (const c of pod.containers()) {
            const drop = c.field.at("securityContext", "capabilities", "drop");
            const items = drop.items();
            if (
                drop.isUnknown ||
                items.some((i) => i.isUnknown || i.value === "ALL") ||
                (drop.isAbsent && fix.isPatch) ||
                !(drop.isAbsent || drop.isArray)
            ) {
                continue;
            }
            const sc = fix.object(c.field, "securityContext");
            const caps = sc && fix.object(sc, "capabilities");
            if (caps) {
                fix.set(caps, "drop", [...items.map((i) => i.value), "ALL"]);
            }
        }
    },
    check(pod, ev) {
        eachContainer(pod, ev, (c) => {
            const caps = c.field.at("securityContext", "capabilities");
            const drop = known(ev, caps.get("drop"), c);
            if (drop) {
                const items = drop.items();
                const unknownItem = items.find((i) => i.isUnknown);
                if (!items.some((i) => i.value === "ALL")) {
                    if (unknownItem) {
                        ev.unknown(unknownItem, c);
                    } else {
                        ev.violation({
                            at: drop,
                            container: c,
                            missing: drop.isAbsent,
                            problem: drop.isAbsent
                                ? 'capabilities.drop is not set (it must contain "ALL")'
                                : `capabilities.drop ${show(drop)} does not contain "ALL"`,
                            fix: 'set securityContext.capabilities.drop to ["ALL"]',
                        });
                    }
                }
            }
            const add = known(ev, caps.get("add"), c);
            for (const item of add?.items() ?? []) {
                const cap = known(ev, item, c);
                if (cap && cap.value !== "NET_BIND_SERVICE") {
                    ev.violation({
                        at: cap,
                        container: c,
                        problem: `adds capability ${show(cap)}`,
                        fix: "remove it from securityContext.capabilities.add (only NET_BIND_SERVICE may be added)",
                    });
                }
            }
        });
    },
});
