import { Dirent, constants as fsConstants, promises as fs, Stats } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import * as path from "node:path";
import { PackageError } from "./errors";
import { ResolvedOptions, formatBytes } from "./options";

/**
 * OS clutter left out of a package built from a folder, compared case-insensitively. They would
 * make the same add-on hash differently on a Mac or Windows desktop than on a build agent.
 * Everything else, including dot files, is packaged.
 */
export const IGNORED_FILE_NAMES: readonly string[] = [".DS_Store", "Thumbs.db", "desktop.ini"];
const IGNORED = new Set(IGNORED_FILE_NAMES.map((n) => n.toLowerCase()));

export interface TreeEntry {
  /** Path inside the package, forward slashes, no trailing slash. */
  path: string;
  /** Where it sits in the source folder (for messages). */
  absPath: string;
  /**
   * The path the walk resolved it to, with no symlink left in it (a symlink inside the folder is
   * resolved to its target): what `openWalkedFile` opens, without following links.
   */
  realPath: string;
  directory: boolean;
  /** stat() of the followed entry: the device, inode and size a later read must find again. */
  stats: Stats;
}

export interface Tree {
  root: string;
  entries: TreeEntry[];
  totalBytes: number;
}

/**
 * Lists a source folder for packaging. Symlinks are followed when they stay inside the folder
 * (their content is packaged as regular files); one pointing outside, a broken one, a loop, or a
 * device/socket/FIFO is an error, since none can be carried into a ZIP faithfully. Only names and
 * stat() are read here: the files are read later, once, by `readWalkedFile`, which checks that it
 * opened the very file listed here. `maxEntries` is counted as the folder is listed, so a folder
 * with millions of files is refused after `maxEntries + 1` names, not after listing them all.
 */
export async function walkDirectory(root: string, limits: ResolvedOptions): Promise<Tree> {
  const realRoot = await fs.realpath(root);
  const tree: Tree = { root, entries: [], totalBytes: 0 };
  let listed = 0;
  const tooMany = () =>
    new PackageError(
      "PACKAGE_TOO_LARGE",
      `${root} holds more than ${limits.maxEntries} files and folders.`,
      `Package only what the add-on needs, or raise the maxEntries limit.`,
    );

  const list = async (dirAbs: string): Promise<Dirent[]> => {
    const names: Dirent[] = [];
    const dir = await fs.opendir(dirAbs, { bufferSize: 64 });
    try {
      for (;;) {
        const dirent = await dir.read();
        if (dirent === null) break;
        if (IGNORED.has(dirent.name.toLowerCase())) continue;
        // Counted as listed: stop as soon as the limit is passed.
        if (++listed > limits.maxEntries) throw tooMany();
        names.push(dirent);
      }
    } finally {
      await dir.close().catch(() => undefined);
    }
    return names;
  };

  const visit = async (dirAbs: string, dirReal: string, prefix: string, ancestors: Set<string>): Promise<void> => {
    const dirents = await list(dirAbs);
    const children = await Promise.all(
      dirents.map(async (dirent) => {
        const rel = prefix ? `${prefix}/${dirent.name}` : dirent.name;
        const abs = path.join(dirAbs, dirent.name);
        if (dirent.name.includes("\\")) {
          throw new PackageError(
            "BAD_ENTRY_NAME",
            `${path.join(root, rel)} has a backslash in its name; in a ZIP a backslash reads as a folder separator on Windows.`,
            `Rename it without "\\".`,
          );
        }
        let real = path.join(dirReal, dirent.name);
        if (dirent.isSymbolicLink()) real = await followSymlink(abs, rel, root, realRoot);
        const stats = dirent.isSymbolicLink() ? await fs.stat(abs) : await fs.lstat(abs);
        if (!stats.isDirectory() && !stats.isFile()) {
          throw new PackageError(
            "SPECIAL_FILE",
            `${abs} is not a regular file or folder (a device, socket or FIFO), which a ZIP cannot hold.`,
            `Remove it from the add-on folder.`,
          );
        }
        return { rel, abs, real, stats };
      }),
    );
    for (const child of children) {
      tree.entries.push({
        path: child.rel,
        absPath: child.abs,
        realPath: child.real,
        directory: child.stats.isDirectory(),
        stats: child.stats,
      });
      if (child.stats.isFile()) {
        tree.totalBytes += child.stats.size;
        if (tree.totalBytes > limits.maxUncompressedBytes) throw tooLarge(root, limits);
      }
    }
    for (const child of children) {
      if (!child.stats.isDirectory()) continue;
      if (ancestors.has(child.real)) {
        throw new PackageError(
          "SYMLINK_BROKEN",
          `${child.abs} is a symlink back to its own parent folder ${child.real}, a loop that never ends.`,
          `Remove the symlink, or replace it with the files it should contribute.`,
        );
      }
      await visit(child.abs, child.real, child.rel, new Set([...ancestors, child.real]));
    }
  };

  await visit(root, realRoot, "", new Set([realRoot]));
  return tree;
}

function tooLarge(root: string, limits: ResolvedOptions, when = ""): PackageError {
  return new PackageError(
    "PACKAGE_TOO_LARGE",
    `${root} holds more than ${formatBytes(limits.maxUncompressedBytes)} of files${when}.`,
    `Leave build leftovers out of the add-on folder, or raise the maxUncompressedBytes limit.`,
  );
}

