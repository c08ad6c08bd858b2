// Wrongly typed fields fail closed. The Kubernetes API rejects a field of the wrong type; the checks
// judge it as its less safe value (a boolean), as a one-element list (a scalar where a list belongs)
// or report that they cannot judge it, and say why. The Docker provider converts "true"/"1" and
// "false"/"0" to booleans (Terraform's conversions): those are judged as converted.

import * as assert from "assert";
import fc from "fast-check";
import { allPolicies } from "../../policies";
import { PolicyTester, type PolicyViolation, type TestResource } from "../../testkit";
import { deployment, hardenedContainer, hardenedPodSpec } from "../support/workloads";
import { dockerContainer } from "../support/docker";

type Obj = Record<string, unknown>;

const tester = new PolicyTester({ policies: allPolicies }, { all: "mandatory" });

async function run(r: TestResource): Promise<PolicyViolation[]> {
    return (await tester.analyze(r)).violations;
}

const lines = (vs: readonly PolicyViolation[], policy: string) =>
    vs.filter((v) => v.policyName === policy).map((v) => v.message.split("\n")[1]);

/** A Deployment that passes every check, with `set` applied to a copy of its pod spec. */
function hardenedWith(set: (spec: Obj, container: Obj) => void): TestResource {
    const container = hardenedContainer();
    const spec = hardenedPodSpec({ automountServiceAccountToken: false, containers: [container] });
    set(spec, container);
    return deployment(spec);
}

const securityContext = (c: Obj) => c.securityContext as Obj;

describe("wrong types fail closed", () => {
    it("the hardened Deployment the cases start from has no finding but network isolation", async () => {
        const vs = await run(hardenedWith(() => undefined));
        assert.ok(
            vs.every((v) => v.policyName === "network-isolation"),
            vs.map((v) => v.message).join("\n"),
        );
    });

    for (const value of ["true", 1, "yes", {}, ["true"]]) {
        it(`privileged: ${JSON.stringify(value)} is judged as privileged, and the finding says why`, async () => {
            const vs = await run(hardenedWith((_, c) => (securityContext(c).privileged = value)));
            const [line] = lines(vs, "pss-privileged");
            assert.ok(line, JSON.stringify(vs.map((v) => v.message)));
            assert.match(
                line,
                new RegExp(
                    /privileged is (the string "true"|the number 1|the string "yes"|an object|a list), /.source +
                        /not a boolean: the Kubernetes API rejects it, and it is judged as true/.source,
                ),
            );
        });
    }

    it('hostNetwork: "true" is judged as true (pss-host-namespaces)', async () => {
        const vs = await run(hardenedWith((spec) => (spec.hostNetwork = "true")));
        assert.match(
            lines(vs, "pss-host-namespaces")[0] ?? "",
            /hostNetwork is the string "true", not a boolean: the Kubernetes API rejects it, and it is judged as true/,
        );
    });

    it('capabilities.add: "SYS_ADMIN" (a string) is judged as ["SYS_ADMIN"]', async () => {
        const vs = await run(hardenedWith((_, c) => ((securityContext(c).capabilities as Obj).add = "SYS_ADMIN")));
        const [line] = lines(vs, "pss-capabilities-baseline");
        assert.ok(line, JSON.stringify(vs.map((v) => v.message)));
        assert.match(line, /SYS_ADMIN/);
        assert.match(
            line,
            new RegExp(
                /add is the string "SYS_ADMIN", not a list: the Kubernetes API rejects it, /.source +
                    /and it is judged as a one-element list/.source,
            ),
        );
    });

    it('capabilities.drop: "ALL" (a string) is judged as dropping nothing', async () => {
        const vs = await run(hardenedWith((_, c) => ((securityContext(c).capabilities as Obj).drop = "ALL")));
        assert.ok(lines(vs, "pss-capabilities-restricted").length > 0, JSON.stringify(vs.map((v) => v.message)));
    });

    it("volumes as an object is judged as a one-element list (a hostPath volume is still found)", async () => {
        const vs = await run(hardenedWith((spec) => (spec.volumes = { name: "host", hostPath: { path: "/" } })));
        assert.ok(lines(vs, "pss-host-path-volumes").length > 0, JSON.stringify(vs.map((v) => v.message)));
    });

    it("containers as a string: each container check reports that it cannot judge it", async () => {
        const vs = await run(deployment({ ...hardenedPodSpec(), containers: "app" }));
        const privileged = lines(vs, "pss-privileged");
        assert.deepStrictEqual(privileged.length, 1, JSON.stringify(vs.map((v) => v.message)));
        assert.match(
            privileged[0],
            new RegExp(
                /containers is the string "app", not a list of objects: the Kubernetes API rejects it, /.source +
                    /so this check cannot judge it/.source,
            ),
        );
    });

    it('Docker privileged: "true" and "1" are converted to true; "false" and "0" to false', async () => {
        for (const value of ["true", "1"]) {
            const [line] = lines(await run(dockerContainer({ privileged: value })), "docker-privileged");
            assert.ok(line?.includes(`which the Docker provider converts to true`), `${value}: ${line}`);
        }
        for (const value of ["false", "0"]) {
            assert.deepStrictEqual(lines(await run(dockerContainer({ privileged: value })), "docker-privileged"), []);
        }
        const [other] = lines(await run(dockerContainer({ privileged: "yes" })), "docker-privileged");
        assert.match(
            other ?? "",
            /privileged is the string "yes", not a boolean: the Docker provider rejects it, and it is judged as true/,
        );
    });
});

