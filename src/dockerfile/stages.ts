// What a parsed Dockerfile builds: its stages, the variables each instruction sees, and what the
// final image inherits. The rules follow BuildKit's:
//
// - ARGs declared before the first FROM are global: only FROM lines see them (plus the automatic
//   platform ARGs, whose values depend on the platform the build targets). A stage sees an ARG only
//   after declaring it (`ARG NAME` takes the global default); a build argument overrides the default
//   of a declared ARG.
// - ENV overrides an ARG of the same name, and is inherited by a stage built `FROM` another stage.
// - A variable that is not declared expands to the empty string, except that a stage built on an
//   external image may get it from that image's ENV, which the Dockerfile does not show: such a
//   variable, a build argument that is unknown during preview and a platform ARG are *unresolved*.
// - `FROM name` refers to an earlier stage when `name` is one (case-insensitively), `COPY --from`
//   to any stage; `scratch` is the empty image; a named build context (docker-build
//   `context.named`) takes precedence over both, and one named like a stage replaces that stage.
// - Substitution supports `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`,
//   `${VAR+word}`, `${VAR:?msg}` and `${VAR?msg}`, with quotes and the escape character; the
//   pattern forms (`${VAR#p}`, `${VAR%p}`, `${VAR/p/r}`) are left unresolved.

import { type EscapeCharacter, type Instruction, type ParsedDockerfile, shellWords } from "./parser";
import { type Field } from "../framework/field";

/** The value a variable has where it is used. */
export type VariableValue =
    | { readonly kind: "set"; readonly value: string }
    | { readonly kind: "unset" }
    | { readonly kind: "unresolved"; readonly reason: string; readonly field?: Field<unknown> };

/** A variable whose value decides a text but is not known here. */
interface Unresolved {
    readonly name: string;
    /** In words, e.g. "depends on the target platform", "is not known during preview". */
    readonly reason: string;
    /** The build argument's field, when it is unknown during preview. */
    readonly field?: Field<unknown>;
}

/** Text after substitution; parts that depend on unresolved variables are kept as written. */
export interface Expanded {
    readonly text: string;
    readonly unresolved: readonly Unresolved[];
}

type Lookup = (name: string) => VariableValue;

const UNSET: VariableValue = { kind: "unset" };

/** The ARGs BuildKit defines in the global scope from the build and target platforms. */
const PLATFORM_ARGS: ReadonlySet<string> = new Set([
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
]);

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL_PARAMS = "@*#?-$!";

/**
 * Substitutes variables in one word and removes its quotes and escapes, as BuildKit's shell lexer does. Never throws.
 */
export function expandWord(word: string, lookup: Lookup, escape: EscapeCharacter = "\\"): Expanded {
    const unresolved: Unresolved[] = [];
    let pos = 0;

    const dollar = (): string => {
        const start = pos;
        pos++; // $
        if (word[pos] !== "{") {
            const name = readName();
            if (name === undefined) {
                return "$";
            }
            return name === "" ? "" : valueOf(name, word.slice(start, pos));
        }
        pos++; // {
        const name = readName() ?? "";
        const op =
            word[pos] === ":" && "-+?".includes(word[pos + 1] ?? "x") ? word.slice(pos, pos + 2) : (word[pos] ?? "");
        if (op === "}") {
            pos++;
            return valueOf(name, word.slice(start, pos));
        }
        pos += op.length;
        const arg = until("}");
        pos++; // }
        const source = word.slice(start, pos);
        const v = name === "" ? UNSET : lookup(name);
        if (v.kind === "unresolved") {
            unresolved.push({ name, reason: v.reason, field: v.field });
            return source;
        }
        const value = v.kind === "set" ? v.value : undefined;
        switch (op) {
            case ":-":
                return value ? value : arg;
            case "-":
                return value !== undefined ? value : arg;
            case ":+":
                return value ? arg : "";
            case "+":
                return value !== undefined ? arg : "";
            case ":?":
            case "?":
                return value ?? "";
            default:
                unresolved.push({ name, reason: `is used with the substitution ${source}, which is not evaluated` });
                return source;
        }
    };

    const valueOf = (name: string, source: string): string => {
        const v = name === "" ? UNSET : lookup(name);
        if (v.kind === "unresolved") {
            unresolved.push({ name, reason: v.reason, field: v.field });
            return source;
        }
        return v.kind === "set" ? v.value : "";
    };

    /** A variable name; "" for the positional and special parameters (never set); undefined when there is none. */
    const readName = (): string | undefined => {
        const start = pos;
        if (/[0-9]/.test(word[pos] ?? "")) {
            while (/[0-9]/.test(word[pos] ?? "")) {
                pos++;
            }
            return ""; // positional parameters are never set in a Dockerfile
        }
        const c = word[pos];
        if (c !== undefined && SPECIAL_PARAMS.includes(c)) {
            pos++;
            return ""; // special parameters ($@, $#, ...) are never set either
        }
        if (!NAME_START.test(word[pos] ?? "")) {
            return undefined;
        }
        while (pos < word.length && NAME_CHAR.test(word[pos])) {
            pos++;
        }
        return word.slice(start, pos);
    };

    /** Reads up to `stop` (or the end), expanding and unquoting. */
    const until = (stop: string | undefined): string => {
        let out = "";
        while (pos < word.length && word[pos] !== stop) {
            const ch = word[pos];
            if (ch === "'") {
                const end = word.indexOf("'", pos + 1);
                out += word.slice(pos + 1, end < 0 ? word.length : end);
                pos = end < 0 ? word.length : end + 1;
            } else if (ch === '"') {
                pos++;
                while (pos < word.length && word[pos] !== '"') {
                    if (word[pos] === "$") {
                        out += dollar();
                    } else if (
                        word[pos] === escape &&
                        pos + 1 < word.length &&
                        ['"', "$", escape].includes(word[pos + 1])
                    ) {
                        out += word[pos + 1];
                        pos += 2;
                    } else {
                        out += word[pos++];
                    }
                }
                pos++; // closing quote
            } else if (ch === escape) {
                out += word[pos + 1] ?? "";
                pos += 2;
            } else if (ch === "$") {
                out += dollar();
            } else {
                out += ch;
                pos++;
            }
        }
        return out;
    };

    try {
        const text = until(undefined);
        return { text, unresolved };
    } catch {
        return { text: word, unresolved: [{ name: "", reason: "could not be read" }] };
    }
}