/** Bytes read so far against a limit, shared by the files of one pass over a folder. */
export class ReadBudget {
  private used = 0;
  constructor(
    private readonly limit: number,
    private readonly exceeded: (bytes: number) => PackageError,
  ) {}

  /** The folder's `maxUncompressedBytes`. */
  static forFolder(root: string, limits: ResolvedOptions): ReadBudget {
    return new ReadBudget(limits.maxUncompressedBytes, () => tooLarge(root, limits, " (files grew while they were read)"));
  }

  /** Reserve a file's size as found when it was opened (it may have grown since the walk). */
  take(bytes: number): void {
    this.used += bytes;
    if (this.used > this.limit) throw this.exceeded(this.used);
  }
}

const CHUNK_BYTES = 1 << 20;
const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fsConstants;

/**
 * Opens a file the walk listed, without following a link (O_NOFOLLOW; O_NONBLOCK so a FIFO put
 * in its place cannot hang the open), and checks that what was opened is the regular file the
 * walk saw (same device and inode). A file replaced by a symlink, by another file, or reached
 * through a folder replaced by a symlink since the walk is refused as SOURCE_CHANGED.
 */
export async function openWalkedFile(entry: TreeEntry): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await fs.open(entry.realPath, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    throw unreadable(entry, error as NodeJS.ErrnoException);
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile() || opened.dev !== entry.stats.dev || opened.ino !== entry.stats.ino) {
      throw changed(entry, "was replaced by another file since the folder was listed");
    }
    // The walk itself could have been sent through a folder swapped for a symlink while it ran:
    // where the kernel says the descriptor points must be where the walk placed the file.
    const where = await openedPath(handle);
    if (where !== undefined && where !== entry.realPath) {
      throw changed(entry, `opens ${where}, not ${entry.realPath}: a folder on its path was replaced by a symlink`);
    }
    return { handle, size: opened.size };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The bytes of a file the walk listed, read once from the descriptor `openWalkedFile` checked, in
 * chunks of at most 1 MiB (never the whole file in memory). The size found at open is reserved on
 * `budget`; a file that grows or shrinks while it is read is refused (SOURCE_CHANGED), so no more
 * than that size is ever read.
 */
export async function* readWalkedFile(entry: TreeEntry, budget: ReadBudget): AsyncGenerator<Buffer> {
  const { handle, size } = await openWalkedFile(entry);
  try {
    budget.take(size);
    let position = 0;
    for (;;) {
      // One byte more than expected at the end: a file that grew is noticed, not cut.
      const want = Math.min(CHUNK_BYTES, size - position + 1);
      const buffer = Buffer.allocUnsafe(want);
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, want, position));
      } catch (error) {
        throw unreadable(entry, error as NodeJS.ErrnoException);
      }
      if (bytesRead === 0) break;
      position += bytesRead;
      if (position > size) throw changed(entry, "grew while it was being read");
      yield bytesRead === want ? buffer : buffer.subarray(0, bytesRead);
    }
    if (position !== size) throw changed(entry, "shrank while it was being read");
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** The path of an open file as the kernel sees it (Linux: /proc/self/fd), or undefined where it cannot tell. */
async function openedPath(handle: FileHandle): Promise<string | undefined> {
  if (process.platform !== "linux") return undefined;
  try {
    return await fs.readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    return undefined;
  }
}

function changed(entry: TreeEntry, what: string): PackageError {
  return new PackageError(
    "SOURCE_CHANGED",
    `${entry.absPath} ${what}; the add-on folder changed while it was being packaged.`,
    `Run again once whatever writes to the add-on folder (a build, a sync) has finished.`,
  );
}

function unreadable(entry: TreeEntry, error: NodeJS.ErrnoException): PackageError {
  if (error.code === "ENOENT") return changed(entry, "vanished");
  // O_NOFOLLOW on a symlink: ELOOP on Linux, EMLINK on FreeBSD, EFTYPE on NetBSD.
  if (error.code === "ELOOP" || error.code === "EMLINK" || error.code === "EFTYPE") {
    return changed(entry, "was replaced by a symlink since the folder was listed");
  }
  if (error.code === "ENOTDIR") return changed(entry, "is no longer inside a folder (a folder above it was replaced)");
  return new PackageError(
    "SOURCE_CHANGED",
    `${entry.absPath} could not be read while the add-on folder was being packaged (${error.code ?? error.message}).`,
    `Check that the file is readable, and run again once whatever writes to the add-on folder has finished.`,
  );
}

async function followSymlink(abs: string, rel: string, root: string, realRoot: string): Promise<string> {
  let target: string;
  try {
    target = await fs.realpath(abs);
  } catch (error) {
    const link = await fs.readlink(abs).catch(() => "?");
    throw new PackageError(
      "SYMLINK_BROKEN",
      `${abs} is a symlink to "${link}", which cannot be resolved (${(error as NodeJS.ErrnoException).code ?? "error"}).`,
      `Repair or remove the symlink in the add-on folder.`,
    );
  }
  const inside = path.relative(realRoot, target);
  if (inside === ".." || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) {
    throw new PackageError(
      "SYMLINK_OUTSIDE",
      `${abs} is a symlink to ${target}, outside the add-on folder ${root}; "${rel}" would package files from elsewhere on this machine.`,
      `Copy the file into the add-on folder instead of linking to it, or remove the symlink.`,
    );
  }
  return target;
}
