import { definePssCheck, eachContainer, known, unchangedSince } from "../../src/pss/standard";

/** v1.0: the check appears; no version has changed it since. */
const VERSIONS = unchangedSince("v1.0");

/** Baseline: no privileged containers. */
export const privileged = definePssCheck({
    name: "pss-privileged",
    checkId: "privileged",
    level: "baseline",
    displayName: "No privileged containers",
    description:
        "Containers must not run privileged: a privileged container has every capability and access to all host " +
        "devices.",
    severity: "critical",
    topics: ["privilege"],
    versions: VERSIONS,
    remediationSteps:
        "Remove securityContext.privileged from every container, init container and ephemeral container, or set it " +
        "to false.",
    check(pod, ev) {
        eachContainer(pod, ev, (c) => {
            const f = known(ev, c.field.at("securityContext", "privileged"), c);
            if (f?.value === true) {
                ev.violation({
                    at: f,
                    container: c,
                    problem: "privileged is true",
                    fix: "remove securityContext.privileged or set it to false",
                });
            }
        });
    },
});
