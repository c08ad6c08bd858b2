// Where the Docker providers' build resources take their Dockerfile from, and reading it.
//
// - `docker-build:index:Image`: `dockerfile.inline` (the text itself), else `dockerfile.location`,
//   else `<context.location>/Dockerfile` (context defaults to `.`).
// - `docker:index/image:Image`: `build.dockerfile`, else `<build.context>/Dockerfile` (context
//   defaults to `.`). The provider resolves `build.dockerfile` against the program's directory, not
//   the context.
// - `docker:index/remoteImage:RemoteImage` with `build`: `build.dockerfile` (default `Dockerfile`)
//   inside `build.context`.
//
// Relative paths are relative to the Pulumi program's directory, which a policy pack cannot see:
// the engine starts the pack in the pack's own directory and tells it nothing about the program
// (pulumi/pulumi-policy#333). They are resolved against the `projectDir` option or, when that is
// empty, the CONTAINER_GUARD_PROJECT_DIR environment variable (the engine passes the CLI's
// environment to the pack). Without either, a relative path is not read, and the policies say so
// in an advisory finding instead of guessing from the pack's working directory.

import type * as docker from "@pulumi/docker";
import type * as dockerBuild from "@pulumi/docker-build";
import * as fs from "fs";
import * as nodePath from "path";
import { Field } from "../framework/field";
import { quoteField } from "../framework/checks";

const DOCKER_BUILD_IMAGE = "docker-build:index:Image";
const DOCKER_IMAGE = "docker:index/image:Image";
const DOCKER_REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";

/** Whether resources of this type may define an image build (`buildDefinitionOf` reads only these). */
export function mayDefineBuild(type: string): boolean {
    return type === DOCKER_BUILD_IMAGE || type === DOCKER_IMAGE || type === DOCKER_REMOTE_IMAGE;
}

/** The environment variable that names the Pulumi program's directory. */
export const PROJECT_DIR_ENV = "CONTAINER_GUARD_PROJECT_DIR";

/** Dockerfiles larger than this are not read (real ones are a few kilobytes). */
const MAX_DOCKERFILE_BYTES = 1 << 20;

/** Where a build's Dockerfile text comes from, and whether it could be read. */
type DockerfileText =
    /** The text: `origin` names it in messages (`dockerfile.inline`, or the file's absolute path). */
    | { readonly kind: "text"; readonly text: string; readonly origin: string; readonly at: Field<unknown> }
    /** A field it depends on is unknown during preview. */
    | { readonly kind: "unknown"; readonly field: Field<unknown> }
    /** It cannot be read: `problem` says why, `fix` what to do. */
    | { readonly kind: "unreadable"; readonly at: Field<unknown>; readonly problem: string; readonly fix: string };

/** What a build resource tells a Dockerfile policy. */
export interface BuildDefinition {
    /** Reads the Dockerfile (on demand: a policy that needs only the build arguments reads no file). */
    readonly dockerfile: () => DockerfileText;
    /** The stage to build (`target`); absent builds the last stage. */
    readonly target: Field<unknown>;
    /** Build arguments: a map of name to value. */
    readonly buildArgs: Field<unknown>;
    /** Named build contexts (docker-build `context.named`): name to `{location}`; absent for the other resources. */
    readonly namedContexts: Field<unknown>;
    /** How to pass a secret to this build instead of a build argument (for messages). */
    readonly secretsFix: string;
}

/** URLs (`https://...`, `git://...`) and `git@host:repo` Git locations: not local files. */
const REMOTE = /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:\/\/|git@)/;

/** Reading a path (absolute, or relative to the program's directory). */
interface PathContext {
    /** The `projectDir` option; empty when not configured. */
    readonly projectDir: string;
}

/** The build definition of a Docker build resource; undefined for other types and RemoteImages without `build`. */
export function buildDefinitionOf(type: string, props: Field<unknown>, ctx: PathContext): BuildDefinition | undefined {
    if (type === DOCKER_BUILD_IMAGE) {
        const p = props as Field<dockerBuild.ImageArgs>;
        const inline = p.at("dockerfile", "inline");
        const location = p.at("dockerfile", "location");
        const context = p.at("context", "location");
        return {
            dockerfile: () => {
                if (!inline.isAbsent) {
                    return inlineText(inline);
                }
                return location.isAbsent
                    ? fileText(context, [context], ctx, "Dockerfile", ".")
                    : fileText(location, [location], ctx);
            },
            target: p.get("target"),
            buildArgs: p.get("buildArgs"),
            namedContexts: p.at("context", "named"),
            secretsFix: "pass it in secrets and read it in the Dockerfile with RUN --mount=type=secret,id=<name>",
        };
    }
    if (type === DOCKER_IMAGE) {
        const build = (props as Field<docker.ImageArgs>).get("build");
        const dockerfilePath = build.get("dockerfile");
        const context = build.get("context");
        return {
            dockerfile: () =>
                dockerfilePath.isAbsent
                    ? fileText(context, [build, context], ctx, "Dockerfile", ".")
                    : fileText(dockerfilePath, [build, dockerfilePath], ctx),
            target: build.get("target"),
            buildArgs: build.get("args"),
            namedContexts: Field.absent("build.namedContexts"),
            secretsFix:
                "docker.Image cannot pass build secrets: build with docker-build.Image, pass the value in its " +
                "secrets and read it with RUN --mount=type=secret,id=<name>",
        };
    }
    if (type === DOCKER_REMOTE_IMAGE) {
        const build = (props as Field<docker.RemoteImageArgs>).get("build");
        if (build.isAbsent) {
            return undefined;
        }
        const remote = build.get("remoteContext");
        const context = build.get("context");
        const name = build.get("dockerfile");
        const dockerfile = (): DockerfileText => {
            if (remote.isUnknown || name.isUnknown) {
                return { kind: "unknown", field: remote.isUnknown ? remote : name };
            }
            if (remote.isPresent) {
                return {
                    kind: "unreadable",
                    at: remote,
                    problem: "the build uses a remote context, whose Dockerfile is not read",
                    fix: "build from a local context, or check the Dockerfile where it is kept",
                };
            }
            return fileText(context, [build, context], ctx, name.str() || "Dockerfile");
        };
        return {
            dockerfile,
            target: build.get("target"),
            buildArgs: build.get("buildArgs"),
            namedContexts: Field.absent("build.namedContexts"),
            secretsFix:
                "pass it in build.secrets (a buildx builder is needed) and read it with RUN " +
                "--mount=type=secret,id=<name>",
        };
    }
    return undefined;
}

