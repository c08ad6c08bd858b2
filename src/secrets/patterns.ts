// Recognises literal secrets: variable and key names that say they hold a secret, and values that
// have the shape of a known kind of credential.
//
// Policies receive secret values as plaintext (the policy SDK unwraps Pulumi secrets), so nothing
// here ever returns, quotes or embeds a value: a match says only what kind of secret it looks like.
//
// False positives make teams switch a check off, so a name alone is not enough: the value must be a
// literal that could be the secret. Names that point at a secret (`PASSWORD_FILE`, `TOKEN_PATH`,
// `SECRET_NAME`, `SECRET_KEY_REF`) and values that refer to one (`$(VAR)`, `${VAR}`, `/run/secrets/db`,
// `vault:secret/db#password`, `arn:aws:secretsmanager:...`) are not literal secrets; neither are
// empty values, booleans and numbers (`MAX_TOKENS=4096`).

import { globMatch } from "../framework/exemptions";

/** What a literal secret looks like and what gave it away. */
export interface SecretMatch {
    /** The kind of secret, with its article: "a password", "an AWS access key ID". Never the value. */
    readonly kind: string;
    /** `name`: the variable or key name says it holds a secret; `value`: the value has a credential's shape. */
    readonly by: "name" | "value";
}

// ---------------------------------------------------------------------------------------------
// Names

/** Words that make a name secret-bearing on their own (a trailing plural `S` and digits are ignored). */
const SECRET_WORDS: ReadonlyMap<string, string> = new Map([
    ["PASSWORD", "a password"],
    ["PASSWD", "a password"],
    ["PASSPHRASE", "a passphrase"],
    ["PASS", "a password"],
    ["PWD", "a password"],
    ["SECRET", "a secret"],
    ["TOKEN", "a token"],
    ["CREDENTIAL", "credentials"],
    ["CREDS", "credentials"],
    ["APIKEY", "an API key"],
    ["ACCESSKEY", "an access key"],
    ["SECRETKEY", "a secret key"],
    ["PRIVATEKEY", "a private key"],
    ["PRIVKEY", "a private key"],
    ["AUTHORIZATION", "an authorization header"],
    ["BEARER", "a bearer token"],
]);

/**
 * Secret words that are also recognised at the end of a run-together word (`DBPASSWORD`,
 * `GHTOKEN`, `CLIENTSECRET`). Short words are excluded: `BYPASS` and `OLDPWD` are not passwords.
 */
const SUFFIX_WORDS: readonly string[] = [
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "CREDENTIAL",
    "APIKEY",
    "ACCESSKEY",
    "SECRETKEY",
    "PRIVATEKEY",
];

/** `<word>_KEY` pairs that name a key that is itself the secret (`API_KEY`, `SIGNING_KEY`, `AZURE_STORAGE_KEY`). */
const KEY_QUALIFIERS: ReadonlyMap<string, string> = new Map([
    ["API", "an API key"],
    ["ACCESS", "an access key"],
    ["SECRET", "a secret key"],
    ["PRIVATE", "a private key"],
    ["SIGNING", "a signing key"],
    ["ENCRYPTION", "an encryption key"],
    ["MASTER", "a master key"],
    ["HMAC", "an HMAC key"],
    ["JWT", "a JWT signing key"],
    ["SESSION", "a session key"],
    ["AUTH", "an authentication key"],
    ["CLIENT", "a client key"],
    ["ACCOUNT", "an account key"],
    ["STORAGE", "a storage account key"],
    ["SHARED", "a shared key"],
    ["SSH", "an SSH key"],
    ["LICENSE", "a license key"],
    ["SUBSCRIPTION", "a subscription key"],
]);

/** Short words that are a password only at the end of a name (`REDIS_PASS`, `DB_PWD`, but not `PASS_THROUGH`). */
const LAST_WORD_ONLY: ReadonlySet<string> = new Set(["PASS", "PWD"]);

/** `BASIC_AUTH`, `PROXY_AUTH`: credentials in user:password form. */
const AUTH_QUALIFIERS: ReadonlySet<string> = new Set(["BASIC", "HTTP", "PROXY", "REDIS"]);

/**
 * Words that, after the secret word, turn the name into a pointer to or a property of a secret
 * rather than the secret itself: `PASSWORD_FILE`, `TOKEN_PATH`, `SECRET_NAME`, `SECRET_KEY_REF`,
 * `TOKEN_TTL`, `PASSWORD_MIN_LENGTH`, `SECRETS_BACKEND`, and file names such as `secrets.yaml`.
 */
