// The Pulumi Cloud path: `pulumi policy publish` uploads what `npm pack` produces; for a stack that
// requires the pack, the engine extracts the tarball's package/ directory and installs its
// dependencies there (npm install in the pack's own directory) before starting it. This builds the
// tarball from a copy of the repository, installs it that way with production dependencies only,
// and has the engine judge a state file with it.

import * as assert from "assert";
import { spawnSync, type SpawnSyncOptions } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { EngineSandbox, findings, requireToolchain, ROOT, stateFile } from "../support/pulumi-engine";
import { deployment } from "../support/workloads";
import { dockerContainer } from "../support/docker";

const PACKAGE = require("../../package.json") as {
    name: string;
    version: string;
    devDependencies: Record<string, string>;
};

/** Runs a command; fails the test with its output unless it exits 0. */
function run(command: string, args: readonly string[], options: SpawnSyncOptions & { cwd: string }): string {
    const r = spawnSync(command, args, { encoding: "utf8", timeout: 300_000, maxBuffer: 64 * 1024 * 1024, ...options });
    if (r.error || r.status !== 0) {
        throw new Error(
            `${command} ${args.join(" ")} (in ${options.cwd}) failed: ` +
                `${r.error?.message ?? `exit ${r.status}`}\n${String(r.stdout)}\n${String(r.stderr)}`,
        );
    }
    return String(r.stdout);
}

/** What `npm pack` would leave out anyway, and what a copy must not carry over (build output, local state). */
const NOT_COPIED = new Set(["node_modules", "dist", ".git", ".bench"]);

describe("real engine: the published package (npm pack, production install)", function () {
    this.timeout(600_000);
    let sandbox: EngineSandbox;
    let tarball: string;
    let files: string[];
    let installed: string;

    before(function () {
        sandbox = new EngineSandbox(requireToolchain(this, false));
        // npm pack runs the package's prepare script (the build), so it works on a copy: the checkout
        // other test runs use stays untouched.
        const source = path.join(sandbox.dir, "source");
        fs.cpSync(ROOT, source, {
            recursive: true,
            filter: (from) => path.dirname(from) !== ROOT || !NOT_COPIED.has(path.basename(from)),
        });
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(source, "node_modules"), "dir");
        const packed = JSON.parse(
            run("npm", ["pack", "--json", "--pack-destination", sandbox.dir], { cwd: source }),
        ) as { filename: string; files: { path: string }[] }[];
        tarball = path.join(sandbox.dir, packed[0].filename);
        files = packed[0].files.map((f) => f.path).sort();

        // As the engine installs a required pack: the tarball's package/ directory becomes the pack's
        // directory, and npm installs into it (here without dev dependencies, which must not be needed).
        installed = path.join(sandbox.dir, "policies", `${PACKAGE.name}-v${PACKAGE.version}`);
        fs.mkdirSync(installed, { recursive: true });
        run("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"], { cwd: sandbox.dir });
        run("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
            cwd: installed,
        });
    });

    it("ships the compiled pack, its profiles and PulumiPolicy.yaml, without sources or tests", () => {
        for (const required of [
            "PulumiPolicy.yaml",
            "package.json",
            "README.md",
            "LICENSE",
            "dist/pack.js",
            "dist/index.js",
            "dist/lib.js",
            "dist/lib.d.ts",
            "config/restricted.json",
        ]) {
            assert.ok(files.includes(required), `${required} is not in ${path.basename(tarball)}`);
        }
        const stray = files.filter(
            (f) =>
                !/^(dist\/|config\/[a-z-]+\.json$)/.test(f) &&
                !["PulumiPolicy.yaml", "package.json", "README.md", "LICENSE"].includes(f),
        );
        assert.deepStrictEqual(stray, []);
        assert.deepStrictEqual(
            files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")),
            [],
        );
    });

    it("installs without dev dependencies, with an @pulumi/pulumi this Node.js can run", () => {
        const has = (pkg: string) => fs.existsSync(path.join(installed, "node_modules", pkg, "package.json"));
        for (const dev of ["mocha", "fast-check", "@pulumi/kubernetes", "@pulumi/docker", "ajv"]) {
            assert.ok(!has(dev), `dev dependency ${dev} was installed`);
        }
        assert.ok(has("@pulumi/policy"));
        // The peer dependency is installed by npm; it must pick a release whose engines accept this Node.js.
        const sdk = JSON.parse(
            fs.readFileSync(path.join(installed, "node_modules/@pulumi/pulumi/package.json"), "utf8"),
        ) as {
            version: string;
            engines?: { node?: string };
        };
        const major = Number(process.versions.node.split(".")[0]);
        const minimum = Number(/>=\s*(\d+)/.exec(sdk.engines?.node ?? ">=0")![1]);
        assert.ok(
            major >= minimum,
            `@pulumi/pulumi ${sdk.version} needs Node.js ${sdk.engines?.node}, this is ${process.version}`,
        );
        if (major === 20) {
            assert.match(sdk.version, /^3\.248\./, "on Node.js 20, the last @pulumi/pulumi that supports it");
        }
    });

    it("is started by the engine from the installed directory and judges like the checkout", () => {
        const state = sandbox.write(
            "state.json",
            stateFile([
                {
                    ...deployment({
                        containers: [
                            {
                                name: "web",
                                image: "registry.example.com/shop/web:1.4.2",
                                securityContext: { privileged: true },
                            },
                        ],
                    }),
                    name: "web",
                },
                dockerContainer({ image: "redis", privileged: true }, "cache"),
            ]),
        );
        for (const profile of [undefined, "baseline"]) {
            const fromPackage = sandbox.analyze(state, {
                pack: installed,
                config: profile && path.join(installed, `config/${profile}.json`),
            });
            const fromCheckout = sandbox.analyze(state, {
                config: profile && path.join(ROOT, `config/${profile}.json`),
            });
            assert.ok(findings(fromPackage.events).includes("web pss-privileged mandatory"), fromPackage.stderr);
            assert.ok(findings(fromPackage.events).includes("cache docker-privileged mandatory"), fromPackage.stderr);
            assert.deepStrictEqual(findings(fromPackage.events), findings(fromCheckout.events), profile);
            assert.strictEqual(fromPackage.status, 1, fromPackage.stderr);
        }
    });
});
