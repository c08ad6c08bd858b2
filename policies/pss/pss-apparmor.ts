import { type Evaluation } from "../../src/framework/policy";
import { type Field } from "../../src/framework/field";
import { type ContainerRef } from "../../src/kubernetes/workload";
import { checkProfileType, definePssCheck, eachContainer, known, show, unchangedSince } from "../../src/pss/standard";

/**
 * v1.0: the check appears; no version has changed it since (the appArmorProfile fields and the
 * beta annotations are both judged at every version).
 */
const VERSIONS = unchangedSince("v1.0");

const ALLOWED_TYPES: ReadonlySet<string> = new Set(["RuntimeDefault", "Localhost"]);
const ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

function checkProfile(ev: Evaluation<unknown>, profile: Field<unknown>, container?: ContainerRef): void {
    checkProfileType(
        ev,
        profile,
        ALLOWED_TYPES,
        "AppArmor profile",
        'set appArmorProfile.type to "RuntimeDefault" or "Localhost", or remove appArmorProfile',
        container,
    );
}

function allowedAnnotation(value: unknown): boolean {
    return value === "" || value === "runtime/default" || (typeof value === "string" && value.startsWith("localhost/"));
}

/** Baseline: AppArmor may not be disabled or overridden with an unconfined profile. */
export const appArmor = definePssCheck({
    name: "pss-apparmor",
    checkId: "appArmorProfile",
    level: "baseline",
    displayName: "AppArmor not disabled",
    description:
        "Pods and containers must not run without AppArmor confinement: the profile must be RuntimeDefault or " +
        "Localhost (fields), runtime/default or localhost/* (annotations).",
    severity: "medium",
    topics: ["apparmor", "isolation"],
    versions: VERSIONS,
    remediationSteps:
        'Set securityContext.appArmorProfile.type to "RuntimeDefault" (or "Localhost" with a profile), or remove it; ' +
        "remove container.apparmor.security.beta.kubernetes.io/* annotations with other values.",
    check(pod, ev) {
        checkProfile(ev, pod.securityContext.get("appArmorProfile"));
        eachContainer(pod, ev, (c) => checkProfile(ev, c.field.at("securityContext", "appArmorProfile"), c));
        const annotations = known(ev, pod.metadata.get("annotations"));
        for (const [key, value] of annotations?.entries() ?? []) {
            if (!key.startsWith(ANNOTATION_PREFIX)) {
                continue;
            }
            const v = known(ev, value);
            if (v?.isPresent && !allowedAnnotation(v.value)) {
                ev.violation({
                    at: v,
                    problem: `annotation ${key} is ${show(v)}`,
                    fix: 'set it to "runtime/default" or "localhost/<profile>", or use securityContext.appArmorProfile',
                });
            }
        }
    },
});
