// Docker runtime policies judge a docker.Container and the task container of a swarm docker.Service
// with the same rules, each under its own field names and JSON paths.

import * as assert from "assert";
import { dockerPolicies } from "../../policies/docker";
import { type PolicyPackConfig, PolicyTester, type TestResource, unknown } from "../../testkit";
import { SERVICE_SPEC, dockerContainer, dockerService, hardenedDockerContainer } from "../support/docker";

const mandatory = new PolicyTester({ policies: dockerPolicies }, { all: "mandatory" });
const defaults = new PolicyTester({ policies: dockerPolicies });

async function findings(r: TestResource, policy: string, tester = mandatory) {
    const result = await tester.analyze(r);
    return result.violations.filter((v) => v.policyName === policy);
}

async function notApplicable(r: TestResource, policy: string) {
    return (await mandatory.analyze(r)).notApplicable.some((n) => n.policyName === policy);
}

/** The message line after the description: "<resource>: <problem> (<path>). Fix: ...". */
function detail(v: { message: string }): string {
    return v.message.split("\n")[1] ?? "";
}

function withConfig(config: PolicyPackConfig) {
    return new PolicyTester({ policies: dockerPolicies }, { all: "mandatory", ...config });
}

describe("Docker runtime: a hardened container passes", () => {
    it("no findings for a hardened docker.Container", async () => {
        const r = await mandatory.analyze(hardenedDockerContainer());
        assert.deepStrictEqual(r.violations, []);
    });

    it("no findings for a hardened docker.Service except nothing applicable to swarm", async () => {
        const r = await mandatory.analyze(dockerService({ user: "10001", capDrops: ["ALL"], readOnly: true }));
        assert.deepStrictEqual(r.violations, []);
        for (const p of ["docker-privileged", "docker-host-devices", "docker-no-new-privileges"]) {
            assert.ok(
                r.notApplicable.some((n) => n.policyName === p),
                p,
            );
        }
    });

    it("other resource types are not applicable", async () => {
        const r = await mandatory.analyze({ type: "docker:index/network:Network", props: { name: "n" } });
        assert.deepStrictEqual(r.violations, []);
        assert.strictEqual(r.notApplicable.length, dockerPolicies.length);
    });
});

describe("docker-privileged", () => {
    it("a privileged Container is a critical, mandatory finding at privileged", async () => {
        const [v, ...rest] = await findings(dockerContainer({ privileged: true }), "docker-privileged", defaults);
        assert.deepStrictEqual(rest, []);
        assert.strictEqual(v.enforcementLevel, "mandatory");
        assert.strictEqual(v.severity, "critical");
        assert.strictEqual(
            detail(v),
            "docker Container web: privileged is true (privileged). Fix: remove privileged or set it to false",
        );
    });

    it("privileged false or absent passes", async () => {
        assert.deepStrictEqual(await findings(dockerContainer({ privileged: false }), "docker-privileged"), []);
        assert.deepStrictEqual(await findings(dockerContainer(), "docker-privileged"), []);
    });

    it("does not apply to swarm services, which cannot run privileged", async () => {
        assert.ok(await notApplicable(dockerService(), "docker-privileged"));
    });

    it("an unknown privileged is an advisory naming the field", async () => {
        const [v] = await findings(dockerContainer({ privileged: unknown }), "docker-privileged");
        assert.strictEqual(v.enforcementLevel, "advisory");
        assert.ok(detail(v).includes("docker Container web: privileged is not known during preview"), v.message);
    });
});

