// secrets-configmap: secrets stored in ConfigMaps (and Docker swarm configs).

import * as assert from "assert";
import { secretsConfigMap } from "../../../policies/secrets";
import { type PolicyPackConfig, PolicyTester, type TestResource, unknown } from "../../../testkit";
import { assertNoValueLeaks, configMap, findingLine, problemOf } from "../../support/secrets";

const NAME = "secrets-configmap";
const PEM = [
    "-----BEGIN RSA PRIVATE KEY-----",
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
    "-----END RSA PRIVATE KEY-----",
    "",
].join("\n");
const CERT = [
    "-----BEGIN CERTIFICATE-----",
    "MIIC5zCCAc+gAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwprdWJl",
    "-----END CERTIFICATE-----",
    "",
].join("\n");

async function run(r: TestResource, config?: PolicyPackConfig) {
    const result = await new PolicyTester({ policies: [secretsConfigMap] }, config).analyze(r);
    return result.violations.filter((v) => v.policyName === NAME);
}

const pathOf = (line: string) => /\(([^()]+)\)\. Fix:/.exec(line)?.[1];
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

describe("secrets-configmap: Kubernetes ConfigMaps", () => {
    it("reports a secret-looking key with a literal value, by key, never the value", async () => {
        const vs = await run(
            configMap({ data: { LOG_LEVEL: "info", DB_PASSWORD: "Tr0ub4dor&3", "api.key": "k-9f8e7d6c" } }),
        );
        assert.deepStrictEqual(vs.map(findingLine), [
            'ConfigMap prod/settings: data key "DB_PASSWORD" holds a literal value and its name suggests a password ' +
                "(data.DB_PASSWORD). " +
                "Fix: move it into a Secret (or an external secret store synchronised into one) and give it to the " +
                "pod as a read-only Secret volume or with secretKeyRef; keep only non-confidential settings in " +
                "the ConfigMap",
            'ConfigMap prod/settings: data key "api.key" holds a literal value and its name suggests an API key ' +
                '(data["api.key"]). ' +
                "Fix: move it into a Secret (or an external secret store synchronised into one) and give it to the " +
                "pod as a read-only Secret volume or with secretKeyRef; keep only non-confidential settings in " +
                "the ConfigMap",
        ]);
        assert.ok(vs.every((v) => v.enforcementLevel === "mandatory"));
        assertNoValueLeaks(vs, ["Tr0ub4dor&3", "k-9f8e7d6c"]);
    });

    it("reads configuration files line by line and names the setting and the line", async () => {
        const file = [
            "server:",
            "  port: 8080",
            "spring:",
            "  datasource:",
            "    url: jdbc:postgresql://db:5432/billing",
            "    password: hunter2-prod # rotated",
            "    password_file: /run/secrets/db",
            "mail:",
            '  "apiKey": "mk-4a7b9c",',
            "cache:",
            "  password: ${REDIS_PASSWORD}",
            "",
        ].join("\n");
        const vs = await run(configMap({ data: { "application.yaml": file } }));
        assert.deepStrictEqual(
            vs.map((v) => problemOf(findingLine(v))),
            [
                'ConfigMap prod/settings: setting "password" on line 6 of data key "application.yaml" holds a ' +
                    "literal value and its name suggests a password",
                'ConfigMap prod/settings: setting "apiKey" on line 9 of data key "application.yaml" holds a literal ' +
                    "value and its name suggests an API key",
            ],
        );
        assert.deepStrictEqual(
            vs.map((v) => pathOf(findingLine(v))),
            ['data["application.yaml"]', 'data["application.yaml"]'],
        );
        assertNoValueLeaks(vs, ["hunter2-prod", "mk-4a7b9c"]);
    });

    it("reads properties, .env and INI files, and credential URLs under any key", async () => {
        const vs = await run(
            configMap({
                data: {
                    "app.properties": "spring.datasource.username=billing\nspring.datasource.password=pw-123456\n",
                    ".env": "export STRIPE_SECRET=sk-abcdef\nDEBUG=false\n",
                    "odbc.ini": "[db]\nserver = db\nconnection = postgres://billing:pw-789@db/billing\n",
                },
            }),
        );
        assert.deepStrictEqual(
            vs.map((v) => problemOf(findingLine(v)).replace("ConfigMap prod/settings: ", "")),
            // The engine sends map keys sorted.
            [
                'data key ".env" → STRIPE_SECRET holds a literal value and its name suggests a secret',
                'data key "app.properties" → spring.datasource.password holds a literal value and its name ' +
                    "suggests a password",
                'data key "odbc.ini" → db.connection holds a literal value that looks like a URL with a password',
            ],
        );
    });

    it("finds credential shapes anywhere in a file (a PEM private key in a block)", async () => {
        const vs = await run(
            configMap({
                data: {
                    "tls.key": PEM,
                    "client.yaml": `tls:\n  key: |\n${PEM.split("\n")
                        .map((l) => "    " + l)
                        .join("\n")}`,
                },
            }),
        );
        assert.deepStrictEqual(
            vs.map((v) => problemOf(findingLine(v))),
            [
                // A YAML file is read by its keys: the finding names the key inside it.
                'ConfigMap prod/settings: data key "client.yaml" → tls.key holds a literal value that looks like a ' +
                    "private key (PEM)",
                'ConfigMap prod/settings: data key "tls.key" contains a value that looks like a private key (PEM)',
            ],
        );
        assertNoValueLeaks(vs, [PEM.split("\n")[1]]);
    });

    it("accepts certificates, public keys and ordinary settings", async () => {
        const vs = await run(
            configMap({
                data: {
                    "ca.crt": CERT,
                    "id_ed25519.pub": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKx billing@ci",
                    "nginx.conf": "server {\n  listen 8080;\n  location / { proxy_pass http://app:8080; }\n}\n",
                    TOKEN_ENDPOINT: "https://login.example.com/oauth/token",
                    "secrets.yaml": "backend: vault\n",
                    MAX_TOKENS: "2048",
                },
            }),
        );
        assert.deepStrictEqual(
            vs.map((v) => v.message),
            [],
        );
    });

    it("decodes binaryData before judging it", async () => {
        const vs = await run(
            configMap({
                binaryData: {
                    "netrc.txt": b64("machine api.example.com\npassword = pw-netrc-42\n"),
                    "logo.png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB",
                },
            }),
        );
        assert.deepStrictEqual(
            vs.map((v) => problemOf(findingLine(v))),
            [
                'ConfigMap prod/settings: binaryData key "netrc.txt" → password holds a literal value and its name ' +
                    "suggests a password",
            ],
        );
        assertNoValueLeaks(vs, ["pw-netrc-42", b64("machine api.example.com\npassword = pw-netrc-42\n")]);
    });

    it("reports the first 20 keys of a file full of secrets and counts the rest", async () => {
        const file = Array.from({ length: 25 }, (_, i) => `user${i}_password: pw-${i}-xyz`).join("\n");
        const vs = await run(configMap({ data: { "users.yaml": file } }));
        assert.strictEqual(vs.length, 21);
        assert.ok(
            findingLine(vs[20]).includes('5 more keys of data key "users.yaml" hold literal secrets'),
            vs[20].message,
        );
    });

    it("ConfigMapPatch and ConfigMapList are judged; other kinds and groups are not applicable", async () => {
        assert.strictEqual(
            (await run(configMap({ data: { API_TOKEN: "t-1234567" } }, "kubernetes:core/v1:ConfigMapPatch"))).length,
            1,
        );
        const list = await run({
            type: "kubernetes:core/v1:ConfigMapList",
            name: "l",
            props: {
                items: [
                    { metadata: { name: "a" }, data: { ok: "1" } },
                    { metadata: { name: "b" }, data: { API_TOKEN: "t-1234567" } },
                ],
            },
        });
        assert.deepStrictEqual(
            list.map((v) => pathOf(findingLine(v))),
            ["items[1].data.API_TOKEN"],
        );
        const tester = new PolicyTester({ policies: [secretsConfigMap] });
        for (const type of [
            "kubernetes:example.com/v1:ConfigMap",
            "kubernetes:core/v1:Secret",
            "kubernetes:apps/v1:Deployment",
        ]) {
            const r = await tester.analyze(configMap({ data: { API_TOKEN: "t-1234567" } }, type));
            assert.deepStrictEqual(r.violations, [], type);
            assert.ok(
                r.notApplicable.some((n) => n.policyName === NAME),
                type,
            );
        }
    });

    it("ignoreNames exempts keys and settings", async () => {
        const vs = await run(configMap({ data: { DB_PASSWORD: "pw-1", "app.properties": "jwt.secret=abc-123\n" } }), {
            [NAME]: { ignoreNames: ["db_*", "jwt.secret"] },
        });
        assert.deepStrictEqual(vs, []);
    });
});

