// Which values of a request arrived as Pulumi secrets.
//
// The engine marks a secret in an AnalyzeRequest's props as an object
// `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": X}`. The policy
// SDK unwraps these before a policy sees the props (policies get plain JSON), so a policy cannot tell
// a secret from a literal. Here the request's decoded value, which still carries the markers, is
// read once: the JSON paths of every secret (in the grammar of `Field.path`) and the text inside
// them. The request handler makes that index available to the policies it runs through
// `AsyncLocalStorage` (the SDK runs policies with awaits in between, and the engine sends requests
// concurrently, so a module variable would mix requests up), and the policy framework attaches it
// to the props objects it wraps, so every field read from them knows whether it is secret.

import { AsyncLocalStorage } from "async_hooks";

const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Stands for a secret whose value is not available: a stack export stores it encrypted. Policies
 * cannot judge it; messages say so instead of "not known during preview".
 */
export const ENCRYPTED_SECRET = "container-guard:encrypted-secret:9a4f1c2e-7b35-4d0a-b8e6-2f61c0d7a913";

/** How secret text is rendered wherever a value would be printed. */
export const SECRET_PLACEHOLDER = "[secret]";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * How a key is written in a path, for the keys seen most: policies read the same few keys of every resource, and
 * testing each against IDENTIFIER again was a visible share of reading a field. Bounded (keys also come from input).
 */
const pathParts = new Map<string, string>();
const MAX_PATH_PARTS = 4096;

function pathPart(key: string): string {
    let part = pathParts.get(key);
    if (part === undefined) {
        part = IDENTIFIER.test(key) ? key : `[${JSON.stringify(key)}]`;
        if (pathParts.size < MAX_PATH_PARTS) {
            pathParts.set(key, part);
        }
    }
    return part;
}

/** Appends a property name to a JSON path, quoting keys that are not plain identifiers. */
export function joinPath(path: string, key: string): string {
    const part = pathPart(key);
    if (path === "" || part.startsWith("[")) {
        return path + part;
    }
    return `${path}.${part}`;
}

/** Secret text shorter than this is not scrubbed from messages (it would match ordinary words). */
export const MIN_SCRUBBED_LENGTH = 4;
/** Secret text shorter than this is replaced only where it stands as a word of its own. */
const WHOLE_WORD_BELOW = 8;
/** Any run of this many characters of secret text is replaced, wherever a message has it. */
export const SCRUBBED_RUN = 12;
/** Secret text indexed for runs, per message sink (beyond it, whole values and lines are still scrubbed). */
const MAX_RUN_INDEXED = 64 * 1024;
/** At most this many distinct secret strings are collected per resource for scrubbing. */
const MAX_SCRUBBED_STRINGS = 10_000;
/** Up to this many secret texts, a message is searched for each (beyond it, for the texts its characters start). */
const FEW_TEXTS = 16;
/** Lines of multi-line secret text are scrubbed on their own from this length on. */
const MIN_SCRUBBED_LINE = 8;

/** The secrets of one props object (a resource's inputs or outputs, or its provider's inputs). */
export class SecretIndex {
    /** Paths of values that arrived as secrets; everything below them is secret too. */
    private readonly roots = new Set<string>();
    /** Paths that have a secret at or below them (for rendering composite values). */
    private readonly containing = new Set<string>();
    private readonly texts = new Set<string>();
    private sortedTexts?: string[];

    get isEmpty(): boolean {
        return this.roots.size === 0;
    }

    /** Whether the value at `path` arrived as a secret itself (not through an ancestor). */
    isSecretRoot(path: string): boolean {
        return this.roots.has(path);
    }

    /** Whether the value at `path`, or something below it, is secret. */
    hasSecretAtOrBelow(path: string): boolean {
        return this.containing.has(path);
    }

    /** Text found inside the secrets, longest first (what a last line of defence scrubs from messages). */
    get secretTexts(): readonly string[] {
        this.sortedTexts ??= [...this.texts].sort((a, b) => b.length - a.length);
        return this.sortedTexts;
    }

