// Policies that judge containers wherever a program declares them: the pod specs of Kubernetes
// workloads (through the workload model) and Docker containers (through the Docker container model:
// a `Container`, or the task container spec of a swarm `Service`). A check is written once per
// family and the policy carries one name, one set of options and one place in the configuration.

import { type DockerContainerSpec } from "../docker/container";
import { DOCKER_CONTAINERS, declaresDockerContainer, dockerPreparation } from "../docker/container-policy";
import { type Evaluation, type PolicyMetadata, buildResourcePolicy } from "../framework/policy";
import { imageExemptionOptions } from "../framework/image-exemptions";
import { type OptionValues, type OptionsSpec } from "../framework/options";
import { POD_SPECS, carriesPodSpecs, workloadOptions, workloadPreparation } from "../kubernetes/workload-policy";
import { type PodSpec } from "../kubernetes/workload";

type Options<O extends OptionsSpec> = OptionValues<O & typeof workloadOptions>;

interface ContainerPolicyDefinition<O extends OptionsSpec> extends PolicyMetadata {
    readonly options: O;
    /** Judges one pod spec of a Kubernetes workload (every kind, version, patch, list, custom resource). */
    readonly kubernetes: (pod: PodSpec, ev: Evaluation<Options<O>>) => void;
    /** Judges the container of a Docker Container or swarm Service. */
    readonly docker: (spec: DockerContainerSpec, ev: Evaluation<Options<O>>) => void;
}

/** A policy that applies to Kubernetes workloads and Docker containers alike. */
export function defineContainerPolicy<O extends OptionsSpec, N extends string>(
    def: ContainerPolicyDefinition<O> & { readonly name: N },
) {
    const options = { ...def.options, ...workloadOptions, ...imageExemptionOptions };
    return buildResourcePolicy({
        ...def,
        options,
        appliesToType: (type, opts) => declaresDockerContainer(type) || carriesPodSpecs(type, opts),
        applicableTo: `${POD_SPECS}, ${DOCKER_CONTAINERS}`,
        prepare(args, opts) {
            const docker = dockerPreparation(args, def.docker);
            if (docker) {
                return docker;
            }
            return workloadPreparation(args, opts, def.kubernetes);
        },
    });
}
