// Every policy that judges containers of Kubernetes workloads, held to the same promises: it finds
// the problem in regular, init and ephemeral containers of every pod-bearing kind, names the
// resource, the container and the field, passes a hardened container, stays advisory on values
// unknown during preview, and never throws on malformed containers.

import * as assert from "assert";
import { allPolicies } from "../../policies";
import { type PolicyPackConfig, PolicyTester, unknown } from "../../testkit";
import { parseImageRef } from "../../src/images/image-ref";
import { hardenedContainer, hardenedPodSpec, podSpecPathOf, workloadProps } from "../support/workloads";

type Obj = Record<string, unknown>;

const LISTS = ["containers", "initContainers", "ephemeralContainers"] as const;

interface Case {
    /** Fields that make container "c" break the policy. */
    readonly bad: Obj;
    /** The field (under the container) the finding must point at. */
    readonly field: string;
    /** The problem is a missing setting, which patches (carrying only what they change) do not report. */
    readonly missing?: boolean;
    /** Pod-level additions the bad container needs (e.g. the volume it mounts). */
    readonly pod?: Obj;
    readonly config?: Obj;
    /** The container lists the setting exists in (default: all three). */
    readonly lists?: readonly (typeof LISTS)[number][];
}

const sc = (securityContext: Obj): Obj => ({
    securityContext: { ...(hardenedContainer().securityContext as Obj), ...securityContext },
});

const CASES: Record<string, Case> = {
    "pss-privileged": { bad: sc({ privileged: true }), field: "securityContext.privileged" },
    "pss-capabilities-baseline": {
        bad: sc({ capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } }),
        field: "securityContext.capabilities.add[0]",
    },
    "pss-host-ports": { bad: { ports: [{ containerPort: 80, hostPort: 80 }] }, field: "ports[0].hostPort" },
    "pss-host-probes-lifecycle": {
        bad: { livenessProbe: { httpGet: { host: "10.0.0.1", port: 80 } } },
        field: "livenessProbe.httpGet.host",
    },
    "pss-apparmor": {
        bad: sc({ appArmorProfile: { type: "Unconfined" } }),
        field: "securityContext.appArmorProfile.type",
    },
    "pss-selinux": { bad: sc({ seLinuxOptions: { type: "spc_t" } }), field: "securityContext.seLinuxOptions.type" },
    "pss-proc-mount-baseline": { bad: sc({ procMount: "Unmasked" }), field: "securityContext.procMount" },
    "pss-proc-mount-restricted": { bad: sc({ procMount: "Unmasked" }), field: "securityContext.procMount" },
    "pss-seccomp-baseline": {
        bad: sc({ seccompProfile: { type: "Unconfined" } }),
        field: "securityContext.seccompProfile.type",
    },
    "pss-windows-host-process": {
        bad: sc({ windowsOptions: { hostProcess: true } }),
        field: "securityContext.windowsOptions.hostProcess",
    },
    "pss-allow-privilege-escalation": {
        bad: sc({ allowPrivilegeEscalation: true }),
        field: "securityContext.allowPrivilegeEscalation",
    },
    "pss-run-as-non-root": { bad: sc({ runAsNonRoot: false }), field: "securityContext.runAsNonRoot" },
    "pss-run-as-user": { bad: sc({ runAsUser: 0 }), field: "securityContext.runAsUser" },
    "pss-seccomp-restricted": {
        bad: sc({ seccompProfile: { type: "Unconfined" } }),
        field: "securityContext.seccompProfile.type",
    },
    "pss-capabilities-restricted": {
        bad: sc({ capabilities: { drop: ["ALL"], add: ["CHOWN"] } }),
        field: "securityContext.capabilities.add[0]",
    },
    "image-tag-not-latest": { bad: { image: "registry.example.com/team/app:latest" }, field: "image" },
    "image-digest-pinned": { bad: { image: "registry.example.com/team/app:1.4.2" }, field: "image" },
    "image-registry-allowlist": {
        bad: { image: "evil.example.org/team/app:1.4.2@sha256:" + "a".repeat(64) },
        field: "image",
        config: { allowed: ["registry.example.com"] },
    },
    "secrets-env-literal": {
        bad: { env: [{ name: "DB_PASSWORD", value: "correct-horse-battery-staple" }] },
        field: "env[0]",
    },
    "secrets-volume-read-only": {
        bad: { volumeMounts: [{ name: "creds", mountPath: "/creds" }] },
        field: "volumeMounts[0]",
        missing: true,
        pod: { volumes: [{ name: "creds", secret: { secretName: "creds" } }] },
    },
    "read-only-root-filesystem": {
        bad: sc({ readOnlyRootFilesystem: false }),
        field: "securityContext.readOnlyRootFilesystem",
    },
    "root-group": { bad: sc({ runAsGroup: 0 }), field: "securityContext.runAsGroup" },
    "resource-limits": {
        bad: { resources: { requests: { cpu: "100m" }, limits: { "ephemeral-storage": "1Gi" } } },
        field: "resources.limits.memory",
        missing: true,
        // Kubernetes does not allow resources on ephemeral containers.
        lists: ["containers", "initContainers"],
    },
    "secrets-as-env": {
        bad: { env: [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }] },
        field: "env[0].valueFrom.secretKeyRef",
    },
    "image-pull-policy": {
        bad: { image: "registry.example.com/team/app:1.4.2", imagePullPolicy: "IfNotPresent" },
        field: "imagePullPolicy",
    },
};

