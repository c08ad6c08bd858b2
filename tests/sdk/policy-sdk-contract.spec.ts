// What the pack relies on in @pulumi/policy beyond its documented API (src/sdk/policy-sdk.ts),
// checked against the installed SDK itself. When an upgrade changes any of it, one of these fails and
// says what to re-check, instead of policies misbehaving quietly in users' previews.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
    SUPPORTED_SDK_VERSIONS,
    declareNotApplicable,
    interceptAnalyzerService,
    isUnknownSentinel,
    isUnknownValueError,
    reportStructured,
    requireFromPolicySdk,
    sdkDecoding,
    unknownValuePath,
    wrapAnalyzerServices,
} from "../../src/sdk/policy-sdk";
import { UNKNOWN, toStruct } from "../../src/engine/protocol";

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
const server = require("@pulumi/policy/server");
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb");

const RECHECK = "an @pulumi/policy upgrade changed what src/sdk/policy-sdk.ts relies on; re-check that module";

function analyzeRequest(type: string, props: Record<string, unknown>): unknown {
    const req = new analyzerProto.AnalyzeRequest();
    req.setType(type);
    req.setName("r");
    req.setUrn(`urn:pulumi:s::p::${type}::r`);
    req.setProperties(toStruct(props));
    req.setOptions(new analyzerProto.AnalyzerResourceOptions());
    return req;
}

/** Runs the SDK's own Analyze handler for one resource. */
async function sdkAnalyze(
    policies: ResourceValidationPolicy[],
    type: string,
    props: Record<string, unknown>,
): Promise<any> {
    const handler = server.makeAnalyzeRpcFun("pack", "1.0.0", "advisory", policies);
    return new Promise((resolve, reject) =>
        handler({ request: analyzeRequest(type, props) }, (err: unknown, res: any) =>
            err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : resolve(res.toObject()),
        ),
    );
}

const policy = (p: Partial<ResourceValidationPolicy>): ResourceValidationPolicy => ({
    name: "p",
    description: "d",
    enforcementLevel: "mandatory",
    ...p,
});

describe("the policy SDK internals the pack relies on", () => {
    it("is a version this adapter was checked against", () => {
        const pkg = JSON.parse(
            fs.readFileSync(path.join(path.dirname(require.resolve("@pulumi/policy")), "package.json"), "utf8"),
        );
        assert.match(
            pkg.version.replace(/^v/, ""),
            SUPPORTED_SDK_VERSIONS,
            `@pulumi/policy ${pkg.version}: ${RECHECK}`,
        );
    });

    it("takes a structured violation whose level overrides the policy's", async () => {
        const res = await sdkAnalyze(
            [
                policy({
                    validateResource: (_args, report) =>
                        reportStructured(report, { message: "note", enforcementLevel: "advisory" }),
                }),
            ],
            "t:m:T",
            {},
        );
        assert.strictEqual(res.diagnosticsList.length, 1, RECHECK);
        assert.match(res.diagnosticsList[0].message, /note/, RECHECK);
        // EnforcementLevel.ADVISORY is 0 in the analyzer protocol; MANDATORY is 1.
        assert.strictEqual(
            res.diagnosticsList[0].enforcementlevel,
            0,
            `structured enforcementLevel ignored: ${RECHECK}`,
        );
    });

    it("records a not-applicable declaration with its reason", async () => {
        const res = await sdkAnalyze(
            [policy({ validateResource: (args) => declareNotApplicable(args, "not for this type") })],
            "t:m:T",
            {},
        );
        assert.deepStrictEqual(res.diagnosticsList, [], RECHECK);
        assert.deepStrictEqual(
            res.notApplicableList.map((n: any) => [n.policyName, n.reason]),
            [["p", "not for this type"]],
            RECHECK,
        );
    });

    it("throws a recognisable error with the path when a policy reads an unknown value", () => {
        const { deserializeProperties, unknownCheckingProxy } = sdkDecoding();
        const props: any = unknownCheckingProxy(
            deserializeProperties(toStruct({ spec: { image: UNKNOWN } }) as any, false),
        );
        let caught: unknown;
        try {
            void props.spec.image;
        } catch (err) {
            caught = err;
        }
        assert.ok(isUnknownValueError(caught), `no UnknownValueError of the expected shape: ${RECHECK}`);
        assert.strictEqual(unknownValuePath(caught), "spec.image", RECHECK);
    });

    it("marks values unknown during preview with exactly the sentinels isUnknownSentinel knows", () => {
        const proxy = require("@pulumi/policy/proxy") as Record<string, unknown>;
        const sentinels = Object.entries(proxy)
            .filter(([k, v]) => /^unknown\w*Value$/.test(k) && typeof v === "string")
            .map(([, v]) => v as string);
        assert.strictEqual(sentinels.length, 7, RECHECK);
        for (const s of sentinels) {
            assert.ok(isUnknownSentinel(s), `${s} is not recognised: ${RECHECK}`);
        }
        assert.ok(!isUnknownSentinel(UNKNOWN.replace(/.$/, "0")), "a near miss is not a sentinel");
    });

    it("serves through @grpc/grpc-js's Server.addService with the handlers the pack wraps", () => {
        const source = fs.readFileSync(require.resolve("@pulumi/policy/server"), "utf8");
        for (const handler of ["configure", "analyze", "analyzeStack", "remediate"]) {
            assert.match(source, new RegExp(`\\b${handler}:`), `the SDK no longer registers "${handler}": ${RECHECK}`);
        }
        assert.match(source, /\.addService\(/, RECHECK);
        const grpc = requireFromPolicySdk<typeof import("@grpc/grpc-js")>("@grpc/grpc-js");
        // eslint-disable-next-line @typescript-eslint/unbound-method -- compared by identity only
        const original = grpc.Server.prototype.addService;
        const seen: string[][] = [];
        const registered: string[] = [];
        // eslint-disable-next-line @typescript-eslint/unbound-method -- restored below
        const register = grpc.Server.prototype.register;
        grpc.Server.prototype.register = function (this: any, name: string, ...rest: any[]) {
            registered.push(name);
            return (register as any).call(this, name, ...rest);
        };
        const restore = wrapAnalyzerServices(
            (impl) => {
                seen.push(Object.keys(impl));
                return { ...impl, extra: () => undefined };
            },
            // the definition goes through `rewire` (analyzer-wire.ts replaces how messages are read and written)
            (definition: any) => ({ ping: { ...definition.ping, path: "/x.Y/Rewired" } }) as any,
        );
        try {
            const s = new grpc.Server();
            const service = {
                ping: {
                    path: "/x.Y/Ping",
                    requestStream: false,
                    responseStream: false,
                    requestSerialize: (v: any) => v,
                    requestDeserialize: (v: any) => v,
                    responseSerialize: (v: any) => v,
                    responseDeserialize: (v: any) => v,
                },
            };
            s.addService(service, { ping: () => undefined });
        } finally {
            restore();
            grpc.Server.prototype.register = register;
        }
        assert.deepStrictEqual(seen, [["ping"]]);
        assert.deepStrictEqual(registered, ["/x.Y/Rewired"]);
        let wrapped = 0;
        interceptAnalyzerService(
            (impl) => (wrapped++, impl),
            () => undefined,
        );
        assert.strictEqual(wrapped, 0, "no server was constructed");
        // eslint-disable-next-line @typescript-eslint/unbound-method -- compared by identity only
        assert.strictEqual(grpc.Server.prototype.addService, original, "addService restored");
    });
});
