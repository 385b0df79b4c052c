// OIDC discovery, JWKS and the token endpoint (client_credentials). Checking bearer tokens is
// bearer.ts.
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { SignJWT } from "jose";
import type { Clock } from "../clock";
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

/** IdentityServer writes a claim with one value as a plain string, with several as an array. */
function oneOrMany(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : values;
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
      role: oneOrMany(account.accessSettings.map(roleKey)),
      name: account.name,
    })
      .setProtectedHeader({ alg: "RS256", kid: ctx.key.kid, typ: "at+jwt" })
      .setIssuer(ctx.issuer())
      .setAudience(oneOrMany(audiences))
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
