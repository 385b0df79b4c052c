// The Tridion Sites emulator: Access Management (under /access-management) on one listener and
// the Add-ons Service (under /addon) on a listener of its own, as the product hosts them
// (`https://host:83/addon`). See emulator/README.md for its contract and choices.
import { Clock } from "./clock";
import { Faults } from "./faults";
import { createListener, listenOn, publicHost } from "./listener";
import { addonsDialectProblem, amBasePathProblem, portsProblem, validateNumericOptions } from "./options";
import { RequestLog } from "./requestLog";
import { resolveRouteProfile, toFastifyPath, type RouteProfile } from "./routes";
import { Store } from "./store";
import { bootstrapAccounts } from "./accessManagement/accounts";
import { Catalog } from "./accessManagement/catalog";
import { loadSigningKey } from "./accessManagement/keys";
import { registerManagementRoutes } from "./accessManagement/management";
import { makeAuthenticator } from "./accessManagement/bearer";
import { defaultAmBasePath, registerTokenRoutes } from "./accessManagement/tokens";
import { Propagation } from "./accessManagement/propagation";
import { addonsPrefix, registerAddonsRoutes } from "./addons/routes";
import { resolveAddonsDialect } from "./addons/dialect";
import { addonsOpenApi, managementOpenApi } from "./openapi";
import { addonsUiPage } from "./addons/ui";
import { selfSignedTls, type TlsMaterial } from "./tls";
import type { EmulatorOptions, RunningEmulator } from "./types";

export type {
  AddonsDialect,
  EmulatorOptions,
  RunningEmulator,
  FaultSettings,
  ErrorBurst,
  RequestLogEntry,
  ProductVersion,
  SeedUser,
  Credential,
  BootstrapCredential,
} from "./types";
export type { RouteKey, RouteProfile } from "./routes";
export { defaultRoutes, resolveRouteProfile } from "./routes";
export { canonicalJson, configurationSha256 } from "./addons/configuration";
export { roleMatrix } from "./addons/routes";
export { defaultAddonsDialect, resolveAddonsDialect, type ResolvedAddonsDialect } from "./addons/dialect";

export const defaults = {
  host: "127.0.0.1",
  accessManagementBasePath: defaultAmBasePath,
  productVersion: "10" as const,
  tokenLifetimeSeconds: 3600,
  activationDelayMs: 2000,
  maxPackageBytes: 1024 * 1024 * 1024,
};

/** The options, checked and with their defaults: a bad one fails before anything starts. */
function resolveOptions(options: EmulatorOptions) {
  const productVersion = options.productVersion ?? defaults.productVersion;
  if (productVersion !== "9.6" && productVersion !== "10") {
    throw new Error(`productVersion must be "9.6" or "10", got ${JSON.stringify(productVersion)}.`);
  }
  validateNumericOptions(options);
  const problem =
    portsProblem(options.port, options.addonsPort) ??
    addonsDialectProblem(options.addonsDialect) ??
    amBasePathProblem("accessManagementBasePath", options.accessManagementBasePath ?? defaults.accessManagementBasePath);
  if (problem) throw new Error(`${problem}.`);
  if (options.tls !== undefined && options.tls !== "self-signed") {
    throw new Error(`tls must be "self-signed" (or left out for plain http), got ${JSON.stringify(options.tls)}.`);
  }
  return {
    productVersion,
    addonsDialect: resolveAddonsDialect(options.addonsDialect),
    routes: resolveRouteProfile(options.routes) as RouteProfile,
    amBase: options.accessManagementBasePath ?? defaults.accessManagementBasePath,
    host: options.host ?? defaults.host,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? defaults.tokenLifetimeSeconds,
    maxPackageBytes: options.maxPackageBytes ?? defaults.maxPackageBytes,
    activationDelayMs: options.activationDelayMs ?? defaults.activationDelayMs,
  };
}

