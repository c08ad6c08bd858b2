// A loopback registry (tests/support/fake-registry.ts) holding images in every state the image
// signature policies judge: signed by the trusted key, signed by another key, unsigned, and carrying
// a trusted signature replayed from another image. Signatures are cosign v3 bundles attached as OCI
// referrers (the format cosign writes by default), made in Node (tests/support/signing.ts).

import * as net from "net";
import { FakeRegistry } from "./fake-registry";
import { COSIGN_SIGN, type TestKey, attachBundle, keyedBundle, statement, testKey } from "./signing";

export interface SignedImage {
    /** `host/team/<name>:1.0`. */
    readonly tag: string;
    readonly digest: string;
    /** `host/team/<name>@<digest>`. */
    readonly pinned: string;
}

export class SignedRegistry {
    readonly registry = new FakeRegistry();
    readonly trusted: TestKey = testKey();
    readonly other: TestKey = testKey();
    host = "";
    /** Signed by the trusted key. */
    signed!: SignedImage;
    /** Signed by another key only. */
    wrong!: SignedImage;
    /** No signature at all. */
    unsigned!: SignedImage;
    /** Carries the trusted signature of `signed`, re-attached to its own digest. */
    replay!: SignedImage;

    async start(): Promise<this> {
        this.host = await this.registry.start();
        this.signed = this.push("signed");
        this.sign(this.signed, this.trusted);
        this.wrong = this.push("wrong");
        this.sign(this.wrong, this.other);
        this.unsigned = this.push("unsigned");
        this.replay = this.push("replay");
        // The signature statement names `signed`'s digest; attached to `replay` it must not count.
        attachBundle(
            this.registry,
            "team/replay",
            this.replay.digest,
            keyedBundle(this.trusted, statement(this.signed.digest, COSIGN_SIGN)),
        );
        return this;
    }

    /** Pushes `team/<name>:1.0` (random content). */
    push(name: string, tag = "1.0"): SignedImage {
        const digest = this.registry.pushImage(`team/${name}`, tag);
        return {
            tag: `${this.host}/team/${name}:${tag}`,
            digest,
            pinned: `${this.host}/team/${name}@${digest}`,
        };
    }

    sign(image: SignedImage, key: TestKey): void {
        const repo = image.pinned.slice(this.host.length + 1, image.pinned.indexOf("@"));
        attachBundle(this.registry, repo, image.digest, keyedBundle(key, statement(image.digest, COSIGN_SIGN)));
    }

    /** Requests the registry answered so far for a path prefix, e.g. `/v2/team/signed/manifests/1.0`. */
    requestsFor(prefix: string): number {
        return this.registry.requests.filter((r) => r.path.startsWith(prefix)).length;
    }

    stop(): Promise<void> {
        return this.registry.stop();
    }
}

/** A loopback `host:port` where nothing listens (connections are refused). */
export async function closedPort(): Promise<string> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return `127.0.0.1:${port}`;
}
