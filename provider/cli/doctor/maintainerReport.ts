// `doctor --report FILE`: what a maintainer needs to support an installation the provider does
// not yet speak to: the product version, the Add-ons Service's own document (paths, methods,
// bodies and schemas, reduced to their structure), the status values seen, the field names of
// the list answer, what doctor proposes, and its verdicts. Nothing that identifies the
// installation or its content goes in: no secret, token, host name, port or URL origin, no client
// id, no add-on's id, name or content. Every string passes through `scrub` (and the secret
// redaction) before it is written.
import * as fs from "node:fs";
import * as path from "node:path";
import { addonStatusOf, fieldValue } from "../../clients/addonsContract";
import { SETTINGS, type SettingName } from "../../config/settings";
import { redactSecrets } from "../../errors/redaction";
import type { Check } from "../report";
import type { AddonsFindings } from "./addonsChecks";
import type { DoctorContext } from "./context";
import { isObject, METHODS, OpenApiDocument, type Json } from "./openApiDocument";

export const REPORT_FORMAT = "pulumi-tridion doctor report";

/** The keys of a schema (or parameter) that describe its structure; descriptions, examples and defaults may carry content. */
const STRUCTURE = new Set([
  "$ref",
  "type",
  "format",
  "enum",
  "items",
  "properties",
  "required",
  "nullable",
  "additionalProperties",
  "allOf",
  "oneOf",
  "anyOf",
  "discriminator",
  "readOnly",
  "writeOnly",
]);

function structure(schema: unknown, depth = 0): unknown {
  if (depth > 20) return {};
  if (Array.isArray(schema)) return schema.map((s) => structure(s, depth + 1));
  if (!isObject(schema)) return typeof schema === "boolean" ? schema : undefined;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!STRUCTURE.has(key)) continue;
    if (key === "properties" && isObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, p]) => [name, structure(p, depth + 1)]));
    } else if (key === "enum" || key === "required" || key === "$ref" || key === "type" || key === "format") out[key] = value;
    else out[key] = structure(value, depth + 1);
  }
  return out;
}

/** The document's paths and operations as structure: methods, parameters, bodies and answers by content type. */
function describeDocument(url: string, doc: Json, addonsUrl: string) {
  const document = new OpenApiDocument(doc);
  const paths = Object.entries(document.paths).map(([p, item]) => ({
    path: p,
    operations: Object.fromEntries(
      METHODS.filter((m) => isObject(item) && isObject(item[m])).map((m) => {
        const op = (item as Json)[m] as Json;
        const responses = isObject(op.responses) ? op.responses : {};
        return [
          m.toUpperCase(),
          {
            operationId: typeof op.operationId === "string" ? op.operationId : undefined,
            parameters: (Array.isArray(op.parameters) ? op.parameters : []).filter(isObject).map((prm) => ({
              name: prm.name,
              in: prm.in,
              required: prm.required === true,
              schema: structure(prm.schema ?? { type: prm.type, format: prm.format }),
            })),
            requestBody: document.requestBodies(op).map((b) => ({ contentType: b.contentType, schema: structure(b.schema) })),
            responses: Object.fromEntries(
              Object.entries(responses).map(([code, r]) => [
                code,
                isObject(r) && isObject(r.content)
                  ? Object.entries(r.content).map(([type, media]) => ({
                      contentType: type.toLowerCase(),
                      schema: structure(isObject(media) ? media.schema : undefined),
                    }))
                  : isObject(r) && r.schema !== undefined
                    ? [{ contentType: "(Swagger 2 produces)", schema: structure(r.schema) }]
                    : [],
              ]),
            ),
          },
        ];
      }),
    ),
  }));
  // Where it was found, relative to tridion:addonsUrl (never the origin).
  const base = addonsUrl.replace(/\/+$/, "");
  const location = url.startsWith(`${base}/`) ? url.slice(base.length) : `(elsewhere) ${new URL(url).pathname}`;
  const servers = (Array.isArray(doc.servers) ? doc.servers : []).filter(isObject).map((s) => {
    try {
      return new URL(String(s.url), "http://server.invalid").pathname;
    } catch {
      return "(not a URL)";
    }
  });
  const info = isObject(doc.info) ? doc.info : {};
  return {
    location,
    specification: document.specification,
    title: typeof info.title === "string" ? info.title : undefined,
    version: typeof info.version === "string" ? info.version : undefined,
    serverPaths: servers,
    basePath: typeof doc.basePath === "string" ? doc.basePath : undefined,
    paths,
    schemas: Object.fromEntries(Object.entries(document.schemas).map(([name, s]) => [name, structure(s)])),
  };
}

