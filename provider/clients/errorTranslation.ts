// One place that turns HTTP, token and network failures into errors a user can act on: what
// happened, why, and the fix, each with a stable code. No stack traces, no tokens, no secrets.
import type { AxiosError } from "axios";
import { clip } from "../errors/redaction";
import { TridionError, type ErrorCode } from "../errors/tridionError";
import { retryAfterTooLong } from "../http/policy";
import type { ProductVersion } from "./productVersion";
import { ACCESS_MANAGEMENT, ROLE_AM_ADMIN } from "./tridionApis";

/** What an answer means at this call site, and (optionally) the fix; a default fix follows otherwise. */
export interface Hint {
  explain: string;
  fix?: string;
}

/** What the caller was doing, so a translated error can say it. */
export interface OperationContext {
  /** e.g. "upload the add-on package acme-tools-1.0.zip" */
  action: string;
  /** "Add-ons Service" | "Access Management" */
  service: string;
  /** client id of the identity the request ran as */
  identity?: string;
  /** role key the operation needs, per the role matrix */
  neededRole?: string;
  productVersion?: ProductVersion;
  /** what a 404 means here */
  notFound?: Hint;
  /** what a 409 means here */
  conflict?: Hint;
  /** what a 400 may mean here (Access Management refuses with 400 where others say 409) */
  badRequest?: Hint;
  /** the API resource key the token needs in its `aud` (e.g. Tridion.AddonService) */
  audience?: string;
}

/** The fix for an identity lacking a role, per product version (the 403 the predefined Add-ons API account gets on upload). */
export function missingRoleFix(role: string, version: ProductVersion = "unknown"): string {
  if (role === ROLE_AM_ADMIN) {
    const account =
      version === "9"
        ? `the predefined "Access Management API" service account`
        : version === "10"
          ? `the predefined "Access Management API Client (admin)" service account`
          : `the predefined Access Management API service account ("Access Management API" in 9.5/9.6, "Access Management API Client (admin)" in 10.x)`;
    return `set tridion:clientId / tridion:clientSecret to ${account} (or another identity holding ${ROLE_AM_ADMIN}); managing users and service accounts needs that role.`;
  }
  const v9 = `In Tridion Sites 9.5/9.6 the predefined "Add-ons API" account only has the Service role and cannot be changed: add client credentials to a user and give that user the role ${role} (the ClientCredentialUser resource with roles: ["${role}"]), then deploy with its clientId/clientSecret (AddonPackage \`credentials\`, or tridion:clientId / tridion:clientSecret).`;
  const v10 = `In Tridion Sites 10 create a service account with the role ${role} (the ServiceAccount resource with roles: ["${role}"]) and deploy with its clientId/clientSecret (AddonPackage \`credentials\`, or tridion:clientId / tridion:clientSecret).`;
  if (version === "9") return v9;
  if (version === "10") return v10;
  return `${v9} ${v10}`;
}

/** The identity's token lacks the role the operation needs (seen before the call). */
export function missingRoleError(ctx: OperationContext & { neededRole: string }, heldRoles: string[]): TridionError {
  const who = ctx.identity ? `"${ctx.identity}"` : "the configured identity";
  const held = heldRoles.length ? heldRoles.join(", ") : "no roles";
  return new TridionError(
    "ROLE_MISSING",
    `Cannot ${ctx.action}: the identity ${who} lacks the role ${ctx.neededRole} on ${theService(ctx.service)} (its token holds ${held}).`,
    {
      fix: missingRoleFix(ctx.neededRole, ctx.productVersion),
      details: { identity: ctx.identity, neededRole: ctx.neededRole, heldRoles, productVersion: ctx.productVersion },
    },
  );
}

/** "the Add-ons Service", but "Access Management" (a product name takes no article). */
export function theService(service: string): string {
  return service === ACCESS_MANAGEMENT ? service : `the ${service}`;
}

