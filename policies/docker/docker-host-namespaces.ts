import { known, knownItems } from "../../src/framework/checks";
import { defineDockerContainerPolicy } from "../../src/docker/container-policy";
import { nist800190 } from "../../src/framework/compliance";

/** Docker containers must not share the host's namespaces. */
export const dockerHostNamespaces = defineDockerContainerPolicy({
    name: "docker-host-namespaces",
    displayName: "No host namespaces for Docker containers",
    description:
        "Docker containers and services must not share the host's network, process, IPC, user or cgroup namespace " +
        "(networkMode, pidMode, ipcMode, usernsMode or cgroupnsMode host, or the host network).",
    severity: "high",
    tags: ["docker", "host-access", "profile:baseline"],
    remediationSteps:
        'Remove networkMode, pidMode, ipcMode, usernsMode and cgroupnsMode "host" from the docker.Container, and do ' +
        'not attach containers or services to the "host" network; publish ports instead of using host ' +
        "networking.",
    url: "https://docs.docker.com/engine/containers/run/#network-settings",
    framework: nist800190("4.4.3 Insecure container runtime configurations"),
    options: {},
    check(spec, ev) {
        for (const mode of spec.namespaceModes) {
            const f = known(ev, mode.field);
            // The daemon compares exactly: only "host" shares the host's namespace.
            if (f?.value === "host") {
                ev.violation({
                    at: f,
                    problem: `shares the host's ${mode.namespace} namespace (${mode.setting} is "host")`,
                    fix: `remove ${mode.setting} or use a private mode`,
                });
            }
        }
        for (const network of knownItems(ev, spec.networks)) {
            const name = known(ev, network.get("name"));
            if (name?.value === "host") {
                ev.violation({
                    at: name,
                    problem: 'joins the "host" network, so it shares the host\'s network namespace',
                    fix: "attach it to a bridge or overlay network and publish the ports it serves",
                });
            }
        }
    },
});
