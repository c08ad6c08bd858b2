// The pack reads requests and writes responses itself (src/sdk/analyzer-wire.ts). It must give exactly what
// google-protobuf gives: the same props, keyed in the same order, the same other fields, the same errors for bytes
// it cannot read; and responses byte for byte the same. Requests are encoded here with entries in any order,
// repeated keys and fields, and fields of unknown number, as another encoder (the engine's, in Go) may write them.

import * as assert from "assert";
import fc from "fast-check";
import {
    DecodedStruct,
    readAnalyzeRequest,
    readAnalyzeStackRequest,
    withFasterWire,
    writeAnalyzeResponse,
} from "../../src/sdk/analyzer-wire";
import { shape } from "../support/wire-shape";

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb");
const analyzerGrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");

// ---- a small protobuf writer, so that tests choose the order and repetition of what is on the wire ----

function varint(n: number): number[] {
    const out: number[] = [];
    while (n >= 0x80) {
        out.push((n & 0x7f) | 0x80);
        n = Math.floor(n / 128);
    }
    out.push(n);
    return out;
}
const field = (n: number, wireType: number): number[] => varint((n << 3) | wireType);
const bytesField = (n: number, body: number[]): number[] => [...field(n, 2), ...varint(body.length), ...body];
const utf8 = (s: string): number[] => [...Buffer.from(s, "utf8")];

/** How the test writer encodes: entry order, repeated keys, unknown fields. */
interface Writing {
    /** Reorders a Struct's entries (the engine's Go maps come in any order). */
    readonly order: (n: number) => number[];
    /** Writes the first key of each Struct twice (an earlier, different value first: the last must win). */
    readonly repeatKey: boolean;
    /** Adds a field of a number no message defines (it must be skipped). */
    readonly unknownField: boolean;
}

const PLAIN: Writing = { order: (n) => [...Array(n).keys()], repeatKey: false, unknownField: false };

function encodeValue(v: unknown, w: Writing): number[] {
    const unknown = w.unknownField ? [...field(15, 0), 1] : [];
    if (v === null) {
        return [...unknown, ...field(1, 0), 0];
    }
    switch (typeof v) {
        case "number": {
            const b = Buffer.alloc(8);
            b.writeDoubleLE(v);
            return [...unknown, ...field(2, 1), ...b];
        }
        case "string":
            return [...unknown, ...bytesField(3, utf8(v))];
        case "boolean":
            return [...unknown, ...field(4, 0), v ? 1 : 0];
        default:
            return Array.isArray(v)
                ? [
                      ...unknown,
                      ...bytesField(
                          6,
                          v.flatMap((x) => bytesField(1, encodeValue(x, w))),
                      ),
                  ]
                : [...unknown, ...bytesField(5, encodeStruct(v as Record<string, unknown>, w))];
    }
}

function encodeStruct(obj: Record<string, unknown>, w: Writing): number[] {
    const keys = Object.keys(obj);
    const entry = (key: string, value: unknown) =>
        bytesField(1, [...bytesField(1, utf8(key)), ...bytesField(2, encodeValue(value, w))]);
    const entries = w.order(keys.length).map((i) => entry(keys[i], obj[keys[i]]));
    const out = (w.repeatKey && keys.length > 0 ? [entry(keys[0], "an earlier value")] : []).concat(entries).flat();
    return w.unknownField ? [...field(9, 0), 7, ...out] : out;
}

/** An Analyze request with every field but the props set by google-protobuf, and the props written here. */
function analyzeRequest(props: number[] | undefined): Buffer {
    const req = new analyzerProto.AnalyzeRequest();
    req.setType("kubernetes:apps/v1:Deployment");
    req.setName("web");
    req.setUrn("urn:pulumi:s::p::kubernetes:apps/v1:Deployment::web");
    const options = new analyzerProto.AnalyzerResourceOptions();
    options.setProtect(true);
    options.setAdditionalsecretoutputsList(["data"]);
    req.setOptions(options);
    const provider = new analyzerProto.AnalyzerProviderResource();
    provider.setType("pulumi:providers:kubernetes");
    provider.setProperties(require("google-protobuf/google/protobuf/struct_pb").Struct.fromJavaScript({ ns: "a" }));
    req.setProvider(provider);
    return Buffer.from([...req.serializeBinary(), ...(props ? bytesField(2, props) : [])]);
}