/** One type per pod-bearing kind, plus a patch, a list and a custom resource. */
const TYPES = [
    "kubernetes:core/v1:Pod",
    "kubernetes:core/v1:PodTemplate",
    "kubernetes:core/v1:ReplicationController",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:apps/v1:ReplicaSet",
    "kubernetes:batch/v1:Job",
    "kubernetes:batch/v1:CronJob",
    "kubernetes:apps/v1:DeploymentPatch",
    "kubernetes:batch/v1:JobList",
    "kubernetes:argoproj.io/v1alpha1:Rollout",
];
const LABELS = {
    containers: 'container "c"',
    initContainers: 'init container "c"',
    ephemeralContainers: 'ephemeral container "c"',
};

function podWith(list: (typeof LISTS)[number], container: unknown, extra: Obj = {}): Obj {
    const spec = hardenedPodSpec({ automountServiceAccountToken: false, ...extra });
    return list === "containers" ? { ...spec, containers: [container] } : { ...spec, [list]: [container] };
}

describe("conformance: every container policy", () => {
    it("covers every policy that judges the containers of pod specs", () => {
        const podSpecPolicies = allPolicies
            .filter((p) => "customWorkloads" in p.configSchema.properties)
            .map((p) => p.name);
        const podLevel = [
            "pss-host-namespaces",
            "pss-host-path-volumes",
            "pss-sysctls",
            "sysctl-value-injection",
            "pss-restricted-volumes",
            "service-account-token-automount",
            "image-vulnerabilities",
            "network-isolation",
            "host-path-persistent-volumes",
        ];
        assert.deepStrictEqual(podSpecPolicies.filter((n) => !podLevel.includes(n)).sort(), Object.keys(CASES).sort());
    });

    for (const [name, c] of Object.entries(CASES)) {
        const policy = allPolicies.find((p) => p.name === name)!;
        const config = { [name]: { enforcementLevel: "mandatory", ...c.config } } as PolicyPackConfig;
        const tester = new PolicyTester({ policies: [policy] }, config);
        const run = async (type: string, spec: Obj) =>
            (await tester.analyze({ type, name: "w", props: workloadProps(type, spec) })).violations;

        describe(name, () => {
            it(
                "finds the problem in containers, init and ephemeral containers of every kind, naming resource, " +
                    "container and field",
                async () => {
                    for (const type of TYPES.filter((t) => !(c.missing && t.endsWith("Patch")))) {
                        for (const list of LISTS) {
                            const found = await run(
                                type,
                                podWith(list, { ...hardenedContainer("c"), ...c.bad }, c.pod),
                            );
                            const where = `${type} ${list}`;
                            if (c.lists && !c.lists.includes(list)) {
                                assert.deepStrictEqual(found, [], `${where}: the setting does not exist there`);
                                continue;
                            }
                            assert.strictEqual(
                                found.length,
                                1,
                                `${where}: ${JSON.stringify(found.map((v) => v.message))}`,
                            );
                            const kind = type.slice(type.lastIndexOf(":") + 1).replace(/(Patch|List)$/, "");
                            // A List resource carries no metadata of its own here: it is named by its Pulumi name.
                            const resource = type.endsWith("List") ? `${kind} default/w` : `${kind} prod/web`;
                            assert.ok(
                                found[0].message.includes(`${resource}, ${LABELS[list]}: `),
                                `${where}: ${found[0].message}`,
                            );
                            assert.ok(
                                found[0].message.includes(`(${podSpecPathOf(type)}.${list}[0].${c.field}`),
                                `${where}: ${found[0].message}`,
                            );
                            assert.ok(
                                !found[0].message.includes("correct-horse-battery-staple"),
                                "never a secret's value",
                            );
                            assert.strictEqual(found[0].enforcementLevel, "mandatory", where);
                        }
                    }
                },
            );

            it("reports an image exempted by option exemptImages as advisory, naming the glob", async () => {
                const image = parseImageRef(c.bad.image ?? hardenedContainer().image);
                assert.ok(image.kind === "reference");
                const type = "kubernetes:apps/v1:Deployment";
                const resource = {
                    type,
                    name: "w",
                    props: workloadProps(type, podWith("containers", { ...hardenedContainer("c"), ...c.bad }, c.pod)),
                };
                const withGlob = async (glob: string) =>
                    (
                        await new PolicyTester(
                            { policies: [policy] },
                            {
                                [name]: { enforcementLevel: "mandatory", ...c.config, exemptImages: [glob] },
                            },
                        ).analyze(resource)
                    ).violations;
                const exempt = await withGlob(`${image.name}:*`);
                assert.strictEqual(exempt.length, 1, JSON.stringify(exempt));
                assert.strictEqual(exempt[0].enforcementLevel, "advisory");
                assert.ok(
                    exempt[0].message.includes(`allowed by option exemptImages: ${image.name}:*;`),
                    exempt[0].message,
                );
                // A glob for another tag of the same repository leaves the finding at its level.
                const held = await withGlob(`${image.name}:0.0.0-other`);
                assert.deepStrictEqual(
                    held.map((v) => v.enforcementLevel),
                    ["mandatory"],
                );
                assert.ok(!held[0].message.includes("exemptImages"));
            });

            it("passes a hardened container", async () => {
                for (const type of TYPES) {
                    assert.deepStrictEqual(await run(type, podWith("containers", hardenedContainer("c"))), [], type);
                }
            });

            it("reports an unknown container as advisory, naming it", async () => {
                const found = await run("kubernetes:apps/v1:Deployment", podWith("initContainers", unknown, c.pod));
                assert.ok(
                    found.length > 0 && found.every((v) => v.enforcementLevel === "advisory"),
                    JSON.stringify(found),
                );
                assert.ok(
                    found.some((v) =>
                        v.message.includes("spec.template.spec.initContainers[0] is not known during preview"),
                    ),
                    JSON.stringify(found),
                );
            });

            it("never throws on malformed containers", async () => {
                for (const container of [
                    null,
                    42,
                    "oops",
                    [],
                    { name: 7, securityContext: "x", env: "y", ports: {}, image: 3, volumeMounts: [null] },
                ]) {
                    const found = await run("kubernetes:apps/v1:Deployment", podWith("containers", container, c.pod));
                    assert.ok(
                        found.every((v) => !v.message.includes("could not evaluate")),
                        JSON.stringify(found),
                    );
                }
            });
        });
    }
});
