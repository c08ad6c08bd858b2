import type * as docker from "@pulumi/docker";
import type * as k8s from "@pulumi/kubernetes";
import { type Evaluation, buildResourcePolicy } from "../../src/framework/policy";
import { Field } from "../../src/framework/field";
import {
    kubernetesGroupVersion,
    kubernetesIdentity,
    parseTypeToken,
    plainIdentity,
} from "../../src/framework/resource";
import { judgeLiteral, secretAssignments, secretInName, secretInValue } from "../../src/secrets/patterns";
import { type StructuredScan, scanStructured } from "../../src/secrets/structured";
import { providerNamespace } from "../../src/kubernetes/workload-policy";
import { nist800190 } from "../../src/framework/compliance";
import { known } from "../../src/framework/checks";
import { type SecretOptions, ignoredNames, literalProblem, secretOptions } from "../../src/secrets/literals";

const DOCKER_SERVICE_CONFIG_TYPE = "docker:index/serviceConfig:ServiceConfig";

type ConfigMapObject = k8s.core.v1.ConfigMapArgs;
type ServiceConfigObject = docker.ServiceConfigArgs;

/** A configuration file with hundreds of secret lines is reported by its first lines and a count. */
const MAX_LINES_REPORTED = 20;

const KUBERNETES_FIX =
    "move it into a Secret (or an external secret store synchronised into one) and give it to the pod as a read-only " +
    "Secret volume or with secretKeyRef; keep only non-confidential settings in the ConfigMap";
const DOCKER_FIX = "store it in a docker.Secret instead and list that in the service's taskSpec.containerSpec.secrets";

/** ConfigMaps (and Docker swarm configs) must not carry secrets. */
export const secretsConfigMap = buildResourcePolicy({
    name: "secrets-configmap",
    displayName: "No secrets in ConfigMaps",
    description:
        "ConfigMaps and Docker swarm configs must not hold secrets: no secret-looking key with a literal value, no " +
        "configuration file line that sets one, and no value shaped like a private key, access key or token.",
    severity: "high",
    tags: ["secrets", "kubernetes", "docker", "configmap"],
    remediationSteps:
        "Move passwords, tokens and keys out of the ConfigMap into a Secret (or an external secret store " +
        "synchronised into one) and mount it read-only or reference it with secretKeyRef. " +
        "ConfigMaps are meant for non-confidential data: they are not encrypted at rest, and every subject allowed " +
        "to read ConfigMaps in the namespace can read them. " +
        "For Docker, use a docker.Secret instead of a docker.ServiceConfig.",
    url: "https://kubernetes.io/docs/concepts/configuration/configmap/",
    framework: nist800190("4.1.4 Embedded clear text secrets"),
    options: secretOptions,
    prepare(args) {
        const props = Field.root(args.props);
        if (args.type === DOCKER_SERVICE_CONFIG_TYPE) {
            return {
                resource: plainIdentity(args.type, args.name),
                isPatch: false,
                run: (ev) => judgeServiceConfig(ev, props),
            };
        }
        const t = parseTypeToken(args.type);
        const kind = /^ConfigMap(Patch|List)?$/.exec(t.name);
        if (kubernetesGroupVersion(t)?.group !== "core" || !kind) {
            return undefined;
        }
        return {
            resource: kubernetesIdentity(args.type, props, args.name, providerNamespace(args), "ConfigMap"),
            isPatch: kind[1] === "Patch",
            run(ev) {
                const objects = kind[1] === "List" ? (known(ev, props.get("items"))?.items() ?? []) : [props];
                for (const object of objects) {
                    if (known(ev, object)) {
                        const cm = object as Field<ConfigMapObject>;
                        judgeEntries(ev, cm.get("data"), "data", false);
                        judgeEntries(ev, cm.get("binaryData"), "binaryData", true);
                    }
                }
            },
        };
    },
});

function judgeEntries(ev: Evaluation<SecretOptions>, map: Field, what: string, base64: boolean): void {
    for (const [key, value] of known(ev, map)?.entries() ?? []) {
        judgeDocument(ev, { name: key, value, base64, subject: `${what} key ${JSON.stringify(key)}` }, KUBERNETES_FIX);
    }
}

