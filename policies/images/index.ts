// Image provenance: where images come from, whether they name fixed content, and what is known to be
// wrong with them — for Kubernetes workloads and the Docker providers' resources alike.

import { ContainerGuardPolicy } from "../../core/policy";
import { imageDigestPinned } from "./digest-pinned";
import { imageRegistryAllowlist } from "./registry-allowlist";
import { imageTagNotLatest } from "./tag-not-latest";
import { imageVulnerabilities } from "./vulnerabilities";

export const imagePolicies = [imageTagNotLatest, imageDigestPinned, imageRegistryAllowlist, imageVulnerabilities] as const satisfies readonly ContainerGuardPolicy[];

export { imageDigestPinned, imageRegistryAllowlist, imageTagNotLatest, imageVulnerabilities };
