// Dockerfile files for the Dockerfile policies: found as the providers find them (docker-build
// dockerfile.location and context, docker.Image build.dockerfile relative to the program, RemoteImage
// build.dockerfile inside build.context), relative to the program's directory, read again when they
// change, and never guessed. dockerfile-non-root-user's finding location shows which file was read.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR_ENV } from "../../src/dockerfile/sources";
import { type TestResource, unknown } from "../../testkit";
import { detail, findings, mandatory, withConfig } from "../support/dockerfile";

describe("Dockerfile files: where they are found and read", () => {
    let dir: string;
    const saved = process.env[PROJECT_DIR_ENV];
    const USER_P = "dockerfile-non-root-user";

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "container-guard-dockerfiles-"));
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM alpine:3.19\nUSER root\n");
        fs.mkdirSync(path.join(dir, "app"));
        fs.writeFileSync(path.join(dir, "app", "Dockerfile"), "FROM alpine:3.19\nUSER 0\n");
        fs.writeFileSync(path.join(dir, "app", "Dockerfile.dev"), "FROM alpine:3.19\nUSER 0:0\n");
        fs.mkdirSync(path.join(dir, "docker"));
        fs.writeFileSync(path.join(dir, "docker", "Dockerfile.prod"), "FROM alpine:3.19\nUSER root:root\n");
    });
    after(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => {
        delete process.env[PROJECT_DIR_ENV];
    });
    afterEach(() => {
        if (saved === undefined) {
            delete process.env[PROJECT_DIR_ENV];
        } else {
            process.env[PROJECT_DIR_ENV] = saved;
        }
    });

    const dockerBuild = (props: Record<string, unknown>): TestResource => ({
        type: "docker-build:index:Image",
        name: "app",
        props: { push: false, ...props },
    });
    const dockerImage = (build: unknown): TestResource => ({
        type: "docker:index/image:Image",
        name: "api",
        props: { imageName: "registry.example.com/api:1", ...(build !== undefined && { build }) },
    });

    /** The USER finding's location, proving which file was read. */
    async function readFrom(r: TestResource, tester = mandatory): Promise<string> {
        const [v, ...rest] = await findings(r, USER_P, tester);
        assert.deepStrictEqual(rest, []);
        return detail(v);
    }

    it("an absolute dockerfile.location is read without any configuration", async () => {
        const d = await readFrom(dockerBuild({ dockerfile: { location: path.join(dir, "app", "Dockerfile.dev") } }));
        assert.ok(d.includes(`USER 0:0 (${path.join(dir, "app", "Dockerfile.dev")} line 2)`), d);
    });

    it(
        "a relative path without a program directory is " + "an advisory, not a guess from the pack's directory",
        async () => {
            const d = await readFrom(dockerBuild({ dockerfile: { location: "app/Dockerfile" } }));
            assert.ok(
                d.includes(
                    `the Dockerfile "app/Dockerfile" is relative to the Pulumi program's directory, which the policy ` +
                        `pack cannot see, so it is not checked (dockerfile.location). Fix: set ${PROJECT_DIR_ENV}`,
                ),
                d,
            );
            const [v] = await findings(dockerBuild({ dockerfile: { location: "app/Dockerfile" } }), USER_P);
            assert.strictEqual(v.enforcementLevel, "advisory");
        },
    );

    it(`relative paths resolve against ${PROJECT_DIR_ENV}`, async () => {
        process.env[PROJECT_DIR_ENV] = dir;
        assert.ok(
            (await readFrom(dockerBuild({ dockerfile: { location: "./app/../app/Dockerfile" } }))).includes(
                `(${path.join(dir, "app", "Dockerfile")} line 2)`,
            ),
        );
        // The default: <context>/Dockerfile, the context defaulting to the program's directory.
        assert.ok(
            (await readFrom(dockerBuild({ context: { location: "app" } }))).includes(
                `(${path.join(dir, "app", "Dockerfile")} line 2)`,
            ),
        );
        assert.ok((await readFrom(dockerBuild({}))).includes(`(${path.join(dir, "Dockerfile")} line 2)`));
    });

    it("the projectDir option takes precedence over the environment variable", async () => {
        process.env[PROJECT_DIR_ENV] = path.join(dir, "nowhere");
        const t = withConfig({ [USER_P]: { projectDir: dir } });
        assert.ok(
            (await readFrom(dockerBuild({ dockerfile: { location: "Dockerfile" } }), t)).includes(
                `(${path.join(dir, "Dockerfile")} line 2)`,
            ),
        );
    });

    it(
        "docker.Image: build.dockerfile is relative to the program, not to the context; the default is " +
            "<context>/Dockerfile",
        async () => {
            process.env[PROJECT_DIR_ENV] = dir;
            assert.ok(
                (await readFrom(dockerImage({ context: "app", dockerfile: "docker/Dockerfile.prod" }))).includes(
                    `USER root:root (${path.join(dir, "docker", "Dockerfile.prod")} line 2)`,
                ),
            );
            assert.ok(
                (await readFrom(dockerImage({ context: "app" }))).includes(
                    `(${path.join(dir, "app", "Dockerfile")} line 2)`,
                ),
            );
            assert.ok((await readFrom(dockerImage(undefined))).includes(`(${path.join(dir, "Dockerfile")} line 2)`));
        },
    );

    it("RemoteImage: build.dockerfile is a name inside build.context", async () => {
        process.env[PROJECT_DIR_ENV] = dir;
        const r: TestResource = {
            type: "docker:index/remoteImage:RemoteImage",
            name: "r",
            props: { name: "app:dev", build: { context: "app", dockerfile: "Dockerfile.dev" } },
        };
        assert.ok((await readFrom(r)).includes(`(${path.join(dir, "app", "Dockerfile.dev")} line 2)`));
        const remote: TestResource = {
            type: "docker:index/remoteImage:RemoteImage",
            name: "r",
            props: { name: "app:dev", build: { context: ".", remoteContext: "https://github.com/acme/app.git" } },
        };
        assert.ok((await readFrom(remote)).includes("the build uses a remote context"));
    });

    it("missing files, directories, remote locations and unknown paths", async () => {
        process.env[PROJECT_DIR_ENV] = dir;
        assert.ok(
            (await readFrom(dockerBuild({ dockerfile: { location: "nope/Dockerfile" } }))).includes(
                `the Dockerfile ${path.join(dir, "nope", "Dockerfile")} does not exist`,
            ),
        );
        assert.ok(
            (await readFrom(dockerBuild({ dockerfile: { location: "app" } }))).includes(
                `${path.join(dir, "app")} is not a file`,
            ),
        );
        assert.ok(
            (await readFrom(dockerBuild({ context: { location: "https://github.com/acme/app.git#main" } }))).includes(
                "comes from the remote location",
            ),
        );
        assert.ok(
            (await readFrom(dockerBuild({ context: { location: unknown } }))).includes(
                "context.location is not known during preview",
            ),
        );
        assert.ok(
            (await readFrom(dockerImage({ context: "app", dockerfile: unknown }))).includes(
                "build.dockerfile is not known during preview",
            ),
        );
        assert.ok((await readFrom(dockerImage(unknown))).includes("build is not known during preview"));
    });

    it("a changed file is read again", async () => {
        const file = path.join(dir, "Dockerfile.changing");
        fs.writeFileSync(file, "FROM alpine:3.19\nUSER root\n");
        assert.strictEqual((await findings(dockerBuild({ dockerfile: { location: file } }), USER_P)).length, 1);
        fs.writeFileSync(file, "FROM alpine:3.19\nRUN true\nUSER 10001:10001\n");
        assert.deepStrictEqual(await findings(dockerBuild({ dockerfile: { location: file } }), USER_P), []);
    });

    it("a file larger than 1 MiB is not read (advisory)", async () => {
        const file = path.join(dir, "Dockerfile.huge");
        fs.writeFileSync(file, "FROM alpine:3.19\n" + "# padding\n".repeat(120000));
        const [v] = await findings(dockerBuild({ dockerfile: { location: file } }), USER_P);
        assert.ok(
            v.enforcementLevel === "advisory" && detail(v).includes("more than the 1048576 a Dockerfile is read up to"),
            detail(v),
        );
    });

    it("inline text wins over a location, as in docker-build", async () => {
        assert.deepStrictEqual(
            await findings(
                dockerBuild({
                    dockerfile: { inline: "FROM alpine:3.19\nUSER app", location: path.join(dir, "Dockerfile") },
                }),
                USER_P,
            ),
            [],
        );
    });
});
