// Secrets: literal secrets in environment variables and ConfigMaps, and how Secret volumes are mounted.

import { secretsConfigMap } from "./secrets-configmap";
import { secretsEnvLiteral } from "./secrets-env-literal";
import { secretsVolumeReadOnly } from "./secrets-volume-read-only";

export const secretsPolicies = [secretsEnvLiteral, secretsConfigMap, secretsVolumeReadOnly] as const;

export { secretsConfigMap, secretsEnvLiteral, secretsVolumeReadOnly };
