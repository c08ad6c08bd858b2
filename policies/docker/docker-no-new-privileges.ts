import { parseGoBool, parseSecurityOpt } from "../../src/docker/container";
import { defineDockerContainerPolicy } from "../../src/docker/container-policy";
import { type Field } from "../../src/framework/field";
import { nist800190 } from "../../src/framework/compliance";
import { quoteField } from "../../src/framework/checks";

/** Docker containers should set no-new-privileges, so setuid binaries cannot raise privileges. */
export const dockerNoNewPrivileges = defineDockerContainerPolicy({
    name: "docker-no-new-privileges",
    displayName: "Docker containers set no-new-privileges",
    description:
        "Docker containers must set the security option no-new-privileges (or no-new-privileges=true), so that " +
        "setuid and setcap binaries cannot gain privileges; the last no-new-privileges option wins, as in " +
        "Docker.",
    severity: "medium",
    tags: ["docker", "privilege", "profile:restricted"],
    remediationSteps:
        'Add "no-new-privileges:true" (or "no-new-privileges") to the docker.Container securityOpts, or start the ' +
        "Docker daemon with --no-new-privileges (then exempt the resources with that reason).",
    url: "https://docs.docker.com/reference/cli/docker/container/run/#security-opt",
    framework: nist800190("4.4.3 Insecure container runtime configurations"),
    options: {},
    appliesTo: (spec) => spec.securityOpts !== undefined,
    check(spec, ev) {
        const opts = spec.securityOpts!;
        if (opts.isUnknown) {
            ev.unknown(opts);
            return;
        }
        // The last no-new-privileges option wins; an entry unknown during preview after it may override it.
        let last: Field<unknown> | undefined;
        let undecided: Field<unknown> | undefined;
        for (const item of opts.items()) {
            if (item.isUnknown) {
                undecided = item;
            } else if (typeof item.value === "string" && parseSecurityOpt(item.value)?.key === "no-new-privileges") {
                last = item;
                undecided = undefined;
            }
        }
        if (undecided) {
            ev.unknown(undecided);
            return;
        }
        const written = last?.str();
        const on = written === undefined ? undefined : parseGoBool(parseSecurityOpt(written)!.value);
        if (!last) {
            ev.violation({
                at: opts,
                missing: true,
                problem: "no-new-privileges is not set",
                fix: 'add "no-new-privileges:true" to securityOpts',
            });
        } else if (on !== true) {
            const what = on === false ? "turns no-new-privileges off" : "is not a valid no-new-privileges option";
            ev.violation({
                at: last,
                problem: `${quoteField(last, written ?? "")} ${what}`,
                fix: 'use "no-new-privileges:true"',
            });
        }
    },
});
