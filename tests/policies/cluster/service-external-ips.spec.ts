// service-external-ips: Services must not claim external IPs (CVE-2020-8554) beyond the allowed ones.

import * as assert from "assert";
import { serviceExternalIps } from "../../../policies/cluster";
import { type PolicyPackConfig, PolicyTester, type TestResource, unknown } from "../../../testkit";
import { findingLine } from "../../support/secrets";

type Obj = Record<string, unknown>;
const FIX =
    "remove it and expose the Service with type LoadBalancer, a NodePort or an Ingress (or, if the cluster's " +
    "administrators assigned this address to the Service, add it to the allowed option)";

function service(spec: Obj, type = "kubernetes:core/v1:Service"): TestResource {
    return {
        type,
        name: "api",
        props: { metadata: { name: "api", namespace: "prod" }, spec: { ports: [{ port: 80 }], ...spec } },
    };
}

async function findings(r: TestResource, options?: Obj): Promise<string[]> {
    const config = (options ? { "service-external-ips": options } : {}) as PolicyPackConfig;
    const { violations } = await new PolicyTester({ policies: [serviceExternalIps] }, config).analyze(r);
    return violations.map((v) => `${v.enforcementLevel}: ${findingLine(v)}`);
}

describe("service-external-ips", () => {
    it("reports every external IP, naming the Service, the address and its path", async () => {
        assert.deepStrictEqual(await findings(service({ externalIPs: ["203.0.113.10", "2001:db8::1"] })), [
            `advisory: Service prod/api: spec.externalIPs lists 203.0.113.10 (spec.externalIPs[0]). Fix: ${FIX}`,
            `advisory: Service prod/api: spec.externalIPs lists 2001:db8::1 (spec.externalIPs[1]). Fix: ${FIX}`,
        ]);
    });

    it("passes Services without external IPs", async () => {
        assert.deepStrictEqual(await findings(service({})), []);
        assert.deepStrictEqual(await findings(service({ externalIPs: [] })), []);
        assert.deepStrictEqual(await findings(service({ type: "LoadBalancer", loadBalancerIP: "203.0.113.9" })), []);
    });

    it("allowed: addresses and CIDR blocks, compared as addresses", async () => {
        const allowed = { allowed: ["203.0.113.0/28", "198.51.100.7", "2001:db8::/64"], enforcementLevel: "mandatory" };
        const ips = ["203.0.113.10", "198.51.100.7", "2001:0db8:0:0::5", "203.0.113.16", "198.51.100.8", "2001:db9::1"];
        assert.deepStrictEqual(
            await findings(service({ externalIPs: ips }), allowed),
            ["203.0.113.16", "198.51.100.8", "2001:db9::1"].map(
                (ip) =>
                    `mandatory: Service prod/api: spec.externalIPs lists ${ip}, which option allowed does not list ` +
                    `(spec.externalIPs[${ips.indexOf(ip)}]). Fix: ${FIX}`,
            ),
        );
    });

    it("an entry that is not an address is reported, never allowed", async () => {
        const lines = await findings(service({ externalIPs: ["203.0.113.0/24", "example.com", 7, "010.0.0.1"] }), {
            allowed: ["0.0.0.0/0"],
        });
        assert.deepStrictEqual(
            lines.map((l) => l.replace(/ \(spec.*$/, "")),
            [
                'advisory: Service prod/api: spec.externalIPs lists "203.0.113.0/24", which is not an IP address',
                'advisory: Service prod/api: spec.externalIPs lists "example.com", which is not an IP address',
                "advisory: Service prod/api: spec.externalIPs lists 7, which is not an IP address",
                'advisory: Service prod/api: spec.externalIPs lists "010.0.0.1", which is not an IP address',
            ],
        );
    });

    it("rejects invalid allowed entries at configuration time", async () => {
        for (const bad of ["203.0.113.0/33", "example.com", "10.0.0.0/08", "2001:db8::/129", ""]) {
            await assert.rejects(
                findings(service({}), { allowed: [bad] }),
                /allowed\[0\].*not an IP address or a CIDR/,
            );
        }
    });

    it("patches, lists and unknowns", async () => {
        assert.strictEqual(
            (await findings(service({ externalIPs: ["192.0.2.1"] }, "kubernetes:core/v1:ServicePatch"))).length,
            1,
        );
        assert.deepStrictEqual(await findings(service({}, "kubernetes:core/v1:ServicePatch")), []);
        const list: TestResource = {
            type: "kubernetes:core/v1:ServiceList",
            name: "svcs",
            props: { items: [{ spec: {} }, { spec: { externalIPs: ["192.0.2.1"] } }] },
        };
        const [line] = await findings(list);
        assert.ok(line.includes("(items[1].spec.externalIPs[0])"), line);
        const notKnown = (path: string) =>
            `advisory: Service prod/api: ${path} is not known during preview, so this check cannot judge it yet; it ` +
            "is checked when the value is known (pulumi up).";
        assert.deepStrictEqual(await findings(service({ externalIPs: unknown })), [notKnown("spec.externalIPs")]);
        assert.deepStrictEqual(
            await findings(service({ externalIPs: ["192.0.2.1", unknown] }), { allowed: ["192.0.2.1"] }),
            [notKnown("spec.externalIPs[1]")],
        );
    });

    it("malformed input never throws", async () => {
        const tester = new PolicyTester({ policies: [serviceExternalIps] }, { all: "mandatory" });
        for (const spec of ["x", { externalIPs: "1.2.3.4" }, { externalIPs: [null, {}, []] }]) {
            const { violations } = await tester.analyze({
                type: "kubernetes:core/v1:Service",
                name: "s",
                props: { spec },
            });
            for (const v of violations) {
                assert.ok(!v.message.includes("could not evaluate"), v.message);
            }
        }
    });
});
