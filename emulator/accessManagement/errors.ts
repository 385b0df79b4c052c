// Access Management's error answers, as RWS's OpenAPI document declares them: 400, 404 and 500
// with an ErrorResponse body ({"errorMessage": {...}}) as application/json. 401 and 403 are not
// in the document: ASP.NET Core's JWT bearer handler answers them with an empty body and a
// WWW-Authenticate challenge (see bearer.ts).
import type { FastifyReply } from "fastify";

export interface ErrorMessage {
  code: string;
  message: string;
  localizedMessage: string;
  target: string | null;
  details: ErrorMessage[] | null;
  stackTrace?: string | null;
}

export class AmError extends Error {
  constructor(
    readonly status: 400 | 404 | 500,
    readonly code: string,
    message: string,
    readonly target: string | null = null,
    readonly details: Array<{ code: string; message: string; target: string | null }> = [],
  ) {
    super(message);
  }
}

export function errorMessage(code: string, message: string, target: string | null, details: ErrorMessage[] | null = null): ErrorMessage {
  // No innerError: RWS's schema types it as an object that cannot be null, and there is none to tell.
  return { code, message, localizedMessage: message, target, details };
}

export function sendAmError(reply: FastifyReply, error: AmError): FastifyReply {
  const details = error.details.map((d) => errorMessage(d.code, d.message, d.target));
  return reply
    .code(error.status)
    .type("application/json; charset=utf-8")
    .send({
      errorMessage: errorMessage(error.code, error.message, error.target, details.length ? details : null),
    });
}

/**
 * An unexpected failure (or an injected 500) as a development-mode ASP.NET Core server shows it:
 * with a stack trace, which clients must never repeat to their users.
 */
export function sendAmInternalError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply
    .code(status)
    .type("application/json; charset=utf-8")
    .send({
      errorMessage: {
        ...errorMessage("InternalServerError", message, null),
        stackTrace:
          "   at Tridion.AccessManagement.Api.Controllers.V1.ServiceAccountsController.Update(Int32 id, ServiceAccount model)\n   at lambda_method42(Closure, Object)",
      },
    });
}

export const notFound = (what: string, id: number | string, hint: string) =>
  new AmError(404, "NotFound", `${what} with ID ${id} does not exist. ${hint}`);

export const invalid = (target: string | null, message: string, code = "InvalidInput") => new AmError(400, code, message, target);
