// One listener of the emulator (Access Management's or the Add-ons Service's): a fastify server
// that parses JSON as ASP.NET Core does, answers errors in the shape its service uses, injects the
// configured faults, writes the shared request log and serves the test controls.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import multipart from "@fastify/multipart";
import type { Clock } from "./clock";
import type { Faults } from "./faults";
import { Problem, sendProblem } from "./problem";
import type { RequestLog } from "./requestLog";
import type { Store } from "./store";
import type { Catalog } from "./accessManagement/catalog";
import { AmError, sendAmError, sendAmInternalError } from "./accessManagement/errors";
import { dateTimeForm } from "./accessManagement/secrets";
import { BearerRefusal } from "./accessManagement/bearer";
import { controlsPrefix, registerControls } from "./controls";
import type { TlsMaterial } from "./tls";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A request body that breaks the schema: the first error, as a target path and a sentence. */
function describeValidation(error: FastifyError, body: unknown): { target: string | null; message: string } {
  const first = error.validation?.[0];
  if (!first) return { target: null, message: error.message };
  const pointer = first.instancePath
    .replace(/^\//, "")
    .replace(/\/(\d+)(?=\/|$)/g, "[$1]")
    .replace(/\//g, ".");
  const extra = (first.params as { additionalProperty?: string; missingProperty?: string; format?: string }) ?? {};
  if (first.keyword === "format" && extra.format === "date-time") {
    // The same sentence as the handler's own check (parseDateTime), whichever refuses the value first.
    const sent = first.instancePath
      .split("/")
      .slice(1)
      .reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], body);
    return { target: pointer || null, message: `"${pointer}" must be ${dateTimeForm}; got ${JSON.stringify(sent)}.` };
  }
  if (extra.additionalProperty) {
    const target = pointer ? `${pointer}.${extra.additionalProperty}` : extra.additionalProperty;
    return { target, message: `The property "${target}" is not part of this object (the schema allows no other properties). Remove it.` };
  }
  if (extra.missingProperty) {
    const target = pointer ? `${pointer}.${extra.missingProperty}` : extra.missingProperty;
    return { target, message: `The property "${target}" is required.` };
  }
  const target = pointer || null;
  return { target, message: `${target ?? "The request body"} ${first.message ?? "is invalid"}.` };
}

/** Access Management answers as ASP.NET Core does; the Add-ons Service (our contract) with problems. */
function installErrorHandling(app: FastifyInstance, isAm: (path: string) => boolean) {
  app.setErrorHandler((error: FastifyError | Problem | AmError | BearerRefusal, request, reply) => {
    if (reply.raw.destroyed || request.raw.socket?.destroyed) return;
    const am = isAm(request.url.split("?")[0]);
    if (error instanceof BearerRefusal) {
      reply.header("WWW-Authenticate", error.challenge);
      return am ? reply.code(error.status).send() : sendProblem(reply, error.status, error.detail);
    }
    if (error instanceof AmError) return sendAmError(reply, error);
    if (error instanceof Problem) return sendProblem(reply, error.status, error.detail, error.extra, error.headers);
    const fastifyError = error as FastifyError;
    const status = fastifyError.statusCode;
    if (status && status >= 400 && status < 500) {
      if (am && (fastifyError.validation || status === 400 || status === 415)) {
        const { target, message } = fastifyError.validation
          ? describeValidation(fastifyError, request.body)
          : {
              target: null,
              message: `The request body is not valid JSON (${error.message}). Send a JSON object with Content-Type: application/json.`,
            };
        return sendAmError(reply, new AmError(400, "InvalidInput", message, target));
      }
      const hint = fastifyError.code?.startsWith("FST_ERR_CTP") ? " Send a valid JSON body with Content-Type: application/json." : "";
      return sendProblem(reply, status, `${error.message}.${hint}`);
    }
    process.stderr.write(`tridion-emulator: internal error on ${request.method} ${request.url}: ${error.stack ?? error}\n`);
    return am
      ? sendAmInternalError(reply, 500, "The emulator failed unexpectedly; see its stderr.")
      : sendProblem(reply, 500, "The emulator failed unexpectedly; see its stderr.");
  });
  // ASP.NET Core answers an unknown route with an empty 404.
  app.setNotFoundHandler((request, reply) =>
    isAm(request.url.split("?")[0])
      ? reply.code(404).send()
      : sendProblem(
          reply,
          404,
          `No route ${request.method} ${request.url.split("?")[0]}. Check the base URLs and the route profile (emulator/README.md).`,
        ),
  );
}

/** JSON bodies as ASP.NET Core reads them: application/json, text/json and application/*+json; an empty body is no body. */
function installJsonParsing(app: FastifyInstance) {
  const parse = (_request: unknown, body: string, done: (error: Error | null, value?: unknown) => void) => {
    if (body.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(body));
    } catch (error) {
      const parseError = error as Error & { statusCode?: number };
      parseError.statusCode = 400;
      done(parseError);
    }
  };
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser(["application/json", "text/json"], { parseAs: "string" }, parse as never);
  app.addContentTypeParser(/^application\/[\w.-]+\+json$/, { parseAs: "string" }, parse as never);
}

