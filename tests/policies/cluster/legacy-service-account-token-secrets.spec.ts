// legacy-service-account-token-secrets: no Secrets of type kubernetes.io/service-account-token, whose
// token never expires.

import * as assert from "assert";
import { legacyServiceAccountTokenSecrets } from "../../../policies/cluster";
import { type PolicyPackConfig, PolicyTester, type TestResource, secret, unknown } from "../../../testkit";
import { assertNoValueLeaks, findingLine } from "../../support/secrets";

type Obj = Record<string, unknown>;
const TYPE = "kubernetes.io/service-account-token";
const FIX =
    "remove the Secret; give pods the projected token automountServiceAccountToken mounts and request tokens for " +
    "other clients with the TokenRequest API (kubectl create token)";

function secretOf(body: Obj, type = "kubernetes:core/v1:Secret", metadata: Obj = {}): TestResource {
    return {
        type,
        name: "ci-token",
        props: { metadata: { name: "ci-token", namespace: "ci", ...metadata }, ...body },
    };
}

async function findings(r: TestResource, config: PolicyPackConfig = {}): Promise<string[]> {
    const { violations } = await new PolicyTester({ policies: [legacyServiceAccountTokenSecrets] }, config).analyze(r);
    return violations.map((v) => `${v.enforcementLevel}: ${findingLine(v)}`);
}

describe("legacy-service-account-token-secrets", () => {
    it("reports a service account token Secret, naming its ServiceAccount", async () => {
        const r = secretOf({ type: TYPE }, undefined, {
            annotations: { "kubernetes.io/service-account.name": "deployer" },
        });
        assert.deepStrictEqual(await findings(r), [
            `advisory: Secret ci/ci-token: the Secret is of type ${TYPE} for ServiceAccount "deployer", a token that ` +
                `never expires (type). Fix: ${FIX}`,
        ]);
        assert.deepStrictEqual(await findings(r, { "legacy-service-account-token-secrets": "mandatory" }), [
            `mandatory: Secret ci/ci-token: the Secret is of type ${TYPE} for ServiceAccount "deployer", a token ` +
                `that never expires (type). Fix: ${FIX}`,
        ]);
    });

    it("passes other Secret types and other kinds", async () => {
        for (const type of ["Opaque", "kubernetes.io/tls", "kubernetes.io/dockerconfigjson", undefined]) {
            assert.deepStrictEqual(await findings(secretOf(type ? { type } : {})), [], String(type));
        }
        assert.deepStrictEqual(await findings(secretOf({ type: TYPE }, "kubernetes:core/v1:ConfigMap")), []);
        assert.deepStrictEqual(await findings(secretOf({ type: TYPE }, "kubernetes:core/v1:SecretsStore")), []);
    });

    it("patches, lists and every API version", async () => {
        assert.strictEqual((await findings(secretOf({ type: TYPE }, "kubernetes:core/v1:SecretPatch"))).length, 1);
        assert.deepStrictEqual(
            await findings(secretOf({ stringData: { a: "b" } }, "kubernetes:core/v1:SecretPatch")),
            [],
        );
        const list: TestResource = {
            type: "kubernetes:core/v1:SecretList",
            name: "secrets",
            props: {
                items: [
                    { metadata: { name: "a" }, type: "Opaque" },
                    { metadata: { name: "b" }, type: TYPE },
                ],
            },
        };
        const [line] = await findings(list);
        assert.ok(line.includes("(items[1].type)"), line);
    });

    it("never shows the token, even when the data arrives as a secret", async () => {
        const token = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.c2VjcmV0LXRva2Vu.c2lnbmF0dXJl";
        const r = secretOf({ type: TYPE, data: { token: secret(token) }, stringData: { token } });
        const { violations } = await new PolicyTester({ policies: [legacyServiceAccountTokenSecrets] }).analyze(r);
        assert.strictEqual(violations.length, 1);
        assertNoValueLeaks(violations, [token]);
    });

    it("unknown during preview, exemptions, malformed input", async () => {
        assert.deepStrictEqual(await findings(secretOf({ type: unknown })), [
            "advisory: Secret ci/ci-token: type is not known during preview, so this check cannot judge it yet; " +
                "it is checked when the value is known (pulumi up).",
        ]);
        const exempt = await findings(secretOf({ type: TYPE }), {
            "legacy-service-account-token-secrets": {
                enforcementLevel: "mandatory",
                exclude: [{ namespace: "ci", reason: "the CI system cannot renew tokens (SEC-3)" }],
            },
        });
        assert.strictEqual(exempt.length, 1);
        assert.ok(exempt[0].startsWith("advisory: "), exempt[0]);
        const tester = new PolicyTester({ policies: [legacyServiceAccountTokenSecrets] }, { all: "mandatory" });
        for (const props of [{ type: 7 }, { type: [TYPE] }, { metadata: "x", type: TYPE }, { items: 3 }]) {
            for (const type of ["kubernetes:core/v1:Secret", "kubernetes:core/v1:SecretList"]) {
                const { violations } = await tester.analyze({ type, name: "s", props });
                for (const v of violations) {
                    assert.ok(!v.message.includes("could not evaluate"), v.message);
                }
            }
        }
    });
});
