import { normalizeCapability } from "../../src/docker/container";
import { defineDockerContainerPolicy } from "../../src/docker/container-policy";
import { nist800190 } from "../../src/framework/compliance";
import { show } from "../../src/framework/checks";

/** Recommended hardening: start from no capabilities and add back what is needed. */
export const dockerDropAllCapabilities = defineDockerContainerPolicy({
    name: "docker-drop-all-capabilities",
    displayName: "Docker containers drop all capabilities",
    description:
        "Docker containers and services must drop all capabilities (ALL in the dropped capabilities) and add back " +
        "only what they need.",
    severity: "medium",
    tags: ["docker", "capabilities", "privilege", "profile:restricted"],
    remediationSteps:
        'Set capabilities.drops: ["ALL"] (docker.Container) or taskSpec.containerSpec.capDrops: ["ALL"] ' +
        "(docker.Service), and add back only the capabilities the process needs, e.g. NET_BIND_SERVICE to bind " +
        "ports below 1024.",
    url: "https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities",
    framework: nist800190("4.4.3 Insecure container runtime configurations"),
    options: {},
    check(spec, ev) {
        const drops = spec.capabilityDrops;
        if (drops.isUnknown) {
            ev.unknown(drops);
            return;
        }
        const items = drops.items();
        if (items.some((i) => typeof i.value === "string" && normalizeCapability(i.value) === "ALL")) {
            return;
        }
        const unknownItem = items.find((i) => i.isUnknown);
        if (unknownItem) {
            ev.unknown(unknownItem);
            return;
        }
        ev.violation({
            at: drops,
            missing: drops.isAbsent,
            problem: drops.isAbsent
                ? "no capabilities are dropped"
                : `the dropped capabilities ${show(drops)} do not include "ALL"`,
            fix: 'drop "ALL" and add back only the capabilities the process needs',
        });
    },
});
