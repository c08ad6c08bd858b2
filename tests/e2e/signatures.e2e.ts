// Signed images in the real engine: `pulumi preview --policy-pack` of a TypeScript program whose
// Deployments run images from a real registry on 127.0.0.1 (go-containerregistry's, with the OCI
// referrers API), pushed with crane and signed with the real cosign (v3 bundles) with keys generated
// here. image-signature blocks the unsigned and the wrongly signed image and passes the signed one;
// image-digest-pinned at the remediate level pins tags to the registry's digests in the planned inputs.

import * as assert from "assert";
import * as fs from "fs";
import { type EngineEvent, EngineSandbox, findings, policyEvents, sandboxPerTest } from "../support/pulumi-engine";
import { RegistryProcess, ToolBox, requireTools } from "../support/supply-chain-tools";

type Obj = Record<string, unknown>;

function plannedImage(events: readonly EngineEvent[], name: string): unknown {
    const step = events.find((e) => e.resourcePreEvent?.metadata.urn.endsWith(`::${name}`))?.resourcePreEvent;
    assert.ok(step?.metadata.new?.inputs, `no step for ${name}`);
    const spec = ((step.metadata.new.inputs.spec as Obj).template as Obj).spec as Obj;
    return (spec.containers as Obj[])[0].image;
}

describe("real engine: signed images (cosign, crane, a loopback registry)", function () {
    this.timeout(300_000);
    const sandboxOfTest = sandboxPerTest(true);
    let sandbox: EngineSandbox;
    let registry: RegistryProcess | undefined;
    let tools: ToolBox | undefined;
    const images: Record<string, { tag: string; digest: string }> = {};
    let trustedPem = "";

    before(async function () {
        const bin = requireTools(this);
        registry = await RegistryProcess.start(bin, "oci-registry", true);
        tools = new ToolBox(bin);
        const trusted = tools.keyPair("trusted");
        const other = tools.keyPair("other");
        trustedPem = fs.readFileSync(trusted.pub, "utf8");
        for (const name of ["signed", "unsigned", "wrong"]) {
            const tag = `${registry.host}/e2e/${name}:1.0`;
            images[name] = { tag, digest: tools.pushRandomImage(tag) };
        }
        const pinned = (name: string) => `${registry!.host}/e2e/${name}@${images[name].digest}`;
        tools.sign(trusted.key, pinned("signed"));
        tools.sign(other.key, pinned("wrong"));
    });
    after(() => {
        registry?.stop();
        tools?.cleanup();
    });

    beforeEach(() => {
        sandbox = sandboxOfTest();
    });

    it("blocks unsigned and wrongly signed images, passes the signed one, and pins tags to digests", () => {
        const host = registry!.host;
        const config = sandbox.write("signatures.json", {
            all: "disabled",
            "image-signature": {
                enforcementLevel: "mandatory",
                requirements: [{ images: [`${host}/e2e/*`], keys: [trustedPem] }],
                insecureRegistries: [host],
                timeoutSeconds: 10,
            },
            "image-digest-pinned": {
                enforcementLevel: "remediate",
                resolveDigests: { insecureRegistries: [host] },
                // Left tag-only, so the signature check verifies the digest the tag resolves to.
                exclude: [{ name: "unsigned", reason: "e2e: judged by its tag" }],
            },
        });
        const program = sandbox.program("signed-images", {
            plain: { images: JSON.stringify(Object.fromEntries(Object.entries(images).map(([n, i]) => [n, i.tag]))) },
        });
        const r = program.preview({ config });

        assert.deepStrictEqual(
            findings(r.events),
            [
                "unsigned image-digest-pinned advisory",
                "unsigned image-signature mandatory",
                "wrong image-signature mandatory",
            ],
            r.stderr,
        );
        const [unsigned, wrong] = policyEvents(r.events, "image-signature").sort((a, b) =>
            String(a.resourceUrn).localeCompare(String(b.resourceUrn)),
        );
        assert.match(
            unsigned.message,
            new RegExp(
                `Deployment shop/unsigned, container "unsigned": image "${images.unsigned.tag}" is not signed as ` +
                    `requirements\\[0\\] requires: no signature found for ${images.unsigned.digest.slice(0, 19)}…`,
            ),
        );
        assert.match(unsigned.message, /the digest its tag "1\.0" names now/);
        assert.ok(unsigned.message.includes(images.unsigned.digest), "the finding names the digest it verified");
        assert.match(wrong.message, /no signature from the expected signer \(key sha256:[0-9a-f]{12}…\): found 1/);
        assert.match(wrong.message, new RegExp(`image "${images.wrong.tag}@${images.wrong.digest}"`));

        // The planned inputs carry the pinned references the remediation wrote.
        const remediated = r.events.flatMap((e) =>
            e.policyRemediationEvent ? [e.policyRemediationEvent.resourceUrn.split("::").pop()] : [],
        );
        assert.deepStrictEqual(remediated.sort(), ["signed", "wrong"]);
        assert.strictEqual(plannedImage(r.events, "signed"), `${images.signed.tag}@${images.signed.digest}`);
        assert.strictEqual(plannedImage(r.events, "wrong"), `${images.wrong.tag}@${images.wrong.digest}`);
        assert.strictEqual(plannedImage(r.events, "unsigned"), images.unsigned.tag);

        assert.strictEqual(r.events.find((e) => e.summaryEvent)?.summaryEvent?.result, "failed");
        assert.strictEqual(r.status, 1, r.stderr);
    });

    it("stops before the program's resources are judged when a requirement's key is not a public key", () => {
        const config = sandbox.write("bad-key.json", {
            "image-signature": {
                requirements: [{ images: ["ghcr.io/acme/*"], keys: [trustedPem.replace(/[A-Za-z0-9+/]{20}\n/, "\n")] }],
            },
        });
        const r = sandbox
            .program("signed-images", { plain: { images: JSON.stringify({ signed: images.signed.tag }) } })
            .preview({ config });
        assert.notStrictEqual(r.status, 0);
        assert.deepStrictEqual(findings(r.events), []);
        assert.match(
            r.stdout + r.stderr,
            new RegExp(
                /error: configuring policy pack "container-guard" at "[^"]+": invalid policy pack /.source +
                    /configuration: /.source +
                    /policy "image-signature": requirements\[0\]\.keys\[0\] is not a valid public key/.source,
            ),
        );
    });

    it("passes the preview when every image is signed by the trusted key", () => {
        const host = registry!.host;
        const config = sandbox.write("signed-only.json", {
            all: "disabled",
            "image-signature": {
                enforcementLevel: "mandatory",
                requirements: [{ images: [`${host}/e2e/*`], keys: [trustedPem] }],
                insecureRegistries: [host],
            },
        });
        const r = new EngineSandbox(sandbox.bin)
            .program("signed-images", { plain: { images: JSON.stringify({ signed: images.signed.tag }) } })
            .preview({ config });
        assert.deepStrictEqual(findings(r.events), [], r.stderr);
        assert.strictEqual(r.status, 0, r.stderr);
    });
});