describe("docker-capabilities", () => {
    const cases: [string, unknown[], string[]][] = [
        ["a dangerous capability", ["SYS_ADMIN"], ['adds capability "SYS_ADMIN", which is not allowed']],
        [
            "lower case and CAP_ prefix (Docker normalises them)",
            ["cap_sys_admin", "Net_Admin"],
            ['adds capability "cap_sys_admin" (SYS_ADMIN)', 'adds capability "Net_Admin" (NET_ADMIN)'],
        ],
        ["ALL in any case", ["all"], ['adds "all", every capability']],
        ["NET_RAW (granted by Docker, not in the allow-list)", ["NET_RAW"], ['adds capability "NET_RAW"']],
        ["CAP_ALL is not ALL but still not allowed", ["CAP_ALL"], ['adds capability "CAP_ALL", which is not allowed']],
        ["a non-string entry", [7], ["adds capability 7"]],
    ];
    for (const [what, adds, expected] of cases) {
        it(`Container: ${what}`, async () => {
            const vs = await findings(dockerContainer({ capabilities: { adds } }), "docker-capabilities");
            assert.strictEqual(vs.length, expected.length, JSON.stringify(vs));
            expected.forEach((e, i) => {
                assert.ok(detail(vs[i]).includes(e), detail(vs[i]));
                assert.ok(detail(vs[i]).includes(`(capabilities.adds[${i}])`), detail(vs[i]));
            });
        });
        it(`Service: ${what}`, async () => {
            const vs = await findings(dockerService({ capAdds: adds }), "docker-capabilities");
            assert.strictEqual(vs.length, expected.length);
            expected.forEach((e, i) =>
                assert.ok(
                    detail(vs[i]).startsWith("docker Service web: ") &&
                        detail(vs[i]).includes(e) &&
                        detail(vs[i]).includes(`(${SERVICE_SPEC}.capAdds[${i}])`),
                    detail(vs[i]),
                ),
            );
        });
    }

    it("allowed capabilities pass in any spelling", async () => {
        assert.deepStrictEqual(
            await findings(
                dockerContainer({ capabilities: { adds: ["net_bind_service", "CAP_CHOWN", " SETUID "] } }),
                "docker-capabilities",
            ),
            [],
        );
    });

    it("is mandatory by default (high)", async () => {
        const [v] = await findings(
            dockerContainer({ capabilities: { adds: ["SYS_PTRACE"] } }),
            "docker-capabilities",
            defaults,
        );
        assert.strictEqual(v.enforcementLevel, "mandatory");
    });

    it("allowedCapabilities replaces the list, normalised the same way", async () => {
        const t = withConfig({ "docker-capabilities": { allowedCapabilities: ["CAP_NET_ADMIN"] } });
        assert.deepStrictEqual(
            await findings(dockerContainer({ capabilities: { adds: ["net_admin"] } }), "docker-capabilities", t),
            [],
        );
        assert.strictEqual(
            (await findings(dockerContainer({ capabilities: { adds: ["CHOWN"] } }), "docker-capabilities", t)).length,
            1,
        );
    });

    it("an unknown entry is advisory; the known ones are still judged", async () => {
        const vs = await findings(dockerService({ capAdds: [unknown, "SYS_MODULE"] }), "docker-capabilities");
        assert.deepStrictEqual(vs.map((v) => v.enforcementLevel).sort(), ["advisory", "mandatory"]);
        assert.ok(vs.some((v) => detail(v).includes(`${SERVICE_SPEC}.capAdds[0] is not known during preview`)));
    });

    it("malformed lists (a string, an object) are not judged and do not throw", async () => {
        assert.deepStrictEqual(
            await findings(dockerContainer({ capabilities: { adds: "SYS_ADMIN" } }), "docker-capabilities"),
            [],
        );
        assert.deepStrictEqual(
            await findings(dockerContainer({ capabilities: "SYS_ADMIN" }), "docker-capabilities"),
            [],
        );
    });
});

