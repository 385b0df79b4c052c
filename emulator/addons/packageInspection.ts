// Validates an uploaded add-on package on disk with yauzl: lists the central directory, refuses
// ZIP bombs from its sizes, reads manifest.json, then streams every entry through a CRC-32 check,
// so a package of any size needs little memory.
import { crc32 } from "node:zlib";
import * as yauzl from "yauzl";
import { Problem } from "../problem";

export const maxManifestBytes = 1024 * 1024;
export const maxAddonIdLength = 255;
const requireConfigurationValues = ["yes", "no", "optional"] as const;
/** Manifest properties that name files inside the package (paths with backslashes). */
const filePropertyNames = ["assemblyFileSource", "main", "files"];

export interface InspectedExtension {
  name: string;
  type: string;
  loadErrors: string[];
}

export interface InspectedPackage {
  id: string;
  name: string;
  version: string;
  author: string;
  description: string;
  manifestVersion: string;
  requireConfiguration: "yes" | "no" | "optional";
  extensions: InspectedExtension[];
}

const rebuildHint = "Rebuild the package as a ZIP with manifest.json at its root.";

function reject(detail: string): never {
  throw new Problem(400, detail);
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject_) => {
    yauzl.open(file, { lazyEntries: true, decodeStrings: false, autoClose: false, validateEntrySizes: true }, (error, zip) => {
      if (error || !zip)
        reject_(
          new Problem(
            400,
            `The package is not a valid ZIP file (${error?.message ?? "unreadable"}). Upload the .zip file itself, built with a ZIP tool; ${rebuildHint}`,
          ),
        );
      else resolve(zip);
    });
  });
}

/** Raw name bytes for a message: printable ASCII as is, every other byte as \xNN. */
function showBytes(bytes: Buffer): string {
  let out = "";
  for (const byte of bytes) {
    out +=
      byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c
        ? String.fromCharCode(byte)
        : `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return `"${out}"`;
}

function strictUtf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

const utf8Hint = "Rebuild the ZIP with UTF-8 file names (7-Zip: -mcu=on; Info-ZIP zip: -UN=UTF8; .NET's ZipFile does it by default).";

/**
 * The entry name as the service's .NET ZipArchive reads it: the raw bytes of the central
 * directory, UTF-8 when general-purpose bit 11 is set, else the server's code page (which nobody
 * outside the server knows, so non-ASCII bytes without the flag are refused); the Info-ZIP Unicode
 * Path extra field is not read here (see unicodePathProblem).
 */
function decodeName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  if ((entry.generalPurposeBitFlag & 0x800) !== 0) {
    const name = strictUtf8(raw);
    if (name === undefined)
      reject(
        `The package has the entry ${showBytes(raw)}, marked as UTF-8 (bit 11) but not valid UTF-8, so its name depends on the reader. ${utf8Hint}`,
      );
    return name;
  }
  if (raw.some((byte) => byte >= 0x80)) {
    reject(
      `The package has the entry ${showBytes(raw)}, with non-ASCII bytes but not marked as UTF-8 (bit 11): its name depends on the server's code page. ${utf8Hint}`,
    );
  }
  return raw.toString("latin1");
}

/** Why an entry's Info-ZIP Unicode Path extra field (0x7075) disagrees with its raw name, or null. */
function unicodePathProblem(entry: yauzl.Entry, name: string): string | null {
  for (const field of entry.extraFields) {
    if (field.id !== 0x7075) continue;
    const unicode = field.data.length >= 5 && field.data[0] === 1 ? strictUtf8(field.data.subarray(5)) : undefined;
    if (unicode === undefined) return `carries an unreadable Unicode Path extra field (0x7075)`;
    if (unicode !== name)
      return `carries a Unicode Path extra field (0x7075) naming it ${JSON.stringify(unicode)}; the service extracts the raw name`;
  }
  return null;
}

/**
 * Device names Windows reserves (alone or before an extension): CON, PRN, AUX, NUL, COM0-9,
 * LPT0-9, their superscript-digit forms, CONIN$ and CONOUT$.
 */
const windowsDeviceName = /^(CON|PRN|AUX|NUL|COM[0-9\u00b9\u00b2\u00b3]|LPT[0-9\u00b9\u00b2\u00b3]|CONIN\$|CONOUT\$)$/i;

/**
 * Why Windows (where the service extracts add-ons) would not extract a name as the file it names,
 * or null: forbidden characters (":" opens an alternate data stream), a trailing dot or space
 * (dropped, so the entry lands on another name), device names, empty or "." segments.
 */
