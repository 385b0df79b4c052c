// 5. The Add-ons Service: does the list route of the route profile answer as expected? When it
// does not, look for the service's own OpenAPI document where ASP.NET Core services serve one
// (Swashbuckle and friends), list its paths, match them to our route keys by shape, propose the
// tridion:routes value that fits, and try the proposed list route. With the document (and the
// list answer), compare what the provider sends and reads with what the service says of itself
// (contractComparison.ts): each difference with the setting that fixes it, merged into the same
// tridion:routes proposal.
import { AddonsClient } from "../../clients/addons";
import { translateHttpError } from "../../clients/errorTranslation";
import { ADDONS_AUDIENCE, ADDONS_SERVICE } from "../../clients/tridionApis";
import { addonForms } from "../../config/routeProfile";
import type { ProviderSettings } from "../../config/settings";
import { hasCode, isIdentityRefused, toTridionError, TridionError } from "../../errors/tridionError";
import { causeAndFix, type Check } from "../report";
import type { DoctorContext, IdentityUnderTest } from "./context";
import { compareContract, type ContractComparison, type Finding, type RequestSettings } from "./contractComparison";
import { OpenApiDocument, type Json } from "./openApiDocument";
import { ADDON_ROUTE_KEYS, documentBase, documentPathOf, matchAddonRoutes, type AddonRouteKey, type RouteMatch } from "./routeMatching";

const GROUP = "Add-ons Service";

/** Where ASP.NET Core services usually serve their document, relative to the service's base. */
export const OPENAPI_LOCATIONS = [
  "/swagger/v1/swagger.json", // Swashbuckle's default
  "/swagger/v2/swagger.json",
  "/swagger/v1.0/swagger.json",
  "/swagger/swagger.json",
  "/openapi/v1.json", // Microsoft.AspNetCore.OpenApi (.NET 9)
  "/swagger.json",
  "/openapi.json",
  "/api/v1/openapi.json", // this project's earlier contract
];

/** What doctor proposes for tridion:routes, for the report's JSON. */
export interface RoutesProposal {
  /** The whole value to set (the stack's other overrides kept). */
  value: Record<string, string>;
  /** The Add-ons keys matched from the document (empty when the routes in force work). */
  mapped: RouteMatch["proposal"];
  unmapped: RouteMatch["unmapped"];
  /** The settings of what the provider sends that the comparison with the document proposes (addonPackageField, ...). */
  settings: Record<string, string>;
  /** The command that sets it. */
  command: string;
  /** Whether the list route (the proposed one, when routes are proposed) answered as expected. */
  verified: boolean;
  /** When the document's paths lie outside tridion:addonsUrl: what it should be. */
  addonsUrl?: string;
}

/** What doctor learnt of the Add-ons Service, for its checks and for `--report`. */
export interface AddonsFindings {
  checks: Check[];
  proposal?: RoutesProposal;
  /** The service's own document and where it was found. */
  document?: { url: string; doc: Json };
  comparison?: ContractComparison;
  /** The list route's answer as the service gave it (read for the comparison). */
  listAnswer?: unknown[];
}

/** Errors that say the service cannot be reached or trusted: nothing more to learn from it. */
const SERVICE_PROBLEMS = ["UNREACHABLE", "SERVER_ERROR", "RATE_LIMITED", "TLS_UNTRUSTED", "TOKEN_REFUSED", "DISCOVERY_FAILED"] as const;

async function deployerFor(ctx: DoctorContext): Promise<IdentityUnderTest | undefined> {
  for (const identity of ctx.identities) {
    const { token } = await ctx.token(identity);
    if (token && (token.audiences.length === 0 || token.audiences.includes(ADDONS_AUDIENCE))) return identity;
  }
  return undefined;
}

