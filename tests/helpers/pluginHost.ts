// Drives the `tridion` provider plugin as the engine does: the launcher
// provider/bin/pulumi-resource-tridion started with the engine's address (a small fake Engine
// service that records Log calls), the port read from the first line of stdout, and the SDK's
// generated gRPC client for ResourceProviderService. Runs the built plugin (provider/dist: run
// `npm run build` first) on the project's Node 22.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import type { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import type { TestEmulator } from "./emulator";
import { closeHost, startFakeEngine, type EngineLog } from "./grpcHost";

const repoRoot = path.resolve(__dirname, "..", "..");
export const LAUNCHER = path.join(repoRoot, "provider", "bin", "pulumi-resource-tridion");
/** PATH with the project's Node 22 first (the machine's own node may be older). */
export const NODE22_PATH = `${path.join(repoRoot, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`;

type Props = Record<string, unknown>;

export interface Failure {
  property: string;
  reason: string;
}

export interface DetailedDiff {
  changes: number;
  replaces: string[];
  deleteBeforeReplace: boolean;
  hasDetailedDiff: boolean;
  /** property -> PropertyDiff.Kind name (UPDATE, UPDATE_REPLACE, ...) */
  detailed: Record<string, string>;
}

export const DIFF_NONE = provproto.DiffResponse.DiffChanges.DIFF_NONE;
export const DIFF_SOME = provproto.DiffResponse.DiffChanges.DIFF_SOME;
const KIND_NAMES = Object.fromEntries(Object.entries(provproto.PropertyDiff.Kind).map(([name, value]) => [value, name]));

const struct = (o: Props) => structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(o)));
const plain = (s: structproto.Struct | undefined): Props => (s ? (s.toJavaScript() as Props) : {});

export interface PluginHost {
  getPluginInfo(): Promise<{ version: string }>;
  getSchema(): Promise<Record<string, unknown>>;
  checkConfig(news: Props): Promise<{ inputs: Props; failures: Failure[] }>;
  diffConfig(olds: Props, news: Props): Promise<{ changes: number; replaces: string[]; diffs: string[] }>;
  configure(args: Props, variables?: Record<string, string>): Promise<{ acceptSecrets: boolean; supportsPreview: boolean }>;
  check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: Failure[] }>;
  diff(urn: string, id: string, olds: Props, news: Props): Promise<DetailedDiff>;
  create(urn: string, props: Props, preview?: boolean): Promise<{ id: string; properties: Props }>;
  read(urn: string, id: string, props: Props, inputs?: Props): Promise<{ id: string; properties: Props; inputs: Props }>;
  update(urn: string, id: string, olds: Props, news: Props, preview?: boolean): Promise<{ properties: Props }>;
  delete(urn: string, id: string, props: Props): Promise<void>;
  cancel(): Promise<void>;
  /** Warnings etc. the plugin sent to the (fake) engine. */
  engineLogs: EngineLog[];
  stdout(): string;
  stderr(): string;
  close(): Promise<void>;
}

function unary<Res>(invoke: (cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => invoke((err, res) => (err ? reject(err) : resolve(res))));
}

export interface PluginLaunch {
  /** The launcher to run (default: the repository's provider/bin/pulumi-resource-tridion). */
  launcher?: string;
  /** Its working directory (default: the repository). */
  cwd?: string;
}