const POINTER_WORDS: ReadonlySet<string> = new Set([
    "FILE",
    "FILES",
    "FILENAME",
    "PATH",
    "PATHS",
    "DIR",
    "DIRECTORY",
    "FOLDER",
    "MOUNT",
    "LOCATION",
    "NAME",
    "NAMES",
    "REF",
    "REFS",
    "REFERENCE",
    "ARN",
    "ID",
    "IDS",
    "KEYID",
    "VERSION",
    "NAMESPACE",
    "URL",
    "URI",
    "URLS",
    "ENDPOINT",
    "HOST",
    "HOSTNAME",
    "PORT",
    "SERVER",
    "ADDR",
    "ADDRESS",
    "ENABLED",
    "ENABLE",
    "DISABLED",
    "DISABLE",
    "REQUIRED",
    "REQUIRE",
    "MODE",
    "TYPE",
    "KIND",
    "FORMAT",
    "LENGTH",
    "LEN",
    "SIZE",
    "BYTES",
    "BITS",
    "MIN",
    "MAX",
    "COUNT",
    "LIMIT",
    "TTL",
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "EXPIRE",
    "TIMEOUT",
    "LIFETIME",
    "DURATION",
    "INTERVAL",
    "AGE",
    "HEADER",
    "PREFIX",
    "SUFFIX",
    "FIELD",
    "PARAM",
    "PARAMETER",
    "STORE",
    "PROVIDER",
    "BACKEND",
    "MANAGER",
    "ISSUER",
    "AUDIENCE",
    "ALGORITHM",
    "ALG",
    "POLICY",
    "ROTATION",
    "SOURCE",
    "ENV",
    "VAR",
    "VARIABLE",
    "TEMPLATE",
    "PATTERN",
    "REGEX",
    "SCOPE",
    "SCOPES",
    "CLAIM",
    "CLAIMS",
    "KEYRING",
    "VAULT",
    "YAML",
    "YML",
    "JSON",
    "TOML",
    "INI",
    "CONF",
    "CFG",
    "PROPERTIES",
    "TXT",
    "XML",
]);

/** Splits a name into upper-case words: `dbPassword` → DB PASSWORD, `APIKey` → API KEY, `tls.key` → TLS KEY. */
function wordsOf(name: string): string[] {
    return name
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
        .split(/[^A-Za-z0-9]+/)
        .filter((w) => w !== "")
        .map((w) => w.toUpperCase().replace(/\d+$/, ""));
}

/** The secret a single word names, if any (a trailing plural `S` is ignored: `TOKENS`, `CREDENTIALS`). */
function wordKind(word: string): string | undefined {
    for (const w of word.length > 4 && word.endsWith("S") ? [word, word.slice(0, -1)] : [word]) {
        const exact = SECRET_WORDS.get(w);
        if (exact) {
            return exact;
        }
        const suffix = SUFFIX_WORDS.find((s) => w.length > s.length && w.endsWith(s));
        if (suffix) {
            return SECRET_WORDS.get(suffix);
        }
    }
    return undefined;
}

/** The secret the word at `i` names in its place in the name. */
function kindAt(words: readonly string[], i: number): string | undefined {
    const w = words[i];
    if (w === "AUTH") {
        return i > 0 && AUTH_QUALIFIERS.has(words[i - 1]) ? "credentials" : undefined;
    }
    if (LAST_WORD_ONLY.has(w) && i < words.length - 1) {
        return undefined;
    }
    return wordKind(w);
}

/**
 * What secret a variable or key name says it holds ("a password", "an API key"), or undefined.
 * Word-aware and case-insensitive: `DB_PASSWORD`, `dbPassword`, `db-password`, `GITHUB_TOKEN`,
 * `AWS_SECRET_ACCESS_KEY`, `api.key` match; `PASSWORD_FILE`, `TOKEN_PATH`, `SECRET_NAME`,
 * `SECRET_KEY_REF`, `TOKENIZER`, `BYPASS`, `PWD` (the shell's working directory) do not.
 */
export function secretInName(name: string): string | undefined {
    if (name.length > MAX_CACHED_NAME) {
        return nameKind(name);
    }
    let kind = nameCache.get(name);
    if (kind === undefined) {
        kind = nameKind(name) ?? null;
        if (nameCache.size >= NAME_CACHE_SIZE) {
            nameCache.clear();
        }
        nameCache.set(name, kind);
    }
    return kind ?? undefined;
}

/** The same names recur across resources and lines of configuration files. */
const nameCache = new Map<string, string | null>();
const NAME_CACHE_SIZE = 4096;
const MAX_CACHED_NAME = 256;

