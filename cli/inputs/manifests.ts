// Kubernetes manifests (YAML or JSON, multi-document, `List` kinds) as Pulumi resources: each object
// becomes the resource the Kubernetes provider would register for it — type
// `kubernetes:<group or core>/<version>:<Kind>`, props the object itself — with the source position
// of every field, so a finding's JSON path can be shown at its line.
//
// YAML is read with YAML 1.1 rules, as kubectl and Helm read it (`yes`/`on` are booleans, `0644` is
// octal), without the 1.1 types Kubernetes does not have (timestamps, sexagesimal numbers, sets).
//
// A file is read one document at a time. Most documents are read by the subset reader
// (yaml-subset.ts), which builds the value straight from the text and, in the same pass, where its nodes
// are, kept only for the last two documents: a finding placed later (a stack policy's) reads its
// document again for its places alone. JSON documents are
// read by JSON.parse where that gives what the YAML reader gives. The rest — anything the subset
// reader declines, and every error — is read by the `yaml` library: a syntax tree costs about 25
// times the text it was read from, so only the document being judged and the last megabyte read keep
// one (TreeCache); a finding whose tree was dropped parses that one document again.

import {
    Composer,
    type Document,
    LineCounter,
    type Node as YamlNode,
    Parser,
    isAlias,
    isMap,
    isScalar,
    isSeq,
} from "yaml";
import type { EngineResource } from "../../src/engine/local-engine";
import { Field } from "../../src/framework/field";
import { kubernetesIdentity } from "../../src/framework/resource";
import { WorkloadCatalog } from "../../src/kubernetes/workload";
import { type PathSegment, parseJsonPath } from "../json-path";
import { type InputError, type ScanResource, type SkippedDocument, type SourceLocation } from "../model";
import { type KindContext, classifyKind } from "./kubernetes-api";
import { KUBERNETES_YAML } from "./kubernetes-yaml";
import { MAX_NESTING, nestingExceeded, tooDeeplyNested, valueNestingExceeded } from "./nesting";
import { type NodePlace, type SubsetDocument, placeStart, readYamlSubset } from "./yaml-subset";

/** Options shared by every manifest file of a scan. */
export interface ManifestScope {
    /** The namespace objects without `metadata.namespace` go to (the Kubernetes provider's `namespace`). */
    readonly namespace?: string;
    /** URNs already given to resources of this scan (kept unique across files). */
    readonly urns: Set<string>;
    /** Which kinds are judged (default: the built-in workload kinds, no configured custom workloads). */
    readonly kinds?: KindContext;
    /** Syntax trees kept for placing findings later (default: a cache per file). */
    readonly trees?: TreeCache;
    /** Read every document into a syntax tree: the reference the fast readers are tested against. */
    readonly syntaxTreesOnly?: boolean;
}

/** What one document of a manifest file holds. */
export interface ManifestDocument {
    readonly resources: ScanResource[];
    readonly errors: InputError[];
    readonly skipped: SkippedDocument[];
    /** False for an empty document (`---` alone, comments only, `null`). */
    readonly hasContent: boolean;
    /** The document's place in its file: 0-based index, and how many the file has. */
    readonly index: number;
    readonly count: number;
}

/** Lists and sequences nest at most this deep (a guard against pathological input, not a Kubernetes limit). */
const MAX_LIST_DEPTH = 8;

const DEFAULT_KINDS: KindContext = (() => {
    const catalog = new WorkloadCatalog();
    return { isWorkload: (type) => catalog.shapeOf(type) !== undefined, customWorkloads: [] };
})();

