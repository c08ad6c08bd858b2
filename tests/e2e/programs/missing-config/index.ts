// A program that stops with an error of its own before declaring anything: it validates stack
// configuration the tests do not set. The preview must fail with the program's message, once.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const replicas = new pulumi.Config().getNumber("replicas") ?? 0;
if (replicas < 1) {
    // A RunError is reported without a stack trace, as Config.require's own error is.
    throw new pulumi.RunError(
        `replicas must be at least 1 (set it with: pulumi config set replicas <n>), got ${replicas}`,
    );
}

new k8s.apps.v1.Deployment("web", {
    spec: {
        replicas,
        selector: { matchLabels: { app: "web" } },
        template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "web", image: "registry.example.com/shop/web:1.4.2" }] },
        },
    },
});