function inlineText(inline: Field<unknown>): DockerfileText {
    if (inline.isUnknown) {
        return { kind: "unknown", field: inline };
    }
    const text = inline.str();
    if (text === undefined) {
        return {
            kind: "unreadable",
            at: inline,
            problem: "the inline Dockerfile is not text",
            fix: "set dockerfile.inline to the Dockerfile's text",
        };
    }
    return { kind: "text", text, origin: inline.path, at: inline };
}

/**
 * Reads the Dockerfile at `pathField` (joined with `file` when the field is a directory, the
 * context). `dependsOn` are the fields whose unknown values make the path unknown. `defaultDir`
 * stands in for an absent directory field (the provider's default context).
 */
function fileText(
    pathField: Field<unknown>,
    dependsOn: readonly Field<unknown>[],
    ctx: PathContext,
    file?: string,
    defaultDir?: string,
): DockerfileText {
    const unknown = dependsOn.find((f) => f.isUnknown);
    if (unknown) {
        return { kind: "unknown", field: unknown };
    }
    const written = pathField.isAbsent && defaultDir !== undefined ? defaultDir : pathField.str();
    if (written === undefined) {
        return {
            kind: "unreadable",
            at: pathField,
            problem: "the Dockerfile path is not text",
            fix: "set it to the Dockerfile's path",
        };
    }
    if (REMOTE.test(written)) {
        return {
            kind: "unreadable",
            at: pathField,
            problem:
                `the Dockerfile comes from the remote location ${quoteField(pathField, written)}, ` +
                "which is not read",
            fix: "inline the Dockerfile or keep it in the program's repository",
        };
    }
    const relative = file === undefined ? written : nodePath.join(written, file);
    const resolved = resolveProgramPath(relative, ctx);
    if (typeof resolved !== "string") {
        return { kind: "unreadable", at: pathField, ...resolved };
    }
    const read = readDockerfile(resolved);
    return typeof read === "string"
        ? { kind: "text", text: read, origin: resolved, at: pathField }
        : { kind: "unreadable", at: pathField, ...read };
}

/**
 * The program's directory: the `projectDir` option, else CONTAINER_GUARD_PROJECT_DIR; undefined when neither is set.
 */
function programDirectory(ctx: PathContext): string | undefined {
    const dir = ctx.projectDir !== "" ? ctx.projectDir : process.env[PROJECT_DIR_ENV];
    return dir ? nodePath.resolve(dir) : undefined;
}

/** An absolute path for a path the program wrote, or why there is none. */
function resolveProgramPath(written: string, ctx: PathContext): string | { problem: string; fix: string } {
    if (nodePath.isAbsolute(written)) {
        return nodePath.normalize(written);
    }
    const dir = programDirectory(ctx);
    if (!dir) {
        return {
            problem:
                `the Dockerfile ${JSON.stringify(written)} is relative to the Pulumi program's directory, which ` +
                `the policy pack cannot see, so it is not checked`,
            fix:
                `set ${PROJECT_DIR_ENV} to the program's directory when running pulumi (e.g. ` +
                `${PROJECT_DIR_ENV}=$PWD pulumi preview), or the projectDir option of this policy`,
        };
    }
    return nodePath.resolve(dir, written);
}

const readCache = new Map<string, { mtimeMs: number; size: number; text: string }>();

/** The text of a Dockerfile, or why it cannot be read. Reads are cached while the file is unchanged. */
function readDockerfile(path: string): string | { problem: string; fix: string } {
    try {
        const stat = fs.statSync(path);
        if (!stat.isFile()) {
            return { problem: `${path} is not a file`, fix: "point the build at the Dockerfile" };
        }
        if (stat.size > MAX_DOCKERFILE_BYTES) {
            return {
                problem:
                    `${path} is ${stat.size} bytes, more than the ${MAX_DOCKERFILE_BYTES} a Dockerfile is read ` +
                    `up to`,
                fix: "check this Dockerfile with another tool, or exempt the resource",
            };
        }
        const cached = readCache.get(path);
        if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) {
            return cached.text;
        }
        const text = fs.readFileSync(path, "utf8");
        if (readCache.size > 64) {
            readCache.clear();
        }
        readCache.set(path, { mtimeMs: stat.mtimeMs, size: stat.size, text });
        return text;
    } catch (err) {
        const code = (err as { code?: string }).code;
        const why =
            code === "ENOENT"
                ? "does not exist"
                : code === "EACCES"
                  ? "cannot be read (permission denied)"
                  : "cannot be read";
        return {
            problem: `the Dockerfile ${path} ${why}`,
            fix:
                code === "ENOENT"
                    ? `check the path, and that ${PROJECT_DIR_ENV} (or projectDir) names the Pulumi program's directory`
                    : "make the file readable to the user running pulumi",
        };
    }
}