/** The Pulumi type token of a Kubernetes object, or undefined when apiVersion/kind are not usable. */
export function kubernetesTypeOf(apiVersion: unknown, kind: unknown): string | undefined {
    if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^[A-Za-z][A-Za-z0-9]*$/.test(kind)) {
        return undefined;
    }
    const parts = apiVersion.split("/");
    if (parts.some((p) => p === "" || /\s|:/.test(p)) || parts.length > 2) {
        return undefined;
    }
    const [group, version] = parts.length === 1 ? ["core", parts[0]] : parts;
    return `kubernetes:${group}/${version}:${kind}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** JSON documents are parsed as JSON (YAML 1.2 is a superset); everything else as Kubernetes YAML. */
function looksLikeJson(text: string): boolean {
    return /^\s*[{[]/.test(text);
}

/** One document's place in its file. */
interface Chunk {
    /** Offset of the document's first character (its `---` line, or what comes before it). */
    readonly start: number;
    readonly end: number;
    /** 1-based line of `start`. */
    readonly line: number;
}

/** A line that starts or ends a document: `---` or `...` alone or followed by a space, tab or line break. */
const MARKER = /^(---|\.\.\.)(?=[ \t\r\n]|$)/gm;
/** A line with content: not blank, not only a comment, not a directive (`%YAML`). */
const CONTENT_LINE = /^[ \t]*[^\s#%]/m;

/**
 * Splits a YAML stream into its documents without parsing it. YAML forbids a line that starts with `---` or `...`
 * (followed by white space or the end of the line) inside any content — plain, quoted or block scalars, collections —
 * so such a line always starts (`---`) or ends (`...`) a document, whatever precedes it. Text with only comments,
 * blank lines or directives before a `---` belongs to the document that `---` starts, as in the YAML parser.
 */
export function splitDocuments(text: string): Chunk[] {
    const chunks: Chunk[] = [];
    let start = 0;
    let startLine = 1;
    let line = 1;
    let counted = 0;
    const lineAt = (offset: number) => {
        for (let nl = text.indexOf("\n", counted); nl >= 0 && nl < offset; nl = text.indexOf("\n", counted)) {
            line++;
            counted = nl + 1;
        }
        counted = Math.max(counted, offset);
        return line;
    };
    /** Ends the current chunk at `end`, unless it holds nothing but comments and does not start with `---`. */
    const cut = (end: number, nextLine: number) => {
        const startsDocument = text.startsWith("---", start);
        if (startsDocument || CONTENT_LINE.test(text.slice(start, end))) {
            chunks.push({ start, end, line: startLine });
            start = end;
            startLine = nextLine;
        }
    };
    MARKER.lastIndex = 0;
    for (let m = MARKER.exec(text); m; m = MARKER.exec(text)) {
        if (m[1] === "---") {
            if (m.index > start) {
                cut(m.index, lineAt(m.index));
            }
        } else {
            const nl = text.indexOf("\n", m.index);
            const after = nl < 0 ? text.length : nl + 1;
            cut(after, lineAt(after));
        }
    }
    if (start < text.length && (text.startsWith("---", start) || CONTENT_LINE.test(text.slice(start)))) {
        chunks.push({ start, end: text.length, line: startLine });
    }
    return chunks;
}

/** A document's syntax tree and line table (offsets local to the document's text). */
interface Parsed {
    readonly doc: Document.Parsed | undefined;
    readonly lines: LineCounter;
    readonly errors: { offset: number; message: string }[];
    /** The document uses aliases (its value can nest deeper than its text). */
    readonly aliases: boolean;
}

/** Parses one document's text. Never throws: nesting beyond MAX_NESTING is an error, before anything recurses. */
function parseChunk(text: string, json: boolean): Parsed {
    const lines = new LineCounter();
    const tokens = [...new Parser(lines.addNewLine).parse(text)];
    let aliases = false;
    for (const token of tokens) {
        const deep = nestingExceeded(token, MAX_NESTING);
        if (deep.offset !== undefined) {
            return { doc: undefined, lines, errors: [{ offset: deep.offset, message: tooDeeplyNested() }], aliases };
        }
        aliases ||= deep.aliases;
    }
    const composer = new Composer(json ? {} : { version: "1.1", schema: KUBERNETES_YAML });
    const docs: Document.Parsed[] = [];
    for (const token of tokens) {
        docs.push(...(composer.next(token) as Iterable<Document.Parsed>));
    }
    docs.push(...(composer.end() as Iterable<Document.Parsed>));
    const doc = docs.find((d) => d.contents !== null || d.errors.length > 0) ?? docs[0];
    const errors = docs.flatMap((d) =>
        d.errors.map((e) => ({
            offset: e.pos[0],
            message: e.message.split("\n")[0].split(" at line ")[0],
        })),
    );
    return { doc, lines, errors, aliases };
}

/**
 * Syntax trees of documents already read, kept while their text totals at most `budget` characters (about 25 times
 * that in memory), the oldest dropped first: findings of stack policies, placed after every document was read, then
 * mostly find the tree still there, while a large input keeps only its last megabyte of trees.
 */
export class TreeCache {
    private readonly trees = new Map<DocumentSource, Parsed>();
    private readonly recent = new Map<DocumentSource, { place?: NodePlace; lines?: number[] }>();
    private size = 0;

    // A megabyte of text (about 25 MB of trees): with 4 MB, 2,000 one-file Deployments peaked at 560 MB of RSS instead
    // of 390 MB, for the same CPU time (trees dropped are parsed again only for the findings of stack policies).
    constructor(private readonly budget = 1024 * 1024) {}

    get(source: DocumentSource): Parsed | undefined {
        return this.trees.get(source);
    }

    /**
     * Where the nodes of a document read by the subset reader are, for placing its findings: read again when asked,
     * and kept for the last two documents (findings come in runs per resource; a stack policy's may alternate).
     */
    places(source: DocumentSource, read: () => NodePlace | undefined): NodePlace | undefined {
        const recent = this.recentOf(source);
        if (!("place" in recent)) {
            recent.place = read();
        }
        return recent.place;
    }

    /** Keeps where the nodes of a document are, found while reading it (its findings are placed right after). */
    keepPlaces(source: DocumentSource, place: NodePlace | undefined): void {
        this.recentOf(source).place = place;
    }

    /** Where the lines of a large document start (kept like places: for the last two documents asked about). */
    lineStarts(source: DocumentSource, find: () => number[]): number[] {
        const recent = this.recentOf(source);
        recent.lines ??= find();
        return recent.lines;
    }

    private recentOf(source: DocumentSource): { place?: NodePlace; lines?: number[] } {
        let recent = this.recent.get(source);
        if (!recent) {
            recent = {};
            this.recent.set(source, recent);
            for (const [oldest] of this.recent) {
                if (this.recent.size <= 2) {
                    break;
                }
                this.recent.delete(oldest);
            }
        }
        return recent;
    }

    put(source: DocumentSource, parsed: Parsed): void {
        if (this.trees.has(source) || source.length > this.budget) {
            return;
        }
        this.trees.set(source, parsed);
        this.size += source.length;
        for (const [oldest] of this.trees) {
            if (this.size <= this.budget) {
                break;
            }
            this.trees.delete(oldest);
            this.size -= oldest.length;
        }
    }
}

/** How a document was read: by the subset reader, by JSON.parse, or into a syntax tree. */
type Reading =
    | { readonly by: "subset"; readonly document: SubsetDocument }
    | { readonly by: "json"; readonly value: unknown; readonly start: number }
    | { readonly by: "tree"; readonly parsed: Parsed };

/** One document of a file: its text, and how it was read (a syntax tree is parsed again when asked later). */
class DocumentSource {
    private by: Reading["by"] | undefined;

    constructor(
        readonly file: string,
        private readonly text: string,
        private readonly chunk: Chunk,
        private readonly json: boolean,
        private readonly cache: TreeCache,
        private readonly treesOnly = false,
    ) {}

    get length(): number {
        return this.chunk.end - this.chunk.start;
    }

    private chunkText(): string {
        return this.text.slice(this.chunk.start, this.chunk.end);
    }

    /** Reads the document: the fast readers where they give what the syntax tree gives, the syntax tree otherwise. */
    read(): Reading {
        const fast = this.treesOnly ? undefined : this.readFast();
        this.by = fast?.by ?? "tree";
        return fast ?? { by: "tree", parsed: this.tree() };
    }

    private readFast(): Reading | undefined {
        const text = this.chunkText();
        if (this.json) {
            const read = readJsonDocument(text);
            return read && { by: "json", ...read };
        }
        // Where its nodes are is found in the same pass: most documents have findings, placed right after judging.
        const document = readYamlSubset(text, "value and places");
        if (document) {
            this.cache.keepPlaces(this, document.place);
        }
        return document && { by: "subset", document };
    }

    /** Parses the document (again, if its tree is no longer cached). */
    tree(): Parsed {
        let parsed = this.cache.get(this);
        if (!parsed) {
            parsed = parseChunk(this.chunkText(), this.json);
            this.cache.put(this, parsed);
        }
        return parsed;
    }

    /** The file position of an offset in the document (line and column as the syntax tree's LineCounter gives). */
    at(offset: number | undefined): SourceLocation {
        if (this.by === "tree") {
            const p = this.tree().lines.linePos(offset ?? 0);
            return { file: this.file, line: this.chunk.line + p.line - 1, column: p.col };
        }
        const target = this.chunk.start + (offset ?? 0);
        let line = 0;
        let lineStart = this.chunk.start;
        if (this.length > LARGE_DOCUMENT) {
            // Findings of a large document would each count its lines again: a table of line starts, searched.
            const starts = this.cache.lineStarts(this, () => lineStartsIn(this.text, this.chunk));
            let low = 0;
            let high = starts.length - 1;
            while (low < high) {
                const mid = (low + high + 1) >> 1;
                if (starts[mid] <= target) {
                    low = mid;
                } else {
                    high = mid - 1;
                }
            }
            line = low;
            lineStart = starts[low];
        } else {
            for (
                let nl = this.text.indexOf("\n", lineStart);
                nl >= 0 && nl < target;
                nl = this.text.indexOf("\n", lineStart)
            ) {
                line++;
                lineStart = nl + 1;
            }
        }
        return { file: this.file, line: this.chunk.line + line, column: target - lineStart + 1 };
    }

    /** Where the subset reader's document has its nodes (undefined when the document was read otherwise). */
    private places(): NodePlace | undefined {
        return this.by === "subset"
            ? this.cache.places(this, () => readYamlSubset(this.chunkText(), "places")?.place)
            : undefined;
    }

    /** The offset of the node at `nodePath` (what the syntax tree gives as its `range[0]`). */
    nodeStart(nodePath: readonly PathSegment[], reading?: Reading): number | undefined {
        if (nodePath.length === 0 && reading && reading.by !== "tree") {
            return reading.by === "subset" ? reading.document.start : reading.start;
        }
        const root = this.places();
        if (root !== undefined) {
            const node = placeAt(root, nodePath);
            return node === undefined ? undefined : placeStart(node);
        }
        const { doc } = this.tree();
        let node: YamlNode | undefined = doc?.contents ?? undefined;
        for (const segment of nodePath) {
            node = doc ? childNode(doc, node, segment) : undefined;
        }
        return node?.range?.[0];
    }

    /** Where the field at `path` below the node at `nodePath` is. */
    locate(nodePath: readonly PathSegment[], path: readonly PathSegment[]): SourceLocation | undefined {
        const root = this.places();
        if (root !== undefined) {
            const node = placeAt(root, nodePath);
            const offset = node === undefined ? undefined : placeOffset(node, path);
            return offset === undefined ? undefined : this.at(offset);
        }
        const { doc } = this.tree();
        const contents = doc?.contents ?? undefined;
        if (!doc || !contents) {
            return undefined;
        }
        let node: YamlNode | undefined = resolved(doc, contents);
        for (const segment of nodePath) {
            node = childNode(doc, node, segment);
        }
        const offset = node ? fieldOffset(doc, node, path) : undefined;
        return offset === undefined ? undefined : this.at(offset);
    }
}

/** Documents larger than this get a table of line starts for placing findings, rather than a count per finding. */
const LARGE_DOCUMENT = 64 * 1024;

/** The offsets at which the lines of a document start (its first line at the chunk's start). */
function lineStartsIn(text: string, chunk: Chunk): number[] {
    const starts = [chunk.start];
    for (let nl = text.indexOf("\n", chunk.start); nl >= 0 && nl < chunk.end; nl = text.indexOf("\n", nl + 1)) {
        starts.push(nl + 1);
    }
    return starts;
}

/**
 * A JSON document read by JSON.parse, when that is exactly what the YAML reader gives: JSON.parse keeps the last of
 * duplicate keys where the YAML reader reports an error, and accepts tabs, long keys and deep nesting the YAML reader
 * treats otherwise, so those documents go to the YAML reader.
 */
function readJsonDocument(text: string): { value: unknown; start: number } | undefined {
    const start = text.search(/\S/);
    if (start < 0 || (text[start] !== "{" && text[start] !== "[") || text.includes("\t") || OUTSIDE_JSON.test(text)) {
        return undefined;
    }
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        return undefined;
    }
    if (!jsonKeysUnique(text, value) || valueNestingExceeded(value, MAX_NESTING - 8)) {
        return undefined;
    }
    return { value, start };
}

// Characters JSON allows in strings that YAML readers treat as line breaks or byte-order marks.
const OUTSIDE_JSON = /[\x7f\x85\u2028\u2029\ufeff]/;

/**
 * Whether every key of a valid JSON text is unique within its object (and at most 1,000 characters, YAML's limit for
 * implicit keys being 1,024): the keys in the text — strings followed by `:` — are as many as the parsed value's.
 */
function jsonKeysUnique(text: string, value: unknown): boolean {
    let written = 0;
    for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) {
        const open = i;
        for (i++; text.charCodeAt(i) !== 34; i++) {
            if (text.charCodeAt(i) === 92) {
                i++;
            }
        }
        let next = i + 1;
        while (/\s/.test(text[next] ?? "")) {
            next++;
        }
        if (text[next] === ":") {
            written++;
            if (i - open > 1000) {
                return false;
            }
        }
    }
    let parsed = 0;
    const stack: unknown[] = [value];
    while (stack.length > 0) {
        const v = stack.pop();
        if (typeof v === "object" && v !== null) {
            if (!Array.isArray(v)) {
                parsed += Object.keys(v).length;
            }
            for (const child of Object.values(v) as unknown[]) {
                stack.push(child); // (not a spread: a large array would overflow the call's arguments)
            }
        }
    }
    return parsed === written;
}

/** The place of the node at `nodePath` below `root`. */
function placeAt(root: NodePlace, nodePath: readonly PathSegment[]): NodePlace | undefined {
    let node: NodePlace | undefined = root;
    for (const segment of nodePath) {
        node = node === undefined ? undefined : childPlace(node, segment);
    }
    return node;
}

function childPlace(node: NodePlace, segment: PathSegment): NodePlace | undefined {
    if (typeof node === "number") {
        return undefined;
    }
    if (typeof segment === "number") {
        return "items" in node ? node.items[segment] : undefined;
    }
    return "fields" in node ? node.fields.get(segment)?.[1] : undefined;
}

/** fieldOffset for a document read by the subset reader: the key (or item) of the last field of `path` present. */
function placeOffset(root: NodePlace, path: readonly PathSegment[]): number | undefined {
    let node: NodePlace | undefined = root;
    let offset: number | undefined;
    for (const segment of path) {
        if (node === undefined || typeof node === "number") {
            break;
        }
        if (typeof segment === "number") {
            const item: NodePlace | undefined = "items" in node ? node.items[segment] : undefined;
            if (item === undefined) {
                break;
            }
            offset = placeStart(item);
            node = item;
        } else {
            const field: readonly [number, NodePlace] | undefined =
                "fields" in node ? node.fields.get(segment) : undefined;
            if (!field) {
                break;
            }
            offset = field[0];
            node = field[1];
        }
    }
    return offset;
}

/**
 * Reads the Kubernetes objects of one manifest file, one document at a time. `explicit`: the user named this file (not
 * found by a directory walk).
 */
export function* readManifestDocuments(
    text: string,
    file: string,
    explicit: boolean,
    scope: ManifestScope,
): Generator<ManifestDocument, void, undefined> {
    const json = looksLikeJson(text);
    const chunks = splitDocuments(text);
    const cache = scope.trees ?? new TreeCache();
    for (const [index, chunk] of chunks.entries()) {
        const docName = chunks.length > 1 ? `document ${index + 1}` : "the document";
        const source = new DocumentSource(file, text, chunk, json, cache, scope.syntaxTreesOnly);
        yield { ...readDocument(source, docName, json, explicit, scope), index, count: chunks.length };
    }
}

function readDocument(
    source: DocumentSource,
    docName: string,
    json: boolean,
    explicit: boolean,
    scope: ManifestScope,
): Omit<ManifestDocument, "index" | "count"> {
    const resources: ScanResource[] = [];
    const errors: InputError[] = [];
    const skipped: SkippedDocument[] = [];
    const at = (offset: number | undefined) => source.at(offset);
    const reading = source.read();
    let value: unknown;
    let template: string | undefined;
    if (reading.by === "tree") {
        const parsed = reading.parsed;
        const { doc } = parsed;
        if (parsed.errors.length > 0) {
            const e = parsed.errors[0];
            errors.push({ ...at(e.offset), message: `invalid ${json ? "JSON" : "YAML"} in ${docName}: ${e.message}` });
            return { resources, errors, skipped, hasContent: true };
        }
        if (!doc) {
            return { resources, errors, skipped, hasContent: false };
        }
        try {
            value = doc.toJS({ maxAliasCount: 1000 });
        } catch (err) {
            errors.push({
                ...at(doc.range?.[0]),
                message: `${docName} cannot be read: ${(err as Error)?.message ?? String(err)}`,
            });
            return { resources, errors, skipped, hasContent: true };
        }
        if (value === null || value === undefined) {
            return { resources, errors, skipped, hasContent: false }; // empty documents are common in rendered output
        }
        if (parsed.aliases && valueNestingExceeded(value, MAX_NESTING)) {
            errors.push({ ...at(doc.contents?.range?.[0]), message: `${docName} is ${tooDeeplyNested()}` });
            return { resources, errors, skipped, hasContent: true };
        }
        template = templateOf(doc);
    } else {
        value = reading.by === "subset" ? reading.document.value : reading.value;
        if (value === null || value === undefined) {
            return { resources, errors, skipped, hasContent: false };
        }
        template = reading.by === "subset" ? templateIn(reading.document.comments) : undefined;
    }
    const startOf = (nodePath: readonly PathSegment[]) => source.nodeStart(nodePath, reading);
    const reader = new ObjectReader(source, startOf, scope, template);
    const notObjects = reader.collect(value, [], undefined, 0, resources, skipped);
    if (notObjects > 0) {
        const where = at(startOf([]));
        if (explicit) {
            errors.push({
                ...where,
                message:
                    `${docName} is not a Kubernetes object (it needs apiVersion and kind) nor a Pulumi stack ` +
                    `export`,
            });
        } else {
            skipped.push({ ...where, reason: "not a Kubernetes object (it has no apiVersion and kind)" });
        }
    }
    return { resources, errors, skipped, hasContent: true };
}

/** Reads every document of a manifest file at once (tests, small inputs). */
export function readManifests(
    text: string,
    file: string,
    explicit: boolean,
    scope: ManifestScope,
): { resources: ScanResource[]; errors: InputError[]; skipped: SkippedDocument[] } {
    const resources: ScanResource[] = [];
    const errors: InputError[] = [];
    const skipped: SkippedDocument[] = [];
    for (const d of readManifestDocuments(text, file, explicit, scope)) {
        resources.push(...d.resources);
        errors.push(...d.errors);
        skipped.push(...d.skipped);
    }
    return { resources, errors, skipped };
}

/** The chart template a rendered object came from: Helm writes `# Source: <chart>/templates/<file>` above it. */
function templateOf(doc: Document.Parsed): string | undefined {
    const contents = doc.contents;
    const firstKey = isMap(contents) ? (contents.items[0]?.key as YamlNode | undefined) : undefined;
    return templateIn([doc.commentBefore, contents?.commentBefore, firstKey?.commentBefore]);
}

