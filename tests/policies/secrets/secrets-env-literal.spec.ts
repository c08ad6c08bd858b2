// secrets-env-literal: literal secrets in container environment variables, Kubernetes and Docker.

import * as assert from "assert";
import { secretsEnvLiteral } from "../../../policies/secrets";
import { type PolicyPackConfig, PolicyTester, secret, type TestResource, unknown } from "../../../testkit";
import { assertNoValueLeaks, dockerContainer, dockerService, findingLine } from "../../support/secrets";
import { deployment, workloadProps } from "../../support/workloads";

const NAME = "secrets-env-literal";
const AWS_KEY = "AKIAQ3EGRTWXY7ZPLM4K";
const JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzdmMtYmlsbGluZyJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
const PEM =
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE " +
    "KEY-----\n";

async function run(r: TestResource, config?: PolicyPackConfig) {
    const result = await new PolicyTester({ policies: [secretsEnvLiteral] }, config).analyze(r);
    return result.violations.filter((v) => v.policyName === NAME);
}

function withEnv(env: unknown[], list = "containers") {
    return deployment({ [list]: [{ name: "app", image: "app:1", env }] });
}

describe("secrets-env-literal: Kubernetes containers", () => {
    it("reports a secret-named variable with a literal value, naming the variable and never the value", async () => {
        const vs = await run(
            withEnv([
                { name: "LOG_LEVEL", value: "debug" },
                { name: "DB_PASSWORD", value: "Tr0ub4dor&3" },
            ]),
        );
        assert.strictEqual(vs.length, 1);
        assert.strictEqual(vs[0].enforcementLevel, "mandatory");
        assert.strictEqual(
            findingLine(vs[0]),
            'Deployment prod/web, container "app": env variable "DB_PASSWORD" holds a literal value and its name ' +
                "suggests a password (spec.template.spec.containers[0].env[1].value). " +
                "Fix: store the value in a Secret and mount it as a read-only Secret volume (the program reads the " +
                "file); only if the program cannot read a file, reference it with env[].valueFrom.secretKeyRef",
        );
        assertNoValueLeaks(vs, ["Tr0ub4dor&3"]);
    });

    for (const [what, value, kind] of [
        ["an AWS access key ID", AWS_KEY, "an AWS access key ID"],
        ["a JWT", JWT, "a JSON Web Token"],
        ["a PEM private key", PEM, "a private key (PEM)"],
        ["a URL with a password", "postgres://billing:s3cr3t-pw@db.internal:5432/billing", "a URL with a password"],
        ["a GitHub token", "ghp_" + "Zq8".repeat(12), "a GitHub token"],
        ["a Slack token", "xoxb-2048-4096-QmFzZTY0U2xhY2s", "a Slack token"],
    ] as const) {
        it(`reports ${what} under any name, by its shape`, async () => {
            const vs = await run(withEnv([{ name: "APP_CONFIG", value }]));
            assert.strictEqual(vs.length, 1, JSON.stringify(vs));
            assert.ok(
                findingLine(vs[0]).includes(`env variable "APP_CONFIG" holds a literal value that looks like ${kind}`),
                vs[0].message,
            );
            assertNoValueLeaks(vs, [value]);
        });
    }

    it("judges init and ephemeral containers too", async () => {
        const env = [{ name: "API_TOKEN", value: "tok-1234567890" }];
        const r = deployment({
            initContainers: [{ name: "migrate", image: "m:1", env }],
            containers: [{ name: "app", image: "a:1" }],
            ephemeralContainers: [{ name: "debug", image: "d:1", env }],
        });
        const vs = await run(r);
        assert.deepStrictEqual(
            vs.map((v) => findingLine(v).split(":")[0]),
            ['Deployment prod/web, init container "migrate"', 'Deployment prod/web, ephemeral container "debug"'],
        );
        assert.ok(vs[1].message.includes("spec.template.spec.ephemeralContainers[0].env[0].value"));
    });

    it("accepts references: valueFrom, envFrom, $(VAR), ${VAR}, file paths and secret-store references", async () => {
        const vs = await run(
            withEnv([
                { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
                { name: "DB_URL", value: "postgres://billing:$(DB_PASSWORD)@db:5432/billing" },
                { name: "API_TOKEN", value: "$(TOKEN_FROM_SECRET)" },
                { name: "SMTP_PASSWORD", value: "${SMTP_PASSWORD}" },
                { name: "GOOGLE_APPLICATION_CREDENTIALS", value: "/var/secrets/google/key.json" },
                { name: "VAULT_TOKEN", value: "vault:secret/data/billing#token" },
                { name: "STRIPE_SECRET", value: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:stripe" },
                { name: "SESSION_SECRET", value: "sm://billing/session-secret" },
            ]),
        );
        assert.deepStrictEqual(vs, []);
    });

    it("does not flag names that point at a secret or describe one, nor empty values, flags and numbers", async () => {
        const vs = await run(
            withEnv([
                { name: "DB_PASSWORD_FILE", value: "/run/secrets/db" },
                { name: "TOKEN_PATH", value: "tokens/app" },
                { name: "SECRET_NAME", value: "billing-db" },
                { name: "SECRET_KEY_REF", value: "billing-db/password" },
                { name: "OAUTH_TOKEN_URL", value: "https://login.example.com/oauth/token" },
                { name: "TOKEN_TTL", value: "15m" },
                { name: "MAX_TOKENS", value: "4096" },
                { name: "TOKENIZERS_PARALLELISM", value: "false" },
                { name: "REQUIRE_PASSWORD", value: "true" },
                { name: "ADMIN_PASSWORD", value: "" },
                { name: "PWD", value: "srv" },
                { name: "SSH_KEY", value: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKx" },
                { name: "AWS_ACCESS_KEY_ID_NAME", value: "billing" },
                { name: "AWS_REGION", value: "eu-west-1" },
            ]),
        );
        assert.deepStrictEqual(
            vs.map((v) => v.message),
            [],
        );
    });

    it("treats placeholders as literal secrets: a default credential is still a credential", async () => {
        const vs = await run(withEnv([{ name: "POSTGRES_PASSWORD", value: "changeme" }]));
        assert.strictEqual(vs.length, 1);
    });

    it("reports a value marked as a Pulumi secret: Kubernetes still stores the pod spec in plaintext", async () => {
        const vs = await run(withEnv([{ name: "STRIPE_API_KEY", value: secret("sk_live_51HqLyjWDarjtT1zdp7dcXYZ") }]));
        assert.strictEqual(vs.length, 1);
        assert.ok(
            findingLine(vs[0]).includes(
                'env variable "STRIPE_API_KEY" holds a literal value that looks like a Stripe secret key',
            ),
            vs[0].message,
        );
        assertNoValueLeaks(vs, ["sk_live_51HqLyjWDarjtT1zdp7dcXYZ"]);
    });

    it("ignoreNames exempts variables by case-insensitive glob, for names and shapes alike", async () => {
        const r = withEnv([
            { name: "TEST_JWT_TOKEN", value: JWT },
            { name: "DB_PASSWORD", value: "pw-1" },
        ]);
        assert.strictEqual((await run(r)).length, 2);
        const vs = await run(r, { [NAME]: { ignoreNames: ["test_*"] } });
        assert.deepStrictEqual(
            vs.map((v) => findingLine(v).includes("DB_PASSWORD")),
            [true],
        );
    });

    it("rejects a misspelled option", async () => {
        await assert.rejects(run(withEnv([]), { [NAME]: { ignoreName: ["X"] } }), /ignoreNames/);
    });

    it("patches are judged on the literal values they set", async () => {
        const type = "kubernetes:apps/v1:DeploymentPatch";
        const vs = await run({
            type,
            name: "web",
            props: workloadProps(type, {
                containers: [{ name: "app", env: [{ name: "API_KEY", value: "k-123456" }] }],
            }),
        });
        assert.strictEqual(vs.length, 1);
        assert.strictEqual(vs[0].enforcementLevel, "mandatory");
    });

    it("covers every pod-bearing kind through the workload model (CronJob, Pod, custom resources)", async () => {
        for (const type of [
            "kubernetes:batch/v1:CronJob",
            "kubernetes:core/v1:Pod",
            "kubernetes:argoproj.io/v1alpha1:Rollout",
            "kubernetes:apps/v1:StatefulSetList",
        ]) {
            const vs = await run({
                type,
                name: "w",
                props: workloadProps(type, {
                    containers: [{ name: "app", env: [{ name: "GH_TOKEN", value: "tok-42-abc" }] }],
                }),
            });
            assert.strictEqual(vs.length, 1, type);
        }
    });
});

describe("secrets-env-literal: values unknown during preview", () => {
    it("an unknown value under a secret-looking name is reported as not known yet (advisory)", async () => {
        const vs = await run(withEnv([{ name: "DB_PASSWORD", value: unknown }]));
        assert.deepStrictEqual(
            vs.map((v) => v.enforcementLevel),
            ["advisory"],
        );
        assert.ok(
            vs[0].message.includes("spec.template.spec.containers[0].env[0].value is not known during preview"),
            vs[0].message,
        );
    });

    it("an unknown value under an ordinary name (a computed host name) raises nothing", async () => {
        assert.deepStrictEqual(await run(withEnv([{ name: "DB_HOST", value: unknown }])), []);
    });

    it("an unknown env list or entry cannot be judged yet; known siblings still are", async () => {
        const list = await run(
            deployment({
                containers: [
                    { name: "a", image: "i", env: unknown },
                    { name: "b", image: "i", env: [{ name: "API_KEY", value: "abc-123" }] },
                ],
            }),
        );
        assert.deepStrictEqual(list.map((v) => v.enforcementLevel).sort(), ["advisory", "mandatory"]);
        const entry = await run(withEnv([unknown, { name: "API_KEY", value: "abc-123" }]));
        assert.deepStrictEqual(entry.map((v) => v.enforcementLevel).sort(), ["advisory", "mandatory"]);
        assert.ok(entry.some((v) => v.message.includes("env[0] is not known during preview")));
    });

    it(
        "an unknown name with a literal value that could be a " +
            "secret is not known yet; a shaped value is judged now",
        async () => {
            const plain = await run(withEnv([{ name: unknown, value: "plain-text" }]));
            assert.deepStrictEqual(
                plain.map((v) => v.enforcementLevel),
                ["advisory"],
            );
            assert.ok(plain[0].message.includes("env[0].name is not known"), plain[0].message);
            const shaped = await run(withEnv([{ name: unknown, value: AWS_KEY }]));
            assert.deepStrictEqual(
                shaped.map((v) => v.enforcementLevel),
                ["mandatory"],
            );
            assert.ok(
                findingLine(shaped[0]).includes(
                    "an env variable whose name is not known yet holds a literal value that looks like an AWS access " +
                        "key ID",
                ),
            );
        },
    );
});

describe("secrets-env-literal: Docker", () => {
    it("Container envs: NAME=value strings, reported at the entry, never with the value", async () => {
        const vs = await run(
            dockerContainer({
                envs: ["LOG_LEVEL=info", "MYSQL_ROOT_PASSWORD=r00t-pw", "PASSTHROUGH", "CONFIG=" + JWT],
            }),
        );
        assert.deepStrictEqual(vs.map(findingLine), [
            'docker Container web: env variable "MYSQL_ROOT_PASSWORD" holds a literal value and its name suggests a ' +
                "password (envs[1]). Fix: do not pass the secret in envs: mount it as a file (a read-only bind " +
                "mount or the uploads argument) and give the program its path (e.g. DB_PASSWORD_FILE), or run it as " +
                "a swarm Service with a docker.Secret",
            'docker Container web: env variable "CONFIG" holds a literal value that looks like a JSON Web Token ' +
                "(envs[3]). Fix: do not pass the secret in envs: mount it as a file (a read-only bind mount or the " +
                "uploads argument) and give the program its path (e.g. DB_PASSWORD_FILE), or run it as a swarm " +
                "Service with a docker.Secret",
        ]);
        assertNoValueLeaks(vs, ["r00t-pw", JWT]);
    });

    it("Service taskSpec.containerSpec.env: a map of NAME: value", async () => {
        const vs = await run(
            dockerService({ env: { API_TOKEN: "tok-abcdef", "db.password": "pw-abcdef", REGION: "eu" } }),
        );
        assert.deepStrictEqual(
            vs.map((v) => /\(([^)]+)\)/.exec(findingLine(v))?.[1]),
            ["taskSpec.containerSpec.env.API_TOKEN", 'taskSpec.containerSpec.env["db.password"]'],
        );
        assert.ok(vs[0].message.includes("Fix: create a docker.Secret, list it in taskSpec.containerSpec.secrets"));
        assertNoValueLeaks(vs, ["tok-abcdef", "pw-abcdef"]);
    });

    it("Docker unknowns: an unknown envs entry (an interpolated string) or value is not known yet", async () => {
        const c = await run(dockerContainer({ envs: [unknown, "DB_HOST=db"] }));
        assert.deepStrictEqual(
            c.map((v) => v.enforcementLevel),
            ["advisory"],
        );
        assert.ok(c[0].message.includes("envs[0] is not known during preview"));
        const s = await run(dockerService({ env: { DB_PASSWORD: unknown, DB_HOST: unknown } }));
        assert.deepStrictEqual(
            s.map((v) => v.enforcementLevel),
            ["advisory"],
        );
        assert.ok(s[0].message.includes("taskSpec.containerSpec.env.DB_PASSWORD is not known"));
        const spec = await run({ type: "docker:index/service:Service", name: "api", props: { taskSpec: unknown } });
        assert.deepStrictEqual(
            spec.map((v) => v.enforcementLevel),
            ["advisory"],
        );
    });
});

describe("secrets-env-literal: malformed input", () => {
    // The Kubernetes API rejects these; the check cannot judge them and says so (fail closed).
    it("env as a string: a finding that the check cannot judge it, no value shown", async () => {
        const vs = await run(withEnv("DB_PASSWORD=x" as unknown as unknown[]));
        assert.deepStrictEqual(
            vs.map((v) => findingLine(v)),
            [
                'Deployment prod/web, container "app": env is the string "DB_PASSWORD=x", not a list of objects: the ' +
                    "Kubernetes API rejects it, so this check cannot judge it " +
                    "(spec.template.spec.containers[0].env). " +
                    "Fix: write env as a list of objects",
            ],
        );
    });

    it("env entries that are not objects: one finding each; other wrong types do not throw", async () => {
        const vs = await run(
            withEnv([
                null,
                5,
                "x",
                [],
                { name: 5, value: { nested: true } },
                { name: "API_KEY", value: 12345 },
                { name: "API_KEY", value: true },
            ]),
        );
        assert.ok(vs.every((v) => !v.message.includes("could not evaluate")));
        assert.deepStrictEqual(
            vs.map((v) => /: (env\[\d\] is [^,]+), not an object: the Kubernetes API rejects it/.exec(v.message)?.[1]),
            ["env[1] is the number 5", 'env[2] is the string "x"', "env[3] is a list"],
        );
    });

    for (const [what, r] of [
        ["Docker envs with odd entries", dockerContainer({ envs: [null, 7, "=x", "A=", "DB_PASSWORD="] })],
        [
            "a Docker Service without a container spec",
            { type: "docker:index/service:Service", name: "s", props: { taskSpec: "nope" } },
        ],
    ] as const) {
        it(`${what}: no throw, no internal error, no finding`, async () => {
            const vs = await run(r);
            assert.deepStrictEqual(
                vs.map((v) => v.message),
                [],
            );
        });
    }

    it("Docker envs written as a map instead of a list: the provider rejects it, a finding says so", async () => {
        const vs = await run(dockerContainer({ envs: { DB_PASSWORD: "x-1", LOG: "info" } }));
        assert.deepStrictEqual(
            vs.map((v) => /\(([^)]+)\)/.exec(findingLine(v))?.[1]),
            ["envs"],
        );
        assert.match(findingLine(vs[0]), /envs is an object, not a list of strings: the Docker provider rejects it/);
        assertNoValueLeaks(vs, ["x-1"]);
    });
});
