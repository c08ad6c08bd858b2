// Serving a pack. The engine accepts configuration for policy names a pack does not have (a typo
// such as "pss-privilegd" is silently ignored and the real policy keeps its default level), so the
// pack checks the names itself when the engine configures it, and fails with a clear message.

import * as path from "path";
import { PolicyPack,PolicyPackArgs,PolicyPackConfig } from "@pulumi/policy";
import { withPropsDecodedOnce } from "./decode-once";
import { unknownKey } from "../framework/options";

/** Keys the engine may pass through that are not policy names. */
const RESERVED_KEYS = new Set(["all", "environments"]);

/** Names in a configuration that match no policy of the pack (message per name, with a suggestion). */
export function unknownPolicyNames(configured: readonly string[], policyNames: readonly string[]): string[] {
    const known = new Set(policyNames);
    return configured
        .filter((n) => !known.has(n) && !RESERVED_KEYS.has(n))
        .map((n) => unknownKey(`policy "${n}"`, n, policyNames).replace("is not a known option (known: ", "is not a policy of this pack (policies: "));
}

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-require-imports */

/**
 * Runs `construct` (which must create the PolicyPack) with the pack's gRPC `configure` handler
 * wrapped so that configuration naming unknown policies is rejected.
 */
function withConfigGuard(packName: string, policyNames: readonly string[], construct: () => void): void {
    const sdkDir = path.dirname(require.resolve("@pulumi/policy"));
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
    const proto = grpc.Server.prototype;
    const addService = proto.addService;
    proto.addService = function (this: unknown, service: unknown, impl: Record<string, any>) {
        const configure = impl?.configure;
        if (typeof configure === "function") {
            impl = {
                ...impl,
                configure(call: any, callback: (err: unknown, res?: unknown) => void) {
                    const names: string[] = [];
                    try {
                        call.request.getPolicyconfigMap().forEach((_v: unknown, k: string) => names.push(k));
                    } catch {
                        // an unexpected request shape: leave validation to the SDK
                    }
                    const problems = unknownPolicyNames(names, policyNames);
                    if (problems.length > 0) {
                        callback({
                            code: grpc.status.INVALID_ARGUMENT,
                            details: `${packName}: invalid policy pack configuration: ${problems.join("; ")}`,
                            message: `${packName}: invalid policy pack configuration: ${problems.join("; ")}`,
                        });
                        return;
                    }
                    configure.call(this, call, callback);
                },
            };
        }
        // The SDK decodes a resource's protobuf props once per policy; decoding once per request gives
        // every policy the same (still separately copied) props at a fraction of the cost.
        return addService.call(this, service, withPropsDecodedOnce(impl));
    };
    try {
        construct();
    } finally {
        proto.addService = addService;
    }
}

/** Creates and serves a policy pack (one per process) whose configuration is checked for unknown policy names. */
export function servePolicyPack(name: string, args: PolicyPackArgs, initialConfig?: PolicyPackConfig): PolicyPack {
    let pack: PolicyPack | undefined;
    withConfigGuard(
        name,
        args.policies.map((p) => p.name),
        () => (pack = new PolicyPack(name, args, initialConfig)),
    );
    return pack!;
}
