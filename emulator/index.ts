// The Tridion Sites emulator: Access Management (under /access-management) and the Add-ons
// Service (under /addons) on one port. See emulator/README.md for its contract and choices.
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import multipart from "@fastify/multipart";
import { Clock } from "./clock";
import { Faults } from "./faults";
import { validateNumericOptions } from "./options";
import { Problem, sendProblem } from "./problem";
import { RequestLog } from "./requestLog";
import { resolveRouteProfile, toFastifyPath, type RouteProfile } from "./routes";
import { Store } from "./store";
import { bootstrapAccounts } from "./accessManagement/accounts";
import { loadSigningKey } from "./accessManagement/keys";
import { registerManagementRoutes } from "./accessManagement/management";
import { makeAuthenticator } from "./accessManagement/bearer";
import { amPrefix, registerTokenRoutes, tokenPath } from "./accessManagement/tokens";
import { addonsPrefix, registerAddonsRoutes } from "./addons/routes";
import { addonsOpenApi, managementOpenApi } from "./openapi";
import { controlsPrefix, registerControls } from "./controls";
import type { EmulatorOptions, RunningEmulator } from "./types";

export type {
  EmulatorOptions, RunningEmulator, FaultSettings, ErrorBurst, RequestLogEntry, ProductVersion, SeedUser, Credential,
  BootstrapCredential,
} from "./types";
export type { RouteKey, RouteProfile } from "./routes";
export { defaultRoutes, resolveRouteProfile } from "./routes";
export { canonicalJson, configurationSha256 } from "./addons/configuration";
export { roleMatrix } from "./addons/routes";

export const defaults = {
  host: "127.0.0.1",
  productVersion: "10" as const,
  tokenLifetimeSeconds: 3600,
  activationDelayMs: 2000,
  maxPackageBytes: 1024 * 1024 * 1024,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function publicHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

function installErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError | Problem, request, reply) => {
    if (reply.raw.destroyed || request.raw.socket?.destroyed) return;
    if (error instanceof Problem) return sendProblem(reply, error.status, error.detail, error.extra, error.headers);
    const status = (error as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      const hint = (error as FastifyError).code?.startsWith("FST_ERR_CTP") ? " Send a valid JSON body with Content-Type: application/json." : "";
      return sendProblem(reply, status, `${error.message}.${hint}`);
    }
    process.stderr.write(`tridion-emulator: internal error on ${request.method} ${request.url}: ${error.stack ?? error}\n`);
    return sendProblem(reply, 500, "The emulator failed unexpectedly; see its stderr.");
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, 404, `No route ${request.method} ${request.url.split("?")[0]}. Check the base URLs and the route profile (emulator/README.md).`),
  );
}

function installLogAndFaults(app: FastifyInstance, log: RequestLog, faults: Faults) {
  app.decorateRequest("identity", null);
  const lostResponses = new WeakSet<object>();
  app.addHook("onRequest", async (request, reply) => {
    const path = request.url.split("?")[0];
    if (path.startsWith(controlsPrefix)) return;
    const latency = faults.latencyMs();
    if (latency > 0) await sleep(latency);
    const burst = faults.takeErrorBurst(request.method, path);
    if (burst) {
      const retryAfter = burst.retryAfterSeconds ?? (burst.status === 429 ? 1 : undefined);
      if (retryAfter !== undefined) reply.header("Retry-After", String(retryAfter));
      reply.header("Connection", "close");
      return sendProblem(reply, burst.status, `Injected fault: ${burst.status} (emulator fault injection).`);
    }
    if (faults.takeLostResponse(request.method, path)) lostResponses.add(request);
  });
  // The request was carried out; its answer never leaves: the connection closes instead.
  app.addHook("onSend", async (request, reply, payload) => {
    if (!lostResponses.has(request)) return payload;
    log.add({ time: new Date().toISOString(), method: request.method, path: request.url.split("?")[0], status: reply.statusCode, identity: request.identity ?? null, lost: true });
    request.raw.socket?.destroy();
    return payload;
  });
  app.addHook("onResponse", async (request, reply) => {
    const path = request.url.split("?")[0];
    if (path.startsWith(controlsPrefix) || lostResponses.has(request)) return; // logged when lost
    log.add({ time: new Date().toISOString(), method: request.method, path, status: reply.statusCode, identity: request.identity ?? null });
  });
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const productVersion = options.productVersion ?? defaults.productVersion;
  if (productVersion !== "9.6" && productVersion !== "10") {
    throw new Error(`productVersion must be "9.6" or "10", got ${JSON.stringify(productVersion)}.`);
  }
  validateNumericOptions(options);
  const routes: RouteProfile = resolveRouteProfile(options.routes);
  const host = options.host ?? defaults.host;
  const tokenLifetime = options.tokenLifetimeSeconds ?? defaults.tokenLifetimeSeconds;
  const maxPackageBytes = options.maxPackageBytes ?? defaults.maxPackageBytes;
  const clock = new Clock();
  const faults = new Faults(options.faults);
  const log = new RequestLog();
  const store = Store.open(options.dataDir);
  const key = await loadSigningKey(options.dataDir);
  const credentials = bootstrapAccounts(
    store, clock, key, productVersion,
    { clientId: options.adminClientId, clientSecret: options.adminClientSecret },
    options.seedUsers ?? [],
  );

  let origin = "";
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: 2048 }, bodyLimit: 4 * 1024 * 1024, forceCloseConnections: true });
  await app.register(multipart, { limits: { fileSize: maxPackageBytes } });
  installErrorHandling(app);
  installLogAndFaults(app, log, faults);

  const tokenContext = {
    store, clock, key,
    issuer: () => `${origin}${amPrefix}`,
    tokenLifetimeSeconds: () => faults.tokenLifetimeSeconds() ?? tokenLifetime,
    tokenEndpointDown: () => faults.tokenEndpointDown(),
  };
  const authenticate = makeAuthenticator(tokenContext);
  registerTokenRoutes(app, tokenContext);
  registerManagementRoutes(app, { store, clock, productVersion, routes, authenticate });
  registerAddonsRoutes(app, {
    store, clock, faults, routes, maxPackageBytes, authenticate,
    activationDelayMs: options.activationDelayMs ?? defaults.activationDelayMs,
  });
  app.get(addonsPrefix + toFastifyPath(routes.addonsOpenApi), async () => addonsOpenApi(`${origin}${addonsPrefix}`, routes));
  app.get(amPrefix + toFastifyPath(routes.managementOpenApi), async () => managementOpenApi(`${origin}${amPrefix}`, routes, productVersion));
  registerControls(app, { log, faults, clock, store });

  try {
    await app.listen({ port: options.port ?? 0, host });
  } catch (error) {
    store.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : options.port ?? 0;
  origin = `http://${publicHost(host)}:${port}`;

  let closed = false;
  return {
    accessManagementUrl: `${origin}${amPrefix}`,
    addonsUrl: `${origin}${addonsPrefix}`,
    productVersion,
    credentials,
    requestLog: () => log.entries(),
    clearRequestLog: () => log.clear(),
    setFaults: (f) => faults.set(f),
    advanceClock: (seconds) => clock.advance(seconds),
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      store.close();
    },
  };
}

export { tokenPath };
