// The test kit (`import ... from "container-guard/testkit"`): unit-test infrastructure code or your
// own policies against policies without the Pulumi CLI, with the diagnostics the engine would get.

export { PolicyTester, reconcileConfig } from "../src/engine/local-engine";
export type { PackUnderTest, Policy, PolicyConfig, PolicyPackConfig, RemediateResult, TestResource } from "../src/engine/local-engine";
export { PackServer } from "../src/engine/pack-server";
export type { PackInfo, PolicyInfo } from "../src/engine/pack-server";
export { UNKNOWN, secret, unknown } from "../src/engine/protocol";
export type { AnalyzeResult, NotApplicable, PolicyViolation } from "../src/engine/protocol";
