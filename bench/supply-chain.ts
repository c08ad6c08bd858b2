// Supply-chain verification cost, as a preview would pay it:
//   1. 300 "deployments" sharing 10 signed images, verified concurrently against a loopback registry:
//      registry verifications performed (must be ≤ 10), wall time, HTTP requests;
//   2. time per verification (one image at a time, each round on a fresh verifier; target < 100 ms),
//      with the load average, since the figures depend on what else the machine runs;
//   3. an unreachable registry (a port that accepts connections and never answers): the cost for 300
//      deployments of 10 images must be about timeoutSeconds per image, not per deployment;
//   4. the same through the policy path: 300 Deployments analyzed by the image-signature policy in the
//      pack's local engine (the SDK's decoding and proxies, the policy framework, the shared verifier),
//      concurrently and one at a time, against the registry and against an unreachable one.
//
// Usage: node -r ts-node/register/transpile-only bench/supply-chain.ts [--timeout SECONDS] [--rounds N] [--fake]
//   Uses the real oci-registry and cosign from scripts/supply-chain-tools.sh when built (else, or with
//   --fake, an in-process registry with signatures made in Node).

import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import { imageSignature } from "../policies/images";
import { LocalEngine } from "../src/engine/local-engine";
import { parseImageRef } from "../src/images/image-ref";
import { type SignatureRequirement, Verifier, compileSignatureRequirements, sharedVerifier } from "../src/supply-chain";
import { verifierOptionsOf } from "../src/supply-chain/policy-options";
import { FakeRegistry } from "../tests/support/fake-registry";
import { COSIGN_SIGN, attachBundle, keyedBundle, statement, testKey } from "../tests/support/signing";
import { RegistryProcess, ToolBox, findTools } from "../tests/support/supply-chain-tools";

const IMAGES = 10;
const DEPLOYMENTS = 300;

interface Setup {
    readonly host: string;
    readonly publicPem: string;
    readonly kind: string;
    stop(): Promise<void> | void;
}

async function realSetup(bin: string): Promise<Setup> {
    const tools = new ToolBox(bin);
    const registry = await RegistryProcess.start(bin, "oci-registry", true);
    const keys = tools.keyPair("bench");
    for (let i = 0; i < IMAGES; i++) {
        const digest = tools.pushRandomImage(`${registry.host}/bench/app${i}:1.0`);
        tools.sign(keys.key, `${registry.host}/bench/app${i}@${digest}`);
    }
    return {
        host: registry.host,
        publicPem: fs.readFileSync(keys.pub, "utf8"),
        kind: "oci-registry (go-containerregistry, referrers API) with cosign v3 signatures",
        stop: () => {
            registry.stop();
            tools.cleanup();
        },
    };
}

async function fakeSetup(): Promise<Setup> {
    const reg = new FakeRegistry();
    const host = await reg.start();
    const key = testKey();
    for (let i = 0; i < IMAGES; i++) {
        const digest = reg.pushImage(`bench/app${i}`, "1.0");
        attachBundle(reg, `bench/app${i}`, digest, keyedBundle(key, statement(digest, COSIGN_SIGN)));
    }
    return {
        host,
        publicPem: key.publicPem,
        kind: "in-process registry with cosign-format signatures made in Node",
        stop: () => reg.stop(),
    };
}

function requirement(host: string, pem: string): SignatureRequirement {
    const c = compileSignatureRequirements([{ images: [`${host}/**`], keys: [pem] }]);
    if (c.errors.length) {
        throw new Error(c.errors.join("\n"));
    }
    return c.requirements[0];
}

