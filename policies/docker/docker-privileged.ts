import { known } from "../../src/framework/checks";
import { defineDockerContainerPolicy } from "../../src/docker/container-policy";
import { nist800190 } from "../../src/framework/compliance";

/** No privileged Docker containers (swarm services cannot run privileged). */
export const dockerPrivileged = defineDockerContainerPolicy({
    name: "docker-privileged",
    displayName: "No privileged Docker containers",
    description:
        "Docker containers must not run privileged: a privileged container has every capability, all host devices " +
        "and no seccomp, AppArmor or SELinux confinement.",
    severity: "critical",
    tags: ["docker", "privilege", "profile:baseline"],
    remediationSteps:
        "Remove privileged from the docker.Container or set it to false. Grant only what the process needs instead: " +
        "a single capability (capabilities.adds), a single device (devices).",
    url: "https://docs.docker.com/reference/cli/docker/container/run/#privileged",
    framework: nist800190("4.4.3 Insecure container runtime configurations"),
    options: {},
    appliesTo: (spec) => spec.privileged !== undefined,
    check(spec, ev) {
        const f = spec.privileged && known(ev, spec.privileged);
        if (f?.value === true) {
            ev.violation({ at: f, problem: "privileged is true", fix: "remove privileged or set it to false" });
        }
    },
});
