// OIDC discovery, JWKS and the token endpoint (client_credentials), plus bearer-token checks
// used by both services.
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errors as joseErrors, jwtVerify, SignJWT, createLocalJWKSet, type JWTPayload } from "jose";
import type { Clock } from "../clock";
import { Problem } from "../problem";
import type { Account, Store } from "../store";
import type { SigningKey } from "./keys";
import { roleKey } from "./accounts";
import { isExpired, secretMatches } from "./secrets";

export const amPrefix = "/access-management";
export const tokenPath = `${amPrefix}/connect/token`;
export const discoveryPath = `${amPrefix}/.well-known/openid-configuration`;
export const jwksPath = `${amPrefix}/.well-known/openid-configuration/jwks`;

export interface TokenContext {
  store: Store;
  clock: Clock;
  key: SigningKey;
  issuer: () => string;
  tokenLifetimeSeconds: () => number;
  tokenEndpointDown: () => boolean;
}

declare module "fastify" {
  interface FastifyRequest {
    identity: string | null;
  }
}

export interface Caller {
  clientId: string;
  roles: string[];
  payload: JWTPayload;
}

function tokenError(reply: FastifyReply, status: number, error: string, description: string) {
  // RFC 6749 §5.2: a challenge only when the client tried HTTP Basic authentication.
  if (status === 401 && /^basic /i.test(reply.request.headers.authorization ?? "")) {
    reply.header("WWW-Authenticate", 'Basic realm="access-management"');
  }
  return reply.code(status).header("Cache-Control", "no-store").send({ error, error_description: description });
}

/** Reads client credentials from HTTP Basic or the form body (RFC 6749 §2.3.1). */
function clientCredentials(request: FastifyRequest, form: Record<string, string>):
  | { clientId: string; secret: string }
  | { error: string } {
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

function findAccountBySecret(store: Store, clientId: string, secret: string, now: Date): Account | undefined {
  const account = store.data.accounts.find((a) => a.clientId === clientId);
  if (!account) return undefined;
  const ok = account.secrets.some((s) => !isExpired(s, now) && secretMatches(s, secret));
  return ok ? account : undefined;
}

export function registerTokenRoutes(app: FastifyInstance, ctx: TokenContext) {
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.get(discoveryPath, async () => {
    const issuer = ctx.issuer();
    return {
      issuer,
      jwks_uri: `${issuer}/.well-known/openid-configuration/jwks`,
      token_endpoint: `${issuer}/connect/token`,
      grant_types_supported: ["client_credentials"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      response_types_supported: ["token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      scopes_supported: [],
      claims_supported: ["sub", "client_id", "role", "aud", "iss", "exp", "iat"],
    };
  });

  app.get(jwksPath, async () => ({ keys: [ctx.key.publicJwk] }));

  app.post(tokenPath, async (request, reply) => {
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
        : tokenError(reply, 401, "invalid_client", "Client authentication is missing: send client_id and client_secret (HTTP Basic or form body).");
    }
    const now = ctx.clock.now();
    const account = findAccountBySecret(ctx.store, creds.clientId, creds.secret, now);
    if (!account) {
      return tokenError(reply, 401, "invalid_client", "Client authentication failed: unknown client, or a wrong, expired or revoked secret.");
    }
    request.identity = account.clientId;
    if (form.grant_type !== "client_credentials") {
      return tokenError(reply, 400, "unsupported_grant_type", `grant_type ${form.grant_type} is not supported; use client_credentials.`);
    }
    const audiences = [...new Set(account.accessSettings.map((s) => s.api))];
    if (audiences.length === 0) {
      return tokenError(reply, 400, "unauthorized_client", "The account has no access settings, so no API accepts its tokens. Give it a role (accessSettings) first.");
    }
    const lifetime = ctx.tokenLifetimeSeconds();
    const iat = Math.floor(now.getTime() / 1000);
    const accessToken = await new SignJWT({
      client_id: account.clientId,
      role: account.accessSettings.map(roleKey),
      name: account.name,
    })
      .setProtectedHeader({ alg: "RS256", kid: ctx.key.kid, typ: "at+jwt" })
      .setIssuer(ctx.issuer())
      .setAudience(audiences)
      .setSubject(account.id)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + lifetime)
      .setJti(randomUUID())
      .sign(ctx.key.privateKey);
    return reply.header("Cache-Control", "no-store").send({
      access_token: accessToken,
      token_type: "Bearer",
      expires_in: lifetime,
      scope: audiences.join(" "),
    });
  });
}

/** Verifies a bearer token for `audience` (401 on any failure) and checks one of `roles` (403). */
export function makeAuthenticator(ctx: TokenContext) {
  const jwks = createLocalJWKSet({ keys: [ctx.key.publicJwk] });
  return async function authenticate(request: FastifyRequest, audience: string, roles: string[]): Promise<Caller> {
    const header = request.headers.authorization;
    const match = header && /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      throw new Problem(401, "A bearer access token is required: get one from the Access Management token endpoint and send Authorization: Bearer <token>.");
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1], jwks, {
        issuer: ctx.issuer(),
        audience,
        algorithms: ["RS256"],
        currentDate: ctx.clock.now(),
      }));
    } catch (error) {
      throw new Problem(401, `The access token was refused: ${describeJoseError(error, audience)}`);
    }
    const clientId = typeof payload.client_id === "string" ? payload.client_id : String(payload.sub);
    request.identity = clientId;
    const held = Array.isArray(payload.role) ? (payload.role as string[]) : typeof payload.role === "string" ? [payload.role] : [];
    if (!roles.some((r) => held.includes(r))) {
      throw new Problem(403, `This operation needs one of the roles ${roles.join(", ")}; the caller holds ${held.join(", ") || "no role"}. Give the account one of these roles in Access Management.`);
    }
    return { clientId, roles: held, payload };
  };
}

function describeJoseError(error: unknown, audience: string): string {
  if (error instanceof joseErrors.JWTExpired) return "it has expired; request a new token.";
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === "aud") return `its audience does not include ${audience}; the account needs a role for ${audience}.`;
    if (error.claim === "iss") return "it was issued by another authority than this Access Management.";
    return `claim ${error.claim} is invalid (${error.reason}).`;
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "its signature does not verify against this Access Management's keys.";
  if (error instanceof joseErrors.JWKSNoMatchingKey) return "it is signed with a key this Access Management does not publish.";
  return "it is not a valid JWT access token.";
}
