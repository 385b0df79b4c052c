import { createHash, randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { DEFLATE_LEVEL, ZIP_FORMAT_VERSION, isStored } from "./deterministicZip";
import { PackageError } from "./errors";
import { sha256File } from "./hashing";

/**
 * The package cache: `<cacheDir>/packages/<sha256>/<ID-VERSION.zip>` holds built packages by their
 * own hash, so create/update upload exactly the file check() built and validated. An index,
 * `<cacheDir>/trees/<treeKey>.json`, maps a folder's *content* (paths + sha256 of every file +
 * zip format) to the package built from it: preview of a large unchanged tree hashes the files
 * (fast, native sha256) instead of deflating them again. Keyed by content, not by mtimes, so a
 * cache hit can never hand back a stale package. Anything under cacheDir may be deleted at any time.
 */
export interface CachedPackage {
  filePath: string;
  sha256: string;
  size: number;
}

interface TreeRecord {
  sha256: string;
  size: number;
  fileName: string;
}

/**
 * Content key of a folder as it would be zipped (entries in zip order), from the sha256 of each
 * file's bytes (`fileHashes[i]` for `entries[i]`, ignored for folders). The hashes must be of the
 * bytes that were (or will be) zipped: prepare.ts hashes them as they are read.
 */
export function treeKey(entries: { path: string; directory: boolean }[], fileHashes: readonly string[]): string {
  const key = createHash("sha256").update(`${ZIP_FORMAT_VERSION}\n${DEFLATE_LEVEL}\n`);
  entries.forEach((entry, i) => {
    key.update(entry.directory ? `D ${entry.path}\n` : `F ${entry.path} ${isStored(entry.path) ? "S" : "D"} ${fileHashes[i]}\n`);
  });
  return key.digest("hex");
}

const privateRoots = new Map<string, Promise<void>>();

/** Group or others may write it. */
const SHARED_WRITE = 0o022;

/**
 * The cache root, created private (0700). One that another user owns, or that others may write
 * to (group or world writable), is refused: whatever sits there is uploaded as ours, so anyone
 * who can write to it could plant an index and a ZIP for our folder.
 */
function ensurePrivateRoot(cacheDir: string): Promise<void> {
  let ready = privateRoots.get(cacheDir);
  if (!ready) {
    ready = (async () => {
      await fs.mkdir(cacheDir, { recursive: true, mode: 0o700 });
      const stat = await fs.stat(cacheDir);
      if (typeof process.getuid !== "function") return; // Windows: no owner or mode bits to go by
      if (stat.uid !== process.getuid()) {
        throw new PackageError(
          "CACHE_UNSAFE",
          `The package cache ${cacheDir} belongs to another user (uid ${stat.uid}); what it holds would be uploaded as yours.`,
          "Point PULUMI_TRIDION_CACHE_DIR at a folder of your own.",
        );
      }
      if ((stat.mode & SHARED_WRITE) !== 0) {
        throw new PackageError(
          "CACHE_UNSAFE",
          `The package cache ${cacheDir} can be written by other users (mode ${(stat.mode & 0o777).toString(8).padStart(4, "0")}); a package planted there would be uploaded as yours.`,
          `Point PULUMI_TRIDION_CACHE_DIR at a new folder (it is created private, 0700), or empty this one and make it private (chmod 700 ${cacheDir}).`,
        );
      }
    })();
    privateRoots.set(cacheDir, ready);
    ready.catch(() => privateRoots.delete(cacheDir));
  }
  return ready;
}

/**
 * A file under the cache is only trusted when it is a regular file (not a link) of ours that no
 * one else may write to: left over from a time the cache was shared, it is ignored (rebuilt).
 */
async function isOwnPrivateFile(file: string): Promise<boolean> {
  const stat = await fs.lstat(file);
  if (!stat.isFile()) return false;
  if (typeof process.getuid !== "function") return true;
  return stat.uid === process.getuid() && (stat.mode & SHARED_WRITE) === 0;
}

export function packagePath(cacheDir: string, sha256: string, fileName: string): string {
  return path.join(cacheDir, "packages", sha256, fileName);
}

/** A fresh, unique path to build into; move it into place with `storePackage`. */
export async function temporaryPath(cacheDir: string): Promise<string> {
  await ensurePrivateRoot(cacheDir);
  const dir = path.join(cacheDir, "tmp");
  await fs.mkdir(dir, { recursive: true });
  return path.join(dir, `${process.pid}-${randomBytes(6).toString("hex")}.zip`);
}

/** Moves a built package into its content address (atomic rename; same sha -> same bytes). */
export async function storePackage(cacheDir: string, tempPath: string, sha256: string, fileName: string): Promise<string> {
  const finalPath = packagePath(cacheDir, sha256, fileName);
  await fs.mkdir(path.dirname(finalPath), { recursive: true });
  await fs.rename(tempPath, finalPath);
  return finalPath;
}

export async function recordTree(cacheDir: string, key: string, record: TreeRecord): Promise<void> {
  await ensurePrivateRoot(cacheDir);
  const file = path.join(cacheDir, "trees", `${key}.json`);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}-${randomBytes(4).toString("hex")}`;
  await fs.writeFile(temp, JSON.stringify(record));
  await fs.rename(temp, file);
}

/**
 * The package built earlier from this content, if it is still there and intact. `verify`
 * re-hashes the ZIP (before an upload); otherwise its size must match (preview).
 */
export async function lookupTree(cacheDir: string, key: string, fileName: string, verify: boolean): Promise<CachedPackage | undefined> {
  await ensurePrivateRoot(cacheDir);
  let record: TreeRecord;
  try {
    const index = path.join(cacheDir, "trees", `${key}.json`);
    if (!(await isOwnPrivateFile(index))) return undefined;
    record = JSON.parse(await fs.readFile(index, "utf8")) as TreeRecord;
  } catch {
    return undefined;
  }
  if (record.fileName !== fileName || !/^[0-9a-f]{64}$/.test(record.sha256)) return undefined;
  const filePath = packagePath(cacheDir, record.sha256, fileName);
  try {
    if (!(await isOwnPrivateFile(filePath))) return undefined;
    const stats = await fs.stat(filePath);
    if (stats.size !== record.size) return undefined;
    if (verify && (await sha256File(filePath)) !== record.sha256) return undefined;
  } catch {
    return undefined;
  }
  return { filePath, sha256: record.sha256, size: record.size };
}

/** Runs `fn` over `items`, at most `limit` at a time; results in order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
