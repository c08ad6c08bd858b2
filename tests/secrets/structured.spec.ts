// Secrets inside structured values: configuration files in ConfigMaps (one-line JSON, flow-style
// YAML, TOML, nested JSON in a value), JSON and flags in environment variables, flags in container
// command lines. Findings name the key path inside the value and never the value; a value too large
// or too deep to scan fully is a finding, not a silent pass.

import * as assert from "assert";
import fc from "fast-check";
import { secretsConfigMap, secretsEnvLiteral } from "../../policies/secrets";
import { type TestResource } from "../../testkit";
import { assertNoValueLeaks, configMap, findingLine, problemOf, runPolicy } from "../support/secrets";
import { deployment } from "../support/workloads";
import { MAX_DEPTH, MAX_PARSED_CHARS, scanStructured } from "../../src/secrets/structured";
import { NameFilter } from "../../src/secrets/patterns";

const problems = async (policy: typeof secretsConfigMap, r: TestResource) =>
    (await runPolicy(policy, r)).map((v) => problemOf(findingLine(v)));

describe("secrets inside structured values", () => {
    it("one-line JSON: the key path inside the value", async () => {
        const vs = await runPolicy(
            secretsConfigMap,
            configMap({
                data: { "appsettings.json": '{"Jwt":{"Secret":"jwt-signing-k3y-9f8e"},"Logging":{"Level":"x"}}' },
            }),
        );
        assert.deepStrictEqual(
            vs.map((v) => problemOf(findingLine(v))),
            [
                'ConfigMap prod/settings: data key "appsettings.json" → Jwt.Secret holds a literal value and its ' +
                    "name suggests a secret",
            ],
        );
        assertNoValueLeaks(vs, ["jwt-signing-k3y-9f8e"]);
    });

    it("flow-style YAML and TOML inline tables, found by content when the key has no suffix", async () => {
        const found = await problems(
            secretsConfigMap,
            configMap({
                data: {
                    config: "db: {user: app, password: flow-pw-77aa}\n",
                    "settings.toml": '[server]\nport = 8080\ndb = { user = "app", password = "toml-pw-88bb" }\n',
                },
            }),
        );
        assert.deepStrictEqual(found, [
            'ConfigMap prod/settings: data key "config" → db.password holds a literal value and its name suggests a ' +
                "password",
            'ConfigMap prod/settings: data key "settings.toml" → server.db.password holds a literal value and its ' +
                "name suggests a password",
        ]);
    });

    it("JSON nested in a value of a YAML file", async () => {
        const found = await problems(
            secretsConfigMap,
            configMap({ data: { "app.yaml": 'extra: \'{"api":{"token":"nested-tok-123456"}}\'\n' } }),
        );
        assert.deepStrictEqual(found, [
            'ConfigMap prod/settings: data key "app.yaml" → extra.api.token holds a literal value and its name ' +
                "suggests a token",
        ]);
    });

    it("a value nested deeper than the limit is reported as not fully scanned", async () => {
        let deep: unknown = { password: "too-deep-pw" };
        for (let i = 0; i < MAX_DEPTH + 5; i++) {
            deep = { a: deep };
        }
        const found = await problems(secretsConfigMap, configMap({ data: { "deep.json": JSON.stringify(deep) } }));
        assert.ok(
            found.some((f) => f.includes("could not be fully scanned for secrets: it is nested more than")),
            found.join("\n"),
        );
    });

    it("a value longer than the limit is scanned as far as it goes and reported as not fully scanned", () => {
        const scan = scanStructured("big.json", `{"a":"${"x".repeat(MAX_PARSED_CHARS)}"}`, new NameFilter([]));
        assert.ok(scan?.incomplete?.includes("longer than"), JSON.stringify(scan));
    });

    it("environment: SPRING_APPLICATION_JSON by its keys, JAVA_OPTS flags, connection strings", async () => {
        const vs = await runPolicy(
            secretsEnvLiteral,
            deployment({
                containers: [
                    {
                        name: "app",
                        image: "i",
                        env: [
                            {
                                name: "SPRING_APPLICATION_JSON",
                                value: '{"spring":{"datasource":{"password":"sp-pw-4411"}}}',
                            },
                            { name: "JAVA_OPTS", value: "-Xmx512m -Ddb.password=jo-pw-5522 -Dfile.encoding=UTF-8" },
                            { name: "DATABASE", value: "postgres://billing:conn-pw-6633@db:5432/billing" },
                        ],
                        args: ["--port=8080", "--password=arg-pw-7744", "--api-key", "arg-key-8855"],
                    },
                ],
            }),
        );
        const found = vs.map((v) => problemOf(findingLine(v)));
        assert.ok(
            found.some((f) => f.includes('"SPRING_APPLICATION_JSON" → spring.datasource.password')),
            found.join("\n"),
        );
        assert.ok(
            found.some((f) => f.includes("passes the flag -Ddb.password with a literal value")),
            found.join("\n"),
        );
        assert.ok(
            found.some((f) => f.includes('"DATABASE"') && f.includes("URL with a password")),
            found.join("\n"),
        );
        assert.ok(
            found.some((f) => f.includes("args passes the flag --password with a literal value")),
            found.join("\n"),
        );
        assert.ok(
            found.some((f) => f.includes("args passes the flag --api-key with a literal value")),
            found.join("\n"),
        );
        assertNoValueLeaks(vs, ["sp-pw-4411", "jo-pw-5522", "conn-pw-6633", "arg-pw-7744", "arg-key-8855"]);
    });

    it("never throws and never returns values, on any text and any name", () => {
        fc.assert(
            fc.property(
                fc.oneof(
                    fc.constantFrom("a.json", "b.yaml", "c.toml", "d.ini", "e.properties", ".env", "f"),
                    fc.string(),
                ),
                fc.oneof(fc.string(), fc.json(), fc.constantFrom("a: {b: [", "[x]\ny=", '{"a":', "k=v\n[s]\np: q")),
                (name, text) => {
                    const scan = scanStructured(name, text, new NameFilter([]));
                    for (const s of scan?.secrets ?? []) {
                        assert.ok(!("value" in s));
                    }
                },
            ),
            { numRuns: 2000 },
        );
    });
});
