// Property: the Pod Security Standards policies' own options never change a verdict unless they are
// set, and then only in their direction. Generated pods exercise exactly what the options read
// (hostPath volumes and their mounts, host ports, SELinux types, FlexVolume drivers, Localhost seccomp
// profiles), with values unknown during preview mixed in:
// - every option written out at its default gives the same findings, word for word, as no options;
// - options that match nothing in the pod give the same verdict as no options, except that a value
//   they read may be unknown during preview (a hostPath's path): the check then waits for it, as an
//   advisory naming it, instead of failing;
// - options that allow (allowedHostPaths, allowedHostPorts, allowedTypes, allowedFlexVolumeDrivers)
//   never make a check fail that passed without them, and a restricting one (allowedLocalhostProfiles)
//   never makes a failing check pass.

import * as assert from "assert";
import fc from "fast-check";
import { baselinePolicies, restrictedPolicies } from "../../policies/pss";
import { PolicyTester, type PolicyViolation, type TestResource, UNKNOWN } from "../../testkit";
import { EXPLICIT_DEFAULTS } from "../support/psa";
import { workloadProps } from "../support/workloads";

type Obj = Record<string, unknown>;

const POLICIES = [...baselinePolicies, ...restrictedPolicies];

const maybeUnknown = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | string> =>
    fc.oneof({ weight: 9, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(UNKNOWN) });

const PATHS = ["/var/log", "/var/log/app", "/var/logs", "//var/log/../lib", "/", "/etc", "var/log", "/srv/data/"];
const TYPES = ["container_t", "spc_t", "container_logreader_t", "", "unconfined_t"];
const DRIVERS = ["example.com/lvm", "example.com/nfs", "other/x"];
const PROFILES = ["p.json", "team/a.json", "x"];

const volume = fc.oneof(
    fc.record({
        name: maybeUnknown(fc.constantFrom("logs", "data")),
        hostPath: maybeUnknown(fc.record({ path: maybeUnknown(fc.constantFrom(...PATHS)) })),
    }),
    fc.record({
        name: fc.constantFrom("lvm", "logs"),
        flexVolume: fc.record({ driver: maybeUnknown(fc.constantFrom(...DRIVERS)) }),
    }),
    fc.constant({ name: "tmp", emptyDir: {} }),
    fc.constant({ name: "share", nfs: { server: "s", path: "/" } }),
);

const seccomp = fc.oneof(
    fc.constant(undefined),
    fc.record({ type: maybeUnknown(fc.constantFrom("RuntimeDefault", "Localhost", "Unconfined")) }),
    fc.record({ type: fc.constant("Localhost"), localhostProfile: maybeUnknown(fc.constantFrom(...PROFILES)) }),
);

const securityContext = fc.record(
    {
        seccompProfile: seccomp,
        seLinuxOptions: fc.record({ type: maybeUnknown(fc.constantFrom(...TYPES)) }),
        allowPrivilegeEscalation: fc.constant(false),
        capabilities: fc.constant({ drop: ["ALL"] }),
        runAsNonRoot: fc.constant(true),
    },
    { requiredKeys: ["allowPrivilegeEscalation", "capabilities", "runAsNonRoot"] },
);

const container = (name: string) =>
    fc.record(
        {
            name: fc.constant(name),
            image: fc.constant("i"),
            ports: fc.array(
                fc.record({
                    containerPort: fc.constant(80),
                    hostPort: maybeUnknown(fc.constantFrom(0, 80, 8080, 9100, 65000)),
                }),
                { maxLength: 2 },
            ),
            volumeMounts: fc.array(
                fc.record(
                    {
                        name: maybeUnknown(fc.constantFrom("logs", "data", "tmp")),
                        mountPath: fc.constant("/m"),
                        readOnly: maybeUnknown(fc.constantFrom(true, false, "true")),
                    },
                    { requiredKeys: ["name", "mountPath"] },
                ),
                { maxLength: 2 },
            ),
            securityContext,
        },
        { requiredKeys: ["name", "image"] },
    );

const pod: fc.Arbitrary<TestResource> = fc
    .record(
        {
            volumes: fc.array(volume, { maxLength: 3 }),
            securityContext: fc.record(
                { seccompProfile: seccomp, seLinuxOptions: fc.record({ type: fc.constantFrom(...TYPES) }) },
                { requiredKeys: [] },
            ),
            initContainers: fc.array(container("init"), { maxLength: 1 }),
            containers: fc.array(container("app"), { minLength: 1, maxLength: 2 }),
            ephemeralContainers: fc.array(container("debug"), { maxLength: 1 }),
            os: fc.constantFrom(undefined, { name: "windows" }),
        },
        { requiredKeys: ["containers"] },
    )
    .map((spec) => ({
        type: "kubernetes:apps/v1:Deployment",
        name: "web",
        props: workloadProps("kubernetes:apps/v1:Deployment", JSON.parse(JSON.stringify(spec)) as Obj),
    }));

