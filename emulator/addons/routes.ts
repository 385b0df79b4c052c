// The Add-ons Service routes (docs/tridion-contract.md §3.2), with the role matrix of §3.1.
import * as fs from "node:fs";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Clock } from "../clock";
import { Problem } from "../problem";
import type { RouteProfile } from "../routes";
import { addonsPrefix, toFastifyPath } from "../routes";
import type { AddonRecord, Store } from "../store";
import { AddonServiceApi } from "../accessManagement/catalog";
import type { Caller } from "../accessManagement/bearer";
import type { Faults } from "../faults";
import { configurationSha256, validateConfiguration } from "./configuration";
import { bodyField, renderAddon, reportedStatus, spellStatus, type ResolvedAddonsDialect } from "./dialect";
import { inspectPackage, type InspectedPackage } from "./packageInspection";
import { receivePackage, type ReceivedPackage } from "./packageUpload";
import { addonView } from "./status";
import { ADDONS_ROLE_MATRIX, type AddonsOperation } from "tridion-sites-contract";

export { addonsPrefix };

/** Roles allowed per operation (docs/tridion-contract.md §3.1), as the provider's doctor reads them too. */
export const roleMatrix: Record<AddonOperation, readonly string[]> = Object.fromEntries(
  Object.entries(ADDONS_ROLE_MATRIX).map(([operation, { roles }]) => [operation, roles]),
) as Record<string, readonly string[]> as Record<AddonOperation, readonly string[]>;
export type AddonOperation = AddonsOperation;

export interface AddonsContext {
  store: Store;
  clock: Clock;
  faults: Faults;
  routes: RouteProfile;
  maxPackageBytes: number;
  activationDelayMs: number;
  /** How this installation spells its JSON, statuses and forms. */
  dialect: ResolvedAddonsDialect;
  authenticate: (request: FastifyRequest, audience: string, roles: string[]) => Promise<Caller>;
}

/** What every route of the service uses: the context, and the helpers over it. */
interface Service extends AddonsContext {
  path: (template: string) => string;
  allow: (request: FastifyRequest, operation: AddonOperation) => Promise<Caller>;
  view: (addon: AddonRecord) => unknown;
  find: (id: string) => AddonRecord;
  idParam: (request: FastifyRequest) => string;
}

export function registerAddonsRoutes(app: FastifyInstance, ctx: AddonsContext) {
  const service: Service = {
    ...ctx,
    path: (template) => addonsPrefix + toFastifyPath(template),
    allow: (request, operation) => ctx.authenticate(request, AddonServiceApi, [...roleMatrix[operation]]),
    view: (addon) => renderAddon(addonView(addon, ctx.clock.nowMs(), ctx.activationDelayMs), ctx.dialect),
    find: (id) => {
      const addon = ctx.store.data.addons.find((a) => a.id === id);
      if (!addon) throw new Problem(404, `No add-on with id "${id}". List the add-ons with GET ${ctx.routes.addons}.`);
      return addon;
    },
    idParam: (request) => (request.params as { id: string }).id,
  };
  registerPackageRoutes(app, service);
  registerStatusRoutes(app, service);
  registerConfigurationRoutes(app, service);
}

/**
 * Streams the upload to disk, validates it and hands it to `keep`, which moves the temp file
 * into place; whatever happens (an invalid package, a conflict, the add-on deleted while the
 * upload streamed), the temp file is gone afterwards.
 */
async function withUploadedPackage<T>(
  ctx: AddonsContext,
  request: FastifyRequest,
  keep: (received: ReceivedPackage, inspected: InspectedPackage) => T,
): Promise<T> {
  const received = await receivePackage(request, {
    tmpDir: ctx.store.tmpDir,
    maxBytes: ctx.maxPackageBytes,
    field: ctx.dialect.uploadField,
    dropAfterBytes: ctx.faults.takeUploadDrop(),
  });
  try {
    return keep(received, await inspectPackage(received.tmpPath, received.fileName));
  } finally {
    fs.rmSync(received.tmpPath, { force: true });
  }
}

