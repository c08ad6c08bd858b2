// Policy versions are data: every Pod Security Standards check lists its versioned variants, the
// builder picks the newest one not newer than the configured version, and the whole-pod exemptions
// a variant grants (Windows pods, user-namespace pods) apply to the check and its remediation.

import * as assert from "assert";
import { baselinePolicies, restrictedPolicies } from "../../policies/pss";
import {
    allowPrivilegeEscalation,
    capabilitiesRestricted,
    hostProbesAndLifecycle,
    procMountBaseline,
    seccompBaseline,
    seccompRestricted,
    seLinux,
    sysctls,
} from "../../policies/pss";
import { definePssCheck, pssCheckOf, pssVariantAt, type VersionedRule } from "../../src/pss/standard";
import { LATEST_MINOR, variantTableProblem } from "../../src/pss/versions";
import { PolicyTester, type TestResource, unknown } from "../../testkit";
import { pod } from "../support/workloads";

const POLICIES = [...baselinePolicies, ...restrictedPolicies];

function infoOf(policy: object) {
    const info = pssCheckOf(policy);
    assert.ok(info, "a Pod Security Standards policy is registered with its version table");
    return info;
}

function ruleAt(policy: object, version: string): Record<string, unknown> | undefined {
    return pssVariantAt(infoOf(policy).versions, version)?.rule as Record<string, unknown> | undefined;
}

/**
 * The versions at which each check's rules change, from the admission controller's versioned
 * checks (the first one is where the check appears).
 */
const EXPECTED_VERSIONS: Record<string, string[]> = {
    hostNamespaces: ["v1.0"],
    privileged: ["v1.0"],
    capabilities_baseline: ["v1.0"],
    hostPathVolumes: ["v1.0"],
    hostPorts: ["v1.0"],
    hostProbesAndHostLifecycle: ["v1.34"],
    appArmorProfile: ["v1.0"],
    seLinuxOptions: ["v1.0", "v1.31"],
    procMount: ["v1.0", "v1.35"],
    seccompProfile_baseline: ["v1.0", "v1.19"],
    sysctls: ["v1.0", "v1.27", "v1.29", "v1.32", "v1.37"],
    windowsHostProcess: ["v1.0"],
    restrictedVolumes: ["v1.0"],
    allowPrivilegeEscalation: ["v1.8", "v1.25"],
    runAsNonRoot: ["v1.0", "v1.35"],
    runAsUser: ["v1.23", "v1.35"],
    seccompProfile_restricted: ["v1.19", "v1.25"],
    capabilities_restricted: ["v1.22", "v1.25"],
    procMount_restricted: ["v1.35"],
};

