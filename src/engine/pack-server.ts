// Drives a policy pack over gRPC exactly as the Pulumi engine does: the pack is started by the
// `@pulumi/pulumi` run-policy-pack launcher in its own directory, prints its port, and is then asked
// for its info, configured with the reconciled config, and sent Analyze / AnalyzeStack / Remediate.

import { type ChildProcess, spawn } from "child_process";
import * as path from "path";
import type { EnforcementLevel, Severity } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { type ConfigurablePack, type PolicyPackConfig, type EngineResource, reconcileConfig } from "./local-engine";
import type * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import type * as emptyPb from "google-protobuf/google/protobuf/empty_pb";
import type * as structPb from "google-protobuf/google/protobuf/struct_pb";
import type * as grpcJs from "@grpc/grpc-js";
import { type AnalyzeResult, toWire } from "./protocol";
import { ENGINE_RESPONSE_LIMIT } from "../sdk/response-budget";

/**
 * Loads a module as the pack under test resolves it (its own @pulumi/pulumi, gRPC and protobuf
 * copies), typed by the declarations of ours: the same packages, so the same API.
 */
function requireFrom<T>(dir: string, id: string): T {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(require.resolve(id, { paths: [dir] })) as T;
}

/** The generated protobuf classes the client builds requests with. */
interface Protos {
    readonly analyzer: typeof analyzer;
    readonly struct: typeof structPb;
    readonly empty: typeof emptyPb;
}

type JsonObject = Record<string, unknown>;

/** A protobuf Struct as plain JavaScript (the generated type says "object of JavaScriptValue"). */
function plain(s: structPb.Struct | undefined): JsonObject | undefined {
    return s?.toJavaScript();
}

/** PolicyType in the analyzer protocol: 0 unknown, 1 resource, 2 stack. */
const POLICY_TYPES: Record<number, PolicyInfo["type"]> = { 1: "resource", 2: "stack" };

const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"];
const SEVERITIES: (Severity | undefined)[] = [undefined, "low", "medium", "high", "critical"];

/** A policy as the pack describes itself to the engine (GetAnalyzerInfo). */
export interface PolicyInfo {
    readonly name: string;
    readonly displayName: string;
    readonly description: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly severity?: Severity;
    readonly tags: string[];
    readonly remediationSteps: string;
    readonly url: string;
    readonly framework?: { name: string; version: string; reference: string; specification: string };
    readonly configSchema?: { properties: Record<string, PolicyConfigJSONSchema>; required: string[] };
    readonly type: "resource" | "stack" | "unknown";
}

export interface PackInfo {
    readonly name: string;
    readonly version: string;
    readonly description: string;
    readonly policies: PolicyInfo[];
    readonly initialConfig: PolicyPackConfig;
}

export interface StartOptions {
    /** Extra environment for the pack process. */
    readonly env?: NodeJS.ProcessEnv;
    /** Milliseconds to wait for the port (default 60 s). */
    readonly timeoutMs?: number;
}

/** An Analyze or AnalyzeStack request built and serialized once (see PackServer.prepareAnalyze). */
export type PreparedRequest = { readonly __prepared: unique symbol };

interface Prepared {
    readonly method: "analyze" | "analyzeStack";
    readonly message: analyzer.AnalyzeRequest | analyzer.AnalyzeStackRequest;
}

/**
 * Keeps a request's bytes: an object of the request's class (the generated serializer checks the
 * class) whose serialization returns the bytes computed once.
 */
function prepared(method: Prepared["method"], message: Prepared["message"]): PreparedRequest {
    const bytes = message.serializeBinary();
    const frozen = Object.create(Object.getPrototypeOf(message) as object, {
        serializeBinary: { value: () => bytes },
    }) as Prepared["message"];
    return { method, message: frozen } as Prepared as unknown as PreparedRequest;
}

