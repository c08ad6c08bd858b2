// A Deployment that meets the restricted Pod Security Standards except for three settings that
// container-guard can fix automatically: allowPrivilegeEscalation, capabilities.drop and the pod's
// seccomp profile. A default-deny NetworkPolicy isolates it.

import * as k8s from "@pulumi/kubernetes";

new k8s.apps.v1.Deployment("api", {
    metadata: { name: "api", namespace: "shop" },
    spec: {
        selector: { matchLabels: { app: "api" } },
        template: {
            metadata: { labels: { app: "api" } },
            spec: {
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 10001 },
                containers: [
                    {
                        name: "api",
                        image: "registry.example.com/shop/api:2.0.1@sha256:" + "c".repeat(64),
                        // Bounded, so resource-limits has nothing to say: these programs test other policies.
                        resources: {
                            requests: { cpu: "250m" },
                            limits: { memory: "256Mi", "ephemeral-storage": "1Gi" },
                        },
                        securityContext: { readOnlyRootFilesystem: true },
                    },
                ],
            },
        },
    },
});

new k8s.networking.v1.NetworkPolicy("default-deny", {
    metadata: { name: "default-deny", namespace: "shop" },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
});
