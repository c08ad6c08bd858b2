// Stack policy host-path-persistent-volumes: PersistentVolumes on a node's filesystem (hostPath, local),
// and the workloads that mount a claim bound to one (by the claim's volumeName or the volume's claimRef),
// which pss-host-path-volumes cannot see.

import * as assert from "assert";
import { hostPathPersistentVolumes } from "../../../policies/cluster";
import { hostPathVolumes } from "../../../policies/pss";
import { type PolicyPackConfig, PolicyTester, type TestResource, unknown } from "../../../testkit";
import { findingLine } from "../../support/secrets";
import { workloadProps } from "../../support/workloads";

type Obj = Record<string, unknown>;
let seq = 0;

function pv(name: string, spec: Obj, extra: Obj = {}): TestResource {
    const type = "kubernetes:core/v1:PersistentVolume";
    return {
        type,
        name,
        urn: `urn:pulumi:dev::shop::${type}::${name}-${seq++}`,
        props: { metadata: { name }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], ...spec } },
        ...extra,
    };
}

function pvc(name: string, namespace: string, spec: Obj = {}): TestResource {
    const type = "kubernetes:core/v1:PersistentVolumeClaim";
    return {
        type,
        name,
        urn: `urn:pulumi:dev::shop::${type}::${name}-${seq++}`,
        props: { metadata: { name, namespace }, spec: { accessModes: ["ReadWriteOnce"], ...spec } },
    };
}

function workload(type: string, spec: Obj, metadata: Obj = { name: "web", namespace: "prod" }): TestResource {
    return {
        type,
        name: String(metadata.name),
        urn: `urn:pulumi:dev::shop::${type}::w${seq++}`,
        props: workloadProps(type, { containers: [{ name: "app", image: "i" }], ...spec }, {}, metadata),
    };
}

const mounting = (claimName: unknown) => ({ volumes: [{ name: "data", persistentVolumeClaim: { claimName } }] });
const deployment = (claimName: unknown = "data") => workload("kubernetes:apps/v1:Deployment", mounting(claimName));
const nodeLogs = (extra: Obj = {}) => pv("node-logs", { hostPath: { path: "/var/log" }, ...extra });

async function run(resources: TestResource[], config: PolicyPackConfig = {}) {
    const t = new PolicyTester({ policies: [hostPathPersistentVolumes] }, config);
    return (await t.analyzeStack(resources)).violations;
}

const PV_FIX =
    "back the PersistentVolume with network or CSI storage (or let a StorageClass provision it) instead of a path " +
    "on a node; if node storage is intended, exempt this PersistentVolume with the reason";
const WORKLOAD_FIX =
    "use a claim whose PersistentVolume is not on a node's filesystem, or exempt the workload with the reason";

