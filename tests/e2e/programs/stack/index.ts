// A namespace and a hardened Deployment in it. Stack configuration decides the rest:
//   isolated (bool)       label the namespace for pod-security admission and add a default-deny NetworkPolicy
//   dbPassword (secret)   hand the password to the container as a literal environment variable

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const isolated = config.getBoolean("isolated") ?? false;
const dbPassword = config.getSecret("dbPassword");

new k8s.core.v1.Namespace("shop", {
    metadata: {
        name: "shop",
        labels: isolated
            ? {
                  "pod-security.kubernetes.io/enforce": "restricted",
                  "pod-security.kubernetes.io/enforce-version": "v1.33",
              }
            : {},
    },
});

if (isolated) {
    new k8s.networking.v1.NetworkPolicy("default-deny", {
        metadata: { name: "default-deny", namespace: "shop" },
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    });
}

new k8s.apps.v1.Deployment("web", {
    metadata: { name: "web", namespace: "shop" },
    spec: {
        selector: { matchLabels: { app: "web" } },
        template: {
            metadata: { labels: { app: "web" } },
            spec: {
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                    {
                        name: "web",
                        image: "registry.example.com/shop/web:1.4.2@sha256:" + "b".repeat(64),
                        // Bounded, so resource-limits has nothing to say: these programs test other policies.
                        resources: {
                            requests: { cpu: "250m" },
                            limits: { memory: "256Mi", "ephemeral-storage": "1Gi" },
                        },
                        env: dbPassword ? [{ name: "DB_PASSWORD", value: dbPassword }] : [],
                        securityContext: {
                            allowPrivilegeEscalation: false,
                            readOnlyRootFilesystem: true,
                            capabilities: { drop: ["ALL"] },
                        },
                    },
                ],
            },
        },
    },
});