function judgeServiceConfig(ev: Evaluation<SecretOptions>, props: Field<ServiceConfigObject>): void {
    const name = props.get("name").str();
    judgeDocument(ev, { name, value: props.get("dataRaw"), base64: false, subject: "dataRaw" }, DOCKER_FIX);
    judgeDocument(ev, { name, value: props.get("data"), base64: true, subject: "data" }, DOCKER_FIX);
}

interface Document {
    /** The key (ConfigMap) or config name (Docker) the content is stored under. */
    readonly name: string | undefined;
    readonly value: Field;
    readonly base64: boolean;
    readonly subject: string;
}

/**
 * Judges one stored value: a single-line value by its key and shape; a configuration file (JSON,
 * YAML, TOML, INI, properties, .env: by the key's suffix or the content) by its keys, reported with
 * the key path inside it; other multi-line text line by line; and any of them by the credential
 * shapes anywhere in it.
 */
function judgeDocument(ev: Evaluation<SecretOptions>, d: Document, fix: string): void {
    const ignored = ignoredNames(ev.options);
    if (d.name !== undefined && ignored.matches(d.name)) {
        return;
    }
    if (d.value.isUnknown) {
        if (d.name !== undefined && secretInName(d.name)) {
            ev.unknown(d.value);
        }
        return;
    }
    const raw = d.value.str();
    if (raw === undefined) {
        return;
    }
    const text = d.base64 ? Buffer.from(raw, "base64").toString("utf8") : raw;
    if (!text.includes("\n")) {
        const match = judgeLiteral(d.name, text, ignored);
        if (match) {
            ev.violation({ at: d.value, problem: literalProblem(d.subject, match), fix });
            return;
        }
    }
    const structured = scanStructured(d.name, text, ignored);
    if (structured) {
        reportStructured(ev, d, structured, fix);
        if (!structured.secrets.some((s) => s.match.by === "value")) {
            const shape = secretInValue(text);
            if (shape) {
                ev.violation({ at: d.value, problem: `${d.subject} contains a value that looks like ${shape}`, fix });
            }
        }
        return;
    }
    const lines = secretAssignments(text, ignored);
    for (const l of lines.slice(0, MAX_LINES_REPORTED)) {
        ev.violation({
            at: d.value,
            problem: literalProblem(`setting ${JSON.stringify(l.key)} on line ${l.line} of ${d.subject}`, l.match),
            fix,
        });
    }
    if (lines.length > MAX_LINES_REPORTED) {
        ev.violation({
            at: d.value,
            problem: `${lines.length - MAX_LINES_REPORTED} more lines of ${d.subject} set literal secrets`,
            fix,
        });
    }
    if (!lines.some((l) => l.match.by === "value")) {
        const shape = secretInValue(text);
        if (shape) {
            ev.violation({ at: d.value, problem: `${d.subject} contains a value that looks like ${shape}`, fix });
        }
    }
}

/** Reports the keys of a configuration file that hold secrets, and a file that could not be fully scanned. */
function reportStructured(ev: Evaluation<SecretOptions>, d: Document, scan: StructuredScan, fix: string): void {
    for (const s of scan.secrets.slice(0, MAX_LINES_REPORTED)) {
        ev.violation({ at: d.value, problem: literalProblem(`${d.subject} → ${s.path}`, s.match), fix });
    }
    if (scan.secrets.length > MAX_LINES_REPORTED) {
        ev.violation({
            at: d.value,
            problem: `${scan.secrets.length - MAX_LINES_REPORTED} more keys of ${d.subject} hold literal secrets`,
            fix,
        });
    }
    if (scan.incomplete) {
        ev.violation({
            at: d.value,
            problem:
                `${d.subject} (${scan.format}) could not be fully scanned for secrets: ${scan.incomplete}; what ` +
                `was not scanned may hold secrets`,
            fix: `${fix}; or split the file so that each part can be scanned`,
        });
    }
}
