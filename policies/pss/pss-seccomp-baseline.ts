import { type Evaluation } from "../../src/framework/policy";
import { type Field } from "../../src/framework/field";
import { type ContainerRef, type PodSpec } from "../../src/kubernetes/workload";
import {
    checkLocalhostProfile,
    checkProfileType,
    definePssCheck,
    localhostProfileOptions,
    eachContainer,
    known,
    show,
    VALID_SECCOMP_TYPES,
    type VersionedRule,
} from "../../src/pss/standard";

/**
 * v1.0: the alpha seccomp annotations are judged. v1.19: the seccompProfile fields are judged
 * instead (the annotations are ignored from then on).
 */
const VERSIONS: readonly VersionedRule<{ reads: "annotations" | "fields" }>[] = [
    { since: "v1.0", rule: { reads: "annotations" } },
    { since: "v1.19", rule: { reads: "fields" } },
];

const POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";
const LOCALHOST_ANNOTATION_PREFIX = "localhost/";

/** Allowed alpha annotation values; an empty value is not allowed. */
function allowedAnnotation(value: unknown): boolean {
    return (
        value === "runtime/default" ||
        value === "docker/default" ||
        (typeof value === "string" && value.startsWith(LOCALHOST_ANNOTATION_PREFIX))
    );
}

type Options = { allowedLocalhostProfiles: string[] };

function checkAnnotation(ev: Evaluation<Options>, annotations: Field, key: string, container?: ContainerRef): void {
    const v = known(ev, annotations.get(key), container);
    if (v?.isPresent && !allowedAnnotation(v.value)) {
        ev.violation({
            at: v,
            container,
            problem: `annotation ${key} is ${show(v)}`,
            fix: 'set it to "runtime/default" or "localhost/<profile>"',
        });
    } else if (typeof v?.value === "string" && v.value.startsWith(LOCALHOST_ANNOTATION_PREFIX)) {
        const name = v.value.slice(LOCALHOST_ANNOTATION_PREFIX.length);
        checkLocalhostProfile(ev, ev.options.allowedLocalhostProfiles, v, name, container);
    }
}

/**
 * Before v1.19 the standard read the alpha annotations: the pod's, and one per container of the pod
 * (annotations naming containers the pod does not have are ignored).
 */
function checkAnnotations(pod: PodSpec, ev: Evaluation<Options>): void {
    const annotations = known(ev, pod.metadata.get("annotations"));
    if (!annotations?.isPresent) {
        return;
    }
    checkAnnotation(ev, annotations, POD_ANNOTATION);
    eachContainer(pod, ev, (c) => {
        if (c.name !== undefined) {
            checkAnnotation(ev, annotations, CONTAINER_ANNOTATION_PREFIX + c.name, c);
        }
    });
}

/**
 * From v1.19: a present seccompProfile must have type RuntimeDefault or Localhost (and, with
 * allowedLocalhostProfiles set, a Localhost profile must be one of them).
 */
function checkProfile(ev: Evaluation<Options>, profile: Field<unknown>, container?: ContainerRef): void {
    const type = profile.get("type");
    if (ev.options.allowedLocalhostProfiles.length > 0 && type.value === "Localhost") {
        const name = known(ev, profile.get("localhostProfile"), container);
        if (name) {
            checkLocalhostProfile(ev, ev.options.allowedLocalhostProfiles, name, name.value ?? undefined, container);
        }
    }
    checkProfileType(
        ev,
        profile,
        VALID_SECCOMP_TYPES,
        "seccomp profile",
        'set seccompProfile.type to "RuntimeDefault" or "Localhost"',
        container,
    );
}

/** Baseline: seccomp must not be disabled. */
export const seccompBaseline = definePssCheck({
    name: "pss-seccomp-baseline",
    checkId: "seccompProfile_baseline",
    level: "baseline",
    displayName: "Seccomp not disabled",
    description:
        "A seccomp profile that is set must be RuntimeDefault or Localhost, never Unconfined (before v1.19: the " +
        "seccomp annotations must be runtime/default, docker/default or localhost/*).",
    severity: "medium",
    topics: ["seccomp", "isolation"],
    versions: VERSIONS,
    remediationSteps:
        'Set securityContext.seccompProfile.type to "RuntimeDefault" (or "Localhost" with a profile) at pod or ' +
        'container level, and remove "Unconfined". With the allowedLocalhostProfiles option set, a Localhost ' +
        "profile must be one of those listed (the standard allows any Localhost profile).",
    options: localhostProfileOptions,
    check(pod, ev, rule) {
        if (rule.reads === "annotations") {
            checkAnnotations(pod, ev);
            return;
        }
        checkProfile(ev, pod.securityContext.get("seccompProfile"));
        eachContainer(pod, ev, (c) => checkProfile(ev, c.field.at("securityContext", "seccompProfile"), c));
    },
});
