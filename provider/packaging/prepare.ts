import { createHash } from "node:crypto";
import { promises as fs, Stats } from "node:fs";
import * as path from "node:path";
import { lookupTree, mapLimit, recordTree, storePackage, temporaryPath, treeKey } from "./cache";
import { ReadBudget, TreeEntry, readWalkedFile, walkDirectory } from "./directorySource";
import { ZipInput, writeDeterministicZip, zipOrder } from "./deterministicZip";
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
  // Read once: these bytes are validated, hashed for the cache key and put in the ZIP.
  const manifestBytes = await readManifest(manifestEntry, where, options);
  const manifest = validateManifest(parseManifest(manifestBytes.toString("utf8"), where), where);
  const files = new Set(tree.entries.filter((e) => !e.directory).map((e) => e.path));
  assertReferencedFilesPresent(manifest, files, root, where);

  const fileName = packageFileNameFor(manifest);
  const ordered = zipOrder(tree.entries);
  const bytesOf = (entry: TreeEntry, budget: ReadBudget): AsyncIterable<Buffer> =>
    entry === manifestEntry ? once(manifestBytes) : readWalkedFile(entry, budget);

  let key: string | undefined;
  if (options.useCache) {
    // Hash every file (read once, from a checked descriptor) to look the content up.
    const budget = ReadBudget.forFolder(root, options);
    budget.take(manifestBytes.length);
    const hashes = await mapLimit(ordered, 4, (entry) =>
      entry.directory
        ? Promise.resolve("")
        : entry === manifestEntry
          ? Promise.resolve(sha256(manifestBytes))
          : sha256Of(readWalkedFile(entry, budget)),
    );
    key = treeKey(ordered, hashes);
    const cached = await lookupTree(options.cacheDir, key, fileName, beforeUpload);
    // A cached ZIP is checked like a fresh one; one that fails is not used (rebuilt below).
    if (cached && !(await zipProblem(cached.filePath, root, manifestBytes, files, options))) return { ...cached, fileName, manifest };
  }

  // Zip: each file is read once more, from a checked descriptor, and the bytes zipped are the
  // bytes hashed here, so the key recorded below always describes this ZIP's content.
  const temp = await temporaryPath(options.cacheDir);
  try {
    const budget = ReadBudget.forFolder(root, options);
    budget.take(manifestBytes.length);
    const hashes: string[] = ordered.map(() => "");
    const inputs: ZipInput[] = ordered.map((entry, i) => ({
      path: entry.path,
      directory: entry.directory,
      read: entry.directory ? undefined : () => hashing(bytesOf(entry, budget), (hex) => (hashes[i] = hex)),
    }));
    const { sha256, size } = await writeDeterministicZip(inputs, temp).catch((error: Error) => {
      if (error instanceof PackageError) throw error;
      throw new PackageError(
        "SOURCE_CHANGED",
        `${root} could not be read completely while it was being packaged (${error.message}).`,
        `Run again once whatever writes to the add-on folder (a build, a sync) has finished.`,
      );
    });
    const zippedKey = treeKey(ordered, hashes);
    if (key !== undefined && zippedKey !== key) {
      throw new PackageError(
        "SOURCE_CHANGED",
        `Files in ${root} changed between the time they were hashed and the time they were zipped.`,
        `Run again once whatever writes to the add-on folder (a build, a sync) has finished.`,
      );
    }
    // The ZIP that will be uploaded is validated as a ZIP source is, and must hold exactly the
    // folder's files and the manifest validated above. Its bytes are the checked ones by
    // construction; this catches what the writer itself changes on the way (archiver rewrites
    // some names: a leading "x:" is dropped, so "x:manifest.json" would shadow manifest.json).
    const problem = await zipProblem(temp, root, manifestBytes, files, options);
    if (problem) throw problem;
    const filePath = await storePackage(options.cacheDir, temp, sha256, fileName);
    if (options.useCache) await recordTree(options.cacheDir, zippedKey, { sha256, size, fileName });
    return { filePath, fileName, sha256, size, manifest };
  } finally {
    await fs.rm(temp, { force: true });
  }
}

