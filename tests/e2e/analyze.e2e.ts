// The real engine judging state files: `pulumi policy analyze --file` starts the pack through the
// language host exactly as `pulumi preview` does, sends each resource's inputs to Analyze and the
// outputs to AnalyzeStack, and turns the findings into events and an exit code.

import * as assert from "assert";
import { allPolicies } from "../../policies";
import { type PolicyPackConfig, PolicyTester, type TestResource } from "../../testkit";
import { dockerContainer, hardenedDockerContainer } from "../support/docker";
import { type EngineSandbox, findings, policyEvents, ROOT, sandboxPerTest, stateFile } from "../support/pulumi-engine";
import { deployment, hardenedPodSpec, workloadProps } from "../support/workloads";

const VERSION = require("../../package.json").version as string;
const PROJECT_PREFIX = "urn:pulumi:dev::shop::";

const named = (r: TestResource, name: string): TestResource => ({
    ...r,
    name,
    urn: `${PROJECT_PREFIX}${r.type}::${name}`,
});

/** Insecure and compliant Kubernetes workloads and Docker containers, with one NetworkPolicy. */
const RESOURCES: TestResource[] = [
    named(
        deployment({
            containers: [
                { name: "web", image: "registry.example.com/shop/web:1.4.2", securityContext: { privileged: true } },
            ],
        }),
        "web",
    ),
    named(
        {
            type: "kubernetes:apps/v1:DaemonSet",
            props: workloadProps(
                "kubernetes:apps/v1:DaemonSet",
                {
                    ...hardenedPodSpec({
                        automountServiceAccountToken: false,
                        hostNetwork: true,
                        volumes: [{ name: "logs", hostPath: { path: "/var/log" } }],
                    }),
                    containers: [
                        {
                            ...(hardenedPodSpec().containers as object[])[0],
                            name: "agent",
                            ports: [{ containerPort: 9100, hostPort: 9100 }],
                        },
                    ],
                },
                { labels: { app: "node-agent" } },
                { name: "node-agent", namespace: "kube-system" },
            ),
        },
        "node-agent",
    ),
    named(deployment(hardenedPodSpec({ automountServiceAccountToken: false })), "api"),
    named(
        {
            type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            props: {
                apiVersion: "networking.k8s.io/v1",
                kind: "NetworkPolicy",
                metadata: { name: "default-deny", namespace: "prod" },
                spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
            },
        },
        "default-deny",
    ),
    named(
        dockerContainer(
            {
                image: "redis",
                privileged: true,
                volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }],
            },
            "cache",
        ),
        "cache",
    ),
    named(hardenedDockerContainer({ image: `registry.example.com/app:1.0@sha256:${"d".repeat(64)}` }), "worker"),
];

/** Every finding on RESOURCES, whatever its level: the profiles change levels, never findings. */
const FINDINGS = [
    "cache docker-drop-all-capabilities",
    "cache docker-host-mounts",
    "cache docker-no-new-privileges",
    "cache docker-non-root-user",
    "cache docker-privileged",
    "cache image-digest-pinned",
    "cache image-tag-not-latest",
    "cache read-only-root-filesystem",
    "node-agent network-isolation",
    "node-agent pss-host-namespaces",
    "node-agent pss-host-path-volumes",
    "node-agent pss-host-ports",
    "node-agent pss-restricted-volumes",
    "web image-digest-pinned",
    "web image-pull-policy",
    "web pss-allow-privilege-escalation",
    "web pss-capabilities-restricted",
    "web pss-privileged",
    "web pss-run-as-non-root",
    "web pss-seccomp-restricted",
    "web read-only-root-filesystem",
    // A memory limit, a CPU request and an ephemeral-storage limit are missing.
    ...Array<string>(3).fill("web resource-limits"),
    "web service-account-token-automount",
];

