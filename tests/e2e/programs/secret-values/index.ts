// A Deployment whose image and hostPath come from secret stack configuration: the policies must
// judge both (the image floats on latest, the hostPath mounts the node) and print neither.
//   image (secret)      the container's image reference
//   hostPath (secret)   the path of a hostPath volume

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();

new k8s.apps.v1.Deployment("web", {
    metadata: { name: "web", namespace: "shop" },
    spec: {
        selector: { matchLabels: { app: "web" } },
        template: {
            metadata: { labels: { app: "web" } },
            spec: {
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
                volumes: [{ name: "host", hostPath: { path: config.requireSecret("hostPath") } }],
                containers: [
                    {
                        name: "web",
                        image: config.requireSecret("image"),
                        volumeMounts: [{ name: "host", mountPath: "/host", readOnly: true }],
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
