import { PackageError } from "./errors";

export const MANIFEST_NAME = "manifest.json";

/**
 * The manifest must be `manifest.json` at the package root. When it is not, say where one was
 * found (a differently cased name, or inside a subfolder: the usual "zipped the folder, not its
 * contents" mistake).
 */
export function assertManifestAtRoot(paths: Iterable<string>, source: string, kind: "zip" | "directory"): void {
  const all = [...paths];
  if (all.includes(MANIFEST_NAME)) return;
  const cased = all.find((p) => p.toLowerCase() === MANIFEST_NAME);
  if (cased) {
    throw new PackageError(
      "MANIFEST_MISSING",
      `${source} has "${cased}" at its root but no "${MANIFEST_NAME}"; the name is case-sensitive.`,
      `Rename it to "${MANIFEST_NAME}".`,
    );
  }
  const nested = all
    .filter((p) => p.toLowerCase().endsWith(`/${MANIFEST_NAME}`))
    .sort((a, b) => a.split("/").length - b.split("/").length || (a < b ? -1 : 1))[0];
  if (nested) {
    const folder = nested.slice(0, -MANIFEST_NAME.length - 1);
    throw new PackageError(
      "MANIFEST_NOT_AT_ROOT",
      `${source} has no manifest.json at its root; one was found inside the subfolder "${folder}/" (${nested}).`,
      kind === "zip"
        ? `Zip the contents of "${folder}" rather than the folder itself, so manifest.json sits at the root, or point source at that folder.`
        : `Point source at the folder "${folder}" inside it, which holds manifest.json.`,
    );
  }
  throw new PackageError(
    "MANIFEST_MISSING",
    `${source} has no manifest.json.`,
    `Add manifest.json at the ${kind === "zip" ? "root of the ZIP" : "top of the folder"}, with at least "id", "description" and "extensions".`,
  );
}
