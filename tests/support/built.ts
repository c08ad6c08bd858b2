// Specs that measure the built package (dist/): `npm test` builds first, but a bare mocha run may have no dist/, and
// then such a spec has nothing to measure.

import * as fs from "fs";
import * as path from "path";

/** A mocha `before` hook that skips the suite, saying why, unless `file` (a built file) exists. */
export function skipUnlessBuilt(file: string): (this: Mocha.Context) => void {
    return function () {
        if (!fs.existsSync(file)) {
            console.error(`    skipped: ${path.basename(file)} is not built (run npm run build)`);
            this.skip();
        }
    };
}
