// pss-host-ports (baseline): containers bind no host ports (hostPort other than 0).

import * as assert from "assert";
import { hostPorts } from "../../../policies/pss";
import { unknown } from "../../../testkit";
import {
    assertJudgesMalformedSpecs,
    finding,
    inEveryList,
    inEveryListFindings,
    notKnown,
    pssFindings,
} from "../../support/pss";
import { deployment, hardenedContainer, hardenedPodSpec, pod } from "../../support/workloads";

const FIX = "remove hostPort (or set it to 0) and use a Service";
const ALLOWED_FIX =
    "nothing while the option allows it; the pod-security admission controller still rejects it in a namespace " +
    "that enforces this level";

const withPorts = (name: string, ports: unknown[]) => hardenedContainer(name, { ports });

describe("pss-host-ports", () => {
    it("passes a compliant pod (no hostPort, or hostPort 0)", async () => {
        const ports = [{ containerPort: 80 }, { containerPort: 81, hostPort: 0 }];
        assert.deepStrictEqual(
            await pssFindings(hostPorts, pod(hardenedPodSpec({ containers: [withPorts("app", ports)] }))),
            [],
        );
    });

    it("fails a host port, naming the resource, the container and the field", async () => {
        const ports = [{ containerPort: 80 }, { containerPort: 443, hostPort: 8443 }];
        const spec = hardenedPodSpec({ containers: [withPorts("app", ports)] });
        assert.deepStrictEqual(await pssFindings(hostPorts, deployment(spec)), [
            finding(
                'Deployment prod/web, container "app"',
                "hostPort is 8443",
                "spec.template.spec.containers[0].ports[1].hostPort",
                FIX,
            ),
        ]);
    });

    it("judges init and ephemeral containers too", async () => {
        const spec = inEveryList((n) => withPorts(n, [{ containerPort: 53, hostPort: 53 }]));
        assert.deepStrictEqual(
            await pssFindings(hostPorts, pod(spec)),
            inEveryListFindings("hostPort is 53", "ports[0].hostPort", FIX),
        );
    });

    it("an unknown value is an advisory naming the field", async () => {
        const spec = hardenedPodSpec({ containers: [withPorts("app", [{ containerPort: 80, hostPort: unknown }])] });
        assert.deepStrictEqual(await pssFindings(hostPorts, pod(spec)), [
            notKnown('Pod prod/web, container "app"', "spec.containers[0].ports[0].hostPort"),
        ]);
    });

    it("malformed props never throw", async () => {
        await assertJudgesMalformedSpecs(hostPorts);
    });

    describe("option allowedHostPorts", () => {
        const judge = (hostPort: unknown, allowedHostPorts: unknown[]) =>
            pssFindings(
                hostPorts,
                pod(hardenedPodSpec({ containers: [withPorts("app", [{ containerPort: 80, hostPort }])] })),
                {
                    allowedHostPorts,
                },
            );
        const ranges = [
            { min: 8000, max: 8100 },
            { min: 9100, max: 9100 },
        ];

        it("allows ports inside a range (bounds included), as an advisory naming the range", async () => {
            for (const [port, entry] of [
                [8000, "allowedHostPorts[0] (8000-8100)"],
                [8100, "allowedHostPorts[0] (8000-8100)"],
                [9100, "allowedHostPorts[1] (9100-9100)"],
            ] as const) {
                assert.deepStrictEqual(await judge(port, ranges), [
                    `advisory: Pod prod/web, container "app": hostPort is ${port}, allowed by option ${entry} ` +
                        `(spec.containers[0].ports[0].hostPort). Fix: ${ALLOWED_FIX}`,
                ]);
            }
        });

        it("ports outside every range, and values that are not numbers, are findings as before", async () => {
            for (const port of [7999, 8101, 9099, 22]) {
                assert.deepStrictEqual(
                    await judge(port, ranges),
                    [
                        finding(
                            'Pod prod/web, container "app"',
                            `hostPort is ${JSON.stringify(port)}`,
                            "spec.containers[0].ports[0].hostPort",
                            FIX,
                        ),
                    ],
                    String(port),
                );
            }
            // A string is rejected by the API: a finding that says the check cannot judge it.
            assert.deepStrictEqual(await judge("8050", ranges), [
                finding(
                    'Pod prod/web, container "app"',
                    'hostPort is the string "8050", not an integer: the Kubernetes API rejects it, so this check ' +
                        "cannot judge it",
                    "spec.containers[0].ports[0].hostPort",
                    "write hostPort as an integer",
                ),
            ]);
            assert.deepStrictEqual(await judge(0, ranges), []);
        });

        it("judges init and ephemeral containers too", async () => {
            const spec = inEveryList((n) => withPorts(n, [{ containerPort: 53, hostPort: 53 }]));
            const lines = await pssFindings(hostPorts, pod(spec), { allowedHostPorts: [{ min: 53, max: 53 }] });
            assert.deepStrictEqual(
                lines.map((l) => l.slice(0, l.indexOf(":", l.indexOf(":") + 1))),
                [
                    'advisory: Pod prod/web, init container "init"',
                    'advisory: Pod prod/web, container "app"',
                    'advisory: Pod prod/web, ephemeral container "debug"',
                ],
            );
        });

        it("configuration is checked: ports 1-65535, min not above max, both required", async () => {
            const r = pod(hardenedPodSpec({}));
            const reject = (entry: unknown, message: RegExp) =>
                assert.rejects(pssFindings(hostPorts, r, { allowedHostPorts: [entry] }), message);
            await reject({ min: 0, max: 10 }, /min must be between 1 and 65535/);
            await reject({ min: 10, max: 70000 }, /max must be between 1 and 65535/);
            await reject({ min: 9000, max: 8000 }, /min \(9000\) must not be greater than max \(8000\)/);
            await reject({ min: 80 }, /max is required/);
            await reject({ min: 80.5, max: 81 }, /must be an integer/);
        });

        it("an unknown host port is undecided, never allowed", async () => {
            assert.deepStrictEqual(await judge(unknown, [{ min: 1, max: 65535 }]), [
                notKnown('Pod prod/web, container "app"', "spec.containers[0].ports[0].hostPort"),
            ]);
        });

        it("malformed props never throw with the option set", async () => {
            await assertJudgesMalformedSpecs(hostPorts, { allowedHostPorts: [{ min: 1, max: 65535 }] });
        });
    });
});
