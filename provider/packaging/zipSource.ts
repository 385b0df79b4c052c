import * as yauzl from "yauzl";
import { PackageError } from "./errors";
import { assertEntryInsideRoot, assertNoDuplicates } from "./entryPaths";
import { MANIFEST_NAME, assertManifestAtRoot } from "./locateManifest";
import { RATIO_CHECK_MIN_BYTES, ResolvedOptions, formatBytes } from "./options";

export interface ZipListing {
  /** File paths (forward slashes), for manifest references. */
  files: Set<string>;
  /** manifest.json's text. */
  manifestText: string;
}

/**
 * Reads a ZIP's central directory and its manifest.json, without extracting anything else:
 * entry names are checked for escapes, declared sizes for bombs, and only the manifest is inflated
 * (capped, and yauzl checks its real size against the declared one).
 */
export async function readZipSource(source: string, limits: ResolvedOptions): Promise<ZipListing> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(source, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true });
  } catch (error) {
    throw corrupt(source, error);
  }
  try {
    const entries = await listEntries(zip, source, limits);
    const paths = entries.map((e) => e.path);
    assertManifestAtRoot(paths, source, "zip");
    assertNoDuplicates(paths, source);
    const manifestEntry = entries.find((e) => e.path === MANIFEST_NAME)!.entry;
    if (manifestEntry.uncompressedSize > limits.maxManifestBytes) {
      throw new PackageError(
        "MANIFEST_INVALID",
        `manifest.json in ${source} is ${formatBytes(manifestEntry.uncompressedSize)}; a manifest is a few KiB.`,
        `Check that manifest.json is the add-on manifest, or raise the maxManifestBytes limit.`,
      );
    }
    const manifestText = await readEntryText(zip, manifestEntry, source);
    return { files: new Set(entries.filter((e) => !e.directory).map((e) => e.path)), manifestText };
  } finally {
    zip.close();
  }
}

interface ListedEntry {
  path: string;
  directory: boolean;
  entry: yauzl.Entry;
}

function listEntries(zip: yauzl.ZipFile, source: string, limits: ResolvedOptions): Promise<ListedEntry[]> {
  if (zip.entryCount > limits.maxEntries) {
    return Promise.reject(
      new PackageError(
        "ZIP_BOMB",
        `${source} declares ${zip.entryCount} entries; the limit is ${limits.maxEntries}.`,
        `Package only what the add-on needs, or raise the maxEntries limit.`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const listed: ListedEntry[] = [];
    let total = 0;
    zip.on("error", (error) => reject(corrupt(source, error)));
    zip.on("end", () => resolve(listed));
    zip.on("entry", (entry: yauzl.Entry) => {
      try {
        const raw = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
        const path = assertEntryInsideRoot(raw, source);
        if (entry.isEncrypted()) {
          throw new PackageError(
            "ZIP_ENCRYPTED",
            `${source} holds the encrypted entry "${path}"; the Add-ons Service cannot read encrypted ZIPs.`,
            `Rebuild the ZIP without a password.`,
          );
        }
        const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
        if (entry.uncompressedSize > RATIO_CHECK_MIN_BYTES && ratio > limits.maxCompressionRatio) {
          throw new PackageError(
            "ZIP_BOMB",
            `${source}: the entry "${path}" expands from ${formatBytes(entry.compressedSize)} to ${formatBytes(entry.uncompressedSize)} (ratio ${Math.round(ratio)}:1, limit ${limits.maxCompressionRatio}:1), which looks like a ZIP bomb.`,
            `Check where this ZIP came from; if the file is genuine, raise the maxCompressionRatio limit.`,
          );
        }
        total += entry.uncompressedSize;
        if (total > limits.maxUncompressedBytes) {
          throw new PackageError(
            "ZIP_BOMB",
            `${source} expands to more than ${formatBytes(limits.maxUncompressedBytes)}, the limit for an add-on package.`,
            `Check where this ZIP came from and package only what the add-on needs, or raise the maxUncompressedBytes limit.`,
          );
        }
        listed.push({ path: path.replace(/\/+$/, ""), directory: path.endsWith("/"), entry });
        zip.readEntry();
      } catch (error) {
        reject(error);
      }
    });
    zip.readEntry();
  });
}

async function readEntryText(zip: yauzl.ZipFile, entry: yauzl.Entry, source: string): Promise<string> {
  try {
    const stream = await zip.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  } catch (error) {
    throw corrupt(source, error);
  }
}

function corrupt(source: string, error: unknown): PackageError {
  if (error instanceof PackageError) return error;
  return new PackageError(
    "ZIP_CORRUPT",
    `${source} is not a readable ZIP archive (${(error as Error).message}).`,
    `Rebuild it (or pass the add-on folder as source and let the provider zip it), and check that the file was copied completely.`,
  );
}
