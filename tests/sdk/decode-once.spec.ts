// Decoding props once per request must change nothing a policy sees: the policy SDK's own Analyze,
// AnalyzeStack and Remediate handlers run with and without it on the same requests, with policies
// that mutate their props, and must answer the same while decoding each resource's Struct once.

import * as assert from "assert";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { withPropsDecodedOnce } from "../../src/sdk/decode-once";
import { secret, toStruct } from "../../src/engine/protocol";

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
const server = require("@pulumi/policy/server") as Record<
    string,
    (...args: any[]) => (call: unknown, cb: (err: unknown, res: any) => void) => Promise<void>
>;
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb");
const structProto = require("google-protobuf/google/protobuf/struct_pb");

const props = (token: unknown) => ({
    metadata: { name: "web", labels: { app: "web" } },
    spec: {
        replicas: 2,
        template: {
            spec: { containers: [{ name: "app", image: "nginx:1.27", env: [{ name: "TOKEN", value: token }] }] },
        },
    },
});
const PROPS = props(secret("t0ken"));
/** What a policy sees: secrets unwrapped. */
const SEEN = props("t0ken");

function countingStruct(value: Record<string, unknown>): { struct: any; calls: () => number } {
    const struct = structProto.Struct.fromJavaScript((toStruct(value) as any).toJavaScript());
    const decode = struct.toJavaScript;
    let calls = 0;
    struct.toJavaScript = function () {
        calls++;
        return decode.call(this);
    };
    return { struct, calls: () => calls };
}

function resource<T>(ctor: new () => T, name: string): { message: T; calls: () => number } {
    const message: any = new ctor();
    const props = countingStruct(PROPS);
    message.setType("kubernetes:apps/v1:Deployment");
    message.setName(name);
    message.setUrn(`urn:pulumi:s::p::kubernetes:apps/v1:Deployment::${name}`);
    message.setProperties(props.struct);
    message.setOptions(new analyzerProto.AnalyzerResourceOptions());
    const provider = new analyzerProto.AnalyzerProviderResource();
    const providerProps = countingStruct({ namespace: "prod" });
    provider.setType("pulumi:providers:kubernetes");
    provider.setProperties(providerProps.struct);
    message.setProvider(provider);
    return { message, calls: () => props.calls() + providerProps.calls() };
}

/** Policies that report what they saw and then mutate it, as a careless policy might. */
function mutatingPolicies(count: number): ResourceValidationPolicy[] {
    return Array.from({ length: count }, (_, i) => ({
        name: `p${i}`,
        description: "d",
        enforcementLevel: "advisory",
        validateResource: (args, report) => {
            const props = args.props as any;
            report(JSON.stringify({ props, provider: args.provider?.props }));
            props.spec.replicas = 99;
            props.spec.template.spec.containers.push({ name: "injected" });
            props.metadata.labels.app = "changed";
        },
    }));
}

async function call(
    handler: (call: unknown, cb: (err: unknown, res: any) => void) => Promise<void>,
    request: unknown,
): Promise<any> {
    return new Promise(
        (resolve, reject) =>
            void handler({ request }, (err, res) =>
                err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : resolve(res.toObject()),
            ),
    );
}

describe("decoding props once per request", () => {
    it("gives each policy the request's props, whatever the policies before it changed, and decodes once", async () => {
        const policies = mutatingPolicies(5);
        const make = () => server.makeAnalyzeRpcFun("pack", "1.0.0", "advisory", policies);
        const plain = resource(analyzerProto.AnalyzeRequest, "web");
        const once = resource(analyzerProto.AnalyzeRequest, "web");
        const expected = await call(make(), plain.message);
        const actual = await call(withPropsDecodedOnce({ analyze: make() }).analyze, once.message);
        assert.deepStrictEqual(actual, expected);
        assert.strictEqual(expected.diagnosticsList.length, 5);
        for (const d of actual.diagnosticsList) {
            assert.deepStrictEqual(JSON.parse(d.message.slice(d.message.indexOf("\n") + 1)), {
                props: SEEN,
                provider: { namespace: "prod" },
            });
        }
        assert.strictEqual(plain.calls(), 10, "without it: props and provider decoded per policy");
        assert.strictEqual(once.calls(), 2, "with it: once each");
    });

    it("does the same for every resource of AnalyzeStack", async () => {
        const seen: unknown[] = [];
        const stackPolicies: StackValidationPolicy[] = [0, 1, 2].map((i) => ({
            name: `s${i}`,
            description: "d",
            enforcementLevel: "advisory",
            validateStack: (args, report) => {
                for (const r of args.resources) {
                    seen.push(JSON.parse(JSON.stringify(r.props)));
                    (r.props as any).spec.replicas = i;
                    report(`${r.name}: ${JSON.stringify(r.props)}`);
                }
            },
        }));
        const make = () => server.makeAnalyzeStackRpcFun("pack", "1.0.0", "advisory", stackPolicies);
        const request = (resources: { message: unknown }[]) => {
            const req = new analyzerProto.AnalyzeStackRequest();
            req.setResourcesList(resources.map((r) => r.message));
            return req;
        };
        const plain = ["a", "b"].map((n) => resource(analyzerProto.AnalyzerResource, n));
        const once = ["a", "b"].map((n) => resource(analyzerProto.AnalyzerResource, n));
        const expected = await call(make(), request(plain));
        const actual = await call(withPropsDecodedOnce({ analyzeStack: make() }).analyzeStack, request(once));
        assert.deepStrictEqual(actual, expected);
        assert.deepStrictEqual(
            seen,
            Array(12).fill(SEEN),
            "no policy saw another's change (3 policies × 2 resources, with and without)",
        );
        assert.deepStrictEqual(
            once.map((r) => r.calls()),
            [2, 2],
        );
    });

    it("lets remediations build on a fresh copy", async () => {
        const remediations: ResourceValidationPolicy[] = [0, 1].map((i) => ({
            name: `r${i}`,
            description: "d",
            enforcementLevel: "remediate",
            remediateResource: (args) => ({ ...(args.props as object), [`touchedBy${i}`]: true }),
        }));
        const make = () => server.makeRemediateRpcFun("pack", "1.0.0", "advisory", remediations);
        const expected = await call(make(), resource(analyzerProto.AnalyzeRequest, "web").message);
        const actual = await call(
            withPropsDecodedOnce({ remediate: make() }).remediate,
            resource(analyzerProto.AnalyzeRequest, "web").message,
        );
        assert.deepStrictEqual(actual, expected);
        assert.strictEqual(actual.remediationsList.length, 2);
    });

    it("keeps other handlers as they are", () => {
        const configure = () => undefined;
        const impl = withPropsDecodedOnce({ configure, getPluginInfo: configure });
        assert.strictEqual(impl.configure, configure);
        assert.deepStrictEqual(Object.keys(impl), ["configure", "getPluginInfo"]);
    });
});