/** The field names of the list answer's add-ons (and of their extensions): names only, never values. */
function describeListAnswer(answer: unknown[] | undefined) {
  if (!answer) return null;
  const items = answer.filter(isObject);
  const extensions = items.flatMap((i) => {
    const e = fieldValue(i, "extensions");
    return Array.isArray(e) ? e.filter(isObject) : [];
  });
  const types = (objects: Json[]) => {
    const out: Record<string, string[]> = {};
    for (const o of objects) {
      for (const [k, v] of Object.entries(o)) {
        const t = v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
        out[k] = [...new Set([...(out[k] ?? []), t])];
      }
    }
    return out;
  };
  return { addons: items.length, fields: types(items), extensionFields: types(extensions) };
}

/** Words that identify the installation or its content, and what stands in for them. */
export class Scrubber {
  private readonly literals: Array<[string, string]> = [];

  add(value: unknown, placeholder: string): this {
    if (typeof value === "string" && value.trim().length >= 2) this.literals.push([value, placeholder]);
    return this;
  }

  /** A URL's origin, its host and its host:port. */
  addUrl(url: string | undefined, placeholder: string): this {
    if (!url) return this;
    try {
      const u = new URL(url);
      this.add(u.origin, `<${placeholder} origin>`).add(u.host, "<host>").add(u.hostname, "<host>");
    } catch {
      /* not a URL: nothing of it to hide */
    }
    return this;
  }

  text(value: string): string {
    let out = value;
    // Longest first, so a host:port goes before its host; whole tokens only (an id is not a part of a word).
    for (const [literal, placeholder] of [...this.literals].sort((a, b) => b[0].length - a[0].length)) {
      const escaped = literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      out = out.replace(new RegExp(`(?<![A-Za-z0-9_.-])${escaped}(?![A-Za-z0-9_-])`, "g"), placeholder);
    }
    return out
      .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s/"'`<>)]+/gi, "<origin>")
      .replace(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g, "<host>")
      .replace(/\[[0-9a-f:]+\]/gi, "<host>")
      .replace(/<host>:\d+/g, "<host>");
  }

  /** Every string of a JSON value (keys too), scrubbed. */
  json<T>(value: T): T {
    if (typeof value === "string") return this.text(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.json(v)) as T;
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.text(k), this.json(v)])) as T;
    return value;
  }
}

function packageVersion(): string {
  // provider/cli/doctor (ts-node) or provider/dist/cli/doctor (built): the package.json above.
  for (let dir = __dirname, i = 0; i < 5; i++, dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "pulumi-tridion") return pkg.version ?? "unknown";
  }
  return "unknown";
}

export interface MaintainerReportInput {
  ctx: DoctorContext;
  checks: Check[];
  addons?: AddonsFindings;
  verdict: string;
  summary: string;
}

