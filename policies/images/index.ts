// Image provenance: where images come from, whether they name fixed content, and what is known to be
// wrong with them — for Kubernetes workloads and the Docker providers' resources alike.

import { type ContainerGuardPolicy } from "../../src/framework/policy";
import { imageDigestPinned } from "./image-digest-pinned";
import { imagePullPolicy } from "./image-pull-policy";
import { imageRegistryAllowlist } from "./image-registry-allowlist";
import { imageTagNotLatest } from "./image-tag-not-latest";
import { imageVulnerabilities } from "./image-vulnerabilities";

export const imagePolicies = [
    imageTagNotLatest,
    imageDigestPinned,
    imageRegistryAllowlist,
    imageVulnerabilities,
    imagePullPolicy,
] as const satisfies readonly ContainerGuardPolicy[];

export { imageDigestPinned, imagePullPolicy, imageRegistryAllowlist, imageTagNotLatest, imageVulnerabilities };
