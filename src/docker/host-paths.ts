// Host paths a container must not get: the container runtime's sockets (whoever can talk to them
// controls every container on the host, and the host) and system directories.
//
// Exact-string checks are easy to get around: `/run/docker.sock` is the same socket as
// `/var/run/docker.sock`, `/var/run/` and `/var/run/./docker.sock` are the same paths, and mounting
// the parent directory `/var/run` (or `/`) exposes the socket too. Paths are therefore normalised
// and compared by segments: a mount matches an entry when it is the entry, one of its parent
// directories, or (for entries marked `/**`) anything inside it.

/** A sensitive host path and what it is, for messages. */
export interface SensitivePath {
    /** Normalised absolute path (see `normalizeHostPath`). */
    readonly path: string;
    /** What the path is, e.g. "the Docker daemon socket". */
    readonly what: string;
    /** Anything inside the path is sensitive too (written `/**` in configuration). */
    readonly descendants: boolean;
}

/** Windows named pipes are normalised to `npipe://<name>` (lower case: pipe names are case-insensitive). */
const NAMED_PIPE = /^[\\/]{2}\.[\\/]pipe[\\/](.+)$/i;

/**
 * Normalises an absolute host path: repeated and trailing slashes removed, `.` and `..` resolved
 * (`..` at the root stays at the root, as the kernel does). Windows named pipes become
 * `npipe://<name>`. Undefined for paths that are not absolute (the daemon rejects relative bind
 * sources; Windows drive paths are not judged).
 */
export function normalizeHostPath(path: string): string | undefined {
    const pipe = NAMED_PIPE.exec(path);
    if (pipe) {
        return `npipe://${pipe[1].toLowerCase()}`;
    }
    if (!path.startsWith("/")) {
        return undefined;
    }
    const parts: string[] = [];
    for (const segment of path.split("/")) {
        if (segment === "" || segment === ".") {
            continue;
        }
        if (segment === "..") {
            parts.pop();
        } else {
            parts.push(segment);
        }
    }
    return "/" + parts.join("/");
}

/** Whether `dir` is a proper parent directory of `path` (both normalised). */
function isParentDirectory(dir: string, path: string): boolean {
    if (dir === path || dir.startsWith("npipe://") || path.startsWith("npipe://")) {
        return false;
    }
    return dir === "/" || path.startsWith(dir + "/");
}

const RUNTIME_SOCKETS: readonly [string, string][] = [
    ["docker.sock", "the Docker daemon socket"],
    ["containerd/containerd.sock", "the containerd socket"],
    ["docker/containerd/containerd.sock", "the containerd socket"],
    ["crio/crio.sock", "the CRI-O socket"],
    ["cri-dockerd.sock", "the cri-dockerd socket"],
    ["podman/podman.sock", "the Podman socket"],
    ["buildkit/buildkitd.sock", "the BuildKit daemon socket"],
];

/** Socket file names that are a container runtime's wherever they are (e.g. rootless `/run/user/1000/docker.sock`). */
const RUNTIME_SOCKET_NAMES: ReadonlyMap<string, string> = new Map(
    RUNTIME_SOCKETS.map(([p, what]) => [p.slice(p.lastIndexOf("/") + 1), what]),
);

const SYSTEM_PATHS: readonly [string, string][] = [
    ["/etc", "the host's configuration (/etc)"],
    ["/etc/kubernetes/**", "the node's Kubernetes credentials"],
    ["/boot", "the host's boot files"],
    ["/dev", "the host's device files"],
    ["/proc/**", "the host's /proc"],
    ["/sys", "the host's /sys"],
    ["/usr", "the host's /usr"],
    ["/lib", "the host's /lib"],
    ["/bin", "the host's /bin"],
    ["/sbin", "the host's /sbin"],
    ["/root/**", "root's home directory"],
    ["/var/lib/docker/**", "the Docker daemon's data"],
    ["/var/lib/containerd/**", "containerd's data"],
    ["/var/lib/kubelet/**", "the kubelet's data"],
];

/** Parses a configured entry: a path, optionally ending in `/**` to include everything inside it. */
export function sensitivePath(entry: string, what: string): SensitivePath | undefined {
    const descendants = entry.endsWith("/**");
    const path = normalizeHostPath(descendants ? entry.slice(0, -3) || "/" : entry);
    return path === undefined ? undefined : { path, what, descendants };
}

/** The built-in sensitive paths: runtime sockets under /run and /var/run, the Docker named pipe, system directories. */
export const DEFAULT_SENSITIVE_PATHS: readonly SensitivePath[] = [
    ...RUNTIME_SOCKETS.flatMap(([p, what]) => [
        sensitivePath(`/run/${p}`, what)!,
        sensitivePath(`/var/run/${p}`, what)!,
    ]),
    { path: "npipe://docker_engine", what: "the Docker daemon's named pipe", descendants: false },
    ...SYSTEM_PATHS.map(([p, what]) => sensitivePath(p, what)!),
];

/**
 * Why mounting a normalised host path is dangerous, or undefined when it is not sensitive.
 * `entries` are the sensitive paths; runtime sockets are also recognised by file name anywhere.
 */
export function sensitiveHostPath(path: string, entries: readonly SensitivePath[]): string | undefined {
    let contains: SensitivePath | undefined;
    let inside: SensitivePath | undefined;
    for (const e of entries) {
        if (e.path === path) {
            return e.what;
        }
        if (!contains && isParentDirectory(path, e.path)) {
            contains = e;
        }
        if (!inside && e.descendants && isParentDirectory(e.path, path)) {
            inside = e;
        }
    }
    const socket = RUNTIME_SOCKET_NAMES.get(path.slice(path.lastIndexOf("/") + 1));
    if (socket) {
        return socket;
    }
    if (contains) {
        return `a directory that contains ${contains.what} (${contains.path})`;
    }
    return inside ? `part of ${inside.what} (${inside.path})` : undefined;
}