/** The template named by the first `Source:` line of comments (each the text of its lines after `#`). */
function templateIn(comments: readonly (string | null | undefined)[]): string | undefined {
    for (const comment of comments) {
        const m = comment ? /^\s*Source:\s*(\S.*?)\s*$/m.exec(comment) : null;
        if (m) {
            return m[1];
        }
    }
    return undefined;
}

class ObjectReader {
    constructor(
        private readonly source: DocumentSource,
        /** The offset of the node at a path (undefined when there is none: the document's start is shown). */
        private readonly startOf: (nodePath: readonly PathSegment[]) => number | undefined,
        private readonly scope: ManifestScope,
        private readonly template: string | undefined,
    ) {}

    private at(nodePath: readonly PathSegment[]): SourceLocation {
        return this.source.at(this.startOf(nodePath));
    }

    /**
     * Adds the Kubernetes objects in `value` (an object, a List, or a sequence of them) to `out`, and those it does
     * not judge to `skipped`; returns how many values were not Kubernetes objects at all.
     */
    collect(
        value: unknown,
        nodePath: readonly PathSegment[],
        listDefaults: { apiVersion: unknown; kind: string } | undefined,
        depth: number,
        out: ScanResource[],
        skipped: SkippedDocument[],
    ): number {
        if (depth > MAX_LIST_DEPTH) {
            return 1;
        }
        if (Array.isArray(value)) {
            let notObjects = 0;
            value.forEach((item, i) => {
                notObjects += this.collect(item, [...nodePath, i], listDefaults, depth + 1, out, skipped);
            });
            return notObjects;
        }
        if (!isObject(value)) {
            return 1;
        }
        const apiVersion = value.apiVersion ?? listDefaults?.apiVersion;
        const kind = value.kind ?? listDefaults?.kind;
        if (typeof kind === "string" && kind.endsWith("List") && Array.isArray(value.items)) {
            // `kind: List` items carry their own kind; typed lists (`DeploymentList`) often omit it.
            const defaults = kind === "List" ? undefined : { apiVersion, kind: kind.slice(0, -"List".length) };
            return this.collect(value.items, [...nodePath, "items"], defaults, depth + 1, out, skipped);
        }
        const type = kubernetesTypeOf(apiVersion, kind);
        if (!type) {
            return 1;
        }
        const verdict = classifyKind(apiVersion as string, kind as string, this.scope.kinds ?? DEFAULT_KINDS);
        if (!verdict.judged) {
            const name = isObject(value.metadata) ? value.metadata.name : undefined;
            skipped.push({
                ...this.at(nodePath),
                apiVersion: apiVersion as string,
                kind: kind as string,
                ...(typeof name === "string" && name !== "" && { name }),
                reason: verdict.reason,
            });
            return 0;
        }
        const props = value.apiVersion === apiVersion && value.kind === kind ? value : { ...value, apiVersion, kind };
        out.push(this.resource(type, props, nodePath));
        return 0;
    }

