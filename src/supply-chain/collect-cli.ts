#!/usr/bin/env node
// container-guard-evidence: collect image signatures and attestations into an evidence directory.
//
//   node dist/src/supply-chain/collect-cli.js --out DIR [--insecure-registry HOST[:PORT]]... \
//        [--timeout SECONDS] [--docker-config FILE] IMAGE...
//
// Exit status: 0 when every image was collected (an image without signatures is collected as
// empty), 1 when any image could not be, 2 for a usage error.

import { collectEvidence } from "./collect";

const USAGE =
    "usage: collect-cli --out DIR [--insecure-registry HOST[:PORT]]... [--timeout SECONDS] [--docker-config FILE] " +
    "IMAGE...";

export async function main(argv: readonly string[]): Promise<number> {
    let out: string | undefined;
    let timeoutSeconds: number | undefined;
    let dockerConfig: string | undefined;
    const insecure: string[] = [];
    const images: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined) {
                throw new Error(`${arg} needs a value`);
            }
            return v;
        };
        try {
            if (arg === "--out") {
                out = value();
            } else if (arg === "--insecure-registry") {
                insecure.push(value());
            } else if (arg === "--timeout") {
                timeoutSeconds = Number(value());
                if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 1) {
                    throw new Error("--timeout needs a number of seconds (at least 1)");
                }
            } else if (arg === "--docker-config") {
                dockerConfig = value();
            } else if (arg === "-h" || arg === "--help") {
                process.stdout.write(`${USAGE}\n`);
                return 0;
            } else if (arg.startsWith("-")) {
                throw new Error(`unknown option ${arg}`);
            } else {
                images.push(arg);
            }
        } catch (err) {
            process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
            return 2;
        }
    }
    if (!out || images.length === 0) {
        process.stderr.write(`${USAGE}\n`);
        return 2;
    }
    const results = await collectEvidence(images, out, {
        insecureRegistries: insecure,
        ...(timeoutSeconds && { timeoutSeconds }),
        ...(dockerConfig && { dockerConfig }),
    });
    let failed = 0;
    for (const r of results) {
        if (r.error) {
            failed++;
            process.stdout.write(`${r.image}: not collected: ${r.error}\n`);
        } else {
            process.stdout.write(
                `${r.image} ${r.digest}: ${r.written} new, ${r.present} already ` +
                    `present${r.problems.length ? `; could not read: ${r.problems.join("; ")}` : ""}\n`,
            );
        }
    }
    return failed ? 1 : 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err) => {
            process.stderr.write(`${String(err)}\n`);
            process.exit(1);
        },
    );
}
