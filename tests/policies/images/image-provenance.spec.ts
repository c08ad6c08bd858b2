// image-provenance through the engine path (PolicyTester) against a registry on 127.0.0.1 holding
// cosign v3 attestations (DSSE in-toto statements in Sigstore bundles, attached as OCI referrers):
// SLSA provenance that meets the conditions, that does not, from the wrong signer, replayed, absent,
// SBOMs, an unreachable registry, and configuration errors.

import * as assert from "assert";
import { imagePolicies } from "../../../policies/images";
import { ContainerGuard } from "../../../lib";
import {
    type PolicyPackConfig,
    PolicyTester,
    type PolicyViolation,
    type TestResource,
    unknown,
} from "../../../testkit";
import { dockerContainer } from "../../support/docker";
import { detail } from "../../support/images";
import { type SignedImage, SignedRegistry, closedPort } from "../../support/signed-registry";
import { SLSA_V1, type TestKey, attachBundle, keyedBundle, statement } from "../../support/signing";
import { deployment } from "../../support/workloads";

const POLICY = "image-provenance";
const CYCLONEDX = "https://cyclonedx.org/bom/v1.5";

/** A SLSA v1 provenance predicate as GitHub's attest-build-provenance writes it (the fields conditions read). */
function provenance(repository: string, builder = "https://github.com/actions/runner/github-hosted"): object {
    return {
        buildDefinition: {
            buildType: "https://actions.github.io/buildtypes/workflow/v1",
            externalParameters: {
                workflow: { ref: "refs/heads/main", repository, path: ".github/workflows/release.yml" },
            },
            resolvedDependencies: [{ uri: `git+${repository}@refs/heads/main`, digest: { gitCommit: "a".repeat(40) } }],
        },
        runDetails: { builder: { id: builder } },
    };
}

