// A Deployment whose container runs privileged: the Pod Security Standards baseline forbids it, so
// container-guard's default configuration blocks the preview.

import * as k8s from "@pulumi/kubernetes";

new k8s.apps.v1.Deployment("web", {
    metadata: { name: "web", namespace: "shop" },
    spec: {
        selector: { matchLabels: { app: "web" } },
        template: {
            metadata: { labels: { app: "web" } },
            spec: {
                containers: [
                    {
                        name: "web",
                        image: "registry.example.com/shop/web:1.4.2",
                        securityContext: { privileged: true },
                    },
                ],
            },
        },
    },
});
