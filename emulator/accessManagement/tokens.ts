// OIDC discovery, JWKS and the token endpoint (client_credentials). Checking bearer tokens is
// bearer.ts.
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { SignJWT } from "jose";
import type { Clock } from "../clock";
import type { Account, SecretRecord, Store } from "../store";
import type { SigningKey } from "./keys";
import { grantedKeys } from "./accounts";
import type { Catalog } from "./catalog";
import { isExpired, secretMatches } from "./secrets";
import type { Propagation } from "./propagation";

/** Where Access Management lives on Tridion Sites (Tridion Docs serves the same API under /ISHAM). */
export const defaultAmBasePath = "/access-management";

export interface TokenContext {
  store: Store;
  catalog: Catalog;
  clock: Clock;
  /** New secrets and grants that have not reached the token endpoint yet (the propagationDelayMs fault). */
  propagation: Propagation;
  key: SigningKey;
  /** The AM base path as served, e.g. /access-management (routes match it in any letter case). */
  basePath: string;
  /** The issuer of discovery and tokens: the authority, lower-cased unless turned off (IdentityServer's LowerCaseIssuerUri). */
  issuer: () => string;
  /** The authority as served (its case kept): the endpoints in discovery live under it. */
  authority: () => string;
  tokenLifetimeSeconds: () => number;
  tokenEndpointDown: () => boolean;
}

declare module "fastify" {
  interface FastifyRequest {
    identity: string | null;
  }
}

function tokenError(reply: FastifyReply, status: number, error: string, description: string) {
  // RFC 6749 §5.2: a challenge only when the client tried HTTP Basic authentication.
  if (status === 401 && /^basic /i.test(reply.request.headers.authorization ?? "")) {
    reply.header("WWW-Authenticate", 'Basic realm="access-management"');
  }
  return reply.code(status).header("Cache-Control", "no-store").send({ error, error_description: description });
}

/** Reads client credentials from HTTP Basic or the form body (RFC 6749 §2.3.1). */
function clientCredentials(
  request: FastifyRequest,
  form: Record<string, string>,
): { clientId: string; secret: string } | { error: string } {
  const header = request.headers.authorization;
  const inBody = form.client_id !== undefined || form.client_secret !== undefined;
  if (header && /^basic /i.test(header)) {
    if (inBody) return { error: "Use one client authentication method: HTTP Basic or client_id/client_secret in the body, not both." };
    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return { error: "The Basic authorization header must hold client_id:client_secret." };
    const unescape = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, " "));
      } catch {
        return s;
      }
    };
    return { clientId: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
  }
  if (form.client_id !== undefined && form.client_secret !== undefined) {
    return { clientId: form.client_id, secret: form.client_secret };
  }
  return { error: "" };
}

/** IdentityServer writes a claim with one value as a plain string, with several as an array. */
function oneOrMany(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : values;
}

/**
 * The account and the secret that match; a disabled user's credentials count as unknown, and so
 * does a secret that has not reached the token endpoint yet.
 */
function findAccountBySecret(
  store: Store,
  propagation: Propagation,
  clientId: string,
  secret: string,
  now: Date,
): { account: Account; record: SecretRecord } | undefined {
  const account = store.data.accounts.find((a) => a.clientId === clientId);
  if (!account || account.user?.isEnabled === false) return undefined;
  const record = account.secrets.find((s) => !isExpired(s, now) && secretMatches(s, secret) && propagation.secretVisible(s.id));
  return record ? { account, record } : undefined;
}

export function registerTokenRoutes(app: FastifyInstance, ctx: TokenContext) {
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.get(`${ctx.basePath}/.well-known/openid-configuration`, async () => discoveryDocument(ctx));
  app.get(`${ctx.basePath}/.well-known/openid-configuration/jwks`, async () => ({ keys: [ctx.key.publicJwk] }));
  app.post(`${ctx.basePath}/connect/token`, async (request, reply) => issueToken(ctx, request, reply));
}

