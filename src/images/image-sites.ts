// Where a resource names container images: every container image and image volume of a
// Kubernetes workload (through the workload model), and the image fields of the Docker providers'
// resources. Image rules read references from here, so one rule covers every resource type.
//
// Each place is either an image the deployment pulls and runs ("run") or a name an image is built
// and pushed under ("publish"). The difference matters: a pushed name cannot carry a digest (the
// digest exists only after the push), so the digest and vulnerability rules judge only "run"
// images; tag and registry rules judge both. Images built but not pushed (a local `skipPush` or
// `push: false` build, a RemoteImage with `build`) name nothing any deployment pulls and are not
// judged: the resources that run them (a docker Container, a Kubernetes Pod) are.

import type * as docker from "@pulumi/docker";
import type * as dockerBuild from "@pulumi/docker-build";
import { DOCKER_CONTAINER, DOCKER_SERVICE, type DockerContainerSpec, dockerContainerSpecOf } from "../docker/container";
import { Field } from "../framework/field";
import { type ResourceIdentity, kubernetesIdentity, plainIdentity } from "../framework/resource";
import { type ContainerRef, type WorkloadCatalog, podSpecsOf } from "../kubernetes/workload";

export type ImageUse = "run" | "publish";

/** One place a resource names an image. */
export interface ImageSite {
    /** The field holding the reference; it may be unknown during preview, absent or not a string. */
    readonly field: Field;
    /** The Kubernetes container the image belongs to. */
    readonly container?: ContainerRef;
    readonly use: ImageUse;
    /** What messages call the reference: `image`, `volume "data" image`, `image name`. */
    readonly noun: string;
    /**
     * Where a fix writes a rewritten reference: `owner[key]` is the field. Absent where the reference
     * cannot be rewritten in place (an item of a list).
     */
    readonly owner?: { readonly field: Field<unknown>; readonly key: string };
}

/** The image references of one resource. */
interface ImageSites {
    readonly resource: ResourceIdentity;
    /** Server-side-apply patches carry only what they change. */
    readonly isPatch: boolean;
    /** The uses this type of resource can have (a rule that judges none of them does not apply). */
    readonly uses: readonly ImageUse[];
    /** Every image site, in document order. Unknown container lists and entries come as unknown sites. */
    sites(): ImageSite[];
}

/** What a resource type is, as far as the engine tells a policy. */
interface ResourceDescription {
    readonly type: string;
    readonly name: string;
    readonly props: unknown;
    /** The namespace of the resource's Kubernetes provider, if any. */
    readonly providerNamespace?: string;
}

interface DockerType {
    readonly uses: readonly ImageUse[];
    readonly sites: (props: Field<unknown>) => ImageSite[];
}

/** The image of a Docker container (both kinds keep it as `image` of their container settings). */
function containerImageSite(container: DockerContainerSpec): ImageSite {
    return { field: container.image, use: "run", noun: "image", owner: { field: container.spec, key: "image" } };
}

const isFalse = (f: Field) => f.bool() === false;
const isTrue = (f: Field) => f.bool() === true;

/** A docker-build Image pushes when `push` is not false or an export writes to a registry. */
function dockerBuildPushes(props: Field<dockerBuild.ImageArgs>): boolean {
    if (!isFalse(props.get("push"))) {
        return true;
    }
    return props
        .get("exports")
        .items()
        .some((e) => !e.get("registry").isAbsent || isTrue(e.get("image").get("push")) || e.isUnknown);
}

/**
 * The Docker providers' resource types that name images, by type token. Field names follow the
 * providers' argument types (`@pulumi/docker` 4+ and `@pulumi/docker-build`).
 */