/** A running policy pack process and a gRPC client connected to it. */
export class PackServer {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: analyzerGrpc.AnalyzerClient,
        private readonly protos: Protos,
        readonly port: number,
        /** Everything the pack wrote to stderr so far. */
        readonly stderr: () => string,
        /** Everything the pack wrote to stdout (must be the port only). */
        readonly stdout: () => string,
    ) {}

    /** Starts the pack in `packDir` the way the Node.js language host does. */
    static async start(packDir: string, options: StartOptions = {}): Promise<PackServer> {
        const dir = path.resolve(packDir);
        const launcher = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
        const child = spawn(process.execPath, [launcher, "127.0.0.1:0", dir], {
            cwd: dir,
            env: { ...process.env, ...options.env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        let err = "";
        child.stderr.on("data", (d) => (err += d));
        const port = await new Promise<number>((resolve, reject) => {
            const timer = setTimeout(
                () =>
                    reject(
                        new Error(`pack did not print a port within ${options.timeoutMs ?? 60000} ms; stderr: ${err}`),
                    ),
                options.timeoutMs ?? 60000,
            );
            child.stdout.on("data", (d) => {
                out += d;
                const line = out.split("\n")[0];
                if (out.includes("\n") && /^\d+$/.test(line.trim())) {
                    clearTimeout(timer);
                    resolve(Number(line.trim()));
                } else if (out.includes("\n")) {
                    clearTimeout(timer);
                    reject(
                        new Error(`pack wrote ${JSON.stringify(line)} to stdout instead of its port; stderr: ${err}`),
                    );
                }
            });
            child.on("exit", (code) => {
                clearTimeout(timer);
                reject(new Error(`pack exited with code ${code} before printing its port; stderr: ${err}`));
            });
        });
        const grpc = requireFrom<typeof grpcJs>(dir, "@grpc/grpc-js");
        const services = requireFrom<typeof analyzerGrpc>(dir, "@pulumi/pulumi/proto/analyzer_grpc_pb");
        const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [dir] }));
        const protos: Protos = {
            analyzer: requireFrom<typeof analyzer>(dir, "@pulumi/pulumi/proto/analyzer_pb"),
            struct: requireFrom<typeof structPb>(sdkDir, "google-protobuf/google/protobuf/struct_pb"),
            empty: requireFrom<typeof emptyPb>(sdkDir, "google-protobuf/google/protobuf/empty_pb"),
        };
        const client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            // The engine reads a pack's responses with gRPC's default limit (a larger one fails the whole analysis:
            // src/sdk/response-budget.ts); requests may be as large as the SDK's server accepts.
            "grpc.max_receive_message_length": ENGINE_RESPONSE_LIMIT,
            "grpc.max_send_message_length": 400 * 1024 * 1024,
        });
        return new PackServer(
            child,
            client,
            protos,
            port,
            () => err,
            () => out,
        );
    }

    /** The pack process's id (e.g. to read its memory use). */
    get pid(): number | undefined {
        return this.child.pid;
    }

    /** Calls one unary method of the analyzer service. */
    private call<Req, Res>(
        method: (req: Req, callback: (e: grpcJs.ServiceError | null, res: Res) => void) => unknown,
        req: Req,
    ): Promise<Res> {
        return new Promise((resolve, reject) => {
            method(req, (e, res) => (e ? reject(e) : resolve(res)));
        });
    }

    /** GetAnalyzerInfo: the pack's name, version, policies and metadata. */
    async info(): Promise<PackInfo> {
        const res = await this.call<emptyPb.Empty, analyzer.AnalyzerInfo>(
            (req, cb) => this.client.getAnalyzerInfo(req, cb),
            new this.protos.empty.Empty(),
        );
        const initialConfig: PolicyPackConfig = {};
        res.getInitialconfigMap().forEach((v, k) => {
            initialConfig[k] = {
                enforcementLevel: LEVELS[v.getEnforcementlevel()],
                ...(plain(v.getProperties()) ?? {}),
            };
        });
        return {
            name: res.getName(),
            version: res.getVersion(),
            description: res.getDescription(),
            initialConfig,
            policies: res.getPoliciesList().map((p): PolicyInfo => {
                const schema = p.getConfigschema();
                const fw = p.getFramework();
                return {
                    name: p.getName(),
                    displayName: p.getDisplayname(),
                    description: p.getDescription(),
                    enforcementLevel: LEVELS[p.getEnforcementlevel()],
                    severity: SEVERITIES[p.getSeverity()],
                    tags: p.getTagsList(),
                    remediationSteps: p.getRemediationSteps(),
                    url: p.getUrl(),
                    framework: fw
                        ? {
                              name: fw.getName(),
                              version: fw.getVersion(),
                              reference: fw.getReference(),
                              specification: fw.getSpecification(),
                          }
                        : undefined,
                    configSchema: schema
                        ? {
                              properties: (plain(schema.getProperties()) ?? {}) as Record<
                                  string,
                                  PolicyConfigJSONSchema
                              >,
                              required: schema.getRequiredList(),
                          }
                        : undefined,
                    type: POLICY_TYPES[p.getPolicyType()] ?? "unknown",
                };
            }),
        };
    }

    /** Configure: reconciles `config` with the pack's defaults as the engine does and sends it. */
    async configure(config?: PolicyPackConfig): Promise<void> {
        const info = await this.info();
        const pack: ConfigurablePack = { initialConfig: info.initialConfig, policies: info.policies };
        const { analyzer: pb, struct } = this.protos;
        const req = new pb.ConfigureAnalyzerRequest();
        const map = req.getPolicyconfigMap();
        for (const [name, c] of reconcileConfig(pack, config)) {
            const pc = new pb.PolicyConfig();
            pc.setEnforcementlevel(LEVELS.indexOf(c.enforcementLevel ?? "advisory"));
            pc.setProperties(struct.Struct.fromJavaScript(c.properties as Record<string, structPb.JavaScriptValue>));
            map.set(name, pc);
        }
        await this.call<analyzer.ConfigureAnalyzerRequest, emptyPb.Empty>((r, cb) => this.client.configure(r, cb), req);
    }

    private resourceRequest<T extends analyzer.AnalyzeRequest | analyzer.AnalyzerResource>(
        ctor: new () => T,
        r: EngineResource,
    ): T {
        const { analyzer: pb } = this.protos;
        const req = new ctor();
        req.setType(r.type);
        req.setProperties(this.struct(r.props));
        req.setUrn(r.urn ?? `urn:pulumi:test::test::${r.type}::${r.name ?? "test"}`);
        req.setName(r.name ?? "test");
        const opts = new pb.AnalyzerResourceOptions();
        opts.setProtect(r.opts?.protect ?? false);
        opts.setIgnorechangesList([...(r.opts?.ignoreChanges ?? [])]);
        opts.setAliasesList([...(r.opts?.aliases ?? [])]);
        opts.setAdditionalsecretoutputsList([...(r.opts?.additionalSecretOutputs ?? [])]);
        opts.setCustomtimeouts(new pb.AnalyzerResourceOptions.CustomTimeouts());
        if (r.opts?.parent) {
            opts.setParent(r.opts.parent);
        }
        req.setOptions(opts);
        if (r.provider) {
            const p = new pb.AnalyzerProviderResource();
            p.setType(r.provider.type);
            p.setProperties(this.struct(r.provider.props));
            p.setUrn(
                r.provider.urn ??
                    `urn:pulumi:test::test::pulumi:providers:${r.provider.type}::${r.provider.name ?? "default"}`,
            );
            p.setName(r.provider.name ?? "default");
            req.setProvider(p);
        }
        return req;
    }

    /** Props as the engine encodes them (absent values dropped, JSON-shaped). */
    private struct(props: JsonObject): structPb.Struct {
        return this.protos.struct.Struct.fromJavaScript(toWire(props) as Record<string, structPb.JavaScriptValue>);
    }

    private toResult(res: analyzer.AnalyzeResponse): AnalyzeResult {
        return {
            violations: res.getDiagnosticsList().map((d) => ({
                policyName: d.getPolicyname(),
                policyPackName: d.getPolicypackname(),
                policyPackVersion: d.getPolicypackversion(),
                description: d.getDescription(),
                message: d.getMessage(),
                enforcementLevel: LEVELS[d.getEnforcementlevel()],
                severity: SEVERITIES[d.getSeverity()],
                urn: d.getUrn() || undefined,
            })),
            notApplicable: res
                .getNotApplicableList()
                .map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
        };
    }

    /** Analyze one resource's inputs. */
    async analyze(resource: EngineResource): Promise<AnalyzeResult> {
        return this.send(this.prepareAnalyze(resource));
    }

    /** AnalyzeStack over resources' outputs. */
    async analyzeStack(resources: readonly EngineResource[]): Promise<AnalyzeResult> {
        return this.send(this.prepareAnalyzeStack(resources));
    }

    /**
     * The Analyze request the engine would send for a resource, serialized once so that it can be
     * sent any number of times (benchmarks time the pack, not this client's encoding).
     */
    prepareAnalyze(resource: EngineResource): PreparedRequest {
        return prepared("analyze", this.resourceRequest(this.protos.analyzer.AnalyzeRequest, resource));
    }

    /** The AnalyzeStack request the engine would send for the resources, serialized once. */
    prepareAnalyzeStack(resources: readonly EngineResource[]): PreparedRequest {
        const { analyzer: pb } = this.protos;
        const req = new pb.AnalyzeStackRequest();
        req.setResourcesList(
            resources.map((r) => {
                const res = this.resourceRequest(pb.AnalyzerResource, r);
                if (r.parent) {
                    res.setParent(r.parent);
                }
                res.setDependenciesList([...(r.dependencies ?? [])]);
                const deps = res.getPropertydependenciesMap();
                for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
                    const d = new pb.AnalyzerPropertyDependencies();
                    d.setUrnsList([...urns]);
                    deps.set(k, d);
                }
                return res;
            }),
        );
        return prepared("analyzeStack", req);
    }

    /** Sends a prepared Analyze or AnalyzeStack request. */
    async send(request: PreparedRequest): Promise<AnalyzeResult> {
        const { method, message } = request as unknown as Prepared;
        const res =
            method === "analyze"
                ? await this.call<analyzer.AnalyzeRequest, analyzer.AnalyzeResponse>(
                      (r, cb) => this.client.analyze(r, cb),
                      message as analyzer.AnalyzeRequest,
                  )
                : await this.call<analyzer.AnalyzeStackRequest, analyzer.AnalyzeResponse>(
                      (r, cb) => this.client.analyzeStack(r, cb),
                      message as analyzer.AnalyzeStackRequest,
                  );
        return this.toResult(res);
    }

    /** Remediate one resource: the policies that changed it and the props they returned. */
    async remediate(
        resource: EngineResource,
    ): Promise<{ policyName: string; properties?: Record<string, unknown>; diagnostic: string }[]> {
        const req = this.resourceRequest(this.protos.analyzer.AnalyzeRequest, resource);
        const res = await this.call<analyzer.AnalyzeRequest, analyzer.RemediateResponse>(
            (r, cb) => this.client.remediate(r, cb),
            req,
        );
        return res.getRemediationsList().map((r) => ({
            policyName: r.getPolicyname(),
            properties: plain(r.getProperties()),
            diagnostic: r.getDiagnostic(),
        }));
    }

    /** Stops the pack process. */
    async close(): Promise<void> {
        this.client.close();
        if (this.child.exitCode === null) {
            await new Promise<void>((resolve) => {
                this.child.once("exit", () => resolve());
                this.child.kill();
            });
        }
    }
}