describe("docker-drop-all-capabilities", () => {
    it("nothing dropped is an advisory finding by default (medium)", async () => {
        const [v] = await findings(dockerContainer(), "docker-drop-all-capabilities", defaults);
        assert.strictEqual(v.enforcementLevel, "advisory");
        assert.strictEqual(
            detail(v),
            'docker Container web: no capabilities are dropped (capabilities.drops). Fix: drop "ALL" and add back ' +
                "only the capabilities the process needs",
        );
    });

    for (const drops of [["ALL"], ["all"], ["NET_RAW", "All"]]) {
        it(`drops ${JSON.stringify(drops)} passes (Container and Service)`, async () => {
            assert.deepStrictEqual(
                await findings(dockerContainer({ capabilities: { drops } }), "docker-drop-all-capabilities"),
                [],
            );
            assert.deepStrictEqual(
                await findings(dockerService({ capDrops: drops }), "docker-drop-all-capabilities"),
                [],
            );
        });
    }

    it("dropping some but not ALL is a finding; CAP_ALL is not ALL", async () => {
        for (const drops of [["NET_RAW"], ["CAP_ALL"]]) {
            const [v] = await findings(dockerService({ capDrops: drops }), "docker-drop-all-capabilities");
            assert.ok(
                detail(v).includes(
                    `the dropped capabilities ${JSON.stringify(drops)} do not include "ALL" (${SERVICE_SPEC}.capDrops)`,
                ),
                detail(v),
            );
        }
    });

    it("an unknown list or entry is advisory unless ALL is already there", async () => {
        const [a] = await findings(
            dockerContainer({ capabilities: { drops: unknown } }),
            "docker-drop-all-capabilities",
        );
        assert.ok(detail(a).includes("capabilities.drops is not known during preview"));
        const [b] = await findings(
            dockerContainer({ capabilities: { drops: ["NET_RAW", unknown] } }),
            "docker-drop-all-capabilities",
        );
        assert.ok(detail(b).includes("capabilities.drops[1] is not known during preview"));
        assert.deepStrictEqual(
            await findings(
                dockerContainer({ capabilities: { drops: [unknown, "ALL"] } }),
                "docker-drop-all-capabilities",
            ),
            [],
        );
    });
});

describe("docker-non-root-user", () => {
    for (const user of [
        "root",
        "0",
        "00",
        "0:0",
        "root:root",
        "root:1000",
        "0:1000",
        " root ",
        "ContainerAdministrator",
    ]) {
        it(`user ${JSON.stringify(user)} is root (Container and Service)`, async () => {
            const [c] = await findings(dockerContainer({ user }), "docker-non-root-user");
            assert.strictEqual(c.enforcementLevel, "mandatory");
            assert.ok(detail(c).includes(`user is ${JSON.stringify(user)}, which is root (user)`), detail(c));
            const [s] = await findings(dockerService({ user }), "docker-non-root-user");
            assert.ok(detail(s).includes(`(${SERVICE_SPEC}.user)`), detail(s));
        });
    }

    for (const user of ["1000", "10001:10001", "1000:0", "app", "app:root", "rootless", "Root"]) {
        it(`user ${JSON.stringify(user)} is not root`, async () => {
            assert.deepStrictEqual(await findings(dockerContainer({ user }), "docker-non-root-user"), []);
            assert.deepStrictEqual(await findings(dockerService({ user }), "docker-non-root-user"), []);
        });
    }

    it("an unset user is reported as advisory even when the policy is mandatory (the image decides)", async () => {
        for (const r of [dockerContainer(), dockerService()]) {
            const [v] = await findings(r, "docker-non-root-user");
            assert.strictEqual(v.enforcementLevel, "advisory");
            assert.ok(
                detail(v).includes("user is not set, so the image's USER applies (root unless the image sets another)"),
                detail(v),
            );
        }
    });

    it("an empty user or one with only a group leaves the user to the image (advisory)", async () => {
        for (const user of ["", ":1000"]) {
            const [v] = await findings(dockerContainer({ user }), "docker-non-root-user");
            assert.strictEqual(v.enforcementLevel, "advisory");
        }
    });

    it("a malformed numeric user 0 is still root", async () => {
        assert.strictEqual((await findings(dockerContainer({ user: 0 }), "docker-non-root-user")).length, 1);
    });

    it("an unknown user is advisory, naming the field", async () => {
        const [v] = await findings(dockerService({ user: unknown }), "docker-non-root-user");
        assert.ok(detail(v).includes(`${SERVICE_SPEC}.user is not known during preview`), detail(v));
    });
});