type Outcome = { value: unknown } | { error: string };
function outcome(f: () => unknown): Outcome {
    try {
        return { value: f() };
    } catch (err) {
        return { error: String((err as Error)?.message ?? err) };
    }
}

/** Everything a handler reads from an Analyze request, as plain data. */
function readable(req: any): unknown {
    return {
        type: req.getType(),
        name: req.getName(),
        urn: req.getUrn(),
        options: req.getOptions()?.toObject(),
        provider: req.getProvider()?.getType(),
        providerProps: req.getProvider()?.getProperties()?.toJavaScript(),
        props: outcome(() => shape(req.getProperties()?.toJavaScript())),
    };
}

const fromGoogleProtobuf = (bytes: Buffer) =>
    outcome(() => readable(analyzerProto.AnalyzeRequest.deserializeBinary(new Uint8Array(bytes))));
const fromHere = (bytes: Buffer) => outcome(() => readable(readAnalyzeRequest(bytes, analyzerProto.AnalyzeRequest)));

/** JSON-like values with what a Struct holds: -0, huge and tiny numbers, any Unicode, deep nesting. */
const structValue = fc.letrec((tie) => ({
    value: fc.oneof(
        { depthSize: "small" },
        fc.constant(null),
        fc.boolean(),
        fc.double({ noNaN: false }),
        fc.string({ unit: "grapheme" }),
        fc.string({ unit: "binary", maxLength: 4 }),
        fc.array(tie("value"), { maxLength: 4 }),
        tie("object"),
    ),
    object: fc.dictionary(fc.string({ unit: "grapheme-composite" }), tie("value"), { maxKeys: 5 }),
})).object;

/** Holds a string that UTF-8 carries as U+FFFD (U+FFFD itself, or a lone surrogate): left to google-protobuf. */
function replaced(value: unknown): boolean {
    if (typeof value === "string") {
        return /\uFFFD|\p{Cs}/u.test(value);
    }
    return (
        typeof value === "object" &&
        value !== null &&
        Object.entries(value).some(([k, v]) => replaced(k) || replaced(v))
    );
}

const writing: fc.Arbitrary<Writing> = fc
    .record({
        seed: fc.integer(),
        repeatKey: fc.boolean(),
        unknownField: fc.boolean(),
    })
    .map(({ seed, repeatKey, unknownField }) => ({
        // a permutation from the seed (the same for every Struct of one request)
        order: (n: number) =>
            [...Array(n).keys()].sort((a, b) => ((a * 7919 + seed) % 101) - ((b * 7919 + seed) % 101) || a - b),
        repeatKey,
        unknownField,
    }));

