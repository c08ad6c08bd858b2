import { defineContainerPolicy } from "../../src/containers/container-policy";
import { type Field } from "../../src/framework/field";
import { nist800190 } from "../../src/framework/compliance";
import { known, show, unlessExempt } from "../../src/framework/checks";
import { eachContainer, isWindowsPod } from "../../src/kubernetes/pod-checks";

const KUBERNETES_FIX =
    "set securityContext.readOnlyRootFilesystem: true and mount an emptyDir volume at each path the process writes " +
    "to (for example /tmp)";
const DOCKER_CONTAINER_FIX =
    'set readOnly: true and give each path the process writes to a tmpfs (the tmpfs argument, e.g. { "/tmp": ' +
    '"rw,noexec,nosuid,size=64m" }) or a volume';
const DOCKER_SERVICE_FIX =
    'set taskSpec.containerSpec.readOnly: true and mount a tmpfs (a mounts entry with type "tmpfs") or a volume at ' +
    "each path the process writes to";

/** Containers run with a read-only root filesystem. */
export const readOnlyRootFilesystem = defineContainerPolicy({
    name: "read-only-root-filesystem",
    displayName: "Read-only root filesystem",
    description:
        "Every container, init container and ephemeral container must run with a read-only root filesystem " +
        "(Kubernetes securityContext.readOnlyRootFilesystem: true, Docker readOnly: true); Windows pods are " +
        "exempt.",
    severity: "medium",
    tags: ["filesystem", "kubernetes", "docker", "immutability"],
    remediationSteps:
        "Set securityContext.readOnlyRootFilesystem: true on every container and give the process writable scratch " +
        "space where it needs it: " +
        "an emptyDir volume (medium: Memory for a tmpfs) mounted at /tmp, caches and run directories, or a " +
        "persistentVolumeClaim for data that must survive. " +
        "For Docker containers set readOnly: true (Service: taskSpec.containerSpec.readOnly) and mount a tmpfs at " +
        "the writable paths. " +
        "Windows pods are exempt: Kubernetes rejects readOnlyRootFilesystem when spec.os.name is windows.",
    url: "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
    framework: nist800190("4.4.4 App vulnerabilities (run containers with a read-only root filesystem)"),
    options: {},
    kubernetes(pod, ev) {
        const windows = isWindowsPod(pod);
        eachContainer(pod, ev, (c) => {
            const f = known(ev, c.field.at("securityContext", "readOnlyRootFilesystem"), c);
            if (f && f.value !== true) {
                unlessExempt(ev, windows, pod.osName, () =>
                    ev.violation({
                        at: f,
                        container: c,
                        missing: f.isAbsent,
                        problem: notReadOnly(f, "readOnlyRootFilesystem"),
                        fix: KUBERNETES_FIX,
                    }),
                );
            }
        });
    },
    docker(spec, ev) {
        const f = known(ev, spec.readOnly);
        if (f && f.value !== true) {
            ev.violation({
                at: f,
                problem: notReadOnly(f, "readOnly"),
                fix: spec.kind === "Container" ? DOCKER_CONTAINER_FIX : DOCKER_SERVICE_FIX,
            });
        }
    },
});

function notReadOnly(f: Field, what: string): string {
    return f.isAbsent ? `${what} is not set (the root filesystem is writable)` : `${what} is ${show(f)}`;
}
