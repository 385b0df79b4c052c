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
 * Duplicate names (exact, or differing only in case, which collide when extracted on Windows).
 * Returns the path set for later lookups.
 */
export function assertNoDuplicates(paths: Iterable<string>, source: string): Set<string> {
  const exact = new Set<string>();
  const folded = new Map<string, string>();
  for (const path of paths) {
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
