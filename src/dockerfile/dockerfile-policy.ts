// The shared shape of the Dockerfile rules: find the Dockerfile a build resource uses (inline text,
// or a file the pack can read), parse it once, give the rules its stages with the build's
// arguments, target and named contexts, and report what could not be read.

import type { ResourceValidationArgs } from "@pulumi/policy";
import { type Instruction, parseDockerfile, type ParsedDockerfile } from "./parser";
import { type BuildDefinition, PROJECT_DIR_ENV, buildDefinitionOf, mayDefineBuild } from "./sources";
import {
    DockerfileBuild,
    type Expanded,
    MAX_STAGES,
    type Source,
    type Stage,
    type VariableValue,
    expandWord,
} from "./stages";
import { type Evaluation, type PolicyMetadata, type Preparation, buildResourcePolicy } from "../framework/policy";
import { Field } from "../framework/field";
import { plainIdentity } from "../framework/resource";
import { type OptionValues, type OptionsSpec, option, string } from "../framework/options";

const dockerfileOptions = {
    projectDir: option(
        string({
            description:
                `The Pulumi program's directory, against which relative Dockerfile and context paths are ` +
                `resolved (a relative value is resolved against the policy pack's directory). Empty: the ` +
                `${PROJECT_DIR_ENV} environment variable, else relative paths are not read.`,
        }),
        "",
    ),
};

/** A Dockerfile being judged, with what the build resource adds to it. */
export interface DockerfileUnderTest {
    readonly build: DockerfileBuild;
    readonly definition: BuildDefinition;
    /** Names the text in messages: `dockerfile.inline` or the file's absolute path. */
    readonly origin: string;
    /** Where an instruction is, as a message shows it: `dockerfile.inline line 4`. */
    at(ins: Instruction): string;
}

interface DockerfilePolicyDefinition<O extends OptionsSpec> extends PolicyMetadata {
    readonly options: O;
    readonly check: (df: DockerfileUnderTest, ev: Evaluation<OptionValues<O & typeof dockerfileOptions>>) => void;
}

const parseCache = new Map<string, ParsedDockerfile>();

/** Parses text once while several policies judge the same Dockerfile. */
function parsed(text: string): ParsedDockerfile {
    let p = parseCache.get(text);
    if (!p) {
        p = parseDockerfile(text);
        if (parseCache.size > 32) {
            parseCache.clear();
        }
        parseCache.set(text, p);
    }
    return p;
}

/** Looks build arguments up in a map field; unknown values are unresolved, naming their field. */
function buildArgLookup(buildArgs: Field<unknown>): (name: string) => VariableValue | undefined {
    if (buildArgs.isUnknown) {
        return () => ({
            kind: "unresolved",
            reason: "is a build argument, and the build arguments are not known during preview",
            field: buildArgs,
        });
    }
    return (name) => {
        const f = buildArgs.get(name);
        if (f.isUnknown) {
            return { kind: "unresolved", reason: "is a build argument that is not known during preview", field: f };
        }
        const v = f.scalar();
        return v === undefined ? undefined : { kind: "set", value: String(v) };
    };
}

const INSTRUCTIONS: ReadonlySet<string> = new Set(
    (
        "from run cmd label maintainer expose env add copy entrypoint volume user workdir arg onbuild stopsignal " +
        "healthcheck shell as none"
    ).split(" "),
);

/**
 * The pieces of a secret Dockerfile a check may print on their own (an image after its build
 * arguments are substituted, a user name, a stage name): every run of text between whitespace,
 * quotes, `=`, `:`, `@`, `/`, `,` and variable references, of 4 characters or more, except the
 * instruction keywords. The evaluation scrubs them from its messages.
 */