/** The mandatory findings under each configuration; everything else in FINDINGS is advisory. */
const MANDATORY: Record<string, string[]> = {
    // Each policy at its default level, which follows its severity.
    defaults: [
        "cache docker-host-mounts",
        "cache docker-privileged",
        "cache image-tag-not-latest",
        "node-agent pss-host-namespaces",
        "node-agent pss-host-path-volumes",
        "web pss-privileged",
    ],
    // Baseline checks (host ports among them) block; image rules drop to advisory.
    baseline: [
        "cache docker-host-mounts",
        "cache docker-privileged",
        "node-agent pss-host-namespaces",
        "node-agent pss-host-path-volumes",
        "node-agent pss-host-ports",
        "web pss-privileged",
    ],
    restricted: [
        "cache docker-drop-all-capabilities",
        "cache docker-host-mounts",
        "cache docker-no-new-privileges",
        "cache docker-privileged",
        "cache image-tag-not-latest",
        "node-agent pss-host-namespaces",
        "node-agent pss-host-path-volumes",
        "node-agent pss-host-ports",
        "node-agent pss-restricted-volumes",
        "web pss-allow-privilege-escalation",
        "web pss-capabilities-restricted",
        "web pss-privileged",
        "web pss-run-as-non-root",
        "web pss-seccomp-restricted",
    ],
    advisory: [],
    // Everything, except what the pack itself reports as advisory: with no user set, the image's USER
    // decides whether the container runs as root, and only the image knows.
    mandatory: FINDINGS.filter((f) => f !== "cache docker-non-root-user"),
};

const expected = (mandatory: readonly string[]) =>
    FINDINGS.map((f) => `${f} ${mandatory.includes(f) ? "mandatory" : "advisory"}`).sort();

