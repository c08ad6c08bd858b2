// A reader for the part of YAML that rendered manifests use (Helm, Kustomize, kubectl output): block
// maps and sequences, one-line flow collections, plain scalars (folded over lines too), one-line
// quoted scalars, block scalars, comments. It builds the document's value directly from the text,
// more than ten times faster than the `yaml` library's syntax tree and with a tenth of its garbage:
// reading YAML and placing findings in re-parsed trees took most of a large scan's time.
//
// It is an accelerator, never a second opinion: it returns a value only where it is certain the
// syntax-tree reader (manifests.ts) gives the same value, and declines (undefined) anything else —
// anchors, aliases, tags, merge keys, complex keys, multi-line quoted scalars and flow collections,
// duplicate keys, tabs, directives, deep nesting, and every syntax error — so the syntax-tree reader
// still reads those and reports every error. Scalars are resolved by the tags of the schema the
// syntax-tree reader uses (KUBERNETES_YAML), not by patterns of its own.
//
// The same pass can also record where every key and item starts (on its own, for a document read before,
// or while building the value), so a finding is placed at exactly the offset the syntax tree would give
// without keeping a tree per document.

import { isScalar } from "yaml";
import { KUBERNETES_YAML } from "./kubernetes-yaml";
import { MAX_NESTING } from "./nesting";

/** Where a node starts (a scalar) or, for collections, also where each field's key and each item start. */
export type NodePlace = number | MapPlace | SeqPlace;
export interface MapPlace {
    readonly start: number;
    /** By the key's value as a string (`String(value)`, as the syntax-tree locator compares keys): [key, value]. */
    readonly fields: Map<string, readonly [number, NodePlace]>;
}
export interface SeqPlace {
    readonly start: number;
    readonly items: NodePlace[];
}

export function placeStart(place: NodePlace): number {
    return typeof place === "number" ? place : place.start;
}

/** A document read by the subset reader. */
export interface SubsetDocument {
    /**
     * The document's value as `Document.toJS()` gives it (null for an empty document); not built when read for places
     * (its collections are then undefined).
     */
    readonly value: unknown;
    /** Offset of the document's node (the syntax tree's `contents.range[0]`); undefined for an empty document. */
    readonly start: number | undefined;
    /**
     * Comments before the document's node, one string per group as the syntax tree keeps them (before `---` and
     * after it): each line's text after `#`, joined by line breaks.
     */
    readonly comments: string[];
    /** Where every node is (only when read for places). */
    readonly place?: NodePlace;
}

/** Thrown (and caught in readYamlSubset) when the text leaves the subset: the syntax-tree reader takes over. */
class OutsideSubset extends Error {}
// One instance, built once: declining is routine (a stack trace per document would cost more than the reading).
const DECLINE = new OutsideSubset("outside the YAML subset");

// Collections nest at most this deep here; deeper documents go to the syntax-tree reader, which reports the
// MAX_NESTING error at the exact place (the margin keeps this reader clear of its boundary).
const MAX_DEPTH = MAX_NESTING - 8;
// YAML limits implicit keys to 1024 characters (the syntax-tree reader reports longer ones as errors).
const MAX_KEY_LENGTH = 1000;

type ResolvingTag = {
    default?: boolean | "key";
    collection?: string;
    test?: RegExp;
    resolve: (source: string, onError: (message: string) => void, options: object) => unknown;
};
const SCHEMA_TAGS = KUBERNETES_YAML.tags as unknown as ResolvingTag[];
/** Tags that resolve untagged plain scalars, in the schema's order (the first whose test matches wins). */
const PLAIN_TAGS = SCHEMA_TAGS.filter((t) => !t.collection && t.test && t.default === true);
/** Tags tried only for keys (the `<<` merge key): a key they match is left to the syntax-tree reader. */
const KEY_ONLY_TAGS = SCHEMA_TAGS.filter((t) => !t.collection && t.test && t.default === "key");
const RESOLVE_OPTIONS = { intAsBigInt: false };

