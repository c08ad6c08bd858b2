// Secrets: literal secrets in environment variables and ConfigMaps, Secrets passed as environment
// variables, and how Secret volumes are mounted.

import { secretsAsEnv } from "./secrets-as-env";
import { secretsConfigMap } from "./secrets-configmap";
import { secretsEnvLiteral } from "./secrets-env-literal";
import { secretsVolumeReadOnly } from "./secrets-volume-read-only";

export const secretsPolicies = [secretsEnvLiteral, secretsConfigMap, secretsVolumeReadOnly, secretsAsEnv] as const;

export { secretsAsEnv, secretsConfigMap, secretsEnvLiteral, secretsVolumeReadOnly };
