import { Instruction } from "../../core/dockerfile";
import { argDeclarations, envDeclarations } from "../../core/dockerfile-stages";
import { buildResourcePolicy } from "../../core/policy";
import { NameFilter, SecretMatch, describeMatch, notALiteralSecret, secretAssignments, secretInName, secretInValue } from "../../core/secret-patterns";
import { nist800190 } from "../../core/frameworks";
import { ignoredNames, secretOptions } from "../secrets/literals";
import { buildPreparation, defineDockerfilePolicy } from "./dockerfile-policy";

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
function unquote(value: string): string {
    const v = value.trim();
    return v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0] ? v.slice(1, -1) : v;
}

/**
 * Whether a variable set in the build is a secret that ends up in the image: a value shaped like a
 * credential, or a secret-looking name with a literal value or one copied from another variable
 * (`ENV NPM_TOKEN=$NPM_TOKEN` stores the build argument in the image's environment).
 */
function bakedSecret(name: string, value: string, ignored: NameFilter): SecretMatch | undefined {
    if (ignored.matches(name)) {
        return undefined;
    }
    const shape = secretInValue(value);
    if (shape) {
        return { kind: shape, by: "value" };
    }
    const named = secretInBuildName(name);
    const notLiteral = notALiteralSecret(value);
    return named && (notLiteral === undefined || notLiteral === "a reference to another variable") ? { kind: named, by: "name" } : undefined;
}

const HISTORY = "build arguments are recorded in the image history and in build provenance";

/** No secrets in a Dockerfile's ARG and ENV instructions or in files it writes from heredocs. */
export const dockerfileSecrets = defineDockerfilePolicy({
    name: "dockerfile-secrets",
    displayName: "No secrets in Dockerfile ARG and ENV",
    description:
        "Dockerfiles must not pass secrets through ARG (secret-looking names such as NPM_TOKEN, or defaults shaped like credentials) or ENV, nor write them into files from COPY/ADD heredocs: all of these are kept in the image or its history.",
    severity: "high",
    tags: ["docker", "dockerfile", "secrets"],
    remediationSteps:
        "Mount build secrets only for the RUN that needs them: RUN --mount=type=secret,id=npm_token ... and pass the value in the build resource's secrets (docker-build.Image secrets). Give runtime secrets to the container when it starts (a secret file or the orchestrator's secrets), not through ENV.",
    url: "https://docs.docker.com/build/building/secrets/",
    framework: nist800190("4.1.4 Embedded clear text secrets"),
    options: secretOptions,
    check(df, ev) {
        const ignored = ignoredNames(ev.options);
        const fix = df.definition.secretsFix;
        const visit = (ins: Instruction) => {
            if (ins.keyword === "ARG") {
                for (const d of argDeclarations(ins, df.build.file.escape)) {
                    if (ignored.matches(d.name)) {
                        continue;
                    }
                    const named = secretInBuildName(d.name);
                    const shape = d.value !== undefined ? secretInValue(unquote(d.value)) : undefined;
                    if (named || shape) {
                        const problem = shape ? `ARG ${d.name} has a default value that looks like ${shape}` : `ARG ${d.name}: its name suggests ${named}, and ${HISTORY}`;
                        ev.violation({ at: df.at(ins), problem, fix });
                    }
                }
            } else if (ins.keyword === "ENV") {
                for (const d of envDeclarations(ins, df.build.file.escape)) {
                    const m = bakedSecret(d.name, unquote(d.value ?? ""), ignored);
                    if (m) {
                        const what = m.by === "value" ? `holds a value that looks like ${m.kind}` : `: its name suggests ${m.kind}`;
                        ev.violation({
                            at: df.at(ins),
                            problem: `ENV ${d.name}${m.by === "value" ? " " : ""}${what}, and ENV values are stored in the image`,
                            fix: "give the secret to the container when it starts, or mount it only for the RUN that needs it (RUN --mount=type=secret)",
                        });
                    }
                }
            } else if (ins.keyword === "COPY" || ins.keyword === "ADD") {
                const fileFix = "mount the file as a build secret (RUN --mount=type=secret,target=<path>) or provide it when the container starts";
                for (const h of ins.heredocs) {
                    const assignments = secretAssignments(h.content, ignored);
                    for (const a of assignments) {
                        ev.violation({ at: df.at(ins), problem: `${ins.keyword} <<${h.name} writes ${a.key} (line ${a.line} of the heredoc), which ${describeMatch(a.match)}, into the image`, fix: fileFix });
                    }
                    // Files that are not key/value lines (.npmrc, PEM keys) are judged by their shape.
                    const shape = assignments.length === 0 ? secretInValue(h.content) : undefined;
                    if (shape) {
                        ev.violation({ at: df.at(ins), problem: `${ins.keyword} <<${h.name} writes a file that contains ${shape} into the image`, fix: fileFix });
                    }
                }
            }
        };
        df.build.globalArgs.forEach(visit);
        for (const stage of df.build.stages) {
            stage.instructions.forEach(visit);
        }
    },
});

/** Build arguments of the build resources must not carry secrets. */
export const dockerBuildArgsSecrets = buildResourcePolicy({
    name: "docker-build-args-secrets",
    displayName: "No secrets in build arguments",
    description:
        "Build arguments (docker-build Image buildArgs, docker Image build.args, RemoteImage build.buildArgs) must not carry secrets (secret-looking names such as NPM_TOKEN, or values shaped like credentials): build arguments are recorded in the image history and build provenance.",
    severity: "high",
    tags: ["docker", "secrets", "build"],
    remediationSteps:
        "Pass the value as a build secret instead: docker-build.Image secrets: { npm_token: token } and RUN --mount=type=secret,id=npm_token in the Dockerfile (docker.Image cannot pass secrets: move the build to docker-build.Image; RemoteImage builds have build.secrets).",
    url: "https://docs.docker.com/build/building/secrets/",
    framework: nist800190("4.1.4 Embedded clear text secrets"),
    options: secretOptions,
    prepare(args) {
        return buildPreparation(args, "", (definition, ev) => {
            const ignored = ignoredNames(ev.options);
            const buildArgs = definition.buildArgs;
            if (buildArgs.isUnknown) {
                ev.unknown(buildArgs);
                return;
            }
            for (const [name, value] of buildArgs.entries()) {
                if (ignored.matches(name)) {
                    continue;
                }
                const scalar = value.scalar();
                // A value computed elsewhere in the program (unknown now) under a secret name is still a secret passed as a build argument.
                const named = value.isUnknown ? secretInBuildName(name) : undefined;
                const m: SecretMatch | undefined = named ? { kind: named, by: "name" } : scalar !== undefined ? bakedSecret(name, String(scalar), ignored) : undefined;
                if (m) {
                    ev.violation({ at: value, problem: `build argument ${JSON.stringify(name)} ${describeMatch(m)}, and ${HISTORY}`, fix: definition.secretsFix });
                }
            }
        });
    },
});
