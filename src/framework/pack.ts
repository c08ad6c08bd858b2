// Serving a pack. The engine accepts configuration for policy names a pack does not have (a typo
// such as "pss-privilegd" is silently ignored and the real policy keeps its default level), so the
// pack checks the names itself when the engine configures it, and fails with a clear message.

import { PolicyPack, type PolicyPackArgs, type PolicyPackConfig } from "@pulumi/policy";
import { unknownKey } from "./options";
import { withPropsDecodedOnce } from "../sdk/decode-once";
import { type AnalyzerHandlers, grpcStatus, interceptAnalyzerService } from "../sdk/policy-sdk";

/** Keys the engine may pass through that are not policy names. */
const RESERVED_KEYS = new Set(["all", "environments"]);

/** Names in a configuration that match no policy of the pack (message per name, with a suggestion). */
export function unknownPolicyNames(configured: readonly string[], policyNames: readonly string[]): string[] {
    const known = new Set(policyNames);
    return configured
        .filter((n) => !known.has(n) && !RESERVED_KEYS.has(n))
        .map((n) => unknownKey(`policy "${n}"`, n, policyNames, "is not a policy of this pack (policies: "));
}

/** The SDK's handlers with configuration names checked and each resource's props decoded once. */
function guarded(packName: string, policyNames: readonly string[], impl: AnalyzerHandlers): AnalyzerHandlers {
    const configure = impl.configure;
    if (typeof configure === "function") {
        impl = {
            ...impl,
            configure(call, callback) {
                const names: string[] = [];
                try {
                    call.request.getPolicyconfigMap().forEach((_v, k) => names.push(k));
                } catch {
                    // an unexpected request shape: leave validation to the SDK
                }
                const problems = unknownPolicyNames(names, policyNames);
                if (problems.length > 0) {
                    const details = `${packName}: invalid policy pack configuration: ${problems.join("; ")}`;
                    callback({ code: grpcStatus().INVALID_ARGUMENT, details, message: details });
                    return;
                }
                return configure.call(this, call, callback);
            },
        };
    }
    // The SDK decodes a resource's protobuf props once per policy; decoding once per request gives
    // every policy the same (still separately copied) props at a fraction of the cost.
    return withPropsDecodedOnce(impl);
}

/** Creates and serves a policy pack (one per process) whose configuration is checked for unknown policy names. */
export function servePolicyPack(name: string, args: PolicyPackArgs, initialConfig?: PolicyPackConfig): PolicyPack {
    let pack: PolicyPack | undefined;
    const names = args.policies.map((p) => p.name);
    interceptAnalyzerService(
        (impl) => guarded(name, names, impl),
        () => (pack = new PolicyPack(name, args, initialConfig)),
    );
    return pack!;
}