describe("real engine: pulumi policy analyze --file", function () {
    this.timeout(300_000);
    const sandboxOfTest = sandboxPerTest(false);
    let sandbox: EngineSandbox;
    let state: string;

    beforeEach(() => {
        sandbox = sandboxOfTest();
        state = sandbox.write("state.json", stateFile(RESOURCES));
    });

    for (const profile of Object.keys(MANDATORY)) {
        const configFile = profile === "defaults" ? undefined : `${ROOT}/config/${profile}.json`;
        const blocks = MANDATORY[profile].length > 0;
        it(
            `${profile === "defaults" ? "default levels" : `config/${profile}.json`}: exact findings and levels, ` +
                `exit ` +
                `${blocks ? 1 : 0}`,
            () => {
                const r = sandbox.analyze(state, { config: configFile });
                assert.deepStrictEqual(findings(r.events), expected(MANDATORY[profile]), r.stderr);
                assert.strictEqual(r.status, blocks ? 1 : 0, r.stderr);
                if (blocks) {
                    assert.match(r.stderr, /one or more mandatory policy violations were found/);
                }
                const summary = r.events.find((e) => e.summaryEvent)?.summaryEvent;
                assert.deepStrictEqual(summary?.PolicyPacks, { "container-guard": VERSION });
                assert.strictEqual(summary?.result, blocks ? "failed" : "succeeded");
            },
        );
    }

    it("reports what the test kit reports, message for message (restricted profile)", async () => {
        const config = require("../../config/restricted.json") as PolicyPackConfig;
        const r = sandbox.analyze(state, { config: `${ROOT}/config/restricted.json` });
        const kit = new PolicyTester({ policies: allPolicies, version: VERSION }, config);
        const viaKit = [];
        for (const res of RESOURCES) {
            viaKit.push(...(await kit.analyze(res)).violations.map((v) => ({ ...v, urn: v.urn ?? res.urn })));
        }
        viaKit.push(...(await kit.analyzeStack(RESOURCES)).violations);
        const key = (v: { urn?: string; policyName: string; enforcementLevel: string; message: string }) =>
            `${v.urn} ${v.policyName} ${v.enforcementLevel}\n${v.message}`;
        assert.deepStrictEqual(
            policyEvents(r.events)
                .map((e) => key({ ...e, urn: e.resourceUrn }))
                .sort(),
            viaKit.map(key).sort(),
        );
    });

    it("passes a compliant stack without findings", () => {
        const compliant = sandbox.write(
            "compliant.json",
            stateFile(RESOURCES.filter((r) => ["api", "default-deny", "worker"].includes(r.name!))),
        );
        const r = sandbox.analyze(compliant, { config: `${ROOT}/config/mandatory.json` });
        assert.deepStrictEqual(findings(r.events), []);
        assert.strictEqual(r.status, 0, r.stderr);
    });

    it("fails clearly on a configuration that names an unknown policy", () => {
        const r = sandbox.analyze(state, { config: sandbox.write("typo.json", { "pss-privilegd": "advisory" }) });
        assert.strictEqual(r.status, 1);
        assert.deepStrictEqual(findings(r.events), []);
        assert.match(
            r.stderr,
            new RegExp(
                /configuring policy pack "container-guard": invalid policy pack configuration: /.source +
                    /policy "pss-privilegd" is not a policy of this pack/.source,
            ),
        );
        assert.match(r.stderr, /Did you mean "pss-privileged"\?/);
    });

    it("judges secret build arguments and hostPaths of a stack export and prints none of them", () => {
        const SIG = "4dabf18193072939515e22adb298388d";
        const SECRET = "1b47061264138c4ac30d75fd1eb44270";
        const stored = (v: unknown) => ({ [SIG]: SECRET, plaintext: JSON.stringify(v) });
        const token = "npm-secret-token-5f1e2d3c4b";
        const socket = "/var/run/docker.sock";
        const build = named(
            {
                type: "docker-build:index:Image",
                props: {
                    push: false,
                    dockerfile: { inline: "FROM node:22.11.0\nARG NPM_TOKEN\nUSER 10001\n" },
                    context: { location: "." },
                    buildArgs: { NPM_TOKEN: token },
                },
            },
            "app-image",
        );
        const mounted = named(
            dockerContainer({ image: "redis:7.2", volumes: [{ hostPath: socket }] }, "cache"),
            "cache",
        );
        const exported = stateFile([build, mounted]) as { deployment: { resources: Record<string, unknown>[] } };
        for (const r of exported.deployment.resources) {
            const props = r.inputs as Record<string, unknown> | undefined;
            if (props?.buildArgs) {
                r.inputs = r.outputs = { ...props, buildArgs: { NPM_TOKEN: stored(token) } };
            }
            if (props?.volumes) {
                r.inputs = r.outputs = { ...props, volumes: [{ hostPath: stored(socket), containerPath: "/sock" }] };
            }
        }
        const r = sandbox.analyze(sandbox.write("secrets.json", exported));
        const found = findings(r.events);
        assert.ok(found.includes("app-image docker-build-args-secrets mandatory"), found.join(", ") + r.stderr);
        assert.ok(found.includes("cache docker-host-mounts mandatory"), found.join(", ") + r.stderr);
        const [mount] = policyEvents(r.events, "docker-host-mounts");
        assert.match(mount.message, /\[secret\]/);
        const output = r.stdout + r.stderr;
        assert.ok(!output.includes(token) && !output.includes("secret-token"), "the build argument is printed");
        assert.ok(!output.includes(socket), "the secret hostPath is printed");
    });

    it("reports a bad option once, without a stack trace or a doubled prefix, and suggests enforcementLevel", () => {
        const r = sandbox.analyze(state, {
            config: sandbox.write("bad-options.json", {
                "pss-run-as-user": { verson: "v1.30" },
                "pss-privileged": { enforcmentLevel: "advisory" },
            }),
        });
        assert.strictEqual(r.status, 1);
        assert.deepStrictEqual(findings(r.events), []);
        assert.match(
            r.stderr,
            new RegExp(
                /configuring policy pack "container-guard": invalid policy pack configuration: /.source +
                    /policy "pss-privileged": enforcmentLevel is not a known option/.source,
            ),
        );
        assert.match(r.stderr, /Did you mean "enforcementLevel"\?/);
        assert.match(r.stderr, /verson is not a known option [^\n]*Did you mean "version"\?/);
        assert.ok(!/container-guard: invalid/.test(r.stderr), r.stderr);
        assert.ok(!/\n\s+at /.test(r.stderr), `a stack trace is printed:\n${r.stderr}`);
        assert.ok(!r.stderr.includes("ConfigError"), r.stderr);
    });

    it("keeps an exempted finding visible as advisory with its reason; an expired exemption blocks again", () => {
        const exempt = (expires: string) => ({
            "pss-privileged": {
                exclude: [{ name: "web", reason: "SEC-142 vendor agent needs host devices", expires }],
            },
        });
        const current = sandbox.analyze(state, { config: sandbox.write("exempt.json", exempt("2099-12-31")) });
        const [finding] = policyEvents(current.events, "pss-privileged");
        assert.strictEqual(finding.enforcementLevel, "advisory");
        assert.match(finding.message, /Deployment prod\/web, container "web": privileged is true/);
        assert.match(
            finding.message,
            /Exempted by config pss-privileged\.exclude\[0\] until 2099-12-31: SEC-142 vendor agent needs host devices/,
        );
        // The other mandatory findings still block.
        assert.deepStrictEqual(
            findings(current.events),
            expected(MANDATORY.defaults.filter((f) => f !== "web pss-privileged")),
        );
        assert.strictEqual(current.status, 1);

        const expired = sandbox.analyze(state, { config: sandbox.write("expired.json", exempt("2020-01-01")) });
        const [blocking] = policyEvents(expired.events, "pss-privileged");
        assert.strictEqual(blocking.enforcementLevel, "mandatory");
        assert.match(blocking.message, /The exemption config pss-privileged\.exclude\[0\] expired on 2020-01-01/);
    });
});