    private resource(type: string, props: Record<string, unknown>, nodePath: readonly PathSegment[]): ScanResource {
        const meta = isObject(props.metadata) ? props.metadata : {};
        const name =
            typeof meta.name === "string" && meta.name
                ? meta.name
                : typeof meta.generateName === "string" && meta.generateName
                  ? meta.generateName
                  : "unnamed";
        const namespace = typeof meta.namespace === "string" && meta.namespace ? meta.namespace : undefined;
        const urn = uniqueUrn(
            this.scope.urns,
            `urn:pulumi:scan::manifests::${type}::${namespace ? `${namespace}/${name}` : name}`,
        );
        const provider = this.scope.namespace
            ? {
                  type: "pulumi:providers:kubernetes",
                  name: "default",
                  urn: "urn:pulumi:scan::manifests::pulumi:providers:kubernetes::default",
                  props: { namespace: this.scope.namespace },
              }
            : undefined;
        const resource: EngineResource = { type, name, urn, props, ...(provider && { provider }) };
        const identity = kubernetesIdentity(type, Field.root(props), name, this.scope.namespace);
        const source = this.source;
        return {
            analyze: resource,
            stack: resource,
            urn,
            label: identity.label,
            location: this.at(nodePath),
            locate(path: string) {
                const segments = parseJsonPath(path);
                return segments ? source.locate(nodePath, segments) : undefined;
            },
            ...(this.template && { template: this.template }),
        };
    }
}

