// The benchmark's resources must be what the issue asks for — deterministic, every workload kind,
// Docker resources, the kinds policies skip, about one in ten with unknown values — and must reach
// the policies' real work (pod specs the workload model finds), or the figures measure nothing.

import * as assert from "assert";
import { allPolicies } from "../../policies";
import { analyzeResources, containsUnknown, stackResources, typeCounts } from "../../bench/resources";
import { catalogFor } from "../../src/kubernetes/workload-policy";
import { podSpecsOf } from "../../src/kubernetes/workload";
import { Field } from "../../src/framework/field";
import { PolicyTester } from "../../testkit";

describe("benchmark resources", () => {
    const resources = analyzeResources(2000);

    it("are the same for the same seed and differ for another", () => {
        assert.deepStrictEqual(analyzeResources(300), analyzeResources(300));
        assert.notDeepStrictEqual(analyzeResources(300, 1), analyzeResources(300, 2));
        assert.strictEqual(resources.length, 2000);
    });

    it("cover every workload kind, Docker resources and the kinds policies skip", () => {
        const types = Object.keys(typeCounts(resources));
        const required = [
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
            "kubernetes:apps/v1:DeploymentList",
            "kubernetes:argoproj.io/v1alpha1:Rollout",
            "docker:index/container:Container",
            "docker:index/service:Service",
            "docker:index/image:Image",
            "docker:index/remoteImage:RemoteImage",
            "docker-build:index:Image",
            "kubernetes:core/v1:ConfigMap",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            "kubernetes:core/v1:Namespace",
            "kubernetes:core/v1:Service",
        ];
        assert.deepStrictEqual(
            required.filter((t) => !types.includes(t)),
            [],
        );
    });

    it("have values unknown during preview in about one resource in ten", () => {
        const share = resources.filter((r) => containsUnknown(r.props)).length / resources.length;
        assert.ok(share >= 0.05 && share <= 0.15, `share ${share}`);
    });

    it("carry pod specs with containers wherever the workload model expects them", () => {
        const catalog = catalogFor([]);
        const workloads = resources.filter((r) => catalog.shapeOf(r.type));
        assert.ok(workloads.length > resources.length * 0.4, `${workloads.length} workloads`);
        for (const r of workloads) {
            const pods = podSpecsOf(catalog.shapeOf(r.type)!, Field.root(r.props));
            assert.ok(pods.length > 0, `${r.type} ${r.name} has no pod spec`);
            assert.ok(
                pods.every((p) => p.containers().length > 0 || p.unknownContainers().length > 0),
                `${r.type} ${r.name} has no containers`,
            );
        }
    });

    it("are judged by every policy without an evaluation failure, with findings", async function () {
        this.timeout(120000);
        const tester = new PolicyTester({ policies: allPolicies });
        let findings = 0;
        for (const r of resources.slice(0, 300)) {
            const { violations } = await tester.analyze(r);
            const failures = violations.filter((v) => v.message.includes("could not evaluate"));
            assert.deepStrictEqual(failures, [], `${r.type} ${r.name}`);
            findings += violations.length;
        }
        assert.ok(findings > 0);
    });

    it("give stacks of the requested size with NetworkPolicies and Namespaces to judge", () => {
        const stack = stackResources(1000);
        const counts = typeCounts(stack);
        assert.strictEqual(stack.length, 1000);
        assert.ok(
            counts["kubernetes:networking.k8s.io/v1:NetworkPolicy"] > 0 && counts["kubernetes:core/v1:Namespace"] > 0,
        );
        assert.strictEqual(new Set(stack.map((r) => r.urn)).size, stack.length, "URNs are unique");
    });
});
