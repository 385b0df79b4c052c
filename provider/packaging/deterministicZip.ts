import { ZipArchive } from "archiver";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { MANIFEST_NAME } from "./locateManifest";

/**
 * Deterministic ZIP of a folder with archiver: same files -> same bytes, whatever the mtimes,
 * permissions, walk order or absolute path. How:
 * - every entry gets the same date (1980-01-01 00:00:00, written as UTC DOS time) and mode
 *   (files 0644, folders 0755), passed explicitly so archiver never reads them from stat();
 * - entries go in a fixed order (manifest.json first, then by path, code unit order), and each
 *   entry is appended only once the one before it is written, so nothing can reorder them;
 * - archiver/zip-stream write no extra fields (no extended timestamps, no uid/gid) and no comment;
 * - compression is fixed (deflate level 6, like `zip`); files whose format is already compressed
 *   are stored, decided by extension only (as `zip -n` does by default), so the choice is stable.
 * The archive streams straight to disk and is hashed on the way, never re-read. The bytes of each
 * file come from the caller (read once, from a checked descriptor: see directorySource.ts).
 */
export const ZIP_FORMAT_VERSION = "pulumi-tridion-zip-1";
export const FIXED_DATE = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));
export const FILE_MODE = 0o644;
export const DIRECTORY_MODE = 0o755;
export const DEFLATE_LEVEL = 6;
export const STORED_EXTENSIONS: readonly string[] = [
  ".zip",
  ".nupkg",
  ".jar",
  ".gz",
  ".tgz",
  ".bz2",
  ".xz",
  ".7z",
  ".zst",
  ".br",
  ".png",
  ".jpg",
  ".jpeg",
  ".gif",
  ".webp",
  ".woff",
  ".woff2",
  ".mp3",
  ".mp4",
  ".webm",
];

/** What goes into the ZIP: a folder, or a file whose bytes are read when its turn comes. */
export interface ZipInput {
  /** Path inside the package, forward slashes, no trailing slash. */
  path: string;
  directory: boolean;
  /** The file's bytes, each read once (called once, when archiver reaches the entry). */
  read?: () => AsyncIterable<Buffer>;
}

/** The order entries are written in. */
export function zipOrder<T extends { path: string; directory: boolean }>(entries: T[]): T[] {
  const key = (entry: T) => (entry.directory ? `${entry.path}/` : entry.path);
  return [...entries].sort((a, b) => {
    if (a.path === MANIFEST_NAME) return -1;
    if (b.path === MANIFEST_NAME) return 1;
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

export function isStored(path: string): boolean {
  const dot = path.lastIndexOf(".");
  return dot > path.lastIndexOf("/") && STORED_EXTENSIONS.includes(path.slice(dot).toLowerCase());
}

export interface WrittenZip {
  sha256: string;
  size: number;
}

/**
 * Writes `entries` (already in zip order) to `outPath`. Each file's bytes come from its `read()`,
 * never from a path archiver would open (and follow) itself. Files go in one at a time: archiver
 * starts reading an appended stream at once, so appending them all would open every file
 * together. A file stream is appended as a stream, exactly as archiver's own `file()` does, so
 * the bytes written are the same as they always were.
 */
export async function writeDeterministicZip(entries: ZipInput[], outPath: string): Promise<WrittenZip> {
  const archive = new ZipArchive({ zlib: { level: DEFLATE_LEVEL }, forceLocalTime: false, forceZip64: false });
  const hash = createHash("sha256");
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  // archiver reports unreadable files as warnings; for a package they are failures.
  archive.on("warning", (warning) => archive.emit("error", warning));
  const written = pipeline(archive, tap, createWriteStream(outPath, { highWaterMark: 1 << 20 }));
  // The output failing (disk full) ends the wait for an entry too.
  const writeFailed = new Promise<never>((_, reject) => void written.catch(reject));
  writeFailed.catch(() => undefined);
  let reading: Readable | undefined;
  try {
    for (const entry of entries) {
      if (entry.directory) {
        await Promise.race([
          appended(archive, Buffer.alloc(0), { name: `${entry.path}/`, type: "directory", date: FIXED_DATE, mode: DIRECTORY_MODE }),
          writeFailed,
        ]);
      } else {
        const source = (reading = Readable.from(entry.read!(), { objectMode: false }));
        await Promise.race([
          appended(archive, source, {
            name: entry.path,
            date: FIXED_DATE,
            mode: FILE_MODE,
            ...(isStored(entry.path) ? { store: true } : {}),
          } as Parameters<typeof archive.append>[1]),
          writeFailed,
        ]);
      }
    }
    await Promise.race([Promise.all([archive.finalize(), written]), writeFailed]);
  } catch (error) {
    // Closes the file being read too (archiver would leave its stream paused, the file open).
    reading?.destroy();
    archive.destroy(error as Error);
    await written.catch(() => undefined);
    throw error;
  }
  return { sha256: hash.digest("hex"), size };
}

/** Appends one entry and waits until archiver has written it (or it, or its source, failed). */
function appended(archive: ZipArchive, source: Buffer | Readable, data: Parameters<ZipArchive["append"]>[1]): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      archive.off("entry", onEntry);
      archive.off("error", done);
      if (source instanceof Readable) source.off("error", done);
      if (error) reject(error);
      else resolve();
    };
    const onEntry = () => done();
    archive.on("entry", onEntry);
    archive.on("error", done);
    // archiver pipes a stream into a PassThrough, which does not pass its source's errors on.
    if (source instanceof Readable) source.on("error", done);
    archive.append(source, data);
  });
}
