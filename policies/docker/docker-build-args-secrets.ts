import { buildResourcePolicy } from "../../src/framework/policy";
import { type SecretMatch, describeMatch } from "../../src/secrets/patterns";
import { nist800190 } from "../../src/framework/compliance";
import { ignoredNames, secretOptions } from "../../src/secrets/literals";
import { buildPreparation } from "../../src/dockerfile/dockerfile-policy";

import { HISTORY, bakedSecret, secretInBuildName } from "../../src/secrets/build-secrets";

/** Build arguments of the build resources must not carry secrets. */
export const dockerBuildArgsSecrets = buildResourcePolicy({
    name: "docker-build-args-secrets",
    displayName: "No secrets in build arguments",
    description:
        "Build arguments (docker-build Image buildArgs, docker Image build.args, RemoteImage build.buildArgs) must " +
        "not carry secrets (secret-looking names such as NPM_TOKEN, or values shaped like credentials): build " +
        "arguments are recorded in the image history and build provenance.",
    severity: "high",
    tags: ["docker", "secrets", "build"],
    remediationSteps:
        "Pass the value as a build secret instead: docker-build.Image secrets: { npm_token: token } and RUN " +
        "--mount=type=secret,id=npm_token in the Dockerfile (docker.Image cannot pass secrets: move the build " +
        "to docker-build.Image; RemoteImage builds have build.secrets).",
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
                // A value computed elsewhere in the program (unknown now) under a secret name is still a secret passed
                // as a build argument.
                const named = value.isUnknown ? secretInBuildName(name) : undefined;
                const m: SecretMatch | undefined = named
                    ? { kind: named, by: "name" }
                    : scalar !== undefined
                      ? bakedSecret(name, String(scalar), ignored)
                      : undefined;
                if (m) {
                    ev.violation({
                        at: value,
                        problem: `build argument ${JSON.stringify(name)} ${describeMatch(m)}, and ${HISTORY}`,
                        fix: definition.secretsFix,
                    });
                }
            }
        });
    },
});