/** The data dir opened, its signing key and the accounts every installation has; the store is closed again on failure. */
async function openData(options: EmulatorOptions, resolved: ReturnType<typeof resolveOptions>, clock: Clock, authority: () => string) {
  const store = Store.open(options.dataDir);
  try {
    const key = await loadSigningKey(options.dataDir);
    const bootstrap = bootstrapAccounts(
      store,
      (base) => new Catalog(base, authority),
      clock,
      key,
      resolved.productVersion,
      { clientId: options.adminClientId, clientSecret: options.adminClientSecret },
      options.seedUsers ?? [],
    );
    return { store, key, ...bootstrap };
  } catch (error) {
    store.close();
    throw error;
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const resolved = resolveOptions(options);
  const { productVersion, routes, amBase } = resolved;
  const tls: TlsMaterial | undefined = options.tls === "self-signed" ? await selfSignedTls(publicHost(resolved.host)) : undefined;
  const clock = new Clock();
  const faults = new Faults(options.faults);
  const log = new RequestLog();
  let amOrigin = "";
  const authority = () => `${amOrigin}${amBase}`;
  const { store, key, credentials, catalog } = await openData(options, resolved, clock, authority);
  const shared = { amBase, tls, maxPackageBytes: resolved.maxPackageBytes, log, faults, clock, store, catalog };

  const propagation = new Propagation(() => faults.propagationDelayMs());
  const tokenContext = {
    store,
    propagation,
    catalog,
    clock,
    key,
    basePath: amBase,
    authority,
    issuer: () => (options.lowerCaseIssuer === false ? authority() : authority().toLowerCase()),
    tokenLifetimeSeconds: () => faults.tokenLifetimeSeconds() ?? resolved.tokenLifetimeSeconds,
    tokenEndpointDown: () => faults.tokenEndpointDown(),
  };
  const authenticate = makeAuthenticator(tokenContext);

  const am = await createListener("accessManagement", shared);
  registerTokenRoutes(am, tokenContext);
  registerManagementRoutes(am, {
    store,
    catalog,
    clock,
    propagation,
    productVersion,
    routes,
    basePath: amBase,
    authority,
    authenticate,
  });
  am.get(amBase + toFastifyPath(routes.managementOpenApi), async () => managementOpenApi(authority(), routes, productVersion));

  const addons = await createListener("addons", shared);
  registerAddonsRoutes(addons, {
    store,
    clock,
    faults,
    routes,
    maxPackageBytes: resolved.maxPackageBytes,
    authenticate,
    activationDelayMs: resolved.activationDelayMs,
    dialect: resolved.addonsDialect,
  });
  addons.get(addonsPrefix + toFastifyPath(routes.addonsOpenApi), async () => addonsOpenApi(routes, options.addonsDialect));
  addons.get(`${addonsPrefix}/ui`, async (_request, reply) =>
    reply.type("text/html; charset=utf-8").send(addonsUiPage(`${addonsPrefix}${routes.addonsOpenApi}`)),
  );

  let addonsOrigin: string;
  try {
    amOrigin = await listenOn(am, resolved.host, options.port, tls);
    addonsOrigin = await listenOn(addons, resolved.host, options.addonsPort, tls);
  } catch (error) {
    await Promise.all([am.close(), addons.close()]);
    store.close();
    throw error;
  }

  let closed = false;
  return {
    accessManagementUrl: authority(),
    addonsUrl: `${addonsOrigin}${addonsPrefix}`,
    ...(tls ? { caCertificate: tls.caCertificate } : {}),
    productVersion,
    credentials,
    requestLog: () => log.entries(),
    clearRequestLog: () => log.clear(),
    setFaults: (f) => faults.set(f),
    advanceClock: (seconds) => clock.advance(seconds),
    close: async () => {
      if (closed) return;
      closed = true;
      await Promise.all([am.close(), addons.close()]);
      store.close();
    },
  };
}
