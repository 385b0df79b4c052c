import { promises as fs, Stats } from "node:fs";
import * as path from "node:path";
import { lookupTree, recordTree, storePackage, temporaryPath, treeKey } from "./cache";
import { walkDirectory } from "./directorySource";
import { writeDeterministicZip, zipOrder } from "./deterministicZip";
import { assertNoDuplicates, assertReferencedFilesPresent } from "./entryPaths";
import { PackageError } from "./errors";
import { acceptedFileNames, isValidPackageFileName, packageFileNameFor } from "./fileName";
import { sha256File } from "./hashing";
import { parseJsonWithPosition } from "./json";
import { MANIFEST_NAME, assertManifestAtRoot } from "./locateManifest";
import { Manifest, validateManifest } from "./manifest";
import { PackageOptions, ResolvedOptions, formatBytes, resolveOptions } from "./options";
import { readZipSource } from "./zipSource";

export interface PreparedPackage {
  /** The ZIP to upload: the source itself for a .zip, else the built package in the cache. */
  filePath: string;
  /** The name to upload it under (the source's name for a .zip, `ID-VERSION.zip` for a folder). */
  fileName: string;
  sha256: string;
  size: number;
  manifest: Manifest;
}

/** Validates and (for a directory) zips deterministically into the cache. A .zip source is validated and hashed as is. */
export function preparePackage(source: string, options?: PackageOptions): Promise<PreparedPackage> {
  return prepare(source, resolveOptions(options), true);
}

/**
 * Same validation, for check() in preview: uploads nothing. A folder unchanged since it was last
 * built is recognised by content and its cached package reused without re-zipping.
 */
export function inspectPackage(source: string, options?: PackageOptions): Promise<PreparedPackage> {
  return prepare(source, resolveOptions(options), false);
}

async function prepare(source: string, options: ResolvedOptions, beforeUpload: boolean): Promise<PreparedPackage> {
  if (typeof source !== "string" || source.trim() === "") {
    throw new PackageError("SOURCE_MISSING", `The package source is empty.`, `Set source to an add-on folder or a .zip file.`);
  }
  const absolute = path.resolve(source);
  let stats: Stats;
  try {
    stats = await fs.stat(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PackageError(
      "SOURCE_MISSING",
      `The package source ${absolute} does not exist${code && code !== "ENOENT" ? ` or cannot be read (${code})` : ""}.`,
      `Set source to an add-on folder (holding manifest.json) or to a .zip file; relative paths are resolved from ${process.cwd()}.`,
    );
  }
  if (stats.isDirectory()) return prepareDirectory(absolute, options, beforeUpload);
  if (stats.isFile() && /\.zip$/i.test(absolute)) return prepareZipFile(absolute, stats, options);
  throw new PackageError(
    "SOURCE_TYPE",
    `The package source ${absolute} is ${stats.isFile() ? "a file without the .zip extension" : "neither a file nor a folder"}.`,
    `Set source to an add-on folder (holding manifest.json) or to a .zip file named ID-VERSION.zip.`,
  );
}

async function prepareZipFile(source: string, stats: Stats, options: ResolvedOptions): Promise<PreparedPackage> {
  const listing = await readZipSource(source, options);
  const where = `manifest.json in ${source}`;
  const manifest = validateManifest(parseManifest(listing.manifestText, where), where);
  assertReferencedFilesPresent(manifest, listing.files, source, where);
  const fileName = path.basename(source);
  if (!isValidPackageFileName(fileName, manifest)) {
    throw new PackageError(
      "FILE_NAME",
      `The package file name "${fileName}" (${source}) does not match its manifest (id "${manifest.id}"${manifest.version ? `, version "${manifest.version}"` : ""}); the Add-ons Service expects ID.zip, ID-VERSION.zip or ID-VERSION-COUNTER.zip.`,
      `Rename the file to ${acceptedFileNames(manifest)}.`,
    );
  }
  return { filePath: source, fileName, sha256: await sha256File(source), size: stats.size, manifest };
}

async function prepareDirectory(root: string, options: ResolvedOptions, beforeUpload: boolean): Promise<PreparedPackage> {
  const tree = await walkDirectory(root, options);
  const paths = tree.entries.map((e) => e.path);
  assertManifestAtRoot(paths, root, "directory");
  assertNoDuplicates(paths, root);
  const manifestEntry = tree.entries.find((e) => e.path === MANIFEST_NAME)!;
  const where = path.join(root, MANIFEST_NAME);
  if (manifestEntry.directory) {
    throw new PackageError("MANIFEST_MISSING", `${where} is a folder.`, `Replace it with the add-on's manifest file.`);
  }
  if (manifestEntry.stats.size > options.maxManifestBytes) {
    throw new PackageError(
      "MANIFEST_INVALID",
      `${where} is ${formatBytes(manifestEntry.stats.size)}; a manifest is a few KiB.`,
      `Check that manifest.json is the add-on manifest, or raise the maxManifestBytes limit.`,
    );
  }
  const manifest = validateManifest(parseManifest(await fs.readFile(manifestEntry.absPath, "utf8"), where), where);
  const files = new Set(tree.entries.filter((e) => !e.directory).map((e) => e.path));
  assertReferencedFilesPresent(manifest, files, root, where);

  const fileName = packageFileNameFor(manifest);
  const ordered = zipOrder(tree.entries);
  const key = options.useCache ? await treeKey(ordered) : undefined;
  if (key) {
    const cached = await lookupTree(options.cacheDir, key, fileName, beforeUpload);
    if (cached) return { ...cached, fileName, manifest };
  }
  const temp = await temporaryPath(options.cacheDir);
  try {
    const { sha256, size } = await writeDeterministicZip(ordered, temp).catch((error: Error) => {
      throw new PackageError(
        "SOURCE_CHANGED",
        `${root} could not be read completely while it was being packaged (${error.message}).`,
        `Run again once whatever writes to the add-on folder (a build, a sync) has finished.`,
      );
    });
    const filePath = await storePackage(options.cacheDir, temp, sha256, fileName);
    if (key) await recordTree(options.cacheDir, key, { sha256, size, fileName });
    return { filePath, fileName, sha256, size, manifest };
  } finally {
    await fs.rm(temp, { force: true });
  }
}

function parseManifest(text: string, where: string): unknown {
  return parseJsonWithPosition(text, where, `Correct the JSON in manifest.json (a trailing comma or a missing quote is the usual cause).`);
}
