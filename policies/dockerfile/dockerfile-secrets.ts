import { HISTORY, bakedSecret, secretInBuildName, unquote } from "../../src/secrets/build-secrets";
import { type Instruction } from "../../src/dockerfile/parser";
import { argDeclarations, envDeclarations } from "../../src/dockerfile/stages";
import { describeMatch, secretAssignments, secretInValue } from "../../src/secrets/patterns";
import { nist800190 } from "../../src/framework/compliance";
import { ignoredNames, secretOptions } from "../../src/secrets/literals";
import { defineDockerfilePolicy } from "../../src/dockerfile/dockerfile-policy";

/** No secrets in a Dockerfile's ARG and ENV instructions or in files it writes from heredocs. */
export const dockerfileSecrets = defineDockerfilePolicy({
    name: "dockerfile-secrets",
    displayName: "No secrets in Dockerfile ARG and ENV",
    description:
        "Dockerfiles must not pass secrets through ARG (secret-looking names such as NPM_TOKEN, or defaults shaped " +
        "like credentials) or ENV, nor write them into files from COPY/ADD heredocs: all of these are kept in " +
        "the image or its history.",
    severity: "high",
    tags: ["docker", "dockerfile", "secrets"],
    remediationSteps:
        "Mount build secrets only for the RUN that needs them: RUN --mount=type=secret,id=npm_token ... and pass the " +
        "value in the build resource's secrets (docker-build.Image secrets). Give runtime secrets to the " +
        "container when it starts (a secret file or the orchestrator's secrets), not through ENV.",
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
                        const problem = shape
                            ? `ARG ${d.name} has a default value that looks like ${shape}`
                            : `ARG ${d.name}: its name suggests ${named}, and ${HISTORY}`;
                        ev.violation({ at: df.at(ins), problem, fix });
                    }
                }
            } else if (ins.keyword === "ENV") {
                for (const d of envDeclarations(ins, df.build.file.escape)) {
                    const m = bakedSecret(d.name, unquote(d.value ?? ""), ignored);
                    if (m) {
                        const what =
                            m.by === "value"
                                ? `holds a value that looks like ${m.kind}`
                                : `: its name suggests ${m.kind}`;
                        ev.violation({
                            at: df.at(ins),
                            problem:
                                `ENV ${d.name}${m.by === "value" ? " " : ""}${what}, and ENV values are stored ` +
                                `in the image`,
                            fix:
                                "give the secret to the container when it starts, or mount it only for the RUN that " +
                                "needs it (RUN --mount=type=secret)",
                        });
                    }
                }
            } else if (ins.keyword === "COPY" || ins.keyword === "ADD") {
                const fileFix =
                    "mount the file as a build secret (RUN --mount=type=secret,target=<path>) or provide it when the " +
                    "container starts";
                for (const h of ins.heredocs) {
                    const assignments = secretAssignments(h.content, ignored);
                    for (const a of assignments) {
                        ev.violation({
                            at: df.at(ins),
                            problem:
                                `${ins.keyword} <<${h.name} writes ${a.key} (line ${a.line} of the heredoc), ` +
                                `which ${describeMatch(a.match)}, into the image`,
                            fix: fileFix,
                        });
                    }
                    // Files that are not key/value lines (.npmrc, PEM keys) are judged by their shape.
                    const shape = assignments.length === 0 ? secretInValue(h.content) : undefined;
                    if (shape) {
                        ev.violation({
                            at: df.at(ins),
                            problem: `${ins.keyword} <<${h.name} writes a file that contains ${shape} into the image`,
                            fix: fileFix,
                        });
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
