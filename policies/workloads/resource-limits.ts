import { array, option, string } from "../../src/framework/options";
import { type Field } from "../../src/framework/field";
import { nist800190 } from "../../src/framework/compliance";
import { known, knownItems, show } from "../../src/framework/checks";
import { defineWorkloadPolicy } from "../../src/kubernetes/workload-policy";
import { eachContainer } from "../../src/kubernetes/pod-checks";

/** A container resource setting the policy can require. */
interface ContainerSetting {
    readonly kind: "requests" | "limits";
    readonly resource: "cpu" | "memory" | "ephemeral-storage";
    /** What messages call it, e.g. `memory limit`. */
    readonly label: string;
    /** What is wrong without it (after "no <setting>:"). */
    readonly risk: string;
    readonly example: string;
}

const CONTAINER_SETTINGS: Record<string, ContainerSetting> = {
    "limits.memory": {
        label: "memory limit",
        kind: "limits",
        resource: "memory",
        risk: "the container can take the node's memory until the kernel kills processes, its own or other pods'",
        example: "256Mi",
    },
    "limits.cpu": {
        label: "CPU limit",
        kind: "limits",
        resource: "cpu",
        risk: "the container can use every idle CPU of the node",
        example: "1",
    },
    "limits.ephemeral-storage": {
        label: "ephemeral-storage limit",
        kind: "limits",
        resource: "ephemeral-storage",
        risk: "the container can fill the node's disk with logs and files in its writable layer",
        example: "1Gi",
    },
    "requests.cpu": {
        label: "CPU request",
        kind: "requests",
        resource: "cpu",
        risk: "the scheduler reserves no CPU for it, and under contention it gets the smallest share",
        example: "250m",
    },
    "requests.memory": {
        label: "memory request",
        kind: "requests",
        resource: "memory",
        risk: "the scheduler reserves no memory for it, and it is among the first evicted when the node runs short",
        example: "128Mi",
    },
    "requests.ephemeral-storage": {
        label: "ephemeral-storage request",
        kind: "requests",
        resource: "ephemeral-storage",
        risk: "the scheduler reserves no scratch space for it",
        example: "512Mi",
    },
};

const EMPTY_DIR_SIZE_LIMIT = "emptyDir.sizeLimit";
const REQUIREMENTS = [...Object.keys(CONTAINER_SETTINGS), EMPTY_DIR_SIZE_LIMIT];
const DEFAULT_REQUIRED = ["limits.memory", "requests.cpu", "limits.ephemeral-storage", EMPTY_DIR_SIZE_LIMIT];

/** Resources a pod-level `spec.resources` can bound for all containers together (Kubernetes 1.32+). */
const POD_LEVEL_RESOURCES: ReadonlySet<string> = new Set(["cpu", "memory"]);

/** Zero, however a quantity is written (`0`, `"0"`, `"0Mi"`, `"0.0"`): no limit, nothing reserved. */
function isZeroQuantity(f: Field): boolean {
    const v = f.scalar();
    return (typeof v === "number" && v === 0) || (typeof v === "string" && /^\s*\+?0*(\.0*)?[A-Za-z]{0,2}\s*$/.test(v));
}

