// Serving a pack. The engine accepts configuration for policy names a pack does not have (a typo
// such as "pss-privilegd" is silently ignored and the real policy keeps its default level), and
// checks option values only against the JSON schema, so the pack checks the names and every
// policy's options itself when the engine configures it, and fails with a clear message before any
// resource is judged.

import { PolicyPack, type PolicyPackArgs, type PolicyPackConfig } from "@pulumi/policy";
import { configurationChanged, policyConfigProblems } from "./policy";
import { unknownPolicyNames } from "./policy-names";
import { withFasterWire } from "../sdk/analyzer-wire";
import { withPropsDecodedOnce } from "../sdk/decode-once";
import { shareDecodedProps } from "../sdk/shared-props";
import { type AnalyzerHandlers, grpcStatus, interceptAnalyzerService } from "../sdk/policy-sdk";

export { unknownPolicyNames } from "./policy-names";

/** The problems of each configured policy's options (`policy "<name>": <option> ...`). */
function optionProblems(
    configured: ReadonlyMap<string, Record<string, unknown>>,
    policies: PolicyPackArgs["policies"],
): string[] {
    const problems: string[] = [];
    for (const policy of policies) {
        const properties = configured.get(policy.name);
        if (properties) {
            problems.push(...policyConfigProblems(policy, properties).map((p) => `policy "${policy.name}": ${p}`));
        }
    }
    return problems;
}

/** The SDK's handlers with configuration names checked and each resource's props decoded once. */
function guarded(policies: PolicyPackArgs["policies"], impl: AnalyzerHandlers): AnalyzerHandlers {
    const configure = impl.configure;
    const policyNames = policies.map((p) => p.name);
    if (typeof configure === "function") {
        impl = {
            ...impl,
            configure(call, callback) {
                const configured = new Map<string, Record<string, unknown>>();
                try {
                    call.request.getPolicyconfigMap().forEach((v, k) => {
                        configured.set(k, v.getProperties()?.toJavaScript() ?? {});
                    });
                } catch {
                    // an unexpected request shape: leave validation to the SDK
                }
                const unknownNames = unknownPolicyNames([...configured.keys()], policyNames);
                // Option values are checked only for known names (a typo's options have no schema).
                const problems = unknownNames.length > 0 ? unknownNames : optionProblems(configured, policies);
                if (problems.length > 0) {
                    // The engine prefixes the pack's name (`configuring policy pack "<name>": `) and no stack trace.
                    const details = `invalid policy pack configuration: ${problems.join("; ")}`;
                    callback({ code: grpcStatus().INVALID_ARGUMENT, details, message: details });
                    return;
                }
                // Options parsed under the previous configuration no longer decide anything.
                configurationChanged();
                return configure.call(this, call, (err: unknown, res?: unknown) => {
                    configurationChanged();
                    callback(err, res);
                });
            },
        };
    }
    // The SDK decodes a resource's protobuf props once per policy; decoding once per request gives
    // every policy the same props at a fraction of the cost, and this pack's own policies share one
    // frozen copy of them (shared-props.ts).
    shareDecodedProps();
    return withPropsDecodedOnce(impl);
}

/** Creates and serves a policy pack (one per process) whose configuration is checked for unknown policy names. */
export function servePolicyPack(name: string, args: PolicyPackArgs, initialConfig?: PolicyPackConfig): PolicyPack {
    let pack: PolicyPack | undefined;
    interceptAnalyzerService(
        (impl) => guarded(args.policies, impl),
        () => (pack = new PolicyPack(name, args, initialConfig)),
        // Requests are read and responses written without google-protobuf's object trees (analyzer-wire.ts).
        withFasterWire,
    );
    return pack!;
}