describe("Pod Security Standards versions", () => {
    describe("every check's version table", () => {
        it("covers all 19 checks once", () => {
            const ids = POLICIES.map((p) => infoOf(p).checkId).sort();
            assert.deepStrictEqual(ids, Object.keys(EXPECTED_VERSIONS).sort());
        });

        for (const policy of POLICIES) {
            it(`${policy.name}: versions are valid v1.N, unique, in increasing order`, () => {
                const { versions } = infoOf(policy);
                assert.ok(versions.length > 0);
                const minors = versions.map(({ since }) => {
                    const m = /^v1\.(0|[1-9][0-9]*)$/.exec(since);
                    assert.ok(m, `${since} is not a v1.N version`);
                    return Number(m[1]);
                });
                for (let i = 1; i < minors.length; i++) {
                    assert.ok(
                        minors[i] > minors[i - 1],
                        `${versions[i].since} must come after ${versions[i - 1].since}`,
                    );
                }
                assert.ok(minors[minors.length - 1] <= LATEST_MINOR);
            });

            it(`${policy.name}: rules change where the admission controller's do`, () => {
                const info = infoOf(policy);
                assert.deepStrictEqual(
                    info.versions.map((v) => v.since),
                    EXPECTED_VERSIONS[info.checkId],
                );
            });

            it(`${policy.name}: pod exemptions are spelled as the builder reads them`, () => {
                for (const { since, rule } of infoOf(policy).versions) {
                    for (const [key, value] of Object.entries(rule)) {
                        if (/exempt/i.test(key)) {
                            assert.ok(
                                key === "windowsExempt" || key === "userNamespaceExempt",
                                `${since}: unknown exemption ${key}`,
                            );
                            assert.strictEqual(typeof value, "boolean", `${since}: ${key}`);
                        }
                    }
                }
            });
        }
    });

    describe("malformed tables are rejected when a check is defined", () => {
        const table = (...since: string[]) => since.map((s) => ({ since: s, rule: {} })) as VersionedRule<object>[];
        const cases: [string, VersionedRule<object>[], RegExp][] = [
            ["empty", table(), /no versions/],
            ["unsorted", table("v1.25", "v1.8"), /after v1\.25/],
            ["duplicate", table("v1.8", "v1.8"), /after v1\.8/],
            ["no v prefix", table("1.25"), /invalid version "1\.25"/],
            ["leading zero", table("v1.08"), /invalid version/],
            ["major 2", table("v2.0"), /invalid version/],
            ["newer than implemented", table(`v1.${LATEST_MINOR + 1}`), /newer than the latest/],
        ];
        for (const [title, versions, message] of cases) {
            it(title, () => {
                assert.match(variantTableProblem(versions) ?? "", message);
                assert.throws(
                    () =>
                        definePssCheck({
                            name: "pss-test",
                            checkId: "test",
                            level: "baseline",
                            displayName: "t",
                            description: "t",
                            severity: "low",
                            topics: [],
                            remediationSteps: "t",
                            versions,
                            check: () => undefined,
                        }),
                    (err: Error) => err.message.startsWith("pss-test: the version table ") && message.test(err.message),
                );
            });
        }
        it("a well-formed table passes", () => {
            assert.strictEqual(variantTableProblem(table("v1.0", "v1.8", "v1.25")), undefined);
        });
    });

    describe("the variant chosen at a version", () => {
        it("allowPrivilegeEscalation: absent before v1.8, Windows pods exempt from v1.25", () => {
            assert.strictEqual(ruleAt(allowPrivilegeEscalation, "v1.0"), undefined);
            assert.strictEqual(ruleAt(allowPrivilegeEscalation, "v1.7"), undefined);
            assert.deepStrictEqual(ruleAt(allowPrivilegeEscalation, "v1.8"), { windowsExempt: false });
            assert.deepStrictEqual(ruleAt(allowPrivilegeEscalation, "v1.24"), { windowsExempt: false });
            assert.deepStrictEqual(ruleAt(allowPrivilegeEscalation, "v1.25"), { windowsExempt: true });
            assert.deepStrictEqual(ruleAt(allowPrivilegeEscalation, "latest"), { windowsExempt: true });
        });

        it("the Windows exemption of all three restricted checks starts at v1.25", () => {
            for (const p of [allowPrivilegeEscalation, capabilitiesRestricted, seccompRestricted]) {
                assert.strictEqual(ruleAt(p, "v1.24")?.windowsExempt, false, p.name);
                assert.strictEqual(ruleAt(p, "v1.25")?.windowsExempt, true, p.name);
            }
            assert.strictEqual(ruleAt(capabilitiesRestricted, "v1.21"), undefined);
            assert.strictEqual(ruleAt(seccompRestricted, "v1.18"), undefined);
        });

        it("procMount (baseline): pods in a user namespace exempt from v1.35", () => {
            assert.deepStrictEqual(ruleAt(procMountBaseline, "v1.34"), { userNamespaceExempt: false });
            assert.deepStrictEqual(ruleAt(procMountBaseline, "v1.35"), { userNamespaceExempt: true });
        });

        it("seccompProfile_baseline: annotations before v1.19, fields from v1.19", () => {
            assert.deepStrictEqual(ruleAt(seccompBaseline, "v1.18"), { reads: "annotations" });
            assert.deepStrictEqual(ruleAt(seccompBaseline, "v1.19"), { reads: "fields" });
        });

        it("seLinuxOptions: container_engine_t from v1.31", () => {
            const types = (v: string) => [...(ruleAt(seLinux, v)!.types as Set<string>)].sort();
            assert.deepStrictEqual(types("v1.30"), ["", "container_init_t", "container_kvm_t", "container_t"]);
            assert.deepStrictEqual(types("v1.31"), [
                "",
                "container_engine_t",
                "container_init_t",
                "container_kvm_t",
                "container_t",
            ]);
        });

        it("sysctls: the allow-list grows at v1.27, v1.29, v1.32 and v1.37", () => {
            const allowed = (v: string) => ruleAt(sysctls, v)!.allowed as Set<string>;
            const sizes = ["v1.0", "v1.26", "v1.27", "v1.28", "v1.29", "v1.31", "v1.32", "v1.36", "v1.37", "latest"];
            assert.deepStrictEqual(
                sizes.map((v) => allowed(v).size),
                [5, 5, 6, 6, 10, 10, 12, 12, 14, 14],
            );
            assert.ok(!allowed("v1.26").has("net.ipv4.ip_local_reserved_ports"));
            assert.ok(allowed("v1.27").has("net.ipv4.ip_local_reserved_ports"));
            assert.ok(!allowed("v1.36").has("net.ipv4.tcp_notsent_lowat"));
            assert.ok(allowed("v1.37").has("net.ipv4.tcp_notsent_lowat"));
        });

        it("hostProbesAndHostLifecycle exists from v1.34", () => {
            assert.strictEqual(ruleAt(hostProbesAndLifecycle, "v1.33"), undefined);
            assert.deepStrictEqual(ruleAt(hostProbesAndLifecycle, "v1.34"), {});
        });

        it("versions newer than the implemented ones use the newest rules", () => {
            for (const p of POLICIES) {
                assert.deepStrictEqual(ruleAt(p, "v1.99"), ruleAt(p, "latest"), p.name);
                assert.deepStrictEqual(ruleAt(p, `v1.${LATEST_MINOR}`), ruleAt(p, "latest"), p.name);
            }
        });
    });

    describe("the Windows exemption applies to the check and its remediation alike", () => {
        const windowsPod = (osName: unknown): TestResource =>
            pod({
                os: { name: osName },
                securityContext: { runAsNonRoot: true },
                containers: [{ name: "w", image: "i" }],
            });
        const WINDOWS_CHECKS = [allowPrivilegeEscalation, capabilitiesRestricted, seccompRestricted];

        async function run(r: TestResource, version: string) {
            const config: Record<string, unknown> = {};
            for (const p of WINDOWS_CHECKS) {
                config[p.name] = { enforcementLevel: "remediate", version };
            }
            const tester = new PolicyTester({ policies: WINDOWS_CHECKS }, config as never);
            const fixed = await tester.remediate(r);
            const judged = await new PolicyTester({ policies: WINDOWS_CHECKS }, {
                all: "mandatory",
                ...Object.fromEntries(WINDOWS_CHECKS.map((p) => [p.name, { version }])),
            } as never).analyze(r);
            return {
                remediatedBy: fixed.remediatedBy.sort(),
                findings: judged.violations.map((v) => `${v.policyName}:${v.enforcementLevel}`).sort(),
            };
        }

        it("v1.24: a Windows pod is judged and fixed like any other", async () => {
            const { remediatedBy, findings } = await run(windowsPod("windows"), "v1.24");
            assert.deepStrictEqual(remediatedBy, WINDOWS_CHECKS.map((p) => p.name).sort());
            assert.deepStrictEqual(findings, WINDOWS_CHECKS.map((p) => `${p.name}:mandatory`).sort());
        });

        it("v1.25: a Windows pod passes and is left alone", async () => {
            assert.deepStrictEqual(await run(windowsPod("windows"), "v1.25"), { remediatedBy: [], findings: [] });
        });

        it("v1.25: a Linux pod is still judged and fixed", async () => {
            const { remediatedBy, findings } = await run(windowsPod("linux"), "v1.25");
            assert.deepStrictEqual(remediatedBy, WINDOWS_CHECKS.map((p) => p.name).sort());
            assert.strictEqual(findings.length, 3);
        });

        it("v1.25: an os.name unknown during preview is undecided: advisory, and no fix", async () => {
            const { remediatedBy, findings } = await run(windowsPod(unknown), "v1.25");
            assert.deepStrictEqual(remediatedBy, []);
            assert.deepStrictEqual(findings, WINDOWS_CHECKS.map((p) => `${p.name}:advisory`).sort());
        });

        it("v1.24: an unknown os.name does not matter yet", async () => {
            const { findings } = await run(windowsPod(unknown), "v1.24");
            assert.deepStrictEqual(findings, WINDOWS_CHECKS.map((p) => `${p.name}:mandatory`).sort());
        });
    });
});
