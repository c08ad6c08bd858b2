// The setup each Pod Security Standards policy's own tests share: the policy run alone (at the
// mandatory level, so an advisory can only come from a value the check could not judge), its findings
// reduced to "<level>: <finding line>", and pod specs of the wrong shape at every level a check reads.

import * as assert from "assert";
import { type Policy, type PolicyPackConfig, PolicyTester, type TestResource } from "../../testkit";
import { hardenedContainer, hardenedPodSpec, pod } from "./workloads";

type Obj = Record<string, unknown>;

/** "<enforcement level>: <resource>[, <container>]: <problem> (<path>). Fix: <fix>" for each finding. */
export async function pssFindings(policy: Policy, r: TestResource, options: Obj = {}): Promise<string[]> {
    const config = { [policy.name]: { enforcementLevel: "mandatory", ...options } } as PolicyPackConfig;
    const result = await new PolicyTester({ policies: [policy] }, config).analyze(r);
    return result.violations.map((v) => `${v.enforcementLevel}: ${v.message.split("\n")[1] ?? ""}`);
}

/** A hardened container whose securityContext also has `fields`. */
export function secured(name: string, fields: Obj): Obj {
    return hardenedContainer(name, { securityContext: { ...(hardenedContainer().securityContext as Obj), ...fields } });
}

/** A hardened pod spec with one container of each kind: init "init", regular "app", ephemeral "debug". */
export function inEveryList(make: (name: string) => Obj): Obj {
    return hardenedPodSpec({
        initContainers: [make("init")],
        containers: [make("app")],
        ephemeralContainers: [make("debug")],
    });
}

/** A mandatory finding line: "<subject>: <problem> (<path>). Fix: <fix>". */
export function finding(subject: string, problem: string, path: string, fix: string): string {
    return `mandatory: ${subject}: ${problem} (${path}). Fix: ${fix}`;
}

/** The same finding in each container of inEveryList, at `field` under the container. */
export function inEveryListFindings(problem: string, field: string, fix: string): string[] {
    return [
        ['init container "init"', "initContainers"],
        ['container "app"', "containers"],
        ['ephemeral container "debug"', "ephemeralContainers"],
    ].map(([label, list]) => finding(`Pod prod/web, ${label}`, problem, `spec.${list}[0].${field}`, fix));
}

/** The advisory a check gives for a value it cannot see during preview, naming the field. */
export function notKnown(subject: string, path: string): string {
    return (
        `advisory: ${subject}: ${path} is not known during preview, so this check cannot judge it yet; it is ` +
        "checked when the value is known (pulumi up)."
    );
}

/** Pod specs with the wrong JSON types wherever the Pod Security Standards checks read. */
export const MALFORMED_POD_SPECS: readonly Obj[] = [
    { containers: "app" },
    { containers: [null, 7, "app", [], { name: 5, securityContext: "privileged" }] },
    { initContainers: {}, ephemeralContainers: 1, containers: [{ name: "a", securityContext: [] }] },
    {
        containers: [
            {
                name: "a",
                ports: "80",
                livenessProbe: 1,
                readinessProbe: { httpGet: "x", tcpSocket: [] },
                lifecycle: [],
                securityContext: {
                    privileged: "true",
                    allowPrivilegeEscalation: "no",
                    runAsNonRoot: 1,
                    runAsUser: "0",
                    procMount: 7,
                    capabilities: "ALL",
                    seccompProfile: "RuntimeDefault",
                    appArmorProfile: [],
                    seLinuxOptions: "spc_t",
                    windowsOptions: 1,
                },
            },
            {
                name: "b",
                ports: [null, { hostPort: "80" }],
                lifecycle: { preStop: { httpGet: { host: 1 } } },
                securityContext: {
                    capabilities: { add: "SYS_ADMIN", drop: { 0: "ALL" } },
                    seccompProfile: { type: 1 },
                    appArmorProfile: { type: [] },
                    seLinuxOptions: { type: 3, user: [], role: {} },
                    windowsOptions: { hostProcess: "true" },
                },
            },
        ],
    },
    {
        hostNetwork: "yes",
        hostUsers: "no",
        os: "windows",
        securityContext: "restricted",
        volumes: "data",
        containers: [],
    },
    {
        securityContext: {
            sysctls: [null, 3, { name: 3 }, { value: "1" }],
            seccompProfile: [],
            appArmorProfile: "x",
            seLinuxOptions: [],
            runAsUser: [0],
            runAsNonRoot: "true",
            windowsOptions: { hostProcess: 1 },
        },
        volumes: [null, 1, "v", { name: 2 }, { name: "h", hostPath: null }],
        containers: [{}],
    },
];

/**
 * Runs the policy (with `options`, if given) on every malformed pod spec (also as annotations of the
 * wrong shape) and asserts that it judged each one without an error: a check that throws reports
 * "could not evaluate".
 */
export async function assertJudgesMalformedSpecs(policy: Policy, options: Obj = {}): Promise<void> {
    const config = { [policy.name]: { enforcementLevel: "mandatory", ...options } } as PolicyPackConfig;
    const tester = new PolicyTester({ policies: [policy] }, config);
    const resources = [
        ...MALFORMED_POD_SPECS.map((spec) => pod(spec)),
        pod({ containers: [{ name: "a", image: "i" }] }, { annotations: "x" }),
        pod({ containers: [{ name: "a", image: "i" }] }, { annotations: { "container.x/a": 1 } }),
        { type: "kubernetes:core/v1:Pod", name: "web", props: { spec: "x" } },
        { type: "kubernetes:apps/v1:Deployment", name: "web", props: { spec: { template: [] } } },
    ];
    for (const r of resources) {
        const result = await tester.analyze(r);
        for (const v of result.violations) {
            assert.ok(!v.message.includes("could not evaluate"), `${JSON.stringify(r.props)}: ${v.message}`);
        }
    }
}
