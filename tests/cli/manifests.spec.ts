// Manifests as the Kubernetes provider would register them: type tokens from apiVersion and kind,
// every object of multi-document streams and Lists, YAML read as kubectl reads it, and every finding
// placed at the line of the field it is about.

import * as assert from "assert";
import * as fc from "fast-check";
import { kubernetesTypeOf, readManifests } from "../../cli/inputs/manifests";
import {
    compliantPodSpec,
    deploymentManifest,
    lineOf,
    parseReport,
    runCli,
    tempDir,
    writeFile,
    yamlDocs,
} from "../support/cli";

const read = (text: string, explicit = true) => readManifests(text, "m.yaml", explicit, { urns: new Set() });

describe("scan: manifests", () => {
    it("maps apiVersion and kind to the provider's type tokens", () => {
        assert.strictEqual(kubernetesTypeOf("apps/v1", "Deployment"), "kubernetes:apps/v1:Deployment");
        assert.strictEqual(kubernetesTypeOf("v1", "Pod"), "kubernetes:core/v1:Pod");
        assert.strictEqual(kubernetesTypeOf("batch/v1", "CronJob"), "kubernetes:batch/v1:CronJob");
        assert.strictEqual(
            kubernetesTypeOf("argoproj.io/v1alpha1", "Rollout"),
            "kubernetes:argoproj.io/v1alpha1:Rollout",
        );
        for (const [apiVersion, kind] of [
            ["", "Pod"],
            ["a/b/c", "Pod"],
            ["v1", ""],
            ["v1", "Po d"],
            [1, "Pod"],
            ["v1", null],
            ["apps/", "Deployment"],
        ]) {
            assert.strictEqual(kubernetesTypeOf(apiVersion, kind), undefined, `${apiVersion} ${kind}`);
        }
    });

    it("reads every object of a multi-document stream, skipping empty and null documents", () => {
        const r = read(
            `---\n---\n# only a comment\n---\nnull\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ` +
                `a}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b, namespace: prod}\n...\n`,
        );
        assert.deepStrictEqual(r.errors, []);
        assert.deepStrictEqual(
            r.resources.map((x) => [x.analyze?.type, x.label]),
            [
                ["kubernetes:core/v1:ConfigMap", "ConfigMap default/a"],
                ["kubernetes:apps/v1:Deployment", "Deployment prod/b"],
            ],
        );
        assert.strictEqual(
            r.resources[1].location.line,
            lineOf(
                "---\n---\n# only a comment\n---\nnull\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: " +
                    "a}\n---\napiVersion: apps/v1",
                "apiVersion: apps/v1",
            ),
        );
    });

    it("flattens List kinds; typed lists lend their items apiVersion and kind", () => {
        const r = read(
            [
                "apiVersion: v1",
                "kind: List",
                "items:",
                "  - apiVersion: v1",
                "    kind: Pod",
                "    metadata: {name: one}",
                "  - apiVersion: v1",
                "    kind: List",
                "    items:",
                "      - {apiVersion: v1, kind: Service, metadata: {name: two}}",
                "---",
                "apiVersion: apps/v1",
                "kind: DeploymentList",
                "items:",
                "  - metadata: {name: three, namespace: x}",
                "    spec: {}",
            ].join("\n"),
        );
        assert.deepStrictEqual(r.errors, []);
        assert.deepStrictEqual(
            r.resources.map((x) => [x.analyze?.type, x.label, x.location.line]),
            [
                ["kubernetes:core/v1:Pod", "Pod default/one", 4],
                ["kubernetes:core/v1:Service", "Service default/two", 10],
                ["kubernetes:apps/v1:Deployment", "Deployment x/three", 15],
            ],
        );
        assert.deepStrictEqual(r.resources[2].analyze?.props, {
            metadata: { name: "three", namespace: "x" },
            spec: {},
            apiVersion: "apps/v1",
            kind: "Deployment",
        });
    });

    it("reads YAML as Kubernetes does: YAML 1.1 booleans and octals, no timestamps or sexagesimals", () => {
        const r = read(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a, labels: {at: 2024-01-01, t: 1:30}}\nspec:\n  " +
                "hostNetwork: yes\n  volumes: [{name: v, secret: {secretName: s, defaultMode: 0644}}]\n",
        );
        const props = r.resources[0].analyze?.props as {
            metadata: { labels: unknown };
            spec: { hostNetwork: unknown; volumes: { secret: { defaultMode: unknown } }[] };
        };
        assert.strictEqual(props.spec.hostNetwork, true);
        assert.strictEqual(props.spec.volumes[0].secret.defaultMode, 0o644);
        assert.deepStrictEqual(props.metadata.labels, { at: "2024-01-01", t: "1:30" });
    });

    it("reads JSON manifests, with their lines", () => {
        const text = JSON.stringify(
            {
                apiVersion: "v1",
                kind: "List",
                items: [{ apiVersion: "v1", kind: "Pod", metadata: { name: "j" }, spec: { hostPID: true } }],
            },
            null,
            2,
        );
        const r = read(text);
        assert.deepStrictEqual(r.errors, []);
        assert.strictEqual(r.resources[0].label, "Pod default/j");
        const line = lineOf(text, '"hostPID"');
        assert.deepStrictEqual(r.resources[0].locate?.("spec.hostPID"), {
            file: "m.yaml",
            line,
            column: text.split("\n")[line - 1].indexOf('"hostPID"') + 1,
        });
    });

    it("records the Helm template each rendered object came from", () => {
        const r = read(
            "---\n# Source: shop/templates/web.yaml\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n---\n# " +
                "Source: shop/templates/db.yaml\napiVersion: v1\nkind: Service\nmetadata: {name: db}\n",
        );
        assert.deepStrictEqual(
            r.resources.map((x) => x.template),
            ["shop/templates/web.yaml", "shop/templates/db.yaml"],
        );
    });

    it("reports invalid YAML with its line and still reads the other documents", () => {
        const text =
            "apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n " +
            "spec: {}\n---\nkey: 1\nkey: 2\n";
        const r = read(text);
        assert.deepStrictEqual(
            r.resources.map((x) => x.label),
            ["Pod default/ok"],
        );
        assert.strictEqual(r.errors.length, 2);
        assert.match(r.errors[0].message, /^invalid YAML in document 2: /);
        assert.strictEqual(r.errors[0].line, 9);
        assert.match(r.errors[1].message, /^invalid YAML in document 3: Map keys must be unique/);
        assert.strictEqual(r.errors[1].line, 12);
    });

    it(
        "rejects documents that are not Kubernetes objects in files named on the command line, lists them as " +
            "skipped in directories",
        () => {
            const text = "name: my-chart\nversion: 1.0.0\n---\n- just\n- a list\n";
            assert.deepStrictEqual(
                read(text, true).errors.map((e) => [e.line, e.message]),
                [
                    [
                        1,
                        "document 1 is not a Kubernetes object (it needs apiVersion and kind) nor a Pulumi stack " +
                            "export",
                    ],
                    [
                        4,
                        "document 2 is not a Kubernetes object (it needs apiVersion and kind) nor a Pulumi stack " +
                            "export",
                    ],
                ],
            );
            const reason = "not a Kubernetes object (it has no apiVersion and kind)";
            assert.deepStrictEqual(read(text, false), {
                resources: [],
                errors: [],
                skipped: [
                    { file: "m.yaml", line: 1, column: 1, reason },
                    { file: "m.yaml", line: 4, column: 1, reason },
                ],
            });
        },
    );

    it("gives objects with the same name distinct URNs (stack policies tell them apart)", () => {
        const urns = new Set<string>();
        const doc = "apiVersion: v1\nkind: Pod\nmetadata: {name: same}\n";
        const a = readManifests(doc, "a.yaml", true, { urns });
        const b = readManifests(doc, "b.yaml", true, { urns });
        assert.notStrictEqual(a.resources[0].urn, b.resources[0].urn);
        assert.strictEqual(a.resources[0].analyze?.name, "same");
        assert.strictEqual(b.resources[0].analyze?.name, "same");
    });

    it("places findings at the offending field, or at the closest field present for a missing setting", async () => {
        const dir = tempDir();
        const text = yamlDocs(
            deploymentManifest("web", {
                containers: [{ name: "app", image: "nginx:1.27", securityContext: { privileged: true } }],
            }),
        );
        writeFile(dir, "deploy/web.yaml", text);
        const report = parseReport((await runCli(["scan", "deploy", "--format", "json"], { cwd: dir })).stdout);
        const at = (policy: string) => report.findings.find((f) => f.policy === policy)?.location;
        assert.deepStrictEqual(at("pss-privileged"), {
            file: "deploy/web.yaml",
            line: lineOf(text, "privileged: true"),
            column: text.split("\n")[lineOf(text, "privileged: true") - 1].indexOf("privileged") + 1,
        });
        // runAsNonRoot is set nowhere: the container's securityContext is the closest field.
        assert.strictEqual(at("pss-run-as-non-root")?.line, lineOf(text, "securityContext:"));
        const privileged = report.findings.find((f) => f.policy === "pss-privileged");
        assert.strictEqual(privileged?.path, "spec.template.spec.containers[0].securityContext.privileged");
        assert.strictEqual(privileged?.resource?.start.line, lineOf(text, "apiVersion: apps/v1"));
    });

    it("follows anchors and merge keys to the line where a value is written", async () => {
        const dir = tempDir();
        const text = [
            "apiVersion: v1",
            "kind: Pod",
            "metadata: {name: shared}",
            "spec:",
            "  containers:",
            "    - name: a",
            "      image: nginx:1.27",
            "      securityContext: &insecure",
            "        privileged: true",
            "    - name: b",
            "      image: nginx:1.27",
            "      securityContext:",
            "        <<: *insecure",
            "        runAsUser: 0",
            "",
        ].join("\n");
        writeFile(dir, "pod.yaml", text);
        const report = parseReport((await runCli(["scan", "pod.yaml", "--format", "json"], { cwd: dir })).stdout);
        const privileged = report.findings
            .filter((f) => f.policy === "pss-privileged")
            .map((f) => [f.path, f.location.line]);
        assert.deepStrictEqual(privileged, [
            ["spec.containers[0].securityContext.privileged", 9],
            ["spec.containers[1].securityContext.privileged", 9],
        ]);
        assert.deepStrictEqual(
            report.findings.filter((f) => f.policy === "pss-run-as-user").map((f) => f.location.line),
            [14],
        );
    });

    it("judges a compliant object without findings", async () => {
        const dir = tempDir();
        writeFile(dir, "ok.yaml", yamlDocs(deploymentManifest("ok", compliantPodSpec())));
        const report = parseReport(
            (
                await runCli(
                    [
                        "scan",
                        "ok.yaml",
                        "--format",
                        "json",
                        "--policy-pack-config",
                        `${__dirname}/../../config/advisory.json`,
                    ],
                    { cwd: dir },
                )
            ).stdout,
        );
        assert.deepStrictEqual(
            report.findings
                .filter((f) => !f.policy.startsWith("network-") && !f.policy.startsWith("namespace-"))
                .map((f) => f.policy),
            [],
        );
    });

    it("never throws on arbitrary text, and every position it reports is inside the file (property)", () => {
        const yamlish = fc.array(
            fc.constantFrom(
                "---\n",
                "apiVersion: v1\n",
                "kind: Pod\n",
                "kind: List\n",
                "items:\n",
                "  - ",
                "metadata: {name: x}\n",
                "spec:\n",
                "  a: [1, {b: *c}]\n",
                "&c x: 1\n",
                "<<: *c\n",
                "\t",
                ": ",
                "- ",
                "{",
                "}",
                '"',
                "'",
                "null\n",
                "# Source: x\n",
                "%YAML 1.2\n",
            ),
            {
                maxLength: 30,
            },
        );
        fc.assert(
            fc.property(
                fc.oneof(
                    fc.string({ maxLength: 200 }),
                    yamlish.map((parts) => parts.join("")),
                ),
                fc.boolean(),
                (text, explicit) => {
                    const r = read(text, explicit);
                    const lines = text.split("\n").length;
                    for (const e of r.errors) {
                        assert.ok(e.line === undefined || (e.line >= 1 && e.line <= lines), JSON.stringify(e));
                    }
                    for (const x of r.resources) {
                        assert.ok(x.location.line >= 1 && x.location.line <= lines);
                        x.locate?.("spec.containers[0].securityContext.privileged");
                    }
                },
            ),
            { numRuns: 300 },
        );
    });
});