/** The OpenID Connect discovery document, as IdentityServer serves it for client credentials. */
function discoveryDocument(ctx: TokenContext) {
  const issuer = ctx.issuer();
  const authority = ctx.authority();
  return {
    issuer,
    jwks_uri: `${authority}/.well-known/openid-configuration/jwks`,
    token_endpoint: `${authority}/connect/token`,
    grant_types_supported: ["client_credentials"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    response_types_supported: ["token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    scopes_supported: [],
    claims_supported: ["sub", "client_id", "user_id", "role", "aud", "scope", "iss", "exp", "iat"],
  };
}

/** The token endpoint: the request checked in the order IdentityServer checks it, then a token for what the account holds now. */
async function issueToken(ctx: TokenContext, request: FastifyRequest, reply: FastifyReply) {
  if (ctx.tokenEndpointDown()) {
    reply.header("Retry-After", "1");
    return tokenError(reply, 503, "temporarily_unavailable", "The token endpoint is down (emulator fault injection).");
  }
  const form = (request.body ?? {}) as Record<string, string>;
  if (typeof form !== "object" || !request.headers["content-type"]?.startsWith("application/x-www-form-urlencoded")) {
    return tokenError(reply, 400, "invalid_request", "Send the token request as application/x-www-form-urlencoded.");
  }
  if (!form.grant_type) {
    return tokenError(reply, 400, "invalid_request", "grant_type is missing; use grant_type=client_credentials.");
  }
  const creds = clientCredentials(request, form);
  if ("error" in creds) {
    return creds.error
      ? tokenError(reply, 400, "invalid_request", creds.error)
      : tokenError(
          reply,
          401,
          "invalid_client",
          "Client authentication is missing: send client_id and client_secret (HTTP Basic or form body).",
        );
  }
  const now = ctx.clock.now();
  const found = findAccountBySecret(ctx.store, ctx.propagation, creds.clientId, creds.secret, now);
  if (!found) {
    return tokenError(
      reply,
      401,
      "invalid_client",
      "Client authentication failed: unknown client, a wrong, expired or revoked secret, or a deactivated user.",
    );
  }
  const { account } = found;
  request.identity = creds.clientId;
  if (form.grant_type !== "client_credentials") {
    return tokenError(reply, 400, "unsupported_grant_type", `grant_type ${form.grant_type} is not supported; use client_credentials.`);
  }
  // Tokens carry what the account holds now (as far as the token endpoint knows yet): its APIs (aud, scope) and its role keys.
  const { apis, roles } = grantedKeys(ctx.catalog, ctx.propagation.tokenAccess(account));
  if (apis.length === 0) {
    // IdentityServer: a client without allowed scopes gets no token.
    return tokenError(
      reply,
      400,
      "invalid_scope",
      "The account has access to no API, so no API accepts its tokens. Give it access to an API and a role (accessControlEntry) first.",
    );
  }
  return reply.header("Cache-Control", "no-store").send(await signedToken(ctx, creds.clientId, found, apis, roles, now));
}

/** A signed access token and its answer; the secret's and the account's last login are recorded. */
async function signedToken(
  ctx: TokenContext,
  clientId: string,
  { account, record }: { account: Account; record: SecretRecord },
  apis: string[],
  roles: string[],
  now: Date,
) {
  const lifetime = ctx.tokenLifetimeSeconds();
  const iat = Math.floor(now.getTime() / 1000);
  const claims: Record<string, unknown> = { client_id: clientId, scope: oneOrMany(apis) };
  if (roles.length) claims.role = oneOrMany(roles);
  if (account.kind === "user") claims.user_id = String(account.id);
  const accessToken = await new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: ctx.key.kid, typ: "at+jwt" })
    .setIssuer(ctx.issuer())
    .setAudience(oneOrMany(apis))
    .setSubject(clientId)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + lifetime)
    .setJti(randomUUID())
    .sign(ctx.key.privateKey);
  account.lastLoginAt = record.lastLoginAt = now.toISOString();
  ctx.store.save();
  return {
    access_token: accessToken,
    expires_in: lifetime,
    token_type: "Bearer",
    scope: apis.join(" "),
  };
}