/** One variable an ARG or ENV instruction declares; `value` is as written (expanded where it is used). */
interface Declaration {
    readonly name: string;
    readonly value: string | undefined;
}

/** The variables of `ARG name[=default] ...`. */
export function argDeclarations(ins: Instruction, escape: EscapeCharacter): Declaration[] {
    return shellWords(ins.args, escape).map((w) => {
        const eq = w.indexOf("=");
        return eq < 0 ? { name: w, value: undefined } : { name: w.slice(0, eq), value: w.slice(eq + 1) };
    });
}

/** The variables of `ENV name=value ...` or the legacy `ENV name value` (the value is the rest of the line). */
export function envDeclarations(ins: Instruction, escape: EscapeCharacter): Declaration[] {
    const words = shellWords(ins.args, escape);
    if (words.length === 0) {
        return [];
    }
    if (!words[0].includes("=")) {
        const rest = ins.args.slice(ins.args.indexOf(words[0]) + words[0].length).trim();
        return [{ name: words[0], value: rest }];
    }
    return words
        .filter((w) => w.indexOf("=") > 0)
        .map((w) => ({ name: w.slice(0, w.indexOf("=")), value: w.slice(w.indexOf("=") + 1) }));
}

/** One stage: a FROM and the instructions up to the next FROM. */
export interface Stage {
    /** 0-based position, as `COPY --from=<n>` counts. */
    readonly index: number;
    readonly from: Instruction;
    /** The base as written in FROM (variables not substituted). */
    readonly base: string;
    /** `AS name`, lower-cased (stage names are case-insensitive). */
    readonly name: string | undefined;
    readonly instructions: readonly Instruction[];
}

/** How a stage's base, or a `--from` source, resolves. */
export type Source =
    | { readonly kind: "stage"; readonly stage: Stage }
    | { readonly kind: "scratch" }
    | { readonly kind: "context"; readonly name: string }
    | { readonly kind: "image"; readonly ref: Expanded };

/** Who a stage's processes run as. */
type StageUser =
    /** The last USER instruction in effect (in the stage or one it is built on). */
    | { readonly kind: "user"; readonly user: Expanded; readonly instruction: Instruction; readonly stage: Stage }
    /** No USER in the stage chain: the base image's user applies (root for `scratch`). */
    | { readonly kind: "base"; readonly source: Source; readonly stage: Stage };

/**
 * Variables in scope: a stage's own, then (read-only) those of the stage it is built on. Scopes are
 * linked rather than copied, so a long chain of stages costs memory in proportion to its ENVs.
 */
class Scope {
    readonly vars = new Map<string, VariableValue>();

    constructor(private readonly parent?: Scope) {}

    get(name: string): VariableValue | undefined {
        return this.vars.get(name) ?? this.parent?.get(name);
    }
}

/** More stages than this are not judged (real Dockerfiles have a handful; this bounds the work on odd input). */
export const MAX_STAGES = 128;

