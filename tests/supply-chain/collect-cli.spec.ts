// The evidence collector's command line: usage errors, collection, and the exit status.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../src/supply-chain/collect-cli";
import { FakeRegistry } from "../support/fake-registry";
import { COSIGN_SIGN, attachBundle, keyedBundle, statement, testKey } from "../support/signing";

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    // Saved to be put back as they were; never called detached.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const write = { out: process.stdout.write, err: process.stderr.write };
    process.stdout.write = (chunk: string) => ((out += chunk), true);
    process.stderr.write = (chunk: string) => ((err += chunk), true);
    try {
        return { code: await main(args), out, err };
    } finally {
        process.stdout.write = write.out;
        process.stderr.write = write.err;
    }
}

describe("supply chain: evidence collector command line", () => {
    const reg = new FakeRegistry();
    let host = "";
    let dir = "";
    before(async () => {
        host = await reg.start();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "cg-collect-"));
    });
    after(async () => {
        await reg.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("rejects missing arguments and unknown options with the usage", async () => {
        assert.strictEqual((await run([])).code, 2);
        const unknown = await run(["--out", dir, "--colour", "x"]);
        assert.strictEqual(unknown.code, 2);
        assert.match(unknown.err, /^unknown option --colour\nusage: collect-cli --out DIR/);
    });

    it("collects an image's signatures, reports each image, and fails when one cannot be collected", async () => {
        const digest = reg.pushImage("team/app", "1.0");
        attachBundle(reg, "team/app", digest, keyedBundle(testKey(), statement(digest, COSIGN_SIGN)));
        const r = await run([
            "--out",
            dir,
            "--insecure-registry",
            host,
            "--timeout",
            "5",
            `${host}/team/app:1.0`,
            `${host}/team/missing:1.0`,
        ]);
        assert.strictEqual(r.code, 1);
        assert.strictEqual(
            r.out,
            `${host}/team/app:1.0 ${digest}: 1 new, 0 already present\n${host}/team/missing:1.0: not collected: the ` +
                `tag "1.0" does not exist in ${host}/team/missing\n`,
        );
        assert.strictEqual(fs.readdirSync(path.join(dir, digest.replace(":", "-"))).length, 1);
    });
});
