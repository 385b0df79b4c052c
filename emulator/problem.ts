// RFC 7807 problem+json errors, thrown from handlers and rendered by one error handler.
import type { FastifyReply } from "fastify";

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
    /** Response headers that belong to this error (WWW-Authenticate, Connection). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export function problemBody(status: number, detail: string, extra: Record<string, unknown> = {}) {
  return {
    type: `https://httpstatuses.io/${status}`,
    title: titles[status] ?? "Error",
    status,
    detail,
    ...extra,
  };
}

export function sendProblem(
  reply: FastifyReply,
  status: number,
  detail: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  return reply
    .code(status)
    .type("application/problem+json")
    .send(JSON.stringify(problemBody(status, detail, extra)));
}
