// Kubernetes manifests (YAML or JSON, multi-document, `List` kinds) as Pulumi resources: each object
// becomes the resource the Kubernetes provider would register for it — type
// `kubernetes:<group or core>/<version>:<Kind>`, props the object itself — with the source position
// of every field, so a finding's JSON path can be shown at its line.
//
// YAML is read with YAML 1.1 rules, as kubectl and Helm read it (`yes`/`on` are booleans, `0644` is
// octal), without the 1.1 types Kubernetes does not have (timestamps, sexagesimal numbers, sets).
//
// A file is read one document at a time: a YAML syntax tree costs about 25 times the text it was
// read from, so only the document being judged and the last megabyte read keep one (TreeCache).
// A resource keeps its props (stack policies need them) and where its document is in the text; a
// finding placed later (by a stack policy) whose tree was dropped parses that one document again.

import {
    Composer,
    type Document,
    LineCounter,
    type Node as YamlNode,
    Parser,
    Schema,
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
import { MAX_NESTING, nestingExceeded, tooDeeplyNested, valueNestingExceeded } from "./nesting";

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

type Tag = { tag: string; format?: string };
const KUBERNETES_YAML_TAGS = new Set(
    ["map", "seq", "str", "null", "bool", "int", "float", "merge"].map((t) => `tag:yaml.org,2002:${t}`),
);
/** YAML 1.1 as Kubernetes reads it, built once (a schema per document would be rebuilt thousands of times). */
const KUBERNETES_YAML = new Schema({
    schema: "yaml-1.1",
    resolveKnownTags: false,
    customTags: (tags) => tags.filter((t) => KUBERNETES_YAML_TAGS.has((t as Tag).tag) && (t as Tag).format !== "TIME"),
});

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
    private size = 0;

    // A megabyte of text (about 25 MB of trees): with 4 MB, 2,000 one-file Deployments peaked at 560 MB of RSS instead
    // of 390 MB, for the same CPU time (trees dropped are parsed again only for the findings of stack policies).
    constructor(private readonly budget = 1024 * 1024) {}

    get(source: DocumentSource): Parsed | undefined {
        return this.trees.get(source);
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

/** One document of a file: its text, and its syntax tree while it is cached (parsed again when asked later). */
class DocumentSource {
    constructor(
        readonly file: string,
        private readonly text: string,
        private readonly chunk: Chunk,
        private readonly json: boolean,
        private readonly cache: TreeCache,
    ) {}

    get length(): number {
        return this.chunk.end - this.chunk.start;
    }

    /** Parses the document (again, if its tree is no longer cached). */
    tree(): Parsed {
        let parsed = this.cache.get(this);
        if (!parsed) {
            parsed = parseChunk(this.text.slice(this.chunk.start, this.chunk.end), this.json);
            this.cache.put(this, parsed);
        }
        return parsed;
    }

    at(lines: LineCounter, offset: number | undefined): SourceLocation {
        const p = lines.linePos(offset ?? 0);
        return { file: this.file, line: this.chunk.line + p.line - 1, column: p.col };
    }

    /** Where the field at `path` below the node at `nodePath` is. */
    locate(nodePath: readonly PathSegment[], path: readonly PathSegment[]): SourceLocation | undefined {
        const { doc, lines } = this.tree();
        const contents = doc?.contents ?? undefined;
        if (!doc || !contents) {
            return undefined;
        }
        let node: YamlNode | undefined = resolved(doc, contents);
        for (const segment of nodePath) {
            node = childNode(doc, node, segment);
        }
        const offset = node ? fieldOffset(doc, node, path) : undefined;
        return offset === undefined ? undefined : this.at(lines, offset);
    }
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
        const source = new DocumentSource(file, text, chunk, json, cache);
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
    const parsed = source.tree();
    const { doc, lines } = parsed;
    const at = (offset: number | undefined) => source.at(lines, offset);
    if (parsed.errors.length > 0) {
        const e = parsed.errors[0];
        errors.push({ ...at(e.offset), message: `invalid ${json ? "JSON" : "YAML"} in ${docName}: ${e.message}` });
        return { resources, errors, skipped, hasContent: true };
    }
    if (!doc) {
        return { resources, errors, skipped, hasContent: false };
    }
    let value: unknown;
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
    const reader = new ObjectReader(source, doc, at, scope, templateOf(doc));
    const notObjects = reader.collect(value, doc.contents ?? undefined, [], undefined, 0, resources, skipped);
    if (notObjects > 0) {
        const where = at(doc.contents?.range?.[0]);
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
    for (const comment of [doc.commentBefore, contents?.commentBefore, firstKey?.commentBefore]) {
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
        private readonly doc: Document.Parsed,
        private readonly at: (offset: number | undefined) => SourceLocation,
        private readonly scope: ManifestScope,
        private readonly template: string | undefined,
    ) {}

    /**
     * Adds the Kubernetes objects in `value` (an object, a List, or a sequence of them) to `out`, and those it does
     * not judge to `skipped`; returns how many values were not Kubernetes objects at all.
     */
    collect(
        value: unknown,
        node: YamlNode | undefined,
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
                notObjects += this.collect(
                    item,
                    childNode(this.doc, node, i),
                    [...nodePath, i],
                    listDefaults,
                    depth + 1,
                    out,
                    skipped,
                );
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
            return this.collect(
                value.items,
                childNode(this.doc, node, "items"),
                [...nodePath, "items"],
                defaults,
                depth + 1,
                out,
                skipped,
            );
        }
        const type = kubernetesTypeOf(apiVersion, kind);
        if (!type) {
            return 1;
        }
        const verdict = classifyKind(apiVersion as string, kind as string, this.scope.kinds ?? DEFAULT_KINDS);
        if (!verdict.judged) {
            const name = isObject(value.metadata) ? value.metadata.name : undefined;
            skipped.push({
                ...this.at(node?.range?.[0]),
                apiVersion: apiVersion as string,
                kind: kind as string,
                ...(typeof name === "string" && name !== "" && { name }),
                reason: verdict.reason,
            });
            return 0;
        }
        const props = value.apiVersion === apiVersion && value.kind === kind ? value : { ...value, apiVersion, kind };
        out.push(this.resource(type, props, node, nodePath));
        return 0;
    }

    private resource(
        type: string,
        props: Record<string, unknown>,
        node: YamlNode | undefined,
        nodePath: readonly PathSegment[],
    ): ScanResource {
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
            location: this.at(node?.range?.[0]),
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