/** A TCP server that accepts connections and never answers: a registry that hangs. */
async function blackhole(): Promise<{ host: string; close(): void }> {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return {
        host: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
        close: () => {
            sockets.forEach((s) => s.destroy());
            server.close();
        },
    };
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    const timeoutSeconds = Number(args[args.indexOf("--timeout") + 1]) || 2;
    const rounds = args.includes("--rounds") ? Number(args[args.indexOf("--rounds") + 1]) || 5 : 5;
    const tools = args.includes("--fake") ? { reason: "--fake" } : findTools();
    const setup = tools.bin ? await realSetup(tools.bin) : await fakeSetup();
    console.log(
        `registry: ${setup.kind} on ` +
            `${setup.host}${tools.bin ? "" : ` (real tools not used: ${tools.reason.split("\n")[0]})`}`,
    );
    try {
        const req = requirement(setup.host, setup.publicPem);
        const images = Array.from({ length: IMAGES }, (_, i) => parseImageRef(`${setup.host}/bench/app${i}:1.0`));

        // 1. Many resources, few images.
        const shared = new Verifier({ insecureRegistries: [setup.host], timeoutSeconds });
        let started = process.hrtime.bigint();
        const verdicts = await Promise.all(
            Array.from({ length: DEPLOYMENTS }, (_, i) => shared.verifySignature(images[i % IMAGES], req)),
        );
        const wall = Number(process.hrtime.bigint() - started) / 1e6;
        const verified = verdicts.filter((v) => v.status === "verified").length;
        const stats = shared.stats;
        shared.close();
        console.log(`\n${DEPLOYMENTS} deployments sharing ${IMAGES} images:`);
        console.log(`  verdicts verified:           ${verified}/${DEPLOYMENTS}`);
        console.log(`  registry verifications:      ${stats.verifications} (limit ${IMAGES})`);
        console.log(`  tag resolutions:             ${stats.resolutions}`);
        console.log(`  HTTP requests:               ${stats.httpRequests}`);
        console.log(`  wall time:                   ${ms(wall)} (first use of the Sigstore libraries included)`);
        if (stats.verifications > IMAGES || verified !== DEPLOYMENTS) {
            throw new Error("more verifications than images, or a verdict that is not verified");
        }

        // 2. Time per verification, one image at a time, each round on a fresh verifier (no cached
        //    verdicts, new connections; the Sigstore libraries are already loaded by step 1).
        const times: number[] = [];
        for (let round = 0; round < rounds; round++) {
            const single = new Verifier({ insecureRegistries: [setup.host], timeoutSeconds });
            for (const image of images) {
                started = process.hrtime.bigint();
                const v = await single.verifySignature(image, req);
                times.push(Number(process.hrtime.bigint() - started) / 1e6);
                if (v.status !== "verified") {
                    throw new Error(v.reason);
                }
            }
            single.close();
        }
        times.sort((a, b) => a - b);
        const mean = times.reduce((a, b) => a + b, 0) / times.length;
        const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
        console.log(
            `\ntime per verification (resolve tag, referrers, bundle, legacy tag, verify; ${IMAGES} images × ` +
                `${rounds} fresh verifiers, sequential; load average ${os.loadavg()[0].toFixed(1)} on ` +
                `${os.cpus().length} CPUs):`,
        );
        console.log(
            `  mean ${ms(mean)}, median ${ms(at(0.5))}, p90 ${ms(at(0.9))}, max ${ms(times[times.length - 1])}; ` +
                `${times.filter((t) => t < 100).length}/${times.length} under 100 ms (target < 100 ms)`,
        );

        // 3. Unreachable registries.
        const hole = await blackhole();
        try {
            const down = new Verifier({ insecureRegistries: [hole.host], timeoutSeconds });
            const downImages = Array.from({ length: IMAGES }, (_, i) =>
                parseImageRef(`${hole.host}/bench/app${i}:1.0`),
            );
            const downReq = requirement(hole.host, setup.publicPem);
            started = process.hrtime.bigint();
            const downVerdicts = await Promise.all(
                Array.from({ length: DEPLOYMENTS }, (_, i) => down.verifySignature(downImages[i % IMAGES], downReq)),
            );
            const downWall = Number(process.hrtime.bigint() - started) / 1e6;
            console.log(
                `\nunreachable registry (accepts, never answers), timeoutSeconds ${timeoutSeconds}, ${DEPLOYMENTS} ` +
                    `deployments of ${IMAGES} images on it:`,
            );
            console.log(
                `  verdicts:                    ${downVerdicts.filter((v) => v.status === "error").length} error, 0 ` +
                    `verified expected (got ${downVerdicts.filter((v) => v.status === "verified").length})`,
            );
            console.log(
                `  wall time:                   ${ms(downWall)} (budget: ${IMAGES} images × ${timeoutSeconds} s = ` +
                    `${IMAGES * timeoutSeconds} s; per deployment would be ${DEPLOYMENTS * timeoutSeconds} s)`,
            );
            console.log(
                `  tag resolutions attempted:   ${down.stats.resolutions}; HTTP requests sent: ` +
                    `${down.stats.httpRequests}`,
            );
            console.log(`  reason:                      ${downVerdicts[0].reason}`);
            console.log(`  reason (a later image):      ${downVerdicts[IMAGES - 1].reason}`);
            down.close();
        } finally {
            hole.close();
        }
        // The same with one unreachable registry per image: no host is remembered as down for another.
        const holes = await Promise.all(Array.from({ length: IMAGES }, () => blackhole()));
        try {
            const down = new Verifier({ insecureRegistries: holes.map((h) => h.host), timeoutSeconds });
            started = process.hrtime.bigint();
            await Promise.all(
                Array.from({ length: DEPLOYMENTS }, (_, i) =>
                    down.verifySignature(
                        parseImageRef(`${holes[i % IMAGES].host}/bench/app:1.0`),
                        requirement(holes[i % IMAGES].host, setup.publicPem),
                    ),
                ),
            );
            const wallEach = Number(process.hrtime.bigint() - started) / 1e6;
            console.log(`\n${IMAGES} unreachable registries, one per image, ${DEPLOYMENTS} deployments:`);
            console.log(
                `  wall time:                   ${ms(wallEach)} (images are waited for in parallel, up to the ` +
                    `concurrency limit; each image ≤ ${timeoutSeconds} s)`,
            );
            console.log(`  tag resolutions attempted:   ${down.stats.resolutions}`);
            down.close();
            // One resource at a time, as an engine that judges resources sequentially would ask.
            const sequential = new Verifier({ insecureRegistries: holes.map((h) => h.host), timeoutSeconds });
            started = process.hrtime.bigint();
            for (let i = 0; i < DEPLOYMENTS; i++) {
                await sequential.verifySignature(
                    parseImageRef(`${holes[i % IMAGES].host}/bench/app:1.0`),
                    requirement(holes[i % IMAGES].host, setup.publicPem),
                );
            }
            const wallSequential = Number(process.hrtime.bigint() - started) / 1e6;
            console.log(
                `  the same, one deployment at a time: ${ms(wallSequential)} = ` +
                    `${(wallSequential / IMAGES / 1000).toFixed(2)} s per image (timeoutSeconds ${timeoutSeconds})`,
            );
            sequential.close();
        } finally {
            holes.forEach((h) => h.close());
        }

        // 4. Through the policy path.
        await policyPath(setup, timeoutSeconds);
    } finally {
        await setup.stop();
    }
}