/** A token that the service will refuse because its `aud` lacks the service's API (a 401 foretold). */
export function missingAudienceError(ctx: OperationContext & { audience: string; neededRole: string }, audiences: string[]): TridionError {
  const who = ctx.identity ? `"${ctx.identity}"` : "the configured identity";
  return new TridionError(
    "AUDIENCE_MISSING",
    `Cannot ${ctx.action}: the token of the identity ${who} is not issued for ${theService(ctx.service)} (its aud holds ${audiences.join(", ")}; ${theService(ctx.service)} accepts only tokens whose aud includes ${ctx.audience}), ` +
      `so the service would answer 401: the identity has no access to the API ${ctx.audience}, let alone the role ${ctx.neededRole} there (a role on an API gives the identity's tokens that audience).`,
    {
      fix: missingRoleFix(ctx.neededRole, ctx.productVersion),
      details: { identity: ctx.identity, audience: ctx.audience, audiences, neededRole: ctx.neededRole },
    },
  );
}

interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: unknown;
}
interface OAuthError {
  error?: string;
  error_description?: string;
}
/** Access Management's ErrorResponse; its stackTrace and innerException are never shown. */
interface AmErrorMessage {
  code?: string | null;
  message?: string | null;
  target?: string | null;
  details?: AmErrorMessage[] | null;
}

/** Lines of a .NET stack trace ("   at Namespace.Type.Method(...)") never reach a message. */
function withoutStackTrace(text: string): string {
  return text
    .split(/\r?\n/)
    .filter((line) => !/^\s+at\s+\S/.test(line) && !/^\s*---\s*End of/.test(line))
    .join(" ")
    .trim();
}

function describeAmError(m: AmErrorMessage): string | undefined {
  const details = (m.details ?? []).map((d) => d?.message).filter((x): x is string => typeof x === "string" && x.length > 0);
  const main = typeof m.message === "string" && m.message ? m.message : undefined;
  const named = (text: string, word: string) =>
    new RegExp(`(^|[^\\w.])${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\w])`).test(text);
  const target = typeof m.target === "string" && m.target && !named(main ?? "", m.target) ? ` (${m.target})` : "";
  const text = [main ? `${main}${target}` : undefined, ...details].filter(Boolean).join(" ");
  return text ? clip(withoutStackTrace(text), 1000) : undefined;
}

function describeBody(data: unknown): string | undefined {
  let body: unknown = data;
  if (Buffer.isBuffer(body)) body = body.toString("utf8");
  if (body instanceof ArrayBuffer) body = Buffer.from(body).toString("utf8");
  if (typeof body === "string") {
    const text: string = body;
    try {
      body = JSON.parse(text);
    } catch {
      const plain = withoutStackTrace(text);
      return plain ? clip(plain, 500) : undefined;
    }
  }
  if (body && typeof body === "object") {
    const am = (body as { errorMessage?: AmErrorMessage }).errorMessage;
    if (am && typeof am === "object") return describeAmError(am);
    const p = body as ProblemDetails & OAuthError;
    if (p.error) return p.error_description ? `${p.error}: ${p.error_description}` : p.error;
    const parts = [p.title, p.detail].filter((x): x is string => typeof x === "string" && x.length > 0);
    if (p.errors && typeof p.errors === "object") parts.push(clip(JSON.stringify(p.errors), 500));
    if (parts.length) return parts.join(": ");
  }
  return undefined;
}

function isAxiosError(e: unknown): e is AxiosError {
  return !!e && typeof e === "object" && (e as { isAxiosError?: boolean }).isAxiosError === true;
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: "the connection was refused (nothing listens there)",
  ENOTFOUND: "the host name does not resolve",
  EAI_AGAIN: "the host name could not be resolved (DNS)",
  ECONNRESET: "the connection was reset",
  EPIPE: "the connection was closed while sending",
  ETIMEDOUT: "the connection timed out",
  ECONNABORTED: "the request timed out",
  ERR_CANCELED: "the request was cancelled",
  EHOSTUNREACH: "the host is unreachable",
};

