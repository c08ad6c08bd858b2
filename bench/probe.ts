// Preloaded into a pack process (NODE_OPTIONS=--require) by the benchmark, never by the engine.
// BENCH_PROBE_STARTUP=<file>: records how long the launcher spends loading TypeScript and ts-node,
// the policy SDK and the pack itself. BENCH_PROBE_STACK=<file>: appends, per AnalyzeStack call, the
// milliseconds from the decoded request reaching the SDK's handler to its response (the pack's own
// work, without the transfer and protobuf decoding of the request). BENCH_PROBE_PROFILE=<file>:
// starts the CPU profiler on SIGUSR2 (after warm-up) and writes the profile when the process is
// stopped. Nothing goes to stdout: the engine reads the pack's port from it.

import * as fs from "fs";
import * as inspector from "inspector";
import * as Module from "module";
import * as path from "path";

const startupFile = process.env.BENCH_PROBE_STARTUP;
const stackFile = process.env.BENCH_PROBE_STACK;
const profileFile = process.env.BENCH_PROBE_PROFILE;

type Handler = (this: unknown, call: unknown, callback: (err: unknown, res?: unknown) => void) => unknown;

/** The launcher loads the pack by its directory, which is the process's working directory. */
function isPackDirectory(request: string): boolean {
    try {
        return path.isAbsolute(request) && fs.realpathSync(request) === process.cwd();
    } catch {
        return false;
    }
}

if (startupFile) {
    const phases: Record<string, number> = {};
    const loader = Module as unknown as {
        _load(this: void, request: string, parent: unknown, isMain: boolean): unknown;
    };
    const load = loader._load;
    const phaseOf = (request: string): string | undefined =>
        request === "typescript"
            ? "typescript"
            : request === "ts-node"
              ? "tsNode"
              : request === "@pulumi/policy"
                ? "policySdk"
                : isPackDirectory(request)
                  ? "program"
                  : undefined;
    loader._load = function (this: unknown, request: string, ...rest: [unknown, boolean]) {
        const phase = phaseOf(request);
        if (!phase || phase in phases) {
            return load.call(this, request, ...rest);
        }
        const t = performance.now();
        const exports = load.call(this, request, ...rest) as { register?: (...a: unknown[]) => unknown };
        phases[phase] = performance.now() - t;
        if (phase === "tsNode" && typeof exports.register === "function") {
            const register = exports.register;
            exports.register = (...a: unknown[]) => {
                const r0 = performance.now();
                try {
                    return register(...a);
                } finally {
                    phases.tsNodeRegister = performance.now() - r0;
                }
            };
        }
        if (phase === "program") {
            fs.writeFileSync(startupFile, JSON.stringify(phases));
        }
        return exports;
    };
}

if (stackFile) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { wrapAnalyzerServices } = require(process.env.BENCH_SDK_ADAPTER!) as typeof import("../src/sdk/policy-sdk");
    wrapAnalyzerServices((impl) => {
        const analyzeStack = impl.analyzeStack as Handler | undefined;
        if (typeof analyzeStack !== "function") {
            return impl;
        }
        return {
            ...impl,
            analyzeStack(this: unknown, call: unknown, callback: (err: unknown, res?: unknown) => void) {
                const t0 = performance.now();
                return analyzeStack.call(this, call, (err, res) => {
                    fs.appendFileSync(stackFile, `${performance.now() - t0}\n`);
                    callback(err, res);
                });
            },
        };
    });
}

if (profileFile) {
    const session = new inspector.Session();
    session.connect();
    process.on("SIGUSR2", () => {
        session.post("Profiler.enable", () =>
            session.post("Profiler.setSamplingInterval", { interval: 100 }, () =>
                session.post("Profiler.start", () => fs.writeFileSync(`${profileFile}.started`, "")),
            ),
        );
    });
    // The default SIGTERM action would end the process without writing the profile.
    process.on("SIGTERM", () => {
        session.post("Profiler.stop", (err, res) => {
            if (!err) {
                fs.writeFileSync(profileFile, JSON.stringify(res.profile));
            }
            process.exit(0);
        });
    });
}