describe("docker-host-namespaces", () => {
    it("every host mode of a Container is a finding, naming the namespace and setting", async () => {
        const vs = await findings(
            dockerContainer({
                networkMode: "host",
                pidMode: "host",
                ipcMode: "host",
                usernsMode: "host",
                cgroupnsMode: "host",
            }),
            "docker-host-namespaces",
            defaults,
        );
        assert.deepStrictEqual(
            vs.map(detail),
            [
                ["network", "networkMode"],
                ["PID", "pidMode"],
                ["IPC", "ipcMode"],
                ["user", "usernsMode"],
                ["cgroup", "cgroupnsMode"],
            ].map(
                ([ns, s]) =>
                    `docker Container web: shares the host's ${ns} namespace (${s} is "host") (${s}). Fix: remove ` +
                    `${s} or use a private mode`,
            ),
        );
        assert.ok(vs.every((v) => v.enforcementLevel === "mandatory"));
    });

    it("private, shared-with-container and wrongly cased modes pass (the daemon compares exactly)", async () => {
        const r = dockerContainer({
            networkMode: "bridge",
            pidMode: "container:db",
            ipcMode: "shareable",
            usernsMode: "",
            cgroupnsMode: "private",
        });
        assert.deepStrictEqual(await findings(r, "docker-host-namespaces"), []);
        assert.deepStrictEqual(await findings(dockerContainer({ networkMode: "HOST" }), "docker-host-namespaces"), []);
    });

    it("joining the host network is a finding for Containers and Services", async () => {
        const [c] = await findings(
            dockerContainer({ networksAdvanced: [{ name: "backend" }, { name: "host" }] }),
            "docker-host-namespaces",
        );
        assert.ok(
            detail(c).includes('joins the "host" network') && detail(c).includes("(networksAdvanced[1].name)"),
            detail(c),
        );
        const [s] = await findings(
            dockerService({}, { networksAdvanceds: [{ name: "host" }] }),
            "docker-host-namespaces",
        );
        assert.ok(detail(s).includes("(taskSpec.networksAdvanceds[0].name)"), detail(s));
    });

    it("an unknown mode is advisory and does not hide a known one", async () => {
        const vs = await findings(dockerContainer({ networkMode: unknown, pidMode: "host" }), "docker-host-namespaces");
        assert.deepStrictEqual(vs.map((v) => v.enforcementLevel).sort(), ["advisory", "mandatory"]);
    });
});

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

describe("docker-host-devices", () => {
    it("a host device is a finding; an allowed device is not", async () => {
        const devices = [{ hostPath: "/dev/kmsg" }, { hostPath: "/dev/fuse", containerPath: "/dev/fuse" }];
        const vs = await findings(dockerContainer({ devices }), "docker-host-devices", defaults);
        assert.deepStrictEqual(vs.map(detail), [
            'docker Container web: gets the host device "/dev/kmsg" (devices[0].hostPath). Fix: remove the device, ' +
                "or list it in allowedDevices if the container needs it",
            'docker Container web: gets the host device "/dev/fuse" (devices[1].hostPath). Fix: remove the device, ' +
                "or list it in allowedDevices if the container needs it",
        ]);
        const t = withConfig({ "docker-host-devices": { allowedDevices: ["/dev/fuse"] } });
        assert.strictEqual((await findings(dockerContainer({ devices }), "docker-host-devices", t)).length, 1);
    });

    it("device cgroup rules are findings", async () => {
        const [v] = await findings(dockerContainer({ deviceCgroupRules: ["c *:* rmw"] }), "docker-host-devices");
        assert.ok(detail(v).includes('allows device access by the rule "c *:* rmw" (deviceCgroupRules[0])'), detail(v));
    });

    it("does not apply to services; unknown devices are advisory", async () => {
        assert.ok(await notApplicable(dockerService(), "docker-host-devices"));
        const [v] = await findings(dockerContainer({ devices: [{ hostPath: unknown }] }), "docker-host-devices");
        assert.strictEqual(v.enforcementLevel, "advisory");
    });
});