export function windowsNameProblem(name: string): string | null {
  for (const segment of name.replace(/\\/g, "/").replace(/\/+$/, "").replace(/^\.\//, "").split("/")) {
    if (segment === "" || segment === ".") return 'has an empty or "." folder name, which Windows drops';
    // eslint-disable-next-line no-control-regex -- control characters are exactly what a file name may not hold
    const bad = /[<>:"|?*\u0001-\u001f]/.exec(segment);
    if (bad) {
      return bad[0] === ":"
        ? `has ":" in "${segment}", which Windows reads as an alternate data stream (as in "::$DATA")`
        : `has a character Windows does not allow in a file name in "${segment}"`;
    }
    if (/[. ]$/.test(segment)) return `has "${segment}", ending with a dot or space, which Windows drops`;
    const base = segment.split(".")[0].replace(/ +$/, "");
    if (windowsDeviceName.test(base)) return `has "${segment}", the Windows device name ${base.toUpperCase()}`;
  }
  return null;
}

/** A ZIP entry escapes the root when it is absolute, has a drive letter, or walks up with "..". */
export function escapesRoot(name: string): boolean {
  const normalized = name.replace(/\\/g, "/");
  return normalized.startsWith("/") || /^[A-Za-z]:/.test(normalized) || normalized.split("/").includes("..");
}

function listEntries(zip: yauzl.ZipFile): Promise<Array<{ name: string; entry: yauzl.Entry }>> {
  return new Promise((resolve, reject_) => {
    const entries: Array<{ name: string; entry: yauzl.Entry }> = [];
    zip.on("entry", (entry: yauzl.Entry) => {
      try {
        entries.push({ name: decodeName(entry), entry });
      } catch (error) {
        return reject_(error);
      }
      zip.readEntry();
    });
    zip.on("end", () => resolve(entries));
    zip.on("error", (error: Error) => reject_(new Problem(400, `The package is a corrupt ZIP file (${error.message}). ${rebuildHint}`)));
    zip.readEntry();
  });
}

function corruptEntry(name: string, cause: string): Problem {
  return new Problem(400, `The package is a corrupt ZIP file: entry "${name}" ${cause}. ${rebuildHint}`);
}

/** yauzl checks the sizes (validateEntrySizes) but never the CRC-32: compute it while streaming. */
function verifyEntry(zip: yauzl.ZipFile, name: string, entry: yauzl.Entry): Promise<void> {
  return new Promise((resolve, reject_) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream) return reject_(corruptEntry(name, `cannot be read (${error?.message ?? "no data"})`));
      let crc = 0;
      stream.on("data", (chunk: Buffer) => {
        crc = crc32(chunk, crc);
      });
      stream.on("end", () => {
        const actual = crc >>> 0;
        if (actual === entry.crc32) return resolve();
        const hex = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;
        reject_(corruptEntry(name, `fails its CRC-32 check (the data gives ${hex(actual)}, the ZIP directory says ${hex(entry.crc32)})`));
      });
      stream.on("error", (e: Error) => reject_(corruptEntry(name, `is damaged (${e.message})`)));
    });
  });
}

const isDirectory = (name: string) => name.endsWith("/") || name.endsWith("\\");

/** Two entries that extract to the same file (Windows compares names case-insensitively). */
function rejectDuplicates(entries: Array<{ name: string }>) {
  const seen = new Map<string, string>();
  for (const { name } of entries) {
    if (isDirectory(name)) continue;
    const key = normalizePath(name);
    const first = seen.get(key);
    if (first !== undefined) {
      reject(
        `The package has two entries for the same file: "${first}" and "${name}" (names are compared case-insensitively, as on the Windows servers that extract add-ons). Keep one of them; ${rebuildHint}`,
      );
    }
    seen.set(key, name);
  }
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return new Promise((resolve, reject_) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream)
        return reject_(new Problem(400, `manifest.json cannot be read from the ZIP (${error?.message}). ${rebuildHint}`));
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxManifestBytes) {
          stream.destroy();
          reject_(
            new Problem(
              400,
              `manifest.json is larger than ${maxManifestBytes} bytes once decompressed; a manifest is a small JSON file. Check the package is not a ZIP bomb.`,
            ),
          );
          return;
        }
        chunks.push(chunk);
      });
      stream.on("end", () => resolve(Buffer.concat(chunks)));
      stream.on("error", (e: Error) => reject_(new Problem(400, `manifest.json is corrupt inside the ZIP (${e.message}). ${rebuildHint}`)));
    });
  });
}

