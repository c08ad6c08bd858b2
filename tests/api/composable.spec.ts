// The composable API: container-guard's policies next to a team's own, with configuration that
// the compiler checks and that fails fast at construction for JavaScript users.

import * as assert from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ContainerGuard, type ContainerGuardConfig, allPolicies, defineWorkloadPolicy, options } from "../../lib";
import { PolicyTester, type TestResource } from "../../testkit";
import { deployment } from "../support/workloads";

// Compile-time checks (this file is type-checked by `npm test`).
const typed: ContainerGuardConfig = {
    all: "advisory",
    "pss-privileged": "mandatory",
    "pss-sysctls": { enforcementLevel: "mandatory", version: "v1.30" },
    "network-isolation": { requireEgress: true, exclude: [{ namespace: "kube-system", reason: "system" }] },
    "resource-limits": { required: ["limits.memory", "emptyDir.sizeLimit"], exemptImages: ["ghcr.io/acme/**"] },
    "image-pull-policy": { always: true },
    "image-registry-allowlist": { allowed: ["ghcr.io"], denied: ["k8s.gcr.io"] },
    "docker-privileged": { exemptImages: ["docker.io/library/docker:*-dind"] },
    "sysctl-value-injection": "mandatory",
    "root-group": { enforcementLevel: "advisory" },
    "secrets-as-env": { exemptImages: [] },
};
// @ts-expect-error a misspelled policy name does not compile
const badName: ContainerGuardConfig = { "pss-privilegd": "mandatory" };
// @ts-expect-error a misspelled option does not compile
const badOption: ContainerGuardConfig = { "pss-sysctls": { verison: "v1.30" } };
// @ts-expect-error an option of the wrong type does not compile
const badType: ContainerGuardConfig = { "network-isolation": { requireEgress: "yes" } };
// @ts-expect-error an unknown level does not compile
const badLevel: ContainerGuardConfig = { all: "block" };
// The options that express exceptions are typed like every other option.
const exceptions: ContainerGuardConfig = {
    "pss-host-path-volumes": { allowedHostPaths: [{ pathPrefix: "/var/log", readOnly: true }] },
    "pss-host-ports": { allowedHostPorts: [{ min: 9100, max: 9100 }] },
    "pss-selinux": { allowedTypes: ["container_logreader_t"] },
    "pss-restricted-volumes": { allowedFlexVolumeDrivers: ["example.com/lvm"] },
    "pss-seccomp-restricted": { allowedLocalhostProfiles: ["profiles/*.json"] },
    "network-isolation": { directions: ["Ingress", "Egress"] },
    "service-external-ips": { allowed: ["203.0.113.0/28"] },
    "service-account-token-automount": { allowExplicitTrue: true },
    "host-path-persistent-volumes": "mandatory",
    "legacy-service-account-token-secrets": "advisory",
};
// @ts-expect-error an allowedHostPaths entry needs its pathPrefix
const badHostPath: ContainerGuardConfig = { "pss-host-path-volumes": { allowedHostPaths: [{ readOnly: true }] } };
// @ts-expect-error a port range is numbers
const badPorts: ContainerGuardConfig = { "pss-host-ports": { allowedHostPorts: [{ min: "80", max: 80 }] } };
// @ts-expect-error exemptImages is a list of globs
const badExemptImages: ContainerGuardConfig = { "root-group": { exemptImages: "ghcr.io/acme/**" } };
// @ts-expect-error a policy that judges no container has no exemptImages
const badExemptImagesPolicy: ContainerGuardConfig = { "dockerfile-secrets": { exemptImages: [] } };
void [badName, badOption, badType, badLevel, badHostPath, badPorts, badExemptImages, badExemptImagesPolicy];

/** A team's own policy, written on the same workload model. */
const noDefaultServiceAccount = defineWorkloadPolicy({
    name: "acme-no-default-service-account",
    displayName: "No default ServiceAccount",
    description: "Workloads must name their own ServiceAccount.",
    severity: "low",
    tags: ["acme"],
    remediationSteps: "Set spec.serviceAccountName.",
    url: "https://wiki.acme.example/k8s/service-accounts",
    options: { allowed: options.option(options.array(options.string()), [] as string[]) },
    check(pod, ev) {
        const sa = pod.spec.get("serviceAccountName");
        if (
            !sa.isUnknown &&
            (sa.isAbsent || sa.value === "default") &&
            !ev.options.allowed.includes(String(sa.value))
        ) {
            ev.violation({
                at: sa,
                problem: "uses the default ServiceAccount",
                fix: "set spec.serviceAccountName to a dedicated account",
            });
        }
    },
});

