import { defineContainerPolicy } from "../../src/containers/container-policy";
import { environmentOf } from "../../src/docker/container";
import { nist800190 } from "../../src/framework/compliance";
import { known } from "../../src/framework/checks";
import { eachContainer } from "../../src/kubernetes/pod-checks";
import { SECRETS_URL, judgeCommandLine, judgeSetting, secretOptions } from "../../src/secrets/literals";

const KUBERNETES_FIX =
    "store the value in a Secret and mount it as a read-only Secret volume (the program reads the file); only if " +
    "the program cannot read a file, reference it with env[].valueFrom.secretKeyRef";
const DOCKER_CONTAINER_FIX =
    "do not pass the secret in envs: mount it as a file (a read-only bind mount or the uploads argument) and give " +
    "the program its path (e.g. DB_PASSWORD_FILE), or run it as a swarm Service with a docker.Secret";
const COMMAND_LINE_FIX =
    "do not pass secrets on the command line (it is stored in the resource's configuration and every process on " +
    "the host can read it): have the program read the secret from a file or from an environment variable that " +
    "references a Secret";
const DOCKER_SERVICE_FIX =
    "create a docker.Secret, list it in taskSpec.containerSpec.secrets (it is mounted at /run/secrets/<fileName>) " +
    "and give the program its path (e.g. DB_PASSWORD_FILE)";

/** Environment variables must not carry secrets as literal values. */
export const secretsEnvLiteral = defineContainerPolicy({
    name: "secrets-env-literal",
    displayName: "No literal secrets in environment variables or command lines",
    description:
        "Containers must not set secrets as literal environment variable values (a secret-looking name such as " +
        "DB_PASSWORD, a value shaped like a private key, cloud access key, token, JWT or a URL with a password, a " +
        "JSON document or a -Ddb.password=… flag with one inside) or as command-line flags (--password=…); " +
        "reference a Secret instead.",
    severity: "high",
    tags: ["secrets", "kubernetes", "docker", "env"],
    remediationSteps:
        "Move the value into a Kubernetes Secret (or an external secret store synchronised into one) and mount it as " +
        "a read-only Secret volume that the program reads. " +
        "Only if the program cannot read a file, reference it with env[].valueFrom.secretKeyRef (secrets-as-env " +
        "reports that as advisory: environment variables leak into child processes, crash dumps and logs). " +
        "For Docker, use a swarm secret (docker.Secret in " +
        "taskSpec.containerSpec.secrets) or a file mount. " +
        "Marking the value as a Pulumi secret is not enough: it encrypts Pulumi's state, but the value still lands " +
        "in plaintext in the pod spec or the container configuration.",
    url: SECRETS_URL,
    framework: nist800190("4.1.4 Embedded clear text secrets"),
    options: secretOptions,
    kubernetes(pod, ev) {
        eachContainer(pod, ev, (c) => {
            const env = known(ev, c.field.get("env"), c);
            for (const item of env?.items() ?? []) {
                // An entry with valueFrom references a Secret, ConfigMap or field: nothing literal.
                if (!known(ev, item, c) || !item.get("valueFrom").isAbsent) {
                    continue;
                }
                const value = item.get("value");
                judgeSetting(
                    ev,
                    { name: item.get("name"), value, at: value, container: c, subject: envSubject },
                    KUBERNETES_FIX,
                );
            }
            judgeCommandLine(ev, [c.field.get("command"), c.field.get("args")], COMMAND_LINE_FIX, c);
        });
    },
    docker(spec, ev) {
        const fix = spec.kind === "Container" ? DOCKER_CONTAINER_FIX : DOCKER_SERVICE_FIX;
        for (const v of environmentOf(spec, ev)) {
            judgeSetting(ev, { name: v.name, value: v.value, at: v.at, subject: envSubject }, fix);
        }
        judgeCommandLine(ev, spec.commandLine, COMMAND_LINE_FIX);
    },
});

function envSubject(name: string | undefined): string {
    return name !== undefined ? `env variable ${JSON.stringify(name)}` : "an env variable whose name is not known yet";
}
