import { normalizeCapability } from "../../src/docker/container";
import { defineDockerContainerPolicy } from "../../src/docker/container-policy";
import { array, option, string } from "../../src/framework/options";
import { nist800190 } from "../../src/framework/compliance";
import { knownItems, show } from "../../src/framework/checks";

/**
 * Capabilities a container may add: those Docker grants by default anyway, less NET_RAW (the same
 * set the Pod Security Standards baseline allows).
 */
const DEFAULT_ALLOWED_CAPABILITIES = [
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
];

const allowedSets = new WeakMap<readonly string[], ReadonlySet<string>>();

function allowedSet(names: readonly string[]): ReadonlySet<string> {
    let set = allowedSets.get(names);
    if (!set) {
        set = new Set(names.map(normalizeCapability));
        allowedSets.set(names, set);
    }
    return set;
}

/** Added capabilities must come from an allow-list; names are normalised as Docker normalises them. */
export const dockerCapabilities = defineDockerContainerPolicy({
    name: "docker-capabilities",
    displayName: "No dangerous capabilities for Docker containers",
    description:
        "Docker containers and services may add only capabilities from the allow-list (by default the ones Docker " +
        "grants anyway, without NET_RAW); names are compared as Docker reads them, so sys_admin and " +
        "CAP_SYS_ADMIN are SYS_ADMIN.",
    severity: "high",
    tags: ["docker", "capabilities", "privilege", "profile:baseline"],
    remediationSteps:
        "Remove the capability from capabilities.adds (docker.Container) or taskSpec.containerSpec.capAdds " +
        "(docker.Service). If the process really needs it, exempt the resource with a reason, or extend " +
        "allowedCapabilities.",
    url: "https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities",
    framework: nist800190("4.4.3 Insecure container runtime configurations"),
    options: {
        allowedCapabilities: option(
            array(string({ minLength: 1 }), {
                description:
                    "Capabilities a container may add (with or without CAP_, any case). Replaces the default list.",
            }),
            DEFAULT_ALLOWED_CAPABILITIES,
        ),
    },
    check(spec, ev) {
        const allowed = allowedSet(ev.options.allowedCapabilities);
        for (const item of knownItems(ev, spec.capabilityAdds)) {
            const name = item.str();
            const cap = name === undefined ? undefined : normalizeCapability(name);
            if (cap === "ALL") {
                ev.violation({
                    at: item,
                    problem: `adds ${show(item)}, every capability`,
                    fix: "add only the capabilities the process needs, or none",
                });
            } else if (cap === undefined || !allowed.has(cap)) {
                const as = cap !== undefined && cap !== name && !item.isSecret ? ` (${cap})` : "";
                ev.violation({
                    at: item,
                    problem: `adds capability ${show(item)}${as}, which is not allowed`,
                    fix: "remove it from the added capabilities",
                });
            }
        }
    },
});
