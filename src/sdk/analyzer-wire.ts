// Reading the engine's requests and writing the pack's responses without google-protobuf's object trees.
//
// The engine sends each resource's props as a protobuf Struct. The gRPC service the policy SDK (1.21) serves decodes
// it with google-protobuf into a tree of message objects (a Value per field, a map per object), which the pack then
// turns into plain JavaScript (`Struct.toJavaScript()`) and throws away. On a workload with a dozen containers that
// tree was the largest single cost of Analyze and much of its garbage, in every pack, and at AnalyzeStack it held
// gigabytes (docs/performance.md). Each finding went back through google-protobuf's writer, which copies every
// character of every message into a JavaScript array before making bytes of it.
//
// So the analyzer service's Analyze, Remediate and AnalyzeStack requests are read here: each resource's props go
// straight from the wire into the value `toJavaScript()` returns (objects keyed in sorted order, as google-protobuf
// gives them), and everything else in the request is still decoded by google-protobuf. Responses are written with
// one Buffer per response. Whatever the fast paths do not expect (malformed bytes, a field of a newer protocol, a
// Value of no kind) goes through google-protobuf exactly as before, errors included; tests/sdk/analyzer-wire.spec.ts
// holds both paths to google-protobuf's results on generated messages, byte for byte for responses.

import type * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";

/** Thrown (one instance, no stack trace taken per use) when the fast path leaves a message to google-protobuf. */
const DECLINED = new Error("left to google-protobuf");

/** The value of a Struct field whose Value had no kind set: google-protobuf's toJavaScript throws on it. */
const NO_KIND: unique symbol = Symbol("no kind");

// Wire types (protobuf encoding).
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

const tag = (field: number, wireType: number): number => (field << 3) | wireType;

/** Nesting of Structs and lists beyond which props are left to google-protobuf (see `WireReader.enter`). */
const MAX_DEPTH = 500;

/** A cursor over protobuf bytes; every read checks its bounds and declines what it cannot read exactly. */
class WireReader {
    pos: number;
    /** How many Structs and lists the current value is inside. */
    depth = 0;
    constructor(
        readonly bytes: Buffer,
        start = 0,
    ) {
        this.pos = start;
    }

    /** A varint that must fit 32 bits unsigned (tags and lengths). */
    uint32(): number {
        const bytes = this.bytes;
        let result = 0;
        for (let shift = 0; shift < 35; shift += 7) {
            const b = bytes[this.pos++];
            if (b === undefined) {
                throw DECLINED;
            }
            result += (b & 0x7f) * 2 ** shift;
            if (b < 0x80) {
                if (result > 0xffffffff) {
                    throw DECLINED;
                }
                return result;
            }
        }
        throw DECLINED;
    }

    /**
     * Enters a Struct or list. google-protobuf decodes nesting by recursion and, in this process, runs out of stack
     * somewhere past 2,500 levels (where it throws RangeError); deeper props than this limit are left to it, so that
     * it decides, and fails, as before. Kubernetes objects, CRD schemas included, nest a few dozen levels.
     */
    enter(): void {
        if (++this.depth > MAX_DEPTH) {
            throw DECLINED;
        }
    }

    /** A varint google-protobuf reads as a number (an enum): at most 10 bytes, as it reads them. */
    skipNumber(end: number): void {
        for (let i = 0; i < 10 && this.pos < end; i++) {
            if (this.bytes[this.pos++] < 0x80) {
                return;
            }
        }
        throw DECLINED;
    }

    /** The end of a length-delimited field that starts here, within `end`. */
    delimited(end: number): number {
        const length = this.uint32();
        const to = this.pos + length;
        if (to > end) {
            throw DECLINED;
        }
        return to;
    }

    string(end: number): string {
        const to = this.delimited(end);
        const s = this.bytes.toString("utf8", this.pos, to);
        // Node.js makes each malformed UTF-8 sequence U+FFFD, where google-protobuf decodes differently. The engine
        // sends only valid UTF-8 (Go's protobuf refuses to encode anything else), so such a string, or a real U+FFFD,
        // is rare and is left to google-protobuf.
        if (s.includes("\uFFFD")) {
            throw DECLINED;
        }
        this.pos = to;
        return s;
    }

    double(end: number): number {
        if (this.pos + 8 > end) {
            throw DECLINED;
        }
        const n = this.bytes.readDoubleLE(this.pos);
        this.pos += 8;
        return n;
    }

