// Secrets in image builds: build arguments and Dockerfile variables whose names or values say they
// hold credentials (shared by the build-argument and Dockerfile policies).

import { type NameFilter, type SecretMatch, notALiteralSecret, secretInName, secretInValue } from "./patterns";

/**
 * Build-argument names that carry credentials although the general name detector leaves them out
 * (it treats `..._ID` as an identifier): the access key ID travels with its secret key.
 */
const BUILD_SECRET_NAMES: ReadonlyMap<string, string> = new Map([["AWS_ACCESS_KEY_ID", "an AWS access key ID"]]);

/** What secret a build argument or Dockerfile variable name says it holds. */
export function secretInBuildName(name: string): string | undefined {
    return secretInName(name) ?? BUILD_SECRET_NAMES.get(name.toUpperCase());
}

/** A Dockerfile value without the quotes around it (`"abc"` → `abc`). */
export function unquote(value: string): string {
    const v = value.trim();
    return v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0] ? v.slice(1, -1) : v;
}

/**
 * Whether a variable set in the build is a secret that ends up in the image: a value shaped like a
 * credential, or a secret-looking name with a literal value or one copied from another variable
 * (`ENV NPM_TOKEN=$NPM_TOKEN` stores the build argument in the image's environment).
 */
export function bakedSecret(name: string, value: string, ignored: NameFilter): SecretMatch | undefined {
    if (ignored.matches(name)) {
        return undefined;
    }
    const shape = secretInValue(value);
    if (shape) {
        return { kind: shape, by: "value" };
    }
    const named = secretInBuildName(name);
    const notLiteral = notALiteralSecret(value);
    return named && (notLiteral === undefined || notLiteral === "a reference to another variable")
        ? { kind: named, by: "name" }
        : undefined;
}

export const HISTORY = "build arguments are recorded in the image history and in build provenance";
