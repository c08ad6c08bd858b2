import { boolean, option } from "../../src/framework/options";
import { known, show } from "../../src/framework/checks";
import { defineWorkloadPolicy } from "../../src/kubernetes/workload-policy";
import { eachContainer } from "../../src/kubernetes/pod-checks";
import { type ParsedImage, isDigestPinned, parseImageRef, quote } from "../../src/images/image-ref";
import { IMAGE_TAGS, nist800190 } from "../../src/images/image-policy";

/**
 * The pull policy Kubernetes fills in when none is written: Always for an image without a tag or
 * tagged latest, IfNotPresent otherwise (including any image with a digest).
 */
function defaultPullPolicy(parsed: ParsedImage): "Always" | "IfNotPresent" {
    if (parsed.kind === "reference" && parsed.digest === undefined) {
        return parsed.tag === undefined || parsed.tag === "latest" ? "Always" : "IfNotPresent";
    }
    return "IfNotPresent";
}

/** Containers pull mutable image references on every start. */
export const imagePullPolicy = defineWorkloadPolicy({
    name: "image-pull-policy",
    displayName: "Always pull images not pinned by digest",
    description:
        "Containers whose image is not pinned by a digest should use imagePullPolicy: Always, so every start runs " +
        "what the tag names now and the registry checks the pod's pull credentials (option always: for every image).",
    severity: "medium",
    tags: [...IMAGE_TAGS, "kubernetes", "multi-tenancy"],
    remediationSteps:
        "Pin the image by digest (e.g. ghcr.io/acme/app:1.4.2@sha256:<digest>), or set imagePullPolicy: Always. " +
        "With IfNotPresent a node keeps running whatever it pulled first under a tag, and any pod on the node can " +
        "start a private image another tenant pulled, without credentials for it. " +
        "In multi-tenant clusters set the always option, which requires Always even for digests (or enable the " +
        "AlwaysPullImages admission plugin); Always costs a registry round trip per start, not a download.",
    url: "https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy",
    framework: nist800190("4.2.2 Stale images in registries"),
    options: {
        always: option(
            boolean({
                description:
                    "Require imagePullPolicy: Always for every image, including images pinned by digest " +
                    "(multi-tenant clusters: every start checks the pod's pull credentials).",
            }),
            false,
        ),
    },
    check(pod, ev) {
        eachContainer(pod, ev, (c) => {
            const policy = known(ev, c.field.get("imagePullPolicy"), c);
            if (!policy || policy.value === "Always") {
                return;
            }
            const image = c.field.get("image");
            let parsed: ParsedImage | undefined;
            // The default policy depends on the image, and so does being pinned (unless every image counts).
            if (policy.isAbsent || !ev.options.always) {
                if (!known(ev, image, c) || image.isAbsent) {
                    return; // a patch that leaves the image alone; a container without one is the API's to reject
                }
                parsed = parseImageRef(image.value);
                if (policy.isAbsent && defaultPullPolicy(parsed) === "Always") {
                    return;
                }
                if (!ev.options.always && isDigestPinned(parsed)) {
                    return;
                }
            }
            const shown = typeof image.value === "string" ? quote(image.value, 200) : "its image";
            const reason = ev.options.always
                ? "every image must be pulled on each start (option always)"
                : parsed?.kind === "error"
                  ? `the image ${shown} is not a valid reference, so it cannot count as pinned by a digest`
                  : `the image ${shown} is not pinned by a digest, so the node may run a stale copy of the tag`;
            ev.violation({
                at: policy,
                container: c,
                missing: policy.isAbsent,
                problem: policy.isAbsent
                    ? `imagePullPolicy is not set, so it defaults to IfNotPresent; ${reason}`
                    : `imagePullPolicy is ${show(policy)}; ${reason}`,
                fix: ev.options.always
                    ? "set imagePullPolicy: Always"
                    : "set imagePullPolicy: Always, or pin the image by digest (image@sha256:<digest>)",
            });
        });
    },
});