    /** A bool as the engine writes it (one byte, 0 or 1); any other encoding is left to google-protobuf. */
    bool(end: number): boolean {
        const b = this.pos < end ? this.bytes[this.pos++] : undefined;
        if (b !== 0 && b !== 1) {
            throw DECLINED;
        }
        return b === 1;
    }

    /**
     * Skips a field the fast path does not read. A field numbered `known` or below is one the message defines, here
     * with another wire type than its own: google-protobuf reads those by number, so they are left to it, as are
     * field 0 and groups (deprecated).
     */
    skip(fieldTag: number, end: number, known = 0): void {
        const field = fieldTag >>> 3;
        if (field === 0 || field <= known) {
            throw DECLINED;
        }
        switch (fieldTag & 7) {
            case VARINT:
                while (this.pos < end && this.bytes[this.pos] >= 0x80) {
                    this.pos++;
                }
                this.pos++;
                break;
            case FIXED64:
                this.pos += 8;
                break;
            case LENGTH_DELIMITED:
                this.pos = this.delimited(end);
                break;
            case FIXED32:
                this.pos += 4;
                break;
            default:
                throw DECLINED;
        }
        if (this.pos > end) {
            throw DECLINED;
        }
    }
}

// google.protobuf.Struct { map<string, Value> fields = 1; } (a map entry: key = 1, value = 2)
// google.protobuf.Value { null_value = 1; number_value = 2; string_value = 3; bool_value = 4; struct_value = 5;
//                         list_value = 6 } (a oneof: the last one on the wire wins)
// google.protobuf.ListValue { repeated Value values = 1; }
const STRUCT_ENTRY = tag(1, LENGTH_DELIMITED);
const ENTRY_KEY = tag(1, LENGTH_DELIMITED);
const ENTRY_VALUE = tag(2, LENGTH_DELIMITED);
const NULL_VALUE = tag(1, VARINT);
const NUMBER_VALUE = tag(2, FIXED64);
const STRING_VALUE = tag(3, LENGTH_DELIMITED);
const BOOL_VALUE = tag(4, VARINT);
const STRUCT_VALUE = tag(5, LENGTH_DELIMITED);
const LIST_VALUE = tag(6, LENGTH_DELIMITED);
const LIST_ITEM = tag(1, LENGTH_DELIMITED);

/** A Value's fields up to `end`, from what an earlier occurrence of the same Value set (merged, as on the wire). */
function readValue(r: WireReader, end: number, value: unknown = NO_KIND): unknown {
    while (r.pos < end) {
        const fieldTag = r.uint32();
        switch (fieldTag) {
            case NULL_VALUE:
                r.skipNumber(end);
                value = null;
                break;
            case NUMBER_VALUE:
                value = r.double(end);
                break;
            case STRING_VALUE:
                value = r.string(end);
                break;
            case BOOL_VALUE:
                value = r.bool(end);
                break;
            case STRUCT_VALUE:
                value = readStruct(r, r.delimited(end));
                break;
            case LIST_VALUE:
                value = readList(r, r.delimited(end));
                break;
            default:
                r.skip(fieldTag, end, 6);
        }
    }
    return value;
}

function readList(r: WireReader, end: number): unknown[] {
    r.enter();
    const list: unknown[] = [];
    while (r.pos < end) {
        const fieldTag = r.uint32();
        if (fieldTag === LIST_ITEM) {
            const item = readValue(r, r.delimited(end));
            if (item === NO_KIND) {
                throw DECLINED;
            }
            list.push(item);
        } else {
            r.skip(fieldTag, end, 1);
        }
    }
    r.depth--;
    return list;
}

/** Orders entries by key as google-protobuf's map does (by UTF-16 code units; of a repeated key the last wins). */
function byKey(a: { key: string; at: number }, b: { key: string; at: number }): number {
    return a.key < b.key ? -1 : a.key > b.key ? 1 : a.at - b.at;
}