/** The report as a JSON value, scrubbed. */
export async function maintainerReport({ ctx, checks, addons, verdict, summary }: MaintainerReportInput) {
  const settings = ctx.settings;
  const scrub = new Scrubber();
  scrub.addUrl(settings?.accessManagementUrl, "accessManagementUrl").addUrl(settings?.addonsUrl, "addonsUrl");
  if (settings?.proxy && settings.proxy !== "direct") scrub.addUrl(settings.proxy, "proxy");
  if (addons?.document) scrub.addUrl(addons.document.url, "document");
  if (addons?.proposal?.addonsUrl) scrub.addUrl(addons.proposal.addonsUrl, "addonsUrl");
  ctx.identities.forEach((identity) => scrub.add(identity.clientId, identity.role === "provider" ? "<provider client id>" : "<client id>"));
  for (const item of (addons?.listAnswer ?? []).filter(isObject)) {
    scrub.add(fieldValue(item, "id"), "<add-on>").add(fieldValue(item, "name"), "<add-on name>");
    scrub.add(fieldValue(item, "packageFileName"), "<package file>");
  }
  for (const check of checks.filter((c) => c.id === "addons.list")) {
    const listed = (check.details?.addons ?? []) as Array<{ id?: string }>;
    for (const a of listed) scrub.add(a.id, "<add-on>");
  }
  const version = settings ? await ctx.productVersion() : undefined;
  const comparison = addons?.comparison;
  const statusValues = [...(comparison?.statuses.document ?? []), ...(comparison?.statuses.answers ?? [])];
  const identityLabel = (subject: string | undefined) => {
    if (!subject) return undefined;
    const index = ctx.identities.findIndex((i) => i.label === subject);
    return index < 0 ? "(a subject)" : ctx.identities[index].role === "provider" ? "provider identity" : `identity ${index + 1}`;
  };
  const report = {
    format: REPORT_FORMAT,
    formatVersion: 1,
    generatedAt: new Date().toISOString(),
    provider: { name: "pulumi-tridion", version: packageVersion() },
    doctor: { verdict, summary },
    productVersion: version ? { version: version.version, how: version.how, detected: version.detected ?? null } : null,
    settings: {
      /** Which settings have a value (never the values, but the route profile's, which are paths and form field names). */
      set: (Object.keys(SETTINGS) as SettingName[])
        .filter((name) => ctx.source.origin(name) !== undefined)
        .map((name) => `${SETTINGS[name].key} (${ctx.source.origin(name)})`),
      addonsUrlPath: settings?.addonsUrl ? new URL(settings.addonsUrl).pathname : null,
      accessManagementUrlPath: settings?.accessManagementUrl ? new URL(settings.accessManagementUrl).pathname : null,
      routes: settings?.routes ?? {},
      tokenAuthMethod: settings?.tokenAuthMethod ?? null,
      productVersion: settings?.productVersion ?? null,
    },
    addonsDocument:
      addons?.document && settings?.addonsUrl ? describeDocument(addons.document.url, addons.document.doc, settings.addonsUrl) : null,
    statuses: {
      document: comparison?.statuses.document ?? [],
      answers: comparison?.statuses.answers ?? [],
      mapping: Object.fromEntries(
        [...new Set(statusValues.filter((v): v is string => typeof v === "string"))].map((v) => [v, addonStatusOf(v) ?? null]),
      ),
    },
    letterCase: comparison?.letterCase ?? null,
    listAnswer: describeListAnswer(addons?.listAnswer),
    proposal: addons?.proposal
      ? {
          routes: addons.proposal.mapped,
          unmapped: addons.proposal.unmapped,
          settings: addons.proposal.settings,
          verified: addons.proposal.verified,
        }
      : null,
    // Every verdict; the words only of the Add-ons Service's checks (the others name accounts and identities).
    checks: checks.map((c) => ({
      id: c.id,
      group: c.group,
      title: c.title,
      ...(c.subject ? { subject: identityLabel(c.subject) } : {}),
      verdict: c.verdict,
      ...(c.group === "Add-ons Service"
        ? { summary: c.summary, ...(c.cause ? { cause: c.cause } : {}), ...(c.fix ? { fix: c.fix } : {}) }
        : {}),
    })),
  };
  return scrub.json(report);
}

/** Writes the report (redacted, private to the user). */
export function writeMaintainerReport(file: string, report: unknown): void {
  fs.writeFileSync(file, redactSecrets(`${JSON.stringify(report, null, 2)}\n`), { mode: 0o600 });
}
