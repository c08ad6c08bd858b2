// What the secrets policies share: the `ignoreNames` option and the judgement of one name/value
// pair written in the program (an env variable, a ConfigMap key, a Docker env entry).
//
// Values are never printed: a finding names the variable or key, the JSON path and the kind of
// secret it looks like. Pulumi secrets arrive here as plaintext, and marking a value secret does not
// keep it out of the pod spec or the container's configuration, so they are judged like any literal.

import { type Evaluation } from "../framework/policy";
import { type Field, fieldName } from "../framework/field";
import { knownItems } from "../framework/checks";
import { argumentSecrets, flagSecrets, scanStructured } from "./structured";
import { type OptionValues, array, option, string } from "../framework/options";
import { NameFilter, type SecretMatch, describeMatch, judgeLiteral, notALiteralSecret, secretInName } from "./patterns";
import { type ContainerRef } from "../kubernetes/workload";

export const SECRETS_URL = "https://kubernetes.io/docs/concepts/security/secrets-good-practices/";

export const secretOptions = {
    ignoreNames: option(
        array(
            string({
                description:
                    "A variable or key name that never holds a secret; case-insensitive, * and ? are wildcards (e.g. " +
                    "MAX_TOKENS, *_PUBLIC_KEY)",
                minLength: 1,
            }),
            { description: "Variable and key names that are never judged as secrets (by name or by value)." },
        ),
        [] as string[],
    ),
};

export type SecretOptions = OptionValues<typeof secretOptions>;

const filters = new WeakMap<readonly string[], NameFilter>();

/** The name filter for a configuration (built once per distinct `ignoreNames` value). */
export function ignoredNames(options: SecretOptions): NameFilter {
    let f = filters.get(options.ignoreNames);
    if (!f) {
        f = new NameFilter(options.ignoreNames);
        filters.set(options.ignoreNames, f);
    }
    return f;
}

/** "`<subject>` holds a literal value that looks like an AWS access key ID" (never the value). */
export function literalProblem(subject: string, m: SecretMatch): string {
    return `${subject} holds a literal value ${m.by === "value" ? "that" : "and"} ${describeMatch(m)}`;
}

/** One name/value pair set in the program. */
export interface Setting {
    /** The name: a field read from props (possibly unknown), or text parsed from `NAME=value`. */
    readonly name: Field | string;
    /** The value: a field read from props (possibly unknown), or text parsed from `NAME=value`. */
    readonly value: Field | string;
    /** Where a finding points. */
    readonly at: Field;
    /** What a message calls the setting, e.g. `env variable "DB_PASSWORD"`. */
    readonly subject: (name: string | undefined) => string;
    readonly container?: ContainerRef;
}

/**
 * Reports a setting whose literal value is a secret. A value that is unknown during preview comes
 * from another resource's output; it is recorded as unknown only when the name looks secret (it is
 * judged at `pulumi up`, when known), so every computed host name or ID does not raise an advisory.
 */
export function judgeSetting(ev: Evaluation<SecretOptions>, s: Setting, fix: string): void {
    const ignored = ignoredNames(ev.options);
    const name = typeof s.name === "string" ? s.name : s.name.str();
    if (name !== undefined && ignored.matches(name)) {
        return;
    }
    let value: string | undefined;
    if (typeof s.value === "string") {
        value = s.value;
    } else if (s.value.isUnknown) {
        if (name !== undefined && secretInName(name)) {
            ev.unknown(s.value, s.container);
        }
        return;
    } else {
        const scalar = s.value.scalar();
        value = scalar === undefined ? undefined : String(scalar);
    }
    if (value === undefined) {
        return;
    }
    const match = judgeLiteral(name, value, ignored);
    if (match) {
        ev.violation({ at: s.at, container: s.container, problem: literalProblem(s.subject(name), match), fix });
    } else if (judgeInside(ev, s, name, value, fix)) {
        return;
    } else if (typeof s.name !== "string" && s.name.isUnknown && notALiteralSecret(value) === undefined) {
        // The value could be a secret if the name says so: decided when the name is known.
        ev.unknown(s.name, s.container);
    }
}

/**
 * Judges what a value carries inside: a JSON document (SPRING_APPLICATION_JSON) by its keys, and
 * command-line flags (JAVA_OPTS="-Ddb.password=…") by their names. True when anything was reported.
 */
function judgeInside(
    ev: Evaluation<SecretOptions>,
    s: Setting,
    name: string | undefined,
    value: string,
    fix: string,
): boolean {
    const ignored = ignoredNames(ev.options);
    const subject = s.subject(name);
    let reported = false;
    const t = value.trim();
    if (t.startsWith("{") || t.startsWith("[")) {
        const scan = scanStructured(`${name ?? ""}.json`, t, ignored);
        for (const found of scan?.secrets ?? []) {
            ev.violation({
                at: s.at,
                container: s.container,
                problem: literalProblem(`${subject} → ${found.path}`, found.match),
                fix,
            });
            reported = true;
        }
        if (scan?.incomplete) {
            ev.violation({
                at: s.at,
                container: s.container,
                problem:
                    `${subject} holds a JSON document that could not be fully scanned for secrets: ` + scan.incomplete,
                fix,
            });
            reported = true;
        }
    }
    for (const flag of flagSecrets(value, ignored)) {
        ev.violation({
            at: s.at,
            container: s.container,
            problem: `${subject} passes the flag ${flag.flag} with a literal value, and ${describeMatch(flag.match)}`,
            fix,
        });
        reported = true;
    }
    return reported;
}

/**
 * Reports arguments of a command line (a container's `command` and `args`) that carry literal
 * secrets: a flag whose name says it holds one (`--password=…`, `--password …`, `-Ddb.password=…`),
 * or an argument shaped like a credential. Values are never printed.
 */
export function judgeCommandLine(
    ev: Evaluation<SecretOptions>,
    lists: readonly Field[],
    fix: string,
    container?: ContainerRef,
): void {
    const ignored = ignoredNames(ev.options);
    for (const list of lists) {
        const items = knownItems(ev, list);
        const args = items.map((item) => item.str());
        for (const found of argumentSecrets(args, ignored)) {
            ev.violation({
                at: list,
                container,
                problem:
                    `${fieldName(list.path)} passes the flag ${found.flag} with a literal value, and ` +
                    `${describeMatch(found.match)}`,
                fix,
            });
        }
        items.forEach((item, i) => {
            const arg = args[i];
            const shape = arg !== undefined ? judgeLiteral(undefined, arg, ignored) : undefined;
            if (shape) {
                ev.violation({
                    at: item,
                    container,
                    problem: `${fieldName(list.path)} has an argument that ${describeMatch(shape)}`,
                    fix,
                });
            }
        });
    }
}