/** A security field of the pod spec: where it is, how a wrongly typed value is interpreted. */
interface TypedField {
    readonly name: string;
    readonly set: (spec: Obj, container: Obj, value: unknown) => void;
    /** The value a wrongly typed one is judged as (for lists: given the wrong value). */
    readonly interpretation: (wrong: unknown) => unknown;
}

const inContainer =
    (key: string) =>
    (_: Obj, c: Obj, v: unknown): void => {
        securityContext(c)[key] = v;
    };
const inPod =
    (key: string) =>
    (spec: Obj, _: Obj, v: unknown): void => {
        spec[key] = v;
    };
const inPodContext =
    (key: string) =>
    (spec: Obj, _: Obj, v: unknown): void => {
        (spec.securityContext as Obj)[key] = v;
    };
const inCapabilities =
    (key: string) =>
    (_: Obj, c: Obj, v: unknown): void => {
        (securityContext(c).capabilities as Obj)[key] = v;
    };

const FIELDS: TypedField[] = [
    { name: "privileged", set: inContainer("privileged"), interpretation: () => true },
    { name: "allowPrivilegeEscalation", set: inContainer("allowPrivilegeEscalation"), interpretation: () => true },
    { name: "readOnlyRootFilesystem", set: inContainer("readOnlyRootFilesystem"), interpretation: () => false },
    { name: "runAsNonRoot (container)", set: inContainer("runAsNonRoot"), interpretation: () => false },
    { name: "runAsUser (container)", set: inContainer("runAsUser"), interpretation: () => 0 },
    { name: "hostNetwork", set: inPod("hostNetwork"), interpretation: () => true },
    { name: "hostPID", set: inPod("hostPID"), interpretation: () => true },
    { name: "hostIPC", set: inPod("hostIPC"), interpretation: () => true },
    { name: "hostUsers", set: inPod("hostUsers"), interpretation: () => true },
    { name: "automountServiceAccountToken", set: inPod("automountServiceAccountToken"), interpretation: () => true },
    { name: "runAsNonRoot (pod)", set: inPodContext("runAsNonRoot"), interpretation: () => false },
    { name: "runAsUser (pod)", set: inPodContext("runAsUser"), interpretation: () => 0 },
    { name: "capabilities.add", set: inCapabilities("add"), interpretation: (v) => [v] },
    { name: "capabilities.drop", set: inCapabilities("drop"), interpretation: () => [] },
];

const wrongScalar = fc.oneof(
    fc.constantFrom("true", "false", "1", "0", "yes", "", "SYS_ADMIN", "ALL", "NET_RAW"),
    fc.string({ maxLength: 6 }),
    fc.integer({ min: -2, max: 70000 }),
    fc.double({ noNaN: false }),
    fc.constant({}),
    fc.dictionary(fc.constantFrom("a", "type", "add"), fc.string({ maxLength: 3 }), { maxKeys: 2 }),
);
const wrongForList = fc.oneof(
    fc.constantFrom("SYS_ADMIN", "ALL", "NET_RAW", "", "all"),
    fc.string({ maxLength: 6 }),
    fc.integer(),
    fc.boolean(),
    fc.constant({}),
);

const typeMatches = (field: TypedField, v: unknown) =>
    field.name.startsWith("capabilities")
        ? Array.isArray(v)
        : field.name.startsWith("runAsUser")
          ? typeof v === "number" && Number.isInteger(v)
          : typeof v === "boolean";

describe("property: a wrongly typed security field is never judged more leniently than its unsafe reading", () => {
    it("every boolean, integer and list field of the pod spec, 600 wrong values", async () => {
        await fc.assert(
            fc.asyncProperty(
                fc
                    .constantFrom(...FIELDS)
                    .chain((field) =>
                        (field.name.startsWith("capabilities") ? wrongForList : wrongScalar).map((v) => ({ field, v })),
                    ),
                async ({ field, v }) => {
                    fc.pre(!typeMatches(field, v));
                    const wrong = await run(hardenedWith((spec, c) => field.set(spec, c, v)));
                    const read = await run(hardenedWith((spec, c) => field.set(spec, c, field.interpretation(v))));
                    const policies = new Set(wrong.map((w) => w.policyName));
                    for (const r of read) {
                        assert.ok(
                            policies.has(r.policyName),
                            `${field.name} = ${JSON.stringify(v)}: ${r.policyName} reports the unsafe reading ` +
                                `but not the wrongly typed value:\n${r.message}`,
                        );
                    }
                    for (const w of wrong) {
                        assert.ok(!w.message.includes("could not evaluate"), w.message);
                    }
                },
            ),
            { numRuns: 600 },
        );
    });
});
