// Bearer-token checks of both services: 401 for a missing or invalid token, 403 for a valid token
// without the role, each with the RFC 6750 §3 WWW-Authenticate challenge. How the refusal's body
// looks is the service's business: the Add-ons Service explains it in a problem, Access
// Management answers as ASP.NET Core's JWT bearer handler does, with an empty body.
import type { FastifyRequest } from "fastify";
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import type { TokenContext } from "./tokens";

export interface Caller {
  clientId: string;
  roles: string[];
  payload: JWTPayload;
}

/** A refused bearer token: the status, why (for a problem body), and the challenge header. */
export class BearerRefusal extends Error {
  constructor(
    readonly status: 401 | 403,
    readonly detail: string,
    readonly challenge: string,
  ) {
    super(detail);
  }
}

/** Why a token was refused: `detail` for the problem body, `description` for the challenge. */
interface Refusal {
  detail: string;
  description: string;
}

/** RFC 6750 §3: error_description is a quoted string of printable ASCII without `"` and `\`. */
function challenge(error: string, description: string): string {
  const safe = description.replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, "");
  return `Bearer error="${error}", error_description="${safe}"`;
}

function describeJoseError(error: unknown, audience: string, issuer: string): Refusal {
  if (error instanceof joseErrors.JWTExpired) {
    return { detail: "it has expired; request a new token.", description: "The token expired" };
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === "aud") {
      return {
        detail: `its audience does not include ${audience}; the account needs a role for ${audience}.`,
        description: `The audience is invalid (expected ${audience})`,
      };
    }
    if (error.claim === "iss") {
      const got = typeof error.payload.iss === "string" ? ` (${error.payload.iss})` : " (no iss claim)";
      return {
        detail: `its issuer${got} is not this Access Management (${issuer}); get the token from ${issuer}/connect/token.`,
        description: "The issuer is invalid",
      };
    }
    if (error.claim === "exp") {
      return {
        detail: "it has no exp (expiry) claim; Access Management tokens always expire. Request a new token.",
        description: "The token has no expiry",
      };
    }
    if (error.claim === "nbf") return { detail: "it is not valid yet (nbf is in the future).", description: "The token is not valid yet" };
    return { detail: `claim ${error.claim} is invalid (${error.reason}).`, description: `The ${error.claim} claim is invalid` };
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return { detail: "its signature does not verify against this Access Management's keys.", description: "The signature is invalid" };
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) {
    return { detail: "it is signed with a key this Access Management does not publish.", description: "The signing key is not found" };
  }
  return { detail: "it is not a valid JWT access token.", description: "The token is malformed" };
}

/** Verifies a bearer token for `audience` (401 on any failure) and checks one of `roles` (403). */
export function makeAuthenticator(ctx: TokenContext) {
  const jwks = createLocalJWKSet({ keys: [ctx.key.publicJwk] });
  /** `roles` empty: any valid token for `audience` will do. */
  return async function authenticate(request: FastifyRequest, audience: string, roles: string[]): Promise<Caller> {
    const header = request.headers.authorization;
    const match = header && /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      // RFC 6750 §3.1: no error code when the request carries no bearer token at all.
      throw new BearerRefusal(
        401,
        "A bearer access token is required: get one from the Access Management token endpoint and send Authorization: Bearer <token>.",
        "Bearer",
      );
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1], jwks, {
        issuer: ctx.issuer(),
        audience,
        algorithms: ["RS256"],
        requiredClaims: ["exp"],
        currentDate: ctx.clock.now(),
      }));
    } catch (error) {
      const refusal = describeJoseError(error, audience, ctx.issuer());
      throw new BearerRefusal(401, `The access token was refused: ${refusal.detail}`, challenge("invalid_token", refusal.description));
    }
    const clientId = typeof payload.client_id === "string" ? payload.client_id : String(payload.sub);
    request.identity = clientId;
    // IdentityServer writes a single role as a string and several as an array.
    const held = Array.isArray(payload.role) ? (payload.role as string[]) : typeof payload.role === "string" ? [payload.role] : [];
    if (roles.length > 0 && !roles.some((r) => held.includes(r))) {
      throw new BearerRefusal(
        403,
        `This operation needs one of the roles ${roles.join(", ")}; the caller holds ${held.join(", ") || "no role"}. Give the account one of these roles in Access Management.`,
        challenge("insufficient_scope", `Needs one of the roles ${roles.join(", ")}`),
      );
    }
    return { clientId, roles: held, payload };
  };
}
