import { promises as fs, Stats } from "node:fs";
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
  /** Where to read it (a symlink path is fine: it is followed). */
  absPath: string;
  directory: boolean;
  /** stat() of the followed entry; archiver needs it to keep entries in our order. */
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
 * device/socket/FIFO is an error, since none can be carried into a ZIP faithfully.
 */
export async function walkDirectory(root: string, limits: ResolvedOptions): Promise<Tree> {
  const realRoot = await fs.realpath(root);
  const tree: Tree = { root, entries: [], totalBytes: 0 };

  const visit = async (dirAbs: string, dirReal: string, prefix: string, ancestors: Set<string>): Promise<void> => {
    const dirents = await fs.readdir(dirAbs, { withFileTypes: true });
    const children = await Promise.all(
      dirents
        .filter((d) => !IGNORED.has(d.name.toLowerCase()))
        .map(async (dirent) => {
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
      tree.entries.push({ path: child.rel, absPath: child.abs, directory: child.stats.isDirectory(), stats: child.stats });
      if (tree.entries.length > limits.maxEntries) {
        throw new PackageError(
          "TOO_LARGE",
          `${root} holds more than ${limits.maxEntries} files and folders.`,
          `Package only what the add-on needs, or raise the maxEntries limit.`,
        );
      }
      if (child.stats.isFile()) {
        tree.totalBytes += child.stats.size;
        if (tree.totalBytes > limits.maxUncompressedBytes) {
          throw new PackageError(
            "TOO_LARGE",
            `${root} holds more than ${formatBytes(limits.maxUncompressedBytes)} of files.`,
            `Leave build leftovers out of the add-on folder, or raise the maxUncompressedBytes limit.`,
          );
        }
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

async function followSymlink(abs: string, rel: string, root: string, realRoot: string): Promise<string> {
  let target: string;
  try {
    target = await fs.realpath(abs);
  } catch (error) {
    const link = await fs.readlink(abs).catch(() => "?");
    throw new PackageError(
      "SYMLINK_BROKEN",
      `${abs} is a symlink to "${link}", which cannot be resolved (${(error as NodeJS.ErrnoException).code ?? "error"}).`,
      `Fix or remove the symlink in the add-on folder.`,
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
