// Kubernetes manifests (YAML or JSON, multi-document, `List` kinds) as Pulumi resources: each object
// becomes the resource the Kubernetes provider would register for it — type
// `kubernetes:<group or core>/<version>:<Kind>`, props the object itself — with the source position
// of every field, so a finding's JSON path can be shown at its line.
//
// YAML is read with YAML 1.1 rules, as kubectl and Helm read it (`yes`/`on` are booleans, `0644` is
// octal), without the 1.1 types Kubernetes does not have (timestamps, sexagesimal numbers, sets).

import {
    type Document,
    LineCounter,
    type Node as YamlNode,
    Schema,
    isAlias,
    isMap,
    isScalar,
    isSeq,
    parseAllDocuments,
} from "yaml";
import type { EngineResource } from "../../src/engine/local-engine";
import { Field } from "../../src/framework/field";
import { kubernetesIdentity } from "../../src/framework/resource";
import { type PathSegment, parseJsonPath } from "../json-path";
import { type InputError, type ScanResource, type SourceLocation } from "../model";

/** Options shared by every manifest file of a scan. */
export interface ManifestScope {
    /** The namespace objects without `metadata.namespace` go to (the Kubernetes provider's `namespace`). */
    readonly namespace?: string;
    /** URNs already given to resources of this scan (kept unique across files). */
    readonly urns: Set<string>;
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

/**
 * Reads the Kubernetes objects of one manifest file. `explicit`: the user named this file (not found by a directory
 * walk).
 */
export function readManifests(
    text: string,
    file: string,
    explicit: boolean,
    scope: ManifestScope,
): { resources: ScanResource[]; errors: InputError[] } {
    const resources: ScanResource[] = [];
    const errors: InputError[] = [];
    const lines = new LineCounter();
    const json = looksLikeJson(text);
    let docs: Document.Parsed[];
    try {
        docs = parseAllDocuments(
            text,
            json ? { lineCounter: lines } : { lineCounter: lines, version: "1.1", schema: KUBERNETES_YAML },
        ) as Document.Parsed[];
    } catch (err) {
        return {
            resources,
            errors: [{ file, message: `cannot be parsed: ${(err as Error)?.message ?? String(err)}` }],
        };
    }
    const at = (offset: number | undefined): SourceLocation => {
        const p = lines.linePos(offset ?? 0);
        return { file, line: p.line, column: p.col };
    };
    docs.forEach((doc, index) => {
        const docName = docs.length > 1 ? `document ${index + 1}` : "the document";
        if (doc.errors.length > 0) {
            const e = doc.errors[0];
            const pos = e.linePos?.[0];
            errors.push({
                file,
                line: pos?.line,
                column: pos?.col,
                message:
                    `invalid ${json ? "JSON" : "YAML"} in ${docName}: ` +
                    `${e.message.split(" at line ")[0].split("\n")[0]}`,
            });
            return;
        }
        let value: unknown;
        try {
            value = doc.toJS({ maxAliasCount: 1000 });
        } catch (err) {
            errors.push({
                ...at(doc.range?.[0]),
                message: `${docName} cannot be read: ${(err as Error)?.message ?? String(err)}`,
            });
            return;
        }
        if (value === null || value === undefined) {
            return; // empty documents are common in rendered output
        }
        const reader = new ObjectReader(doc, at, scope, templateOf(doc));
        const notObjects = reader.collect(value, doc.contents ?? undefined, undefined, 0, resources);
        if (notObjects > 0 && explicit) {
            errors.push({
                ...at(doc.contents?.range?.[0]),
                message:
                    `${docName} is not a Kubernetes object (it needs apiVersion and kind) nor a Pulumi stack ` +
                    `export`,
            });
        }
    });
    return { resources, errors };
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
        private readonly doc: Document.Parsed,
        private readonly at: (offset: number | undefined) => SourceLocation,
        private readonly scope: ManifestScope,
        private readonly template: string | undefined,
    ) {}

    /**
     * Adds the Kubernetes objects in `value` (an object, a List, or a sequence of them) to `out`;
     * returns how many values were not Kubernetes objects.
     */
    collect(
        value: unknown,
        node: YamlNode | undefined,
        listDefaults: { apiVersion: unknown; kind: string } | undefined,
        depth: number,
        out: ScanResource[],
    ): number {
        if (depth > MAX_LIST_DEPTH) {
            return 1;
        }
        if (Array.isArray(value)) {
            let skipped = 0;
            value.forEach((item, i) => {
                skipped += this.collect(item, childNode(this.doc, node, i), listDefaults, depth + 1, out);
            });
            return skipped;
        }
        if (!isObject(value)) {
            return 1;
        }
        const apiVersion = value.apiVersion ?? listDefaults?.apiVersion;
        const kind = value.kind ?? listDefaults?.kind;
        if (typeof kind === "string" && kind.endsWith("List") && Array.isArray(value.items)) {
            // `kind: List` items carry their own kind; typed lists (`DeploymentList`) often omit it.
            const defaults = kind === "List" ? undefined : { apiVersion, kind: kind.slice(0, -"List".length) };
            return this.collect(value.items, childNode(this.doc, node, "items"), defaults, depth + 1, out);
        }
        const type = kubernetesTypeOf(apiVersion, kind);
        if (!type) {
            return 1;
        }
        const props = value.apiVersion === apiVersion && value.kind === kind ? value : { ...value, apiVersion, kind };
        out.push(this.resource(type, props, node));
        return 0;
    }

    private resource(type: string, props: Record<string, unknown>, node: YamlNode | undefined): ScanResource {
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
        const doc = this.doc;
        const at = this.at;
        return {
            analyze: resource,
            stack: resource,
            urn,
            label: identity.label,
            location: at(node?.range?.[0]),
            locate(path: string) {
                const segments = parseJsonPath(path);
                const offset = segments && node ? fieldOffset(doc, node, segments) : undefined;
                return offset === undefined ? undefined : at(offset);
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
