import { defineContainerPolicy } from "../../src/containers/container-policy";
import { type Evaluation } from "../../src/framework/policy";
import { type Field } from "../../src/framework/field";
import { nist800190 } from "../../src/framework/compliance";
import { known, knownItems, show } from "../../src/framework/checks";

/**
 * The characters CRI-O (before 1.19.6, 1.20.7, 1.21.6, 1.22.3, 1.23.2) passed through to `pinns`,
 * which split its sysctl list on `+` and each entry on `=`: a value carrying them sets a second,
 * arbitrary sysctl (CVE-2022-0811), such as `kernel.core_pattern`, which runs a program as root on
 * the node. No sysctl a pod may set takes a value with either character.
 */
const INJECTION = /[+=]/;

const KUBERNETES_FIX = "remove the sysctl or give it a plain value (e.g. 1, or 1024 65535 for a port range)";
const DOCKER_FIX = "remove the entry or give it a plain value (e.g. 1)";

/** Reports a sysctl value that carries a second assignment, or that is not text and cannot be judged. */
function judgeValue(ev: Evaluation<unknown>, name: string | undefined, value: Field, where: string, fix: string) {
    const v = known(ev, value);
    if (!v?.isPresent) {
        return;
    }
    const scalar = v.scalar();
    const sysctl = name !== undefined ? `sysctl ${show(name)}` : "a sysctl";
    if (scalar === undefined) {
        // The API server and the daemon accept only text here; anything else cannot be judged.
        ev.violation({
            at: v,
            problem: `${sysctl} has a value that is not text, so it cannot be checked for a second assignment`,
            fix: `${fix} in ${where}`,
        });
    } else if (INJECTION.test(String(scalar))) {
        ev.violation({
            at: v,
            problem:
                `${sysctl} has the value ${show(v)}, which contains "+" or "=": a runtime that joins ` +
                `sysctls as name=value+name=value (CRI-O, CVE-2022-0811) reads it as another sysctl`,
            fix: `${fix} in ${where}`,
        });
    }
}

/** Reports a sysctl name that carries an assignment (real names are dotted or slashed words). */
function judgeName(ev: Evaluation<unknown>, name: string | undefined, at: Field, where: string, fix: string) {
    if (name !== undefined && INJECTION.test(name)) {
        ev.violation({
            at,
            problem: `sysctl name ${show(name)} contains "+" or "=", which injects another sysctl (CVE-2022-0811)`,
            fix: `${fix} in ${where}`,
        });
    }
}

/** Sysctl values must not smuggle a second sysctl (CVE-2022-0811, "cr8escape"). */
export const sysctlValueInjection = defineContainerPolicy({
    name: "sysctl-value-injection",
    displayName: "No sysctl injection",
    description:
        'Sysctl names and values must not contain "+" or "=" (Kubernetes spec.securityContext.sysctls, Docker ' +
        "sysctls): a vulnerable CRI-O reads them as further sysctls, which lets a pod escape to the node " +
        "(CVE-2022-0811).",
    severity: "high",
    // The same control as pss-sysctls (a baseline check), applied to the values it does not read.
    tags: ["kubernetes", "docker", "kernel", "isolation", "cve", "profile:baseline"],
    remediationSteps:
        "Give each sysctl a plain value without + or = (the Pod Security Standards check only the names, so a safe " +
        "name such as kernel.shm_rmid_forced can carry an injected kernel.core_pattern). " +
        "Upgrade CRI-O to 1.19.6, 1.20.7, 1.21.6, 1.22.3, 1.23.2 or later on the nodes; containerd and Docker " +
        "are not affected, but no legitimate value needs these characters.",
    url: "https://nvd.nist.gov/vuln/detail/CVE-2022-0811",
    framework: nist800190("4.4.1 Vulnerabilities within the runtime software"),
    options: {},
    kubernetes(pod, ev) {
        const where = "spec.securityContext.sysctls";
        for (const entry of knownItems(ev, pod.securityContext.get("sysctls"))) {
            const name = known(ev, entry.get("name"));
            if (name) {
                judgeName(ev, name.str(), name, where, KUBERNETES_FIX);
            }
            judgeValue(ev, name?.str(), entry.get("value"), where, KUBERNETES_FIX);
        }
    },
    docker(spec, ev) {
        const sysctls = known(ev, spec.sysctls);
        const where = spec.kind === "Container" ? "sysctls" : "taskSpec.containerSpec.sysctl";
        for (const [name, value] of sysctls?.entries() ?? []) {
            judgeName(ev, name, value, where, DOCKER_FIX);
            judgeValue(ev, name, value, where, DOCKER_FIX);
        }
    },
});
