import { type Field } from "../../src/framework/field";
import { known, knownItems, show } from "../../src/framework/checks";
import { defineWorkloadPolicy } from "../../src/kubernetes/workload-policy";
import { eachContainer } from "../../src/kubernetes/pod-checks";
import { SECRETS_URL } from "../../src/secrets/literals";

const FIX =
    "mount the Secret as a volume (volumes[].secret, with readOnly: true on the volumeMount) and let the program " +
    "read the file; keep the environment variable only if the program cannot read a file";

/** `Secret "db"` (or `a Secret` when its name is not known or not text). */
function secretLabel(name: Field): string {
    const n = name.str();
    return n !== undefined ? `Secret ${show(n)}` : "a Secret";
}

/** Secrets reach containers as files, not environment variables. */
export const secretsAsEnv = defineWorkloadPolicy({
    name: "secrets-as-env",
    displayName: "Secrets as files, not environment variables",
    description:
        "Containers should not receive Secret values as environment variables (env[].valueFrom.secretKeyRef, " +
        "envFrom[].secretRef): mount the Secret as a read-only volume instead.",
    severity: "medium",
    tags: ["secrets", "kubernetes", "env"],
    remediationSteps:
        "Mount the Secret as a volume (volumes[].secret, with readOnly: true on the volumeMount) and have the " +
        "program read the file, e.g. /etc/secrets/password; many programs accept a *_FILE variable that names it. " +
        "Environment variables are inherited by every child process, appear in crash dumps, debug endpoints and " +
        "error reports, and are often logged; a Secret volume is a tmpfs file only the container reads, and it is " +
        "updated when the Secret changes.",
    url: SECRETS_URL,
    framework: {
        name: "CIS Kubernetes Benchmark",
        version: "v1.9.0",
        reference: "https://www.cisecurity.org/benchmark/kubernetes",
        specification: "5.4.1 Prefer using Secrets as files over Secrets as environment variables",
    },
    options: {},
    check(pod, ev) {
        eachContainer(pod, ev, (c) => {
            for (const entry of knownItems(ev, known(ev, c.field.get("env"), c))) {
                const ref = known(ev, entry.at("valueFrom", "secretKeyRef"), c);
                if (!ref?.isPresent) {
                    continue;
                }
                const name = entry.get("name").str();
                const key = ref.get("key").str();
                ev.violation({
                    at: ref,
                    container: c,
                    problem:
                        `env variable ${name !== undefined ? show(name) : "(unnamed)"} takes ` +
                        `${key !== undefined ? `key ${show(key)} of ` : "a key of "}${secretLabel(ref.get("name"))}`,
                    fix: FIX,
                });
            }
            for (const source of knownItems(ev, known(ev, c.field.get("envFrom"), c))) {
                const ref = known(ev, source.get("secretRef"), c);
                if (!ref?.isPresent) {
                    continue;
                }
                const prefix = source.get("prefix").str();
                ev.violation({
                    at: ref,
                    container: c,
                    problem:
                        `envFrom makes every key of ${secretLabel(ref.get("name"))} an environment variable` +
                        `${prefix ? ` (prefix ${show(prefix)})` : ""}`,
                    fix: FIX,
                });
            }
        });
    },
});