function stringField(manifest: Record<string, unknown>, field: string, fallback: string): string {
  const value = manifest[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "string") reject(`manifest.json: "${field}" must be a string, got ${JSON.stringify(value)}.`);
  return value;
}

function parseManifest(text: string): Record<string, unknown> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    reject(
      `manifest.json is not valid JSON (${(error as Error).message}). Fix the syntax, e.g. check quotes, commas and that backslashes in paths are doubled ("CM\\\\My.dll").`,
    );
  }
  if (typeof manifest !== "object" || manifest === null || Array.isArray(manifest)) {
    reject('manifest.json must hold a JSON object with at least "id" and "description".');
  }
  return manifest as Record<string, unknown>;
}

function validateId(manifest: Record<string, unknown>): string {
  const id = manifest.id;
  if (id === undefined || id === null || id === "")
    reject('manifest.json has no "id"; the id is mandatory. Add e.g. "id": "acme-publishing-tools".');
  if (typeof id !== "string") reject(`manifest.json: "id" must be a string, got ${JSON.stringify(id)}.`);
  if (id.length > maxAddonIdLength)
    reject(`manifest.json: "id" is ${id.length} characters long; the maximum is ${maxAddonIdLength}. Shorten it.`);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what a file name may not hold
  if (/[\\/:*?"<>|\u0000-\u001f]/.test(id) || id.trim() !== id) {
    reject(
      `manifest.json: "id" ${JSON.stringify(id)} contains characters that cannot be part of a file name (\\ / : * ? " < > |, control characters, or leading/trailing spaces). Use letters, digits, dots, dashes and underscores.`,
    );
  }
  return id;
}

function validateRequireConfiguration(manifest: Record<string, unknown>): InspectedPackage["requireConfiguration"] {
  const value = manifest.requireConfiguration;
  if (value === undefined || value === null) return "optional";
  const lower = typeof value === "string" ? value.toLowerCase() : "";
  if (!(requireConfigurationValues as readonly string[]).includes(lower)) {
    reject(`manifest.json: "requireConfiguration" is ${JSON.stringify(value)}; use "yes", "no" or "optional" (the default).`);
  }
  return lower as InspectedPackage["requireConfiguration"];
}

function referencedFiles(properties: unknown): Array<{ property: string; path: string }> {
  if (typeof properties !== "object" || properties === null) return [];
  const found: Array<{ property: string; path: string }> = [];
  for (const [key, value] of Object.entries(properties as Record<string, unknown>)) {
    if (!filePropertyNames.includes(key) && !key.endsWith("FileSource")) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item === "string" && item && !/^[a-z][a-z0-9+.-]*:\/\//i.test(item)) found.push({ property: key, path: item });
    }
  }
  return found;
}

const normalizePath = (p: string) => p.replace(/\\/g, "/").replace(/^\.\//, "").toLowerCase();

function validateExtensions(manifest: Record<string, unknown>, entryNames: Set<string>): InspectedExtension[] {
  const value = manifest.extensions;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) reject('manifest.json: "extensions" must be a list of {"name", "type", "properties"} objects.');
  const seen = new Set<string>();
  return value.map((extension: unknown, index: number) => {
    const ext = extension as Record<string, unknown> | null;
    if (typeof ext !== "object" || ext === null)
      reject(`manifest.json: extensions[${index}] must be an object with "name", "type" and "properties".`);
    if (typeof ext.name !== "string" || !ext.name)
      reject(`manifest.json: extensions[${index}] has no "name"; every extension needs a unique name.`);
    if (typeof ext.type !== "string" || !ext.type)
      reject(`manifest.json: extension "${ext.name}" has no "type"; use one of the known types, e.g. CMEventHandler.`);
    if (seen.has(ext.name)) reject(`manifest.json: two extensions are named "${ext.name}"; extension names must be unique.`);
    seen.add(ext.name);
    const loadErrors = referencedFiles(ext.properties)
      .filter((ref) => !entryNames.has(normalizePath(ref.path)))
      .map(
        (ref) =>
          `The file "${ref.path}" named by properties.${ref.property} is not in the package; add it to the ZIP or fix the path (relative to the ZIP root, with backslashes).`,
      );
    return { name: ext.name, type: ext.type, loadErrors };
  });
}

