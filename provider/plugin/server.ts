// The `tridion` provider plugin: Pulumi's ResourceProviderService over gRPC, serving the same
// engine-side implementations as the dynamic face (provider/resources/<kind>/engine.ts). What the
// dynamic face's program-side class does (the ownership key, delete-before-replace, secret
// outputs), this face does itself: the key from the URN that Check receives, delete-before-replace
// from Diff, secret outputs from the schema.
import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as anyproto from "google-protobuf/google/protobuf/any_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { setConfigSource } from "../config";
import { PartialFailure } from "../errors/tridionError";
import { addonPackageProvider } from "../resources/addonPackage/engine";
import { clientCredentialUserProvider } from "../resources/clientCredentialUser/engine";
import type { EngineProvider, ResourceKind } from "../resources/kinds";
import { serviceAccountProvider } from "../resources/serviceAccount/engine";
import { detailedDiff, replacedProperties, type DiffKind } from "./detailedDiff";
import { hasDynamicProvider, withoutDynamicProvider } from "./dynamicMove";
import { ownerKeyFromUrn } from "./urn";
import { HeldObjects, releasedState, withReplaceAdvice } from "./replacement";
import { renderError } from "../errors/render";
import { DYNAMIC_PROVIDER_FIELD, packageSchema, TOKENS } from "./schema";
import { checkSettings, configSourceOf } from "./settings";

type Props = Record<string, unknown>;
type Engine = Omit<EngineProvider, "configure">;

/** One implementation, two faces: the very engine objects the dynamic face serves. */
const ENGINES: Record<string, { kind: ResourceKind; engine: Engine }> = {
  [TOKENS.addonPackage]: { kind: "addonPackage", engine: addonPackageProvider },
  [TOKENS.clientCredentialUser]: { kind: "clientCredentialUser", engine: clientCredentialUserProvider },
  [TOKENS.serviceAccount]: { kind: "serviceAccount", engine: serviceAccountProvider },
};

const DIFF_KINDS: Record<DiffKind, provproto.PropertyDiff.Kind> = {
  add: provproto.PropertyDiff.Kind.ADD,
  addReplace: provproto.PropertyDiff.Kind.ADD_REPLACE,
  delete: provproto.PropertyDiff.Kind.DELETE,
  deleteReplace: provproto.PropertyDiff.Kind.DELETE_REPLACE,
  update: provproto.PropertyDiff.Kind.UPDATE,
  updateReplace: provproto.PropertyDiff.Kind.UPDATE_REPLACE,
};

/** The type token of a URN: `urn:pulumi:STACK::PROJECT::[PARENT$]TYPE::NAME`. */
function typeOfUrn(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.slice(qualified.lastIndexOf("$") + 1);
}

function engineFor(urn: string): { kind: ResourceKind; engine: Engine } {
  const type = typeOfUrn(urn);
  const found = ENGINES[type];
  if (!found)
    throw new Error(`The tridion provider has no resource type ${JSON.stringify(type)} (it has ${Object.keys(ENGINES).join(", ")}).`);
  return found;
}

const plain = (s: structproto.Struct | undefined): Props => (s ? (s.toJavaScript() as Props) : {});
/** Plain data for a Struct (drops `undefined`, which a Struct cannot hold). */
const struct = (o: unknown): structproto.Struct => structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(o ?? {})));

/** An error as the engine reads it; a partial create/update carries the partial state. */
function grpcError(error: unknown): Partial<grpc.StatusObject> {
  const message = renderError(error);
  const metadata = new grpc.Metadata();
  if (error instanceof PartialFailure || (error && typeof error === "object" && "id" in error && (error as { id?: unknown }).id)) {
    const e = error as { id: string; properties?: object; reasons?: string[] };
    const detail = new provproto.ErrorResourceInitFailed();
    detail.setId(String(e.id));
    detail.setProperties(struct(e.properties ?? {}));
    detail.setReasonsList(e.reasons ?? [message]);
    const any = new anyproto.Any();
    any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new statusproto.Status();
    status.setCode(grpc.status.UNKNOWN);
    status.setMessage(message);
    status.addDetails(any);
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  return { code: grpc.status.UNKNOWN, details: message, metadata };
}

type Callback<T> = grpc.sendUnaryData<T>;

/** Run a handler; any throw becomes a gRPC error with the rendered message (never a stack). */
function handle<Req, Res>(fn: (request: Req) => Promise<Res> | Res): grpc.handleUnaryCall<Req, Res> {
  return (call: grpc.ServerUnaryCall<Req, Res>, callback: Callback<Res>) => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then(
        (res) => callback(null, res),
        (e) => {
          const err = grpcError(e);
          callback(err, null, err.metadata);
        },
      );
  };
}

