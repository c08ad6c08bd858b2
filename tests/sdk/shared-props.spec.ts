// This pack's policies share one frozen copy of a resource's props per Analyze request
// (src/sdk/shared-props.ts). The policy SDK's own Analyze handler runs the pack's policies with
// sharing on and off on the same requests: the answers must be the same, the props decoded once for
// all of the pack's policies, and any other policy of the pack (a team's own, composed with ours)
// must still get a copy of its own that it may change.

import * as assert from "assert";
import fc from "fast-check";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { analyzeResources } from "../../bench/resources";
import { defineWorkloadPolicy } from "../../lib";
import { allPolicies } from "../../policies";
import { type EngineResource } from "../../src/engine/local-engine";
import { UNKNOWN, secret, toStruct } from "../../src/engine/protocol";
import { configurationChanged } from "../../src/framework/policy";
import { withPropsDecodedOnce } from "../../src/sdk/decode-once";
import { setSharedProps, shareDecodedProps, sharedPropsBehind } from "../../src/sdk/shared-props";
import { fuzzedPodSpec, valuesOf } from "../support/fuzz";

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
const server = require("@pulumi/policy/server") as Record<
    string,
    (...args: any[]) => (call: unknown, cb: (err: unknown, res: any) => void) => Promise<void>
>;
const deserialize = require("@pulumi/policy/deserialize") as { deserializeProperties: (...args: any[]) => unknown };
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb");

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

function request(r: EngineResource): unknown {
    const req = new analyzerProto.AnalyzeRequest();
    req.setType(r.type);
    req.setName(r.name);
    req.setUrn(`urn:pulumi:s::p::${r.type}::${r.name}`);
    req.setProperties(toStruct(r.props));
    req.setOptions(new analyzerProto.AnalyzerResourceOptions());
    return req;
}

/**
 * Runs the SDK's Analyze handler (with the pack's request handling) and counts the copies of the props the policies
 * were given: each copy of their own, and the shared one once.
 */
async function analyze(
    policies: readonly unknown[],
    r: EngineResource,
    sharing: boolean,
): Promise<{ response: any; decodings: number }> {
    const handler = withPropsDecodedOnce({
        analyze: server.makeAnalyzeRpcFun("container-guard", "1.0.0", "advisory", policies),
    }).analyze;
    const installed = deserialize.deserializeProperties;
    const copies = new Set<unknown>();
    let decodings = 0;
    deserialize.deserializeProperties = (...args: any[]) => {
        const props = installed(...args);
        if (!copies.has(props)) {
            copies.add(props);
            decodings++;
        }
        return props;
    };
    setSharedProps(sharing);
    try {
        const response = await new Promise<any>(
            (resolve, reject) =>
                void handler({ request: request(r) }, (err, res) =>
                    err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : resolve(res.toObject()),
                ),
        );
        return { response, decodings };
    } finally {
        deserialize.deserializeProperties = installed;
        setSharedProps(true);
    }
}

/** The same answer with and without sharing. */
async function assertSameAnswer(policies: readonly unknown[], r: EngineResource): Promise<any> {
    const expected = await analyze(policies, r, false);
    const actual = await analyze(policies, r, true);
    assert.deepStrictEqual(actual.response, expected.response);
    return actual.response;
}

const deployment = (env: unknown[]): EngineResource => ({
    type: DEPLOYMENT,
    name: "web",
    props: {
        metadata: { name: "web", namespace: "prod" },
        spec: {
            template: {
                metadata: { labels: { app: "web" } },
                spec: {
                    containers: [
                        { name: "app", image: "nginx:1.27", securityContext: { privileged: true }, env },
                        { name: "sidecar", image: "registry.example.com/proxy:2" },
                    ],
                },
            },
        },
    },
});