export function secretPieces(text: string): string[] {
    const pieces = new Set<string>();
    for (const piece of text.slice(0, 1 << 20).split(/\$\{[^}]*\}|\$\w+|[\s"'=:@/,[\]]+/)) {
        if (piece.length >= 4 && !INSTRUCTIONS.has(piece.toLowerCase())) {
            pieces.add(piece);
        }
    }
    return [...pieces];
}

/** The parser's problem for text past the length it reads (the pack's limit, not BuildKit's). */
const TRUNCATED = /characters long; only the first \d+ are read$/;

/**
 * A Dockerfile that cannot be fully read is never passed silently: what BuildKit would reject
 * (an unterminated heredoc, an invalid escape directive, an instruction before the first FROM, ...)
 * is reported as advisory, because such a build fails and produces no image, and the policy still
 * judges what it could read; text past the length the pack reads is reported at the policy's level,
 * because BuildKit may build it and the rest is not judged.
 */
function reportReadProblems(
    ev: Evaluation<unknown>,
    problems: readonly string[],
    origin: string,
    secret: boolean,
): void {
    const rejected = problems.filter((p) => !TRUNCATED.test(p));
    if (rejected.length > 0 && secret) {
        // The parser's problems quote the Dockerfile's text.
        ev.violation({
            at: origin,
            advisory: true,
            problem:
                `the Dockerfile could not be fully read (${rejected.length} problem` +
                `${rejected.length === 1 ? "" : "s"}, not shown because the Dockerfile is a secret); BuildKit ` +
                `rejects it, so the build would fail; what could be read is judged`,
            fix: "fix the Dockerfile so that BuildKit can read it",
        });
    } else if (rejected.length > 0) {
        ev.violation({
            at: origin,
            advisory: true,
            problem:
                `the Dockerfile could not be fully read: ${rejected.slice(0, 3).join("; ")}` +
                `${rejected.length > 3 ? ` (and ${rejected.length - 3} more)` : ""}; BuildKit rejects it, so the ` +
                `build would fail; what could be read is judged`,
            fix: "fix the Dockerfile so that BuildKit can read it",
        });
    }
    for (const p of problems.filter((q) => TRUNCATED.test(q))) {
        ev.violation({
            at: origin,
            problem: `the Dockerfile could not be fully read: ${p}, so the rest is not judged`,
            fix: "shorten the Dockerfile, or exempt the resource after checking it with another tool",
        });
    }
}

/** A policy that judges the Dockerfile of docker-build Images, docker Images and RemoteImages with a build. */
export function defineDockerfilePolicy<O extends OptionsSpec, N extends string>(
    def: DockerfilePolicyDefinition<O> & { readonly name: N },
) {
    const options = { ...def.options, ...dockerfileOptions };
    return buildResourcePolicy({
        ...def,
        options,
        appliesToType: mayDefineBuild,
        applicableTo: "image builds",
        prepare(args, opts) {
            return buildPreparation(
                args,
                (opts as OptionValues<typeof dockerfileOptions>).projectDir,
                (definition, ev) => {
                    const source = definition.dockerfile();
                    if (source.kind === "unknown") {
                        ev.unknown(source.field);
                        return;
                    }
                    if (source.kind === "unreadable") {
                        ev.violation({ at: source.at, advisory: true, problem: source.problem, fix: source.fix });
                        return;
                    }
                    if (source.at.isSecret) {
                        ev.secretText(...secretPieces(source.text));
                    }
                    const named = definition.namedContexts;
                    const build = new DockerfileBuild(parsed(source.text), {
                        buildArg: buildArgLookup(definition.buildArgs),
                        namedContexts: new Set(named.entries().map(([k]) => k.toLowerCase())),
                    });
                    if (build.tooLarge) {
                        ev.violation({
                            at: source.origin,
                            advisory: true,
                            problem: `the Dockerfile has more than ${MAX_STAGES} stages and is not judged`,
                            fix: "check it with another tool, or exempt the resource",
                        });
                        return;
                    }
                    reportReadProblems(ev, build.problems, source.origin, source.at.isSecret);
                    def.check(
                        { build, definition, origin: source.origin, at: (ins) => `${source.origin} line ${ins.line}` },
                        ev,
                    );
                },
            );
        },
    });
}

/**
 * How a policy judges a build resource (docker-build Image, docker Image, RemoteImage with build); undefined for other
 * types.
 */
export function buildPreparation<V>(
    args: ResourceValidationArgs,
    projectDir: string,
    run: (definition: BuildDefinition, ev: Evaluation<V>) => void,
): Preparation<V> | undefined {
    const definition = buildDefinitionOf(args.type, Field.root(args.props), { projectDir });
    if (!definition) {
        return undefined;
    }
    return { resource: plainIdentity(args.type, args.name), isPatch: false, run: (ev) => run(definition, ev) };
}

/** An image the build pulls: a stage's base or a `--from` source, as written and after substitution. */
export interface PulledImage {
    readonly instruction: Instruction;
    /** How the Dockerfile writes it, e.g. `FROM ${BASE}:${TAG}`, `COPY --from=nginx:1.27`. */
    readonly written: string;
    /** The reference after substitution (parts that depend on unresolved variables kept as written). */
    readonly ref: Expanded;
    /** A named build context the image comes from (`docker-image://...`), when it does. */
    readonly context?: string;
}

const DOCKER_IMAGE_SCHEME = "docker-image://";

/**
 * Every image the build pulls: each stage's base, and the sources of `COPY --from`, `ADD --from`
 * and `RUN --mount=...,from=...`, in order. Stages, `scratch`, numbered stages and named contexts
 * that are not `docker-image://` references are not images. Unknown named contexts are recorded.
 */
export function pulledImages(df: DockerfileUnderTest, ev: Evaluation<unknown>): PulledImage[] {
    const out: PulledImage[] = [];
    const named = df.definition.namedContexts;
    const add = (instruction: Instruction, written: string, source: Source) => {
        if (source.kind === "image") {
            if (named.isUnknown) {
                ev.unknown(named); // any name could be a named context
            } else {
                out.push({ instruction, written, ref: source.ref });
            }
        } else if (source.kind === "context") {
            const entry = named.entries().find(([k]) => k.toLowerCase() === source.name);
            const location = entry?.[1].get("location");
            if (location?.isUnknown) {
                ev.unknown(location);
            } else if (location?.str()?.startsWith(DOCKER_IMAGE_SCHEME)) {
                out.push({
                    instruction,
                    written,
                    ref: { text: location.str()!.slice(DOCKER_IMAGE_SCHEME.length), unresolved: [] },
                    context: location.path,
                });
            }
        }
    };
    for (const stage of df.build.stages) {
        add(stage.from, `FROM ${stage.base}`, df.build.baseOf(stage));
        df.build.walk(stage, (ins, lookup) => {
            for (const from of fromFlags(ins)) {
                const ref = expandWord(from.value, lookup);
                if (!/^\d+$/.test(ref.text) || ref.unresolved.length > 0) {
                    add(ins, `${ins.keyword} ${from.flag}`, df.build.resolveSource(ref, df.build.stages.length));
                }
            }
        });
    }
    return out;
}

/** The `--from=` of COPY and ADD, and the `from=` of RUN `--mount` flags. */
function fromFlags(ins: Instruction): { flag: string; value: string }[] {
    const out: { flag: string; value: string }[] = [];
    for (const f of ins.flags) {
        if (f.name === "from" && (ins.keyword === "COPY" || ins.keyword === "ADD") && f.value !== undefined) {
            out.push({ flag: `--from=${f.value}`, value: f.value });
        } else if (f.name === "mount" && ins.keyword === "RUN" && f.value !== undefined) {
            for (const part of f.value.split(",")) {
                if (part.startsWith("from=")) {
                    out.push({ flag: `--mount=...,${part}`, value: part.slice(5) });
                }
            }
        }
    }
    return out;
}

/** Stage of a Dockerfile in messages: `stage "builder"` or `stage #2`. */
export function stageLabel(stage: Stage): string {
    return stage.name !== undefined ? `stage ${JSON.stringify(stage.name)}` : `stage #${stage.index}`;
}

/**
 * Reports what keeps a substituted text from being judged: build arguments unknown during preview
 * (as unknown fields) and variables the Dockerfile does not define (as an advisory). True when
 * anything is unresolved.
 */
export function reportUnresolved(ev: Evaluation<unknown>, text: Expanded, written: string, at: string): boolean {
    if (text.unresolved.length === 0) {
        return false;
    }
    const withField = text.unresolved.filter((u) => u.field);
    for (const u of withField) {
        ev.unknown(u.field!);
    }
    if (withField.length === 0) {
        const u = text.unresolved[0];
        ev.violation({
            at,
            advisory: true,
            problem: `${written} cannot be judged: ${u.name ? `$${u.name} ${u.reason}` : `it ${u.reason}`}`,
            fix: "give the variable a default (ARG NAME=value) or pass it as a build argument",
        });
    }
    return true;
}