describe("docker-security-options", () => {
    const weakening: [string, string][] = [
        ["seccomp=unconfined", "turns seccomp off"],
        ["seccomp:unconfined", "turns seccomp off"],
        ["apparmor=unconfined", "turns AppArmor off"],
        ["apparmor:unconfined", "turns AppArmor off"],
        ["label=disable", "turns SELinux labelling off"],
        ["label:disable", "turns SELinux labelling off"],
        ["disable", "turns SELinux labelling off"],
        ["label=type:spc_t", "runs with the unconfined SELinux type spc_t"],
        ["label:type:unconfined_t", "runs with the unconfined SELinux type unconfined_t"],
    ];
    for (const [opt, why] of weakening) {
        it(`${JSON.stringify(opt)} ${why}`, async () => {
            const [v, ...rest] = await findings(
                dockerContainer({ securityOpts: ["no-new-privileges", opt] }),
                "docker-security-options",
            );
            assert.deepStrictEqual(rest, []);
            assert.strictEqual(
                detail(v),
                `docker Container web: ${JSON.stringify(opt)} ${why} (securityOpts[1]). Fix: remove this option so ` +
                    `Docker's default confinement applies`,
            );
        });
    }

    for (const opt of [
        "seccomp=/etc/docker/seccomp.json",
        "apparmor=docker-default",
        "label=level:s0:c100,c200",
        "label=type:container_t",
        "Seccomp=unconfined",
        "seccomp",
        "no-new-privileges",
    ]) {
        it(`${JSON.stringify(opt)} keeps the container confined (or is rejected by the daemon)`, async () => {
            assert.deepStrictEqual(
                await findings(dockerContainer({ securityOpts: [opt] }), "docker-security-options"),
                [],
            );
        });
    }

    it("a swarm service's seLinuxContext is judged as label options", async () => {
        const vs = await findings(
            dockerService({ privileges: { seLinuxContext: { disable: true, type: "spc_t" } } }),
            "docker-security-options",
            defaults,
        );
        assert.deepStrictEqual(
            vs.map((v) => v.enforcementLevel),
            ["advisory", "advisory"],
        );
        assert.ok(
            detail(vs[0]).includes(`turns SELinux labelling off (${SERVICE_SPEC}.privileges.seLinuxContext.disable)`),
            detail(vs[0]),
        );
        assert.ok(
            detail(vs[1]).includes(
                `runs with the unconfined SELinux type spc_t (${SERVICE_SPEC}.privileges.seLinuxContext.type)`,
            ),
            detail(vs[1]),
        );
        assert.deepStrictEqual(
            await findings(
                dockerService({ privileges: { seLinuxContext: { disable: false, type: "container_t" } } }),
                "docker-security-options",
            ),
            [],
        );
    });

    it("unknown options are advisory", async () => {
        const [v] = await findings(
            dockerContainer({ securityOpts: ["apparmor=docker-default", unknown] }),
            "docker-security-options",
        );
        assert.ok(detail(v).includes("securityOpts[1] is not known during preview"), detail(v));
    });
});

