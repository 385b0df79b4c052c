// Warnings from inside the dynamic provider. The engine starts the provider host with its own
// gRPC address as the first argument; the host does not use it, but we can: Engine.Log shows
// the message as a proper `warning:` in `pulumi preview/up`. Outside the engine (direct calls,
// tests) or if that fails, the message goes to stderr, which the engine also surfaces.
import { redactSecrets } from "../errors/redaction";

const warned = new Set<string>();

/** Emit a warning once per provider process. */
export async function warnOnce(message: string): Promise<void> {
  if (warned.has(message)) return;
  warned.add(message);
  await warn(message);
}

export async function warn(message: string): Promise<void> {
  const text = redactSecrets(message);
  const engine = engineAddress();
  if (engine && (await logToEngine(engine, text))) return;
  console.error(`warning: ${text}`);
}

function engineAddress(): string | undefined {
  if (process.env.PULUMI_TRIDION_ENGINE_ADDRESS) return process.env.PULUMI_TRIDION_ENGINE_ADDRESS;
  // Only inside the dynamic-provider host: node .../cmd/dynamic-provider <engine address>
  const script = process.argv[1] ?? "";
  if (!/dynamic-provider/.test(script)) return undefined;
  const address = process.argv[2];
  return address && /^[\w.[\]:-]+:\d+$/.test(address) ? address : undefined;
}

/** Set in the provider plugin's bundle (scripts/pack-plugin.js): one file, with one copy of gRPC and of the SDK's stubs. */
declare const PULUMI_TRIDION_BUNDLED_VERSION: string | undefined;

async function logToEngine(address: string, message: string): Promise<boolean> {
  try {
    /* eslint-disable @typescript-eslint/no-require-imports -- optional, loaded only when an engine is there: the SDK's own gRPC copy and generated stubs (no typings to import) */
    const grpc = (
      typeof PULUMI_TRIDION_BUNDLED_VERSION === "string"
        ? require("@grpc/grpc-js")
        : require(require.resolve("@grpc/grpc-js", { paths: [require.resolve("@pulumi/pulumi")] }))
    ) as typeof import("@grpc/grpc-js");
    const engineRpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
    const engineProto = require("@pulumi/pulumi/proto/engine_pb");
    const client = new engineRpc.EngineClient(address, grpc.credentials.createInsecure());
    const request = new engineProto.LogRequest();
    request.setSeverity(engineProto.LogSeverity.WARNING);
    request.setMessage(message);
    request.setEphemeral(false);
    const ok = await new Promise<boolean>((resolve) => {
      const deadline = new Date(Date.now() + 5000);
      client.log(request, new grpc.Metadata(), { deadline }, (err: unknown) => resolve(!err));
    });
    client.close();
    return ok;
  } catch {
    return false;
  }
}
