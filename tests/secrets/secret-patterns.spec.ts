// The secret detector: names, value shapes, literal-or-reference, configuration files. Tables of
// the cases the policies rely on, and properties over generated input: it never throws, stays fast
// on huge values, and never hands a value back.

import * as assert from "assert";
import fc from "fast-check";
import {
    NameFilter,
    judgeLiteral,
    notALiteralSecret,
    secretAssignments,
    secretInName,
    secretInValue,
} from "../../src/secrets/patterns";
import { allPolicies } from "../../policies";
import { secretsConfigMap, secretsEnvLiteral } from "../../policies/secrets";
import { PolicyTester, type TestResource, UNKNOWN } from "../../testkit";
import { assertNoValueLeaks, configMap, dockerContainer, dockerService, findingLine } from "../support/secrets";
import { deployment } from "../support/workloads";

describe("secret detector: names", () => {
    const secretNames: [string, string][] = [
        ["DB_PASSWORD", "a password"],
        ["dbPassword", "a password"],
        ["db-password", "a password"],
        ["PGPASSWORD", "a password"],
        ["REDIS_PASS", "a password"],
        ["MYSQL_PWD", "a password"],
        ["GPG_PASSPHRASE", "a passphrase"],
        ["GITHUB_TOKEN", "a token"],
        ["refreshTokens", "a token"],
        ["JWT_SECRET", "a secret"],
        ["OIDC_CLIENTSECRET", "a secret"],
        ["SECRET_KEY_BASE", "a secret key"],
        ["AWS_SECRET_ACCESS_KEY", "an access key"],
        ["api.key", "an API key"],
        ["APIKey", "an API key"],
        ["OPENAI_APIKEY", "an API key"],
        ["AZURE_STORAGE_KEY", "a storage account key"],
        ["SIGNING_KEYS", "a signing key"],
        ["GOOGLE_APPLICATION_CREDENTIALS", "credentials"],
        ["DOCKER_CREDS", "credentials"],
        ["BASIC_AUTH", "credentials"],
        ["PROXY_AUTHORIZATION", "an authorization header"],
        ["password2", "a password"],
    ];
    for (const [name, kind] of secretNames) {
        it(`${name} → ${kind}`, () => assert.strictEqual(secretInName(name), kind));
    }

    const notSecret = [
        "PASSWORD_FILE",
        "DB_PASSWORD__FILE",
        "TOKEN_PATH",
        "SECRET_NAME",
        "SECRETS_DIR",
        "SECRET_KEY_REF",
        "SECRET_ARN",
        "AWS_ACCESS_KEY_ID",
        "OAUTH_TOKEN_URL",
        "TOKEN_ENDPOINT",
        "TOKEN_TTL",
        "PASSWORD_MIN_LENGTH",
        "SECRETS_BACKEND",
        "TOKEN_TYPE",
        "TOKENIZER",
        "TOKENIZERS_PARALLELISM",
        "BYPASS",
        "COMPASS",
        "PASS_THROUGH",
        "PWD",
        "OLDPWD",
        "PWD_DIR",
        "AUTH",
        "AUTH_MODE",
        "PUBLIC_KEY",
        "tls.key",
        "secrets.yaml",
        "LOG_LEVEL",
        "KEY",
        "PASSWORD_POLICY",
    ];
    for (const name of notSecret) {
        it(`${name} is not a secret name`, () => assert.strictEqual(secretInName(name), undefined));
    }
});