function nameKind(name: string): string | undefined {
    const words = wordsOf(name);
    if (words.length === 1 && words[0] === "PWD") {
        return undefined;
    }
    let kind: string | undefined;
    let last = -1;
    for (let i = 0; i < words.length; i++) {
        const w = words[i];
        const next = words[i + 1];
        const keyKind = next === "KEY" || next === "KEYS" ? KEY_QUALIFIERS.get(w) : undefined;
        if (keyKind) {
            kind = keyKind;
            last = ++i;
            continue;
        }
        const found = kindAt(words, i);
        if (found) {
            kind = found;
            last = i;
        }
    }
    if (kind === undefined || words.slice(last + 1).some((w) => POINTER_WORDS.has(w))) {
        return undefined;
    }
    return kind;
}

// ---------------------------------------------------------------------------------------------
// Values

/** A value-shape detector: a cheap substring pre-check, then a bounded regular expression. */
interface ValuePattern {
    readonly kind: string;
    /** All of these substrings (case-sensitive) must occur before the expression runs. */
    readonly needs: readonly string[];
    readonly re: RegExp;
    /** The part of the text the expression reads (default: all of it). */
    readonly within?: (text: string) => string;
    /** For patterns with a captured credential: false when the capture is a reference, not a literal. */
    readonly literal?: (m: RegExpExecArray) => boolean;
}

/** Quantifiers are bounded so a huge value cannot make a scan slow. */
const VALUE_PATTERNS: readonly ValuePattern[] = [
    { kind: "a private key (PEM)", needs: ["PRIVATE KEY"], re: /-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY( BLOCK)?-----/ },
    {
        kind: "a Google Cloud service account key",
        needs: ["service_account"],
        re: /"type"\s{0,20}:\s{0,20}"service_account"/,
    },
    { kind: "an AWS access key ID", needs: ["A"], re: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/ },
    {
        kind: "a GitHub token",
        needs: ["_"],
        re: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])/,
    },
    { kind: "a GitLab token", needs: ["glpat-"], re: /(?<![A-Za-z0-9_])glpat-[A-Za-z0-9_-]{20,64}/ },
    { kind: "a Slack token", needs: ["xox"], re: /(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,255}/ },
    {
        kind: "a Slack webhook URL",
        needs: ["hooks.slack.com/services/"],
        re: /hooks\.slack\.com\/services\/T[A-Za-z0-9]{1,32}\/B[A-Za-z0-9]{1,32}\/[A-Za-z0-9]{8,64}/,
    },
    { kind: "a Stripe secret key", needs: ["k_live_"], re: /(?<![A-Za-z0-9])[sr]k_live_[A-Za-z0-9]{16,255}/ },
    { kind: "a Google API key", needs: ["AIza"], re: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/ },
    { kind: "an npm token", needs: ["npm_"], re: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/ },
    {
        kind: "an OpenAI or Anthropic API key",
        needs: ["sk-"],
        re: /(?<![A-Za-z0-9_-])sk-(?:proj|ant|svcacct|admin)-[A-Za-z0-9_-]{20,255}/,
    },
    {
        kind: "a JSON Web Token",
        needs: ["eyJ"],
        re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,4096}\.eyJ[A-Za-z0-9_-]{2,16384}\.[A-Za-z0-9_-]{8,4096}/,
    },
    {
        kind: "a URL with a password",
        needs: ["://", "@"],
        re: /[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/[^\s/:@]{1,256}:([^\s/@]{1,256})@/g,
        literal: (m) => isLiteralPart(m[1]),
    },
    {
        kind: "a connection string with a password",
        needs: ["="],
        re: /(?:^|;)\s{0,20}(?:password|pwd)\s{0,20}=\s{0,20}([^;]{1,512})/gi,
        literal: (m) => isLiteralPart(m[1].trim()),
    },
    {
        kind: "a connection string with an account key",
        needs: ["Key"],
        re: /(?:^|;)\s{0,20}(?:AccountKey|SharedAccessKey)\s{0,20}=\s{0,20}([^;\s]{8,512})/g,
        literal: (m) => isLiteralPart(m[1]),
    },
    {
        kind: "Docker registry credentials",
        needs: ['"auths"'],
        // An `auth` entry (base64 user:password) in the `auths` object of a Docker config.json.
        re: /"auth"\s{0,20}:\s{0,20}"[A-Za-z0-9+/=]{8,}"/,
        within: (text) => text.slice(text.indexOf('"auths"'), text.indexOf('"auths"') + 65536),
    },
    {
        kind: "an npm auth token",
        needs: ["_authToken"],
        re: /_authToken\s{0,20}=\s{0,20}([^\s]{1,512})/g,
        literal: (m) => isLiteralPart(m[1]),
    },
];

