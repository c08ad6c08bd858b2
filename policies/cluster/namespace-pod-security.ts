// Namespaces declared in the stack must tell the cluster's pod-security admission controller to
// enforce at least the configured Pod Security Standards level, with a valid version label.

import { boolean, option, string } from "../../src/framework/options";
import { buildStackPolicy, identityOf } from "../../src/framework/stack-policy";
import { isKubernetesKind } from "../../src/framework/resource";
import { VERSION_PATTERN } from "../../src/pss/standard";
import { show } from "../../src/framework/checks";

const ENFORCE = "pod-security.kubernetes.io/enforce";
const ENFORCE_VERSION = "pod-security.kubernetes.io/enforce-version";
const LEVELS = ["privileged", "baseline", "restricted"];
const VERSION = new RegExp(VERSION_PATTERN);

export const namespacePodSecurity = buildStackPolicy({
    name: "namespace-pod-security",
    displayName: "Namespaces enforce Pod Security Standards",
    description:
        `Namespaces declared in the stack must carry the ${ENFORCE} label at or above the configured level, ` +
        `with a valid ${ENFORCE_VERSION}.`,
    severity: "medium",
    tags: ["kubernetes", "pss", "namespaces", "stack"],
    remediationSteps:
        `Label each Namespace with ${ENFORCE}: baseline (or restricted) and, to pin the rules, ` +
        `${ENFORCE_VERSION}: v1.N (or latest).`,
    url:
        "https://kubernetes.io/docs/concepts/security/pod-security-admission/" +
        "#pod-security-admission-labels-for-namespaces",
    framework: {
        name: "Kubernetes Pod Security Standards",
        version: "v1.37",
        reference: "https://kubernetes.io/docs/concepts/security/pod-security-admission/",
        specification: "Namespace labels for pod-security admission",
    },
    options: {
        minimumLevel: option(
            string({ enum: ["baseline", "restricted"], description: "The lowest acceptable enforce level." }),
            "baseline",
        ),
        requireVersion: option(
            boolean({ description: `Also require ${ENFORCE_VERSION} to be set (unset means latest).` }),
            false,
        ),
    },
    check(stack) {
        const minimum = LEVELS.indexOf(stack.options.minimumLevel);
        for (const r of stack.resources) {
            if (!isKubernetesKind(r.type, "core", "Namespace")) {
                continue;
            }
            const labels = r.props.get("metadata").get("labels");
            const identity = identityOf(r);
            const ev = stack.about(r, { ...identity, namespace: identity.name, label: `Namespace ${identity.name}` });
            const level = labels.get(ENFORCE);
            const version = labels.get(ENFORCE_VERSION);
            if (level.isUnknown || labels.isUnknown) {
                ev.unknown(labels.isUnknown ? labels : level);
            } else if (level.isAbsent) {
                ev.violation({
                    at: level,
                    missing: true,
                    problem:
                        `the ${ENFORCE} label is not set, so pods are admitted without Pod Security Standards ` +
                        `checks`,
                    fix: `add the label ${ENFORCE}: ${stack.options.minimumLevel}`,
                });
            } else if (!LEVELS.includes(String(level.value))) {
                ev.violation({
                    at: level,
                    problem: `${ENFORCE} is ${show(level)}, not a level (privileged, baseline, ` + `restricted)`,
                    fix: `set it to ${stack.options.minimumLevel}`,
                });
            } else if (LEVELS.indexOf(String(level.value)) < minimum) {
                ev.violation({
                    at: level,
                    problem: `${ENFORCE} is ${show(level)}, below the required ` + `${stack.options.minimumLevel}`,
                    fix: `set it to ${stack.options.minimumLevel} or restricted`,
                });
            }
            if (version.isUnknown) {
                ev.unknown(version);
            } else if (version.isAbsent && stack.options.requireVersion) {
                ev.violation({
                    at: version,
                    missing: true,
                    problem: `${ENFORCE_VERSION} is not set`,
                    fix: `pin it, e.g. ${ENFORCE_VERSION}: v1.37, or set it to latest`,
                });
            } else if (version.isPresent && !VERSION.test(String(version.value))) {
                ev.violation({
                    at: version,
                    problem:
                        `${ENFORCE_VERSION} is ${show(version)}, not a version the admission ` +
                        `controller accepts (latest or v1.N)`,
                    fix: `set it to latest or a version such as v1.37`,
                });
            }
        }
    },
});
