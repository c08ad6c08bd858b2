// The test kit (`import ... from "container-guard/testkit"`): unit-test infrastructure code or your
// own policies against policies without the Pulumi CLI, with the diagnostics the engine would get.
// It is the pack's local engine (src/engine) under the names tests read best.

export { LocalEngine as PolicyTester, PackConfigError, reconcileConfig } from "../src/engine/local-engine";
export type {
    EnginePack as PackUnderTest,
    EngineResource as TestResource,
    Policy,
    PolicyConfig,
    PolicyPackConfig,
    RemediateResult,
} from "../src/engine/local-engine";
export { PackServer } from "../src/engine/pack-server";
export type { PackInfo, PolicyInfo, StartOptions } from "../src/engine/pack-server";
export { UNKNOWN, secret, unknown } from "../src/engine/protocol";
export type { AnalyzeResult, NotApplicable, PolicyViolation } from "../src/engine/protocol";