const DOCKER_TYPES: ReadonlyMap<string, DockerType> = new Map<string, DockerType>([
    // Where a Container or a swarm Service keeps its image is the Docker container model's business.
    [
        DOCKER_CONTAINER,
        {
            uses: ["run"],
            sites: (p) => [containerImageSite(dockerContainerSpecOf(DOCKER_CONTAINER, p)!)],
        },
    ],
    [
        DOCKER_SERVICE,
        {
            uses: ["run"],
            sites: (p) => [containerImageSite(dockerContainerSpecOf(DOCKER_SERVICE, p)!)],
        },
    ],
    [
        "docker:index/remoteImage:RemoteImage",
        {
            uses: ["run"],
            // With `build`, the provider builds the image locally under `name` instead of pulling it.
            sites: (p) => {
                const args = p as Field<docker.RemoteImageArgs>;
                return args.get("build").isAbsent
                    ? [{ field: args.get("name"), use: "run", noun: "image", owner: { field: p, key: "name" } }]
                    : [];
            },
        },
    ],
    [
        "docker:index/registryImage:RegistryImage",
        {
            uses: ["publish"],
            sites: (p) => [
                { field: (p as Field<docker.RegistryImageArgs>).get("name"), use: "publish", noun: "image name" },
            ],
        },
    ],
    [
        // `docker tag SOURCE TARGET`: the source is an image the daemon has (pulled, or built), and its
        // content is what the target name will carry; the target is a name the image is published
        // under (a RegistryImage of that name pushes it).
        "docker:index/tag:Tag",
        {
            uses: ["run", "publish"],
            sites: (p) => {
                const args = p as Field<docker.TagArgs>;
                return [
                    { field: args.get("sourceImage"), use: "run", noun: "source image" },
                    { field: args.get("targetImage"), use: "publish", noun: "target image" },
                ];
            },
        },
    ],
    [
        "docker:index/image:Image",
        {
            uses: ["publish"],
            sites: (p) => {
                const args = p as Field<docker.ImageArgs>;
                return isTrue(args.get("skipPush"))
                    ? []
                    : [{ field: args.get("imageName"), use: "publish", noun: "image name" }];
            },
        },
    ],
    [
        "docker-build:index:Image",
        {
            uses: ["publish"],
            sites: (p) => {
                const args = p as Field<dockerBuild.ImageArgs>;
                const tags = args.get("tags");
                if (!dockerBuildPushes(args)) {
                    return [];
                }
                return tags.isUnknown
                    ? [{ field: tags, use: "publish", noun: "image name" }]
                    : tags.items().map((field) => ({ field, use: "publish" as const, noun: "image name" }));
            },
        },
    ],
    [
        "docker-build:index:Index",
        {
            uses: ["run", "publish"],
            sites: (p) => {
                const args = p as Field<dockerBuild.IndexArgs>;
                const sources = args.get("sources");
                const out: ImageSite[] = sources.isUnknown
                    ? [{ field: sources, use: "run", noun: "source image" }]
                    : sources.items().map((field) => ({ field, use: "run" as const, noun: "source image" }));
                if (!isFalse(args.get("push"))) {
                    out.push({ field: args.get("tag"), use: "publish", noun: "image name" });
                }
                return out;
            },
        },
    ],
]);

/** Every image a Kubernetes pod spec pulls: container images (init, regular, ephemeral) and image volumes. */
function kubernetesSites(catalog: WorkloadCatalog, r: ResourceDescription): ImageSites | undefined {
    const shape = catalog.shapeOf(r.type);
    if (!shape) {
        return undefined;
    }
    const props = Field.root(r.props);
    return {
        resource: kubernetesIdentity(r.type, props, r.name, r.providerNamespace, shape.kind),
        isPatch: shape.isPatch,
        uses: ["run"],
        sites() {
            const out: ImageSite[] = [];
            for (const pod of podSpecsOf(shape, props)) {
                for (const field of pod.unknownContainers()) {
                    out.push({ field, use: "run", noun: "image" });
                }
                for (const container of pod.containers()) {
                    out.push({
                        field: container.field.get("image"),
                        container,
                        use: "run",
                        noun: "image",
                        owner: { field: container.field, key: "image" },
                    });
                }
                const volumes = pod.spec.get("volumes");
                if (volumes.isUnknown) {
                    out.push({ field: volumes, use: "run", noun: "volume image" });
                }
                for (const volume of volumes.items()) {
                    const image = volume.get("image");
                    if (volume.isUnknown || !image.isAbsent) {
                        const name = volume.get("name").str();
                        out.push({
                            field: image.get("reference"),
                            use: "run",
                            noun: name !== undefined ? `volume ${JSON.stringify(name)} image` : "volume image",
                            owner: { field: image, key: "reference" },
                        });
                    }
                }
            }
            return out;
        },
    };
}

/** The image sites of a resource, or undefined when its type names no images. */
/** Whether resources of this type may name images (`imageSitesOf` may return sites for them). */
export function mayNameImages(catalog: WorkloadCatalog, type: string): boolean {
    return DOCKER_TYPES.has(type) || catalog.shapeOf(type) !== undefined;
}

export function imageSitesOf(catalog: WorkloadCatalog, r: ResourceDescription): ImageSites | undefined {
    const dockerType = DOCKER_TYPES.get(r.type);
    if (!dockerType) {
        return kubernetesSites(catalog, r);
    }
    const props = Field.root(r.props);
    // A Container or Service is one container: findings about it are exempt when its image is.
    const container = dockerContainerSpecOf(r.type, props);
    return {
        resource: { ...plainIdentity(r.type, r.name), ...(container && { image: container.image }) },
        isPatch: false,
        uses: dockerType.uses,
        sites: () => dockerType.sites(props),
    };
}
