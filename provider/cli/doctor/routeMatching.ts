// Matching an Add-ons Service's own OpenAPI (or Swagger 2.0) document to our route keys, by the
// shape of its paths and methods only: a real service's document carries no hint of this
// project's route profile. What fits one key unambiguously is proposed; the rest is named as
// not mapped, with the reason.
//
//   addons              a path without parameters that answers GET (list) and POST (upload, multipart)
//   addon               addons/{p}: GET, PUT (replace, multipart), DELETE
//   addonConfiguration  addon/<word>: GET, PUT and DELETE
//   addonStatus         addon/<word>: PUT, no DELETE (enable/disable)
//   addonPackage        addon/<word>: GET only (the download; a ZIP answer breaks a tie)
//   extensionStatus     addon/<word>/{q}/<word>: PUT
import { parseRouteOverrides, type RouteKey } from "../../config/routeProfile";
import { isObject, isParam, METHODS, type Json, type Method } from "./openApiDocument";

export const ADDON_ROUTE_KEYS = ["addons", "addon", "addonPackage", "addonStatus", "addonConfiguration", "extensionStatus"] as const;
export type AddonRouteKey = (typeof ADDON_ROUTE_KEYS)[number];

interface PathShape {
  /** As the document writes it, e.g. /v2/packages/{addonId} */
  path: string;
  segments: string[];
  methods: Set<Method>;
  /** Content types of request bodies, per method. */
  consumes: Partial<Record<Method, string[]>>;
  /** Content types of success answers, per method. */
  produces: Partial<Record<Method, string[]>>;
}

export interface RouteMatch {
  /** Templates for tridion:routes, relative to tridion:addonsUrl. */
  proposal: Partial<Record<AddonRouteKey, string>>;
  /** Keys no path fits unambiguously, and why. */
  unmapped: Array<{ key: AddonRouteKey; why: string }>;
  /** Every path of the document with its methods (upper case), as the report lists them. */
  paths: Array<{ path: string; methods: string[] }>;
  /**
   * When the document's paths lie outside tridion:addonsUrl (its server or basePath says so): the
   * base URL they are relative to, which tridion:addonsUrl should then be.
   */
  addonsUrl?: string;
}

function contentTypes(v: unknown): string[] {
  return isObject(v) ? Object.keys(v).map((k) => k.toLowerCase()) : [];
}

function shapesOf(doc: Json): PathShape[] {
  const paths = isObject(doc.paths) ? doc.paths : {};
  const docConsumes = Array.isArray(doc.consumes) ? (doc.consumes as string[]) : [];
  const docProduces = Array.isArray(doc.produces) ? (doc.produces as string[]) : [];
  const shapes: PathShape[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item) || !path.startsWith("/")) continue;
    const shape: PathShape = { path, segments: path.split("/").filter(Boolean), methods: new Set(), consumes: {}, produces: {} };
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      shape.methods.add(method);
      // OpenAPI 3: requestBody.content and responses[2xx].content; Swagger 2: consumes/produces.
      const body = isObject(op.requestBody) ? contentTypes(op.requestBody.content) : [];
      const formData = Array.isArray(op.parameters) && op.parameters.some((p) => isObject(p) && p.in === "formData");
      shape.consumes[method] = body.length
        ? body
        : (Array.isArray(op.consumes) ? (op.consumes as string[]) : formData ? docConsumes : []).map((c) => c.toLowerCase());
      const responses = isObject(op.responses) ? op.responses : {};
      const success = Object.entries(responses).filter(([code]) => /^2\d\d$/.test(code));
      const answered = success.flatMap(([, r]) => (isObject(r) ? contentTypes(r.content) : []));
      shape.produces[method] = answered.length
        ? answered
        : (Array.isArray(op.produces) ? (op.produces as string[]) : docProduces).map((c) => c.toLowerCase());
    }
    if (shape.methods.size) shapes.push(shape);
  }
  return shapes;
}

