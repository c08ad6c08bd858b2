import { boolean, option } from "../../src/framework/options";
import { defineWorkloadPolicy } from "../../src/kubernetes/workload-policy";
import { known, show } from "../../src/framework/checks";

/** Pods should not get a Kubernetes API token they do not use. */
export const serviceAccountTokenAutomount = defineWorkloadPolicy({
    name: "service-account-token-automount",
    displayName: "Do not mount service account tokens by default",
    description:
        "Pods should set automountServiceAccountToken: false unless they call the Kubernetes API, so a compromised " +
        "container does not get an API token it never needed.",
    severity: "low",
    tags: ["secrets", "kubernetes", "service-account", "identity"],
    remediationSteps:
        "Set spec.automountServiceAccountToken: false in the pod template. A workload that calls the Kubernetes API " +
        "keeps the token: set automountServiceAccountToken: true " +
        "explicitly and enable this policy's allowExplicitTrue option (or exempt the workload), or mount a " +
        "short-lived token with a projected serviceAccountToken volume. " +
        "Setting automountServiceAccountToken: false on the ServiceAccount also disables the mount, but this policy " +
        "judges the pod template alone and cannot see the ServiceAccount.",
    url: "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/",
    framework: {
        name: "CIS Kubernetes Benchmark",
        version: "v1.9.0",
        reference: "https://www.cisecurity.org/benchmark/kubernetes",
        specification: "5.1.6 Ensure that Service Account Tokens are only mounted where necessary",
    },
    options: {
        allowExplicitTrue: option(
            boolean({
                description:
                    "Accept automountServiceAccountToken: true written in the pod spec, as a declaration that the " +
                    "workload calls the Kubernetes API.",
            }),
            false,
        ),
    },
    check(pod, ev) {
        const automount = known(ev, pod.spec.get("automountServiceAccountToken"));
        if (!automount || automount.value === false || (automount.value === true && ev.options.allowExplicitTrue)) {
            return;
        }
        ev.violation({
            at: automount,
            missing: automount.isAbsent,
            problem: automount.isAbsent
                ? "automountServiceAccountToken is not set, so every container gets a Kubernetes API token unless " +
                  "the pod's ServiceAccount sets automountServiceAccountToken: false (which this check cannot see)"
                : `automountServiceAccountToken is ${show(automount)}`,
            fix:
                "set spec.automountServiceAccountToken: false (or, if the workload calls the Kubernetes API, keep " +
                "the token and set allowExplicitTrue or exempt the workload)",
        });
    },
});