describe("docker-no-new-privileges", () => {
    for (const opts of [
        ["no-new-privileges"],
        ["no-new-privileges:true"],
        ["no-new-privileges=true"],
        ["no-new-privileges=1"],
        ["no-new-privileges:false", "no-new-privileges"],
        [unknown, "no-new-privileges:true"],
    ]) {
        it(`${JSON.stringify(opts)} sets it`, async () => {
            assert.deepStrictEqual(
                await findings(dockerContainer({ securityOpts: opts }), "docker-no-new-privileges"),
                [],
            );
        });
    }

    it("not set: a missing-setting finding at securityOpts, advisory by default (medium)", async () => {
        for (const r of [dockerContainer(), dockerContainer({ securityOpts: ["seccomp=default.json"] })]) {
            const [v] = await findings(r, "docker-no-new-privileges", defaults);
            assert.strictEqual(v.enforcementLevel, "advisory");
            assert.ok(detail(v).includes("no-new-privileges is not set (securityOpts)"), detail(v));
        }
    });

    it("turned off, or overridden by a later option: a finding at the deciding entry", async () => {
        const [a] = await findings(
            dockerContainer({ securityOpts: ["no-new-privileges=false"] }),
            "docker-no-new-privileges",
        );
        assert.ok(
            detail(a).includes('"no-new-privileges=false" turns no-new-privileges off (securityOpts[0])'),
            detail(a),
        );
        const [b] = await findings(
            dockerContainer({ securityOpts: ["no-new-privileges:true", "no-new-privileges:false"] }),
            "docker-no-new-privileges",
        );
        assert.ok(detail(b).includes("(securityOpts[1])"), detail(b));
        const [c] = await findings(
            dockerContainer({ securityOpts: ["no-new-privileges=yes"] }),
            "docker-no-new-privileges",
        );
        assert.ok(detail(c).includes("is not a valid no-new-privileges option"), detail(c));
    });

    it("an unknown entry after the last setting (or without one) could decide: advisory", async () => {
        for (const opts of [[unknown], ["no-new-privileges", unknown], unknown]) {
            const [v, ...rest] = await findings(dockerContainer({ securityOpts: opts }), "docker-no-new-privileges");
            assert.deepStrictEqual(rest, []);
            assert.strictEqual(v.enforcementLevel, "advisory");
            assert.ok(detail(v).includes("is not known during preview"), detail(v));
        }
    });

    it("does not apply to swarm services (they cannot set it)", async () => {
        assert.ok(await notApplicable(dockerService(), "docker-no-new-privileges"));
    });
});

describe("Docker runtime: unknown and malformed resources", () => {
    it("an unknown task spec makes every applicable check advisory, naming it", async () => {
        const r = await mandatory.analyze({
            type: "docker:index/service:Service",
            name: "web",
            props: { taskSpec: unknown },
        });
        assert.ok(r.violations.length > 0);
        for (const v of r.violations) {
            assert.strictEqual(v.enforcementLevel, "advisory");
            assert.ok(detail(v).includes("docker Service web: taskSpec is not known during preview"), detail(v));
        }
    });

    it("an unknown container spec is reported once per policy", async () => {
        const r = await mandatory.analyze({
            type: "docker:index/service:Service",
            name: "web",
            props: { taskSpec: { containerSpec: unknown } },
        });
        const names = r.violations.map((v) => v.policyName);
        assert.strictEqual(new Set(names).size, names.length);
        assert.ok(r.violations.every((v) => detail(v).includes("taskSpec.containerSpec is not known during preview")));
    });

    for (const [what, props] of Object.entries({
        "no task spec": {},
        "a string task spec": { taskSpec: "x" },
        "a null container spec": { taskSpec: { containerSpec: null } },
        "an array container spec": { taskSpec: { containerSpec: [1, 2] } },
    })) {
        it(`a Service with ${what} declares no container to judge`, async () => {
            const r = await mandatory.analyze({ type: "docker:index/service:Service", props });
            assert.deepStrictEqual(r.violations, []);
        });
    }

    it("wrongly typed Container fields are skipped without errors", async () => {
        const r = await mandatory.analyze(
            dockerContainer({
                privileged: "true",
                user: ["root"],
                volumes: "/var/run/docker.sock",
                mounts: [null, 3, { type: 5 }],
                securityOpts: [null, 1],
                networkMode: 1,
                devices: [{}],
            }),
        );
        assert.ok(!r.violations.some((v) => v.message.includes("could not evaluate")), JSON.stringify(r.violations));
        assert.deepStrictEqual(
            r.violations.filter((v) =>
                ["docker-privileged", "docker-host-mounts", "docker-host-namespaces", "docker-host-devices"].includes(
                    v.policyName,
                ),
            ),
            [],
        );
    });
});
