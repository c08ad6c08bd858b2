// docker-host-mounts: a docker.Container or swarm docker.Service does not mount sensitive host paths
// (daemon sockets, /etc, /proc, the daemon's data, ...), however the path is written.

import * as assert from "assert";
import { unknown } from "../../../testkit";
import { SERVICE_SPEC, dockerContainer, dockerService } from "../../support/docker";
import { defaults, detail, findings, withConfig } from "../../support/docker-runtime";

describe("docker-host-mounts", () => {
    const sensitive: [string, string][] = [
        ["/var/run/docker.sock", "the Docker daemon socket"],
        ["/run/docker.sock", "the Docker daemon socket"],
        ["/var/run/docker.sock/", "the Docker daemon socket"],
        ["//var//run///docker.sock", "the Docker daemon socket"],
        ["/var/run/./docker.sock", "the Docker daemon socket"],
        ["/var/lib/../run/docker.sock", "the Docker daemon socket"],
        ["/../../var/run/docker.sock", "the Docker daemon socket"],
        ["/run/user/1000/docker.sock", "the Docker daemon socket"],
        ["/home/ci/.docker/run/docker.sock", "the Docker daemon socket"],
        ["/run/containerd/containerd.sock", "the containerd socket"],
        ["/var/run/crio/crio.sock", "the CRI-O socket"],
        ["/run/podman/podman.sock", "the Podman socket"],
        ["/var/run", "a directory that contains the Docker daemon socket (/var/run/docker.sock)"],
        ["/var/run/", "a directory that contains the Docker daemon socket (/var/run/docker.sock)"],
        ["/run", "a directory that contains the Docker daemon socket (/run/docker.sock)"],
        ["/run/containerd", "a directory that contains the containerd socket (/run/containerd/containerd.sock)"],
        ["/var", "a directory that contains the Docker daemon socket (/var/run/docker.sock)"],
        ["/", "a directory that contains the Docker daemon socket (/run/docker.sock)"],
        ["/etc", "the host's configuration (/etc)"],
        ["/etc/", "the host's configuration (/etc)"],
        ["/etc/kubernetes/pki", "part of the node's Kubernetes credentials (/etc/kubernetes)"],
        ["/proc/1/root", "part of the host's /proc (/proc)"],
        ["/sys", "the host's /sys"],
        ["/dev", "the host's device files"],
        ["/root/.ssh", "part of root's home directory (/root)"],
        ["/var/lib/docker", "the Docker daemon's data"],
        ["/var/lib/docker/volumes/x/_data", "part of the Docker daemon's data (/var/lib/docker)"],
        ["/var/lib", "a directory that contains the Docker daemon's data (/var/lib/docker)"],
    ];
    for (const [path, why] of sensitive) {
        it(`${JSON.stringify(path)}: ${why}`, async () => {
            const [v, ...rest] = await findings(
                dockerContainer({ volumes: [{ hostPath: path, containerPath: "/x" }] }),
                "docker-host-mounts",
                defaults,
            );
            assert.deepStrictEqual(rest, []);
            assert.strictEqual(v?.enforcementLevel, "mandatory");
            assert.ok(detail(v).includes(`: ${why} (volumes[0].hostPath)`), detail(v));
        });
    }

    for (const path of [
        "/srv/data",
        "/etc/localtime",
        "/run/secrets",
        "/sys/fs/cgroup",
        "/var/lib/postgresql",
        "/home/app",
        "/var/run-data",
        "/etcetera",
        "data",
        "C:\\data",
    ]) {
        it(`${JSON.stringify(path)} is not sensitive`, async () => {
            assert.deepStrictEqual(
                await findings(
                    dockerContainer({ volumes: [{ hostPath: path, containerPath: "/x" }] }),
                    "docker-host-mounts",
                ),
                [],
            );
        });
    }

    it("a normalised path is shown next to the written one", async () => {
        const [v] = await findings(
            dockerContainer({ volumes: [{ hostPath: "/var/run/", containerPath: "/x" }] }),
            "docker-host-mounts",
        );
        assert.ok(detail(v).startsWith('docker Container web: bind-mounts "/var/run/" (/var/run): '), detail(v));
    });

    it("bind mounts in mounts[] count for Containers and Services; other mount types do not", async () => {
        const mounts = [
            { type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock" },
            { type: "volume", source: "data", target: "/data" },
            { type: "tmpfs", target: "/tmp" },
            { type: "volume", source: "/etc", target: "/etc-named-volume" },
        ];
        const [c, ...cRest] = await findings(dockerContainer({ mounts }), "docker-host-mounts");
        assert.deepStrictEqual(cRest, []);
        assert.ok(
            detail(c).includes('bind-mounts "/var/run/docker.sock": the Docker daemon socket (mounts[0].source)'),
            detail(c),
        );
        const [s, ...sRest] = await findings(dockerService({ mounts }), "docker-host-mounts");
        assert.deepStrictEqual(sRest, []);
        assert.ok(detail(s).includes(`(${SERVICE_SPEC}.mounts[0].source)`), detail(s));
    });

    it("the Docker named pipe on Windows, in either slash direction and any case", async () => {
        for (const source of ["\\\\.\\pipe\\docker_engine", "//./pipe/Docker_Engine"]) {
            const [v] = await findings(
                dockerContainer({ mounts: [{ type: "npipe", source, target: "\\\\.\\pipe\\docker_engine" }] }),
                "docker-host-mounts",
            );
            assert.ok(detail(v).includes("the Docker daemon's named pipe"), detail(v));
        }
    });

    it("a local volume that binds a host directory is a bind mount of it", async () => {
        const volumeOptions = { driverName: "local", driverOptions: { type: "none", o: "bind", device: "/var/run" } };
        const [v] = await findings(
            dockerContainer({ mounts: [{ type: "volume", source: "sock", target: "/s", volumeOptions }] }),
            "docker-host-mounts",
        );
        assert.ok(
            detail(v).includes('mounts a volume bound to "/var/run"') &&
                detail(v).includes("(mounts[0].volumeOptions.driverOptions.device)"),
            detail(v),
        );
    });

    it("additionalSensitivePaths and allowedHostPaths", async () => {
        const t = withConfig({
            "docker-host-mounts": {
                additionalSensitivePaths: ["/srv/secrets/**"],
                allowedHostPaths: ["/var/lib/docker/containers/"],
            },
        });
        const r = dockerContainer({
            volumes: [
                { hostPath: "/srv/secrets/db", containerPath: "/a" },
                { hostPath: "/var/lib/docker/containers", containerPath: "/b" },
                { hostPath: "/var/lib/docker", containerPath: "/c" },
            ],
        });
        const vs = await findings(r, "docker-host-mounts", t);
        assert.deepStrictEqual(
            vs.map((v) => /\((volumes\[\d\])/.exec(detail(v))?.[1]),
            ["volumes[0]", "volumes[2]"],
        );
        assert.ok(detail(vs[0]).includes("a path listed in additionalSensitivePaths"), detail(vs[0]));
    });

    it("a configured path that is not absolute is a configuration error", async () => {
        const t = withConfig({ "docker-host-mounts": { allowedHostPaths: ["var/lib"] } });
        await assert.rejects(t.analyze(dockerContainer()), /allowedHostPaths\[0\]/);
    });

    it("unknowns: a source is advisory; an unknown type decides only for a sensitive source", async () => {
        const [a] = await findings(
            dockerContainer({ volumes: [{ hostPath: unknown, containerPath: "/x" }] }),
            "docker-host-mounts",
        );
        assert.ok(detail(a).includes("volumes[0].hostPath is not known during preview"), detail(a));
        const [b] = await findings(
            dockerService({ mounts: [{ type: unknown, source: "/var/run/docker.sock", target: "/s" }] }),
            "docker-host-mounts",
        );
        assert.ok(detail(b).includes(`${SERVICE_SPEC}.mounts[0].type is not known during preview`), detail(b));
        assert.deepStrictEqual(
            await findings(
                dockerService({ mounts: [{ type: unknown, source: "data", target: "/d" }] }),
                "docker-host-mounts",
            ),
            [],
        );
        const [c] = await findings(
            dockerContainer({ mounts: unknown, volumes: [{ hostPath: "/", containerPath: "/host" }] }),
            "docker-host-mounts",
        );
        assert.ok(detail(c).includes("(volumes[0].hostPath)") && c.enforcementLevel === "mandatory", detail(c));
    });
});