describe("secret detector: values", () => {
    const shapes: [string, string][] = [
        ["-----BEGIN PRIVATE KEY-----\nMIIE", "a private key (PEM)"],
        ["-----BEGIN EC PRIVATE KEY-----", "a private key (PEM)"],
        ["-----BEGIN PGP PRIVATE KEY BLOCK-----", "a private key (PEM)"],
        ['{"type": "service_account", "project_id": "billing"}', "a Google Cloud service account key"],
        ["AKIAQ3EGRTWXY7ZPLM4K", "an AWS access key ID"],
        ["key=ASIAQ3EGRTWXY7ZPLM4K;", "an AWS access key ID"],
        ["github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "a GitHub token"],
        ["glpat-abcdefghij0123456789", "a GitLab token"],
        ["https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdefghijklmnop", "a Slack webhook URL"],
        ["rk_live_abcdefghijklmnop", "a Stripe secret key"],
        ["AIzaSyA1234567890abcdefghijklmnopqrstuv", "a Google API key"],
        ["npm_abcdefghijklmnopqrstuvwxyz0123456789", "an npm token"],
        ["sk-proj-abcdefghijklmnopqrstuvwx", "an OpenAI or Anthropic API key"],
        ["Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJrOHMifQ.c2lnbmF0dXJl", "a JSON Web Token"],
        ["amqp://guest:guest@rabbit:5672/", "a URL with a password"],
        ["Server=db;Database=app;User Id=sa;Password=Hunter2!;", "a connection string with a password"],
        [
            "DefaultEndpointsProtocol=https;AccountName=billing;AccountKey=c2VjcmV0a2V5==;",
            "a connection string with an account key",
        ],
        ['{"auths": {"ghcr.io": {"auth": "dXNlcjpwYXNzd29yZA=="}}}', "Docker registry credentials"],
        ["//registry.npmjs.org/:_authToken=npm-abc123", "an npm auth token"],
    ];
    for (const [value, kind] of shapes) {
        it(`${kind}: ${value.slice(0, 24)}...`, () => assert.strictEqual(secretInValue(value), kind));
    }

    const notShapes = [
        "postgres://billing:$(DB_PASSWORD)@db/billing",
        "https://user@example.com/x",
        "Server=db;Password=${DB_PASSWORD}",
        "-----BEGIN CERTIFICATE-----",
        "sha256:" + "a".repeat(64),
        "AKIAQ3EGRTWXY7ZPLM4KX9",
        "550e8400-e29b-41d4-a716-446655440000",
        "eyJhbGciOiJIUzI1NiJ9",
        "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
    ];
    for (const value of notShapes) {
        it(`not a credential shape: ${value.slice(0, 30)}`, () => assert.strictEqual(secretInValue(value), undefined));
    }

    it("literal or reference", () => {
        for (const v of [
            "",
            "  ",
            "$(DB_PASSWORD)",
            "${DB_PASSWORD}",
            "$DB_PASSWORD",
            "{{ .Values.password }}",
            "/run/secrets/db",
            "./secrets/db",
            "C:\\secrets\\db",
            "vault:secret/data/db#password",
            "ref+awssecrets://db/password",
            "op://vault/db/password",
            "projects/p/secrets/db/versions/latest",
            "arn:aws:ssm:eu-west-1:123456789012:parameter/db",
            "ENC[AES256_GCM,data:Zm9v]",
            "https://vault.example.com/v1/db",
            "true",
            "OFF",
            "4096",
            "-1",
            "ssh-rsa AAAAB3Nza",
        ]) {
            assert.notStrictEqual(notALiteralSecret(v), undefined, v);
        }
        for (const v of ["hunter2", "changeme", "p@ss word", "0xdeadbeef", "s3cr3t/with/slash"]) {
            assert.strictEqual(notALiteralSecret(v), undefined, v);
        }
    });

    it("judgeLiteral: shape first, then name with a literal value; ignored names are never judged", () => {
        assert.deepStrictEqual(judgeLiteral("ANYTHING", "AKIAQ3EGRTWXY7ZPLM4K"), {
            kind: "an AWS access key ID",
            by: "value",
        });
        assert.deepStrictEqual(judgeLiteral("DB_PASSWORD", "hunter2"), { kind: "a password", by: "name" });
        assert.strictEqual(judgeLiteral("DB_PASSWORD", "$(FROM_SECRET)"), undefined);
        assert.strictEqual(judgeLiteral(undefined, "hunter2"), undefined);
        assert.strictEqual(judgeLiteral("DB_PASSWORD", "hunter2", new NameFilter(["db_*"])), undefined);
        assert.strictEqual(
            judgeLiteral("CI_FIXTURE", "AKIAQ3EGRTWXY7ZPLM4K", new NameFilter(["ci_fixture"])),
            undefined,
        );
    });

    it("secretAssignments: YAML, JSON, properties, .env and list items; structures and references are skipped", () => {
        const text = [
            "db:",
            "  password: hunter2",
            "  - token: t-123456",
            '  "clientSecret": "abc",',
            "export API_KEY='k-1'",
            "secret: |",
            "tls:",
            "  secret_name: tls-cert",
            "password: !vault |",
            "password: ${PW}",
            "password: ''",
        ].join("\n");
        assert.deepStrictEqual(
            secretAssignments(text).map((a) => [a.line, a.key, a.match.kind]),
            [
                [2, "password", "a password"],
                [3, "token", "a token"],
                [4, "clientSecret", "a secret"],
                [5, "API_KEY", "an API key"],
            ],
        );
    });
});

describe("secret detector: properties", () => {
    const anyText = fc.string({ unit: "binary", maxLength: 300 });
    const NAME_WORDS = ["PASSWORD", "TOKEN", "SECRET", "API_KEY", "PRIVATE_KEY", "CREDENTIALS", "PASSWD"];
    const POINTERS = ["FILE", "PATH", "NAME", "REF", "URL", "TTL", "DIR"];

    it("never throws on any text, and only ever returns kinds from its vocabulary", () => {
        fc.assert(
            fc.property(anyText, anyText, (name, value) => {
                const found = [
                    secretInName(name),
                    secretInValue(value),
                    judgeLiteral(name, value)?.kind,
                    ...secretAssignments(value).map((a) => a.match.kind),
                ];
                notALiteralSecret(value);
                for (const kind of found) {
                    assert.ok(
                        kind === undefined ||
                            /^(an? [A-Za-z0-9 ().-]+|credentials|Docker registry credentials)$/.test(kind),
                        String(kind),
                    );
                }
            }),
            { numRuns: 2000 },
        );
    });

    it("a secret word at the end of any name is secret; a pointer word after it is not", () => {
        const word = fc
            .stringMatching(/^[A-Z][A-Z0-9]{0,7}$/)
            .filter((w) => secretInName(w) === undefined && !["KEY", "AUTH"].includes(w));
        fc.assert(
            fc.property(
                fc.array(word, { maxLength: 3 }),
                fc.constantFrom(...NAME_WORDS),
                fc.constantFrom(...POINTERS),
                (prefix, secretWord, pointer) => {
                    const name = [...prefix, secretWord].join("_");
                    assert.notStrictEqual(secretInName(name), undefined, name);
                    assert.strictEqual(secretInName(`${name}_${pointer}`), undefined, `${name}_${pointer}`);
                    assert.notStrictEqual(secretInName(name.toLowerCase()), undefined, name.toLowerCase());
                },
            ),
        );
    });

    it("a credential embedded anywhere in a value is found, and the kind never contains the value", () => {
        const base32 = fc.stringMatching(/^[A-Z2-7]{16}$/);
        const filler = fc.stringMatching(/^[ a-zA-Z0-9:=;,"{}]{0,40}$/);
        fc.assert(
            fc.property(filler, base32, filler, (before, id, after) => {
                const key = `AKIA${id}`;
                const kind = secretInValue(`${before}\n${key}\n${after}`);
                assert.strictEqual(kind, "an AWS access key ID");
                assert.ok(!kind.includes(id));
            }),
        );
    });

    it("stays fast on huge and adversarial values (no super-linear backtracking)", () => {
        const fragments = [
            "eyJ-",
            "a",
            "x://a:",
            "Password=",
            '"auths":{',
            "-----BEGIN ",
            "AKIA",
            "xoxb-",
            "_authToken=",
            "password: x",
            "$(",
            "sk-proj-",
        ];
        for (const fragment of fragments) {
            for (const sep of ["", "\n"]) {
                const v = (fragment + sep).repeat(Math.ceil(1_000_000 / (fragment.length + sep.length)));
                const start = Date.now();
                secretInValue(v);
                secretAssignments(v);
                judgeLiteral("DB_PASSWORD", v);
                notALiteralSecret(v);
                assert.ok(Date.now() - start < 4000, `${JSON.stringify(fragment + sep)}: ${Date.now() - start} ms`);
            }
        }
    });
});

describe("property: no diagnostic carries a secret value", () => {
    const envTester = new PolicyTester({ policies: [secretsEnvLiteral, secretsConfigMap] }, { all: "mandatory" });
    const secretValue = fc.oneof(
        fc.stringMatching(/^[A-Za-z0-9!#%&*+,.:;<>?@^_~-]{8,40}$/),
        fc.stringMatching(/^[A-Z2-7]{16}$/).map((s) => `AKIA${s}`),
        fc.stringMatching(/^[A-Za-z0-9]{36}$/).map((s) => `ghp_${s}`),
        fc.stringMatching(/^[A-Za-z0-9_-]{10,30}$/).map((s) => `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.${s}`),
        fc.stringMatching(/^[a-z0-9]{8,20}$/).map((s) => `postgres://app:${s}@db:5432/app`),
    );
    const secretName = fc.constantFrom(
        "DB_PASSWORD",
        "API_TOKEN",
        "client_secret",
        "stripeApiKey",
        "APP_CONFIG",
        "SESSION_SECRET",
    );

    it(
        "500 generated secrets in env variables and " +
            "ConfigMaps: each is reported, by name or shape, and never echoed",
        async () => {
            await fc.assert(
                fc.asyncProperty(secretName, secretValue, async (name, value) => {
                    const env = await envTester.analyze(
                        deployment({ containers: [{ name: "app", image: "i", env: [{ name, value }] }] }),
                    );
                    const cm = await envTester.analyze(
                        configMap({ data: { [name]: value, "app.yaml": `${name}: ${value}\n` } }),
                    );
                    const all = [...env.violations, ...cm.violations];
                    assertNoValueLeaks(all, [value]);
                    if (notALiteralSecret(value) === undefined && (secretInName(name) || secretInValue(value))) {
                        assert.strictEqual(env.violations.length, 1, JSON.stringify(env.violations));
                        assert.ok(cm.violations.length >= 1);
                    }
                }),
                { numRuns: 500 },
            );
        },
    );
});

describe("property: the secrets policies never throw on ConfigMaps and Docker environments", () => {
    const tester = new PolicyTester({ policies: allPolicies }, { all: "mandatory" });
    const text = fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.constantFrom(
            "hunter2",
            "AKIAQ3EGRTWXY7ZPLM4K",
            "password: x\ntoken: y\n",
            "$(X)",
            "/run/secrets/x",
            "cGFzc3dvcmQ6IHg=",
            "DB_PASSWORD=x",
            UNKNOWN,
        ),
    );
    const key = fc.oneof(
        fc.constantFrom("DB_PASSWORD", "app.yaml", "API_TOKEN", "LOG", "__proto__", "constructor", ""),
        fc.string({ maxLength: 12 }),
    );
    const anyValue = fc.oneof(
        text,
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(text, { maxLength: 3 }),
        fc.dictionary(key, text, { maxKeys: 3 }),
    );
    const map = fc.oneof(fc.dictionary(key, anyValue, { maxKeys: 6 }), anyValue);
    const resource: fc.Arbitrary<TestResource> = fc.oneof(
        fc.record({ data: map, binaryData: map }).map((body) => configMap(body, "kubernetes:core/v1:ConfigMap")),
        fc
            .record({ items: fc.array(fc.record({ data: map }), { maxLength: 3 }) })
            .map((body) => configMap(body, "kubernetes:core/v1:ConfigMapList")),
        fc
            .record({ envs: fc.oneof(fc.array(anyValue, { maxLength: 5 }), map), readOnly: anyValue })
            .map((p) => dockerContainer(p)),
        fc.record({ env: map, readOnly: anyValue }).map((p) => dockerService(p)),
        fc
            .record({ name: key, data: anyValue, dataRaw: anyValue })
            .map((props) => ({ type: "docker:index/serviceConfig:ServiceConfig", name: "cfg", props })),
    );

    it("1,000 generated resources: no throw, no internal error, every message names the resource", async () => {
        await fc.assert(
            fc.asyncProperty(resource, async (r) => {
                for (const v of (await tester.analyze(r)).violations) {
                    assert.ok(
                        /^(ConfigMap prod\/settings|docker (Container web|Service api|ServiceConfig cfg))(: |, )/.test(
                            findingLine(v),
                        ),
                        v.message,
                    );
                    assert.ok(!v.message.includes("could not evaluate") && !v.message.includes("can't run"), v.message);
                }
            }),
            { numRuns: 1000 },
        );
    });
});
