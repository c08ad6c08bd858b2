// Registry credentials from the Docker configuration file, and the registry's auth challenges.
//
// Credentials come from, in order: the DOCKER_AUTH_CONFIG environment variable (the same JSON as the
// file), then the file given by the `dockerConfig` option, `$DOCKER_CONFIG/config.json`, or
// `~/.docker/config.json`. Only `auths` entries are used, matched on the exact registry host (after
// removing a scheme and path from the key; Docker Hub's key is `https://index.docker.io/v1/`, and
// `docker.io`, `index.docker.io` and `registry-1.docker.io` all name Docker Hub). Credential helpers
// (`credsStore`, `credHelpers`) are deliberately not run: executing `docker-credential-*` binaries
// from a policy pack during a preview would run arbitrary programs with the user's rights and may
// prompt. When a helper holds a registry's credentials, a refused request says so, so the user can
// put a token in DOCKER_AUTH_CONFIG or the evidence directory can be used instead.

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isObject, own } from "./config-util";

export type RegistryCredential =
    | { readonly kind: "basic"; readonly username: string; readonly password: string }
    /** An OAuth2 refresh token (`identitytoken`), exchanged at the token realm. */
    | { readonly kind: "identityToken"; readonly token: string };

export interface CredentialLookup {
    readonly credential?: RegistryCredential;
    /** Where it came from (a file path or DOCKER_AUTH_CONFIG), for messages. Never the secret. */
    readonly source?: string;
    /** Why the registry's credentials cannot be used (a credential helper holds them). */
    readonly unavailable?: string;
}

const DOCKER_HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

/** The host a Docker config `auths` key names: scheme and path removed, lowercased, Docker Hub as docker.io. */
export function normalizeAuthKey(key: string): string {
    let host = key.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
    const slash = host.indexOf("/");
    if (slash >= 0) {
        host = host.slice(0, slash);
    }
    host = host.toLowerCase();
    return DOCKER_HUB_ALIASES.has(host) ? "docker.io" : host;
}

interface ParsedConfig {
    readonly auths: Map<string, Record<string, unknown>>;
    readonly credsStore?: string;
    readonly credHelpers: Map<string, string>;
}

function parseConfig(text: string): ParsedConfig | undefined {
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch {
        return undefined;
    }
    if (!isObject(json)) {
        return undefined;
    }
    const auths = new Map<string, Record<string, unknown>>();
    const rawAuths = own(json, "auths");
    if (isObject(rawAuths)) {
        for (const [key, value] of Object.entries(rawAuths)) {
            if (isObject(value)) {
                auths.set(normalizeAuthKey(key), value);
            }
        }
    }
    const credHelpers = new Map<string, string>();
    const rawHelpers = own(json, "credHelpers");
    if (isObject(rawHelpers)) {
        for (const [key, value] of Object.entries(rawHelpers)) {
            if (typeof value === "string") {
                credHelpers.set(normalizeAuthKey(key), value);
            }
        }
    }
    const credsStore = own(json, "credsStore");
    return { auths, credHelpers, ...(typeof credsStore === "string" && credsStore !== "" && { credsStore }) };
}

function credentialOf(entry: Record<string, unknown>): RegistryCredential | undefined {
    const identityToken = own(entry, "identitytoken");
    if (typeof identityToken === "string" && identityToken !== "") {
        return { kind: "identityToken", token: identityToken };
    }
    const auth = own(entry, "auth");
    if (typeof auth === "string" && auth !== "") {
        const decoded = Buffer.from(auth, "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        if (colon > 0) {
            return { kind: "basic", username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
        }
    }
    const username = own(entry, "username");
    const password = own(entry, "password");
    if (typeof username === "string" && username !== "" && typeof password === "string") {
        return { kind: "basic", username, password };
    }
    return undefined;
}

/** Reads Docker credentials once (lazily, at the first registry that asks for them). */
export class DockerCredentials {
    private loaded?: { config?: ParsedConfig; envConfig?: ParsedConfig; file: string; problem?: string };

    constructor(
        private readonly configPath: string | undefined,
        private readonly env: NodeJS.ProcessEnv = process.env,
    ) {}

    /** The config file this instance reads. */
    get file(): string {
        if (this.configPath) {
            return this.configPath;
        }
        const dir = this.env.DOCKER_CONFIG || path.join(this.env.HOME || os.homedir(), ".docker");
        return path.join(dir, "config.json");
    }

    private load() {
        if (!this.loaded) {
            const file = this.file;
            let config: ParsedConfig | undefined;
            let problem: string | undefined;
            try {
                const text = fs.readFileSync(file, "utf8");
                config = parseConfig(text);
                if (!config) {
                    problem = `${file} is not a JSON object, so no credentials were read from it`;
                }
            } catch (err) {
                if ((err as NodeJS.ErrnoException)?.code !== "ENOENT") {
                    problem = `${file} could not be read (${(err as NodeJS.ErrnoException)?.code ?? "error"})`;
                }
            }
            const envText = this.env.DOCKER_AUTH_CONFIG;
            const envConfig = envText ? parseConfig(envText) : undefined;
            this.loaded = { config, envConfig, file, problem };
        }
        return this.loaded;
    }

    /** The credentials for a registry host (`host[:port]` as in image names; Docker Hub is docker.io). */
    lookup(registryHost: string): CredentialLookup {
        const host = normalizeAuthKey(registryHost);
        const { config, envConfig, file, problem } = this.load();
        const fromEnv = envConfig?.auths.get(host);
        const envCredential = fromEnv && credentialOf(fromEnv);
        if (envCredential) {
            return { credential: envCredential, source: "DOCKER_AUTH_CONFIG" };
        }
        const entry = config?.auths.get(host);
        const credential = entry && credentialOf(entry);
        if (credential) {
            return { credential, source: file };
        }
        const helper = config?.credHelpers.get(host) ?? config?.credsStore;
        if (helper) {
            const which = config?.credHelpers.has(host) ? "credHelpers" : "credsStore";
            return {
                unavailable:
                    `the credentials for ${host} are kept by the credential helper docker-credential-${helper} ` +
                    `(${which} in ${file}), ` +
                    `which container-guard does not run during a preview; put them in DOCKER_AUTH_CONFIG or an auths ` +
                    `entry, or use an evidence directory`,
            };
        }
        return problem ? { unavailable: problem } : {};
    }
}

/** A parsed `WWW-Authenticate` challenge. */
export interface Challenge {
    /** Lowercase: `bearer` or `basic`. */
    readonly scheme: string;
    readonly params: ReadonlyMap<string, string>;
}

/**
 * Parses the first challenge of a `WWW-Authenticate` header: `Bearer realm="…",service="…",scope="…"`.
 * Undefined when the header is absent or unreadable.
 */
export function parseChallenge(header: string | string[] | undefined): Challenge | undefined {
    const text = Array.isArray(header) ? header[0] : header;
    if (typeof text !== "string" || text.length > 8192) {
        return undefined;
    }
    const m = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/s.exec(text);
    if (!m) {
        return undefined;
    }
    const params = new Map<string, string>();
    const re = /\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*(?:,|$)/gy;
    let p: RegExpExecArray | null;
    const rest = m[2];
    while (re.lastIndex < rest.length && (p = re.exec(rest)) !== null) {
        const value = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : (p[3] ?? "");
        const key = p[1].toLowerCase();
        if (!params.has(key)) {
            params.set(key, value);
        }
        if (p[0] === "") {
            break;
        }
    }
    return { scheme: m[1].toLowerCase(), params };
}
