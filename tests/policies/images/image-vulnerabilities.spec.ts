// image-vulnerabilities: scanner reports (Trivy and Grype JSON, written in tests/fixtures/scanners
// after the tools' published formats) matched to images by digest or by repository:tag, with a
// severity threshold, unfixed findings, accepted vulnerabilities that expire, images nobody scanned,
// reports that cannot be read, and report files parsed once.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { imagePolicies } from "../../../policies/images";
import { REPORTS_DIR_ENV } from "../../../src/images/scan-reports";
import { type PolicyPackConfig, PolicyTester, type TestResource, unknown } from "../../../testkit";
import { dockerContainer, dockerService } from "../../support/docker";
import {
    LEGACY,
    NGINX,
    OTHER_DIGEST,
    REDIS,
    SCANNERS,
    WEB,
    buildImage,
    detail,
    findings,
    remoteImage,
} from "../../support/images";
import { pod } from "../../support/workloads";

const POLICY = "image-vulnerabilities";
const ALL_REPORTS = ["trivy-web.json", "trivy-nginx.json", "trivy-many.json", "grype-redis.json"];

function withImages(...images: unknown[]): TestResource {
    return pod({ containers: images.map((image, i) => ({ name: `c${i}`, image })) });
}

async function run(r: TestResource, options: Record<string, unknown> = {}, extra: PolicyPackConfig = {}) {
    return findings(imagePolicies, POLICY, r, { [POLICY]: { reports: ALL_REPORTS, ...options }, ...extra });
}

/** Runs `body` with the reports directory variable unset (the suite sets it to the fixtures). */
async function withoutReportsDir(body: () => Promise<void>): Promise<void> {
    const dir = process.env[REPORTS_DIR_ENV];
    delete process.env[REPORTS_DIR_ENV];
    try {
        await body();
    } finally {
        restoreReportsDir(dir);
    }
}

function restoreReportsDir(dir: string | undefined): void {
    if (dir === undefined) {
        delete process.env[REPORTS_DIR_ENV];
    } else {
        process.env[REPORTS_DIR_ENV] = dir;
    }
}

