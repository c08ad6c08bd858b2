// image-digest-pinned at the `remediate` level with `resolveDigests`: tags are resolved at the image's
// registry (or an evidence directory) and the planned inputs name `name:tag@sha256:…`, for every place
// an image is pulled and run. Off by default, the remediation changes nothing and contacts no
// registry. Through the test kit and the real gRPC server.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { allPolicies } from "../../../policies";
import { imagePolicies } from "../../../policies/images";
import { collectEvidence } from "../../../src/supply-chain";
import { PackServer, type PolicyPackConfig, PolicyTester, type TestResource, unknown } from "../../../testkit";
import { dockerContainer, dockerService } from "../../support/docker";
import { remoteImage } from "../../support/images";
import { SignedRegistry, closedPort } from "../../support/signed-registry";
import { deployment, pod } from "../../support/workloads";

const POLICY = "image-digest-pinned";
const ROOT = path.resolve(__dirname, "../../..");
type Obj = Record<string, unknown>;

describe("image-digest-pinned remediation (resolveDigests)", function () {
    this.timeout(120_000);
    const reg = new SignedRegistry();

    before(() => reg.start());
    after(() => reg.stop());

    const remediating = (resolveDigests: unknown = { insecureRegistries: [reg.host], timeoutSeconds: 5 }) =>
        ({ [POLICY]: { enforcementLevel: "remediate", resolveDigests } }) as PolicyPackConfig;

    const remediate = (r: TestResource, c: PolicyPackConfig = remediating()) =>
        new PolicyTester({ policies: imagePolicies }, c).remediate(r);

    const containerImages = (props: Obj, list = "containers") =>
        (((props.spec as Obj).template as Obj).spec as Obj)[list] as Obj[];

    it("pins name:tag to name:tag@sha256:… with the digest the registry names for the tag", async () => {
        const r = await remediate(deployment({ containers: [{ name: "app", image: reg.signed.tag }] }));
        assert.deepStrictEqual(r.remediatedBy, [POLICY]);
        assert.strictEqual(containerImages(r.props)[0].image, `${reg.signed.tag}@${reg.signed.digest}`);
        // The pinned resource then passes the policy; the validation sees the remediated inputs.
        const after = await new PolicyTester({ policies: imagePolicies }, { [POLICY]: "mandatory" }).analyze({
            type: "kubernetes:apps/v1:Deployment",
            props: r.props,
        });
        assert.deepStrictEqual(
            after.violations.filter((v) => v.policyName === POLICY),
            [],
        );
    });

    it("is off by default: nothing changes and no registry is contacted", async () => {
        const before = reg.registry.requests.length;
        const r = await remediate(deployment({ containers: [{ name: "app", image: reg.signed.tag }] }), {
            [POLICY]: "remediate",
        });
        assert.deepStrictEqual(r.remediatedBy, []);
        assert.strictEqual(containerImages(r.props)[0].image, reg.signed.tag);
        const explicit = await remediate(deployment({ containers: [{ name: "a", image: reg.signed.tag }] }), {
            [POLICY]: { enforcementLevel: "remediate", resolveDigests: false },
        });
        assert.deepStrictEqual(explicit.remediatedBy, []);
        assert.strictEqual(reg.registry.requests.length, before);
    });

    it("pins every container list and image volumes, and leaves pinned, unknown and other images alone", async () => {
        const other = reg.push("other", "2.0");
        const r = await remediate(
            pod({
                initContainers: [{ name: "init", image: other.tag }],
                containers: [
                    { name: "app", image: reg.signed.tag },
                    { name: "pinned", image: reg.unsigned.pinned },
                    { name: "later", image: unknown },
                ],
                ephemeralContainers: [{ name: "debug", image: reg.wrong.tag }],
                volumes: [{ name: "data", image: { reference: reg.unsigned.tag } }],
            }),
        );
        const spec = r.props.spec as Obj;
        assert.deepStrictEqual(
            (spec.initContainers as Obj[]).map((c) => c.image),
            [`${other.tag}@${other.digest}`],
        );
        assert.deepStrictEqual(
            (spec.containers as Obj[]).map((c) => c.image),
            [`${reg.signed.tag}@${reg.signed.digest}`, reg.unsigned.pinned, unknown],
        );
        assert.deepStrictEqual(
            (spec.ephemeralContainers as Obj[]).map((c) => c.image),
            [`${reg.wrong.tag}@${reg.wrong.digest}`],
        );
        assert.deepStrictEqual((spec.volumes as Obj[])[0], {
            name: "data",
            image: { reference: `${reg.unsigned.tag}@${reg.unsigned.digest}` },
        });
    });

    it("pins the Docker providers' Container, Service and RemoteImage", async () => {
        const pinned = `${reg.signed.tag}@${reg.signed.digest}`;
        const container = await remediate(dockerContainer({ image: reg.signed.tag }));
        assert.strictEqual(container.props.image, pinned);
        const service = await remediate(dockerService({ image: reg.signed.tag }));
        assert.strictEqual(((service.props.taskSpec as Obj).containerSpec as Obj).image, pinned);
        const remote = await remediate(remoteImage({ name: reg.signed.tag }));
        assert.strictEqual(remote.props.name, pinned);
    });

    it("leaves a tag it cannot resolve as it is; the validation still reports it", async () => {
        const down = await closedPort();
        for (const [image, c] of [
            [`${reg.host}/team/missing:1.0`, remediating()],
            [`${down}/team/app:1.0`, remediating({ insecureRegistries: [down], timeoutSeconds: 1 })],
        ] as const) {
            const resource = deployment({ containers: [{ name: "app", image }] });
            const r = await remediate(resource, c);
            assert.deepStrictEqual(r.remediatedBy, [], image);
            const analysis = await new PolicyTester({ policies: imagePolicies }, c).analyze(resource);
            const [v] = analysis.violations.filter((x) => x.policyName === POLICY);
            assert.strictEqual(v.enforcementLevel, "mandatory", "a remediate-level finding is mandatory");
        }
    });

    it("never reaches a registry over plain HTTP unless it is listed in insecureRegistries", async () => {
        const before = reg.registry.requests.length;
        const r = await remediate(
            deployment({ containers: [{ name: "app", image: reg.signed.tag }] }),
            remediating(true),
        );
        assert.deepStrictEqual(r.remediatedBy, []);
        assert.strictEqual(reg.registry.requests.length, before, "the registry was asked over plain HTTP");
    });

    it("leaves exempted resources alone", async () => {
        const r = await remediate(deployment({ containers: [{ name: "app", image: reg.signed.tag }] }), {
            [POLICY]: {
                enforcementLevel: "remediate",
                resolveDigests: { insecureRegistries: [reg.host] },
                exclude: [{ name: "web", reason: "tracks the vendor's moving tag on purpose" }],
            },
        });
        assert.deepStrictEqual(r.remediatedBy, []);
    });

    it("resolves from an evidence directory without asking the registry", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cg-pin-evidence-"));
        try {
            await collectEvidence([reg.signed.tag], dir, { insecureRegistries: [reg.host] });
            const before = reg.registry.requests.length;
            const r = await remediate(
                deployment({ containers: [{ name: "app", image: reg.signed.tag }] }),
                remediating({ evidenceDir: dir }),
            );
            assert.strictEqual(containerImages(r.props)[0].image, `${reg.signed.tag}@${reg.signed.digest}`);
            assert.strictEqual(reg.registry.requests.length, before);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("rejects malformed settings", async () => {
        for (const [resolveDigests, expected] of [
            ["yes", /resolveDigests must be true, false or an object of settings, not string/],
            [
                { timeoutSecond: 5 },
                /resolveDigests\.timeoutSecond is not a known option .*Did you mean "timeoutSeconds"/,
            ],
            [{ timeoutSeconds: 0 }, /resolveDigests\.timeoutSeconds must be between 1 and 300/],
        ] as const) {
            await assert.rejects(
                () =>
                    new PolicyTester({ policies: imagePolicies }, remediating(resolveDigests)).remediate(
                        deployment({ containers: [{ name: "a", image: "nginx:1" }] }),
                    ),
                expected,
            );
        }
    });

    it("remediates through the real gRPC server as through the test kit", async () => {
        const server = await PackServer.start(ROOT);
        try {
            const config = remediating();
            await server.configure(config);
            const resource = deployment({ containers: [{ name: "app", image: reg.signed.tag }] });
            const viaServer = await server.remediate(resource);
            const viaKit = await new PolicyTester({ policies: allPolicies }, config).remediate(resource);
            assert.deepStrictEqual(
                viaServer.map((x) => x.policyName),
                [POLICY],
            );
            assert.deepStrictEqual(viaServer[0].properties, viaKit.props);
            assert.strictEqual(
                containerImages(viaServer[0].properties ?? {})[0].image,
                `${reg.signed.tag}@${reg.signed.digest}`,
            );
        } finally {
            await server.close();
        }
    });
});