const TLS_CODES = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Translate any failure of an HTTP call into a TridionError (already-translated errors pass through). */
export function translateHttpError(error: unknown, ctx: OperationContext): TridionError {
  if (error instanceof TridionError) return error;
  if (!isAxiosError(error)) {
    return new TridionError("INTERNAL", `Cannot ${ctx.action}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  const retryAfter = error.response?.headers?.["retry-after"];
  const transport = { code: error.code, retryAfter: retryAfter === undefined ? undefined : String(retryAfter) };
  const { code, message, fix } = describeHttpFailure(error, ctx);
  const { method, url } = summary(error);
  return new TridionError(code, message, {
    fix,
    details: compactDetails({ method, url, status: error.response?.status }),
    status: error.response?.status,
    transport,
    cause: summary(error),
  });
}

function compactDetails(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** What of an HTTP error may travel as a cause: no headers, no bodies, no query strings. */
function summary(error: AxiosError) {
  return {
    code: error.code,
    status: error.response?.status,
    method: error.config?.method?.toUpperCase(),
    url: error.config?.url ? safeUrl(error.config.url, error.config.baseURL) : undefined,
  };
}

type Described = { code: ErrorCode; message: string; fix: string };

/** What every description of a failed request draws on. */
interface FailureFacts {
  ctx: OperationContext;
  /** "Access Management" or "the Add-ons Service". */
  service: string;
  /** " (METHOD url)", or "" when unknown. */
  url: string;
  /** " The service said: "..."." or "". */
  said: string;
  /** The identity, quoted, or "the configured identity". */
  who: string;
  status: number;
  headers: Record<string, unknown> | undefined;
}

/** A request that got no answer: an untrusted certificate, or a network failure. */
function describeNoAnswer(error: AxiosError, ctx: OperationContext, service: string, url: string): Described {
  const code = error.code ?? "";
  if (TLS_CODES.has(code)) {
    return {
      code: "TLS_UNTRUSTED",
      message: `Cannot ${ctx.action}: ${service}'s TLS certificate is not trusted (${code})${url}.`,
      fix: "set tridion:caCertificate (env TRIDION_CA_CERTIFICATE) to the PEM of the CA that signed it, or a path to that PEM file.",
    };
  }
  const why = NETWORK_CODES[code] ?? (error.message || "no answer");
  return {
    code: "UNREACHABLE",
    message: `Cannot ${ctx.action}: ${service} did not answer${url}: ${why}.`,
    fix: "check that the URL in stack config (tridion:accessManagementUrl / tridion:addonsUrl) is right and the service is running and reachable; raise tridion:requestTimeoutSeconds for slow networks.",
  };
}

