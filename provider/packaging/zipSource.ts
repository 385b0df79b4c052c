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
 * (capped, and yauzl checks its real size against the declared one). Names are read as the
 * Add-ons Service reads them (serviceEntryName), never as yauzl's friendlier reading would.
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
        const name = serviceEntryName(entry, source);
        const path = assertEntryInsideRoot(name, source);
        assertUnicodePathAgrees(entry, name, source);
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

const UNICODE_PATH_FIELD = 0x7075;
const UTF8_FLAG = 0x800;

/**
 * The name the Add-ons Service (.NET's System.IO.Compression) reads for an entry: the raw name
 * bytes of the central directory, decoded as UTF-8 when general-purpose bit 11 is set and with
 * the server's default code page otherwise; .NET ignores the Info-ZIP Unicode Path extra field
 * (0x7075). So the names are validated as those bytes say, and refused when readers would
 * disagree on them (the last rule in assertUnicodePathAgrees):
 * - non-ASCII bytes without bit 11: UTF-8 to .NET (Core), the ANSI code page to .NET Framework,
 *   CP437 to many ZIP tools: one entry, several names;
 * - bit 11 with bytes that are not UTF-8: .NET would substitute U+FFFD, others keep the bytes;
 * - a Unicode Path field naming anything but that name: tools that honour it (yauzl, Info-ZIP,
 *   7-Zip) would check or show another name than the one the service extracts.
 * An ASCII name without a Unicode Path field, or a UTF-8 one with bit 11, reads the same
 * everywhere, so it is accepted.
 */
export function serviceEntryName(entry: yauzl.Entry, source: string): string {
  const raw = entry.fileNameRaw;
  const flaggedUtf8 = (entry.generalPurposeBitFlag & UTF8_FLAG) !== 0;
  let name: string;
  if (flaggedUtf8) {
    const decoded = strictUtf8(raw);
    if (decoded === undefined) {
      throw ambiguous(
        source,
        showBytes(raw),
        "is marked as UTF-8 (general-purpose bit 11) but its bytes are not valid UTF-8, so each reader makes another name of it",
      );
    }
    name = decoded;
  } else {
    if (raw.some((byte) => byte >= 0x80)) {
      throw ambiguous(
        source,
        showBytes(raw),
        "has non-ASCII bytes but is not marked as UTF-8 (general-purpose bit 11): the service decodes it with the server's code page, other tools as CP437 or UTF-8, so its name depends on the reader",
      );
    }
    name = raw.toString("latin1");
  }
  return name;
}

/** An Info-ZIP Unicode Path field (0x7075) must name exactly what the service reads (serviceEntryName). */
export function assertUnicodePathAgrees(entry: yauzl.Entry, name: string, source: string): void {
  for (const field of entry.extraFields) {
    if (field.id !== UNICODE_PATH_FIELD) continue;
    const unicode = field.data.length >= 5 && field.data[0] === 1 ? strictUtf8(field.data.subarray(5)) : undefined;
    if (unicode === undefined) {
      throw ambiguous(
        source,
        JSON.stringify(name),
        "carries an Info-ZIP Unicode Path extra field (0x7075) that cannot be read (not version 1 with a UTF-8 name), so tools disagree on its name",
      );
    }
    if (unicode !== name) {
      throw ambiguous(
        source,
        JSON.stringify(name),
        `carries an Info-ZIP Unicode Path extra field (0x7075) naming it ${JSON.stringify(unicode)} instead; the Add-ons Service ignores that field and extracts the entry under the first name, while tools that honour it would check or show the second`,
      );
    }
  }
}

function strictUtf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Raw name bytes for a message: printable ASCII as is, every other byte as \xNN. */
function showBytes(bytes: Buffer): string {
  let out = "";
  for (const byte of bytes)
    out +=
      byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c
        ? String.fromCharCode(byte)
        : `\\x${byte.toString(16).padStart(2, "0")}`;
  return `"${out}"`;
}

function ambiguous(source: string, shown: string, problem: string): PackageError {
  return new PackageError(
    "ZIP_ENTRY_NAME_AMBIGUOUS",
    `${source} holds the entry ${shown}, which ${problem}.`,
    `Rebuild the ZIP with UTF-8 file names (7-Zip: -mcu=on; Info-ZIP zip: -UN=UTF8; .NET's ZipFile does it by default), or pass the add-on folder as source and let the provider zip it.`,
  );
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
