// Thousands of manifests in one scan (rendered-Helm style, 100 objects per file): every object is
// judged and every finding placed. Not a timing test; `scripts/bench-scan.ts` measures the speed.

import * as assert from "assert";
import * as path from "path";
import { writeManifests } from "../../scripts/bench-scan";
import { parseReport, runCli, tempDir } from "../support/cli";

describe("scan: large inputs", function () {
    this.timeout(600000);

    it("judges 5,000 manifests in 50 files", async () => {
        const dir = tempDir();
        writeManifests(path.join(dir, "rendered"), 5000);
        const r = await runCli(["scan", "rendered", "--format", "json"], { cwd: dir });
        const report = parseReport(r.stdout);
        assert.strictEqual(r.code, 1);
        assert.deepStrictEqual(report.errors, []);
        assert.strictEqual(report.summary.files, 50);
        assert.strictEqual(report.summary.resources, 5000);
        // Objects 3 and 4 of every five are Deployments; every seventh object is privileged.
        const privileged = Array.from({ length: 5000 }, (_, n) => n).filter((n) => n % 5 >= 3 && n % 7 === 0);
        const found = report.findings.filter((f) => f.policy === "pss-privileged");
        assert.deepStrictEqual(
            found.map((f) => f.resource?.name),
            privileged.map((n) => `app-${n}`),
        );
        for (const f of found) {
            const n = Number(f.resource!.name.slice("app-".length));
            assert.strictEqual(
                f.location.file,
                `rendered/rendered-${String(Math.floor(n / 100)).padStart(4, "0")}.yaml`,
            );
            assert.strictEqual(f.resource?.template, `shop/templates/object-${n}.yaml`);
        }
    });
});
