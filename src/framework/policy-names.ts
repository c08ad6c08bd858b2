// Checking the policy names of a configuration, apart from serving the pack (pack.ts), so the scanner
// can check them without loading the policy SDK's server and with it all of @pulumi/pulumi.

import { unknownKey } from "./options";

/** Keys the engine may pass through that are not policy names. */
const RESERVED_KEYS = new Set(["all", "environments"]);

/** Names in a configuration that match no policy of the pack (message per name, with a suggestion). */
export function unknownPolicyNames(configured: readonly string[], policyNames: readonly string[]): string[] {
    const known = new Set(policyNames);
    return configured
        .filter((n) => !known.has(n) && !RESERVED_KEYS.has(n))
        .map((n) => unknownKey(`policy "${n}"`, n, policyNames, "is not a policy of this pack (policies: "));
}