/**
 * Why the ZIP at `zipPath` is not the package of this folder, or undefined when it is: it must pass
 * the `.zip` source checks (names as the service reads them, duplicates, sizes) and hold exactly
 * `files`, with `manifestBytes` as its manifest. The compression ratio is not judged: the sizes
 * here are real, counted as the files were read, and a large file of zeros is a legitimate 1000:1.
 */
async function zipProblem(
  zipPath: string,
  source: string,
  manifestBytes: Buffer,
  files: Set<string>,
  options: ResolvedOptions,
): Promise<PackageError | undefined> {
  // archiver drops a leading "letters:" (a drive letter to it): the only rewrite a walked name can meet.
  const rewritten = [...files].filter((f) => /^\w+:/.test(f));
  const fix = rewritten.length
    ? `Rename ${rewritten
        .slice(0, 3)
        .map((f) => JSON.stringify(f))
        .join(", ")} in the add-on folder: the ZIP writer drops the part before the colon.`
    : `Rename the file named above in the add-on folder.`;
  let listing;
  try {
    listing = await readZipSource(zipPath, { ...options, maxCompressionRatio: Number.POSITIVE_INFINITY });
  } catch (error) {
    if (!(error instanceof PackageError)) throw error;
    return new PackageError(
      error.code,
      `The package built from ${source} was refused: ${error.message.split(zipPath).join("the package")}`,
      fix,
    );
  }
  const renamed = [...files].filter((f) => !listing.files.has(f));
  if (renamed.length > 0 || listing.files.size !== files.size) {
    return new PackageError(
      "BAD_ENTRY_NAME",
      `The package built from ${source} does not hold the folder's files under their own names${renamed.length ? ` (${renamed.slice(0, 3).join(", ")})` : ""}.`,
      fix,
    );
  }
  if (listing.manifestText !== manifestBytes.toString("utf8")) {
    return new PackageError(
      "SOURCE_CHANGED",
      `The manifest.json in the package built from ${source} is not the manifest that was validated.`,
      `Run again once whatever writes to the add-on folder (a build, a sync) has finished.`,
    );
  }
  return undefined;
}

async function readManifest(entry: TreeEntry, where: string, options: ResolvedOptions): Promise<Buffer> {
  const tooBig = (size: number) =>
    new PackageError(
      "MANIFEST_INVALID",
      `${where} is ${formatBytes(size)}; a manifest is a few KiB.`,
      `Check that manifest.json is the add-on manifest, or raise the maxManifestBytes limit.`,
    );
  if (entry.stats.size > options.maxManifestBytes) throw tooBig(entry.stats.size);
  const chunks: Buffer[] = [];
  // Checked against maxManifestBytes at open (it may have grown since the walk); never read past it.
  for await (const chunk of readWalkedFile(entry, new ReadBudget(options.maxManifestBytes, tooBig))) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* once(bytes: Buffer): AsyncGenerator<Buffer> {
  yield bytes;
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function sha256Of(chunks: AsyncIterable<Buffer>): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of chunks) hash.update(chunk);
  return hash.digest("hex");
}

/** Passes `chunks` on unchanged and reports the sha256 of all of them at the end. */
async function* hashing(chunks: AsyncIterable<Buffer>, done: (hex: string) => void): AsyncGenerator<Buffer> {
  const hash = createHash("sha256");
  for await (const chunk of chunks) {
    hash.update(chunk);
    yield chunk;
  }
  done(hash.digest("hex"));
}

function parseManifest(text: string, where: string): unknown {
  return parseJsonWithPosition(text, where, `Correct the JSON in manifest.json (a trailing comma or a missing quote is the usual cause).`);
}
