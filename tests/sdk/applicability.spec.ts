// Policies that cannot apply to a resource's type are skipped before the policy SDK decodes the
// props for them (src/sdk/applicability.ts): the SDK's own Analyze handler runs real policies of the
// pack, with and without the pack's request handling, and must answer the same while decoding the
// props only for the policies that may apply.

import * as assert from "assert";
import { allowPrivilegeEscalation } from "../../policies/pss/pss-allow-privilege-escalation";
import { dockerCapabilities } from "../../policies/docker/docker-capabilities";
import { withPropsDecodedOnce } from "../../src/sdk/decode-once";
import { currentAnalyzedType, withAnalyzedType } from "../../src/sdk/applicability";
import { configurationChanged } from "../../src/framework/policy";
import { PolicyTester } from "../../testkit";
import { toStruct } from "../../src/engine/protocol";

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
const server = require("@pulumi/policy/server") as Record<
    string,
    (...args: any[]) => (call: unknown, cb: (err: unknown, res: any) => void) => Promise<void>
>;
const deserialize = require("@pulumi/policy/deserialize") as { deserializeProperties: (...args: any[]) => unknown };
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb");
const structProto = require("google-protobuf/google/protobuf/struct_pb");

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const WIDGET = "kubernetes:example.com/v1:Widget";

const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: {
        template: {
            spec: {
                containers: [{ name: "app", image: "nginx:1.27", securityContext: { allowPrivilegeEscalation: true } }],
            },
        },
    },
};

function request(type: string, props: Record<string, unknown>): unknown {
    const req = new analyzerProto.AnalyzeRequest();
    req.setType(type);
    req.setName("web");
    req.setUrn(`urn:pulumi:s::p::${type}::web`);
    req.setProperties(structProto.Struct.fromJavaScript((toStruct(props) as any).toJavaScript()));
    req.setOptions(new analyzerProto.AnalyzerResourceOptions());
    return req;
}

/** Calls a handler and counts the SDK's props decodings (one per policy it calls). */
async function analyze(
    handler: (call: unknown, cb: (err: unknown, res: any) => void) => Promise<void>,
    req: unknown,
): Promise<{ response: any; decodings: number }> {
    const original = deserialize.deserializeProperties;
    let decodings = 0;
    deserialize.deserializeProperties = (...args: any[]) => {
        decodings++;
        return original(...args);
    };
    try {
        const response = await new Promise<any>(
            (resolve, reject) =>
                void handler({ request: req }, (err, res) =>
                    err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : resolve(res.toObject()),
                ),
        );
        return { response, decodings };
    } finally {
        deserialize.deserializeProperties = original;
    }
}

const notApplicableNames = (response: any): string[] =>
    (response.notApplicableList as { policyName: string }[]).map((n) => n.policyName).sort();
const policies = [allowPrivilegeEscalation, dockerCapabilities];
const plain = () => server.makeAnalyzeRpcFun("pack", "1.0.0", "advisory", policies);
const wrapped = () => withPropsDecodedOnce({ analyze: plain() }).analyze;

describe("deciding applicability from the type token", () => {
    beforeEach(() => configurationChanged());

    it("decodes the props only for policies that may apply, with the same findings", async () => {
        // Before a policy has read its options under this configuration it takes the ordinary path.
        const first = await analyze(wrapped(), request(DEPLOYMENT, deployment));
        assert.strictEqual(first.decodings, 2);

        const expected = await analyze(plain(), request(DEPLOYMENT, deployment));
        const actual = await analyze(wrapped(), request(DEPLOYMENT, deployment));
        assert.strictEqual(expected.decodings, 2);
        assert.strictEqual(actual.decodings, 1, "the Docker policy is skipped without decoding");
        assert.deepStrictEqual(actual.response.diagnosticsList, expected.response.diagnosticsList);
        assert.strictEqual(actual.response.diagnosticsList.length, 1);
        assert.ok(actual.response.diagnosticsList[0].message.includes("allowPrivilegeEscalation"));
        assert.deepStrictEqual(notApplicableNames(actual.response), ["docker-capabilities"]);
        assert.ok(actual.response.notApplicableList[0].reason.includes("Docker Containers"));

        const configMap = await analyze(wrapped(), request(CONFIG_MAP, { data: { a: "b" } }));
        assert.strictEqual(configMap.decodings, 0);
        assert.deepStrictEqual(notApplicableNames(configMap.response), [
            "docker-capabilities",
            "pss-allow-privilege-escalation",
        ]);
    });

    it("takes the ordinary path again after the engine configures the pack", async () => {
        await analyze(wrapped(), request(DEPLOYMENT, deployment));
        assert.strictEqual((await analyze(wrapped(), request(CONFIG_MAP, {}))).decodings, 0);
        configurationChanged();
        assert.strictEqual((await analyze(wrapped(), request(CONFIG_MAP, {}))).decodings, 2);
    });

    it("never skips a custom workload the options declare", async () => {
        const getType = () =>
            ((allowPrivilegeEscalation as { validateResource?: unknown }).validateResource as { __pulumiType?: string })
                .__pulumiType;
        const config = {
            "pss-allow-privilege-escalation": {
                customWorkloads: [{ type: WIDGET, podSpecPath: "spec.template.spec" }],
            },
        };
        const widget = { spec: deployment.spec };
        const r = await new PolicyTester({ policies }, config).analyze({ type: WIDGET, name: "w", props: widget });
        assert.ok(r.violations.some((v) => v.policyName === "pss-allow-privilege-escalation"));
        assert.strictEqual(
            withAnalyzedType(WIDGET, getType),
            undefined,
            "options parsed with the custom workload: applies",
        );
        assert.ok(withAnalyzedType(CONFIG_MAP, getType)?.includes("pod specs"));
        assert.strictEqual(getType(), undefined, "outside an Analyze request the validation carries no type");
    });

    it("keeps each concurrent request's type", async () => {
        const seen = await Promise.all(
            [DEPLOYMENT, CONFIG_MAP, WIDGET].map((t) =>
                withAnalyzedType(t, async () => {
                    await new Promise((r) => setTimeout(r, 5));
                    return currentAnalyzedType();
                }),
            ),
        );
        assert.deepStrictEqual(seen, [DEPLOYMENT, CONFIG_MAP, WIDGET]);
    });
});
