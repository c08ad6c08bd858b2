// The image comes from another resource: a registry behind a LoadBalancer Service of the same stack,
// whose address (status.loadBalancer) exists only once the Service has been created. During preview
// the engine hands the Deployment's image to the policy pack as unknown; the container is privileged,
// which must still block the preview.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const registry = new k8s.core.v1.Service("registry", {
    metadata: { name: "registry", namespace: "shop" },
    spec: { type: "LoadBalancer", selector: { app: "registry" }, ports: [{ port: 5000 }] },
});
const registryAddress = registry.status.loadBalancer.ingress[0].ip;

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
                        image: pulumi.interpolate`${registryAddress}:5000/shop/web:1.4.2`,
                        securityContext: { privileged: true },
                    },
                ],
            },
        },
    },
});