/** GET a URL, with a token when one is given; the answer's JSON (or text), or the translated error. */
async function get(ctx: DoctorContext, url: string, token?: string): Promise<{ status: number; data: unknown } | { error: TridionError }> {
  try {
    const res = await ctx.session!.http.send<unknown>({
      url,
      method: "GET",
      headers: { Accept: "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    });
    return { status: res.status, data: res.data };
  } catch (error) {
    return { error: translateHttpError(error, { action: `read ${url}`, service: ADDONS_SERVICE }) };
  }
}

async function findDocument(
  ctx: DoctorContext,
  token: string | undefined,
): Promise<{ url?: string; doc?: Record<string, unknown>; tried: string[] }> {
  const base = ctx.settings!.addonsUrl!;
  const bases = [base];
  const parsed = new URL(base);
  if (parsed.pathname === "/" || parsed.pathname === "") bases.push(`${parsed.origin}/addon`); // the product's conventional base
  const locations = [...new Set([ctx.session!.routes.template("addonsOpenApi"), ...OPENAPI_LOCATIONS])];
  const tried: string[] = [];
  for (const b of bases) {
    for (const location of locations) {
      const url = `${b.replace(/\/+$/, "")}${location}`;
      tried.push(url);
      let answer = await get(ctx, url);
      if ("error" in answer && answer.error.status === 401 && token) answer = await get(ctx, url, token);
      if ("error" in answer) continue;
      let doc = answer.data;
      if (typeof doc === "string") {
        try {
          doc = JSON.parse(doc);
        } catch {
          continue;
        }
      }
      const json = doc as Record<string, unknown> | null;
      if (json && typeof json === "object" && (json.openapi || json.swagger) && json.paths && typeof json.paths === "object") {
        return { url, doc: json, tried };
      }
    }
  }
  return { tried };
}

function quoteShell(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** What the provider sends, as the route profile in force says: read as the Add-ons client reads it. */
function requestSettings(settings: ProviderSettings): RequestSettings {
  return addonForms(settings.routes);
}

/** The document's path of each Add-ons route key, for the templates in force (or proposed). */
function documentPaths(
  document: OpenApiDocument,
  templates: Record<AddonRouteKey, string>,
  prefix: string,
): Partial<Record<AddonRouteKey, string>> {
  const paths: Partial<Record<AddonRouteKey, string>> = {};
  for (const key of ADDON_ROUTE_KEYS) {
    const path = document.findPath(documentPathOf(templates[key], prefix));
    if (path) paths[key] = path;
  }
  return paths;
}

/** The one tridion:routes value doctor proposes: the stack's overrides, the routes matched, the settings compared. */
function proposalFor(
  ctx: DoctorContext,
  routes: Pick<RoutesProposal, "mapped" | "unmapped" | "verified" | "addonsUrl">,
  settings: Record<string, string>,
): RoutesProposal {
  const value = { ...(ctx.settings!.routes as Record<string, string>), ...(routes.mapped as Record<string, string>), ...settings };
  return { ...routes, value, settings, command: `pulumi config set tridion:routes ${quoteShell(JSON.stringify(value))}` };
}

/** The comparison's findings as checks, a fix that needs a setting ending with the whole proposal's command. */
function findingChecks(findings: Finding[], proposal: RoutesProposal | undefined): Check[] {
  return findings.map((f) => ({
    id: f.id,
    group: GROUP,
    title: f.title,
    verdict: f.verdict,
    summary: f.summary,
    ...(f.cause ? { cause: f.cause } : {}),
    ...(f.fix
      ? { fix: f.settings && proposal ? `${f.fix} The whole proposal, your other overrides kept: ${proposal.command}` : f.fix }
      : {}),
    details: { ...f.details, ...(f.settings ? { settings: f.settings } : {}), ...(f.noSetting ? { noSetting: true } : {}) },
  }));
}

function documentCheck(url: string, document: OpenApiDocument, paths: RouteMatch["paths"]): Check {
  const listed = paths.map((p) => `${p.methods.join("/")} ${p.path}`);
  return {
    id: "addons.openapi",
    group: GROUP,
    title: "OpenAPI document",
    verdict: "info",
    summary: `found at ${url} (${document.specification}): ${paths.length} paths: ${listed.join("; ")}.`,
    details: { url, paths },
  };
}

/** The list route's answer as the service gives it (no mapping): for the comparison and the report. */
async function rawList(ctx: DoctorContext, url: string, token: string | undefined): Promise<unknown[] | undefined> {
  if (!token) return undefined;
  const answer = await get(ctx, url, token);
  return "error" in answer || !Array.isArray(answer.data) ? undefined : answer.data;
}

/** The list route answered: compare what the provider sends and reads with the document (if any) and the answer. */
async function contractChecks(ctx: DoctorContext, listCheck: Check, listUrl: string, token: string | undefined): Promise<AddonsFindings> {
  const found = await findDocument(ctx, token);
  const listAnswer = await rawList(ctx, listUrl, token);
  const templates = Object.fromEntries(ADDON_ROUTE_KEYS.map((k) => [k, ctx.session!.routes.template(k)])) as Record<AddonRouteKey, string>;
  let document: OpenApiDocument | undefined;
  let docCheck: Check;
  let paths: Partial<Record<AddonRouteKey, string>> = {};
  if (found.doc) {
    document = new OpenApiDocument(found.doc);
    const match = matchAddonRoutes(found.doc, found.url!, ctx.settings!.addonsUrl!);
    paths = documentPaths(document, templates, documentBase(found.doc, found.url!, ctx.settings!.addonsUrl!).prefix);
    docCheck = documentCheck(found.url!, document, match.paths);
    const missing = ADDON_ROUTE_KEYS.filter((k) => !paths[k]);
    if (missing.length) {
      docCheck.summary += ` Not in it: ${missing.map((k) => `${k} ${templates[k]}`).join(", ")} (the routes in force; compared where the document has them).`;
    }
  } else {
    docCheck = {
      id: "addons.openapi",
      group: GROUP,
      title: "OpenAPI document",
      verdict: "info",
      summary: `none found at the usual places (${found.tried.length} tried): what the provider reads is compared with the list answer only${listAnswer?.length ? "" : ", which lists no add-on"}.`,
      details: { tried: found.tried },
    };
  }
  const comparison = compareContract({ document, paths, current: requestSettings(ctx.settings!), listAnswer });
  const proposal = Object.keys(comparison.settings).length
    ? proposalFor(ctx, { mapped: {}, unmapped: [], verified: true }, comparison.settings)
    : undefined;
  return {
    checks: [listCheck, docCheck, ...findingChecks(comparison.findings, proposal)],
    proposal,
    document: found.doc ? { url: found.url!, doc: found.doc } : undefined,
    comparison,
    listAnswer,
  };
}

/** The list route did not answer as expected: find the document, match its routes, propose, compare. */
type FoundDocument = { url?: string; doc?: Record<string, unknown>; tried: string[] };
type Match = ReturnType<typeof matchAddonRoutes>;
/** The proposed list route, called as the provider would call it. */
interface ListTried {
  proposedListUrl: string;
  verified: boolean;
  listAnswer: unknown[] | undefined;
  /** In words, for the summary. */
  verification: string;
}

/**
 * The list route failed: find the service's own OpenAPI document, match its paths to the route
 * keys by shape, try the proposed list route, and compare what the provider sends and reads.
 */
async function routeChecks(
  ctx: DoctorContext,
  deployer: IdentityUnderTest | undefined,
  listFailure: Check,
  listUrl: string,
): Promise<AddonsFindings> {
  const token = deployer ? (await ctx.token(deployer)).token?.value : undefined;
  const found = await findDocument(ctx, token);
  if (!found.doc) return withoutDocument(ctx, found, listFailure, listUrl, token);
  const document = new OpenApiDocument(found.doc);
  const match = matchAddonRoutes(found.doc, found.url!, ctx.settings!.addonsUrl!);
  const docCheck = documentCheck(found.url!, document, match.paths);
  const mappedKeys = Object.keys(match.proposal);
  if (mappedKeys.length === 0) return nothingMatched(found, match, listFailure, docCheck);
  const tried = await tryProposedList(ctx, match, token);
  const { verified, listAnswer } = tried;
  // What the provider sends and reads, on the routes as proposed.
  const templates = Object.fromEntries(ADDON_ROUTE_KEYS.map((k) => [k, match.proposal[k] ?? ctx.session!.routes.template(k)])) as Record<
    AddonRouteKey,
    string
  >;
  const prefix = match.addonsUrl ? "" : documentBase(found.doc, found.url!, ctx.settings!.addonsUrl!).prefix;
  const comparison = compareContract({
    document,
    paths: documentPaths(document, templates, prefix),
    current: requestSettings(ctx.settings!),
    listAnswer,
  });
  const moved = mappedKeys.filter((k) => match.proposal[k as AddonRouteKey] !== ctx.session!.routes.template(k as AddonRouteKey));
  const common = { found, match, listFailure, docCheck, tried, comparison };
  if (!moved.length && !match.addonsUrl && verified) return answerNotRoutes(ctx, common);
  return proposeRoutes(ctx, common);
}

/** No OpenAPI document at the usual places: compare the list answer, if any, with what the provider reads. */
async function withoutDocument(
  ctx: DoctorContext,
  found: FoundDocument,
  listFailure: Check,
  listUrl: string,
  token: string | undefined,
): Promise<AddonsFindings> {
  const answered = await rawList(ctx, listUrl, token);
  if (answered) {
    // The route answers with a list the provider could not take: compare it with what the provider reads.
    const comparison = compareContract({ paths: {}, current: requestSettings(ctx.settings!), listAnswer: answered });
    return {
      comparison,
      listAnswer: answered,
      checks: [
        listFailure,
        {
          id: "addons.openapi",
          group: GROUP,
          title: "OpenAPI document",
          verdict: "info",
          summary: `none found at the usual places (${found.tried.length} tried): the list answer is compared with what the provider reads.`,
          details: { tried: found.tried },
        },
        ...findingChecks(comparison.findings, undefined),
      ],
    };
  }
  return {
    checks: [
      {
        ...listFailure,
        fix: "Find where your installation serves the Add-ons API (its administrator, or its OpenAPI document) and set tridion:addonsUrl and tridion:routes accordingly.",
      },
      {
        id: "addons.openapi",
        group: GROUP,
        title: "OpenAPI document",
        verdict: "fail",
        summary: `none found at the usual places: ${found.tried.join(", ")}.`,
        cause: "Without the service's own document, its routes cannot be matched to the route profile.",
        fix: "Ask the installation's administrator where the Add-ons Service's Swagger/OpenAPI document is (or for its routes), then set tridion:routes.",
        details: { tried: found.tried },
      },
    ],
  };
}

/** doctor's verdict on the route profile. */
function routesCheck(check: Omit<Check, "id" | "group" | "title">): Check {
  return { id: "addons.routes", group: GROUP, title: "route profile", ...check };
}

/** A document, but no route key fits its paths by shape. */
function nothingMatched(found: FoundDocument, match: Match, listFailure: Check, docCheck: Check): AddonsFindings {
  return {
    document: { url: found.url!, doc: found.doc! },
    checks: [
      listFailure,
      docCheck,
      routesCheck({
        verdict: "fail",
        summary: "no route key could be matched to the document's paths by shape.",
        cause: match.unmapped.map((u) => `${u.key}: ${u.why}`).join("; "),
        fix: "Set tridion:routes by hand from the paths above (keys: addons, addon, addonPackage, addonStatus, addonConfiguration, extensionStatus).",
      }),
    ],
  };
}

async function tryProposedList(ctx: DoctorContext, match: Match, token: string | undefined): Promise<ListTried> {
  const base = match.addonsUrl ?? ctx.settings!.addonsUrl!;
  const proposedListUrl = `${base.replace(/\/+$/, "")}${match.proposal.addons}`;
  const answer = await get(ctx, proposedListUrl, token);
  const verified = !("error" in answer) && Array.isArray(answer.data);
  const listAnswer = verified ? (answer as { data: unknown[] }).data : undefined;
  const verification = verified
    ? `GET ${proposedListUrl} answers with a list of ${listAnswer!.length} add-on(s)`
    : `GET ${proposedListUrl} did not answer with a list${"error" in answer ? ` (${answer.error.message})` : ""}`;
  return { proposedListUrl, verified, listAnswer, verification };
}

interface Compared {
  found: FoundDocument;
  match: Match;
  listFailure: Check;
  docCheck: Check;
  tried: ListTried;
  comparison: ReturnType<typeof compareContract>;
}

/** The routes in force are the document's paths and the list answers: the answer itself is what the provider could not take. */
function answerNotRoutes(ctx: DoctorContext, { found, match, listFailure, docCheck, tried, comparison }: Compared): AddonsFindings {
  const { verified, listAnswer, verification, proposedListUrl } = tried;
  // The routes are where the document says: the answer itself is what the provider could not take.
  const proposal = Object.keys(comparison.settings).length
    ? proposalFor(ctx, { mapped: {}, unmapped: [], verified }, comparison.settings)
    : undefined;
  return {
    proposal,
    document: { url: found.url!, doc: found.doc! },
    comparison,
    listAnswer,
    checks: [
      listFailure,
      docCheck,
      routesCheck({
        verdict: "info",
        summary: `the routes in force are the document's paths, and ${verification}: what the provider could not take is the answer itself (compared below).`,
        details: { mapped: match.proposal, unmapped: match.unmapped, verified, listUrl: proposedListUrl },
      }),
      ...findingChecks(comparison.findings, proposal),
    ],
  };
}

/** The routes moved: propose the tridion:routes (and addonsUrl) that fit the document, with what else differs. */
function proposeRoutes(ctx: DoctorContext, { found, match, listFailure, docCheck, tried, comparison }: Compared): AddonsFindings {
  const { verified, listAnswer, verification, proposedListUrl } = tried;
  const mappedKeys = Object.keys(match.proposal);
  const proposal = proposalFor(
    ctx,
    { mapped: match.proposal, unmapped: match.unmapped, verified, addonsUrl: match.addonsUrl },
    comparison.settings,
  );
  const urlFix = match.addonsUrl ? ` and \`pulumi config set tridion:addonsUrl ${match.addonsUrl}\` (the document's server)` : "";
  const unmapped = match.unmapped.map((u) => `${u.key}: ${u.why}`);
  return {
    proposal,
    document: { url: found.url!, doc: found.doc! },
    comparison,
    listAnswer,
    checks: [
      { ...listFailure, fix: `${proposal.command}${urlFix} (proposed below from the service's own OpenAPI document).` },
      docCheck,
      routesCheck({
        // The list route's failure is the problem; this is its fix, sure when every key fits and the list answers.
        verdict: verified && unmapped.length === 0 ? "info" : "warn",
        summary:
          `matched by shape: ${mappedKeys.map((k) => `${k} ${match.proposal[k as keyof typeof match.proposal]}`).join(", ")}; ` +
          `${unmapped.length ? `could not map: ${unmapped.join("; ")}` : "every Add-ons route key mapped"}; ${verification}.`,
        cause: `The routes of tridion:routes (or the defaults) are not where this service serves them.${unmapped.length ? " The keys not mapped keep their current template: check them by hand." : ""}`,
        fix: `${proposal.command}${urlFix}`,
        details: { proposed: proposal.value, mapped: match.proposal, unmapped: match.unmapped, verified, listUrl: proposedListUrl },
      }),
      ...findingChecks(comparison.findings, proposal),
    ],
  };
}

export async function addonsChecks(ctx: DoctorContext): Promise<AddonsFindings> {
  if (!ctx.settings?.addonsUrl) {
    return {
      checks: [
        {
          id: "addons.list",
          group: GROUP,
          title: "list route",
          verdict: "skip",
          summary: "tridion:addonsUrl is not usable (see Settings).",
        },
      ],
    };
  }
  const session = ctx.session!;
  const listUrl = session.routes.url(ctx.settings.addonsUrl, "addons");
  const deployer = await deployerFor(ctx);
  let error: TridionError;
  if (deployer) {
    try {
      const addons = await new AddonsClient(session, deployer).list();
      const shown = addons.slice(0, 10).map((a) => `${a.id} (${a.status ?? "?"})`);
      const listCheck: Check = {
        id: "addons.list",
        group: GROUP,
        title: "list route",
        verdict: "pass",
        summary: `GET ${listUrl} answers with ${addons.length} add-on(s) for ${deployer.label}${shown.length ? `: ${shown.join(", ")}${addons.length > shown.length ? ", ..." : ""}` : ""}.`,
        details: {
          url: listUrl,
          identity: deployer.clientId,
          addons: addons.map((a) => ({ id: a.id, version: a.version, status: a.status })),
        },
      };
      return contractChecks(ctx, listCheck, listUrl, (await ctx.token(deployer)).token?.value);
    } catch (e) {
      error = toTridionError(e);
    }
  } else {
    // No identity may call it: an unauthenticated GET still tells whether the route exists (401) or not (404).
    const answer = await get(ctx, listUrl);
    if ("error" in answer && answer.error.status === 401) {
      return {
        checks: [
          {
            id: "addons.list",
            group: GROUP,
            title: "list route",
            verdict: "warn",
            summary: `GET ${listUrl} answers 401 without a token: the route is there, but no identity given has access to ${ADDONS_AUDIENCE} to read it.`,
            fix: "Check it with an identity that may: --identity CLIENT_ID (its secret in the environment).",
          },
        ],
      };
    }
    error =
      "error" in answer
        ? answer.error
        : new TridionError(
            "UNEXPECTED_ANSWER",
            `GET ${listUrl} answered ${answer.status} without a token, where the Add-ons Service answers 401.`,
            { fix: "check tridion:addonsUrl and tridion:routes." },
          );
  }
  const { cause, fix } = causeAndFix(error);
  const down = hasCode(error, "UNREACHABLE", "SERVER_ERROR", "RATE_LIMITED");
  const listFailure: Check = {
    id: "addons.list",
    group: GROUP,
    title: "list route",
    verdict: "fail",
    summary: down
      ? `the Add-ons Service does not answer at ${listUrl}: it is down or unreachable from here.`
      : hasCode(error, "TLS_UNTRUSTED")
        ? `the Add-ons Service's TLS certificate is not trusted (${listUrl}).`
        : `GET ${listUrl} does not answer as the route profile expects.`,
    cause,
    fix,
    details: { url: listUrl, code: error.code, status: error.status },
  };
  // A wrong route, or an answer the provider cannot take (a field or status it does not know), is
  // what the service's own document explains; a service down or an identity refused is not.
  if (hasCode(error, ...SERVICE_PROBLEMS) || isIdentityRefused(error)) return { checks: [listFailure] };
  return routeChecks(ctx, deployer, listFailure, listUrl);
}