describe("stack: host-path-persistent-volumes", () => {
    it("is one stack policy, mandatory by default and in the baseline profile", () => {
        assert.strictEqual(typeof (hostPathPersistentVolumes as { validateStack?: unknown }).validateStack, "function");
        assert.strictEqual(hostPathPersistentVolumes.enforcementLevel, "mandatory");
        assert.ok(hostPathPersistentVolumes.tags.includes("profile:baseline"));
    });

    it("reports hostPath and local PersistentVolumes, naming the source and path", async () => {
        const local = pv("ssd", {
            local: { path: "/mnt/disks/ssd1" },
            nodeAffinity: { required: { nodeSelectorTerms: [] } },
        });
        const nfs = pv("shared", { nfs: { server: "nfs.example.com", path: "/exports" } });
        const csi = pv("ebs", { csi: { driver: "ebs.csi.aws.com", volumeHandle: "vol-1" } });
        const vs = await run([nodeLogs(), local, nfs, csi]);
        assert.deepStrictEqual(
            vs.map((v) => [v.urn, v.enforcementLevel, findingLine(v)]),
            [
                [
                    vs[0].urn,
                    "mandatory",
                    'PersistentVolume node-logs: the PersistentVolume is a hostPath volume (path "/var/log") on a ' +
                        "node's filesystem; a pod that mounts a claim bound to it gets that node path, which the Pod " +
                        `Security Standards would forbid as a hostPath volume (spec.hostPath.path). Fix: ${PV_FIX}`,
                ],
                [
                    local.urn,
                    "mandatory",
                    'PersistentVolume ssd: the PersistentVolume is a local volume (path "/mnt/disks/ssd1") on a ' +
                        "node's filesystem; a pod that mounts a claim bound to it gets that node path, which the Pod " +
                        `Security Standards would forbid as a hostPath volume (spec.local.path). Fix: ${PV_FIX}`,
                ],
            ],
        );
    });

    it("reports each workload whose claim binds to one by the claim's volumeName", async () => {
        const web = deployment();
        const vs = await run([nodeLogs(), pvc("data", "prod", { volumeName: "node-logs" }), web]);
        const onWeb = vs.filter((v) => v.urn === web.urn);
        assert.deepStrictEqual(onWeb.map(findingLine), [
            'Deployment prod/web: volume "data" mounts claim "data", which is bound to PersistentVolume node-logs ' +
                '(by PersistentVolumeClaim prod/data\'s spec.volumeName), a hostPath volume (path "/var/log") on a ' +
                "node's filesystem (spec.template.spec.volumes[0].persistentVolumeClaim.claimName). Fix: " +
                WORKLOAD_FIX,
        ]);
        assert.strictEqual(onWeb[0].enforcementLevel, "mandatory");
        // pss-host-path-volumes judges the same pod and sees nothing: the gap this policy closes.
        const pss = await new PolicyTester({ policies: [hostPathVolumes] }).analyze(web);
        assert.deepStrictEqual(pss.violations, []);
    });

    it("follows the PersistentVolume's claimRef, with or without the claim in the stack", async () => {
        const bound = nodeLogs({ claimRef: { namespace: "prod", name: "data" } });
        for (const stack of [
            [bound, deployment()],
            [bound, pvc("data", "prod"), deployment()],
        ]) {
            const vs = (await run(stack)).filter((v) => v.urn !== bound.urn);
            assert.deepStrictEqual(
                vs.map((v) => findingLine(v).replace(/ \(spec\..*$/, "")),
                [
                    'Deployment prod/web: volume "data" mounts claim "data", which is bound to PersistentVolume ' +
                        "node-logs (by the PersistentVolume's spec.claimRef (prod/data)), a hostPath volume (path " +
                        '"/var/log") on a node\'s filesystem',
                ],
            );
        }
        // Another namespace's claim of the same name is not bound to it.
        const other = workload("kubernetes:apps/v1:Deployment", mounting("data"), { name: "web", namespace: "dev" });
        assert.deepStrictEqual(
            (await run([bound, other])).filter((v) => v.urn === other.urn),
            [],
        );
    });

    it("leaves workloads alone whose claims bind elsewhere, and stacks without node volumes", async () => {
        const web = deployment();
        const csi = pv("ebs", { csi: { driver: "ebs.csi.aws.com", volumeHandle: "vol-1" } });
        assert.deepStrictEqual(await run([csi, pvc("data", "prod", { volumeName: "ebs" }), web]), []);
        const vs = await run([nodeLogs(), pvc("data", "prod", { volumeName: "ebs" }), csi, web]);
        assert.deepStrictEqual(
            vs.map((v) => v.urn),
            [vs[0].urn],
        );
        assert.ok(findingLine(vs[0]).startsWith("PersistentVolume node-logs"));
        // A claim the stack does not bind explicitly (storage class, selector) is the cluster's choice.
        assert.strictEqual((await run([nodeLogs(), pvc("data", "prod"), web])).length, 1);
    });

    it("StatefulSet claim templates: by the template's volumeName or a claimRef to a replica's claim", async () => {
        const sts = (template: Obj) => {
            const w = workload("kubernetes:apps/v1:StatefulSet", {}, { name: "db", namespace: "prod" });
            const spec = w.props.spec as Obj;
            spec.volumeClaimTemplates = [
                { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], ...template } },
            ];
            return w;
        };
        const byName = sts({ volumeName: "node-logs" });
        const [v1] = (await run([nodeLogs(), byName])).filter((v) => v.urn === byName.urn);
        assert.strictEqual(
            findingLine(v1),
            'StatefulSet prod/db: volume claim template "data", whose claims are bound to PersistentVolume ' +
                "node-logs (by the template's spec.volumeName), a hostPath volume (path \"/var/log\") on a node's " +
                `filesystem (spec.volumeClaimTemplates[0].spec.volumeName). Fix: ${WORKLOAD_FIX}`,
        );
        const replicaOne = nodeLogs({ claimRef: { namespace: "prod", name: "data-db-1" } });
        const plain = sts({});
        const [v2] = (await run([replicaOne, plain])).filter((v) => v.urn === plain.urn);
        assert.ok(findingLine(v2).includes("(by the PersistentVolume's spec.claimRef (prod/data-db-1))"));
        for (const name of ["data-db", "data-db-01", "data-dbx-1", "other-db-1"]) {
            const ref = nodeLogs({ claimRef: { namespace: "prod", name } });
            assert.deepStrictEqual(
                (await run([ref, plain])).filter((v) => v.urn === plain.urn),
                [],
                name,
            );
        }
    });

    it("every pod-bearing kind and lists of volumes, claims and workloads", async () => {
        const claim = pvc("data", "prod", { volumeName: "node-logs" });
        for (const type of [
            "kubernetes:core/v1:Pod",
            "kubernetes:apps/v1:DaemonSet",
            "kubernetes:batch/v1:CronJob",
            "kubernetes:apps/v1:DeploymentPatch",
            "kubernetes:argoproj.io/v1alpha1:Rollout",
        ]) {
            const w = workload(type, mounting("data"));
            assert.strictEqual((await run([nodeLogs(), claim, w])).filter((v) => v.urn === w.urn).length, 1, type);
        }
        const volumes: TestResource = {
            type: "kubernetes:core/v1:PersistentVolumeList",
            urn: "urn:pulumi:dev::shop::kubernetes:core/v1:PersistentVolumeList::pvs",
            props: {
                items: [
                    { metadata: { name: "a" }, spec: { csi: {} } },
                    { metadata: { name: "b" }, spec: { local: { path: "/d" } } },
                ],
            },
        };
        const claims: TestResource = {
            type: "kubernetes:core/v1:PersistentVolumeClaimList",
            urn: "urn:pulumi:dev::shop::kubernetes:core/v1:PersistentVolumeClaimList::pvcs",
            props: { items: [{ metadata: { name: "data", namespace: "prod" }, spec: { volumeName: "b" } }] },
        };
        const web = deployment();
        const vs = await run([volumes, claims, web]);
        assert.deepStrictEqual(
            vs.map((v) => [
                v.urn,
                findingLine(v).replace(/^.*\((items\[1\][^)]*|spec\.template[^)]*)\)\. Fix.*$/, "$1"),
            ]),
            [
                [volumes.urn, "items[1].spec.local.path"],
                [web.urn, "spec.template.spec.volumes[0].persistentVolumeClaim.claimName"],
            ],
        );
    });

    it("clusters: a claim binds only to a PersistentVolume of its own cluster", async () => {
        const cluster = (kubeconfig: string) => ({
            provider: { type: "pulumi:providers:kubernetes", props: { kubeconfig } },
        });
        const west = { ...nodeLogs(), ...cluster("west") };
        const web = { ...deployment(), ...cluster("east") };
        const claim = { ...pvc("data", "prod", { volumeName: "node-logs" }), ...cluster("east") };
        assert.deepStrictEqual(
            (await run([west, claim, web])).filter((v) => v.urn === web.urn),
            [],
        );
        const east = { ...nodeLogs(), ...cluster("east") };
        assert.strictEqual((await run([east, claim, web])).filter((v) => v.urn === web.urn).length, 1);
    });

    it("exemptions: an exempted PersistentVolume makes its workloads' findings advisory, naming it", async () => {
        const vs = await run([nodeLogs(), pvc("data", "prod", { volumeName: "node-logs" }), deployment()], {
            "host-path-persistent-volumes": {
                exclude: [
                    { name: "node-logs", type: "*:PersistentVolume", reason: "log shipper reads node logs (SEC-7)" },
                ],
            },
        });
        assert.deepStrictEqual(
            vs.map((v) => v.enforcementLevel),
            ["advisory", "advisory"],
        );
        assert.ok(vs[0].message.includes("SEC-7"), vs[0].message);
        assert.ok(
            findingLine(vs[1]).includes(
                "(PersistentVolume node-logs is exempted by config host-path-persistent-volumes.exclude[0], so " +
                    "this is advisory)",
            ),
            findingLine(vs[1]),
        );
    });

    it("unknown during preview: the source, the claim name, the binding", async () => {
        const findings = async (resources: TestResource[]) =>
            (await run(resources, {})).map((v) => `${v.enforcementLevel}: ${findingLine(v)}`);
        // A hostPath key with an unknown value is still a hostPath volume.
        assert.deepStrictEqual(await findings([pv("p", { hostPath: unknown })]), [
            "mandatory: PersistentVolume p: the PersistentVolume is a hostPath volume on a node's filesystem; a pod " +
                "that mounts a claim bound to it gets that node path, which the Pod Security Standards would forbid " +
                `as a hostPath volume (spec.hostPath). Fix: ${PV_FIX}`,
        ]);
        const notKnown = (subject: string, what: string) =>
            `advisory: ${subject}: ${what} is not known during preview, so this check cannot judge it yet; it is ` +
            "checked when the value is known (pulumi up).";
        const unknownSpec = pv("p", {});
        unknownSpec.props.spec = unknown;
        assert.deepStrictEqual(await findings([unknownSpec, pvc("data", "prod", { volumeName: "p" }), deployment()]), [
            notKnown("PersistentVolume p", "spec"),
            notKnown("Deployment prod/web", "spec of PersistentVolume p"),
        ]);
        assert.deepStrictEqual((await findings([nodeLogs(), deployment(unknown)])).slice(1), [
            notKnown("Deployment prod/web", "spec.template.spec.volumes[0].persistentVolumeClaim.claimName"),
        ]);
        assert.deepStrictEqual(
            (await findings([nodeLogs(), pvc("data", "prod", { volumeName: unknown }), deployment()])).slice(1),
            [notKnown("Deployment prod/web", "spec.volumeName of PersistentVolumeClaim prod/data")],
        );
    });

    it("malformed objects are judged without errors", async () => {
        const odd: TestResource[] = [
            { type: "kubernetes:core/v1:PersistentVolume", urn: "urn:a", props: { spec: "hostPath" } },
            {
                type: "kubernetes:core/v1:PersistentVolume",
                urn: "urn:b",
                props: { spec: { hostPath: 1, claimRef: "x" } },
            },
            {
                type: "kubernetes:core/v1:PersistentVolumeList",
                urn: "urn:c",
                props: { items: [null, 1, { spec: [] }] },
            },
            {
                type: "kubernetes:core/v1:PersistentVolumeClaim",
                urn: "urn:d",
                props: { metadata: 1, spec: { volumeName: 3 } },
            },
            workload("kubernetes:apps/v1:StatefulSet", { volumes: [null, { persistentVolumeClaim: "x" }] }),
            {
                type: "kubernetes:apps/v1:StatefulSet",
                urn: "urn:e",
                props: { spec: { volumeClaimTemplates: [1, { metadata: [] }] } },
            },
        ];
        for (const v of await run(odd)) {
            assert.ok(!v.message.includes("could not evaluate"), v.message);
        }
    });
});
