// Compliance frameworks policies cite (a policy carries one, as Pulumi's metadata allows).

import type { PolicyComplianceFramework } from "@pulumi/policy";

/** NIST SP 800-190, Application Container Security Guide, with the section a policy implements. */
export function nist800190(specification: string): PolicyComplianceFramework {
    return {
        name: "NIST SP 800-190 Application Container Security Guide",
        version: "2017",
        reference: "https://doi.org/10.6028/NIST.SP.800-190",
        specification,
    };
}
