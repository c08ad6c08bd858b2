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
});
