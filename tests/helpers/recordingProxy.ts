// A reverse proxy in front of the emulator that records every exchange as it crossed the wire
// (method, path, headers, bodies, status), so tests can check them against a contract. Answers
// name the proxy instead of the emulator (bodies and Location), as a real reverse proxy rewrites
// them, so that the client keeps talking through it (discovery's issuer and endpoints included).
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface Exchange {
  method: string;
  /** Path without the query string. */
  path: string;
  requestHeaders: http.IncomingHttpHeaders;
  requestBody: Buffer;
  status: number;
  responseHeaders: http.IncomingHttpHeaders;
  responseBody: Buffer;
}

export interface RecordingProxy {
  /** The proxy's origin, e.g. http://127.0.0.1:40123 */
  origin: string;
  exchanges: Exchange[];
  close(): Promise<void>;
}

const read = (stream: NodeJS.ReadableStream): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });

/** Changes an answer on its way back (a hostile server, or something between); undefined keeps it. */
export type AnswerRewrite = (
  request: { method: string; path: string },
  status: number,
  body: Buffer,
  headers: http.IncomingHttpHeaders,
) => Buffer | undefined;

/** Proxies to `targetOrigin` (e.g. the emulator's http://127.0.0.1:PORT). */
export async function startRecordingProxy(targetOrigin: string, options: { rewrite?: AnswerRewrite } = {}): Promise<RecordingProxy> {
  const target = new URL(targetOrigin);
  const exchanges: Exchange[] = [];
  let origin = "";
  const server = http.createServer(async (req, res) => {
    const requestBody = await read(req);
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      async (answer) => {
        let body = await read(answer);
        const headers = { ...answer.headers };
        if (/json|text/.test(String(headers["content-type"] ?? ""))) {
          body = Buffer.from(body.toString("utf8").split(target.origin).join(origin));
          delete headers["content-length"];
        }
        if (typeof headers.location === "string") headers.location = headers.location.split(target.origin).join(origin);
        const rewritten = options.rewrite?.(
          { method: req.method ?? "GET", path: (req.url ?? "").split("?")[0] },
          answer.statusCode ?? 0,
          body,
          headers,
        );
        if (rewritten) {
          body = rewritten;
          delete headers["content-length"];
        }
        exchanges.push({
          method: req.method ?? "GET",
          path: (req.url ?? "").split("?")[0],
          requestHeaders: req.headers,
          requestBody,
          status: answer.statusCode ?? 0,
          responseHeaders: headers,
          responseBody: body,
        });
        res.writeHead(answer.statusCode ?? 502, { ...headers, "content-length": String(body.length) });
        res.end(body);
      },
    );
    upstream.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    upstream.end(requestBody);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    exchanges,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