/** An injected error: Access Management's 500 carries its error body (with a stack trace), a gateway's 502/503/429 none. */
function sendInjected(reply: FastifyReply, am: boolean, status: number) {
  if (!am) return sendProblem(reply, status, `Injected fault: ${status} (emulator fault injection).`);
  if (status === 500) return sendAmInternalError(reply, 500, "An unexpected error occurred (emulator fault injection).");
  return reply.code(status).send();
}

function installLogAndFaults(app: FastifyInstance, log: RequestLog, faults: Faults, isAm: (path: string) => boolean) {
  app.decorateRequest("identity", null);
  const lostResponses = new WeakSet<object>();
  const hungResponses = new WeakSet<object>();
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
      return sendInjected(reply, isAm(path), burst.status);
    }
    if (faults.takeLostResponse(request.method, path)) lostResponses.add(request);
    else if (faults.takeHungResponse(request.method, path)) hungResponses.add(request);
  });
  /** The request as carried out, into the log (marked `lost` or `hung`): its answer never arrives. */
  const logWithheld = (request: FastifyRequest, status: number, mark: { lost: true } | { hung: true }) =>
    log.add({
      time: new Date().toISOString(),
      method: request.method,
      path: request.url.split("?")[0],
      status,
      identity: request.identity ?? null,
      ...mark,
    });
  // The request was carried out; its answer is held back for good (a server that hangs after
  // its write): the caller waits until it gives up or is killed. Closing the emulator ends it.
  app.addHook("onSend", async (request, reply, payload) => {
    if (!hungResponses.has(request)) return payload;
    logWithheld(request, reply.statusCode, { hung: true });
    return new Promise<typeof payload>(() => undefined);
  });
  // The request was carried out; its answer never leaves: the connection closes instead.
  app.addHook("onSend", async (request, reply, payload) => {
    if (!lostResponses.has(request)) return payload;
    logWithheld(request, reply.statusCode, { lost: true });
    request.raw.socket?.destroy();
    return payload;
  });
  app.addHook("onResponse", async (request, reply) => {
    const path = request.url.split("?")[0];
    if (path.startsWith(controlsPrefix) || lostResponses.has(request) || hungResponses.has(request)) return; // logged when lost or hung
    log.add({ time: new Date().toISOString(), method: request.method, path, status: reply.statusCode, identity: request.identity ?? null });
  });
}

/** Which service a listener serves. */
export type Service = "accessManagement" | "addons";

/** What every listener of one emulator shares. */
export interface ListenerContext {
  /** Access Management's base path (its routes answer in its error shape). */
  amBase: string;
  tls: TlsMaterial | undefined;
  maxPackageBytes: number;
  log: RequestLog;
  faults: Faults;
  clock: Clock;
  store: Store;
  catalog: Catalog;
}

/** A listener of one service, with the shared request log, faults and test controls. */
export async function createListener(service: Service, ctx: ListenerContext): Promise<FastifyInstance> {
  const isAm = (path: string) => service === "accessManagement" && path.toLowerCase().startsWith(`${ctx.amBase.toLowerCase()}/`);
  const app = Fastify({
    logger: false,
    routerOptions: { maxParamLength: 2048, caseSensitive: false }, // ASP.NET Core matches routes in any case
    bodyLimit: 4 * 1024 * 1024,
    forceCloseConnections: true,
    // Bodies are checked as sent: no coercion, no defaults filled in, no properties removed.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
    ...(ctx.tls ? { https: { key: ctx.tls.key, cert: ctx.tls.cert } } : {}),
  });
  if (service === "addons") await app.register(multipart, { limits: { fileSize: ctx.maxPackageBytes } });
  installJsonParsing(app);
  installErrorHandling(app, isAm);
  installLogAndFaults(app, ctx.log, ctx.faults, isAm);
  // Every answer's Date header is the emulator's clock (moved by the tests), as a server's is its own.
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("Date", ctx.clock.now().toUTCString());
    return payload;
  });
  registerControls(app, { log: ctx.log, faults: ctx.faults, clock: ctx.clock, store: ctx.store, catalog: ctx.catalog });
  return app;
}

/** The host name to put in URLs: a wildcard address is reached on loopback. */
export function publicHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

/** Listens on `port` (0: any free one) and returns the origin to reach it at. */
export async function listenOn(
  app: FastifyInstance,
  host: string,
  port: number | undefined,
  tls: TlsMaterial | undefined,
): Promise<string> {
  await app.listen({ port: port ?? 0, host });
  const address = app.server.address();
  return `${tls ? "https" : "http"}://${publicHost(host)}:${typeof address === "object" && address ? address.port : (port ?? 0)}`;
}