/** The vulnerability ids a finding lists, in order. */
function ids(message: string): string[] {
    return [...message.matchAll(/((?:CVE|GHSA)-[\w-]+) \((?:UNKNOWN|NEGLIGIBLE|LOW|MEDIUM|HIGH|CRITICAL)/g)].map(
        (m) => m[1],
    );
}

describe("image-vulnerabilities", () => {
    let savedDir: string | undefined;
    before(() => {
        savedDir = process.env[REPORTS_DIR_ENV];
        process.env[REPORTS_DIR_ENV] = SCANNERS;
    });
    after(() => restoreReportsDir(savedDir));

    describe("Trivy reports", () => {
        it(
            "matches by digest and reports the critical " +
                "vulnerabilities in one readable finding (mandatory by default)",
            async () => {
                const vs = await run(withImages(`ghcr.io/acme/web@${WEB.digest}`));
                assert.strictEqual(vs.length, 1);
                assert.strictEqual(vs[0].enforcementLevel, "mandatory");
                assert.strictEqual(
                    detail(vs[0]),
                    `Pod prod/web, container "c0": image "ghcr.io/acme/web@${WEB.digest}" has 3 known ` +
                        `vulnerabilities at or above CRITICAL (3 CRITICAL; Trivy report trivy-web.json): ` +
                        "CVE-2099-0001 (CRITICAL, openssl 3.0.11-1~deb12u2 and 1 more package, fixed in " +
                        "3.0.13-1~deb12u1); GHSA-w3x4-y5z6-a7b8 (CRITICAL, left-pad-ng 1.0.0, fixed in 1.0.1); " +
                        "CVE-2099-0002 (CRITICAL, glibc 2.36-9+deb12u4, no fix yet) (spec.containers[0].image). " +
                        "Fix: update the image (or its base image) to versions with the fixes and scan it again; to " +
                        "accept a vulnerability for a time, add it to the policy's accept option with a reason and " +
                        "an expiry date",
                );
            },
        );

        it("matches by repository:tag, by the image ID, and through every Docker Hub spelling", async () => {
            for (const r of [
                withImages("ghcr.io/acme/web:1.4.2"),
                dockerContainer({ image: WEB.id }),
                withImages(`ghcr.io/acme/web:1.4.2@${WEB.digest}`),
            ]) {
                const vs = await run(r);
                assert.deepStrictEqual(
                    ids(detail(vs[0])),
                    ["CVE-2099-0001", "GHSA-w3x4-y5z6-a7b8", "CVE-2099-0002"],
                    r.type,
                );
            }
            for (const image of [
                "nginx:1.27.3",
                "docker.io/library/nginx:1.27.3",
                "index.docker.io/nginx:1.27.3",
                `nginx@${NGINX.digest}`,
            ]) {
                assert.deepStrictEqual(await run(withImages(image)), [], image); // scanned, nothing found
            }
        });

        it("does not match a tag whose report scanned other content (another digest)", async () => {
            const vs = await run(withImages(`ghcr.io/acme/web:1.4.2@${OTHER_DIGEST}`));
            assert.deepStrictEqual(
                vs.map((v) => v.enforcementLevel),
                ["advisory"],
            );
            assert.ok(
                detail(vs[0]).includes(
                    `has not been scanned: none of the 4 scanner reports matches ${OTHER_DIGEST} or ` +
                        `ghcr.io/acme/web:1.4.2`,
                ),
                detail(vs[0]),
            );
        });

        it("skips vulnerabilities the scanner marks not affected, and never reports UNKNOWN severity", async () => {
            const [v] = await run(withImages(WEB.tag), { severityThreshold: "LOW" });
            assert.deepStrictEqual(ids(detail(v)), [
                "CVE-2099-0001",
                "GHSA-w3x4-y5z6-a7b8",
                "CVE-2099-0002",
                "CVE-2099-0003",
                "CVE-2099-0004",
            ]);
            assert.ok(
                detail(v).includes("has 6 known vulnerabilities at or above LOW (3 CRITICAL, 1 HIGH, 1 MEDIUM, 1 LOW;"),
                detail(v),
            );
            assert.ok(detail(v).includes("; and 1 more (spec"), detail(v));
        });

        it("keeps messages bounded: five vulnerabilities, then a count", async () => {
            const [v] = await run(withImages(`${LEGACY.name}@${LEGACY.digest}`));
            assert.deepStrictEqual(ids(detail(v)), [
                "CVE-2099-1001",
                "CVE-2099-1002",
                "CVE-2099-1003",
                "CVE-2099-1004",
                "CVE-2099-1005",
            ]);
            assert.ok(detail(v).includes("; and 3 more (spec.containers[0].image)"), detail(v));
        });
    });

    describe("Grype reports", () => {
        it("matches by tag or digest; ignored matches do not count; wont-fix counts as no fix", async () => {
            for (const image of [
                "redis:7.2",
                "docker.io/library/redis:7.2",
                `redis@${REDIS.digest}`,
                `redis:7.2@${REDIS.digest}`,
            ]) {
                const [v] = await run(withImages(image));
                assert.ok(
                    detail(v).includes(
                        "has 2 known vulnerabilities at or above CRITICAL (2 CRITICAL; Grype report " +
                            "grype-redis.json): CVE-2099-0101 (CRITICAL, libsystemd0 252.22-1~deb12u1, fixed in " +
                            "252.23-1~deb12u1); CVE-2099-0103 (CRITICAL, libgnutls30 3.7.9-2+deb12u2, no fix yet)",
                    ),
                    detail(v),
                );
            }
        });

        it("reads the image name from userInput with a source scheme (grype registry:…)", async () => {
            const report = JSON.parse(fs.readFileSync(path.join(SCANNERS, "grype-redis.json"), "utf8"));
            report.source.target = {
                userInput: "registry:ghcr.io/acme/cache:2",
                imageID: "",
                manifestDigest: "",
                tags: [],
                repoDigests: [],
            };
            await withoutReportsDir(async () => {
                const [v] = await findings(imagePolicies, POLICY, withImages("ghcr.io/acme/cache:2"), {
                    [POLICY]: { inlineReports: [report] },
                });
                assert.ok(detail(v).includes("(2 CRITICAL; Grype report inlineReports[0])"), detail(v));
            });
        });

        it("a related vulnerability id (GHSA) accepts the match", async () => {
            const [v] = await run(withImages("redis:7.2"), {
                accept: [{ id: "GHSA-aaaa-bbbb-cccc", reason: "not reachable", expires: "2999-12-31" }],
            });
            assert.deepStrictEqual(ids(detail(v)), ["CVE-2099-0103"]);
        });
    });

    describe("options", () => {
        it("severityThreshold lowers the bar", async () => {
            const [v] = await run(withImages("redis:7.2"), { severityThreshold: "HIGH" });
            assert.deepStrictEqual(ids(detail(v)), ["CVE-2099-0101", "CVE-2099-0103", "CVE-2099-0102"]);
            assert.ok(detail(v).includes("at or above HIGH (2 CRITICAL, 1 HIGH;"));
        });

        it("ignoreUnfixed drops vulnerabilities without a fixed version", async () => {
            const [v] = await run(withImages(WEB.tag), { ignoreUnfixed: true, severityThreshold: "MEDIUM" });
            assert.deepStrictEqual(ids(detail(v)), ["CVE-2099-0001", "GHSA-w3x4-y5z6-a7b8", "CVE-2099-0003"]);
            assert.deepStrictEqual(
                await run(withImages("redis:7.2"), {
                    ignoreUnfixed: true,
                    accept: [{ id: "CVE-2099-0101", reason: "r", expires: "2999-01-01" }],
                }),
                [],
            );
        });

        it("accepted vulnerabilities stop counting until they expire; expired ones are named", async () => {
            const accept = (expires: string, image?: string) => [
                { id: "CVE-2099-0001", reason: "patched in place", expires: "2999-12-31" },
                { id: "GHSA-w3x4-y5z6-a7b8", reason: "dev dependency", expires: "2999-12-31" },
                { id: "CVE-2099-0002", reason: "no fix yet; mitigated by seccomp", expires, ...(image && { image }) },
            ];
            assert.deepStrictEqual(await run(withImages(WEB.tag), { accept: accept("2999-12-31") }), []);
            const [expired] = await run(withImages(WEB.tag), { accept: accept("2000-01-01") });
            assert.deepStrictEqual(ids(detail(expired)), ["CVE-2099-0002"]);
            assert.ok(
                detail(expired).includes(
                    ". Acceptances that no longer apply: CVE-2099-0002 (expired 2000-01-01) (spec.containers[0].image)",
                ),
                detail(expired),
            );
            // An acceptance for another repository does not apply; one for this repository does.
            assert.deepStrictEqual(
                ids(detail((await run(withImages(WEB.tag), { accept: accept("2999-12-31", "ghcr.io/acme/api") }))[0])),
                ["CVE-2099-0002"],
            );
            assert.deepStrictEqual(
                await run(withImages(WEB.tag), { accept: accept("2999-12-31", "ghcr.io/acme") }),
                [],
            );
        });

        it("images no report covers: advisory by default, at the policy's level with enforce, or ignored", async () => {
            const image = withImages("alpine:3.19");
            const advisory = await run(image, {}, { all: "mandatory" });
            assert.deepStrictEqual(
                advisory.map((v) => v.enforcementLevel),
                ["advisory"],
            );
            assert.strictEqual(
                detail(advisory[0]),
                'Pod prod/web, container "c0": image "alpine:3.19" has not been scanned: none of the 4 scanner ' +
                    "reports matches docker.io/library/alpine:3.19 (spec.containers[0].image). " +
                    "Fix: scan the image before pulumi preview (trivy image --format json, or grype -o json) and add " +
                    "the report to the policy's reports option",
            );
            assert.deepStrictEqual(
                (await run(image, { notScanned: "enforce" })).map((v) => v.enforcementLevel),
                ["mandatory"],
            );
            assert.deepStrictEqual(await run(image, { notScanned: "ignore" }), []);
        });

        it(
            "without reports the policy does not apply, " + "unless every image must be scanned (notScanned: enforce)",
            async () => {
                await withoutReportsDir(async () => {
                    const r = await new PolicyTester({ policies: imagePolicies }).analyze(withImages("nginx:1.27.3"));
                    assert.ok(!r.violations.some((v) => v.policyName === POLICY));
                    assert.ok(r.notApplicable.some((n) => n.policyName === POLICY));
                    const vs = await findings(imagePolicies, POLICY, withImages("nginx:1.27.3"), {
                        [POLICY]: { notScanned: "enforce" },
                    });
                    assert.deepStrictEqual(
                        vs.map((v) => [v.enforcementLevel, /: (image .*) \(spec/.exec(detail(v))?.[1]]),
                        [["mandatory", 'image "nginx:1.27.3" has not been scanned: no scanner reports are configured']],
                    );
                });
            },
        );

        it(
            "with no reports configured, reads every " + "report in the reports directory the environment names",
            async () => {
                const vs = await findings(imagePolicies, POLICY, withImages("redis:7.2", "alpine:3.19"));
                assert.deepStrictEqual(
                    vs.map((v) => [
                        v.enforcementLevel,
                        /(\(2 CRITICAL; Grype report grype-redis.json\)|has not been scanned)/.exec(detail(v))?.[1],
                    ]),
                    [
                        ["mandatory", "(2 CRITICAL; Grype report grype-redis.json)"],
                        ["advisory", "has not been scanned"],
                    ],
                );
            },
        );

        it("reads inline reports from the configuration", async () => {
            const report = JSON.parse(fs.readFileSync(path.join(SCANNERS, "grype-redis.json"), "utf8"));
            await withoutReportsDir(async () => {
                const vs = await findings(imagePolicies, POLICY, withImages("redis:7.2"), {
                    [POLICY]: { inlineReports: [report] },
                });
                assert.ok(detail(vs[0]).includes("(2 CRITICAL; Grype report inlineReports[0])"), detail(vs[0]));
            });
        });

        it("rejects malformed options", async () => {
            const cases: [Record<string, unknown>, string][] = [
                [{ accept: [{ id: "CVE-1", expires: "2030-01-01" }] }, "accept[0].reason is required"],
                [
                    { accept: [{ id: "CVE-1", reason: "r", expires: "next year" }] },
                    'accept[0].expires "next year" is not valid: use a date such as 2026-06-30',
                ],
                [
                    { accept: [{ id: "CVE-1", reason: "r", expires: "2030-01-01", image: "nginx" }] },
                    'accept[0].image "nginx" is not valid: use a registry host',
                ],
                [
                    { severityThreshold: "SEVERE" },
                    'severityThreshold must be one of "LOW", "MEDIUM", "HIGH", "CRITICAL"',
                ],
                [{ notScanned: "warn" }, 'notScanned must be one of "advisory", "enforce", "ignore"'],
                [{ inlineReports: ["{}"] }, "inlineReports[0] must be an object (a Trivy or Grype JSON report)"],
                [{ report: ["x.json"] }, 'Did you mean "reports"?'],
            ];
            for (const [options, expected] of cases) {
                await assert.rejects(
                    () =>
                        new PolicyTester({ policies: imagePolicies }, { [POLICY]: options }).analyze(
                            withImages("nginx:1"),
                        ),
                    (err: Error) =>
                        err.message.includes(`invalid configuration for policy "${POLICY}"`) &&
                        err.message.includes(expected),
                    expected,
                );
            }
        });
    });

    describe("report files", () => {
        it("a directory reads every .json report in it", async () => {
            const vs = await findings(imagePolicies, POLICY, withImages("redis:7.2", WEB.tag, "nginx:1.27.3"), {
                [POLICY]: { reports: ["."] },
            });
            assert.deepStrictEqual(
                vs.map((v) => /\((\d CRITICAL); (\w+ report [\w./-]+)\)/.exec(detail(v))?.slice(1)),
                [
                    ["2 CRITICAL", "Grype report grype-redis.json"],
                    ["3 CRITICAL", "Trivy report trivy-web.json"],
                ],
            );
        });

        it("relative paths resolve against the pack's directory when the environment variable is unset", async () => {
            await withoutReportsDir(async () => {
                const relative = path.relative(process.cwd(), path.join(SCANNERS, "grype-redis.json"));
                const vs = await findings(imagePolicies, POLICY, withImages("redis:7.2"), {
                    [POLICY]: { reports: [relative] },
                });
                assert.ok(detail(vs[0]).includes(`Grype report ${relative})`), detail(vs[0]));
            });
        });

        it("reports that cannot be used are reported at the policy's level; the images are still judged", async () => {
            const vs = await run(withImages("redis:7.2"), { reports: ["grype-redis.json", "missing.json", "broken"] });
            assert.strictEqual(vs.length, 2);
            const [note, finding] = vs;
            assert.strictEqual(note.enforcementLevel, "mandatory");
            assert.strictEqual(
                detail(note),
                "Pod prod/web: cannot use 5 scanner reports: " +
                    `missing.json: it cannot be read (ENOENT; resolved to ${path.join(SCANNERS, "missing.json")}), ` +
                    "broken/grype-directory.json: it is a Grype report of a directory, not of a container image, " +
                    "broken/not-a-report.json: it is neither a Trivy JSON report (trivy image --format json) nor a " +
                    "Grype JSON report (grype -o json) and 2 more. " +
                    "Fix the policy's reports option (or the report files); images are judged with the other reports " +
                    "meanwhile.",
            );
            assert.ok(detail(finding).includes("2 CRITICAL; Grype report grype-redis.json"));
            const [truncated] = await run(withImages("redis:7.2"), {
                reports: ["broken/truncated.json", "broken/trivy-filesystem.json"],
            });
            assert.match(
                detail(truncated),
                new RegExp(
                    /broken\/truncated\.json: it is not valid JSON \(.+\), /.source +
                        /broken\/trivy-filesystem\.json: it is a Trivy report of a filesystem, /.source +
                        /not of a container image\./.source,
                ),
            );
        });

        it("parses a report file once, and again when it changes", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "container-guard-scans-"));
            const file = path.join(dir, "web.json");
            const report = JSON.parse(fs.readFileSync(path.join(SCANNERS, "trivy-web.json"), "utf8"));
            fs.writeFileSync(file, JSON.stringify(report));
            const original = fs.readFileSync;
            let reads = 0;
            (fs as { readFileSync: unknown }).readFileSync = (...args: Parameters<typeof fs.readFileSync>) => {
                if (args[0] === file) {
                    reads++;
                }
                return original(...args);
            };
            try {
                const tester = new PolicyTester({ policies: imagePolicies }, { [POLICY]: { reports: [file] } });
                for (let i = 0; i < 20; i++) {
                    const r = await tester.analyze(withImages(WEB.tag));
                    assert.strictEqual(r.violations.filter((v) => v.policyName === POLICY).length, 1);
                }
                assert.strictEqual(reads, 1);
                report.Results = [];
                fs.writeFileSync(file, JSON.stringify(report, null, 2));
                const r = await tester.analyze(withImages(WEB.tag));
                assert.deepStrictEqual(
                    r.violations.filter((v) => v.policyName === POLICY),
                    [],
                );
                assert.strictEqual(reads, 2);
            } finally {
                (fs as { readFileSync: unknown }).readFileSync = original;
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });

    describe("resources", () => {
        it(
            "judges init and ephemeral containers, image " + "volumes, Docker containers, services and pulled images",
            async () => {
                const cases: [TestResource, string][] = [
                    [
                        pod({
                            initContainers: [{ name: "i", image: "redis:7.2" }],
                            containers: [{ name: "a", image: "nginx:1.27.3" }],
                        }),
                        'init container "i": image "redis:7.2" has 2',
                    ],
                    [
                        pod({
                            containers: [{ name: "a", image: "nginx:1.27.3" }],
                            ephemeralContainers: [{ name: "dbg", image: "redis:7.2" }],
                        }),
                        'ephemeral container "dbg": image "redis:7.2" has 2',
                    ],
                    [
                        pod({
                            containers: [{ name: "a", image: "nginx:1.27.3" }],
                            volumes: [{ name: "cache", image: { reference: "redis:7.2" } }],
                        }),
                        'Pod prod/web: volume "cache" image "redis:7.2" has 2',
                    ],
                    [dockerContainer({ image: REDIS.id }), `docker Container web: image "${REDIS.id}" has 2`],
                    [dockerService({ image: "redis:7.2" }), 'docker Service web: image "redis:7.2" has 2'],
                    [remoteImage({ name: "redis:7.2" }), 'docker RemoteImage img: image "redis:7.2" has 2'],
                ];
                for (const [r, expected] of cases) {
                    const vs = await run(r);
                    assert.deepStrictEqual(
                        vs.map((v) => detail(v).includes(expected)),
                        [true],
                        `${r.type}: ${vs.map(detail).join("\n")}`,
                    );
                }
            },
        );

        it("an unknown image is an advisory naming the field; known ones are still judged", async () => {
            const vs = await run(withImages(unknown, "redis:7.2"));
            assert.deepStrictEqual(
                vs.map((v) => v.enforcementLevel),
                ["mandatory", "advisory"],
            );
            assert.ok(detail(vs[1]).includes("spec.containers[0].image is not known during preview"));
        });

        it("leaves malformed references to the digest and tag rules, and built images alone", async () => {
            assert.deepStrictEqual(await run(withImages("Redis:7.2", 5)), []);
            const r = await new PolicyTester(
                { policies: imagePolicies },
                { [POLICY]: { reports: ALL_REPORTS } },
            ).analyze(buildImage({ push: true, tags: ["redis:7.2"] }));
            assert.ok(r.notApplicable.some((n) => n.policyName === POLICY));
        });
    });
});