function readStruct(r: WireReader, end: number): Record<string, unknown> {
    r.enter();
    const keys: string[] = [];
    const values: unknown[] = [];
    let sorted = true;
    while (r.pos < end) {
        const fieldTag = r.uint32();
        if (fieldTag !== STRUCT_ENTRY) {
            r.skip(fieldTag, end, 1);
            continue;
        }
        const entryEnd = r.delimited(end);
        let key = "";
        let value: unknown = NO_KIND;
        while (r.pos < entryEnd) {
            const entryTag = r.uint32();
            if (entryTag === ENTRY_KEY) {
                key = r.string(entryEnd);
            } else if (entryTag === ENTRY_VALUE) {
                value = readValue(r, r.delimited(entryEnd), value);
            } else {
                // google-protobuf's map reader does not skip other fields of an entry: it loses its place
                throw DECLINED;
            }
        }
        if (value === NO_KIND) {
            throw DECLINED;
        }
        // google-protobuf keeps its map in a plain object, where "__proto__" is not a key: it never shows.
        if (key === "__proto__") {
            continue;
        }
        sorted &&= keys.length === 0 || keys[keys.length - 1] < key;
        keys.push(key);
        values.push(value);
    }
    const result: Record<string, unknown> = {};
    if (sorted) {
        for (let i = 0; i < keys.length; i++) {
            result[keys[i]] = values[i];
        }
    } else {
        const entries = keys.map((key, at) => ({ key, at }));
        entries.sort(byKey);
        for (const { key, at } of entries) {
            result[key] = values[at];
        }
    }
    r.depth--;
    return result;
}

/**
 * A request's props already decoded: all the policy SDK and this pack ask of a Struct is `toJavaScript()`. It is not
 * a google-protobuf message: a request read here cannot be re-encoded (`serializeBinary`, `toObject`), which neither
 * the SDK nor the pack does.
 */
export class DecodedStruct {
    constructor(private readonly value: Record<string, unknown>) {}

    /** The same value every time: the pack decodes props once per request (decode-once.ts) and never writes to them. */
    toJavaScript(): Record<string, unknown> {
        return this.value;
    }
}

/** A message's bytes with one field taken out, and that field's last occurrence decoded as a Struct. */
interface SplitMessage {
    readonly rest: Buffer;
    readonly props: DecodedStruct | undefined;
}

/**
 * Splits `bytes[start, end)`, a message whose field `field` is a Struct, into the message without that field (for
 * google-protobuf to decode) and the Struct decoded here. Like google-protobuf, the last occurrence of the field wins.
 */
function splitStruct(bytes: Buffer, start: number, end: number, field: number): SplitMessage {
    const r = new WireReader(bytes, start);
    const kept: Buffer[] = [];
    let keptFrom = start;
    let props: DecodedStruct | undefined;
    const structTag = tag(field, LENGTH_DELIMITED);
    while (r.pos < end) {
        const at = r.pos;
        const fieldTag = r.uint32();
        if (fieldTag === structTag) {
            const structEnd = r.delimited(end);
            props = new DecodedStruct(readStruct(r, structEnd));
            if (at > keptFrom) {
                kept.push(bytes.subarray(keptFrom, at));
            }
            keptFrom = structEnd;
        } else if (fieldTag >>> 3 === field) {
            throw DECLINED;
        } else {
            r.skip(fieldTag, end);
        }
    }
    if (r.pos !== end) {
        throw DECLINED;
    }
    if (keptFrom < end) {
        kept.push(bytes.subarray(keptFrom, end));
    }
    return { rest: kept.length === 1 ? kept[0] : Buffer.concat(kept), props };
}

/** A generated message class as the gRPC service definition names it. */
interface MessageClass<T> {
    deserializeBinary(bytes: Uint8Array): T;
}

/** The message a request's resource is: its props are read with `getProperties()`. */
interface WithProperties {
    getProperties(): unknown;
    hasProperties(): boolean;
}

/** Gives a decoded message the props decoded here (the generated getter would find none: they were taken out). */
function attachProps(message: WithProperties, props: DecodedStruct | undefined): void {
    if (props) {
        message.getProperties = () => props;
        message.hasProperties = () => true;
    }
}

/**
 * Decodes an Analyze or Remediate request (AnalyzeRequest: properties = 2) with its props read straight into plain
 * JavaScript; anything unexpected is decoded by google-protobuf as the SDK would.
 */
export function readAnalyzeRequest<T extends WithProperties>(bytes: Buffer, type: MessageClass<T>): T {
    try {
        const { rest, props } = splitStruct(bytes, 0, bytes.length, 2);
        const request = type.deserializeBinary(rest);
        attachProps(request, props);
        return request;
    } catch {
        return type.deserializeBinary(new Uint8Array(bytes));
    }
}

/**
 * Decodes an AnalyzeStack request (resources = 1, each an AnalyzerResource with properties = 2) with every
 * resource's props read straight into plain JavaScript; anything unexpected is decoded by google-protobuf.
 */
