import { ZipArchive } from "archiver";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { TreeEntry } from "./directorySource";
import { MANIFEST_NAME } from "./locateManifest";

/**
 * Deterministic ZIP of a folder with archiver: same files -> same bytes, whatever the mtimes,
 * permissions, walk order or absolute path. How:
 * - every entry gets the same date (1980-01-01 00:00:00, written as UTC DOS time) and mode
 *   (files 0644, folders 0755), passed explicitly so archiver never reads them from stat();
 * - entries go in a fixed order (manifest.json first, then by path, code unit order), and each
 *   `file()` call carries its stats so archiver skips its concurrent stat queue, which could
 *   otherwise reorder entries;
 * - archiver/zip-stream write no extra fields (no extended timestamps, no uid/gid) and no comment;
 * - compression is fixed (deflate level 6, like `zip`); files whose format is already compressed
 *   are stored, decided by extension only (as `zip -n` does by default), so the choice is stable.
 * The archive streams straight to disk and is hashed on the way, never re-read.
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

/** The order entries are written in. */
export function zipOrder(entries: TreeEntry[]): TreeEntry[] {
  const key = (entry: TreeEntry) => (entry.directory ? `${entry.path}/` : entry.path);
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

/** Writes `entries` (already in zip order) to `outPath`. */
export async function writeDeterministicZip(entries: TreeEntry[], outPath: string): Promise<WrittenZip> {
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
  for (const entry of entries) {
    if (entry.directory) {
      archive.append(Buffer.alloc(0), { name: `${entry.path}/`, type: "directory", date: FIXED_DATE, mode: DIRECTORY_MODE });
    } else {
      archive.file(entry.absPath, {
        name: entry.path,
        date: FIXED_DATE,
        mode: FILE_MODE,
        stats: entry.stats,
        ...(isStored(entry.path) ? { store: true } : {}),
      } as Parameters<typeof archive.file>[1]);
    }
  }
  await Promise.all([archive.finalize(), written]);
  return { sha256: hash.digest("hex"), size };
}
