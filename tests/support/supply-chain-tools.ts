// The real registry and signing tools (built by scripts/supply-chain-tools.sh) for the supply-chain
// integration tests: finding them, running registries on 127.0.0.1, and running crane and cosign in
// a sandbox (its own HOME, no Docker credentials, empty COSIGN_PASSWORD).

import { type ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "../..");
const TOOLS = ["registry", "crane", "cosign", "oci-registry"];

/** $CONTAINER_GUARD_SUPPLY_CHAIN_BIN, else what `scripts/supply-chain-tools.sh --check` reports (it never builds). */
export function findTools(): { bin?: string; reason: string } {
    const explicit = process.env.CONTAINER_GUARD_SUPPLY_CHAIN_BIN;
    if (explicit) {
        const missing = TOOLS.filter((t) => !fs.existsSync(path.join(explicit, t)));
        return missing.length === 0
            ? { bin: explicit, reason: "" }
            : { reason: `CONTAINER_GUARD_SUPPLY_CHAIN_BIN=${explicit} lacks ${missing.join(", ")}` };
    }
    const r = spawnSync("bash", [path.join(ROOT, "scripts/supply-chain-tools.sh"), "--check"], { encoding: "utf8" });
    const bin = r.stdout.trim();
    return r.status === 0 && bin
        ? { bin, reason: "" }
        : { reason: (r.stderr || r.stdout || `exit ${r.status}`).trim() };
}

/**
 * For a mocha `before` hook: the tools' bin directory. Without the tools the suite is skipped with
 * the reason, except under CI, where missing tools fail the run.
 */
export function requireTools(ctx: { skip(): never }): string {
    const { bin, reason } = findTools();
    if (bin) {
        return bin;
    }
    if (process.env.CI && process.env.CI !== "false") {
        throw new Error(`the supply-chain tools are missing (CI is set, so this fails instead of skipping): ${reason}`);
    }
    console.error(`    skipped: no supply-chain tools (registry, crane, cosign): ${reason}`);
    return ctx.skip();
}

/** A registry process on the loopback interface. */
export class RegistryProcess {
    private constructor(
        private readonly child: ChildProcess,
        /** `host:port` for image names. */
        readonly host: string,
    ) {}

    /**
     * Starts a registry on a free port: `oci-registry` (127.0.0.1, referrers API on or off) or the
     * stock ggcr `registry` (binds localhost, no referrers API).
     */
    static async start(bin: string, kind: "oci-registry" | "registry", referrers = true): Promise<RegistryProcess> {
        const args = kind === "oci-registry" ? ["-port", "0", `-referrers=${referrers}`] : ["-port", "0"];
        const child = spawn(path.join(bin, kind), args, { stdio: ["ignore", "pipe", "pipe"] });
        const host = await new Promise<string>((resolve, reject) => {
            let out = "";
            const timer = setTimeout(() => reject(new Error(`${kind} did not start: ${out}`)), 10_000);
            const onData = (chunk: Buffer) => {
                out += chunk.toString();
                const ours = /listening on (127\.0\.0\.1:\d+)/.exec(out);
                const stock = /serving on port (\d+)/.exec(out);
                if (ours || stock) {
                    clearTimeout(timer);
                    resolve(ours ? ours[1] : `localhost:${stock![1]}`);
                }
            };
            child.stdout.on("data", onData);
            child.stderr.on("data", onData);
            child.on("exit", (code) => reject(new Error(`${kind} exited with ${code}: ${out}`)));
        });
        // Keep draining output so the child never blocks on a full pipe.
        child.stdout.resume();
        child.stderr.resume();
        return new RegistryProcess(child, host);
    }

    stop(): void {
        if (this.child.exitCode === null) {
            this.child.kill("SIGTERM");
        }
    }
}

/** Runs crane and cosign with a private HOME and no credentials. */
export class ToolBox {
    readonly home: string;

    constructor(readonly bin: string) {
        this.home = fs.mkdtempSync(path.join(os.tmpdir(), "cg-tools-"));
    }

    run(tool: "crane" | "cosign", args: readonly string[], cwd = this.home): string {
        const r = spawnSync(path.join(this.bin, tool), args, {
            cwd,
            encoding: "utf8",
            timeout: 120_000,
            env: {
                PATH: process.env.PATH ?? "/usr/bin:/bin",
                HOME: this.home,
                DOCKER_CONFIG: path.join(this.home, ".docker"),
                COSIGN_PASSWORD: "",
                TMPDIR: os.tmpdir(),
            },
        });
        if (r.status !== 0) {
            throw new Error(`${tool} ${args.join(" ")} failed (${r.status ?? r.signal}): ${r.stderr}${r.stdout}`);
        }
        return r.stdout.trim();
    }

    /** Pushes an image with one random layer; returns its digest. */
    pushRandomImage(ref: string): string {
        const dir = fs.mkdtempSync(path.join(this.home, "img-"));
        fs.writeFileSync(path.join(dir, "payload"), Math.random().toString() + Date.now());
        spawnSync("tar", ["cf", path.join(dir, "layer.tar"), "-C", dir, "payload"]);
        this.run("crane", ["append", "-f", path.join(dir, "layer.tar"), "-t", ref]);
        return this.digest(ref);
    }

    digest(ref: string): string {
        return this.run("crane", ["digest", ref]);
    }

    /** Generates a cosign key pair in its own directory; returns the paths. */
    keyPair(name: string): { key: string; pub: string } {
        const dir = path.join(this.home, `keys-${name}`);
        fs.mkdirSync(dir, { recursive: true });
        this.run("cosign", ["generate-key-pair"], dir);
        return { key: path.join(dir, "cosign.key"), pub: path.join(dir, "cosign.pub") };
    }

    /** `cosign sign` offline (no transparency log), in the new bundle format or the legacy one. */
    sign(key: string, refWithDigest: string, legacy = false): void {
        this.run("cosign", [
            "sign",
            "--key",
            key,
            "--use-signing-config=false",
            "--tlog-upload=false",
            ...(legacy ? ["--new-bundle-format=false"] : []),
            "-y",
            refWithDigest,
        ]);
    }

    /** `cosign attest` offline with a predicate file. */
    attest(key: string, refWithDigest: string, type: string, predicate: object, legacy = false): void {
        const file = path.join(this.home, `predicate-${Date.now()}-${Math.random()}.json`);
        fs.writeFileSync(file, JSON.stringify(predicate));
        this.run("cosign", [
            "attest",
            "--key",
            key,
            "--use-signing-config=false",
            "--tlog-upload=false",
            ...(legacy ? ["--new-bundle-format=false"] : []),
            "-y",
            "--type",
            type,
            "--predicate",
            file,
            refWithDigest,
        ]);
    }

    cleanup(): void {
        fs.rmSync(this.home, { recursive: true, force: true });
    }
}
