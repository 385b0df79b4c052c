// Receives a multipart package upload straight to a temp file, hashing and counting on the way:
// memory use does not depend on the package size.
import * as fs from "node:fs";
import * as path from "node:path";
import { createHash, randomUUID } from "node:crypto";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { FastifyRequest } from "fastify";
import { Problem } from "../problem";

export interface ReceivedPackage {
  tmpPath: string;
  fileName: string;
  size: number;
  sha256: string;
}

export interface UploadOptions {
  tmpDir: string;
  maxBytes: number;
  /** The multipart field that holds the ZIP (the installation's dialect; the contract's "file"). */
  field: string;
  /** When set, the connection is destroyed after this many bytes (fault injection). */
  dropAfterBytes?: number;
}

/** Room for the multipart framing around the file (boundaries, part headers, a long file name). */
export const multipartOverheadBytes = 64 * 1024;

function tooLarge(maxBytes: number, headers: Record<string, string> = {}): Problem {
  return new Problem(
    413,
    `The package is larger than the limit of ${maxBytes} bytes. Make it smaller (leave build outputs and sources out of the ZIP) or raise the limit (--max-package-bytes).`,
    {},
    headers,
  );
}

/** A declared Content-Length far above the limit is refused before any byte is read. */
function refuseDeclaredOversize(request: FastifyRequest, maxBytes: number) {
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes + multipartOverheadBytes) {
    // Close the connection: the client is still sending a body nobody will read.
    throw tooLarge(maxBytes, { Connection: "close" });
  }
}

export async function receivePackage(request: FastifyRequest, options: UploadOptions): Promise<ReceivedPackage> {
  const field = options.field;
  if (!request.isMultipart()) {
    throw new Problem(
      415,
      `Upload the package as multipart/form-data with the ZIP in the field "${field}" (with its file name), e.g. curl -F ${field}=@ID-VERSION.zip.`,
    );
  }
  refuseDeclaredOversize(request, options.maxBytes);
  let part;
  try {
    part = await request.file({ limits: { fileSize: options.maxBytes, files: 1 } });
  } catch (error) {
    throw new Problem(
      400,
      `The multipart body cannot be read (${(error as Error).message}). Send multipart/form-data with the ZIP in the field "${field}".`,
    );
  }
  if (!part) throw new Problem(400, `The multipart body has no file. Put the ZIP in the field "${field}", with its file name.`);
  if (part.fieldname !== field) {
    part.file.resume();
    throw new Problem(400, `The package must be in the multipart field "${field}", not "${part.fieldname}".`);
  }
  const fileName = path.basename((part.filename ?? "").replace(/\\/g, "/"));
  if (!fileName) {
    part.file.resume();
    throw new Problem(
      400,
      `The multipart field "${field}" has no file name; send it as ID-VERSION.zip (e.g. curl -F ${field}=@acme-1.0.0.zip).`,
    );
  }
  const tmpPath = path.join(options.tmpDir, `${randomUUID()}.upload`);
  const hash = createHash("sha256");
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      hash.update(chunk);
      if (options.dropAfterBytes !== undefined && size >= options.dropAfterBytes) {
        request.raw.socket.destroy();
        callback(new Error("connection dropped by fault injection"));
        return;
      }
      callback(null, chunk);
    },
  });
  try {
    await pipeline(part.file, counter, fs.createWriteStream(tmpPath));
  } catch (error) {
    fs.rmSync(tmpPath, { force: true });
    if ((error as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE") throw tooLarge(options.maxBytes);
    throw error;
  }
  if (part.file.truncated) {
    fs.rmSync(tmpPath, { force: true });
    throw tooLarge(options.maxBytes);
  }
  return { tmpPath, fileName, size, sha256: hash.digest("hex") };
}
