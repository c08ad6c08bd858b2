// The real engine previewing TypeScript programs (tests/e2e/programs) with `--policy-pack`: the
// program runs, the Kubernetes provider checks its resources (with no cluster to reach), the engine
// remediates and analyzes each resource before its step and the whole stack at the end, and the exit
// code tells CI whether the preview may proceed.

import * as assert from "assert";
import { UNKNOWN } from "../../testkit";
import {
    type EngineEvent,
    EngineSandbox,
    findings,
    policyEvents,
    ROOT,
    sandboxPerTest,
} from "../support/pulumi-engine";

type Obj = Record<string, unknown>;

/** The inputs the engine would create `name` with (after remediation), from its resourcePreEvent. */
function plannedInputs(events: readonly EngineEvent[], name: string): Obj {
    const step = events.find((e) => e.resourcePreEvent?.metadata.urn.endsWith(`::${name}`))?.resourcePreEvent;
    assert.ok(step?.metadata.new?.inputs, `no step for ${name}`);
    assert.strictEqual(step.metadata.op, "create");
    return step.metadata.new.inputs;
}

function podSpecOf(inputs: Obj): Obj {
    return ((inputs.spec as Obj).template as Obj).spec as Obj;
}

function firstContainer(inputs: Obj): Obj {
    return (podSpecOf(inputs).containers as Obj[])[0];
}

function result(events: readonly EngineEvent[]): string | undefined {
    const summary = events.find((e) => e.summaryEvent)?.summaryEvent;
    assert.strictEqual(summary?.isPreview, true);
    return summary.result;
}

/** Findings every preview of the privileged Deployment has, besides pss-privileged. */
const PRIVILEGED_WEB_ADVISORIES = [
    "web image-digest-pinned advisory",
    "web image-pull-policy advisory",
    "web network-isolation advisory",
    "web pss-allow-privilege-escalation advisory",
    "web pss-capabilities-restricted advisory",
    "web pss-run-as-non-root advisory",
    "web pss-seccomp-restricted advisory",
    "web read-only-root-filesystem advisory",
    // A memory limit, a CPU request and an ephemeral-storage limit are missing.
    ...Array<string>(3).fill("web resource-limits advisory"),
    "web service-account-token-automount advisory",
];

