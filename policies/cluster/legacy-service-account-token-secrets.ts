// Secrets of type kubernetes.io/service-account-token: the token controller fills them with a token for
// the ServiceAccount they name that never expires and that every subject allowed to read Secrets in
// the namespace can read. Kubernetes stopped creating them automatically in v1.24 and recommends
// short-lived tokens from the TokenRequest API instead.

import { buildResourcePolicy } from "../../src/framework/policy";
import { Field } from "../../src/framework/field";
import { kubernetesIdentity } from "../../src/framework/resource";
import { nist800190 } from "../../src/framework/compliance";
import { known } from "../../src/framework/checks";
import { providerNamespace } from "../../src/kubernetes/workload-policy";
import { kindVariant, objectsOf } from "../../src/kubernetes/objects";

const TOKEN_TYPE = "kubernetes.io/service-account-token";
const ACCOUNT_ANNOTATION = "kubernetes.io/service-account.name";

export const legacyServiceAccountTokenSecrets = buildResourcePolicy({
    name: "legacy-service-account-token-secrets",
    displayName: "No long-lived service account token Secrets",
    description:
        `Secrets must not be of type ${TOKEN_TYPE}: Kubernetes fills them with a ServiceAccount token that never ` +
        "expires, readable by everyone who can read Secrets in the namespace.",
    severity: "medium",
    tags: ["kubernetes", "secrets", "service-account", "identity"],
    remediationSteps:
        "Remove the Secret and use short-lived tokens: pods get one from the projected serviceAccountToken volume " +
        "(what automountServiceAccountToken mounts), and clients outside the cluster request one with the " +
        "TokenRequest API (kubectl create token). Where a non-expiring token is unavoidable (a system that cannot " +
        "renew tokens), exempt the Secret with the reason, restrict who can read Secrets in its namespace, and " +
        "rotate it by deleting and recreating it.",
    url: "https://kubernetes.io/docs/concepts/configuration/secret/#serviceaccount-token-secrets",
    framework: nist800190("4.3.2 Unauthorized access"),
    options: {},
    prepare(args) {
        const variant = kindVariant(args.type, "core", "Secret");
        if (!variant) {
            return undefined;
        }
        const props = Field.root(args.props);
        return {
            resource: kubernetesIdentity(args.type, props, args.name, providerNamespace(args), "Secret"),
            isPatch: variant === "patch",
            run(ev) {
                if (variant === "list" && !known(ev, props.get("items"))) {
                    return;
                }
                for (const secret of objectsOf(variant, props)) {
                    if (!known(ev, secret)) {
                        continue;
                    }
                    const type = known(ev, secret.get("type"));
                    if (type?.value !== TOKEN_TYPE) {
                        continue;
                    }
                    const account = secret.at("metadata", "annotations").get(ACCOUNT_ANNOTATION).str();
                    ev.violation({
                        at: type,
                        problem:
                            `the Secret is of type ${TOKEN_TYPE}` +
                            (account !== undefined ? ` for ServiceAccount ${JSON.stringify(account)}` : "") +
                            `, a token that never expires`,
                        fix:
                            "remove the Secret; give pods the projected token automountServiceAccountToken mounts " +
                            "and request tokens for other clients with the TokenRequest API (kubectl create token)",
                    });
                }
            },
        };
    },
});