describe("image-provenance", function () {
    this.timeout(60_000);
    const reg = new SignedRegistry();
    let built: SignedImage; // SLSA provenance from github.com/acme/app, signed by the trusted key
    let forked: SignedImage; // provenance from another repository
    let otherSigner: SignedImage; // acme provenance, signed by the other key
    let sbomOnly: SignedImage; // a CycloneDX SBOM and no provenance
    let replayed: SignedImage; // `built`'s attestation attached to another digest

    function attest(image: SignedImage, key: TestKey, type: string, predicate: object, subject = image.digest) {
        const repo = image.pinned.slice(reg.host.length + 1, image.pinned.indexOf("@"));
        attachBundle(reg.registry, repo, image.digest, keyedBundle(key, statement(subject, type, predicate)), type);
    }

    before(async () => {
        await reg.start();
        built = reg.push("built");
        attest(built, reg.trusted, SLSA_V1, provenance("https://github.com/acme/app"));
        attest(built, reg.trusted, CYCLONEDX, { bomFormat: "CycloneDX", specVersion: "1.5" });
        forked = reg.push("forked");
        attest(forked, reg.trusted, SLSA_V1, provenance("https://github.com/evil/app"));
        otherSigner = reg.push("other-signer");
        attest(otherSigner, reg.other, SLSA_V1, provenance("https://github.com/acme/app"));
        sbomOnly = reg.push("sbom-only");
        attest(sbomOnly, reg.trusted, CYCLONEDX, { bomFormat: "CycloneDX", specVersion: "1.5" });
        replayed = reg.push("replayed");
        attest(replayed, reg.trusted, SLSA_V1, provenance("https://github.com/acme/app"), built.digest);
    });
    after(() => reg.stop());

    const slsaRequirement = (extra: object = {}) => ({
        images: [`${reg.host}/team/*`],
        keys: [reg.trusted.publicPem],
        predicateType: "slsaprovenance1",
        conditions: {
            builderId: "https://github.com/actions/runner/*",
            buildType: "https://actions.github.io/buildtypes/workflow/v1",
            sourceRepository: "github.com/acme/*",
        },
        ...extra,
    });

    function config(requirements: object[] = [slsaRequirement()], extra: object = {}): PolicyPackConfig {
        return { [POLICY]: { requirements, insecureRegistries: [reg.host], timeoutSeconds: 5, ...extra } };
    }

    async function findings(r: TestResource, c: PolicyPackConfig = config()): Promise<PolicyViolation[]> {
        const result = await new PolicyTester({ policies: imagePolicies }, c).analyze(r);
        return result.violations.filter((v) => v.policyName === POLICY);
    }

    const withImage = (image: unknown) => deployment({ containers: [{ name: "app", image }] });

    it("passes SLSA provenance from a trusted signer that meets the conditions (by digest and by tag)", async () => {
        assert.deepStrictEqual(await findings(withImage(built.pinned)), []);
        assert.deepStrictEqual(await findings(withImage(built.tag)), []);
    });

    it("blocks provenance whose source repository does not meet the condition, naming what it found", async () => {
        const [v] = await findings(withImage(forked.pinned));
        assert.strictEqual(v.enforcementLevel, "mandatory", "high severity: mandatory by default");
        assert.match(
            detail(v),
            new RegExp(
                /has no https:\/\/slsa\.dev\/provenance\/v1 attestation as requirements\[0\] requires: /.source +
                    /the https:\/\/slsa\.dev\/provenance\/v1 attestation does not meet the conditions of /.source +
                    /requirements\[0\]: .*source repository.*github\.com\/evil\/app/.source,
            ),
        );
        assert.match(detail(v), /Fix: attest the image with a trusted signer of requirements\[0\] .*--type/);
    });

    it("names the expected and the found signer when another key attested the image", async () => {
        const [v] = await findings(withImage(otherSigner.pinned));
        assert.match(
            detail(v),
            new RegExp(
                `expected signer \\(key ${reg.trusted.fingerprint.slice(0, 19)}…\\): found 1 .*attestation: by key ` +
                    `${reg.other.fingerprint.slice(0, 19)}…`,
            ),
        );
    });

    it("does not accept an attestation whose subject is another image", async () => {
        const [v] = await findings(withImage(replayed.pinned));
        assert.ok(v, "a replayed attestation passed");
        assert.match(detail(v), /is for sha256:[0-9a-f]{12}…, not for sha256:[0-9a-f]{12}…/);
    });

    it("blocks an image without the required attestation, naming the attestations it does have", async () => {
        const [v] = await findings(withImage(sbomOnly.pinned));
        assert.match(detail(v), /no https:\/\/slsa\.dev\/provenance\/v1 attestation found for sha256:/);
        assert.match(detail(v), /found attestations of other types: https:\/\/cyclonedx\.org\/bom\/v1\.5/);
        const [unsigned] = await findings(withImage(reg.unsigned.pinned));
        assert.match(detail(unsigned), /no https:\/\/slsa\.dev\/provenance\/v1 attestation found/);
    });

    it("requires an SBOM to be present when configured (versioned CycloneDX URIs count)", async () => {
        const sbom = { images: [`${reg.host}/team/*`], keys: [reg.trusted.publicPem], predicateType: "cyclonedx" };
        const c = config([sbom]);
        assert.deepStrictEqual(await findings(withImage(sbomOnly.pinned), c), []);
        assert.deepStrictEqual(await findings(withImage(built.pinned), c), []);
        const [v] = await findings(withImage(forked.pinned), c);
        assert.match(detail(v), /no https:\/\/cyclonedx\.org\/bom attestation found/);
    });

    it("checks any predicate field by path", async () => {
        const c = config([
            slsaRequirement({
                conditions: {
                    fields: [{ path: "buildDefinition.externalParameters.workflow.ref", equals: "refs/tags/v1" }],
                },
            }),
        ]);
        const [v] = await findings(withImage(built.pinned), c);
        assert.match(detail(v), /buildDefinition\.externalParameters\.workflow\.ref/);
        assert.match(detail(v), /refs\/heads\/main/);
    });

    it("reports an unreachable registry as could not verify; an unknown image as an advisory", async () => {
        const down = await closedPort();
        const c = config([slsaRequirement({ images: [`${down}/**`] })], {
            insecureRegistries: [down],
            timeoutSeconds: 2,
        });
        const [v] = await findings(dockerContainer({ image: `${down}/team/app@${built.digest}` }), c);
        assert.strictEqual(v.enforcementLevel, "mandatory");
        assert.match(detail(v), /\(requirements\[0\]\): could not verify: .*connection refused/);
        const [u] = await findings(withImage(unknown));
        assert.strictEqual(u.enforcementLevel, "advisory");
        assert.match(detail(u), /containers\[0\]\.image is not known during preview/);
    });

    it("rejects malformed requirements with messages that name the field", () => {
        const cases: [object, RegExp][] = [
            [
                slsaRequirement({ predicateType: "not a uri" }),
                /requirements\[0\]\.predicateType "not a uri" is neither/,
            ],
            [
                slsaRequirement({ predicateType: "https://sigstore.dev/cosign/sign/v1" }),
                /require signatures with the image-signature policy/,
            ],
            [slsaRequirement({ conditions: { builderId: "" } }), /requirements\[0\]\.conditions\.builderId must be/],
            [slsaRequirement({ conditions: { builderID: "x" } }), /Did you mean "builderId"\?/],
            [{ images: ["ghcr.io/acme/*"], keys: [reg.trusted.publicPem] }, /requirements\[0\]\.predicateType is/],
        ];
        for (const [requirement, expected] of cases) {
            assert.throws(
                () => new ContainerGuard({ [POLICY]: { requirements: [requirement] } } as never),
                expected,
                JSON.stringify(requirement),
            );
        }
    });
});