describe("secrets-configmap: unknowns and malformed input", () => {
    it("unknown data is reported as not known; an unknown value only under a secret-looking key", async () => {
        const whole = await run(configMap({ data: unknown }));
        assert.deepStrictEqual(
            whole.map((v) => v.enforcementLevel),
            ["advisory"],
        );
        assert.ok(whole[0].message.includes("data is not known during preview"));
        const entries = await run(
            configMap({ data: { DB_HOST: unknown, DB_PASSWORD: unknown, API_KEY: "k-12345678" } }),
        );
        assert.deepStrictEqual(entries.map((v) => v.enforcementLevel).sort(), ["advisory", "mandatory"]);
        assert.ok(entries.some((v) => v.message.includes("data.DB_PASSWORD is not known")));
    });

    for (const [what, body] of [
        ["data as a string", { data: "DB_PASSWORD=x" }],
        ["data as a list", { data: ["x", { a: 1 }] }],
        [
            "values of the wrong type",
            { data: { DB_PASSWORD: 42, TOKEN: { a: "b" }, SECRET: null, KEY: [] }, binaryData: { X: 7 } },
        ],
        ["binaryData that is not base64", { binaryData: { "x.bin": "%%%not-base64%%%" } }],
        ["items that are not objects", { items: "x" }],
    ] as const) {
        it(`${what}: no throw, no internal error`, async () => {
            const vs = await run(configMap(body));
            assert.ok(vs.every((v) => !v.message.includes("could not evaluate")));
            assert.deepStrictEqual(vs, []);
        });
    }
});

