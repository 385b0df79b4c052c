// Drives the real dynamic-provider gRPC host of @pulumi/pulumi exactly as the engine does: a
// child process `node .../cmd/dynamic-provider <engine address>` that prints its port, spoken to
// with the SDK's generated gRPC client. A small fake Engine service receives the provider's
// Log calls (warnings), so tests can see what `pulumi up` would print.
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
const providerRpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const providerProto = require("@pulumi/pulumi/proto/provider_pb");
const engineRpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const statusProto = require("@pulumi/pulumi/proto/status_pb");
const structProto = require("google-protobuf/google/protobuf/struct_pb");
const emptyProto = require("google-protobuf/google/protobuf/empty_pb");

const repoRoot = path.resolve(__dirname, "..", "..");
const hostScript = path.join(repoRoot, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider");

type Props = Record<string, unknown>;

export interface EngineLog {
  severity: number;
  message: string;
}

export interface InitFailure {
  message: string;
  id?: string;
  properties?: Props;
  reasons?: string[];
}

export interface GrpcHost {
  configure(config: Record<string, string>): Promise<void>;
  check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }>;
  diff(urn: string, id: string, olds: Props, news: Props): Promise<{ changes: number; replaces: string[] }>;
  create(urn: string, props: Props): Promise<{ id: string; properties: Props }>;
  read(urn: string, id: string, props: Props, inputs?: Props): Promise<{ id: string; properties: Props; inputs?: Props }>;
  update(urn: string, id: string, olds: Props, news: Props): Promise<{ properties: Props }>;
  delete(urn: string, id: string, props: Props): Promise<void>;
  /** Warnings etc. the provider sent to the (fake) engine. */
  engineLogs: EngineLog[];
  /** Everything the host wrote to stderr. */
  stderr(): string;
  close(): Promise<void>;
}

export const DIFF_NONE = 1;
export const DIFF_SOME = 2;

function struct(o: Props): unknown {
  return structProto.Struct.fromJavaScript(JSON.parse(JSON.stringify(o)));
}

function unary<T>(fn: (req: unknown, cb: (err: grpc.ServiceError | null, res: T) => void) => void, req: unknown): Promise<T> {
  return new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res))));
}

/** The engine-side view of a failed Create/Update: message, plus the partial resource if any. */
export function initFailure(error: unknown): InitFailure {
  const err = error as grpc.ServiceError;
  const out: InitFailure = { message: err.details ?? err.message };
  const bin = err.metadata?.get("grpc-status-details-bin")?.[0];
  if (bin) {
    const status = statusProto.Status.deserializeBinary(new Uint8Array(bin as Buffer));
    for (const any of status.getDetailsList()) {
      if (!String(any.getTypeUrl()).endsWith("pulumirpc.ErrorResourceInitFailed")) continue;
      const detail = providerProto.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
      out.id = detail.getId();
      out.properties = detail.getProperties()?.toJavaScript();
      out.reasons = detail.getReasonsList();
    }
  }
  return out;
}

export async function startFakeEngine(logs: EngineLog[]): Promise<{ address: string; close(): Promise<void> }> {
  const server = new grpc.Server();
  const unimplemented = (_call: unknown, cb: (err: Partial<grpc.ServiceError>) => void) => cb({ code: grpc.status.UNIMPLEMENTED });
  server.addService(engineRpc.EngineService, {
    log: (call: { request: { getSeverity(): number; getMessage(): string } }, cb: (err: null, res: unknown) => void) => {
      logs.push({ severity: call.request.getSeverity(), message: call.request.getMessage() });
      cb(null, new emptyProto.Empty());
    },
    getRootResource: unimplemented,
    setRootResource: unimplemented,
    startDebugging: unimplemented,
    requirePulumiVersion: unimplemented,
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

/** Start the host in the repo root (so `require("pulumi-tridion/dynamic")` resolves to dist/). */
/** Ends a provider process started for a test: its client, the process (SIGTERM, awaited), and the fake engine. */
export async function closeHost(client: grpc.Client, child: ChildProcess, engine: { close(): Promise<void> }): Promise<void> {
  client.close();
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  await engine.close();
}

export async function startGrpcHost(env: Record<string, string> = {}): Promise<GrpcHost> {
  const engineLogs: EngineLog[] = [];
  const engine = await startFakeEngine(engineLogs);
  const child: ChildProcess = spawn(process.execPath, [hostScript, engine.address], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d.toString();
      const m = /^(\d+)\s*$/m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`dynamic-provider host exited (${code}): ${stderr}`)));
  });
  const client = new providerRpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = <T>(method: string, req: unknown) => unary<T>(client[method].bind(client), req);

  return {
    engineLogs,
    stderr: () => stderr,
    async configure(config) {
      const req = new providerProto.ConfigureRequest();
      req.setArgs(struct(config));
      req.setAcceptsecrets(true);
      await call("configure", req);
    },
    async check(urn, olds, news) {
      const req = new providerProto.CheckRequest();
      req.setUrn(urn);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res = await call<{
        getInputs(): { toJavaScript(): Props };
        getFailuresList(): { getProperty(): string; getReason(): string }[];
      }>("check", req);
      return {
        inputs: res.getInputs().toJavaScript(),
        failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },
    async diff(urn, id, olds, news) {
      const req = new providerProto.DiffRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res = await call<{ getChanges(): number; getReplacesList(): string[] }>("diff", req);
      return { changes: res.getChanges(), replaces: res.getReplacesList() };
    },
    async create(urn, props) {
      const req = new providerProto.CreateRequest();
      req.setUrn(urn);
      req.setProperties(struct(props));
      const res = await call<{ getId(): string; getProperties(): { toJavaScript(): Props } }>("create", req);
      return { id: res.getId(), properties: res.getProperties().toJavaScript() };
    },
    async read(urn, id, props, inputs) {
      const req = new providerProto.ReadRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setProperties(struct(props));
      if (inputs) req.setInputs(struct(inputs));
      const res = await call<{
        getId(): string;
        getProperties(): { toJavaScript(): Props } | undefined;
        getInputs(): { toJavaScript(): Props } | undefined;
      }>("read", req);
      return { id: res.getId(), properties: res.getProperties()?.toJavaScript() ?? {}, inputs: res.getInputs()?.toJavaScript() };
    },
    async update(urn, id, olds, news) {
      const req = new providerProto.UpdateRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res = await call<{ getProperties(): { toJavaScript(): Props } }>("update", req);
      return { properties: res.getProperties().toJavaScript() };
    },
    async delete(urn, id, props) {
      const req = new providerProto.DeleteRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setProperties(struct(props));
      await call("delete", req);
    },
    close: () => closeHost(client, child, engine),
  };
}
