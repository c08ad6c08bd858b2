// Drives a policy pack over gRPC exactly as the Pulumi engine does: the pack is started by the
// `@pulumi/pulumi` run-policy-pack launcher in its own directory, prints its port, and is then asked
// for its info, configured with the reconciled config, and sent Analyze / AnalyzeStack / Remediate.

import { ChildProcess,spawn } from "child_process";
import * as path from "path";
import type { EnforcementLevel,Severity } from "@pulumi/policy";
import { ConfigurablePack,PolicyPackConfig,EngineResource,reconcileConfig } from "./local-engine";
import { AnalyzeResult,toWire } from "./protocol";

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
function requireFrom(dir: string, id: string): any {
    return require(require.resolve(id, { paths: [dir] }));
}

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
    readonly configSchema?: { properties: Record<string, any>; required: string[] };
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

/** A running policy pack process and a gRPC client connected to it. */
export class PackServer {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: any,
        private readonly proto: any,
        private readonly structProto: any,
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
        child.stderr!.on("data", (d) => (err += d));
        const port = await new Promise<number>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`pack did not print a port within ${options.timeoutMs ?? 60000} ms; stderr: ${err}`)), options.timeoutMs ?? 60000);
            child.stdout!.on("data", (d) => {
                out += d;
                const line = out.split("\n")[0];
                if (out.includes("\n") && /^\d+$/.test(line.trim())) {
                    clearTimeout(timer);
                    resolve(Number(line.trim()));
                } else if (out.includes("\n")) {
                    clearTimeout(timer);
                    reject(new Error(`pack wrote ${JSON.stringify(line)} to stdout instead of its port; stderr: ${err}`));
                }
            });
            child.on("exit", (code) => {
                clearTimeout(timer);
                reject(new Error(`pack exited with code ${code} before printing its port; stderr: ${err}`));
            });
        });
        const grpc = requireFrom(dir, "@grpc/grpc-js");
        const services = requireFrom(dir, "@pulumi/pulumi/proto/analyzer_grpc_pb");
        const proto = requireFrom(dir, "@pulumi/pulumi/proto/analyzer_pb");
        const structProto = requireFrom(path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [dir] })), "google-protobuf/google/protobuf/struct_pb");
        const client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": 400 * 1024 * 1024,
            "grpc.max_send_message_length": 400 * 1024 * 1024,
        });
        return new PackServer(child, client, proto, structProto, port, () => err, () => out);
    }

    /** The pack process's id (e.g. to read its memory use). */
    get pid(): number | undefined {
        return this.child.pid;
    }

    private call<T>(method: string, req: unknown): Promise<T> {
        return new Promise((resolve, reject) => {
            this.client[method](req, (e: Error | null, res: T) => (e ? reject(e) : resolve(res)));
        });
    }

    /** GetAnalyzerInfo: the pack's name, version, policies and metadata. */
    async info(): Promise<PackInfo> {
        const emptyProto = requireFrom(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "google-protobuf/google/protobuf/empty_pb");
        const res = await this.call<any>("getAnalyzerInfo", new emptyProto.Empty());
        const initialConfig: PolicyPackConfig = {};
        res.getInitialconfigMap().forEach((v: any, k: string) => {
            initialConfig[k] = { enforcementLevel: LEVELS[v.getEnforcementlevel()], ...(v.getProperties()?.toJavaScript() ?? {}) };
        });
        return {
            name: res.getName(),
            version: res.getVersion(),
            description: res.getDescription(),
            initialConfig,
            policies: res.getPoliciesList().map((p: any): PolicyInfo => {
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
                    framework: fw ? { name: fw.getName(), version: fw.getVersion(), reference: fw.getReference(), specification: fw.getSpecification() } : undefined,
                    configSchema: schema ? { properties: schema.getProperties()?.toJavaScript() ?? {}, required: schema.getRequiredList() } : undefined,
                    type: p.getPolicyType() === 1 ? "resource" : p.getPolicyType() === 2 ? "stack" : "unknown",
                };
            }),
        };
    }

    /** Configure: reconciles `config` with the pack's defaults as the engine does and sends it. */
    async configure(config?: PolicyPackConfig): Promise<void> {
        const info = await this.info();
        const pack: ConfigurablePack = { initialConfig: info.initialConfig, policies: info.policies };
        const req = new this.proto.ConfigureAnalyzerRequest();
        const map = req.getPolicyconfigMap();
        for (const [name, c] of reconcileConfig(pack, config)) {
            const pc = new this.proto.PolicyConfig();
            pc.setEnforcementlevel(LEVELS.indexOf(c.enforcementLevel ?? "advisory"));
            pc.setProperties(this.structProto.Struct.fromJavaScript(c.properties));
            map.set(name, pc);
        }
        await this.call("configure", req);
    }

    private resourceRequest<T>(ctor: any, r: EngineResource): T {
        const req = new ctor();
        req.setType(r.type);
        req.setProperties(this.structProto.Struct.fromJavaScript(toWire(r.props)));
        req.setUrn(r.urn ?? `urn:pulumi:test::test::${r.type}::${r.name ?? "test"}`);
        req.setName(r.name ?? "test");
        const opts = new this.proto.AnalyzerResourceOptions();
        opts.setProtect(r.opts?.protect ?? false);
        opts.setIgnorechangesList([...(r.opts?.ignoreChanges ?? [])]);
        opts.setAliasesList([...(r.opts?.aliases ?? [])]);
        opts.setAdditionalsecretoutputsList([...(r.opts?.additionalSecretOutputs ?? [])]);
        opts.setCustomtimeouts(new this.proto.AnalyzerResourceOptions.CustomTimeouts());
        if (r.opts?.parent) {
            opts.setParent(r.opts.parent);
        }
        req.setOptions(opts);
        if (r.provider) {
            const p = new this.proto.AnalyzerProviderResource();
            p.setType(r.provider.type);
            p.setProperties(this.structProto.Struct.fromJavaScript(toWire(r.provider.props)));
            p.setUrn(r.provider.urn ?? `urn:pulumi:test::test::pulumi:providers:${r.provider.type}::${r.provider.name ?? "default"}`);
            p.setName(r.provider.name ?? "default");
            req.setProvider(p);
        }
        return req;
    }

    private toResult(res: any): AnalyzeResult {
        return {
            violations: res.getDiagnosticsList().map((d: any) => ({
                policyName: d.getPolicyname(),
                policyPackName: d.getPolicypackname(),
                policyPackVersion: d.getPolicypackversion(),
                description: d.getDescription(),
                message: d.getMessage(),
                enforcementLevel: LEVELS[d.getEnforcementlevel()],
                severity: SEVERITIES[d.getSeverity()],
                urn: d.getUrn() || undefined,
            })),
            notApplicable: res.getNotApplicableList().map((n: any) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
        };
    }

    /** Analyze one resource's inputs. */
    async analyze(resource: EngineResource): Promise<AnalyzeResult> {
        return this.toResult(await this.call("analyze", this.resourceRequest(this.proto.AnalyzeRequest, resource)));
    }

    /** AnalyzeStack over resources' outputs. */
    async analyzeStack(resources: readonly EngineResource[]): Promise<AnalyzeResult> {
        const req = new this.proto.AnalyzeStackRequest();
        req.setResourcesList(
            resources.map((r) => {
                const res = this.resourceRequest<any>(this.proto.AnalyzerResource, r);
                if (r.parent) {
                    res.setParent(r.parent);
                }
                res.setDependenciesList([...(r.dependencies ?? [])]);
                const deps = res.getPropertydependenciesMap();
                for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
                    const d = new this.proto.AnalyzerPropertyDependencies();
                    d.setUrnsList([...urns]);
                    deps.set(k, d);
                }
                return res;
            }),
        );
        return this.toResult(await this.call("analyzeStack", req));
    }

    /** Remediate one resource: the policies that changed it and the props they returned. */
    async remediate(resource: EngineResource): Promise<{ policyName: string; properties?: Record<string, unknown>; diagnostic: string }[]> {
        const res: any = await this.call("remediate", this.resourceRequest(this.proto.AnalyzeRequest, resource));
        return res.getRemediationsList().map((r: any) => ({ policyName: r.getPolicyname(), properties: r.getProperties()?.toJavaScript(), diagnostic: r.getDiagnostic() }));
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