/** What a scalar resolves to (YAML 1.1 as Kubernetes reads it has no other scalar types). */
type ScalarValue = string | number | boolean | null;

/** Plain scalars repeat a lot (`name`, `true`, `TCP`): their resolved values are kept, up to a bound. */
const resolvedPlain = new Map<string, ScalarValue>();
const RESOLVED_PLAIN_LIMIT = 20000;

function resolvePlain(source: string): ScalarValue {
    const known = resolvedPlain.get(source);
    if (known !== undefined) {
        return known;
    }
    const tag = PLAIN_TAGS.find((t) => t.test!.test(source));
    let value: ScalarValue = source;
    if (tag) {
        let failed = false;
        const resolved = tag.resolve(source, () => (failed = true), RESOLVE_OPTIONS);
        if (failed) {
            throw DECLINE;
        }
        let v = isScalar(resolved) ? resolved.value : resolved;
        // `toJS` turns big integers into numbers; anything else non-primitive is not a plain scalar's value here.
        if (typeof v === "bigint") {
            v = Number(v);
        }
        if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean" && v !== null) {
            throw DECLINE;
        }
        value = v;
    }
    if (source.length <= 64) {
        if (resolvedPlain.size >= RESOLVED_PLAIN_LIMIT) {
            resolvedPlain.clear();
        }
        resolvedPlain.set(source, value);
    }
    return value;
}

// Characters the subset never contains: tabs and carriage returns (indentation and line-break rules the
// syntax tree applies differently in places), byte-order marks, other control characters, and the
// line breaks of YAML 1.1 beyond `\n`.
// eslint-disable-next-line no-control-regex
const OUTSIDE_SUBSET = /[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029\ufeff]/;

// Characters a plain scalar may not start with (indicators), besides `-` followed by a space.
const PLAIN_START_EXCLUDED = new Set([..."&*!|>'\"%@`,[]{}#?:"]);
const FLOW_INDICATORS = new Set([..."[]{},"]);

const LATER_MARKER = /^---(?=[ \n]|$)/gm;

const SPACE = 32;
const NEWLINE = 10;
const HASH = 35;
const COLON = 58;
const DASH = 45;