/** What the build needs from outside the Dockerfile. */
export interface BuildInputs {
    /** The value a build argument is given (`--build-arg`), if it is given. */
    readonly buildArg?: (name: string) => VariableValue | undefined;
    /** Named build contexts (`--build-context name=...`), lower-case names. */
    readonly namedContexts?: ReadonlySet<string>;
}

/** A Dockerfile's stages and the variable scopes of its instructions. */
export class DockerfileBuild {
    readonly globalArgs: readonly Instruction[];
    readonly stages: readonly Stage[];
    readonly problems: readonly string[];
    /** The Dockerfile has more stages than are judged (MAX_STAGES): it has no stages here. */
    readonly tooLarge: boolean;
    private readonly escape: EscapeCharacter;
    private readonly globals = new Map<string, VariableValue>();
    private readonly envCache = new Map<number, Scope>();
    private readonly baseCache = new Map<number, Source>();
    private readonly fallbackCache = new Map<number, VariableValue>();
    /** The first stage of each name (BuildKit rejects duplicate names). */
    private readonly stagesByName = new Map<string, Stage>();

    constructor(
        readonly file: ParsedDockerfile,
        private readonly inputs: BuildInputs = {},
    ) {
        this.escape = file.escape;
        const problems = [...file.problems];
        const globalArgs: Instruction[] = [];
        const stages: Stage[] = [];
        for (const ins of file.instructions) {
            if (ins.keyword === "FROM") {
                const words = ins.args.split(/\s+/).filter((w) => w !== "");
                const named = words.length === 3 && words[1].toUpperCase() === "AS";
                if (words.length !== 1 && !named) {
                    problems.push(`line ${ins.line}: FROM needs an image and optionally "AS <name>"`);
                }
                if (stages.length === MAX_STAGES) {
                    problems.push(`the Dockerfile has more than ${MAX_STAGES} stages; it is not judged`);
                    break;
                }
                stages.push({
                    index: stages.length,
                    from: ins,
                    base: words[0] ?? "",
                    name: named ? words[2].toLowerCase() : undefined,
                    instructions: [],
                });
            } else if (stages.length === 0) {
                if (ins.keyword === "ARG") {
                    globalArgs.push(ins);
                } else {
                    problems.push(`line ${ins.line}: ${ins.keyword} before the first FROM (only ARG may come first)`);
                }
            } else {
                (stages[stages.length - 1].instructions as Instruction[]).push(ins);
            }
        }
        this.tooLarge =
            stages.length === MAX_STAGES && problems.some((p) => p.includes(`more than ${MAX_STAGES} stages`));
        this.globalArgs = globalArgs;
        this.stages = this.tooLarge ? [] : stages;
        for (const stage of this.stages) {
            if (stage.name !== undefined && !this.stagesByName.has(stage.name)) {
                this.stagesByName.set(stage.name, stage);
            }
        }
        this.problems = problems;
        for (const ins of globalArgs) {
            for (const d of argDeclarations(ins, this.escape)) {
                this.globals.set(
                    d.name,
                    this.declaredArg(d, (n) => this.globalLookup(n)),
                );
            }
        }
    }

    /** A declared ARG's value: the build argument if given, else its default (expanded), else unset. */
    private declaredArg(d: Declaration, lookup: Lookup, inherited?: VariableValue): VariableValue {
        const given = this.inputs.buildArg?.(d.name);
        if (given) {
            return given;
        }
        if (d.value !== undefined) {
            const e = expandWord(d.value, lookup, this.escape);
            return e.unresolved.length > 0 ? unresolvedBy(e) : { kind: "set", value: e.text };
        }
        return inherited ?? UNSET;
    }

    private globalLookup(name: string): VariableValue {
        const v = this.globals.get(name);
        if (v) {
            return v;
        }
        return PLATFORM_ARGS.has(name)
            ? { kind: "unresolved", reason: "depends on the platform the image is built for" }
            : UNSET;
    }

    /** Expands text in the global scope (what FROM lines see). */
    expandGlobal(text: string): Expanded {
        return expandWord(text, (n) => this.globalLookup(n), this.escape);
    }

    /** The stage to build: `target` (case-insensitive), or the last stage. Undefined if there is none. */
    finalStage(target?: string): Stage | undefined {
        if (target === undefined || target === "") {
            return this.stages[this.stages.length - 1];
        }
        return this.stages.find((s) => s.name === target.toLowerCase());
    }

    /**
     * What a FROM or `--from` name refers to. FROM sees only the stages before it (`before` is its
     * index); `COPY --from` sees every stage (pass `stages.length`).
     */
    resolveSource(text: Expanded, before: number): Source {
        if (text.unresolved.length > 0) {
            return { kind: "image", ref: text };
        }
        // BuildKit's order: a stage (itself possibly replaced by a named context), scratch, a named context, an image.
        const name = text.text.toLowerCase();
        const stage = this.stagesByName.get(name);
        if (stage && stage.index < before) {
            return { kind: "stage", stage };
        }
        if (text.text === "scratch") {
            return { kind: "scratch" };
        }
        const context = this.namedContext(name);
        return context ? { kind: "context", name: context } : { kind: "image", ref: text };
    }