function escapeRegExp(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** ID.zip, ID-VERSION.zip or ID-VERSION-COUNTER.zip (COUNTER: letters, digits, dots, underscores). */
export function validateFileName(fileName: string, id: string, version: string) {
  const versionPart = version ? `(?:-${escapeRegExp(version)}(?:-[A-Za-z0-9._]+)?)?` : "";
  const pattern = new RegExp(`^${escapeRegExp(id)}${versionPart}\\.zip$`, "i");
  if (!pattern.test(fileName)) {
    const examples = version ? `${id}.zip, ${id}-${version}.zip or ${id}-${version}-1.zip` : `${id}.zip`;
    reject(
      `The package file name "${fileName}" does not match the manifest: it must be ID.zip, ID-VERSION.zip or ID-VERSION-COUNTER.zip, here ${examples}. Rename the file.`,
    );
  }
}

/**
 * The sizes in the central directory are what the entries unpack to (yauzl's validateEntrySizes
 * holds every entry to them), so a ZIP bomb is refused before anything is decompressed.
 */
export const maxUnpackedBytes = 4 * 1024 ** 3;

function rejectBombs(entries: Array<{ name: string; entry: yauzl.Entry }>) {
  const total = entries.reduce((n, e) => n + e.entry.uncompressedSize, 0);
  if (total > maxUnpackedBytes) {
    reject(
      `The package unpacks to ${(total / 1024 ** 3).toFixed(1)} GiB, more than the ${maxUnpackedBytes / 1024 ** 3} GiB an add-on may hold (a ZIP bomb?). Leave build outputs and test data out of the add-on.`,
    );
  }
}

export async function inspectPackage(file: string, fileName: string): Promise<InspectedPackage> {
  const zip = await openZip(file);
  try {
    const entries = await listEntries(zip);
    const escaping = entries.filter((e) => escapesRoot(e.name)).map((e) => e.name);
    if (escaping.length) {
      reject(
        `The package has entries that escape the ZIP root: ${escaping.slice(0, 5).join(", ")}. Entries must be relative paths without "..", a drive letter or a leading slash; rebuild the ZIP from the add-on folder.`,
      );
    }
    for (const { name, entry } of entries) {
      const twoNames = unicodePathProblem(entry, name);
      if (twoNames) reject(`The package has the entry ${JSON.stringify(name)}, which ${twoNames}. ${utf8Hint}`);
      const windows = windowsNameProblem(name);
      if (windows) {
        reject(
          `The package has the entry ${JSON.stringify(name)}, which ${windows}; the servers that extract add-ons run Windows. Rename it to a plain Windows file name and rebuild the ZIP.`,
        );
      }
    }
    rejectDuplicates(entries);
    rejectBombs(entries);
    const manifestEntry = entries.find((e) => e.name === "manifest.json");
    if (!manifestEntry) {
      const nested = entries.find((e) => /(^|[\\/])manifest\.json$/i.test(e.name));
      if (nested) {
        reject(
          `manifest.json is not at the root of the ZIP (found "${nested.name}"). Zip the contents of the add-on folder, not the folder itself, so that manifest.json is at the root.`,
        );
      }
      reject(
        `The package has no manifest.json. Add a manifest.json at the root of the ZIP describing the add-on (id, version, description, extensions).`,
      );
    }
    const manifest = parseManifest((await readEntry(zip, manifestEntry.entry)).toString("utf8"));
    const id = validateId(manifest);
    const description = stringField(manifest, "description", "");
    if (!description.trim()) reject('manifest.json: "description" must not be empty. Describe what the add-on does.');
    const version = stringField(manifest, "version", "");
    const requireConfiguration = validateRequireConfiguration(manifest);
    const entryNames = new Set(entries.filter((e) => !isDirectory(e.name)).map((e) => normalizePath(e.name)));
    const extensions = validateExtensions(manifest, entryNames);
    validateFileName(fileName, id, version);
    // Last, as it reads everything: the cheap checks above answer first.
    for (const { name, entry } of entries) {
      if (!isDirectory(name)) await verifyEntry(zip, name, entry);
    }
    return {
      id,
      name: stringField(manifest, "name", id),
      version,
      author: stringField(manifest, "author", ""),
      description,
      manifestVersion: stringField(manifest, "manifestVersion", ""),
      requireConfiguration,
      extensions,
    };
  } finally {
    zip.close();
  }
}