/** A Deployment named `name` running `image`. */
function deploymentOf(name: string, image: string) {
    return {
        type: "kubernetes:apps/v1:Deployment",
        name,
        props: {
            metadata: { name, namespace: "bench" },
            spec: { template: { spec: { containers: [{ name: "app", image }] } } },
        },
    };
}

/**
 * Analyzes 300 Deployments of 10 images with image-signature in the local engine; `options` are the
 * policy's verifier options (each distinct set gets a fresh shared verifier, as in a new preview).
 */
async function analyzeAll(
    images: readonly string[],
    options: { insecureRegistries: string[]; timeoutSeconds: number },
    requirement: object,
    sequential: boolean,
): Promise<{ wall: number; perResource: number[]; findings: number; verifier: Verifier }> {
    const engine = new LocalEngine(
        { policies: [imageSignature] },
        { "image-signature": { enforcementLevel: "mandatory", requirements: [requirement], ...options } },
    );
    const resources = Array.from({ length: DEPLOYMENTS }, (_, i) =>
        deploymentOf(`web-${i}`, images[i % images.length]),
    );
    const perResource: number[] = [];
    let findings = 0;
    const started = process.hrtime.bigint();
    const one = async (r: (typeof resources)[number]) => {
        const t = process.hrtime.bigint();
        const result = await engine.analyze(r);
        perResource.push(Number(process.hrtime.bigint() - t) / 1e6);
        findings += result.violations.length;
    };
    if (sequential) {
        for (const r of resources) {
            await one(r);
        }
    } else {
        await Promise.all(resources.map(one));
    }
    const wall = Number(process.hrtime.bigint() - started) / 1e6;
    return { wall, perResource, findings, verifier: sharedVerifier(verifierOptionsOf(options)) };
}