/** How much of one value is scanned: 1 MiB, the most a ConfigMap can hold. */
const MAX_SCANNED_CHARS = 1 << 20;

/**
 * What kind of credential a value contains ("an AWS access key ID", "a private key (PEM)"), or
 * undefined. Never returns any part of the value.
 */
export function secretInValue(value: string): string | undefined {
    const text = value.length > MAX_SCANNED_CHARS ? value.slice(0, MAX_SCANNED_CHARS) : value;
    for (const p of VALUE_PATTERNS) {
        if (!p.needs.every((n) => text.includes(n))) {
            continue;
        }
        if (!p.literal) {
            if (p.re.test(p.within ? p.within(text) : text)) {
                return p.kind;
            }
            continue;
        }
        p.re.lastIndex = 0;
        for (let m = p.re.exec(text); m !== null; m = p.re.exec(text)) {
            if (p.literal(m)) {
                p.re.lastIndex = 0;
                return p.kind;
            }
            if (m[0] === "") {
                p.re.lastIndex++;
            }
        }
    }
    return undefined;
}

// ---------------------------------------------------------------------------------------------
// Literal or reference

/** `$(VAR)` (Kubernetes), `${VAR}`, `$VAR`, `%VAR%` and `{{ template }}` references. */
const REFERENCE = new RegExp(
    [
        "^(?:\\$\\([A-Za-z_][A-Za-z0-9_.-]*\\)",
        "\\$\\{[^}\\s]{1,256}\\}",
        "\\$[A-Za-z_][A-Za-z0-9_]*",
        "%[A-Za-z_][A-Za-z0-9_]*%",
        "\\{\\{[^}]{0,256}\\}\\})$",
    ].join("|"),
);
const PATH = /^(?:\/|\.{1,2}\/|~\/|[A-Za-z]:\\|file:\/\/)[^\s]*$/;
/**
 * External secret stores that an injector or operator resolves (Vault, AWS, GCP, Azure, 1Password, vals, Doppler, ...).
 */