    /** The named build context a name selects (`alpine:latest` selects a context named `alpine`, as in BuildKit). */
    private namedContext(name: string): string | undefined {
        const contexts = this.inputs.namedContexts;
        if (!contexts) {
            return undefined;
        }
        return contexts.has(name)
            ? name
            : name.endsWith(":latest") && contexts.has(name.slice(0, -7))
              ? name.slice(0, -7)
              : undefined;
    }

    /** What a stage is built on. A named build context with the stage's name replaces the whole stage. */
    baseOf(stage: Stage): Source {
        let base = this.baseCache.get(stage.index);
        if (!base) {
            const replaced = stage.name !== undefined ? this.namedContext(stage.name) : undefined;
            base = replaced
                ? { kind: "context", name: replaced }
                : this.resolveSource(this.expandGlobal(stage.base), stage.index);
            this.baseCache.set(stage.index, base);
        }
        return base;
    }

    /**
     * Visits a stage's instructions in order with the variables each sees: the stage's ARGs, its
     * ENV, and the ENV of the stage it is built on.
     */
    walk(stage: Stage, visit: (ins: Instruction, lookup: Lookup) => void): Scope {
        const base = this.baseOf(stage);
        const env = new Scope(base.kind === "stage" ? this.envAtEnd(base.stage) : undefined);
        const args = new Map<string, VariableValue>();
        // A variable the Dockerfile never declares may come from an external base image's ENV.
        const fallback = this.fallbackOf(stage);
        const lookup: Lookup = (name) => env.get(name) ?? args.get(name) ?? fallback;
        for (const ins of stage.instructions) {
            visit(ins, lookup);
            if (ins.keyword === "ARG") {
                for (const d of argDeclarations(ins, this.escape)) {
                    args.set(d.name, this.declaredArg(d, lookup, this.globals.get(d.name)));
                }
            } else if (ins.keyword === "ENV") {
                for (const d of envDeclarations(ins, this.escape)) {
                    const e = expandWord(d.value ?? "", lookup, this.escape);
                    env.vars.set(d.name, e.unresolved.length > 0 ? unresolvedBy(e) : { kind: "set", value: e.text });
                }
            }
        }
        return env;
    }

    /** What an undeclared variable is in a stage chain: unresolved on an external image, empty on scratch. */
    private fallbackOf(stage: Stage): VariableValue {
        // The chain ends at the same external base for every stage on it; earlier stages are decided first.
        for (let i = 0; i <= stage.index; i++) {
            if (!this.fallbackCache.has(i)) {
                const base = this.baseOf(this.stages[i]);
                this.fallbackCache.set(
                    i,
                    base.kind === "stage"
                        ? this.fallbackCache.get(base.stage.index)!
                        : base.kind === "scratch"
                          ? UNSET
                          : {
                                kind: "unresolved",
                                reason: "is not declared in the Dockerfile and may be set by the base image",
                            },
                );
            }
        }
        return this.fallbackCache.get(stage.index)!;
    }

    /**
     * The ENV a stage ends with. Stages are walked in order (a stage can only build on an earlier one), so nothing
     * recurses.
     */
    private envAtEnd(stage: Stage): Scope {
        for (let i = 0; i <= stage.index; i++) {
            if (!this.envCache.has(i)) {
                this.envCache.set(
                    i,
                    this.walk(this.stages[i], () => undefined),
                );
            }
        }
        return this.envCache.get(stage.index)!;
    }

    /** Who the stage's processes run as: its last USER, else its parent stage's, else the base image's. */
    userOf(stage: Stage): StageUser {
        for (let current = stage; ;) {
            let last: StageUser | undefined;
            const s = current;
            this.walk(s, (ins, lookup) => {
                if (ins.keyword === "USER") {
                    last = {
                        kind: "user",
                        user: expandWord(ins.args, lookup, this.escape),
                        instruction: ins,
                        stage: s,
                    };
                }
            });
            if (last) {
                return last;
            }
            const base = this.baseOf(s);
            if (base.kind !== "stage") {
                return { kind: "base", source: base, stage: s };
            }
            current = base.stage;
        }
    }
}

function unresolvedBy(e: Expanded): VariableValue {
    const first = e.unresolved[0];
    return {
        kind: "unresolved",
        reason: `depends on ${first.name ? `$${first.name}, which ${first.reason}` : "a value that is not known"}`,
        field: first.field,
    };
}
