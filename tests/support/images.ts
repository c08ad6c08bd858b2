// Test fixtures for the image rules: digests the scanner reports in tests/fixtures/scanners carry,
// and resources of every type that names images, built from the provider SDKs' argument types.

import * as path from "path";
import type * as dockerBuild from "@pulumi/docker-build";
import type * as docker from "@pulumi/docker";
import {
    type Policy,
    type PolicyPackConfig,
    PolicyTester,
    type PolicyViolation,
    type TestResource,
} from "../../testkit";

export const SCANNERS = path.resolve(__dirname, "../fixtures/scanners");

const digest = (pair: string) => "sha256:" + pair.repeat(32);

/** ghcr.io/acme/web:1.4.2 (Trivy report trivy-web.json). */
export const WEB = { tag: "ghcr.io/acme/web:1.4.2", digest: digest("0a"), id: digest("1b") };
/** redis:7.2 (Grype report grype-redis.json). */
export const REDIS = { tag: "redis:7.2", digest: digest("2c"), id: digest("3d") };
/** nginx:1.27.3, no vulnerabilities (Trivy report trivy-nginx.json). */
export const NGINX = { tag: "nginx:1.27.3", digest: digest("4e"), id: digest("5f") };
/** registry.example.com/legacy/app, eight critical vulnerabilities (trivy-many.json). */
export const LEGACY = { name: "registry.example.com/legacy/app", digest: digest("6a") };
/** A digest no report knows. */
export const OTHER_DIGEST = digest("ee");

type Args<T> = Partial<Record<keyof T, unknown>>;

export const remoteImage = (args: Args<docker.RemoteImageArgs>, name = "img"): TestResource => ({
    type: "docker:index/remoteImage:RemoteImage",
    name,
    props: args,
});
export const registryImage = (args: Args<docker.RegistryImageArgs>, name = "img"): TestResource => ({
    type: "docker:index/registryImage:RegistryImage",
    name,
    props: args,
});
export const dockerImage = (args: Args<docker.ImageArgs>, name = "img"): TestResource => ({
    type: "docker:index/image:Image",
    name,
    props: args,
});
export const dockerTag = (args: Args<docker.TagArgs>, name = "tag"): TestResource => ({
    type: "docker:index/tag:Tag",
    name,
    props: args,
});
export const buildImage = (args: Args<dockerBuild.ImageArgs>, name = "img"): TestResource => ({
    type: "docker-build:index:Image",
    name,
    props: args,
});
export const buildIndex = (args: Args<dockerBuild.IndexArgs>, name = "idx"): TestResource => ({
    type: "docker-build:index:Index",
    name,
    props: args,
});

/** The violations one policy reports for a resource, with the pack configured as given. */
export async function findings(
    policies: readonly Policy[],
    policy: string,
    r: TestResource,
    config: PolicyPackConfig = {},
): Promise<PolicyViolation[]> {
    const result = await new PolicyTester({ policies }, config).analyze(r);
    return result.violations.filter((v) => v.policyName === policy);
}

/** The finding line of a message (after the policy description). */
export function detail(v: PolicyViolation): string {
    return v.message.split("\n").slice(1).join("\n");
}