/** A plain Pulumi policy works too. */
const plain: ResourceValidationPolicy = {
    name: "acme-no-load-balancers",
    description: "Services must not be of type LoadBalancer.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type === "kubernetes:core/v1:Service" && args.props.spec?.type === "LoadBalancer") {
            report("type is LoadBalancer");
        }
    },
};

describe("composable API", () => {
    it("combines container-guard's policies with a team's own, with levels and options from typed config", async () => {
        const guard = new ContainerGuard(typed);
        const pack = {
            name: "acme",
            policies: [...guard.policies, noDefaultServiceAccount, plain],
            initialConfig: guard.initialConfig,
        };
        const tester = new PolicyTester(pack);
        const { violations } = await tester.analyze(
            deployment({
                securityContext: { sysctls: [{ name: "net.ipv4.tcp_rmem", value: "1" }] },
                containers: [{ name: "a", image: "i", securityContext: { privileged: true } }],
            }),
        );
        const levels = Object.fromEntries(violations.map((v) => [v.policyName, v.enforcementLevel]));
        assert.strictEqual(levels["pss-privileged"], "mandatory");
        assert.strictEqual(levels["pss-sysctls"], "mandatory", "v1.30 does not allow tcp_rmem");
        assert.strictEqual(levels["pss-allow-privilege-escalation"], "advisory", "all: advisory");
        assert.strictEqual(levels["acme-no-default-service-account"], "advisory");
        const svc: TestResource = { type: "kubernetes:core/v1:Service", props: { spec: { type: "LoadBalancer" } } };
        assert.deepStrictEqual(
            (await tester.analyze(svc)).violations.map((v) => v.policyName),
            ["acme-no-load-balancers"],
        );
    });

    it("user configuration overrides the initial configuration, as in the engine", async () => {
        const guard = new ContainerGuard({ "pss-privileged": "advisory" });
        const tester = new PolicyTester(
            { policies: guard.policies, initialConfig: guard.initialConfig },
            { "pss-privileged": "mandatory" },
        );
        const { violations } = await tester.analyze(
            deployment({ containers: [{ name: "a", image: "i", securityContext: { privileged: true } }] }),
        );
        assert.strictEqual(violations.find((v) => v.policyName === "pss-privileged")!.enforcementLevel, "mandatory");
    });

    it("fails fast on names and options the compiler would reject (for JavaScript callers)", () => {
        assert.throws(
            () => new ContainerGuard({ "pss-privilegd": "mandatory" } as never),
            /policy "pss-privilegd" is not a container-guard policy.*Did you mean "pss-privileged"/,
        );
        assert.throws(
            () => new ContainerGuard({ "pss-sysctls": { verison: "v1.30" } } as never),
            /pss-sysctls: verison is not a known option.*Did you mean "version"/,
        );
        assert.throws(() => new ContainerGuard({ "pss-sysctls": { version: "1.30" } }), /version "1.30" is not valid/);
        assert.throws(
            () => new ContainerGuard({ "pss-host-ports": { allowedHostPorts: [{ min: 9000, max: 8000 }] } }),
            /allowedHostPorts\[0\]: min \(9000\) must not be greater than max \(8000\)/,
        );
        assert.throws(
            () => new ContainerGuard({ "network-isolation": { directions: [] } }),
            /directions must name at least one direction/,
        );
    });

    it("accepts the options that express exceptions, and the new policies by name", () => {
        const guard = new ContainerGuard(exceptions);
        assert.deepStrictEqual(guard.initialConfig, exceptions);
    });

    it("exposes every policy with its metadata", () => {
        const guard = new ContainerGuard();
        assert.strictEqual(guard.policies.length, allPolicies.length);
        assert.deepStrictEqual(guard.initialConfig, {});
    });
});
