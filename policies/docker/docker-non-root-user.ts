import { isRootUser, userPart } from "../../src/docker/container";
import { defineDockerContainerPolicy } from "../../src/docker/container-policy";
import { nist800190 } from "../../src/framework/compliance";
import { known, quoteField } from "../../src/framework/checks";

/** Docker containers must not run as root; an unset user leaves it to the image. */
export const dockerNonRootUser = defineDockerContainerPolicy({
    name: "docker-non-root-user",
    displayName: "Docker containers run as a non-root user",
    description:
        "Docker containers and services must not run as root (user root or 0, with or without a group); when user is " +
        "not set the image's USER applies, which is root unless the image sets another (reported as advisory).",
    severity: "medium",
    tags: ["docker", "users", "profile:restricted"],
    remediationSteps:
        'Set user to a non-root UID and GID, e.g. "10001:10001" (docker.Container user, docker.Service ' +
        "taskSpec.containerSpec.user), or build the image with a non-root USER in its final stage " +
        "(dockerfile-non-root-user checks images built in the same program).",
    url: "https://docs.docker.com/engine/containers/run/#user",
    framework: nist800190("4.4.3 Insecure container runtime configurations"),
    options: {},
    check(spec, ev) {
        const user = known(ev, spec.user);
        if (!user) {
            return;
        }
        const raw = user.scalar();
        const value = raw === undefined ? undefined : String(raw);
        if (value === undefined || userPart(value) === "") {
            ev.violation({
                at: user,
                missing: true,
                advisory: true,
                problem:
                    value === undefined
                        ? "user is not set, so the image's USER applies (root unless the image sets another)"
                        : `user ${quoteField(user, value)} names no user, so the image's USER applies`,
                fix: 'set user to a non-root UID, e.g. "10001:10001", or make sure the image sets a non-root USER',
            });
        } else if (isRootUser(value)) {
            ev.violation({
                at: user,
                problem: `user is ${quoteField(user, value)}, which is root`,
                fix: 'set user to a non-root UID, e.g. "10001:10001"',
            });
        }
    },
});
