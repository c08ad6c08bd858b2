import { isRootUser, userPart } from "../../src/docker/container";
import { type Source } from "../../src/dockerfile/stages";
import { quote } from "../../src/images/image-ref";
import { nist800190 } from "../../src/framework/compliance";
import { defineDockerfilePolicy, reportUnresolved, stageLabel } from "../../src/dockerfile/dockerfile-policy";

function baseImage(source: Source): string {
    return source.kind === "image"
        ? quote(source.ref.text, 200)
        : source.kind === "context"
          ? `the named context ${JSON.stringify(source.name)}`
          : "scratch";
}

/** The image a Dockerfile builds must run as a non-root user. */
export const dockerfileNonRootUser = defineDockerfilePolicy({
    name: "dockerfile-non-root-user",
    displayName: "Dockerfiles switch to a non-root user",
    description:
        "The final stage of a Dockerfile (the build's target, else the last stage) must set a non-root USER (not " +
        "root or 0, with or without a group); a stage built FROM another stage inherits that stage's USER.",
    severity: "medium",
    tags: ["docker", "dockerfile", "users"],
    remediationSteps:
        "Create an unprivileged user in the final stage and switch to it as the last USER, e.g. RUN adduser -D -u " +
        "10001 app, then USER 10001:10001 (a numeric UID lets Kubernetes verify runAsNonRoot).",
    url: "https://docs.docker.com/reference/dockerfile/#user",
    framework: nist800190("4.1.2 Image configuration defects"),
    options: {},
    check(df, ev) {
        const target = df.definition.target;
        if (target.isUnknown) {
            ev.unknown(target);
            return;
        }
        const stage = df.build.finalStage(target.str());
        if (!stage) {
            const problem =
                df.build.stages.length === 0
                    ? "the Dockerfile has no FROM instruction"
                    : `the target ${JSON.stringify(target.str())} is not a stage of the Dockerfile`;
            ev.violation({
                at: df.build.stages.length === 0 ? df.origin : target,
                advisory: true,
                problem,
                fix: "fix the Dockerfile or the target so the build can run",
            });
            return;
        }
        const user = df.build.userOf(stage);
        if (user.kind === "base") {
            ev.violation({
                at: df.at(user.stage.from),
                problem:
                    user.source.kind === "scratch"
                        ? `the final stage sets no USER and is built FROM scratch, so it runs as root`
                        : `the final stage sets no USER, so it runs as the user of ${baseImage(user.source)}` +
                          `${user.stage === stage ? "" : ` (through ${stageLabel(user.stage)})`}, ` +
                          `which is root unless that image sets another`,
                fix: "end the final stage with USER and a non-root UID, e.g. USER 10001:10001",
            });
            return;
        }
        const written = `USER ${user.instruction.args}`;
        if (reportUnresolved(ev, user.user, written, df.at(user.instruction))) {
            return;
        }
        const text = user.user.text;
        const resolved = text !== user.instruction.args ? ` (${JSON.stringify(text)})` : "";
        const inherited = user.stage === stage ? "" : `, inherited from ${stageLabel(user.stage)}`;
        const shown = `${written}${resolved}${inherited}`;
        if (isRootUser(text)) {
            ev.violation({
                at: df.at(user.instruction),
                problem: `the final stage runs as root: ${shown}`,
                fix: "switch to a non-root user, e.g. USER 10001:10001",
            });
        } else if (userPart(text) === "") {
            ev.violation({
                at: df.at(user.instruction),
                problem: `${shown} names no user`,
                fix: "name a non-root user, e.g. USER 10001:10001",
            });
        }
    },
});