const STORE_REFERENCE = new RegExp(
    [
        "^(?:vault:",
        "ref\\+[a-z0-9]+://",
        "(?:sm|op|akv|azurekeyvault|gcpsm|awssm|awsssm|doppler)://",
        "arn:aws[a-z-]*:(?:secretsmanager|ssm|kms):",
        "projects/[^/\\s]+/secrets/)",
    ].join("|"),
    "i",
);
/** The user part of `user:password@` holds no `:` or `@`, which keeps the look-ahead linear. */
const URL_WITHOUT_PASSWORD = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?![^/\s:@]*:[^/\s@]*@)[^\s]*$/;
/** Values encrypted for a tool that decrypts them at deploy time (sops, Ansible Vault) or tagged for one (`!Ref`). */
const ENCRYPTED_OR_TAGGED = /^(?:ENC\[|\$ANSIBLE_VAULT;|!)/;
/**
 * Public halves and certificates: `ssh-ed25519 AAAA...`, `-----BEGIN PUBLIC KEY-----`, `-----BEGIN CERTIFICATE-----`.
 */
const PUBLIC_KEY =
    /^(?:ssh-(?:rsa|ed25519|dss)\s|ecdsa-sha2-|sk-ssh-|-----BEGIN (?:[A-Z]+ )?(?:PUBLIC KEY|CERTIFICATE)-----)/;
const BOOLEAN_OR_NONE = /^(?:true|false|yes|no|on|off|enabled|disabled|none|null|nil|required|optional)$/i;
const NUMBER = /^[+-]?\d+(?:\.\d+)?$/;

/** True for a captured password part that is a literal, not a `$(VAR)`/`${VAR}` reference or empty. */
function isLiteralPart(part: string): boolean {
    const p = part.replace(/^["']|["']$/g, "");
    return p !== "" && !REFERENCE.test(p);
}

/**
 * Why a value is not a literal secret even under a secret-looking name, or undefined when it could be
 * one: empty, a reference (`$(VAR)`, `${VAR}`), a file path, a secret-store reference, a URL without
 * a password, a boolean or a number.
 */
export function notALiteralSecret(value: string): string | undefined {
    const v = value.trim();
    return v === "" ? "empty" : NOT_LITERAL.find(([re]) => re.test(v))?.[1];
}

/** Shapes of values that are not the secret itself, in the order they are tried, with the reason. */
const NOT_LITERAL: readonly (readonly [RegExp, string])[] = [
    [REFERENCE, "a reference to another variable"],
    [STORE_REFERENCE, "a secret-store reference"],
    [ENCRYPTED_OR_TAGGED, "encrypted or resolved by a tool"],
    [PATH, "a file path"],
    [PUBLIC_KEY, "a public key or certificate"],
    [URL_WITHOUT_PASSWORD, "a URL without a password"],
    [BOOLEAN_OR_NONE, "a flag or a number"],
    [NUMBER, "a flag or a number"],
];

// ---------------------------------------------------------------------------------------------
// Judging a name with its value

/** Case-insensitive globs (`*`, `?`) of names a team has declared not secret. */
export class NameFilter {
    private readonly globs: readonly string[];

    constructor(globs: readonly string[]) {
        this.globs = globs.map((g) => g.toUpperCase());
    }

    matches(name: string): boolean {
        const upper = name.toUpperCase();
        return this.globs.some((g) => globMatch(g, upper));
    }
}

const NO_NAMES = new NameFilter([]);

/**
 * Whether `value`, set literally under `name`, is a literal secret. The value's shape is checked
 * first (a known credential format is a secret whatever the name); then a secret-looking name with
 * a value that could be the secret. `name` is undefined when it is not known.
 */
export function judgeLiteral(
    name: string | undefined,
    value: string,
    ignored: NameFilter = NO_NAMES,
): SecretMatch | undefined {
    if (name !== undefined && ignored.matches(name)) {
        return undefined;
    }
    const shape = secretInValue(value);
    if (shape) {
        return { kind: shape, by: "value" };
    }
    const named = name !== undefined ? secretInName(name) : undefined;
    if (named && notALiteralSecret(value) === undefined) {
        return { kind: named, by: "name" };
    }
    return undefined;
}

/** The words of a finding: "looks like an AWS access key ID" / "and its name suggests a password". */
export function describeMatch(m: SecretMatch): string {
    return m.by === "value" ? `looks like ${m.kind}` : `its name suggests ${m.kind}`;
}

// ---------------------------------------------------------------------------------------------
// Configuration files

/** One `key: value` / `key = value` line of an embedded configuration file that sets a literal secret. */
interface SecretAssignment {
    /** 1-based line number in the file. */
    readonly line: number;
    /** The setting's key as written (`spring.datasource.password`); never the value. */
    readonly key: string;
    readonly match: SecretMatch;
}

const ASSIGNMENT =
    /^\s{0,200}(?:-\s{1,20})?(?:export\s+)?["']?([A-Za-z_][A-Za-z0-9_.\-[\]]{0,200})["']?\s{0,20}[:=]\s{0,20}(.*)$/;
const MAX_LINE = 8192;

/** The value of an assignment without quotes, a trailing comma or a trailing comment. */
function assignedValue(raw: string): string {
    const v = raw.trim();
    const quote = v[0];
    if (quote === '"' || quote === "'") {
        const end = v.indexOf(quote, 1);
        return end > 0 ? v.slice(1, end) : v.slice(1);
    }
    return v
        .replace(/\s+#.*$/, "")
        .replace(/,$/, "")
        .trim();
}

/** Values that open a nested structure or a block scalar, not a literal. */
const STRUCTURE = /^(?:[{[|>]|\|-|>-)/;

/**
 * The lines of a configuration file (YAML, properties, INI, TOML, .env, JSON) that set a literal
 * secret: a secret-looking key with a literal value (`password: hunter2`, `"apiKey": "..."`) or any
 * key whose value has a credential's shape (`url: postgres://app:pw@db/app`).
 */
export function secretAssignments(text: string, ignored: NameFilter = NO_NAMES): SecretAssignment[] {
    const out: SecretAssignment[] = [];
    const scanned = text.length > MAX_SCANNED_CHARS ? text.slice(0, MAX_SCANNED_CHARS) : text;
    scanned.split("\n").forEach((line, i) => {
        const m = line.length > MAX_LINE ? null : ASSIGNMENT.exec(line);
        if (!m) {
            return;
        }
        const key = m[1];
        const leaf = key.slice(key.lastIndexOf(".") + 1);
        const value = assignedValue(m[2]);
        if (STRUCTURE.test(value) || ignored.matches(key)) {
            return;
        }
        const match = judgeLiteral(secretInName(leaf) ? leaf : key, value, ignored);
        if (match) {
            out.push({ line: i + 1, key, match });
        }
    });
    return out;
}