    /** @internal */
    addRoot(path: string, ancestors: readonly string[]): void {
        this.roots.add(path);
        this.containing.add(path);
        for (const a of ancestors) {
            this.containing.add(a);
        }
    }

    /** @internal */
    addText(value: string): void {
        if (this.texts.size >= MAX_SCRUBBED_STRINGS) {
            return;
        }
        this.sortedTexts = undefined;
        for (const text of scrubForms(value)) {
            this.texts.add(text);
        }
    }
}

/** The forms a secret string may take in a message: as it is, JSON-escaped, and line by line. */
function scrubForms(value: string): string[] {
    const out: string[] = [];
    if (value.length >= MIN_SCRUBBED_LENGTH) {
        out.push(value);
        const escaped = JSON.stringify(value).slice(1, -1);
        if (escaped !== value) {
            out.push(escaped);
        }
    }
    if (value.includes("\n")) {
        for (const line of value.split(/\r?\n/)) {
            const trimmed = line.trim();
            if (trimmed.length >= MIN_SCRUBBED_LINE) {
                out.push(trimmed);
            }
        }
    }
    return out;
}

/**
 * Folds letter case code unit by code unit (so indices stay those of the original text): a check
 * that upper-cases a name it read (a capability, a Dockerfile instruction) must not slip a secret
 * past the scrubber.
 */
function foldCase(text: string): string {
    // eslint-disable-next-line no-control-regex
    if (/^[\x00-\x7f]*$/.test(text)) {
        return text.toLowerCase();
    }
    let out = "";
    for (const unit of text.split("")) {
        const lower = unit.toLowerCase();
        out += lower.length === 1 ? lower : unit;
    }
    return out;
}

