// pss-host-probes-lifecycle (baseline, from v1.34): probes and lifecycle hooks do not point the
// kubelet at another host (httpGet.host, tcpSocket.host).

import * as assert from "assert";
import { hostProbesAndLifecycle } from "../../../policies/pss";
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

const FIX = "remove the host field so the check targets the pod itself";
const probed = (name: string, extra: Record<string, unknown>) => hardenedContainer(name, extra);

describe("pss-host-probes-lifecycle", () => {
    it("passes a compliant pod (handlers without a host, or an empty one)", async () => {
        const c = probed("app", {
            livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
            readinessProbe: { tcpSocket: { host: "", port: 8080 } },
            lifecycle: { preStop: { httpGet: { path: "/drain", port: 8080 } } },
        });
        assert.deepStrictEqual(
            await pssFindings(hostProbesAndLifecycle, pod(hardenedPodSpec({ containers: [c] }))),
            [],
        );
    });

    it("fails a probe or hook with a host, naming the resource, the container and the field", async () => {
        const c = probed("app", {
            livenessProbe: { httpGet: { host: "10.0.0.1", port: 80 } },
            lifecycle: { preStop: { tcpSocket: { host: "metadata.google.internal", port: 80 } } },
        });
        assert.deepStrictEqual(
            await pssFindings(hostProbesAndLifecycle, deployment(hardenedPodSpec({ containers: [c] }))),
            [
                finding(
                    'Deployment prod/web, container "app"',
                    'host is "10.0.0.1"',
                    "spec.template.spec.containers[0].livenessProbe.httpGet.host",
                    FIX,
                ),
                finding(
                    'Deployment prod/web, container "app"',
                    'host is "metadata.google.internal"',
                    "spec.template.spec.containers[0].lifecycle.preStop.tcpSocket.host",
                    FIX,
                ),
            ],
        );
    });

    it("judges init and ephemeral containers too", async () => {
        const spec = inEveryList((n) =>
            probed(n, { startupProbe: { tcpSocket: { host: "169.254.169.254", port: 80 } } }),
        );
        assert.deepStrictEqual(
            await pssFindings(hostProbesAndLifecycle, pod(spec)),
            inEveryListFindings('host is "169.254.169.254"', "startupProbe.tcpSocket.host", FIX),
        );
    });

    it("versions before v1.34 do not have the check", async () => {
        const c = probed("app", { livenessProbe: { httpGet: { host: "10.0.0.1", port: 80 } } });
        const r = pod(hardenedPodSpec({ containers: [c] }));
        assert.deepStrictEqual(await pssFindings(hostProbesAndLifecycle, r, { version: "v1.33" }), []);
        assert.strictEqual((await pssFindings(hostProbesAndLifecycle, r, { version: "v1.34" })).length, 1);
    });

    it("an unknown value is an advisory naming the field", async () => {
        const c = probed("app", { readinessProbe: { httpGet: { host: unknown, port: 80 } } });
        assert.deepStrictEqual(await pssFindings(hostProbesAndLifecycle, pod(hardenedPodSpec({ containers: [c] }))), [
            notKnown('Pod prod/web, container "app"', "spec.containers[0].readinessProbe.httpGet.host"),
        ]);
    });

    it("malformed props never throw", async () => {
        await assertJudgesMalformedSpecs(hostProbesAndLifecycle);
    });
});