/** Every container is bounded: memory, CPU and scratch space, and every emptyDir volume has a size limit. */
export const resourceLimits = defineWorkloadPolicy({
    name: "resource-limits",
    displayName: "Resource requests and limits",
    description:
        "Containers and init containers must declare the resource requests and limits the policy requires (by " +
        "default a memory limit, a CPU request and an ephemeral-storage limit), and emptyDir volumes a sizeLimit, " +
        "so one workload cannot starve the others on its node.",
    severity: "medium",
    tags: ["kubernetes", "resources", "availability"],
    remediationSteps:
        "Set resources.limits.memory, resources.requests.cpu and resources.limits.ephemeral-storage on every " +
        "container and init container (e.g. memory 256Mi, cpu 250m, ephemeral-storage 1Gi), and sizeLimit on every " +
        "emptyDir volume. A limit without a request also sets the request. A pod-level spec.resources (Kubernetes " +
        "1.32+) bounds CPU and memory for all containers together and satisfies those requirements. " +
        "Ephemeral containers are not judged: Kubernetes does not allow them resources. " +
        "A LimitRange in the namespace can fill in defaults at admission, which this policy cannot see: exempt the " +
        "workloads it covers, or write the values in the pod spec. Choose what is required with the required option.",
    url: "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
    framework: nist800190("4.4.3 Insecure container runtime configurations (bound each container's resources)"),
    options: {
        required: option(
            array(string({ enum: REQUIREMENTS }), {
                description:
                    "The settings every container and init container must have (requests.cpu, requests.memory, " +
                    "requests.ephemeral-storage, limits.cpu, limits.memory, limits.ephemeral-storage), and " +
                    "emptyDir.sizeLimit for emptyDir volumes.",
            }),
            DEFAULT_REQUIRED,
        ),
    },
    check(pod, ev) {
        const required = new Set(ev.options.required);
        const settings = Object.entries(CONTAINER_SETTINGS).filter(([key]) => required.has(key));
        /** Whether the pod-level spec.resources sets it for all containers (undefined: unknown in preview). */
        const setForThePod = (s: ContainerSetting): boolean | undefined => {
            if (!POD_LEVEL_RESOURCES.has(s.resource)) {
                return false;
            }
            const own = known(ev, pod.spec.at("resources", s.kind, s.resource));
            const limit = known(ev, pod.spec.at("resources", "limits", s.resource));
            if (!own || !limit) {
                return undefined;
            }
            return own.isPresent || (s.kind === "requests" && limit.isPresent);
        };
        eachContainer(pod, ev, (c) => {
            if (settings.length === 0 || c.list === "ephemeralContainers") {
                return; // the API server rejects resources on ephemeral containers
            }
            for (const [key, s] of settings) {
                const own = known(ev, c.field.at("resources", s.kind, s.resource), c);
                // A limit without a request is also the request.
                const limit = s.kind === "requests" ? known(ev, c.field.at("resources", "limits", s.resource), c) : own;
                if (!own || !limit) {
                    continue;
                }
                const set = own.isPresent ? own : limit.isPresent ? limit : undefined;
                const amount = set?.scalar();
                if (set && typeof amount !== "string" && typeof amount !== "number") {
                    // The API server accepts only a quantity here; anything else cannot count as a bound.
                    ev.violation({
                        at: set,
                        container: c,
                        problem: `the ${s.label} is not a quantity (${show(set)}), so it bounds nothing`,
                        fix: `set resources.${key} to an amount, e.g. ${s.example}`,
                    });
                } else if (set && isZeroQuantity(set)) {
                    ev.violation({
                        at: set,
                        container: c,
                        problem: `the ${s.label} is ${show(set)}, so ${s.risk}`,
                        fix: `set resources.${key} to a real amount, e.g. ${s.example}`,
                    });
                } else if (!set && setForThePod(s) === false) {
                    ev.violation({
                        at: own,
                        container: c,
                        missing: true,
                        problem: `no ${s.label} is set: ${s.risk}`,
                        fix: `set resources.${key}, e.g. ${s.example}`,
                    });
                }
            }
        });
        if (required.has(EMPTY_DIR_SIZE_LIMIT)) {
            for (const volume of knownItems(ev, pod.spec.get("volumes"))) {
                const emptyDir = known(ev, volume.get("emptyDir"));
                if (!emptyDir?.isPresent) {
                    continue;
                }
                const sizeLimit = known(ev, emptyDir.get("sizeLimit"));
                if (sizeLimit?.isAbsent) {
                    const name = volume.get("name").str();
                    ev.violation({
                        at: sizeLimit,
                        missing: true,
                        problem:
                            `emptyDir volume ${name !== undefined ? JSON.stringify(name) : "(unnamed)"} has no ` +
                            "sizeLimit: its containers can fill the node's disk (or, with medium Memory, its memory)",
                        fix: "set emptyDir.sizeLimit, e.g. 1Gi",
                    });
                }
            }
        }
    },
});
