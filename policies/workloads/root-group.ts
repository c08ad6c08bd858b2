import { defineContainerPolicy } from "../../src/containers/container-policy";
import { groupPart, isRootGroup } from "../../src/docker/container";
import { type Evaluation } from "../../src/framework/policy";
import { type Field } from "../../src/framework/field";
import { type ContainerLocation } from "../../src/framework/finding";
import { nist800190 } from "../../src/framework/compliance";
import { known, knownItems, show } from "../../src/framework/checks";
import { eachContainer } from "../../src/kubernetes/pod-checks";

const GID_FIX = "use a non-zero group ID such as 10001";

/** GID 0, however the number is written (Kubernetes int64 fields may arrive as numeric text from YAML). */
function isGidZero(f: Field): boolean {
    const v = f.scalar();
    return (typeof v === "number" && v === 0) || (typeof v === "string" && /^\s*0+\s*$/.test(v));
}

/** Reports a group ID field (runAsGroup, fsGroup) that is 0. */
function judgeGid(ev: Evaluation<unknown>, field: Field, what: string, fix: string, container?: ContainerLocation) {
    const f = known(ev, field, container);
    if (f && isGidZero(f)) {
        ev.violation({ at: f, container, problem: `${what} is ${show(f)}, the root group`, fix });
    }
}

/** No process runs in, and no volume is owned by, the root group (GID 0). */
export const rootGroup = defineContainerPolicy({
    name: "root-group",
    displayName: "No root group",
    description:
        "Containers must not run with the root group (GID 0) as their primary or a supplementary group: Kubernetes " +
        "runAsGroup (pod or container), fsGroup and supplementalGroups, Docker groupAdds and a user:group of x:0 or " +
        "x:root.",
    severity: "medium",
    tags: ["kubernetes", "docker", "users"],
    remediationSteps:
        "Set runAsGroup (pod or container) and fsGroup to a non-zero GID such as 10001, and remove 0 from " +
        "supplementalGroups; for Docker, remove root and 0 from groupAdds (Service: taskSpec.containerSpec.groups) " +
        'and give user a non-root group, e.g. "10001:10001". ' +
        "A non-root user in group 0 can still read and write every file the image or a volume leaves to the root " +
        "group (often everything under / that is group-writable). " +
        "When runAsGroup is not set, a UID without an /etc/passwd entry in the image also runs with group 0: set " +
        "runAsGroup explicitly next to runAsUser.",
    url: "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
    framework: nist800190("4.4.3 Insecure container runtime configurations"),
    options: {},
    kubernetes(pod, ev) {
        const sc = pod.securityContext;
        judgeGid(ev, sc.get("runAsGroup"), "runAsGroup", `${GID_FIX} in spec.securityContext.runAsGroup`);
        judgeGid(
            ev,
            sc.get("fsGroup"),
            "fsGroup",
            `${GID_FIX}: volumes are made group-owned by fsGroup, so 0 hands them to the root group`,
        );
        for (const g of knownItems(ev, sc.get("supplementalGroups"))) {
            if (isGidZero(g)) {
                ev.violation({
                    at: g,
                    problem: "supplementalGroups contains 0, the root group",
                    fix: "remove 0 from spec.securityContext.supplementalGroups",
                });
            }
        }
        eachContainer(pod, ev, (c) => {
            judgeGid(
                ev,
                c.field.at("securityContext", "runAsGroup"),
                "runAsGroup",
                `${GID_FIX} in securityContext.runAsGroup`,
                c,
            );
        });
    },
    docker(spec, ev) {
        const user = known(ev, spec.user);
        const raw = user?.scalar();
        const group = raw === undefined ? undefined : groupPart(String(raw));
        if (user && group !== undefined && isRootGroup(group)) {
            ev.violation({
                at: user,
                problem: `user is ${show(user)}, whose group is the root group`,
                fix: 'name a non-root group after the colon, e.g. "10001:10001"',
            });
        }
        const groupsField = spec.kind === "Container" ? "groupAdds" : "taskSpec.containerSpec.groups";
        for (const g of knownItems(ev, spec.groupAdd)) {
            const name = g.scalar();
            if (name !== undefined && isRootGroup(String(name))) {
                ev.violation({
                    at: g,
                    problem: `${groupsField} adds ${show(g)}, the root group`,
                    fix: `remove it from ${groupsField}`,
                });
            }
        }
    },
});
