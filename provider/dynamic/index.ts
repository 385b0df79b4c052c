// The installed implementation behind the serialized shim: `require("pulumi-tridion/dynamic")`.
// Loaded once per provider process; settings from configure() live in module state.
import type * as pulumi from "@pulumi/pulumi";
import { setConfigSource } from "../config";
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

function withConfigure(provider: Omit<EngineProvider, "configure">): EngineProvider {
  return {
    ...provider,
    configure,
    create: async (inputs) => {
      try {
        return await provider.create(inputs);
      } catch (error) {
        throw keepProviderOnPartialFailure(error, inputs.__provider);
      }
    },
    update: async (id, olds, news) => {
      try {
        return await provider.update(id, olds, news);
      } catch (error) {
        throw keepProviderOnPartialFailure(error, news.__provider ?? olds.__provider);
      }
    },
  };
}

export const addonPackage = withConfigure(addonPackageProvider);
export const clientCredentialUser = withConfigure(clientCredentialUserProvider);
export const serviceAccount = withConfigure(serviceAccountProvider);

/** The kinds the serialized shim calls by name (resources/shim.ts). */
export const providers = { addonPackage, clientCredentialUser, serviceAccount } satisfies EngineSide;
