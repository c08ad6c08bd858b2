// Image provenance: where images come from, whether they name fixed content, who signed them and how
// they were built, and what is known to be wrong with them — for Kubernetes workloads and the Docker
// providers' resources alike.

import { type ContainerGuardPolicy } from "../../src/framework/policy";
import { imageDigestPinned } from "./image-digest-pinned";
import { imageProvenance } from "./image-provenance";
import { imagePullPolicy } from "./image-pull-policy";
import { imageRegistryAllowlist } from "./image-registry-allowlist";
import { imageSignature } from "./image-signature";
import { imageTagNotLatest } from "./image-tag-not-latest";
import { imageVulnerabilities } from "./image-vulnerabilities";

export const imagePolicies = [
    imageTagNotLatest,
    imageDigestPinned,
    imageRegistryAllowlist,
    imageVulnerabilities,
    imageSignature,
    imageProvenance,
    imagePullPolicy,
] as const satisfies readonly ContainerGuardPolicy[];

export {
    imageDigestPinned,
    imageProvenance,
    imagePullPolicy,
    imageRegistryAllowlist,
    imageSignature,
    imageTagNotLatest,
    imageVulnerabilities,
};