describe("secrets-configmap: Docker swarm configs", () => {
    const serviceConfig = (props: Record<string, unknown>): TestResource => ({
        type: "docker:index/serviceConfig:ServiceConfig",
        name: "cfg",
        props: { name: "billing-config", ...props },
    });

    it("judges dataRaw and the base64 data", async () => {
        const raw = await run(serviceConfig({ dataRaw: "db:\n  password: pw-raw-1\n" }));
        assert.deepStrictEqual(
            raw.map((v) => problemOf(findingLine(v))),
            [
                "docker ServiceConfig cfg: dataRaw → db.password holds a literal value and its name suggests a " +
                    "password",
            ],
        );
        assert.ok(raw[0].message.includes("Fix: store it in a docker.Secret instead"));
        const data = await run(serviceConfig({ data: b64(`{"github": "ghp_${"k3Y".repeat(12)}"}`) }));
        assert.deepStrictEqual(
            data.map((v) => problemOf(findingLine(v))),
            ["docker ServiceConfig cfg: data holds a literal value that looks like a GitHub token"],
        );
    });

    it("a config named like a secret holding one literal value is a secret", async () => {
        const vs = await run({
            type: "docker:index/serviceConfig:ServiceConfig",
            name: "cfg",
            props: { name: "smtp_password", dataRaw: "pw-smtp-77" },
        });
        assert.strictEqual(vs.length, 1);
        assertNoValueLeaks(vs, ["pw-smtp-77"]);
    });

    it("unknown config data under a secret-looking name is not known yet", async () => {
        const vs = await run({
            type: "docker:index/serviceConfig:ServiceConfig",
            name: "cfg",
            props: { name: "api_token", data: unknown },
        });
        assert.deepStrictEqual(
            vs.map((v) => v.enforcementLevel),
            ["advisory"],
        );
    });
});