const ESCAPES: Record<string, string> = {
    "0": "\0",
    a: "\x07",
    b: "\b",
    e: "\x1b",
    f: "\f",
    n: "\n",
    r: "\r",
    t: "\t",
    v: "\v",
    N: "\u0085",
    _: "\u00a0",
    L: "\u2028",
    P: "\u2029",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** What precedes a node on its line. */
const enum Context {
    /** The node starts its line (the document's node, or a value on the lines after its key or `-`). */
    Line,
    /** After `key: ` on the same line (a map may not start here). */
    MapValue,
    /** After `- ` on the same line. */
    SeqItem,
}

class SubsetParser {
    private pos = 0;
    /** The place of the node parsed last (places mode). */
    private place: NodePlace = 0;

    constructor(
        private readonly src: string,
        /** Build the value. */
        private readonly values: boolean,
        /** Record where every node is. */
        private readonly places: boolean,
    ) {}

    document(): SubsetDocument {
        const src = this.src;
        const groups: string[][] = [[]];
        let marker = false;
        let line = 0;
        for (; line < src.length; line = this.nextLine(line)) {
            const first = this.skipSpaces(line);
            const c = src.charCodeAt(first);
            if (first >= src.length || c === NEWLINE) {
                continue;
            }
            if (c === HASH) {
                groups[groups.length - 1].push(src.slice(first + 1, this.lineEnd(first)));
                continue;
            }
            if (first === line && src.startsWith("---", line) && this.isSpaceOrEnd(line + 3)) {
                if (marker) {
                    throw DECLINE;
                }
                marker = true;
                groups.push([]);
                const after = this.skipSpaces(line + 3);
                if (src.charCodeAt(after) === HASH && after > line + 3) {
                    groups[1].push(src.slice(after + 1, this.lineEnd(after)));
                } else if (after < src.length && src.charCodeAt(after) !== NEWLINE) {
                    throw DECLINE; // content on the `---` line
                }
                continue;
            }
            if (first === line && (c === 37 /* % */ || this.isDocumentEnd(line))) {
                throw DECLINE;
            }
            break;
        }
        const comments = groups.filter((g) => g.length > 0).map((g) => g.join("\n"));
        if (line >= src.length) {
            return { value: null, start: undefined, comments };
        }
        // A second `---` starts another document (the stream is split into documents before they are read here).
        LATER_MARKER.lastIndex = line;
        if (LATER_MARKER.test(src)) {
            throw DECLINE;
        }
        this.pos = this.skipSpaces(line);
        const start = this.pos;
        const value = this.node(-1, Context.Line, 0);
        const place = this.place;
        // After the node: only blank lines and comments, and at most a `...` line.
        let ended = false;
        for (let l = this.pos; l < src.length; l = this.nextLine(l)) {
            const first = this.skipSpaces(l);
            if (first >= src.length || src.charCodeAt(first) === NEWLINE || src.charCodeAt(first) === HASH) {
                continue;
            }
            if (!ended && first === l && this.isDocumentEnd(l)) {
                ended = true;
                this.restOfLine(l + 3);
                continue;
            }
            throw DECLINE;
        }
        return { value, start, comments, ...(this.places && { place }) };
    }

    // -- nodes ---------------------------------------------------------------------------------------------------

    /**
     * Reads the node whose first token is at `pos`. `parent`: the indentation of the collection holding it (-1 for the
     * document's node). Leaves `pos` at the start of the line after the node.
     */
    private node(parent: number, context: Context, depth: number): unknown {
        const src = this.src;
        const start = this.pos;
        const c = src.charCodeAt(start);
        if (c === DASH && this.isSpaceOrEnd(start + 1)) {
            if (context === Context.MapValue) {
                throw DECLINE; // `key: - item` is a syntax error
            }
            return this.sequence(start - this.lineStart(start), depth);
        }
        if (c === 124 /* | */ || c === 62 /* > */) {
            if (context === Context.Line) {
                throw DECLINE; // a block scalar on its own line, or the document's node
            }
            return this.blockScalar(parent);
        }
        if (c === 91 /* [ */ || c === 123 /* { */) {
            const value = this.flowCollection(depth);
            const place = this.place;
            this.pos = this.restOfLine(this.pos);
            this.noContinuation(parent);
            this.place = place;
            return value;
        }
        const scalar = this.scalar();
        const after = this.skipSpaces(this.pos);
        if (src.charCodeAt(after) === COLON && this.isSpaceOrEnd(after + 1)) {
            if (context === Context.MapValue) {
                throw DECLINE; // `a: b: c`: a map in a compact map is a syntax error
            }
            this.pos = after;
            return this.map(start - this.lineStart(start), depth, scalar, start);
        }
        let value = scalar.value === UNRESOLVED ? undefined : scalar.value;
        if (scalar.plain !== undefined && this.skipSpaces(this.pos) === this.lineEnd(this.pos) && parent >= 0) {
            const folded = this.plainContinuation(scalar.plain, parent);
            if (folded !== undefined && this.values) {
                value = resolvePlain(folded);
            }
        }
        this.pos = this.restOfLine(this.pos);
        this.noContinuation(parent);
        this.place = start;
        return value;
    }

    /** A block map at indentation `indent`, whose first key has been read; `pos` is at its `:`. */
    private map(indent: number, depth: number, firstKey: Scalar, firstKeyStart: number): unknown {
        if (depth >= MAX_DEPTH) {
            throw DECLINE;
        }
        const src = this.src;
        // (read for places only, no value is built: the document was read before; only where its nodes are is asked)
        const value: Record<string, unknown> | undefined = this.values ? {} : undefined;
        const fields = this.places ? new Map<string, readonly [number, NodePlace]>() : undefined;
        let key = firstKey;
        let keyStart = firstKeyStart;
        for (;;) {
            if (this.pos - keyStart > MAX_KEY_LENGTH) {
                throw DECLINE;
            }
            this.pos++;
            const item = this.afterIndicator(indent, Context.MapValue, depth + 1);
            if (value) {
                addField(value, key, item);
            }
            if (fields) {
                const name = String(keyValue(key));
                if (!fields.has(name)) {
                    fields.set(name, [keyStart, this.place]);
                }
            }
            const next = this.nextContent(this.pos);
            if (next >= src.length) {
                break;
            }
            const first = this.skipSpaces(next);
            const column = first - next;
            if (column < indent || (column === 0 && this.isDocumentEnd(next))) {
                this.pos = next;
                break;
            }
            if (column > indent || (src.charCodeAt(first) === DASH && this.isSpaceOrEnd(first + 1))) {
                throw DECLINE;
            }
            this.pos = first;
            keyStart = first;
            key = this.scalar();
            this.pos = this.skipSpaces(this.pos);
            if (src.charCodeAt(this.pos) !== COLON || !this.isSpaceOrEnd(this.pos + 1)) {
                throw DECLINE;
            }
        }
        this.place = fields ? { start: firstKeyStart, fields } : firstKeyStart;
        return value;
    }

    /** A block sequence at indentation `indent`; `pos` is at its first `-`. */
    private sequence(indent: number, depth: number): unknown {
        if (depth >= MAX_DEPTH) {
            throw DECLINE;
        }
        const src = this.src;
        const start = this.pos;
        const value: unknown[] | undefined = this.values ? [] : undefined;
        const items: NodePlace[] | undefined = this.places ? [] : undefined;
        for (;;) {
            this.pos++;
            const item = this.afterIndicator(indent, Context.SeqItem, depth + 1);
            value?.push(item);
            items?.push(this.place);
            const next = this.nextContent(this.pos);
            if (next >= src.length) {
                break;
            }
            const first = this.skipSpaces(next);
            const column = first - next;
            if (column > indent) {
                throw DECLINE;
            }
            if (column < indent || src.charCodeAt(first) !== DASH || !this.isSpaceOrEnd(first + 1)) {
                this.pos = next;
                break;
            }
            this.pos = first;
        }
        this.place = items ? { start, items } : start;
        return value;
    }

    /**
     * The node after a `key:` or `-` indicator (`pos` just after it): on the same line, or on the lines below, more
     * indented than `indent` (a sequence may also sit at the key's own indentation), or an empty node (null).
     */
    private afterIndicator(indent: number, context: Context, depth: number): unknown {
        const src = this.src;
        const first = this.skipSpaces(this.pos);
        const c = src.charCodeAt(first);
        if (first < src.length && c !== NEWLINE && c !== HASH) {
            if (first === this.pos) {
                throw DECLINE; // cannot happen after `: ` or `- `, kept as a guard
            }
            this.pos = first;
            return this.node(indent, context, depth);
        }
        const emptyStart = first;
        const lineAfter = this.nextLine(first);
        const next = this.nextContent(lineAfter);
        if (next < src.length) {
            const content = this.skipSpaces(next);
            const column = content - next;
            const dash = src.charCodeAt(content) === DASH && this.isSpaceOrEnd(content + 1);
            if (column > indent || (column === indent && dash && context === Context.MapValue)) {
                if (column === 0 && this.isDocumentEnd(next)) {
                    throw DECLINE;
                }
                this.pos = content;
                return this.node(indent, Context.Line, depth);
            }
        }
        this.pos = lineAfter;
        this.place = emptyStart;
        return null;
    }

    /**
     * A plain scalar continued on the lines after its first (`first`, at `pos`'s line), more indented than its
     * collection (`parent`): the scalar folded as YAML folds it (a line break between two lines is a space, each
     * blank line a line break). Undefined when it has one line. `pos` ends at the end of its last line.
     */
    private plainContinuation(first: string, parent: number): string | undefined {
        const src = this.src;
        let folded = first;
        let blanks = 0;
        let continued = false;
        for (let line = this.nextLine(this.pos); line < src.length; line = this.nextLine(line)) {
            const text = this.skipSpaces(line);
            const eol = this.lineEnd(line);
            if (text === eol) {
                blanks++;
                continue;
            }
            if (text - line <= parent || src.charCodeAt(text) === HASH) {
                break;
            }
            if (PLAIN_START_EXCLUDED.has(src[text]) || src[text] === "-") {
                throw DECLINE; // left to the syntax tree rather than told apart from an indicator here
            }
            let end = eol;
            for (let i = text; i < eol; i++) {
                const c = src.charCodeAt(i);
                if ((c === COLON && this.isSpaceOrEnd(i + 1)) || (c === HASH && src.charCodeAt(i - 1) === SPACE)) {
                    throw DECLINE; // a key or a comment on a continuation line
                }
            }
            while (src.charCodeAt(end - 1) === SPACE) {
                end--;
            }
            folded += (blanks === 0 ? " " : "\n".repeat(blanks)) + src.slice(text, end);
            blanks = 0;
            continued = true;
            this.pos = eol;
        }
        return continued ? folded : undefined;
    }

    /** After a one-line node: a plain scalar continued on more-indented lines is left to the syntax tree. */
    private noContinuation(parent: number): void {
        const next = this.nextContent(this.pos);
        if (next < this.src.length && this.skipSpaces(next) - next > parent) {
            throw DECLINE;
        }
    }

    // -- scalars -------------------------------------------------------------------------------------------------

    /** A one-line plain, single- or double-quoted scalar in block context at `pos`; `pos` ends after it. */
    private scalar(): Scalar {
        const src = this.src;
        const start = this.pos;
        const c = src[start];
        if (c === '"' || c === "'") {
            return { value: this.quoted(), plain: undefined };
        }
        if (PLAIN_START_EXCLUDED.has(c) || (c === "-" && this.isSpaceOrEnd(start + 1))) {
            throw DECLINE;
        }
        let end = start;
        const eol = this.lineEnd(start);
        for (; end < eol; end++) {
            const ch = src.charCodeAt(end);
            if (ch === COLON && this.isSpaceOrEnd(end + 1)) {
                break;
            }
            if (ch === HASH && src.charCodeAt(end - 1) === SPACE) {
                break;
            }
        }
        while (end > start && src.charCodeAt(end - 1) === SPACE) {
            end--;
        }
        this.pos = end;
        return this.plainScalar(src.slice(start, end));
    }

    /** A plain scalar: its value is resolved only when the value is built (a key's, when it is asked for). */
    private plainScalar(source: string): Scalar {
        return { value: this.values ? resolvePlain(source) : UNRESOLVED, plain: source };
    }

    /** A one-line quoted scalar at `pos`. */
    private quoted(): string {
        const src = this.src;
        const quote = src[this.pos];
        const eol = this.lineEnd(this.pos);
        let value = "";
        let i = this.pos + 1;
        let from = i;
        for (;;) {
            if (i >= eol) {
                throw DECLINE; // continues on the next line
            }
            const c = src[i];
            if (c === quote) {
                if (quote === "'" && src[i + 1] === "'") {
                    value += src.slice(from, i + 1);
                    i += 2;
                    from = i;
                    continue;
                }
                value += src.slice(from, i);
                this.pos = i + 1;
                return value;
            }
            if (c === "\\" && quote === '"') {
                value += src.slice(from, i);
                const e = src[i + 1];
                const simple = e === undefined ? undefined : ESCAPES[e];
                if (simple !== undefined) {
                    value += simple;
                    i += 2;
                } else if (e !== undefined && HEX_LENGTH[e] !== undefined) {
                    const hex = src.slice(i + 2, i + 2 + HEX_LENGTH[e]);
                    if (hex.length !== HEX_LENGTH[e] || !/^[0-9a-fA-F]+$/.test(hex)) {
                        throw DECLINE;
                    }
                    const code = parseInt(hex, 16);
                    if (code > 0x10ffff) {
                        throw DECLINE;
                    }
                    value += String.fromCodePoint(code);
                    i += 2 + hex.length;
                } else {
                    throw DECLINE; // an invalid escape, or an escaped line break
                }
                from = i;
                continue;
            }
            i++;
        }
    }

    /** A block scalar (`|` or `>`) at `pos`, the value of a collection at indentation `parent`. */
    private blockScalar(parent: number): string {
        const src = this.src;
        const start = this.pos;
        if (parent < 0) {
            throw DECLINE;
        }
        const folded = src[start] === ">";
        let chomp = "";
        let explicit = 0;
        let i = start + 1;
        for (; i < start + 3; i++) {
            const c = src[i];
            if (!chomp && (c === "-" || c === "+")) {
                chomp = c;
            } else if (!explicit && c >= "1" && c <= "9") {
                explicit = Number(c);
            } else {
                break;
            }
        }
        if (!this.isSpaceOrEnd(i)) {
            throw DECLINE;
        }
        const bodyStart = this.restOfLine(i);
        // The body: every line up to the first non-blank line indented no deeper than the parent collection.
        const lines: [number, string][] = []; // [indentation, content after it]
        let trim = explicit ? parent + explicit : -1;
        let end = bodyStart;
        for (let line = bodyStart; line < src.length; line = this.nextLine(line)) {
            const first = this.skipSpaces(line);
            const eol = this.lineEnd(line);
            const column = first - line;
            if (first < eol) {
                if (column <= parent) {
                    break;
                }
                if (trim < 0) {
                    trim = column;
                } else if (column < trim) {
                    throw DECLINE; // less indented than the block's first line
                }
            }
            lines.push([column, src.slice(first, eol)]);
            end = eol < src.length ? eol + 1 : eol;
        }
        if (end > bodyStart && src.charCodeAt(end - 1) === NEWLINE) {
            // The body ends with a line break: the syntax tree counts the empty line after it (kept by `+`).
            lines.push([0, ""]);
        }
        this.pos = end;
        this.place = start;
        // Blank lines with spaces beyond the content's indentation are content themselves, kept or chomped by
        // rules this reader leaves to the syntax tree.
        if (lines.some(([column, content]) => content === "" && trim >= 0 && column > trim)) {
            throw DECLINE;
        }
        let chompStart = lines.length;
        while (chompStart > 0 && lines[chompStart - 1][1] === "") {
            chompStart--;
        }
        if (chompStart === 0) {
            return chomp === "+" && lines.length > 0 ? "\n".repeat(Math.max(1, lines.length - 1)) : "";
        }
        let value = "";
        let separator = "";
        let previousMoreIndented = false;
        let contentStart = 0;
        while (lines[contentStart][1] === "") {
            value += "\n";
            contentStart++;
        }
        for (let l = contentStart; l < chompStart; l++) {
            const [column, content] = lines[l];
            const extra = column > trim ? " ".repeat(column - trim) : "";
            if (!folded) {
                value += separator + extra + content;
                separator = "\n";
            } else if (column > trim) {
                if (separator === " ") {
                    separator = "\n";
                } else if (!previousMoreIndented && separator === "\n") {
                    separator = "\n\n";
                }
                value += separator + extra + content;
                separator = "\n";
                previousMoreIndented = true;
            } else if (content === "") {
                if (separator === "\n") {
                    value += "\n";
                } else {
                    separator = "\n";
                }
            } else {
                value += separator + content;
                separator = " ";
                previousMoreIndented = false;
            }
        }
        if (chomp === "+") {
            value += "\n".repeat(lines.length - chompStart);
            if (!value.endsWith("\n")) {
                value += "\n";
            }
        } else if (chomp === "") {
            value += "\n";
        }
        return value;
    }

    /** A one-line flow collection at `pos`; `pos` ends after it. */
    private flowCollection(depth: number): unknown {
        if (depth >= MAX_DEPTH) {
            throw DECLINE;
        }
        const src = this.src;
        const start = this.pos;
        const isMap = src[start] === "{";
        const close = isMap ? "}" : "]";
        const value: unknown = this.values ? (isMap ? {} : []) : undefined;
        const fields = this.places && isMap ? new Map<string, readonly [number, NodePlace]>() : undefined;
        const items: NodePlace[] | undefined = this.places && !isMap ? [] : undefined;
        this.pos = this.flowSpaces(start + 1);
        if (src[this.pos] === close) {
            this.pos++;
            this.place = fields ? { start, fields } : items ? { start, items } : start;
            return value;
        }
        for (;;) {
            if (isMap) {
                const keyStart = this.pos;
                const key = this.flowScalar(true);
                const quotedKey = src[keyStart] === '"' || src[keyStart] === "'";
                this.pos = this.flowSpaces(this.pos);
                if (src[this.pos] !== ":" || (!quotedKey && src.charCodeAt(this.pos + 1) !== SPACE)) {
                    throw DECLINE;
                }
                this.pos = this.flowSpaces(this.pos + 1);
                const item = this.flowItem(depth);
                if (value) {
                    addField(value as Record<string, unknown>, key, item);
                }
                if (fields) {
                    const name = String(keyValue(key));
                    if (!fields.has(name)) {
                        fields.set(name, [keyStart, this.place]);
                    }
                }
            } else {
                const item = this.flowItem(depth);
                (value as unknown[] | undefined)?.push(item);
                items?.push(this.place);
            }
            this.pos = this.flowSpaces(this.pos);
            const c = src[this.pos];
            if (c === close) {
                this.pos++;
                break;
            }
            if (c !== ",") {
                throw DECLINE;
            }
            this.pos = this.flowSpaces(this.pos + 1);
            if (src[this.pos] === close) {
                throw DECLINE; // a trailing comma
            }
        }
        this.place = fields ? { start, fields } : items ? { start, items } : start;
        return value;
    }

    private flowItem(depth: number): unknown {
        const c = this.src[this.pos];
        if (c === "[" || c === "{") {
            return this.flowCollection(depth + 1);
        }
        const start = this.pos;
        const { value } = this.flowScalar(false);
        this.place = start;
        return value === UNRESOLVED ? undefined : value;
    }

    /** A scalar inside a flow collection: quoted, or plain up to the next flow indicator. */
    private flowScalar(atKey: boolean): Scalar {
        const src = this.src;
        const start = this.pos;
        const c = src[start];
        if (c === '"' || c === "'") {
            return { value: this.quoted(), plain: undefined };
        }
        if (
            PLAIN_START_EXCLUDED.has(c) ||
            c === undefined ||
            c === "\n" ||
            // In a flow collection a flow indicator ends a scalar: `-` before one starts a block sequence (an error).
            (c === "-" && (this.isSpaceOrEnd(start + 1) || FLOW_INDICATORS.has(src[start + 1])))
        ) {
            throw DECLINE;
        }
        let end = start;
        const eol = this.lineEnd(start);
        for (; end < eol; end++) {
            const ch = src[end];
            if (ch === "," || ch === "[" || ch === "]" || ch === "{" || ch === "}") {
                break;
            }
            if (ch === ":") {
                const next = src[end + 1];
                if (atKey && this.isSpaceOrEnd(end + 1)) {
                    break;
                }
                if (next === undefined || " \n,[]{}".includes(next)) {
                    throw DECLINE; // a pair in a sequence, or an empty value
                }
            }
            if (ch === "#" && src.charCodeAt(end - 1) === SPACE) {
                throw DECLINE; // a comment inside a flow collection
            }
        }
        this.pos = end;
        while (end > start && src.charCodeAt(end - 1) === SPACE) {
            end--;
        }
        return this.plainScalar(src.slice(start, end));
    }

    /** Spaces inside a one-line flow collection (a line break there leaves the subset). */
    private flowSpaces(p: number): number {
        const q = this.skipSpaces(p);
        if (q >= this.src.length || this.src.charCodeAt(q) === NEWLINE) {
            throw DECLINE;
        }
        return q;
    }

    // -- lines ---------------------------------------------------------------------------------------------------

    private skipSpaces(p: number): number {
        while (this.src.charCodeAt(p) === SPACE) {
            p++;
        }
        return p;
    }

    private isSpaceOrEnd(p: number): boolean {
        return p >= this.src.length || this.src.charCodeAt(p) === SPACE || this.src.charCodeAt(p) === NEWLINE;
    }

    private lineEnd(p: number): number {
        const nl = this.src.indexOf("\n", p);
        return nl < 0 ? this.src.length : nl;
    }

    private nextLine(p: number): number {
        const nl = this.src.indexOf("\n", p);
        return nl < 0 ? this.src.length : nl + 1;
    }

    private lineStart(p: number): number {
        return this.src.lastIndexOf("\n", p - 1) + 1;
    }

    private isDocumentEnd(line: number): boolean {
        return this.src.startsWith("...", line) && this.isSpaceOrEnd(line + 3);
    }

    /** The rest of a line after a token: spaces and a comment at most; returns the next line's start. */
    private restOfLine(p: number): number {
        const q = this.skipSpaces(p);
        if (q >= this.src.length) {
            return q;
        }
        const c = this.src.charCodeAt(q);
        if (c === NEWLINE) {
            return q + 1;
        }
        if (c === HASH && q > p) {
            return this.nextLine(q);
        }
        throw DECLINE;
    }

    /** The start of the first line from `line` on that is neither blank nor only a comment (or the text's end). */
    private nextContent(line: number): number {
        const src = this.src;
        while (line < src.length) {
            const first = this.skipSpaces(line);
            const c = src.charCodeAt(first);
            if (first < src.length && c !== NEWLINE && c !== HASH) {
                return line;
            }
            line = this.nextLine(first);
        }
        return src.length;
    }
}

/** A plain scalar's value when the document is read for places only: resolved only if it is a key. */
const UNRESOLVED = Symbol("unresolved");

/** A scalar's value, and its text when it is a plain scalar. */
interface Scalar {
    readonly value: ScalarValue | typeof UNRESOLVED;
    /** A plain scalar's text (undefined for quoted scalars). */
    readonly plain: string | undefined;
}

/** A key's value (resolved now if it was not). */
function keyValue(key: Scalar): ScalarValue {
    return key.value === UNRESOLVED ? resolvePlain(key.plain!) : key.value;
}

/** Adds a field as `toJS` does: the key as a string (null as ""), duplicates left to the syntax tree. */
function addField(map: Record<string, unknown>, key: Scalar, value: unknown): void {
    const plain = key.plain;
    if (plain !== undefined && KEY_ONLY_TAGS.some((t) => t.test!.test(plain))) {
        throw DECLINE; // the `<<` merge key, which `toJS` merges into the map
    }
    const resolved = keyValue(key);
    const name = resolved === null ? "" : String(resolved);
    if (name === "<<") {
        throw DECLINE; // a quoted `<<` is a plain key to `toJS` but a merge key to the locator
    }
    if (name in map) {
        if (Object.prototype.hasOwnProperty.call(map, name)) {
            throw DECLINE; // duplicate keys are an error of the syntax-tree reader (or keys equal only as strings)
        }
        // `__proto__`, `constructor`...: an own field, as `toJS` defines it.
        Object.defineProperty(map, name, { value, writable: true, enumerable: true, configurable: true });
    } else {
        map[name] = value;
    }
}

/** What a reading builds: the value, where every node is (for a document read before), or both at once. */
export type SubsetReading = "value" | "places" | "value and places";

/**
 * Reads one YAML document (the text of one document of a stream) if it is within the subset; undefined otherwise
 * (the syntax-tree reader then reads it). Never throws.
 */
export function readYamlSubset(text: string, read: SubsetReading = "value"): SubsetDocument | undefined {
    if (OUTSIDE_SUBSET.test(text) || text.includes("\t") || text.includes("\r")) {
        return undefined;
    }
    try {
        return new SubsetParser(text, read !== "places", read !== "value").document();
    } catch {
        // Declined (or, were this reader wrong somewhere, failed): the syntax-tree reader reads the document, so a
        // scan never stops on input here.
        return undefined;
    }
}
