// The procMount rule shared by the baseline and restricted checks.

import { type Evaluation } from "../framework/policy";
import { type PodSpec } from "../kubernetes/workload";
import { eachContainer, known, show, unlessExempt, usesUserNamespace } from "./standard";

/** Reports every container whose procMount is set to something other than Default. */
export function checkProcMount(pod: PodSpec, ev: Evaluation<unknown>, relaxForUserNamespaces: boolean): void {
    eachContainer(pod, ev, (c) => {
        const f = known(ev, c.field.at("securityContext", "procMount"), c);
        if (f?.isPresent && f.value !== "Default") {
            const report = () =>
                ev.violation({
                    at: f,
                    container: c,
                    problem: `procMount is ${show(f.value)}`,
                    fix: 'remove securityContext.procMount or set it to "Default"',
                });
            if (relaxForUserNamespaces) {
                unlessExempt(ev, usesUserNamespace(pod), pod.hostUsers, report);
            } else {
                report();
            }
        }
    });
}
