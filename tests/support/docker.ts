// Test fixtures for Docker resources: the same container settings declared by a docker.Container
// and by a swarm docker.Service, with the JSON path each puts them at. Field names come from the
// @pulumi/docker argument types.

import type * as docker from "@pulumi/docker";
import { type TestResource } from "../../testkit";

type Obj = Record<string, unknown>;

/** A docker.Container with the given settings (an image is filled in). */
export function dockerContainer(
    settings: Partial<Record<keyof docker.ContainerArgs, unknown>> = {},
    name = "web",
): TestResource {
    return {
        type: "docker:index/container:Container",
        name,
        props: { image: "registry.example.com/app:1.0", name, ...settings },
    };
}

/** A docker.Service whose task container spec has the given settings. */
export function dockerService(
    containerSpec: Partial<Record<keyof docker.types.input.ServiceTaskSpecContainerSpec, unknown>> = {},
    taskSpec: Obj = {},
    name = "web",
): TestResource {
    return {
        type: "docker:index/service:Service",
        name,
        props: {
            name,
            taskSpec: { containerSpec: { image: "registry.example.com/app:1.0", ...containerSpec }, ...taskSpec },
        },
    };
}

/** Where each kind keeps the container settings (prefix of JSON paths in messages). */
export const SERVICE_SPEC = "taskSpec.containerSpec";

/** A container that passes every Docker runtime policy. */
export function hardenedDockerContainer(extra: Obj = {}): TestResource {
    return dockerContainer({
        user: "10001:10001",
        readOnly: true,
        capabilities: { drops: ["ALL"] },
        securityOpts: ["no-new-privileges:true"],
        ...extra,
    });
}