export function readAnalyzeStackRequest<T extends { getResourcesList(): WithProperties[] }>(
    bytes: Buffer,
    type: MessageClass<T>,
): T {
    try {
        const r = new WireReader(bytes);
        const parts: Buffer[] = [];
        const props: (DecodedStruct | undefined)[] = [];
        const resourceTag = tag(1, LENGTH_DELIMITED);
        let keptFrom = 0;
        while (r.pos < bytes.length) {
            const at = r.pos;
            const fieldTag = r.uint32();
            if (fieldTag !== resourceTag) {
                r.skip(fieldTag, bytes.length, 1);
                continue;
            }
            const resourceEnd = r.delimited(bytes.length);
            const split = splitStruct(bytes, r.pos, resourceEnd, 2);
            r.pos = resourceEnd;
            if (at > keptFrom) {
                parts.push(bytes.subarray(keptFrom, at));
            }
            parts.push(lengthDelimited(1, split.rest));
            props.push(split.props);
            keptFrom = resourceEnd;
        }
        if (keptFrom < bytes.length) {
            parts.push(bytes.subarray(keptFrom));
        }
        const request = type.deserializeBinary(Buffer.concat(parts));
        const resources = request.getResourcesList();
        if (resources.length !== props.length) {
            throw DECLINED;
        }
        resources.forEach((resource, i) => attachProps(resource, props[i]));
        return request;
    } catch {
        return type.deserializeBinary(new Uint8Array(bytes));
    }
}

/** A UTF-16 surrogate not paired (in a `u` regular expression, a pair is one code point and does not match). */
const LONE_SURROGATE = /\p{Cs}/u;

const varintSize = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);

/** Writes an unsigned varint (below 2^32) at `pos`; returns the position after it. */
function writeVarint(out: Buffer, pos: number, n: number): number {
    while (n >= 0x80) {
        out[pos++] = (n & 0x7f) | 0x80;
        n = Math.floor(n / 128);
    }
    out[pos++] = n;
    return pos;
}

/** `field` as a length-delimited field holding `body`. */
function lengthDelimited(field: number, body: Buffer): Buffer {
    const head = Buffer.allocUnsafe(1 + varintSize(body.length));
    writeVarint(head, writeVarint(head, 0, tag(field, LENGTH_DELIMITED)), body.length);
    return Buffer.concat([head, body]);
}

/**
 * A message of string fields and small enums, as google-protobuf writes it: fields in the order given, empty strings
 * and zero enums left out. Each entry is a field number, whether it is an enum, and the value it holds.
 */
type Fields = readonly (readonly [field: number, isEnum: boolean, value: unknown])[];

/** The fields of AnalyzeResponse's messages, in field order; undefined for a message that has more than these. */
function diagnosticFields(d: analyzer.AnalyzeDiagnostic): Fields | undefined {
    // A field of a newer protocol (past severity = 9) would be lost here: such messages go to google-protobuf.
    return d.toArray().length > 9
        ? undefined
        : [
              [1, false, d.getPolicyname()],
              [2, false, d.getPolicypackname()],
              [3, false, d.getPolicypackversion()],
              [4, false, d.getDescription()],
              [5, false, d.getMessage()],
              [7, true, d.getEnforcementlevel()],
              [8, false, d.getUrn()],
              [9, true, d.getSeverity()],
          ];
}

function notApplicableFields(n: analyzer.PolicyNotApplicable): Fields | undefined {
    return n.toArray().length > 2
        ? undefined
        : [
              [1, false, n.getPolicyName()],
              [2, false, n.getReason()],
          ];
}

/** The encoded size of a message's fields; string byte lengths are appended to `lengths` in order. */
function bodySize(fields: Fields, lengths: number[]): number {
    let size = 0;
    for (const [field, isEnum, value] of fields) {
        // A value of another type than its field's (set without type checks) is written by google-protobuf's rules.
        if (typeof value !== (isEnum ? "number" : "string")) {
            throw DECLINED;
        }
        if (typeof value === "string") {
            // google-protobuf writes a lone UTF-16 surrogate in its own way (Node.js writes U+FFFD)
            if (LONE_SURROGATE.test(value)) {
                throw DECLINED;
            }
            if (value.length > 0) {
                const length = Buffer.byteLength(value, "utf8");
                lengths.push(length);
                size += varintSize(tag(field, LENGTH_DELIMITED)) + varintSize(length) + length;
            }
        } else if (value !== 0) {
            // Enums of this protocol are small and never negative (a negative one takes ten bytes).
            if (!Number.isInteger(value) || (value as number) < 0 || (value as number) >= 0x80) {
                throw DECLINED;
            }
            size += varintSize(tag(field, VARINT)) + 1;
        }
    }
    return size;
}

