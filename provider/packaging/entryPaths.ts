import { PackageError } from "./errors";
import { Manifest, referencedFiles } from "./manifest";

/**
 * ZIP entry and manifest paths. Windows tools write backslashes and the manifest uses them, so a
 * backslash is a separator here; what matters is that nothing escapes the package root.
 */
export function toZipPath(path: string): string {
  return path.replace(/\\/g, "/").replace(/^(\.\/)+/, "");
}

/** Why a (normalised) path escapes the package root or is unusable, or null. */
export function escapeProblem(path: string): string | null {
  if (path.includes("\u0000")) return "contains a NUL character";
  if (path.startsWith("/")) return "is an absolute path";
  if (/^[A-Za-z]:/.test(path)) return "starts with a drive letter";
  if (path.split("/").includes("..")) return 'climbs out of the package root with ".."';
  return null;
}

export function assertEntryInsideRoot(rawName: string, source: string): string {
  const path = toZipPath(rawName);
  const problem = escapeProblem(path);
  if (problem) {
    throw new PackageError(
      "ZIP_ENTRY_ESCAPES",
      `${source} holds the entry ${JSON.stringify(rawName)}, which ${problem}; extracting it would write outside the add-on folder.`,
      `Rebuild the ZIP from the add-on folder with relative paths only (or pass the folder itself as source and let the provider zip it).`,
    );
  }
  return path;
}

/**
 * Names Windows reserves for devices, in any case, alone or before an extension (`NUL.txt` and
 * `nul.tar.gz` are `NUL` too): CON, PRN, AUX, NUL, COM0-9, LPT0-9 and their superscript-digit
 * forms (COM¹, LPT³), and the console's CONIN$ and CONOUT$.
 */
const WINDOWS_DEVICE_NAME = /^(CON|PRN|AUX|NUL|COM[0-9\u00b9\u00b2\u00b3]|LPT[0-9\u00b9\u00b2\u00b3]|CONIN\$|CONOUT\$)$/i;
/** Characters Windows refuses in a file name (NUL is refused as an escape, "\\" is a separator). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what a file name may not hold
const WINDOWS_FORBIDDEN = /[<>:"|?*\u0001-\u001f]/;

/**
 * Why a (normalised, root-relative) path cannot be extracted on Windows, where the Add-ons Service
 * unpacks add-ons, as the very file it names, or null. Such a name fails extraction, or lands on
 * another name (Windows drops a trailing dot or space, so `a.dll.` is `a.dll`), or opens something
 * else than a file (`x:stream` is an alternate data stream, `CON` the console): another entry
 * could then take its place unnoticed by the duplicate check.
 */
export function windowsNameProblem(path: string): string | null {
  const segments = path.replace(/\/+$/, "").split("/");
  for (const segment of segments) {
    if (segment === "") return "has an empty folder name (two slashes in a row), which Windows drops, so it names another path";
    if (segment === ".") return 'has a "." folder, which Windows drops, so it names another path';
    const bad = WINDOWS_FORBIDDEN.exec(segment);
    if (bad) {
      const ch = bad[0];
      if (ch === ":")
        return `has "${segment}" with ":", which Windows reads as an alternate data stream of a file (as in "::$DATA"), not as a file of its own`;
      const shown =
        ch.charCodeAt(0) < 0x20 ? `the control character U+${ch.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}` : `"${ch}"`;
      return `has "${segment}" with ${shown}, which Windows does not allow in a file name`;
    }
    if (/[. ]$/.test(segment)) {
      return `has "${segment}", which ends with ${segment.endsWith(".") ? "a dot" : "a space"}: Windows drops it, so it names "${segment.replace(/[. ]+$/, "")}" instead`;
    }
    const base = segment.split(".")[0].replace(/ +$/, "");
    if (WINDOWS_DEVICE_NAME.test(base)) {
      return `has "${segment}", a name Windows reserves for the device ${base.toUpperCase()} (with or without an extension), not a file`;
    }
  }
  return null;
}

/** Every name must be extractable on Windows as the file it names (see windowsNameProblem). */
export function assertWindowsName(path: string, source: string): void {
  const problem = windowsNameProblem(path);
  if (problem) {
    throw new PackageError(
      "BAD_ENTRY_NAME",
      `${source} holds the entry ${JSON.stringify(path)}, which ${problem}; the Add-ons Service extracts add-ons on Windows.`,
      `Rename it to a plain Windows file name (no < > : " | ? *, no trailing dot or space, not CON, PRN, AUX, NUL, COM1-9 or LPT1-9).`,
    );
  }
}

/**
 * Names that cannot be extracted on Windows as themselves (windowsNameProblem), then duplicates
 * (exact, or differing only in case, which collide when extracted on Windows). Returns the path
 * set for later lookups.
 */
export function assertNoDuplicates(paths: Iterable<string>, source: string): Set<string> {
  const exact = new Set<string>();
  const folded = new Map<string, string>();
  for (const path of paths) {
    assertWindowsName(path, source);
    const key = path.replace(/\/+$/, "");
    if (exact.has(key)) {
      throw new PackageError(
        "ZIP_DUPLICATE_ENTRY",
        `${source} holds "${key}" twice; which copy the service would use is undefined.`,
        `Rebuild the ZIP so each path appears once.`,
      );
    }
    const lower = key.toLowerCase();
    const other = folded.get(lower);
    if (other !== undefined) {
      throw new PackageError(
        "ZIP_DUPLICATE_ENTRY",
        `${source} holds both "${other}" and "${key}", which differ only in case and overwrite each other on Windows, where Tridion runs.`,
        `Rename or remove one of them.`,
      );
    }
    exact.add(key);
    folded.set(lower, key);
  }
  return exact;
}

/** Every file the manifest references must be in the package (the service fails the add-on otherwise). */
export function assertReferencedFilesPresent(manifest: Manifest, files: Set<string>, source: string, where: string): void {
  const byLower = new Map<string, string>();
  for (const file of files) byLower.set(file.toLowerCase(), file);
  for (const ref of referencedFiles(manifest, where)) {
    const path = toZipPath(ref.written);
    const problem = escapeProblem(path);
    if (problem) {
      throw new PackageError(
        "MANIFEST_INVALID",
        `${where}: extension "${ref.extension}" ${ref.property} ${JSON.stringify(ref.written)} ${problem}; paths in the manifest are relative to the package root.`,
        `Write the path relative to the root, e.g. "CM\\\\Acme.EventHandler.dll".`,
      );
    }
    if (files.has(path)) continue;
    const caseOnly = byLower.get(path.toLowerCase());
    throw new PackageError(
      "REFERENCED_FILE_MISSING",
      `${where}: extension "${ref.extension}" ${ref.property} points to ${JSON.stringify(ref.written)}, but ${source} has no file "${path}"` +
        (caseOnly ? ` (it has "${caseOnly}", which differs in case).` : "."),
      caseOnly
        ? `Make the manifest path and the file name agree exactly, including case.`
        : `Add the file at that path inside the package, or correct ${ref.property} in manifest.json.`,
    );
  }
}