const has = (shape: PathShape, ...methods: Method[]) => methods.every((m) => shape.methods.has(m));
const lacks = (shape: PathShape, ...methods: Method[]) => methods.every((m) => !shape.methods.has(m));
const consumes = (shape: PathShape, method: Method, pattern: RegExp) => (shape.consumes[method] ?? []).some((c) => pattern.test(c));
const produces = (shape: PathShape, method: Method, pattern: RegExp) => (shape.produces[method] ?? []).some((c) => pattern.test(c));
const MULTIPART = /^multipart\/form-data/;
const JSON_TYPE = /json/;
const BINARY = /^application\/(zip|x-zip-compressed|octet-stream)/;

/** Paths that are `parent` plus exactly `extra`, where `extra[i]` is "param" or "word". */
function childrenOf(shapes: PathShape[], parent: PathShape, extra: Array<"param" | "word">): PathShape[] {
  const n = parent.segments.length;
  return shapes.filter(
    (s) =>
      s.segments.length === n + extra.length &&
      parent.segments.every((seg, i) => seg === s.segments[i]) &&
      extra.every((kind, i) => (kind === "param" ? isParam(s.segments[n + i]) : !isParam(s.segments[n + i]))),
  );
}

/** The one best candidate by score, or why there is none. */
function best(candidates: Array<{ shape: PathShape; score: number }>, what: string): { shape?: PathShape; why?: string } {
  if (candidates.length === 0) return { why: `no path has the shape of ${what}` };
  const top = Math.max(...candidates.map((c) => c.score));
  const winners = candidates.filter((c) => c.score === top);
  if (winners.length > 1) return { why: `several paths fit ${what} equally: ${winners.map((w) => w.shape.path).join(", ")}` };
  return { shape: winners[0].shape };
}

