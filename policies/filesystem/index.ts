// Filesystem: containers run with a read-only root filesystem.

import { readOnlyRootFilesystem } from "./read-only-root-filesystem";

export const filesystemPolicies = [readOnlyRootFilesystem] as const;

export { readOnlyRootFilesystem };
