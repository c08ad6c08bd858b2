// Policies that judge Docker containers: a docker.Container, or the task container of a swarm
// docker.Service, read through the container model.

import type { ResourceValidationArgs } from "@pulumi/policy";
import { Field } from "../framework/field";
import { type Evaluation, type PolicyMetadata, type Preparation, buildResourcePolicy } from "../framework/policy";
import { type OptionValues, type OptionsSpec } from "../framework/options";
import { imageExemptionOptions } from "../framework/image-exemptions";
import { plainIdentity } from "../framework/resource";
import { DOCKER_CONTAINER, DOCKER_SERVICE, type DockerContainerSpec, dockerContainerSpecOf } from "./container";

interface DockerContainerPolicyDefinition<O extends OptionsSpec> extends PolicyMetadata {
    readonly options: O;
    /**
     * Whether the rule means anything for this kind of resource (e.g. only a Container can be
     * privileged); other kinds are reported as not applicable.
     */
    readonly appliesTo?: (spec: DockerContainerSpec) => boolean;
    /** Judges the container. */
    readonly check: (spec: DockerContainerSpec, ev: Evaluation<OptionValues<O>>) => void;
}

/**
 * How a policy judges a Docker Container or Service: the resource's identity and a run that hands
 * the container to `check` (an unknown container spec is reported as unknown; a Service without one
 * declares no container). Undefined for other resource types.
 */
export function dockerPreparation<V>(
    args: ResourceValidationArgs,
    check: (spec: DockerContainerSpec, ev: Evaluation<V>) => void,
    appliesTo?: (spec: DockerContainerSpec) => boolean,
): Preparation<V> | undefined {
    const spec = dockerContainerSpecOf(args.type, Field.root(args.props));
    if (!spec || (appliesTo && !appliesTo(spec))) {
        return undefined;
    }
    return {
        // The resource is the container: findings about it are exempt when its image is (exemptImages).
        resource: { ...plainIdentity(args.type, args.name), image: spec.image },
        isPatch: false,
        run(ev) {
            if (spec.spec.isUnknown) {
                ev.unknown(spec.spec);
            } else if (spec.spec.isObject) {
                check(spec, ev);
            }
        },
    };
}

/** Whether resources of this type declare a Docker container (`dockerContainerSpecOf` reads them). */
export function declaresDockerContainer(type: string): boolean {
    return type === DOCKER_CONTAINER || type === DOCKER_SERVICE;
}

/** The not-applicable reason of policies that judge Docker containers. */
export const DOCKER_CONTAINERS = "Docker Containers and swarm Services";

/** A policy that judges Docker Containers and swarm Services through the container model. */
export function defineDockerContainerPolicy<O extends OptionsSpec, N extends string>(
    def: DockerContainerPolicyDefinition<O> & { readonly name: N },
) {
    return buildResourcePolicy({
        ...def,
        options: { ...def.options, ...imageExemptionOptions },
        appliesToType: declaresDockerContainer,
        applicableTo: DOCKER_CONTAINERS,
        prepare: (args) => dockerPreparation(args, def.check, def.appliesTo),
    });
}
