// The YAML schema manifests are read with, shared by the syntax-tree reader (manifests.ts) and the
// subset reader (yaml-subset.ts): both must resolve every scalar the same way, and the subset reader
// does so by calling this schema's own tags rather than copies of their patterns.

import { Schema } from "yaml";

type Tag = { tag: string; format?: string };
const KUBERNETES_YAML_TAGS = new Set(
    ["map", "seq", "str", "null", "bool", "int", "float", "merge"].map((t) => `tag:yaml.org,2002:${t}`),
);

/** YAML 1.1 as Kubernetes reads it, built once (a schema per document would be rebuilt thousands of times). */
export const KUBERNETES_YAML = new Schema({
    schema: "yaml-1.1",
    resolveKnownTags: false,
    customTags: (tags) => tags.filter((t) => KUBERNETES_YAML_TAGS.has((t as Tag).tag) && (t as Tag).format !== "TIME"),
});