const version = fc.constantFrom("latest", "v1.18", "v1.25", "v1.30", "v1.35");

/** Options that allow what the generated pods contain. */
const ALLOWING: Record<string, Obj> = {
    "pss-host-path-volumes": { allowedHostPaths: [{ pathPrefix: "/var/log", readOnly: true }, { pathPrefix: "/srv" }] },
    "pss-host-ports": { allowedHostPorts: [{ min: 8000, max: 9100 }] },
    "pss-selinux": { allowedTypes: ["spc_t", "container_logreader_t"] },
    "pss-restricted-volumes": { allowedFlexVolumeDrivers: ["example.com/lvm"] },
};
/** Options that match nothing the generated pods contain. */
const MATCHING_NOTHING: Record<string, Obj> = {
    "pss-host-path-volumes": { allowedHostPaths: [{ pathPrefix: "/nowhere/at/all" }] },
    "pss-host-ports": { allowedHostPorts: [{ min: 65535, max: 65535 }] },
    "pss-selinux": { allowedTypes: ["never_used_t"] },
    "pss-restricted-volumes": { allowedFlexVolumeDrivers: ["never/used"] },
};
/** The restricting option. */
const RESTRICTING: Record<string, Obj> = {
    "pss-seccomp-baseline": { allowedLocalhostProfiles: ["team/*"] },
    "pss-seccomp-restricted": { allowedLocalhostProfiles: ["team/*"] },
};

async function run(r: TestResource, v: string, options: Record<string, Obj> = {}): Promise<PolicyViolation[]> {
    const config: Obj = { all: "mandatory" };
    for (const p of POLICIES) {
        config[p.name] = { ...options[p.name], version: v };
    }
    return (await new PolicyTester({ policies: POLICIES }, config as never).analyze(r)).violations;
}

/** The policies with a mandatory finding. */
function failing(vs: readonly PolicyViolation[]): Set<string> {
    return new Set(vs.filter((x) => x.enforcementLevel === "mandatory").map((x) => x.policyName));
}

function assertNoErrors(vs: readonly PolicyViolation[]): void {
    for (const x of vs) {
        assert.ok(!x.message.includes("could not evaluate") && !x.message.includes("can't run"), x.message);
    }
}

describe("property: Pod Security Standards options change verdicts only when set, and only their way", () => {
    it("explicit defaults: the same findings; options matching nothing: the same verdict", async () => {
        await fc.assert(
            fc.asyncProperty(pod, version, async (r, v) => {
                const plain = await run(r, v);
                assert.deepStrictEqual(await run(r, v, EXPLICIT_DEFAULTS), plain);
                const inert = await run(r, v, MATCHING_NOTHING);
                assertNoErrors(inert);
                const inertFailing = failing(inert);
                for (const name of inertFailing) {
                    assert.ok(failing(plain).has(name), `${name} fails only with options that match nothing`);
                }
                for (const name of failing(plain)) {
                    assert.ok(
                        inertFailing.has(name) ||
                            inert.some(
                                (x) => x.policyName === name && x.message.includes("is not known during preview"),
                            ),
                        `${name} passes with options that match nothing`,
                    );
                }
                assert.ok(!inert.some((x) => x.message.includes("allowed by option")));
            }),
            { numRuns: 200 },
        );
    });

    it("allowing options never fail a passing check; the restricting one never passes a failing one", async () => {
        await fc.assert(
            fc.asyncProperty(pod, version, async (r, v) => {
                const plain = failing(await run(r, v));
                const allowing = await run(r, v, ALLOWING);
                assertNoErrors(allowing);
                for (const name of failing(allowing)) {
                    assert.ok(plain.has(name), `${name} fails only with the allowing options`);
                }
                const restricting = await run(r, v, RESTRICTING);
                assertNoErrors(restricting);
                const restricted = failing(restricting);
                for (const name of plain) {
                    assert.ok(restricted.has(name), `${name} passes only with allowedLocalhostProfiles`);
                }
            }),
            { numRuns: 200 },
        );
    });
});