function uniqueUrn(taken: Set<string>, urn: string): string {
    let candidate = urn;
    for (let n = 2; taken.has(candidate); n++) {
        candidate = `${urn}#${n}`;
    }
    taken.add(candidate);
    return candidate;
}

/** The node behind aliases (`*anchor`). */
function resolved(doc: Document.Parsed, node: unknown): YamlNode | undefined {
    let n = node as YamlNode | undefined;
    for (let hops = 0; n && isAlias(n) && hops < 32; hops++) {
        n = n.resolve(doc);
    }
    return n && !isAlias(n) ? n : undefined;
}

/** YAML 1.1 merge keys (`<<`) are read as a symbol. */
function isMergeKey(v: unknown): boolean {
    return v === "<<" || (typeof v === "symbol" && v.description === "<<");
}

/** The pair of a map holding `key`, following `<<` merge keys as YAML 1.1 does. */
function pairOf(
    doc: Document.Parsed,
    map: YamlNode,
    key: string,
    depth = 0,
): { key: YamlNode | undefined; value: YamlNode | undefined } | undefined {
    if (!isMap(map) || depth > 8) {
        return undefined;
    }
    for (const pair of map.items) {
        const k = pair.key as YamlNode | undefined;
        if (isScalar(k) && typeof k.value !== "symbol" && String(k.value) === key) {
            return { key: k, value: pair.value as YamlNode | undefined };
        }
    }
    for (const pair of map.items) {
        const k = pair.key as YamlNode | undefined;
        if (isScalar(k) && isMergeKey(k.value)) {
            const v = resolved(doc, pair.value);
            for (const source of isSeq(v) ? v.items.map((i) => resolved(doc, i)) : [v]) {
                const found = source && pairOf(doc, source, key, depth + 1);
                if (found) {
                    return found;
                }
            }
        }
    }
    return undefined;
}

