// The policy pack's entry point: the engine starts this module and talks to it over gRPC.
// Nothing may be written to stdout here: the engine reads the server's port from it.

import { servePolicyPack } from "./src/framework/pack";
import { allPolicies } from "./policies";

servePolicyPack("container-guard", {
    description:
        "Stops insecure containers before they are deployed: Pod Security Standards, image provenance, secrets and " +
        "Docker resources.",
    displayName: "container-guard",
    policies: [...allPolicies],
});