function unimplemented<Req, Res>(method: string): grpc.handleUnaryCall<Req, Res> {
  return (_call, callback) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: `${method} is not implemented by the tridion provider` }, null);
}

export interface ServerOptions {
  version: string;
}

/** The service's handlers (exported for the server below; one process serves one provider configuration). */
export function providerService(options: ServerOptions): provrpc.IResourceProviderServer {
  const schema = JSON.stringify(packageSchema(options.version));
  // A create-first replacement's delete must not take the object from its replacement (replacement.ts).
  const held = new HeldObjects();
  return {
    getPluginInfo: handle(() => new plugproto.PluginInfo().setVersion(options.version)),
    getSchema: handle(() => new provproto.GetSchemaResponse().setSchema(schema)),

    checkConfig: handle((req: provproto.CheckRequest) => {
      const news = plain(req.getNews());
      const res = new provproto.CheckResponse().setInputs(struct(news));
      res.setFailuresList(
        checkSettings(configSourceOf(news)).map((f) => new provproto.CheckFailure().setProperty(f.property).setReason(f.reason)),
      );
      return res;
    }),

    // A settings change (another URL, another identity) never replaces resources: it updates the provider.
    diffConfig: handle((req: provproto.DiffRequest) => {
      const olds = plain(req.getOlds());
      const news = plain(req.getNews());
      const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
        (k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]),
      );
      const res = new provproto.DiffResponse();
      res.setChanges(keys.length ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
      res.setDiffsList(keys);
      return res;
    }),

    configure: handle((req: provproto.ConfigureRequest) => {
      const variables = Object.fromEntries(req.getVariablesMap().getEntryList()) as Record<string, string>;
      setConfigSource(configSourceOf(plain(req.getArgs()), variables));
      return new provproto.ConfigureResponse().setAcceptsecrets(false).setSupportspreview(true);
    }),

    check: handle(async (req: provproto.CheckRequest) => {
      const urn = req.getUrn();
      const { engine } = engineFor(urn);
      const olds = plain(req.getOlds());
      // The hidden ownership key: what the program-side class adds in the dynamic face.
      const news = { ...plain(req.getNews()), ownerKey: ownerKeyFromUrn(urn) };
      const result = await engine.check(olds, news);
      const res = new provproto.CheckResponse().setInputs(struct(result.inputs ?? news));
      res.setFailuresList((result.failures ?? []).map((f) => new provproto.CheckFailure().setProperty(f.property).setReason(f.reason)));
      return res;
    }),

    diff: handle(async (req: provproto.DiffRequest) => {
      const { kind, engine } = engineFor(req.getUrn());
      const olds = plain(req.getOlds());
      const news = plain(req.getNews());
      const result = await engine.diff(req.getId(), olds, news);
      const res = new provproto.DiffResponse();
      if (!result.changes && hasDynamicProvider(olds)) {
        // Moved from the dynamic resources: an update that only drops the serialized provider.
        res.setChanges(provproto.DiffResponse.DiffChanges.DIFF_SOME);
        res.setDiffsList([DYNAMIC_PROVIDER_FIELD]);
        res.setHasdetaileddiff(true);
        res.getDetaileddiffMap().set(DYNAMIC_PROVIDER_FIELD, new provproto.PropertyDiff().setKind(provproto.PropertyDiff.Kind.DELETE));
        return res;
      }
      if (!result.changes) {
        held.holds(req.getUrn(), req.getId());
        res.setChanges(provproto.DiffResponse.DiffChanges.DIFF_NONE);
        return res;
      }
      const replaces = replacedProperties(kind, result.replaces ?? []);
      const details = detailedDiff(kind, olds, news, result.replaces ?? []);
      res.setChanges(provproto.DiffResponse.DiffChanges.DIFF_SOME);
      res.setReplacesList(replaces);
      // Ids and names are unique on the server: the old object goes first (as the dynamic face's default).
      res.setDeletebeforereplace(replaces.length > 0 && result.deleteBeforeReplace !== false);
      res.setDiffsList(details.map((d) => d.property));
      if (details.length) {
        res.setHasdetaileddiff(true);
        for (const d of details)
          res.getDetaileddiffMap().set(d.property, new provproto.PropertyDiff().setKind(DIFF_KINDS[d.kind]).setInputdiff(true));
      }
      return res;
    }),

    create: handle(async (req: provproto.CreateRequest) => {
      const { engine } = engineFor(req.getUrn());
      const inputs = plain(req.getProperties());
      // Preview: nothing is written. The answer is the inputs, as the engine's own for a provider
      // without previews: an output missing in preview is unknown to the program until `up`.
      if (req.getPreview()) return new provproto.CreateResponse().setId("").setProperties(struct(inputs));
      const result = await engine.create(inputs).catch((e: unknown) => {
        throw withReplaceAdvice(e);
      });
      held.holds(req.getUrn(), result.id);
      return new provproto.CreateResponse().setId(result.id).setProperties(struct(result.outs));
    }),

    read: handle(async (req: provproto.ReadRequest) => {
      const { engine } = engineFor(req.getUrn());
      const props = plain(req.getProperties());
      const state = Object.keys(props).length ? props : plain(req.getInputs());
      const result = await engine.read(req.getId(), state);
      const res = new provproto.ReadResponse().setId(result.id ?? "");
      if (!result.id) return res; // gone: the engine drops it from state
      res.setProperties(struct(result.props));
      res.setInputs(struct(result.inputs ?? {}));
      return res;
    }),

    update: handle(async (req: provproto.UpdateRequest) => {
      const { engine } = engineFor(req.getUrn());
      const olds = plain(req.getOlds());
      const news = plain(req.getNews());
      // Preview: the new inputs, as for a create (a rotated secret, say, is not known before `up`).
      if (req.getPreview()) return new provproto.UpdateResponse().setProperties(struct(news));
      // Moved from the dynamic resources and nothing else changed: nothing to write to Tridion.
      if (hasDynamicProvider(olds) && !(await engine.diff(req.getId(), olds, news)).changes) {
        held.holds(req.getUrn(), req.getId());
        return new provproto.UpdateResponse().setProperties(struct(withoutDynamicProvider(olds)));
      }
      const result = await engine.update(req.getId(), withoutDynamicProvider(olds), news);
      held.holds(req.getUrn(), req.getId());
      return new provproto.UpdateResponse().setProperties(struct(withoutDynamicProvider(result.outs)));
    }),

    delete: handle(async (req: provproto.DeleteRequest) => {
      const { kind, engine } = engineFor(req.getUrn());
      const props = plain(req.getProperties());
      if (held.heldByReplacement(req.getUrn(), req.getId())) {
        // The replaced resource's delete: its replacement holds the same object now.
        const released = releasedState(kind, props);
        if (released) await engine.delete(req.getId(), released);
        return new emptyproto.Empty();
      }
      await engine.delete(req.getId(), props);
      return new emptyproto.Empty();
    }),

    cancel: handle(() => new emptyproto.Empty()),

    handshake: unimplemented("Handshake"),
    parameterize: unimplemented("Parameterize"),
    invoke: unimplemented("Invoke"),
    call: unimplemented("Call"),
    construct: unimplemented("Construct"),
    attach: unimplemented("Attach"),
    getMapping: unimplemented("GetMapping"),
    getMappings: unimplemented("GetMappings"),
    list: (call: grpc.ServerWritableStream<provproto.ListRequest, provproto.ListResponse>) =>
      call.emit("error", { code: grpc.status.UNIMPLEMENTED, details: "List is not implemented by the tridion provider" }),
  };
}

/** Listen on 127.0.0.1 (a free port) and return the port. */
export async function serve(options: ServerOptions): Promise<{ port: number; server: grpc.Server }> {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(provrpc.ResourceProviderService, providerService(options));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port, server };
}
