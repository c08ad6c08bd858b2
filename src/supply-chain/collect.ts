// Fills an evidence directory (layout: evidence.ts) from registries, so that a later preview or
// `container-guard scan --offline` can verify signatures with no network: run it where the
// registries are reachable, copy the directory, and point the policies' `evidenceDir` option at it.
//
// Files are named by the hash of their content, so running it again adds what is new and rewrites
// nothing. Tags are recorded in tags.json with the digest they named at collection time.

import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { canonicalImageRef, parseImageRef, pulledTag } from "../images/image-ref";
import { DockerCredentials } from "./auth";
import { errorText, isObject } from "./config-util";
import {
    type EvidenceItem,
    RegistrySource,
    TAGS_FILE,
    digestTag,
    evidenceFileContent,
    evidenceFileName,
} from "./evidence";
import { Deadline, EvidenceError, Transport } from "./http";
import { RegistryClient, type Repository, repositoryName } from "./registry";
import { DEFAULT_LIMITS, DEFAULT_TIMEOUT_SECONDS, type Limits, type VerifierOptions } from "./verifier";

export interface CollectResult {
    readonly image: string;
    readonly digest?: string;
    /** Files written (new) and already present. */
    readonly written: number;
    readonly present: number;
    /** Problems that did not stop collection (an unreadable referrer). */
    readonly problems: readonly string[];
    /** Set when nothing could be collected for the image. */
    readonly error?: string;
}

function writeAtomically(file: string, content: string): void {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
}

/** Collects the signatures and attestations of each image into `dir`. Never throws. */
export async function collectEvidence(
    images: readonly string[],
    dir: string,
    options: VerifierOptions = {},
): Promise<CollectResult[]> {
    const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
    const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const transport = new Transport({
        insecureRegistries: new Set((options.insecureRegistries ?? []).map((h) => h.toLowerCase())),
        requestTimeoutMs: timeoutSeconds * 1000,
        maxRedirects: limits.maxRedirects,
        concurrency: limits.concurrency,
        ...(options.extraCaPem && { extraCaPem: options.extraCaPem }),
    });
    const source = new RegistrySource(
        new RegistryClient(transport, new DockerCredentials(options.dockerConfig, options.env ?? process.env), limits),
    );
    const results: CollectResult[] = [];
    const tagsFile = path.join(dir, TAGS_FILE);
    let tags: Record<string, string>;
    try {
        fs.mkdirSync(dir, { recursive: true });
        const existing: unknown = fs.existsSync(tagsFile) ? JSON.parse(fs.readFileSync(tagsFile, "utf8")) : {};
        tags = isObject(existing) ? (existing as Record<string, string>) : {};
    } catch (err) {
        transport.close();
        return images.map((image) => ({
            image,
            written: 0,
            present: 0,
            problems: [],
            error: `the evidence directory ${dir} could not be prepared (${errorText(err)})`,
        }));
    }
    try {
        for (const image of images) {
            results.push(await collectOne(image, dir, source, timeoutSeconds, tags));
        }
        writeAtomically(tagsFile, `${JSON.stringify(tags, null, 2)}\n`);
    } catch (err) {
        results.push({ image: "(all)", written: 0, present: 0, problems: [], error: errorText(err) });
    } finally {
        transport.close();
    }
    return results;
}

async function collectOne(
    image: string,
    dir: string,
    source: RegistrySource,
    timeoutSeconds: number,
    tags: Record<string, string>,
): Promise<CollectResult> {
    const ref = parseImageRef(image);
    if (ref.kind !== "reference") {
        return {
            image,
            written: 0,
            present: 0,
            problems: [],
            error:
                ref.kind === "id" ? "an image ID names no repository" : `not a valid image reference (${ref.reason})`,
        };
    }
    const repo: Repository = { registry: ref.domain.toLowerCase(), path: ref.path };
    const deadline = Deadline.after(timeoutSeconds);
    try {
        let digest = ref.digest?.value;
        const tag = pulledTag(ref);
        if (!digest && tag) {
            digest = await source.resolveTag(repo, tag, deadline);
            if (!digest) {
                return {
                    image,
                    written: 0,
                    present: 0,
                    problems: [],
                    error: `the tag ${JSON.stringify(tag)} does not exist in ${repositoryName(repo)}`,
                };
            }
            tags[`${repositoryName(repo)}:${tag}`] = digest;
        }
        if (!digest) {
            return { image, written: 0, present: 0, problems: [], error: "no digest" };
        }
        const sets = [
            await source.bundles(repo, digest, deadline),
            await source.legacySignatures(repo, digest, deadline),
            await source.legacyAttestations(repo, digest, deadline),
        ];
        const sub = path.join(dir, digestTag(digest));
        fs.mkdirSync(sub, { recursive: true });
        let written = 0;
        let present = 0;
        const items: EvidenceItem[] = sets.flatMap((s) => s.items);
        for (const item of items) {
            const content = `${JSON.stringify(evidenceFileContent(item), null, 2)}\n`;
            const name = evidenceFileName(item, createHash("sha256").update(content).digest("hex").slice(0, 32));
            const file = path.join(sub, name);
            if (fs.existsSync(file)) {
                present++;
            } else {
                writeAtomically(file, content);
                written++;
            }
        }
        return { image: canonicalImageRef(ref), digest, written, present, problems: sets.flatMap((s) => s.problems) };
    } catch (err) {
        return {
            image,
            written: 0,
            present: 0,
            problems: [],
            error: err instanceof EvidenceError ? err.reason : errorText(err),
        };
    } finally {
        deadline.dispose();
    }
}
