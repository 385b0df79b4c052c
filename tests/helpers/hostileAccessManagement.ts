// An Access Management that does what the provider must not trust: it echoes what it received
// (headers, bodies) in its error answers, names odd endpoints in its discovery document, or
// answers with ids of its own choosing. Plain node:http on 127.0.0.1; every request is recorded.
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface HostileRequest {
  method: string;
  /** Path without the authority's base path and the query string. */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HostileAnswer {
  status: number;
  body: unknown;
  /** Default: application/json for objects, text/plain for strings. */
  contentType?: string;
}

export type Handler = (request: HostileRequest, am: HostileAccessManagement) => HostileAnswer | undefined;

export interface HostileAccessManagement {
  /** The authority, e.g. http://127.0.0.1:40123/am */
  authority: string;
  origin: string;
  requests: HostileRequest[];
  close(): Promise<void>;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A JWT-shaped token (not signed: the provider only reads its claims). */
export function fakeToken(claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64url({ alg: "RS256", typ: "JWT", kid: "hostile" })}.${b64url({ iss: "hostile", exp: now + 3600, ...claims })}.${Buffer.from("signature-of-nobody").toString("base64url")}`;
}

/**
 * Starts the server. `discovery` may change the discovery document; `handle` answers any request
 * (return undefined for the default: discovery, a token for any client, 404 otherwise).
 */
export async function startHostileAccessManagement(
  options: { discovery?: (doc: Record<string, unknown>) => Record<string, unknown>; handle?: Handler } = {},
): Promise<HostileAccessManagement> {
  const requests: HostileRequest[] = [];
  const am: HostileAccessManagement = { authority: "", origin: "", requests, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0].replace(/^\/am/, "");
      const request: HostileRequest = {
        method: req.method ?? "GET",
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(request);
      const answer = options.handle?.(request, am) ?? defaultAnswer(request, am, options.discovery);
      const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        "content-type": answer.contentType ?? (typeof answer.body === "string" ? "text/plain" : "application/json"),
        "content-length": String(Buffer.byteLength(text)),
      });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  am.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  am.authority = `${am.origin}/am`;
  am.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return am;
}

function defaultAnswer(
  request: HostileRequest,
  am: HostileAccessManagement,
  discovery?: (doc: Record<string, unknown>) => Record<string, unknown>,
): HostileAnswer {
  if (request.path === "/.well-known/openid-configuration") {
    const doc = {
      issuer: am.authority,
      token_endpoint: `${am.authority}/connect/token`,
      jwks_uri: `${am.authority}/.well-known/openid-configuration/jwks`,
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      grant_types_supported: ["client_credentials"],
    };
    return { status: 200, body: discovery ? discovery(doc) : doc };
  }
  if (request.path === "/connect/token") {
    return {
      status: 200,
      body: { access_token: fakeToken({ aud: ["Tridion.AccessManagement"] }), token_type: "Bearer", expires_in: 3600 },
    };
  }
  return { status: 404, body: "" };
}