function childNode(doc: Document.Parsed, node: YamlNode | undefined, segment: PathSegment): YamlNode | undefined {
    const n = resolved(doc, node);
    if (!n) {
        return undefined;
    }
    if (typeof segment === "number") {
        return isSeq(n) ? resolved(doc, n.items[segment]) : undefined;
    }
    return resolved(doc, pairOf(doc, n, segment)?.value);
}

/**
 * The source offset of the field at `path` below `root`: the key of the last field of the path that
 * exists (for a missing setting, the closest enclosing field that is present).
 */
function fieldOffset(doc: Document.Parsed, root: YamlNode, path: readonly PathSegment[]): number | undefined {
    let node: YamlNode | undefined = resolved(doc, root);
    let offset: number | undefined;
    for (const segment of path) {
        if (!node) {
            break;
        }
        if (typeof segment === "number") {
            const item = isSeq(node) ? (node.items[segment] as YamlNode | undefined) : undefined;
            if (!item) {
                break;
            }
            offset = item.range?.[0] ?? offset;
            node = resolved(doc, item);
        } else {
            const pair = pairOf(doc, node, segment);
            if (!pair) {
                break;
            }
            offset = pair.key?.range?.[0] ?? offset;
            node = resolved(doc, pair.value);
        }
    }
    return offset;
}