/** Start the launcher as the engine would; `env` is added to the environment. */
export async function startPlugin(env: Record<string, string> = {}, launch: PluginLaunch = {}): Promise<PluginHost> {
  const engineLogs: EngineLog[] = [];
  const engine = await startFakeEngine(engineLogs);
  const child: ChildProcess = spawn(launch.launcher ?? LAUNCHER, [engine.address], {
    cwd: launch.cwd ?? repoRoot,
    env: { ...process.env, PATH: NODE22_PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      stdout += d.toString();
      const newline = stdout.indexOf("\n");
      if (newline < 0) return;
      const first = stdout.slice(0, newline);
      if (/^\d+$/.test(first)) resolve(Number(first));
      else reject(new Error(`the plugin's first stdout line is not a port: ${JSON.stringify(first)}`));
    });
    child.once("exit", (code) => reject(new Error(`the plugin exited (${code}): ${stderr}`)));
  });
  const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());

  return {
    engineLogs,
    stdout: () => stdout,
    stderr: () => stderr,
    async getPluginInfo() {
      const res = await unary<PluginInfo>((cb) => client.getPluginInfo(new emptyproto.Empty(), cb));
      return { version: res.getVersion() };
    },
    async getSchema() {
      const res = await unary<provproto.GetSchemaResponse>((cb) => client.getSchema(new provproto.GetSchemaRequest(), cb));
      return JSON.parse(res.getSchema()) as Record<string, unknown>;
    },
    async checkConfig(news) {
      const req = new provproto.CheckRequest()
        .setUrn("urn:pulumi:dev::p::pulumi:providers:tridion::default")
        .setOlds(struct({}))
        .setNews(struct(news));
      const res = await unary<provproto.CheckResponse>((cb) => client.checkConfig(req, cb));
      return {
        inputs: plain(res.getInputs()),
        failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },
    async diffConfig(olds, news) {
      const req = new provproto.DiffRequest()
        .setUrn("urn:pulumi:dev::p::pulumi:providers:tridion::default")
        .setOlds(struct(olds))
        .setNews(struct(news));
      const res = await unary<provproto.DiffResponse>((cb) => client.diffConfig(req, cb));
      return { changes: res.getChanges(), replaces: res.getReplacesList(), diffs: res.getDiffsList() };
    },
    async configure(args, variables = {}) {
      const req = new provproto.ConfigureRequest().setArgs(struct(args)).setAcceptsecrets(true);
      for (const [k, v] of Object.entries(variables)) req.getVariablesMap().set(k, v);
      const res = await unary<provproto.ConfigureResponse>((cb) => client.configure(req, cb));
      return { acceptSecrets: res.getAcceptsecrets(), supportsPreview: res.getSupportspreview() };
    },
    async check(urn, olds, news) {
      const res = await unary<provproto.CheckResponse>((cb) =>
        client.check(new provproto.CheckRequest().setUrn(urn).setOlds(struct(olds)).setNews(struct(news)), cb),
      );
      return {
        inputs: plain(res.getInputs()),
        failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },
    async diff(urn, id, olds, news) {
      const res = await unary<provproto.DiffResponse>((cb) =>
        client.diff(new provproto.DiffRequest().setUrn(urn).setId(id).setOlds(struct(olds)).setNews(struct(news)), cb),
      );
      const detailed: Record<string, string> = {};
      res.getDetaileddiffMap().forEach((v: provproto.PropertyDiff, k: string) => {
        detailed[k] = KIND_NAMES[v.getKind()];
      });
      return {
        changes: res.getChanges(),
        replaces: res.getReplacesList(),
        deleteBeforeReplace: res.getDeletebeforereplace(),
        hasDetailedDiff: res.getHasdetaileddiff(),
        detailed,
      };
    },
    async create(urn, props, preview = false) {
      const res = await unary<provproto.CreateResponse>((cb) =>
        client.create(new provproto.CreateRequest().setUrn(urn).setProperties(struct(props)).setPreview(preview), cb),
      );
      return { id: res.getId(), properties: plain(res.getProperties()) };
    },
    async read(urn, id, props, inputs) {
      const req = new provproto.ReadRequest().setUrn(urn).setId(id).setProperties(struct(props));
      if (inputs) req.setInputs(struct(inputs));
      const res = await unary<provproto.ReadResponse>((cb) => client.read(req, cb));
      return { id: res.getId(), properties: plain(res.getProperties()), inputs: plain(res.getInputs()) };
    },
    async update(urn, id, olds, news, preview = false) {
      const req = new provproto.UpdateRequest().setUrn(urn).setId(id).setOlds(struct(olds)).setNews(struct(news)).setPreview(preview);
      const res = await unary<provproto.UpdateResponse>((cb) => client.update(req, cb));
      return { properties: plain(res.getProperties()) };
    },
    async delete(urn, id, props) {
      await unary<emptyproto.Empty>((cb) =>
        client.delete(new provproto.DeleteRequest().setUrn(urn).setId(id).setProperties(struct(props)), cb),
      );
    },
    async cancel() {
      await unary<emptyproto.Empty>((cb) => client.cancel(new emptyproto.Empty(), cb));
    },
    close: () => closeHost(client, child, engine),
  };
}

/** The provider's inputs as Pulumi hands them to Configure: the stack's tridion:* config, un-namespaced. */
export const emulatorSettings = (emulator: TestEmulator) => ({
  accessManagementUrl: emulator.accessManagementUrl,
  addonsUrl: emulator.addonsUrl,
  clientId: emulator.credentials.admin.clientId,
  clientSecret: emulator.credentials.admin.clientSecret,
});

/**
 * A plugin process configured as the emulator's administrator, with fast polling and retries (the
 * emulator answers at once) and a package cache of its own; closed, and its cache removed, when
 * the test ends.
 */
export async function pluginOnEmulator(
  t: { teardown(fn: () => unknown): void },
  emulator: TestEmulator,
  launch: PluginLaunch = {},
): Promise<PluginHost> {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-tridion-cache-"));
  t.teardown(() => fs.rmSync(cache, { recursive: true, force: true }));
  const env = { TRIDION_RETRY_BASE_DELAY_MS: "20", TRIDION_POLL_INTERVAL_MS: "50", PULUMI_TRIDION_CACHE_DIR: cache };
  const host = await startPlugin(env, launch);
  t.teardown(() => host.close());
  await host.configure(emulatorSettings(emulator));
  return host;
}
