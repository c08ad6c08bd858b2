// Start-up cost: the engine starts the pack once per preview, and loading about 130 small modules cost the pack more
// than all its policies' set-up. `npm run build` bundles the entry point into dist/pack.js, the package's `main`; the
// behaviour of the bundled pack over gRPC is tested by grpc-server.spec.ts and the engine tests, which start it as the
// engine does. Here: the engine finds the bundle, and loading it reads no other module of this package and none of the
// packages the policies load on first use.

import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { skipUnlessBuilt } from "../support/built";

const ROOT = path.resolve(__dirname, "../..");
const BUNDLE = path.join(ROOT, "dist/pack.js");

/**
 * Packages the policies load only when a value first needs them (the parsers of structured secrets). The Sigstore
 * libraries are not among them here: the policy SDK's own `@pulumi/pulumi` loads them at start (through npm's pacote),
 * so their first-use loading is tested on the policies alone (tests/supply-chain/lazy-load.spec.ts).
 */
const ON_FIRST_USE = /node_modules[\\/](yaml|smol-toml)[\\/]/;

interface Loaded {
    /** What the pack wrote to stdout first: the engine reads the server's port from it. */
    readonly stdout: string;
    /** This package's own JavaScript modules (relative to the repository), in load order. */
    readonly ours: string[];
    /** Packages among ON_FIRST_USE that were loaded. */
    readonly onFirstUse: string[];
}

/** Loads the package's main in a fresh process and records what was loaded when the pack printed its port. */
function loadMain(): Loaded {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cg-bundle-")), "loaded.json");
    const script = `
        const fs = require("fs"), path = require("path");
        const root = ${JSON.stringify(ROOT)};
        process.stdout.write = (chunk) => {
            const loaded = Object.keys(require.cache);
            fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify({
                stdout: String(chunk),
                ours: loaded
                    .filter((k) => k.startsWith(root + path.sep) && !k.includes("node_modules") && k.endsWith(".js"))
                    .map((k) => path.relative(root, k).split(path.sep).join("/")),
                onFirstUse: [...new Set(loaded.map((k) => ${ON_FIRST_USE.toString()}.exec(k)?.[1]).filter(Boolean))],
            }));
            process.exit(0);
        };
        require(root);`;
    const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    assert.strictEqual(r.status, 0, r.stderr);
    try {
        return JSON.parse(fs.readFileSync(out, "utf8")) as Loaded;
    } finally {
        fs.rmSync(path.dirname(out), { recursive: true, force: true });
    }
}

/** The compiled JavaScript files at `entry` (a file, or a directory searched recursively). */
function compiled(entry: string): string[] {
    if (!fs.statSync(entry).isDirectory()) {
        return [entry];
    }
    return fs
        .readdirSync(entry, { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".js"))
        .map((f) => path.join(entry, f));
}

describe("the pack's entry point is one bundled file", () => {
    before(skipUnlessBuilt(BUNDLE));

    it("is the package's main, which the engine's launcher loads", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { main: string };
        assert.strictEqual(path.resolve(ROOT, pkg.main), BUNDLE);
    });

    it("is built from the current compiled modules (tsc alone, or a failed build, would leave it stale)", () => {
        const bundled = fs.statSync(BUNDLE).mtimeMs;
        const newer = ["index.js", "src", "policies"]
            .flatMap((entry) => compiled(path.join(ROOT, "dist", entry)))
            .filter((file) => fs.statSync(file).mtimeMs > bundled)
            .map((file) => path.relative(ROOT, file));
        assert.deepStrictEqual(newer, [], "compiled after dist/pack.js was bundled: run npm run build");
    });

    it("serves the pack after loading no other module of this package and no package meant for first use", () => {
        const loaded = loadMain();
        assert.match(loaded.stdout, /^\d+\n$/, "the first output must be the port alone");
        assert.deepStrictEqual(loaded.ours, ["dist/pack.js"]);
        assert.deepStrictEqual(loaded.onFirstUse, []);
    });
});
