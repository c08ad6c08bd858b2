import { defineDockerContainerPolicy } from "../../src/docker/container-policy";
import { normalizeHostPath } from "../../src/docker/host-paths";
import { array, option, string } from "../../src/framework/options";
import { nist800190 } from "../../src/framework/compliance";
import { known, knownItems, show } from "../../src/framework/checks";

/** Docker containers must not get host devices unless they are allowed. */
export const dockerHostDevices = defineDockerContainerPolicy({
    name: "docker-host-devices",
    displayName: "No host devices for Docker containers",
    description:
        "Docker containers must not get host devices (devices) or device access rules (deviceCgroupRules) except the " +
        "devices listed in allowedDevices.",
    severity: "high",
    tags: ["docker", "host-access", "devices", "profile:baseline"],
    remediationSteps:
        "Remove devices and deviceCgroupRules from the docker.Container. If a device is needed (e.g. /dev/fuse), " +
        "list its host path in allowedDevices for this policy or exempt the resource with a reason.",
    url: "https://docs.docker.com/reference/cli/docker/container/run/#device",
    framework: nist800190("4.4.3 Insecure container runtime configurations"),
    options: {
        allowedDevices: option(
            array(string({ pattern: "^/", patternHint: "use an absolute device path such as /dev/fuse" }), {
                description: "Host device paths a container may get, e.g. /dev/fuse.",
            }),
            [] as string[],
        ),
    },
    appliesTo: (spec) => spec.devices !== undefined,
    check(spec, ev) {
        const allowed = new Set(ev.options.allowedDevices.flatMap((d) => normalizeHostPath(d) ?? []));
        for (const device of knownItems(ev, spec.devices)) {
            const hostPath = known(ev, device.get("hostPath"));
            const raw = hostPath?.str();
            if (hostPath?.isPresent && !(raw !== undefined && allowed.has(normalizeHostPath(raw) ?? raw))) {
                ev.violation({
                    at: hostPath,
                    problem: `gets the host device ${show(hostPath)}`,
                    fix: "remove the device, or list it in allowedDevices if the container needs it",
                });
            }
        }
        for (const rule of knownItems(ev, spec.deviceCgroupRules)) {
            ev.violation({
                at: rule,
                problem: `allows device access by the rule ${show(rule)}`,
                fix: "remove the device cgroup rule",
            });
        }
    },
});
