// The installed implementation behind the serialized shim: `require("pulumi-tridion/dynamic")`.
// Loaded once per provider process; settings from configure() live in module state.
import type * as pulumi from "@pulumi/pulumi";
import { setConfigSource } from "../config";
import { renderedForEngine } from "../errors/render";
import { addonPackageProvider } from "../resources/addonPackage/engine";
import { clientCredentialUserProvider } from "../resources/clientCredentialUser/engine";
import { serviceAccountProvider } from "../resources/serviceAccount/engine";
import type { EngineProvider, EngineSide } from "../resources/kinds";

/** Stack config arrives here (secrets decrypted); it never enters `__provider`. */
export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  const config = req.config;
  setConfigSource((key) => config.get(key));
}

/**
 * The host adds `__provider` to successful results only. A partial failure (an error carrying
 * `id`) records its `properties` as the resource's outputs, and refresh/destroy later look for
 * the provider there: without it they could not run at all.
 */
function keepProviderOnPartialFailure(error: unknown, providerText: unknown): unknown {
  const partial = error as { id?: unknown; properties?: Record<string, unknown> } | null;
  if (partial && typeof partial === "object" && partial.id && providerText !== undefined) {
    partial.properties = { ...(partial.properties ?? {}), __provider: providerText };
  }
  return error;
}

/**
 * The engine reads only `e.message` of a failure (and, for a partial failure, `id`, `properties`
 * and `reasons`): every error leaves here rendered, its fix on the "Fix:" line (errors/render.ts).
 */
async function rendered<T>(call: () => Promise<T>, providerText?: () => unknown): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const e = renderedForEngine(error);
    throw providerText ? keepProviderOnPartialFailure(e, providerText()) : e;
  }
}

function withConfigure(provider: Omit<EngineProvider, "configure">): EngineProvider {
  return {
    configure,
    check: (olds, news) => rendered(() => provider.check(olds, news)),
    diff: (id, olds, news) => rendered(() => provider.diff(id, olds, news)),
    create: (inputs) =>
      rendered(
        () => provider.create(inputs),
        () => inputs.__provider,
      ),
    read: (id, props) => rendered(() => provider.read(id, props)),
    update: (id, olds, news) =>
      rendered(
        () => provider.update(id, olds, news),
        () => news.__provider ?? olds.__provider,
      ),
    delete: (id, props) => rendered(() => provider.delete(id, props)),
  };
}

export const addonPackage = withConfigure(addonPackageProvider);
export const clientCredentialUser = withConfigure(clientCredentialUserProvider);
export const serviceAccount = withConfigure(serviceAccountProvider);

/** The kinds the serialized shim calls by name (resources/shim.ts). */
export const providers = { addonPackage, clientCredentialUser, serviceAccount } satisfies EngineSide;