/** The add-on record after a package was stored: its manifest's fields, the package's, activation starts again. */
function applyPackage(
  clock: Clock,
  addon: Partial<AddonRecord>,
  inspected: InspectedPackage,
  received: { fileName: string; size: number; sha256: string },
): AddonRecord {
  const now = clock.now().toISOString();
  return Object.assign(addon, {
    id: inspected.id,
    name: inspected.name,
    version: inspected.version,
    author: inspected.author,
    description: inspected.description,
    manifestVersion: inspected.manifestVersion,
    requireConfiguration: inspected.requireConfiguration,
    packageFileName: received.fileName,
    packageSize: received.size,
    packageSha256: received.sha256,
    uploadedAt: now,
    extensions: inspected.extensions,
    enabled: addon.enabled ?? true,
    activationStartedAt: now,
    reports: {},
  }) as AddonRecord;
}

/** The configuration document of a PUT: the JSON body, or the JSON file of the multipart part the dialect names. */
async function receiveConfiguration(request: FastifyRequest, d: ResolvedAddonsDialect): Promise<unknown> {
  const multipart = request.isMultipart();
  if (d.configurationTransport === "json") {
    if (multipart) throw new Problem(415, "Send the configuration as a JSON body (Content-Type: application/json), not as a form.");
    return request.body;
  }
  const howTo = `Upload the configuration as multipart/form-data with the JSON file in the field "${d.configurationField}" (e.g. curl -F ${d.configurationField}=@ID.config.json).`;
  if (!multipart) throw new Problem(415, howTo);
  let part;
  try {
    part = await request.file({ limits: { fileSize: 4 * 1024 * 1024, files: 1 } });
  } catch (error) {
    throw new Problem(400, `The multipart body cannot be read (${(error as Error).message}). ${howTo}`);
  }
  if (!part) throw new Problem(400, `The multipart body has no file. ${howTo}`);
  if (part.fieldname !== d.configurationField) {
    part.file.resume();
    throw new Problem(400, `The configuration must be in the multipart field "${d.configurationField}", not "${part.fieldname}".`);
  }
  const text = (await part.toBuffer()).toString("utf8");
  if (part.file.truncated) throw new Problem(413, "The configuration file is larger than 4 MiB.");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Problem(400, `The configuration file is not valid JSON (${(error as Error).message}).`);
  }
}

/** List, upload, read, replace, delete and download add-on packages. */
function registerPackageRoutes(app: FastifyInstance, service: Service) {
  const { store, clock, routes, path, allow, view, find, idParam } = service;
  app.get(path(routes.addons), async (request) => {
    await allow(request, "list");
    return store.data.addons.map(view);
  });

  app.post(path(routes.addons), async (request, reply) => {
    await allow(request, "upload");
    const addon = await withUploadedPackage(service, request, (received, inspected) => {
      if (store.data.addons.some((a) => a.id === inspected.id)) {
        throw new Problem(
          409,
          `An add-on with id "${inspected.id}" already exists. Replace its package with PUT ${routes.addon.replace("{id}", inspected.id)}, or delete it first.`,
          { existingId: inspected.id },
        );
      }
      fs.renameSync(received.tmpPath, store.packagePath(inspected.id));
      const created = applyPackage(clock, {}, inspected, received);
      store.data.addons.push(created);
      return created;
    });
    store.save();
    return reply.code(201).send(view(addon));
  });

  app.get(path(routes.addon), async (request) => {
    await allow(request, "get");
    return view(find(idParam(request)));
  });

  app.put(path(routes.addon), async (request) => {
    await allow(request, "update");
    const id = idParam(request);
    find(id);
    const addon = await withUploadedPackage(service, request, (received, inspected) => {
      if (inspected.id !== id) {
        throw new Problem(
          400,
          `The package's manifest id "${inspected.id}" does not match the add-on "${id}" in the URL. Upload it to ${routes.addon.replace("{id}", inspected.id)} or fix the manifest id.`,
        );
      }
      const current = find(id); // it may have been deleted while the upload streamed
      fs.renameSync(received.tmpPath, store.packagePath(id));
      return applyPackage(clock, current, inspected, received);
    });
    store.save();
    return view(addon);
  });

  app.delete(path(routes.addon), async (request, reply) => {
    await allow(request, "delete");
    const addon = find(idParam(request));
    store.data.addons = store.data.addons.filter((a) => a !== addon);
    fs.rmSync(store.packagePath(addon.id), { force: true });
    store.save();
    return reply.code(204).send();
  });

  app.get(path(routes.addonPackage), async (request, reply) => {
    await allow(request, "downloadPackage");
    const addon = find(idParam(request));
    return reply
      .type("application/zip")
      .header("Content-Disposition", `attachment; filename="${addon.packageFileName.replace(/"/g, "")}"`)
      .header("Content-Length", String(addon.packageSize))
      .send(fs.createReadStream(store.packagePath(addon.id)));
  });
}

