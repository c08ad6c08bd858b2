// The procMount rule shared by the baseline and restricted checks (which differ only in their
// versions: the baseline one exempts pods in a user namespace from v1.35).

import { type Evaluation } from "../framework/policy";
import { type PodSpec } from "../kubernetes/workload";
import { eachContainer, known, show } from "./standard";

/** Reports every container whose procMount is set to something other than Default. */
export function checkProcMount(pod: PodSpec, ev: Evaluation<unknown>): void {
    eachContainer(pod, ev, (c) => {
        const f = known(ev, c.field.at("securityContext", "procMount"), c);
        if (f?.isPresent && f.value !== "Default") {
            ev.violation({
                at: f,
                container: c,
                problem: `procMount is ${show(f)}`,
                fix: 'remove securityContext.procMount or set it to "Default"',
            });
        }
    });
}
