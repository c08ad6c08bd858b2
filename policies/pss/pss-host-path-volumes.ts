import { type Evaluation } from "../../src/framework/policy";
import { type Field } from "../../src/framework/field";
import { array, boolean, object, option, string } from "../../src/framework/options";
import { normalizeHostPath } from "../../src/docker/host-paths";
import { type ContainerRef, type PodSpec } from "../../src/kubernetes/workload";
import { allowedByOption, definePssCheck, known, show, unchangedSince } from "../../src/pss/standard";
import { volumeLabel } from "../../src/kubernetes/pod-checks";

/** v1.0: the check appears; no version has changed it since. */
const VERSIONS = unchangedSince("v1.0");

const FIX = "use an emptyDir, configMap, secret, projected or persistentVolumeClaim volume instead";

/** One entry of allowedHostPaths. */
export interface AllowedHostPath {
    pathPrefix: string;
    readOnly?: boolean;
}

const allowedHostPath = object(
    {
        pathPrefix: string({
            description:
                "Absolute path; allows it and everything below it, by whole path components (/var/log allows " +
                "/var/log/app, not /var/logs)",
            pattern: "^/",
            patternHint: 'use an absolute path such as "/var/log"',
        }),
        readOnly: boolean({
            description: "Allow only volumes that every container (init and ephemeral included) mounts readOnly: true",
        }),
    },
    { required: ["pathPrefix"] },
);

/** Whether `path` is `prefix` or below it, by path components (both normalised). */
function isUnder(path: string, prefix: string): boolean {
    return prefix === "/" || path === prefix || path.startsWith(prefix + "/");
}

/** The entries of allowedHostPaths whose prefix covers a hostPath path, with their index for messages. */
function entriesCovering(path: unknown, allowed: readonly AllowedHostPath[]): { entry: AllowedHostPath; i: number }[] {
    const normalised = typeof path === "string" ? normalizeHostPath(path) : undefined;
    if (normalised === undefined) {
        return []; // not an absolute path: no prefix covers it
    }
    return allowed.flatMap((entry, i) => {
        const prefix = normalizeHostPath(entry.pathPrefix);
        return prefix !== undefined && isUnder(normalised, prefix) ? [{ entry, i }] : [];
    });
}

/**
 * Every mount of a volume that is not read-only (readOnly other than true), in every container. Undefined
 * when that cannot be decided during preview (the unknown fields are recorded).
 */
function writableMounts(
    pod: PodSpec,
    ev: Evaluation<unknown>,
    volume: string,
): { container: ContainerRef; readOnly: Field }[] | undefined {
    let decided = true;
    for (const f of pod.unknownContainers()) {
        ev.unknown(f);
        decided = false;
    }
    const out: { container: ContainerRef; readOnly: Field }[] = [];
    for (const c of pod.containers()) {
        const mounts = known(ev, c.field.get("volumeMounts"), c);
        if (!mounts) {
            decided = false;
            continue;
        }
        for (const mount of mounts.items()) {
            const name = known(ev, mount, c) && known(ev, mount.get("name"), c);
            if (!name) {
                decided = false;
                continue;
            }
            if (name.value !== volume) {
                continue;
            }
            const readOnly = known(ev, mount.get("readOnly"), c);
            if (!readOnly) {
                decided = false;
            } else if (readOnly.value !== true) {
                out.push({ container: c, readOnly });
            }
        }
    }
    return decided ? out : undefined;
}

/** Judges a hostPath volume against allowedHostPaths (set): allowed, or reported as the standard does. */
function judgeAllowList(
    pod: PodSpec,
    ev: Evaluation<{ allowedHostPaths: AllowedHostPath[] }>,
    hostPath: Field,
    name: Field,
    label: string,
): void {
    const path = known(ev, hostPath.get("path"));
    if (!path) {
        return; // decided once the path is known
    }
    const covering = entriesCovering(path.value, ev.options.allowedHostPaths);
    const what = path.isAbsent
        ? `${label} is a hostPath volume without a path`
        : `${label} is a hostPath volume (path ${show(path)})`;
    if (covering.length === 0) {
        ev.violation({ at: hostPath, problem: what, fix: FIX });
        return;
    }
    const describe = ({ entry, i }: { entry: AllowedHostPath; i: number }) =>
        `allowedHostPaths[${i}] (pathPrefix ${show(entry.pathPrefix)}${entry.readOnly === true ? ", read-only" : ""})`;
    const writable = covering.find(({ entry }) => entry.readOnly !== true);
    if (writable) {
        allowedByOption(ev, { at: path, problem: what, option: describe(writable) });
        return;
    }
    // Every entry that covers the path allows it only read-only: every mount of the volume must be.
    if (!known(ev, name)) {
        return;
    }
    if (typeof name.value !== "string") {
        ev.violation({
            at: name,
            problem: `${what}, but it has no name, so its mounts cannot be shown to be read-only`,
            fix: "name the volume and mount it with readOnly: true",
        });
        return;
    }
    const mounts = writableMounts(pod, ev, name.value);
    if (mounts === undefined) {
        return; // decided once the mounts are known
    }
    if (mounts.length === 0) {
        allowedByOption(ev, { at: path, problem: `${what}, mounted read-only`, option: describe(covering[0]) });
        return;
    }
    for (const { container, readOnly } of mounts) {
        ev.violation({
            at: readOnly,
            container,
            problem:
                `mounts hostPath volume ${show(name)} (path ${show(path)}) without readOnly: true, ` +
                `and option ${describe(covering[0])} allows it only read-only`,
            fix: "set readOnly: true on this volumeMount, or use another volume type",
        });
    }
}

/** Baseline: no hostPath volumes. */
export const hostPathVolumes = definePssCheck({
    name: "pss-host-path-volumes",
    checkId: "hostPathVolumes",
    level: "baseline",
    displayName: "No hostPath volumes",
    description:
        "Pods must not mount hostPath volumes: they expose the node's filesystem (and sockets such as the container " +
        "runtime's) to the pod.",
    severity: "high",
    topics: ["host-access", "volumes"],
    versions: VERSIONS,
    remediationSteps:
        "Replace hostPath volumes with emptyDir, configMap, secret, projected, persistentVolumeClaim or CSI volumes. " +
        "Where a node path is needed and accepted (a log collector reading /var/log), list it in the " +
        "allowedHostPaths option, read-only where possible: such volumes are then reported as advisories naming the " +
        "option, and the namespace must still admit them (the admission controller rejects every hostPath volume at " +
        "the baseline level).",
    options: {
        allowedHostPaths: option(
            array(allowedHostPath, {
                description:
                    "hostPath volumes to allow, by path prefix (paths are normalised: //, . and .. resolved, " +
                    "trailing / removed). An allowed volume is reported as an advisory naming the entry. Empty: " +
                    "every hostPath volume is a finding, as in the standard.",
            }),
            [] as AllowedHostPath[],
        ),
    },
    check(pod, ev) {
        const volumes = known(ev, pod.spec.get("volumes"));
        for (const vol of volumes?.items() ?? []) {
            if (!known(ev, vol)) {
                continue;
            }
            // A hostPath key makes this a hostPath volume even if its value is unknown during preview.
            const hostPath = vol.get("hostPath");
            if (hostPath.isAbsent) {
                continue;
            }
            const label = volumeLabel(vol);
            if (ev.options.allowedHostPaths.length > 0) {
                judgeAllowList(pod, ev, hostPath, vol.get("name"), label);
                continue;
            }
            ev.violation({ at: hostPath, problem: `${label} is a hostPath volume`, fix: FIX });
        }
    },
});
