// Start-up cost: the pack's policies load the YAML and TOML parsers only when a value first needs one
// (every `pulumi preview` starts the pack; most resources hold no structured text).

import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { skipUnlessBuilt } from "../support/built";

const ROOT = path.resolve(__dirname, "../..");
const POLICIES = path.join(ROOT, "dist/policies/index.js");

/** Loads the policies in a fresh process and lists the parser packages that got loaded. */
function loadedParsers(): string[] {
    const script =
        `require(${JSON.stringify(POLICIES)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)` +
        `.map((k) => /node_modules[\\\\/](yaml|smol-toml)[\\\\/]/.exec(k)?.[1]).filter(Boolean)))`;
    const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    assert.strictEqual(r.status, 0, r.stderr);
    return [...new Set(JSON.parse(r.stdout) as string[])].sort();
}

describe("secrets: structured-text parsers load on first use", () => {
    before(skipUnlessBuilt(POLICIES));

    // That they load when needed is shown by structured.spec.ts, which parses YAML and TOML through them.
    it("loading the policies loads neither the YAML nor the TOML parser", () => {
        assert.deepStrictEqual(loadedParsers(), []);
    });
});