function writeFields(out: Buffer, pos: number, fields: Fields, lengths: number[], next: { at: number }): number {
    for (const [field, , value] of fields) {
        if (typeof value === "string") {
            if (value.length > 0) {
                const length = lengths[next.at++];
                pos = writeVarint(out, writeVarint(out, pos, tag(field, LENGTH_DELIMITED)), length);
                pos += out.write(value, pos, length, "utf8");
            }
        } else if (value !== 0) {
            pos = writeVarint(out, pos, tag(field, VARINT));
            out[pos++] = value as number;
        }
    }
    return pos;
}

/**
 * Encodes an Analyze or AnalyzeStack response (AnalyzeResponse: diagnostics = 2, not_applicable = 3) exactly as
 * google-protobuf would, in one Buffer; undefined when it holds anything else (it is then left to google-protobuf).
 */
export function writeAnalyzeResponse(response: analyzer.AnalyzeResponse): Buffer | undefined {
    try {
        if (response.toArray().length > 3) {
            return undefined;
        }
        const messages: { field: number; fields: Fields; size: number }[] = [];
        const lengths: number[] = [];
        let total = 0;
        const add = (field: number, fields: Fields | undefined): void => {
            if (!fields) {
                throw DECLINED;
            }
            const size = bodySize(fields, lengths);
            messages.push({ field, fields, size });
            total += varintSize(tag(field, LENGTH_DELIMITED)) + varintSize(size) + size;
        };
        response.getDiagnosticsList().forEach((d) => add(2, diagnosticFields(d)));
        response.getNotApplicableList().forEach((n) => add(3, notApplicableFields(n)));
        const out = Buffer.allocUnsafe(total);
        const next = { at: 0 };
        let pos = 0;
        for (const { field, fields, size } of messages) {
            pos = writeVarint(out, writeVarint(out, pos, tag(field, LENGTH_DELIMITED)), size);
            pos = writeFields(out, pos, fields, lengths, next);
        }
        return pos === total ? out : undefined;
    } catch {
        return undefined;
    }
}

/** One method of a gRPC service definition, as generated for the analyzer service. */
interface MethodDefinition {
    readonly path?: string;
    readonly requestType?: MessageClass<never>;
    readonly responseType?: abstract new () => unknown;
    readonly requestDeserialize: (bytes: Buffer) => unknown;
    readonly responseSerialize: (value: unknown) => Buffer;
}

/** Replaces one method's request decoding and response encoding; left as it is when it is not the expected method. */
function rewired(
    method: MethodDefinition | undefined,
    path: string,
    read: (bytes: Buffer, type: MessageClass<never>) => unknown,
    respondsWithFindings: boolean,
): MethodDefinition | undefined {
    if (!method || method.path !== path || typeof method.requestType?.deserializeBinary !== "function") {
        return method;
    }
    const type = method.requestType;
    const serialize = method.responseSerialize;
    const responseType = method.responseType;
    return {
        ...method,
        requestDeserialize: (bytes) => read(bytes, type),
        // Anything but the generated response class goes to the generated serializer, which rejects it as before.
        ...(respondsWithFindings &&
            typeof responseType === "function" && {
                responseSerialize: (value: unknown) =>
                    (value instanceof responseType
                        ? writeAnalyzeResponse(value as analyzer.AnalyzeResponse)
                        : undefined) ?? serialize(value),
            }),
    };
}

/**
 * The analyzer service's definition (as the SDK registers it with gRPC) with Analyze, Remediate and AnalyzeStack
 * decoded and encoded here; any other service is returned as it is.
 */
export function withFasterWire<S extends object>(service: S): S {
    const methods = service as Record<string, MethodDefinition | undefined>;
    if (methods.analyze?.path !== "/pulumirpc.Analyzer/Analyze") {
        return service;
    }
    return {
        ...service,
        analyze: rewired(methods.analyze, "/pulumirpc.Analyzer/Analyze", readAnalyzeRequest, true),
        // Remediate answers with rewritten props (RemediateResponse), left to google-protobuf.
        remediate: rewired(methods.remediate, "/pulumirpc.Analyzer/Remediate", readAnalyzeRequest, false),
        analyzeStack: rewired(methods.analyzeStack, "/pulumirpc.Analyzer/AnalyzeStack", readAnalyzeStackRequest, true),
    };
}
