// Multipart uploads written by hand over node:http, for what axios cannot do: a declared
// Content-Length the body never reaches, a body sent in two halves, odd Content-Disposition headers.
import * as http from "node:http";

const boundary = "----tridion-emulator-test-boundary";

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { detail?: string; status?: number; [key: string]: unknown };
}

/** The multipart framing around a file part; `disposition` is the part's Content-Disposition. */
export function multipartFrame(disposition = 'form-data; name="file"; filename="acme-publishing-tools.zip"') {
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    head: Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: application/zip\r\n\r\n`),
    tail: Buffer.from(`\r\n--${boundary}--\r\n`),
  };
}

export interface OpenUpload {
  /** Writes more of the body. */
  write(chunk: Buffer): Promise<void>;
  /** Writes the last bytes and waits for the answer. */
  end(chunk?: Buffer): Promise<RawAnswer>;
  /** The answer, whenever it comes (also before the body is complete). */
  answer: Promise<RawAnswer>;
}

/** Starts a request with these headers and leaves the body to the caller. */
export function openUpload(url: string, method: "POST" | "PUT", headers: Record<string, string | number>): OpenUpload {
  const request = http.request(url, { method, headers, agent: false });
  // The server may close the connection while a body is still expected; the answer is what counts.
  request.on("error", () => undefined);
  const answer = new Promise<RawAnswer>((resolve, reject) => {
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (c: Buffer) => chunks.push(c));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text ? JSON.parse(text) : {} });
      });
      response.on("error", reject);
    });
  });
  request.flushHeaders();
  return {
    write: (chunk) => new Promise((resolve, reject) => request.write(chunk, (error) => (error ? reject(error) : resolve()))),
    end: (chunk) => {
      request.end(chunk);
      return answer;
    },
    answer,
  };
}

/** A whole multipart upload with a hand-written Content-Disposition. */
export function uploadWithDisposition(url: string, token: string, zip: Buffer, disposition: string): Promise<RawAnswer> {
  const frame = multipartFrame(disposition);
  const body = Buffer.concat([frame.head, zip, frame.tail]);
  const upload = openUpload(url, "POST", {
    "Content-Type": frame.contentType,
    "Content-Length": body.length,
    Authorization: `Bearer ${token}`,
  });
  return upload.end(body);
}
