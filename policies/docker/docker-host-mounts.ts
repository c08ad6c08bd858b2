import { known, knownItems, quoteField } from "../../src/framework/checks";
import { type DockerContainerSpec } from "../../src/docker/container";
import { defineDockerContainerPolicy } from "../../src/docker/container-policy";
import {
    DEFAULT_SENSITIVE_PATHS,
    type SensitivePath,
    normalizeHostPath,
    sensitiveHostPath,
    sensitivePath,
} from "../../src/docker/host-paths";
import { type Evaluation } from "../../src/framework/policy";
import { type Field } from "../../src/framework/field";
import { array, option, string } from "../../src/framework/options";
import { nist800190 } from "../../src/framework/compliance";

const options = {
    additionalSensitivePaths: option(
        array(
            string({
                pattern: "^(/|[\\\\/]{2}\\.[\\\\/]pipe[\\\\/])",
                patternHint: "use an absolute path such as /srv/secrets or /srv/secrets/**",
            }),
            {
                description:
                    "More host paths that must not be mounted, in addition to the built-in list; end a path with /** " +
                    "to include everything inside it.",
            },
        ),
        [] as string[],
    ),
    allowedHostPaths: option(
        array(
            string({
                pattern: "^(/|[\\\\/]{2}\\.[\\\\/]pipe[\\\\/])",
                patternHint: "use an absolute path such as /var/lib/docker/containers",
            }),
            {
                description:
                    "Host paths that may be mounted even though they are sensitive (compared after normalisation), " +
                    "e.g. /var/lib/docker/containers for a log shipper.",
            },
        ),
        [] as string[],
    ),
};

interface Compiled {
    readonly entries: readonly SensitivePath[];
    readonly allowed: ReadonlySet<string>;
}

const compiledCache = new WeakMap<object, Compiled>();

function compile(opts: { additionalSensitivePaths: string[]; allowedHostPaths: string[] }): Compiled {
    let c = compiledCache.get(opts);
    if (!c) {
        const extra = opts.additionalSensitivePaths.flatMap(
            (p) => sensitivePath(p, `a path listed in additionalSensitivePaths`) ?? [],
        );
        const allowed = new Set(opts.allowedHostPaths.flatMap((p) => normalizeHostPath(p) ?? []));
        c = { entries: [...DEFAULT_SENSITIVE_PATHS, ...extra], allowed };
        compiledCache.set(opts, c);
    }
    return c;
}

/** A host path a container mounts: where it is declared and how. */
interface HostMount {
    readonly source: Field<unknown>;
    /** For messages: "bind-mounts", "mounts the named pipe", ... */
    readonly verb: string;
    /** Fields that decide whether this is a host mount at all, unknown during preview. */
    readonly undecided?: Field<unknown>;
}

/**
 * The host paths a container mounts: `volumes[].hostPath` and `mounts[]` of type bind or npipe, or local volumes that
 * bind a device path.
 */
function hostMounts(spec: DockerContainerSpec, ev: Evaluation<unknown>): HostMount[] {
    const out: HostMount[] = [];
    for (const volume of knownItems(ev, spec.volumes)) {
        const hostPath = volume.get("hostPath");
        if (!hostPath.isAbsent) {
            out.push({ source: hostPath, verb: "bind-mounts" });
        }
    }
    for (const mount of knownItems(ev, spec.mounts)) {
        const type = mount.get("type");
        const kind = type.str()?.toLowerCase();
        if (type.isUnknown) {
            out.push({ source: mount.get("source"), verb: "mounts", undecided: type });
        } else if (kind === "bind") {
            out.push({ source: mount.get("source"), verb: "bind-mounts" });
        } else if (kind === "npipe") {
            out.push({ source: mount.get("source"), verb: "mounts the named pipe" });
        } else if (kind === "volume") {
            // A local volume with `o: bind` and a `device` is a bind mount of that host path.
            const driverOptions = mount.at("volumeOptions", "driverOptions");
            const o = driverOptions.get("o");
            const device = driverOptions.get("device");
            if (!device.isAbsent && (o.isUnknown || (o.str() ?? "").split(",").includes("bind"))) {
                out.push({ source: device, verb: "mounts a volume bound to", undecided: o.isUnknown ? o : undefined });
            }
        }
    }
    return out;
}

/** Docker containers must not mount the container runtime's socket or sensitive host directories. */
export const dockerHostMounts = defineDockerContainerPolicy({
    name: "docker-host-mounts",
    displayName: "No runtime sockets or system directories mounted into Docker containers",
    description:
        "Docker containers and services must not mount the container runtime's socket (docker.sock, containerd, " +
        "CRI-O, Podman, the Docker named pipe), a directory that contains it (/var/run, /run, /), or the host's " +
        "system directories (/etc, /proc, /sys, /dev, /var/lib/docker, ...).",
    severity: "high",
    tags: ["docker", "host-access", "volumes", "profile:baseline"],
    remediationSteps:
        "Remove the bind mount (volumes[].hostPath, mounts[] of type bind). A container that can reach the Docker " +
        "socket controls the host: give build or CI jobs a rootless or remote builder instead. Mount only the " +
        "specific, non-sensitive host directory a container needs, read-only where possible.",
    url: "https://docs.docker.com/engine/security/#docker-daemon-attack-surface",
    framework: nist800190("4.4.3 Insecure container runtime configurations; 4.5.5 Host OS file system tampering"),
    options,
    check(spec, ev) {
        const { entries, allowed } = compile(ev.options);
        for (const m of hostMounts(spec, ev)) {
            const source = known(ev, m.source);
            const raw = source?.str();
            if (!source || raw === undefined) {
                continue;
            }
            const path = normalizeHostPath(raw);
            const why = path === undefined || allowed.has(path) ? undefined : sensitiveHostPath(path, entries);
            if (!why) {
                continue;
            }
            if (m.undecided) {
                ev.unknown(m.undecided);
                continue;
            }
            const shown =
                path === raw || source.isSecret ? quoteField(source, raw) : `${quoteField(source, raw)} (${path})`;
            ev.violation({
                at: source,
                problem: `${m.verb} ${shown}: ${why}`,
                fix: "remove this mount, or mount only a specific non-sensitive directory",
            });
        }
    },
});
