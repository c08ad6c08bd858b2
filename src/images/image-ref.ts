// The image reference parser lives in src/references (the bottom layer), so that the workload and
// Docker container models and the framework's image exemptions can read references too. This module
// re-exports it unchanged for the image rules, the Dockerfile rules and the supply-chain code.

export * from "../references/image-ref";
