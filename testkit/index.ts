// The test kit (`import ... from "container-guard/testkit"`): unit-test infrastructure code or your
// own policies against policies without the Pulumi CLI, with the diagnostics the engine would get.

export { PolicyTester, reconcileConfig } from "./engine";
export type { PackUnderTest, Policy, PolicyConfig, PolicyPackConfig, RemediateResult, TestResource } from "./engine";
export { PackServer } from "./grpc";
export type { PackInfo, PolicyInfo } from "./grpc";
export { UNKNOWN, secret, unknown } from "./protocol";
export type { AnalyzeResult, NotApplicable, PolicyViolation } from "./protocol";