/** An answer with an error status, by status: what it means for the operation, and the fix. */
const BY_STATUS: Record<number, (f: FailureFacts) => Described> = {
  400: ({ ctx, service, url, said }) => ({
    code: "BAD_REQUEST",
    message:
      `Cannot ${ctx.action}: ${service} rejected the request (400)${url}.${said}` + (ctx.badRequest ? ` ${ctx.badRequest.explain}` : ""),
    fix: ctx.badRequest?.fix ?? "correct what that message names, then run the command again.",
  }),
  401: ({ ctx, service, url, said, who }) => ({
    code: "UNAUTHORIZED",
    message: `Cannot ${ctx.action}: ${service} rejected the token of ${who} (401 Unauthorized)${url}: the token is missing, expired, or not issued for this service (audience), even after one fresh token.${said}`,
    fix: "check tridion:accessManagementUrl points at the Access Management that this service trusts, and that the identity's client secret is still valid.",
  }),
  403: ({ ctx, service, url, said, who }) =>
    ctx.neededRole
      ? {
          code: "FORBIDDEN",
          message: `Cannot ${ctx.action}: ${service} answered 403 Forbidden${url}: the identity ${who} lacks the role ${ctx.neededRole}.${said}`,
          fix: missingRoleFix(ctx.neededRole, ctx.productVersion),
        }
      : {
          code: "FORBIDDEN",
          message: `Cannot ${ctx.action}: ${service} answered 403 Forbidden for ${who}${url}.${said}`,
          fix: "give that identity the role this operation needs.",
        },
  404: ({ ctx, url, said }) => ({
    code: "NOT_FOUND",
    message: `Cannot ${ctx.action}: not found (404)${url}.${said} ${ctx.notFound?.explain ?? "The object or the route does not exist."}`,
    fix: ctx.notFound?.fix ?? "if the route is wrong for your installation, override it with tridion:routes.",
  }),
  409: ({ ctx, url, said }) => ({
    code: "CONFLICT",
    message: `Cannot ${ctx.action}: conflict (409)${url}.${said} ${ctx.conflict?.explain ?? "The object already exists or was changed concurrently."}`,
    fix:
      ctx.conflict?.fix ??
      "run `pulumi refresh` to see what the service holds now, then run the command again (or choose another name if it is taken).",
  }),
  413: ({ ctx, service, url, said }) => ({
    code: "TOO_LARGE",
    message: `Cannot ${ctx.action}: ${service} refused the request as too large (413 Payload Too Large)${url}.${said}`,
    fix: "make the package smaller (leave build outputs, sources and tests out of the add-on folder) or raise the upload limit of the service and any reverse proxy in front of it.",
  }),
  429: ({ ctx, service, url, said, headers }) => ({
    code: "RATE_LIMITED",
    message: `Cannot ${ctx.action}: ${service} kept answering 429 Too Many Requests${url}, and ${retriesRanOut(headers?.["retry-after"])}.${said}`,
    fix: "run with lower parallelism (pulumi up --parallel 4) or try again later.",
  }),
};

/** Statuses outside the table: a server error, a redirect, anything else. */
function describeOtherStatus({ ctx, service, url, said, status, headers }: FailureFacts): Described {
  if (status >= 500) {
    return {
      code: "SERVER_ERROR",
      message: `Cannot ${ctx.action}: ${service} failed with ${status}${url}, and ${retriesRanOut(headers?.["retry-after"])}.${said}`,
      fix: "check the service's health and logs, then run the command again; nothing is lost, the next run resumes.",
    };
  }
  if (status >= 300 && status < 400) {
    const location = headers?.location ? ` to ${safeUrl(String(headers.location))}` : "";
    return {
      code: "REDIRECTED",
      message: `Cannot ${ctx.action}: ${service} redirects (${status})${location}${url}; the provider does not follow redirects, so credentials and uploads never go somewhere unexpected.`,
      fix: "set tridion:accessManagementUrl / tridion:addonsUrl to the final URL (often https, or with or without a trailing path).",
    };
  }
  return {
    code: "UNEXPECTED_STATUS",
    message: `Cannot ${ctx.action}: ${service} answered ${status}${url}.${said}`,
    fix: "check the URLs and route profile (tridion:routes) against your installation; the message above is the service's own explanation.",
  };
}

function describeHttpFailure(error: AxiosError, ctx: OperationContext): Described {
  const url = error.config?.url
    ? ` (${error.config.method?.toUpperCase() ?? "GET"} ${safeUrl(error.config.url, error.config.baseURL)})`
    : "";
  const service = theService(ctx.service);
  const res = error.response;
  if (!res) return describeNoAnswer(error, ctx, service, url);
  const detail = describeBody(res.data);
  const facts: FailureFacts = {
    ctx,
    service,
    url,
    said: detail ? ` The service said: "${detail}".` : "",
    who: ctx.identity ? `"${ctx.identity}"` : "the configured identity",
    status: res.status,
    headers: res.headers as Record<string, unknown> | undefined,
  };
  return (BY_STATUS[res.status] ?? describeOtherStatus)(facts);
}

/** "the retries ran out", or, when the service asked for a longer pause than we wait, how long it asked. */
function retriesRanOut(retryAfter: unknown): string {
  const asked = retryAfterTooLong(retryAfter);
  if (asked)
    return `it asked to wait ${Math.round(asked.askedMs / 1000)} s (Retry-After), longer than the ${asked.capMs / 1000} s the provider waits, so it stopped instead of hanging the deployment`;
  return "the retries ran out";
}