/** The document's server (OpenAPI 3 `servers[0].url`, Swagger 2 `basePath`) as an absolute URL. */
function serverBase(doc: Json, documentUrl: string): string | undefined {
  const servers = Array.isArray(doc.servers) ? doc.servers : [];
  const first = servers.find((s) => isObject(s) && typeof s.url === "string") as { url: string } | undefined;
  const raw = first?.url ?? (typeof doc.basePath === "string" ? doc.basePath : undefined);
  if (raw === undefined || /\{/.test(raw)) return undefined; // server variables: take the paths as relative to the base
  try {
    return new URL(raw, documentUrl).href.replace(/\/+$/, "");
  } catch {
    return undefined;
  }
}

/**
 * Where the document's paths are relative to: its server, when it names one; else tridion:addonsUrl
 * (Swashbuckle names none). A server below tridion:addonsUrl is a prefix of our templates; one
 * elsewhere is the base tridion:addonsUrl should be (`movedBase`).
 */
export function documentBase(doc: unknown, documentUrl: string, addonsUrl: string): { prefix: string; movedBase?: string } {
  const base = addonsUrl.replace(/\/+$/, "");
  const server = serverBase(isObject(doc) ? doc : {}, documentUrl);
  if (!server || server === base) return { prefix: "" };
  if (server.startsWith(`${base}/`)) return { prefix: server.slice(base.length) };
  return { prefix: "", movedBase: server };
}

/** The document's own path for one of our templates (relative to tridion:addonsUrl, or to the moved base). */
export function documentPathOf(template: string, prefix: string): string {
  return prefix && template.startsWith(`${prefix}/`) ? template.slice(prefix.length) : template;
}

/**
 * Our route keys for the paths of `doc` (found at `documentUrl`), as templates relative to
 * `addonsUrl` (tridion:addonsUrl), by shape only.
 */
export function matchAddonRoutes(doc: unknown, documentUrl: string, addonsUrl: string): RouteMatch {
  const json = isObject(doc) ? doc : {};
  const shapes = shapesOf(json);
  const proposal: RouteMatch["proposal"] = {};
  const unmapped: RouteMatch["unmapped"] = [];
  const paths = shapes.map((s) => ({ path: s.path, methods: METHODS.filter((m) => s.methods.has(m)).map((m) => m.toUpperCase()) }));
  const miss = (key: AddonRouteKey, why: string) => unmapped.push({ key, why });

  const { prefix, movedBase } = documentBase(json, documentUrl, addonsUrl);
  const template = (segments: string[]) => `${prefix}/${segments.join("/")}`;

  const collection = best(
    shapes
      .filter((s) => s.segments.length > 0 && !s.segments.some(isParam) && has(s, "get", "post"))
      .map((s) => {
        const item = childrenOf(shapes, s, ["param"])[0];
        return {
          shape: s,
          score:
            (consumes(s, "post", MULTIPART) ? 2 : 0) +
            (item && has(item, "get", "put", "delete") ? 2 : item && has(item, "get") ? 1 : 0) +
            (item && consumes(item, "put", MULTIPART) ? 1 : 0),
        };
      }),
    "the add-on list (GET) and upload (POST)",
  );
  if (!collection.shape) {
    for (const key of ADDON_ROUTE_KEYS) miss(key, key === "addons" ? collection.why! : "found no add-on list to start from");
    return { proposal, unmapped, paths, addonsUrl: movedBase };
  }
  proposal.addons = template(collection.shape.segments);

  const items = childrenOf(shapes, collection.shape, ["param"]).filter((s) => has(s, "get"));
  if (items.length !== 1) {
    miss("addon", `no path ${collection.shape.path}/{id} answers GET`);
    for (const key of ADDON_ROUTE_KEYS.slice(2)) miss(key, "found no single add-on path to start from");
    return { proposal, unmapped, paths, addonsUrl: movedBase };
  }
  const item = items[0];
  const itemSegments = [...item.segments.slice(0, -1), "{id}"];
  proposal.addon = template(itemSegments);

  const words = childrenOf(shapes, item, ["word"]);
  const pick = (key: AddonRouteKey, what: string, fits: (s: PathShape) => boolean, score: (s: PathShape) => number) => {
    const found = best(
      words.filter(fits).map((s) => ({ shape: s, score: score(s) })),
      what,
    );
    if (found.shape) proposal[key] = template([...itemSegments, found.shape.segments[found.shape.segments.length - 1]]);
    else miss(key, found.why!);
  };
  pick(
    "addonConfiguration",
    `${item.path}/<word> with GET, PUT and DELETE (the custom configuration)`,
    (s) => has(s, "get", "put", "delete"),
    (s) => (consumes(s, "put", JSON_TYPE) ? 1 : 0),
  );
  pick(
    "addonStatus",
    `${item.path}/<word> with PUT and no DELETE (enable or disable)`,
    (s) => has(s, "put") && lacks(s, "delete", "post"),
    (s) => (consumes(s, "put", JSON_TYPE) ? 1 : 0) + (lacks(s, "get") ? 1 : 0),
  );
  pick(
    "addonPackage",
    `${item.path}/<word> with GET only (the package download)`,
    (s) => has(s, "get") && lacks(s, "put", "post", "delete", "patch"),
    (s) => (produces(s, "get", BINARY) ? 1 : 0),
  );

  const extensions = childrenOf(shapes, item, ["word", "param", "word"]).filter((s) => has(s, "put"));
  const extension = best(
    extensions.map((s) => ({ shape: s, score: consumes(s, "put", JSON_TYPE) ? 1 : 0 })),
    `${item.path}/<word>/{name}/<word> with PUT (an extension's status)`,
  );
  if (extension.shape) {
    const [word, , last] = extension.shape.segments.slice(-3);
    proposal.extensionStatus = template([...itemSegments, word, "{name}", last]);
  } else miss("extensionStatus", extension.why!);

  // Only what the provider's own parser accepts is proposed.
  parseRouteOverrides(proposal as Partial<Record<RouteKey, string>>);
  return { proposal, unmapped, paths, addonsUrl: movedBase };
}