describe("real engine: pulumi preview --policy-pack", function () {
    this.timeout(300_000);
    const sandboxOfTest = sandboxPerTest(true);
    let sandbox: EngineSandbox;

    beforeEach(() => {
        sandbox = sandboxOfTest();
    });

    it("blocks the preview on a mandatory violation (privileged container)", () => {
        const r = sandbox.program("privileged").preview();
        assert.deepStrictEqual(
            findings(r.events),
            [...PRIVILEGED_WEB_ADVISORIES, "web pss-privileged mandatory"].sort(),
            r.stderr,
        );
        const [privileged] = policyEvents(r.events, "pss-privileged");
        assert.match(
            privileged.message,
            new RegExp(
                /Deployment shop\/web, container "web": privileged is true /.source +
                    /\(spec\.template\.spec\.containers\[0\]\.securityContext\.privileged\)/.source,
            ),
        );
        assert.strictEqual(privileged.severity, "critical");
        assert.strictEqual(result(r.events), "failed");
        assert.strictEqual(r.status, 1, r.stderr);
    });

    it("lets the same preview pass in advisory mode (config/advisory.json), reporting the same findings", () => {
        const r = sandbox.program("privileged").preview({ config: `${ROOT}/config/advisory.json` });
        assert.deepStrictEqual(
            findings(r.events),
            [...PRIVILEGED_WEB_ADVISORIES, "web pss-privileged advisory"].sort(),
            r.stderr,
        );
        assert.strictEqual(result(r.events), "succeeded");
        assert.strictEqual(r.status, 0, r.stderr);
    });

    it("still blocks a privileged container whose image is unknown during preview", () => {
        const r = sandbox.program("unknown-image").preview();
        // The engine sent the image as unknown: it comes from the registry Service's status.
        assert.strictEqual(firstContainer(plannedInputs(r.events, "web")).image, UNKNOWN);
        assert.deepStrictEqual(
            findings(r.events),
            [...PRIVILEGED_WEB_ADVISORIES, "web pss-privileged mandatory", "web image-tag-not-latest advisory"].sort(),
            r.stderr,
        );
        // Only the image checks wait for the value, and they say so.
        for (const policy of ["image-tag-not-latest", "image-digest-pinned"]) {
            const [e] = policyEvents(r.events, policy);
            assert.match(
                e.message,
                new RegExp(
                    /spec\.template\.spec\.containers\[0\]\.image is not known during preview, /.source +
                        /so this check cannot judge it yet/.source,
                ),
                policy,
            );
        }
        assert.strictEqual(r.status, 1, r.stderr);
    });

    it(
        "remediates at the remediate level: the preview " + "shows the fixed inputs and passes the restricted profile",
        () => {
            const restricted = require("../../config/restricted.json") as Obj;
            const fixable = ["pss-allow-privilege-escalation", "pss-capabilities-restricted", "pss-seccomp-restricted"];

            const unfixed = sandbox.program("remediation").preview({ config: `${ROOT}/config/restricted.json` });
            assert.deepStrictEqual(
                findings(unfixed.events),
                fixable.map((p) => `api ${p} mandatory`),
            );
            assert.strictEqual(unfixed.status, 1, unfixed.stderr);

            const config = sandbox.write("remediate.json", {
                ...restricted,
                ...Object.fromEntries(fixable.map((p) => [p, "remediate"])),
            });
            const fixed = new EngineSandbox(sandbox.bin).program("remediation").preview({ config });
            assert.deepStrictEqual(findings(fixed.events), [], fixed.stderr);
            const remediations = fixed.events.flatMap((e) =>
                e.policyRemediationEvent ? [e.policyRemediationEvent] : [],
            );
            assert.deepStrictEqual(
                remediations.map((e) => `${e.resourceUrn.split("::").pop()} ${e.policyName}`).sort(),
                fixable.map((p) => `api ${p}`),
            );
            const inputs = plannedInputs(fixed.events, "api");
            assert.deepStrictEqual(firstContainer(inputs).securityContext, {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
                readOnlyRootFilesystem: true,
            });
            assert.deepStrictEqual(podSpecOf(inputs).securityContext, {
                runAsNonRoot: true,
                runAsUser: 10001,
                seccompProfile: { type: "RuntimeDefault" },
            });
            assert.strictEqual(result(fixed.events), "succeeded");
            assert.strictEqual(fixed.status, 0, fixed.stderr);
        },
    );

    it("fails the preview with the program's own error, reported once", () => {
        const r = sandbox.program("missing-config").preview();
        const errors = r.events.flatMap((e) =>
            e.diagnosticEvent?.severity === "error" ? [e.diagnosticEvent.message] : [],
        );
        assert.deepStrictEqual(errors, [
            "replicas must be at least 1 (set it with: pulumi config set replicas <n>), got 0\n",
        ]);
        assert.ok(!r.events.some((e) => e.resourcePreEvent?.metadata.type.startsWith("kubernetes:")));
        assert.strictEqual(result(r.events), "failed");
        assert.strictEqual(r.status, 1, r.stderr);
    });

    it("judges an image and a hostPath that are Pulumi secrets, printing neither (stdout, stderr, events)", () => {
        const image = "registry.internal/payments-secret-team/ledger-web:latest";
        const hostPath = "/srv/secret-node-keys/ledger";
        const r = sandbox.program("secret-values", { secret: { image, hostPath } }).preview();
        const found = findings(r.events);
        for (const f of [
            "web image-tag-not-latest mandatory",
            "web image-digest-pinned advisory",
            "web pss-host-path-volumes mandatory",
        ]) {
            assert.ok(found.includes(f), `${f} missing from ${found.join(", ")}\n${r.stderr}`);
        }
        const [latest] = policyEvents(r.events, "image-tag-not-latest");
        assert.match(latest.message, /\[secret\]/);
        const output = r.stdout + r.stderr;
        for (const value of [image, hostPath, "payments-secret-team", "secret-node-keys", "ledger-web"]) {
            assert.ok(!output.includes(value), `${value} appears in the output`);
        }
        assert.strictEqual(r.status, 1, r.stderr);
    });

    it("runs the stack policies on the previewed stack and never prints a secret from stack configuration", () => {
        const password = "s3cr3t-Pa55w0rd-for-e2e";
        const stackPolicies = sandbox.write("stack-policies.json", {
            "network-isolation": "mandatory",
            "namespace-pod-security": "mandatory",
        });
        const r = sandbox.program("stack", { secret: { dbPassword: password } }).preview({ config: stackPolicies });
        assert.deepStrictEqual(
            findings(r.events),
            [
                "shop namespace-pod-security mandatory",
                "web network-isolation mandatory",
                "web secrets-env-literal mandatory",
            ],
            r.stderr,
        );
        assert.match(
            policyEvents(r.events, "namespace-pod-security")[0].message,
            /Namespace shop: the pod-security\.kubernetes\.io\/enforce label is not set/,
        );
        assert.match(policyEvents(r.events, "secrets-env-literal")[0].message, /DB_PASSWORD/);
        assert.ok(
            !r.stdout.includes(password) && !r.stderr.includes(password),
            "the secret value appears in the output",
        );
        assert.strictEqual(r.status, 1, r.stderr);

        // Plain stack configuration reaches the program too: isolated adds the labels and a NetworkPolicy.
        const isolated = new EngineSandbox(sandbox.bin)
            .program("stack", { plain: { isolated: "true" } })
            .preview({ config: stackPolicies });
        assert.deepStrictEqual(findings(isolated.events), [], isolated.stderr);
        assert.ok(
            isolated.events.some(
                (e) => e.resourcePreEvent?.metadata.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            ),
        );
        assert.strictEqual(isolated.status, 0, isolated.stderr);
    });
});
