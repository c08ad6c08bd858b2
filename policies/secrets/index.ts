// Secrets: literal secrets in environment variables and ConfigMaps, how Secret volumes are mounted,
// and service account tokens a pod does not need.

import { secretsConfigMap } from "./configmap";
import { secretsEnvLiteral } from "./env-literal";
import { serviceAccountTokenAutomount } from "./service-account-token";
import { secretsVolumeReadOnly } from "./volume-read-only";

export const secretsPolicies = [secretsEnvLiteral, secretsConfigMap, secretsVolumeReadOnly, serviceAccountTokenAutomount] as const;

export { secretsConfigMap, secretsEnvLiteral, secretsVolumeReadOnly, serviceAccountTokenAutomount };