describe("the pack's own reading and writing of analyzer messages (analyzer-wire.ts)", () => {
    it("reads props as google-protobuf's toJavaScript gives them, keys in its order, and the rest as it does", () => {
        fc.assert(
            fc.property(structValue, writing, (props, w) => {
                const bytes = analyzeRequest(encodeStruct(props, w));
                assert.deepStrictEqual(fromHere(bytes), fromGoogleProtobuf(bytes));
                // ...and it read them itself, unless a string holds U+FFFD (left to google-protobuf, as malformed
                // UTF-8 would be; a lone surrogate is written as U+FFFD)
                const read = readAnalyzeRequest<any>(bytes, analyzerProto.AnalyzeRequest);
                assert.strictEqual(read.getProperties() instanceof DecodedStruct, !replaced(props));
            }),
            { numRuns: 300 },
        );
    });

    it("decodes the props as the policy SDK's deserializer sees them (secrets, unknowns, assets)", () => {
        const { secret, toStruct, UNKNOWN } = require("../../src/engine/protocol");
        const props = {
            a: secret("pw"),
            b: UNKNOWN,
            c: { "4dabf18193072939515e22adb298388d": "c44067f5952c0a294b673a41bacd8c17", hash: "x", text: "y" },
            d: [1, "two", { three: [] }],
        };
        const bytes = analyzeRequest([...toStruct(props).serializeBinary()]);
        assert.deepStrictEqual(fromHere(bytes), fromGoogleProtobuf(bytes));
    });

    it("leaves to google-protobuf what it does not expect, with google-protobuf's result or error", () => {
        const ok = encodeStruct({ a: [1, { b: "c" }], d: true }, PLAIN);
        const cases: Record<string, number[] | undefined> = {
            "no props": undefined,
            "a Value of no kind": bytesField(1, [...bytesField(1, utf8("k")), ...bytesField(2, [])]),
            "a map entry without its value": bytesField(1, bytesField(1, utf8("k"))),
            "a list item of no kind": bytesField(1, [
                ...bytesField(1, utf8("k")),
                ...bytesField(2, bytesField(6, bytesField(1, []))),
            ]),
            "a __proto__ key": bytesField(1, [
                ...bytesField(1, utf8("__proto__")),
                ...bytesField(2, encodeValue({}, PLAIN)),
            ]),
            "a bool written as 2": bytesField(1, [...bytesField(1, utf8("k")), ...bytesField(2, [...field(4, 0), 2])]),
            "a string field with a varint's wire type": bytesField(1, [
                ...bytesField(1, utf8("k")),
                ...bytesField(2, [...field(3, 0), 1]),
            ]),
            "a group": [...ok, ...field(20, 3), ...field(20, 4)],
            "field number 0": [...ok, ...field(0, 0), 1],
            truncated: ok.slice(0, -1),
            "a length past the end": [...bytesField(1, []).slice(0, 1), 0x7f],
            // google-protobuf reads an enum's varint to 10 bytes at most
            "a null written with an 11-byte varint": bytesField(1, [
                ...bytesField(1, utf8("k")),
                ...bytesField(2, [...field(1, 0), ...Array(10).fill(0x80), 0]),
            ]),
            "a null written with a 10-byte varint": bytesField(1, [
                ...bytesField(1, utf8("k")),
                ...bytesField(2, [...field(1, 0), ...Array(9).fill(0x80), 0]),
            ]),
        };
        for (const [name, props] of Object.entries(cases)) {
            const bytes = analyzeRequest(props);
            assert.deepStrictEqual(fromHere(bytes), fromGoogleProtobuf(bytes), name);
        }
        // the two that google-protobuf cannot turn into JavaScript fail exactly as it fails
        const noKind = fromHere(analyzeRequest(cases["a Value of no kind"]));
        assert.deepStrictEqual((noKind as any).value.props, { error: "Unexpected struct type" });
    });

    it("leaves props nested deeper than 500 levels to google-protobuf, which overflows its stack further down", () => {
        const nested = (depth: number): unknown => (depth === 0 ? "leaf" : [nested(depth - 1)]);
        for (const [depth, fast] of [
            [499, true],
            [501, false],
        ] as const) {
            const bytes = analyzeRequest(encodeStruct({ x: nested(depth) }, PLAIN));
            // (compared as JSON: assert's deep comparison runs out of stack itself at these depths)
            assert.strictEqual(
                JSON.stringify(fromHere(bytes)),
                JSON.stringify(fromGoogleProtobuf(bytes)),
                `depth ${depth}`,
            );
            const read = readAnalyzeRequest<any>(bytes, analyzerProto.AnalyzeRequest);
            assert.strictEqual(read.getProperties() instanceof DecodedStruct, fast, `depth ${depth}`);
        }
    });

    it("gives google-protobuf's answer for any corruption of a request's bytes", () => {
        const valid = analyzeRequest(encodeStruct({ spec: { containers: [{ name: "app", image: "nginx" }] } }, PLAIN));
        fc.assert(
            fc.property(
                fc.array(fc.record({ at: fc.nat(valid.length - 1), byte: fc.nat(255), cut: fc.boolean() }), {
                    minLength: 1,
                    maxLength: 4,
                }),
                (edits) => {
                    let bytes = Buffer.from(valid);
                    for (const { at, byte, cut } of edits) {
                        bytes = cut ? Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]) : bytes;
                        if (!cut && at < bytes.length) {
                            bytes[at] = byte;
                        }
                    }
                    assert.deepStrictEqual(fromHere(bytes), fromGoogleProtobuf(bytes));
                },
            ),
            { numRuns: 500 },
        );
    });

    it("reads every resource of an AnalyzeStack request, with and without props, as google-protobuf does", () => {
        fc.assert(
            fc.property(fc.array(fc.option(structValue), { maxLength: 5 }), writing, (resources, w) => {
                const parts: number[] = [];
                resources.forEach((props, i) => {
                    const r = new analyzerProto.AnalyzerResource();
                    r.setType("kubernetes:core/v1:Pod");
                    r.setUrn(`urn:pulumi:s::p::kubernetes:core/v1:Pod::p${i}`);
                    r.setName(`p${i}`);
                    parts.push(
                        ...bytesField(1, [
                            ...r.serializeBinary(),
                            ...(props ? bytesField(2, encodeStruct(props, w)) : []),
                        ]),
                    );
                });
                const bytes = Buffer.from(parts);
                const view = (r: any) =>
                    r.getResourcesList().map((x: any) => ({
                        urn: x.getUrn(),
                        has: x.hasProperties(),
                        props: outcome(() => shape(x.getProperties()?.toJavaScript())),
                    }));
                const here = readAnalyzeStackRequest<any>(bytes, analyzerProto.AnalyzeStackRequest);
                assert.deepStrictEqual(view(here), view(analyzerProto.AnalyzeStackRequest.deserializeBinary(bytes)));
                // one string left to google-protobuf leaves it the whole request
                const fast = !resources.some((props) => props && replaced(props));
                here.getResourcesList().forEach((x: any, i: number) => {
                    assert.strictEqual(x.getProperties() instanceof DecodedStruct, fast && resources[i] !== null);
                });
            }),
            { numRuns: 150 },
        );
    });

    it("writes responses byte for byte as google-protobuf does", () => {
        const text = fc.string({ unit: "grapheme", maxLength: 300 });
        fc.assert(
            fc.property(
                fc.array(
                    fc.record({
                        strings: fc.array(text, { minLength: 6, maxLength: 6 }),
                        level: fc.nat(3),
                        severity: fc.nat(4),
                    }),
                    { maxLength: 8 },
                ),
                fc.array(fc.tuple(text, text), { maxLength: 5 }),
                (diagnostics, notApplicable) => {
                    const res = new analyzerProto.AnalyzeResponse();
                    res.setDiagnosticsList(
                        diagnostics.map(
                            ({ strings: [name, pack, version, description, message, urn], level, severity }) => {
                                const d = new analyzerProto.AnalyzeDiagnostic();
                                d.setPolicyname(name);
                                d.setPolicypackname(pack);
                                d.setPolicypackversion(version);
                                d.setDescription(description);
                                d.setMessage(message);
                                d.setUrn(urn);
                                d.setEnforcementlevel(level);
                                d.setSeverity(severity);
                                return d;
                            },
                        ),
                    );
                    res.setNotApplicableList(
                        notApplicable.map(([name, reason]) => {
                            const n = new analyzerProto.PolicyNotApplicable();
                            n.setPolicyName(name);
                            n.setReason(reason);
                            return n;
                        }),
                    );
                    const ours = writeAnalyzeResponse(res);
                    assert.ok(ours, "written here");
                    assert.deepStrictEqual([...ours], [...res.serializeBinary()]);
                },
            ),
            { numRuns: 300 },
        );
    });

    it("leaves to google-protobuf a response with a field it does not know or an enum out of range", () => {
        const d = new analyzerProto.AnalyzeDiagnostic();
        d.setPolicyname("p");
        const res = new analyzerProto.AnalyzeResponse();
        res.setDiagnosticsList([d]);
        assert.ok(writeAnalyzeResponse(res));
        d.setSeverity(-1);
        assert.strictEqual(writeAnalyzeResponse(res), undefined, "a negative enum");
        d.setSeverity(2);
        d.toArray()[11] = "a field of a newer protocol";
        assert.strictEqual(writeAnalyzeResponse(res), undefined, "an unknown field");
        d.toArray().length = 9;
        assert.ok(writeAnalyzeResponse(res));
        // google-protobuf writes these by its own rules (they would differ byte for byte)
        for (const [name, set] of [
            ["a lone surrogate (a message cut mid-emoji)", () => d.setMessage("cut \uD83D")],
            ["an enum set to a string", () => d.setEnforcementlevel("1")],
            ["a string field set to a number", () => d.setUrn(5)],
        ] as const) {
            const fresh = analyzerProto.AnalyzeDiagnostic.deserializeBinary(d.serializeBinary());
            res.setDiagnosticsList([fresh]);
            assert.ok(writeAnalyzeResponse(res), name);
            d.setMessage("m");
            set.call(undefined);
            res.setDiagnosticsList([d]);
            assert.strictEqual(writeAnalyzeResponse(res), undefined, name);
            d.setMessage("m");
            d.setEnforcementlevel(1);
            d.setUrn("");
        }
        // ...and the service then writes google-protobuf's bytes
        d.setMessage("cut \uD83D");
        assert.deepStrictEqual(
            [...withFasterWire(analyzerGrpc.AnalyzerService).analyze.responseSerialize(res)],
            [...res.serializeBinary()],
        );
    });

    it("rewires the analyzer service's Analyze, AnalyzeStack and Remediate only", () => {
        const service = analyzerGrpc.AnalyzerService;
        const rewired = withFasterWire(service);
        assert.notStrictEqual(rewired.analyze.requestDeserialize, service.analyze.requestDeserialize);
        assert.notStrictEqual(rewired.analyze.responseSerialize, service.analyze.responseSerialize);
        assert.notStrictEqual(rewired.analyzeStack.requestDeserialize, service.analyzeStack.requestDeserialize);
        assert.notStrictEqual(rewired.remediate.requestDeserialize, service.remediate.requestDeserialize);
        // Remediate answers with rewritten props, which google-protobuf still writes.
        assert.strictEqual(rewired.remediate.responseSerialize, service.remediate.responseSerialize);
        assert.strictEqual(rewired.configure, service.configure);
        assert.strictEqual(withFasterWire({ other: { path: "/x.Y/Z" } }).other.path, "/x.Y/Z");
        const bytes = analyzeRequest(encodeStruct({ a: 1 }, PLAIN));
        const decoded = rewired.analyze.requestDeserialize(bytes);
        assert.ok(decoded instanceof analyzerProto.AnalyzeRequest);
        assert.deepStrictEqual(decoded.getProperties().toJavaScript(), { a: 1 });
        // a response it cannot write goes to the SDK's own serializer, which checks the type as before
        for (const notAResponse of [{}, { getDiagnosticsList: () => [], getNotApplicableList: () => [] }]) {
            assert.throws(
                () => rewired.analyze.responseSerialize(notAResponse),
                /Expected argument of type pulumirpc.AnalyzeResponse/,
            );
        }
    });
});
