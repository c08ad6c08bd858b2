// One Deployment per entry of the stack configuration `images` ({"<name>": "<image reference>"}):
// the engine test pushes and signs the images in a registry on 127.0.0.1 and names them here.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const images = new pulumi.Config().requireObject<Record<string, string>>("images");

for (const [name, image] of Object.entries(images)) {
    new k8s.apps.v1.Deployment(name, {
        metadata: { name, namespace: "shop" },
        spec: {
            selector: { matchLabels: { app: name } },
            template: {
                metadata: { labels: { app: name } },
                spec: { containers: [{ name, image }] },
            },
        },
    });
}