/** Replaces every occurrence of `folded` (case-folded) in `text`, comparing case-insensitively. */
function replaceFolded(text: string, folded: string, placeholder: string): string {
    const haystack = foldCase(text);
    let out = "";
    let from = 0;
    for (let at = haystack.indexOf(folded); at >= 0; at = haystack.indexOf(folded, at + folded.length)) {
        out += text.slice(from, at) + placeholder;
        from = at + folded.length;
    }
    return out + text.slice(from);
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Removes secret text from messages: every secret string (and its JSON-escaped form, and each long
 * line of multi-line text) and every run of `SCRUBBED_RUN` characters taken from one, which catches
 * parts a check derived from a secret (an image's repository, a normalised path). The last line of
 * defence behind rendering fields with `show`.
 */
export class Scrubber {
    /** Case-folded, without duplicates and texts too short to scrub, longest first (the order they are replaced in). */
    private readonly texts: readonly string[];
    /** The texts by their first MIN_SCRUBBED_LENGTH characters (indexes into `texts`, ascending). */
    private byPrefix?: Map<string, number[]>;
    private runs?: Set<string>;

    constructor(texts: Iterable<string>) {
        this.texts = [...new Set([...texts].map(foldCase))]
            .filter((t) => t.length >= MIN_SCRUBBED_LENGTH)
            .sort((a, b) => b.length - a.length);
    }

    get isEmpty(): boolean {
        return this.texts.length === 0;
    }

    private runIndex(): Set<string> {
        if (!this.runs) {
            this.runs = new Set();
            let budget = MAX_RUN_INDEXED;
            for (const text of this.texts) {
                if (text.length < SCRUBBED_RUN || budget <= 0) {
                    continue;
                }
                budget -= text.length;
                for (let i = 0; i + SCRUBBED_RUN <= text.length; i++) {
                    // texts are case-folded already
                    this.runs.add(text.slice(i, i + SCRUBBED_RUN));
                }
            }
        }
        return this.runs;
    }

    /**
     * The texts that occur in a (case-folded) message, in replacement order. A stack policy's scrubber holds the
     * secrets of every resource of the stack, and it scrubs every finding: looking each text up by its first characters
     * at each position of the message keeps that linear in the message, not in the stack.
     */
    private textsIn(folded: string, after: number): number[] {
        if (this.texts.length <= FEW_TEXTS) {
            const found: number[] = [];
            for (let i = after + 1; i < this.texts.length; i++) {
                if (folded.includes(this.texts[i])) {
                    found.push(i);
                }
            }
            return found;
        }
        if (!this.byPrefix) {
            this.byPrefix = new Map();
            this.texts.forEach((text, i) => {
                const prefix = text.slice(0, MIN_SCRUBBED_LENGTH);
                const list = this.byPrefix!.get(prefix);
                if (list) {
                    list.push(i);
                } else {
                    this.byPrefix!.set(prefix, [i]);
                }
            });
        }
        const found = new Set<number>();
        for (let p = 0; p + MIN_SCRUBBED_LENGTH <= folded.length; p++) {
            for (const i of this.byPrefix.get(folded.slice(p, p + MIN_SCRUBBED_LENGTH)) ?? []) {
                if (i > after && !found.has(i) && folded.startsWith(this.texts[i], p)) {
                    found.add(i);
                }
            }
        }
        return [...found].sort((a, b) => a - b);
    }

    scrub(message: string): string {
        let out = message;
        let folded = foldCase(out);
        // Longest first, each text looked for in the message as the texts before it left it.
        let pending = this.texts.length > 0 ? this.textsIn(folded, -1) : [];
        while (pending.length > 0) {
            const i = pending[0];
            const text = this.texts[i];
            out =
                text.length >= WHOLE_WORD_BELOW
                    ? replaceFolded(out, text, SECRET_PLACEHOLDER)
                    : out.replace(
                          new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(text)}(?![A-Za-z0-9])`, "gi"),
                          SECRET_PLACEHOLDER,
                      );
            folded = foldCase(out);
            pending = this.textsIn(folded, i);
        }
        const runs = this.runIndex();
        if (runs.size === 0 || out.length < SCRUBBED_RUN) {
            return out;
        }
        const covered: [number, number][] = [];
        for (let i = 0; i + SCRUBBED_RUN <= folded.length; i++) {
            if (runs.has(folded.slice(i, i + SCRUBBED_RUN))) {
                const last = covered[covered.length - 1];
                if (last && i <= last[1]) {
                    last[1] = i + SCRUBBED_RUN;
                } else {
                    covered.push([i, i + SCRUBBED_RUN]);
                }
            }
        }
        for (let k = covered.length - 1; k >= 0; k--) {
            const [from, to] = covered[k];
            out = out.slice(0, from) + SECRET_PLACEHOLDER + out.slice(to);
        }
        return out;
    }
}

const EMPTY = new SecretIndex();

/** An index with no secrets (shared). */
export function noSecrets(): SecretIndex {
    return EMPTY;
}

function isSecretMarker(v: unknown): v is { value?: unknown } {
    return (
        typeof v === "object" &&
        v !== null &&
        !Array.isArray(v) &&
        (v as Record<string, unknown>)[SPECIAL_SIG_KEY] === SECRET_SIG
    );
}

/** Collects the text of a secret value (strings and numbers; keys are structure, not collected). */
function collectText(index: SecretIndex, v: unknown, depth: number): void {
    if (depth > 64) {
        return;
    }
    if (typeof v === "string") {
        index.addText(v);
    } else if (typeof v === "number") {
        index.addText(String(v));
    } else if (Array.isArray(v)) {
        for (const item of v) {
            collectText(index, item, depth + 1);
        }
    } else if (typeof v === "object" && v !== null) {
        for (const [k, item] of Object.entries(v)) {
            if (k !== SPECIAL_SIG_KEY) {
                collectText(index, isSecretMarker(item) ? item.value : item, depth + 1);
            }
        }
    }
}

/** Whether a decoded value holds a secret marker anywhere (a walk that allocates nothing). */
function containsSecret(v: unknown, depth: number): boolean {
    if (typeof v !== "object" || v === null || depth > 256) {
        return false;
    }
    if (Array.isArray(v)) {
        for (const item of v) {
            if (containsSecret(item, depth + 1)) {
                return true;
            }
        }
        return false;
    }
    const record = v as Record<string, unknown>;
    if (record[SPECIAL_SIG_KEY] === SECRET_SIG) {
        return true;
    }
    for (const k in record) {
        if (containsSecret(record[k], depth + 1)) {
            return true;
        }
    }
    return false;
}

/**
 * The secrets of a props object as the engine encodes it (the decoded protobuf Struct, before the
 * SDK unwraps secrets). Returns the shared empty index when there are none (the common case).
 */
export function indexSecrets(encoded: unknown): SecretIndex {
    // Most requests carry no secret: finding that out builds no paths.
    if (!containsSecret(encoded, 0)) {
        return EMPTY;
    }
    let index: SecretIndex | undefined;
    const ancestors: string[] = [];
    const walk = (v: unknown, path: string, depth: number): void => {
        if (typeof v !== "object" || v === null || depth > 256) {
            return;
        }
        if (isSecretMarker(v)) {
            index ??= new SecretIndex();
            index.addRoot(path, ancestors);
            collectText(index, v.value, 0);
            walk(v.value, path, depth + 1);
            return;
        }
        ancestors.push(path);
        if (Array.isArray(v)) {
            for (let i = 0; i < v.length; i++) {
                walk(v[i], `${path}[${i}]`, depth + 1);
            }
        } else {
            for (const k of Object.keys(v)) {
                walk((v as Record<string, unknown>)[k], joinPath(path, k), depth + 1);
            }
        }
        ancestors.pop();
    };
    walk(encoded, "", 0);
    return index ?? EMPTY;
}

/** The secrets of one resource of a request: its props and its provider's props. */
export interface ResourceSecrets {
    readonly props: SecretIndex;
    readonly provider: SecretIndex;
}

/** The secrets of the resources of one request (Analyze, Remediate: one; AnalyzeStack: many). */
export class RequestSecrets {
    private constructor(
        private readonly single: ResourceSecrets | undefined,
        private readonly byUrn: ReadonlyMap<string, ResourceSecrets>,
    ) {}

    /** An Analyze or Remediate request: one resource, whatever URN a policy is given. */
    static ofResource(secrets: ResourceSecrets): RequestSecrets {
        return new RequestSecrets(secrets, new Map());
    }

    /** An AnalyzeStack request: the resources that have secrets, by URN. */
    static ofStack(byUrn: ReadonlyMap<string, ResourceSecrets>): RequestSecrets {
        return new RequestSecrets(undefined, byUrn);
    }

    /** The secrets of the resource with this URN. */
    of(urn: string | undefined): ResourceSecrets | undefined {
        return this.single ?? this.byUrn.get(urn ?? "");
    }

    /** The secrets of every resource of the request. */
    all(): ResourceSecrets[] {
        return this.single ? [this.single] : [...this.byUrn.values()];
    }
}

const requestScope = new AsyncLocalStorage<RequestSecrets>();

/** Runs a request's handler with its secrets available to the policies it runs (also across awaits). */
export function withRequestSecrets<T>(secrets: RequestSecrets | undefined, handler: () => T): T {
    return secrets === undefined ? handler() : requestScope.run(secrets, handler);
}

/** The secrets of the request being handled, if it has any. */
export function currentRequestSecrets(): RequestSecrets | undefined {
    return requestScope.getStore();
}

/** The secrets of a decoded resource (props and provider props), or undefined when it has none. */
export function resourceSecrets(props: unknown, providerProps: unknown): ResourceSecrets | undefined {
    const p = indexSecrets(props);
    const provider = indexSecrets(providerProps);
    return p.isEmpty && provider.isEmpty ? undefined : { props: p, provider };
}

const attached = new WeakMap<object, SecretIndex>();

/** Records which parts of a props object (as a policy receives it) were secrets. */
export function attachSecrets(props: unknown, index: SecretIndex | undefined): void {
    if (index && !index.isEmpty && typeof props === "object" && props !== null) {
        attached.set(props, index);
    }
}

/** The secrets attached to a props object, if any. */
export function attachedSecrets(props: unknown): SecretIndex | undefined {
    return typeof props === "object" && props !== null ? attached.get(props) : undefined;
}
