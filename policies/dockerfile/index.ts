// Dockerfile policies: the Dockerfiles that the image build resources build, read from the
// program's directory or given inline.

import { dockerfileBaseImageDigest } from "./dockerfile-base-image-digest";
import { dockerfileBaseImageNotLatest } from "./dockerfile-base-image-not-latest";
import { dockerfileNonRootUser } from "./dockerfile-non-root-user";
import { dockerfileSecrets } from "./dockerfile-secrets";

export const dockerfilePolicies = [
    dockerfileSecrets,
    dockerfileNonRootUser,
    dockerfileBaseImageNotLatest,
    dockerfileBaseImageDigest,
] as const;

export { dockerfileBaseImageDigest, dockerfileBaseImageNotLatest, dockerfileNonRootUser, dockerfileSecrets };
