// The policy pack's entry point: the engine starts this module and talks to it over gRPC.
// Nothing may be written to stdout here: the engine reads the server's port from it.
// `npm run build` bundles its compiled form with every module of this package it loads into dist/pack.js, the
// package's `main`: one file to read instead of about 130, which saves about half of the pack's own start-up time in
// every preview (packages from node_modules stay separate and load as before; docs/performance.md).

import { servePolicyPack } from "./src/framework/pack";
import { allPolicies } from "./policies";

servePolicyPack("container-guard", {
    description:
        "Stops insecure containers before they are deployed: Pod Security Standards, image provenance, secrets and " +
        "Docker resources.",
    displayName: "container-guard",
    policies: [...allPolicies],
});