describe("one frozen copy of the props for the pack's policies", () => {
    before(() => shareDecodedProps());
    beforeEach(() => configurationChanged());

    it("decodes the props once for all of the pack's policies, and the answer is the same", async () => {
        const r = deployment([{ name: "LEVEL", value: "info" }]);
        await analyze(allPolicies, r, false); // the policies read their options under this configuration
        const without = await analyze(allPolicies, r, false);
        const shared = await analyze(allPolicies, r, true);
        assert.deepStrictEqual(shared.response, without.response);
        assert.ok(without.decodings > 20, `every policy that applies decodes its own copy (${without.decodings})`);
        assert.strictEqual(shared.decodings, 1);
        assert.ok(shared.response.diagnosticsList.some((d: any) => d.policyname === "pss-privileged"));
    });

    it("hands every policy of the pack the same frozen value, and a team's plain policy its own copy", async () => {
        const seen: { frozen: boolean; value: unknown }[] = [];
        const recorder = (name: string) =>
            defineWorkloadPolicy({
                name,
                displayName: "Recorder",
                description: "Records the props it is given.",
                severity: "low",
                tags: [],
                remediationSteps: "None.",
                url: "https://example.com",
                options: {},
                check(pod) {
                    const root = pod.owner.value;
                    seen.push({ frozen: Object.isFrozen(root), value: root });
                },
            });
        const copies: unknown[] = [];
        const careless: ResourceValidationPolicy = {
            name: "team-careless",
            description: "Changes its props, as a policy may.",
            enforcementLevel: "advisory",
            validateResource: (args, report) => {
                const props = args.props as any;
                assert.strictEqual(sharedPropsBehind(props), undefined);
                copies.push(props);
                props.spec.template.spec.containers[0].securityContext.privileged = false;
                props.metadata.name = "changed";
                report(`name ${(args.props as any).metadata.name}`);
            },
        };
        const policies = [recorder("team-first"), careless, recorder("team-second"), careless];
        const r = deployment([]);
        await analyze(policies, r, true);
        seen.length = 0;
        copies.length = 0;
        const { response, decodings } = await analyze(policies, r, true);
        assert.strictEqual(decodings, 3, "one shared copy, and one for each run of the plain policy");
        assert.strictEqual(seen.length, 2);
        assert.ok(seen[0].frozen, "the pack's policies get a frozen value");
        assert.strictEqual(seen[0].value, seen[1].value, "the same one");
        assert.strictEqual((seen[1].value as any).metadata.name, "web", "untouched by the plain policy before it");
        assert.strictEqual(copies.length, 2);
        assert.notStrictEqual(copies[0], copies[1]);
        assert.ok(!Object.isFrozen(copies[0]));
        assert.deepStrictEqual(
            response.diagnosticsList.map((d: any) => d.message.split("\n").pop()),
            ["name changed", "name changed"],
        );
    });

    it("makes a write by one of the pack's policies fail loudly instead of reaching the next", async () => {
        const writer = defineWorkloadPolicy({
            name: "team-writer",
            displayName: "Writer",
            description: "Tries to change its props.",
            severity: "low",
            tags: [],
            remediationSteps: "None.",
            url: "https://example.com",
            options: {},
            check(pod) {
                (pod.spec.value as any).hostNetwork = true;
            },
        });
        const r = deployment([]);
        await analyze([writer], r, true);
        const { response } = await analyze([writer], r, true);
        const messages = response.diagnosticsList.map((d: any) => d.message as string);
        assert.strictEqual(messages.length, 1);
        assert.match(
            messages[0],
            /could not evaluate this resource \(Cannot add property hostNetwork, object is not extensible\)/,
        );
    });

    it("leaves props with values unknown during preview to the SDK's copies, with the same answer", async () => {
        const r = deployment([{ name: "TOKEN", value: UNKNOWN }]);
        await analyze(allPolicies, r, false);
        const shared = await analyze(allPolicies, r, true);
        assert.ok(shared.decodings > 20);
        await assertSameAnswer(allPolicies, r);
    });

    it("shares props with Pulumi secrets, judged and never shown, with the same answer", async () => {
        const hidden = "s3cr3t-signing-key-value";
        const r = deployment([
            { name: "SIGNING_KEY", value: secret(hidden) },
            { name: "API_TOKEN", value: secret("ghp_" + "x".repeat(36)) },
        ]);
        await analyze(allPolicies, r, false);
        const shared = await analyze(allPolicies, r, true);
        assert.strictEqual(shared.decodings, 1);
        const response = await assertSameAnswer(allPolicies, r);
        const text = JSON.stringify(response);
        assert.ok(response.diagnosticsList.some((d: any) => d.message.includes("SIGNING_KEY")));
        assert.ok(!text.includes(hidden) && !text.includes("ghp_x"), "no secret text in the answer");
    });

    it("gives the same answers on the benchmark's resources", async () => {
        const resources = [...analyzeResources(150, 31, "workloads"), ...analyzeResources(150, 32, "mixed")];
        await analyze(allPolicies, resources[0], false);
        let findings = 0;
        for (const r of resources) {
            findings += (await assertSameAnswer(allPolicies, r)).diagnosticsList.length;
        }
        assert.ok(
            findings > 1000,
            `the resources must produce findings for the comparison to mean something (${findings})`,
        );
    });

    it("gives the same answers on fuzzed workloads (secrets, wrong types, unknowns)", async () => {
        const leaf = fc.oneof(
            fc.string({ maxLength: 6 }),
            fc.integer(),
            fc.boolean(),
            fc.constant(null),
            fc.constant(UNKNOWN),
            fc.constant(secret("hunter2-secret")),
        );
        const value = valuesOf(leaf, ["a", "name", "value", "add", "type"], 3);
        const env = fc.oneof(
            value,
            fc.array(fc.record({ name: fc.constantFrom("A", "TOKEN"), value }), { maxLength: 2 }),
        );
        const podSpec = fuzzedPodSpec(value, env);
        await analyze(allPolicies, deployment([]), false);
        await fc.assert(
            fc.asyncProperty(podSpec, value, async (spec, labels) => {
                await assertSameAnswer(allPolicies, {
                    type: DEPLOYMENT,
                    name: "fuzzed",
                    props: { metadata: { name: "f", labels }, spec: { template: { spec } } },
                });
            }),
            { numRuns: 300 },
        );
    });
});
