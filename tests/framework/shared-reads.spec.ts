// What policies read from the props every policy of a request shares (frozen, see src/sdk/shared-props.ts) is read
// once and shared; what they read from a value that may change is read again every time. The findings are the same
// either way (tests/sdk/shared-props.spec.ts and tests/engine/plain-wire.spec.ts compare them on fuzzed workloads);
// these tests pin down the reads themselves.

import * as assert from "assert";
import { Field } from "../../src/framework/field";
import { WorkloadCatalog, podSpecsOf } from "../../src/kubernetes/workload";
import { deepFreeze } from "../support/frozen";

const deployment = (image: string) => ({
    spec: {
        template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "app", image, securityContext: { privileged: true } }] },
        },
    },
});

describe("reads shared between policies", () => {
    it("reads a child of a frozen value once: the same field, with its path and value", () => {
        const root = Field.root(deepFreeze(deployment("nginx:1.27")));
        const first = root.at("spec", "template", "spec");
        const again = root.at("spec", "template", "spec");
        assert.strictEqual(again, first);
        assert.strictEqual(first.path, "spec.template.spec");
        const absent = root.get("status");
        assert.strictEqual(root.get("status"), absent);
        assert.ok(absent.isAbsent);
    });

    it("reads a value that may change again every time", () => {
        const props = deployment("nginx:1.27");
        const root = Field.root(props);
        const container = root.at("spec", "template", "spec").get("containers").items()[0];
        assert.strictEqual(container.get("image").value, "nginx:1.27");
        (props.spec.template.spec.containers[0] as { image: string }).image = "nginx:1.28";
        assert.strictEqual(container.get("image").value, "nginx:1.28");
        assert.notStrictEqual(root.get("spec"), root.get("spec"));
    });

    it("gives the same elements of a frozen list in an array of the caller's own", () => {
        const containers = Field.root(deepFreeze(deployment("nginx:1.27")))
            .at("spec", "template", "spec")
            .get("containers");
        const first = containers.items();
        first.pop();
        const again = containers.items();
        assert.strictEqual(again.length, 1);
        assert.strictEqual(again[0].path, "spec.template.spec.containers[0]");
        assert.strictEqual(containers.items()[0], again[0]);
    });

    it("finds each resource's own pod specs when policies alternate between resources", () => {
        const shape =
            new WorkloadCatalog().shapeOf("kubernetes:apps/v1:Deployment") ?? assert.fail("a Deployment is a workload");
        const a = Field.root(deepFreeze(deployment("registry.example.com/a:1")));
        const b = Field.root(deepFreeze(deployment("registry.example.com/b:1")));
        const imageOf = (props: Field) => podSpecsOf(shape, props)[0]?.containers()[0]?.image?.value;
        for (let i = 0; i < 3; i++) {
            assert.strictEqual(imageOf(a), "registry.example.com/a:1");
            assert.strictEqual(imageOf(b), "registry.example.com/b:1");
        }
        // Asked twice in a row (the policies of one request), the model is built once.
        assert.strictEqual(podSpecsOf(shape, a), podSpecsOf(shape, a));
    });
});