/** Token endpoint failures (RFC 6749 §5.2) and discovery failures. */
export function translateTokenError(error: unknown, clientId: string, authority: string): TridionError {
  if (error instanceof TridionError) return error;
  const e = error as { error?: string; error_description?: string; status?: number; message?: string; code?: string; cause?: unknown };
  let oauth = e?.error ?? (e?.cause as { error?: string } | undefined)?.error;
  if (e?.code === "OAUTH_WWW_AUTHENTICATE_CHALLENGE") {
    // A 401 with a WWW-Authenticate challenge (Basic auth refused): the client was not accepted.
    const challenges = Array.isArray(e.cause) ? (e.cause as { parameters?: { error?: string } }[]) : [];
    oauth = challenges.find((c) => c.parameters?.error)?.parameters?.error ?? (e.status === 401 ? "invalid_client" : undefined);
  }
  if (oauth === "invalid_scope") {
    return new TridionError(
      "NO_API_ACCESS",
      `Cannot get a token for "${clientId}" from Access Management (${authority}): invalid_scope — the identity has access to no API, so Access Management issues it no token.`,
      {
        fix: 'give it access to the API it calls and a role there (e.g. roles: ["Tridion.AddonService.Administrator"] on its ClientCredentialUser or ServiceAccount, or in the Access Management UI).',
        details: { clientId, oauthError: oauth },
        status: 401,
      },
    );
  }
  if (oauth === "invalid_client" || oauth === "unauthorized_client") {
    return new TridionError(
      "CREDENTIALS_REJECTED",
      `Cannot get a token for "${clientId}" from Access Management (${authority}): ${oauth} — the client id is unknown, or its secret is wrong, expired or revoked.`,
      {
        fix: "check tridion:clientId / tridion:clientSecret (or the resource's credentials); if the secret expired or was revoked, create a new one (bump secretVersion on the ClientCredentialUser/ServiceAccount that owns it).",
        details: { clientId, oauthError: oauth },
        status: 401,
      },
    );
  }
  if (oauth) {
    const desc = e.error_description ? `: ${e.error_description}` : "";
    return new TridionError(
      "TOKEN_REFUSED",
      `Cannot get a token for "${clientId}" from Access Management (${authority}): ${oauth}${desc}.`,
      {
        fix: "check the identity's client credentials and that it may use the client_credentials grant.",
        details: { clientId, oauthError: oauth },
      },
    );
  }
  if (isAxiosError(error)) {
    return translateHttpError(error, { action: `get a token for "${clientId}"`, service: "Access Management", identity: clientId });
  }
  // openid-client: a non-JSON or unexpected answer carries the fetch Response as `cause`.
  const answered = (e?.cause as { status?: number } | undefined)?.status ?? e?.status;
  if (typeof answered === "number" && answered >= 500) {
    return new TridionError(
      "SERVER_ERROR",
      `Cannot get a token for "${clientId}" from Access Management (${authority}): the token endpoint answered ${answered} (unavailable), and the retries ran out.`,
      {
        fix: "check that Access Management is running and healthy, then run the command again; nothing is lost, the next run resumes.",
        status: answered,
      },
    );
  }
  const msg = e?.message ?? String(error);
  return new TridionError("DISCOVERY_FAILED", `Cannot get a token for "${clientId}" from Access Management (${authority}): ${msg}.`, {
    fix: "check tridion:accessManagementUrl (env TRIDION_ACCESS_MANAGEMENT_URL): it must be the authority, e.g. https://host/access-management, whose /.well-known/openid-configuration answers.",
  });
}

function safeUrl(url: string, base?: string): string {
  try {
    const u = new URL(url, base);
    u.username = "";
    u.password = "";
    u.search = "";
    return u.toString();
  } catch {
    return url;
  }
}
