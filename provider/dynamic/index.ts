// The installed implementation behind the serialized shim: `require("pulumi-tridion/dynamic")`.
// Loaded once per provider process; settings from configure() live in module state.
import type * as pulumi from "@pulumi/pulumi";
import { setConfigSource } from "../config";
import { addonPackageProvider } from "../resources/addonPackage";
import { clientCredentialUserProvider } from "../resources/clientCredentialUser";
import { serviceAccountProvider } from "../resources/serviceAccount";
import type { ResourceKind } from "./shim";

/** Stack config arrives here (secrets decrypted); it never enters `__provider`. */
export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  const config = req.config;
  setConfigSource((key) => config.get(key));
}

function withConfigure(provider: pulumi.dynamic.ResourceProvider): pulumi.dynamic.ResourceProvider {
  return { ...provider, configure };
}

export const addonPackage = withConfigure(addonPackageProvider);
export const clientCredentialUser = withConfigure(clientCredentialUserProvider);
export const serviceAccount = withConfigure(serviceAccountProvider);

export const providers: Record<ResourceKind, pulumi.dynamic.ResourceProvider> = { addonPackage, clientCredentialUser, serviceAccount };