async function policyPath(setup: Setup, timeoutSeconds: number): Promise<void> {
    const images = Array.from({ length: IMAGES }, (_, i) => `${setup.host}/bench/app${i}:1.0`);
    const requirement = { images: [`${setup.host}/**`], keys: [setup.publicPem] };
    // The first analysis in a process loads the policy SDK (and @pulumi/pulumi): timed apart.
    const started = process.hrtime.bigint();
    await new LocalEngine({ policies: [imageSignature] }).analyze(deploymentOf("warm-up", "nginx:1.27"));
    console.log(
        `\nthrough the policy path (image-signature in the local engine), ${DEPLOYMENTS} Deployments of ` +
            `${IMAGES} images (the first analysis in the process loads the policy SDK: ` +
            `${ms(Number(process.hrtime.bigint() - started) / 1e6)}):`,
    );
    // Each run gets its own option set (timeoutSeconds differs), hence a fresh verifier: no run reuses
    // another's verdicts.
    const concurrent = await analyzeAll(
        images,
        { insecureRegistries: [setup.host], timeoutSeconds: timeoutSeconds + 100 },
        requirement,
        false,
    );
    const cs = concurrent.verifier.stats;
    console.log(
        `  concurrently: findings ${concurrent.findings} (expected 0), registry verifications ` +
            `${cs.verifications} (limit ${IMAGES}), tag resolutions ${cs.resolutions}, HTTP requests ` +
            `${cs.httpRequests}, wall ${ms(concurrent.wall)}`,
    );
    const sequential = await analyzeAll(
        images,
        { insecureRegistries: [setup.host], timeoutSeconds: timeoutSeconds + 101 },
        requirement,
        true,
    );
    const first = sequential.perResource.slice(0, IMAGES);
    const rest = sequential.perResource.slice(IMAGES).sort((a, b) => a - b);
    console.log(
        `  one at a time: wall ${ms(sequential.wall)}; the first Deployment of each image (verifies it): ` +
            `mean ${ms(first.reduce((a, b) => a + b, 0) / first.length)}, max ${ms(Math.max(...first))} ` +
            `(target < 100 ms); the other ${rest.length} (cached verdict): median ` +
            `${ms(rest[Math.floor(rest.length / 2)])}, max ${ms(rest[rest.length - 1])}; verifications ` +
            `${sequential.verifier.stats.verifications}`,
    );
    if (concurrent.findings !== 0 || sequential.findings !== 0 || cs.verifications > IMAGES) {
        throw new Error("the policy path verified an image more than once, or reported a signed image");
    }
    concurrent.verifier.close();
    sequential.verifier.close();

    const hole = await blackhole();
    try {
        const downImages = Array.from({ length: IMAGES }, (_, i) => `${hole.host}/bench/app${i}:1.0`);
        const downRequirement = { images: [`${hole.host}/**`], keys: [setup.publicPem] };
        for (const sequentially of [false, true]) {
            const timeout = timeoutSeconds + (sequentially ? 1 : 0); // a fresh verifier for each run
            const down = await analyzeAll(
                downImages,
                { insecureRegistries: [hole.host], timeoutSeconds: timeout },
                downRequirement,
                sequentially,
            );
            console.log(
                `  unreachable registry, ${sequentially ? "one at a time" : "concurrently"} (timeoutSeconds ` +
                    `${timeout}): wall ${ms(down.wall)} (budget ${IMAGES * timeout} s = ${IMAGES} images × ` +
                    `timeoutSeconds; per resource it would be ${DEPLOYMENTS * timeout} s), findings ` +
                    `${down.findings} (expected ${DEPLOYMENTS}: could not verify), tag resolutions ` +
                    `${down.verifier.stats.resolutions}`,
            );
            down.verifier.close();
        }
    } finally {
        hole.close();
    }
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