/** Enable or disable an add-on; an extension reports how it loaded. */
function registerStatusRoutes(app: FastifyInstance, service: Service) {
  const { store, clock, routes, dialect, path, allow, view, find, idParam } = service;
  app.put(path(routes.addonStatus), async (request) => {
    await allow(request, "setStatus");
    const addon = find(idParam(request));
    const enabled = bodyField(request.body, "enabled");
    if (typeof enabled !== "boolean") throw new Problem(400, 'The body must be {"enabled": true} or {"enabled": false}.');
    if (enabled && !addon.enabled) addon.activationStartedAt = clock.now().toISOString();
    addon.enabled = enabled;
    store.save();
    return view(addon);
  });

  app.put(path(routes.extensionStatus), async (request) => {
    await allow(request, "extensionStatus");
    const addon = find(idParam(request));
    const name = (request.params as { name: string }).name;
    if (!addon.extensions.some((e) => e.name === name)) {
      throw new Problem(
        404,
        `Add-on "${addon.id}" has no extension "${name}". Its extensions: ${addon.extensions.map((e) => e.name).join(", ") || "none"}.`,
      );
    }
    const body = {
      environment: bodyField(request.body, "environment"),
      status: reportedStatus(bodyField(request.body, "status"), dialect),
      message: bodyField(request.body, "message"),
    };
    if (typeof body.environment !== "string" || !body.environment) {
      throw new Problem(400, '"environment" is required: "sitesCm" or a Content Delivery environment name such as "live".');
    }
    if (!body.status) throw new Problem(400, `"status" must be "Success" or "${spellStatus("Failed", dialect)}".`);
    if (body.message !== undefined && body.message !== null && typeof body.message !== "string") {
      throw new Problem(400, '"message" must be a string.');
    }
    const reports = (addon.reports[name] ?? []).filter((r) => r.environment !== body.environment);
    reports.push({
      environment: body.environment,
      status: body.status,
      message: (body.message as string | null | undefined) ?? "",
      reportedAt: clock.now().toISOString(),
    });
    addon.reports[name] = reports;
    store.save();
    return view(addon);
  });
}

/** An add-on's custom configuration: read, upload, delete. */
function registerConfigurationRoutes(app: FastifyInstance, service: Service) {
  const { store, clock, routes, dialect, path, allow, view, find, idParam } = service;
  app.get(path(routes.addonConfiguration), async (request, reply) => {
    await allow(request, "downloadConfiguration");
    const addon = find(idParam(request));
    if (addon.configuration === undefined) {
      throw new Problem(
        404,
        `Add-on "${addon.id}" has no custom configuration. Upload one with PUT ${routes.addonConfiguration.replace("{id}", addon.id)}.`,
      );
    }
    return reply.type("application/json").send(JSON.stringify(addon.configuration));
  });

  app.put(path(routes.addonConfiguration), async (request) => {
    await allow(request, "putConfiguration");
    const addon = find(idParam(request));
    const document = await receiveConfiguration(request, dialect);
    validateConfiguration(
      document,
      addon.extensions.map((e) => e.name),
    );
    addon.configuration = document;
    addon.configurationSha256 = configurationSha256(document);
    addon.activationStartedAt = clock.now().toISOString();
    addon.reports = {};
    store.save();
    return view(addon);
  });

  app.delete(path(routes.addonConfiguration), async (request, reply) => {
    await allow(request, "deleteConfiguration");
    const addon = find(idParam(request));
    if (addon.configuration !== undefined) {
      delete addon.configuration;
      delete addon.configurationSha256;
      // Like a new configuration: the consuming services reload, earlier reports no longer apply.
      addon.activationStartedAt = clock.now().toISOString();
      addon.reports = {};
      store.save();
    }
    return reply.code(204).send();
  });
}
