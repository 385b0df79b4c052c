import { Manifest } from "./manifest";

/** The package file name the service expects for a built package: `ID-VERSION.zip`, or `ID.zip` without a version. */
export function packageFileNameFor(manifest: Manifest): string {
  return manifest.version ? `${manifest.id}-${manifest.version}.zip` : `${manifest.id}.zip`;
}

/**
 * docs/tridion-contract.md §3.4: `ID.zip`, `ID-VERSION.zip` or `ID-VERSION-COUNTER.zip`, where COUNTER is a build number
 * (digits). ID and VERSION must match the manifest exactly; the `.zip` extension in any case.
 */
export function isValidPackageFileName(fileName: string, manifest: Manifest): boolean {
  const match = /^(.*)\.zip$/i.exec(fileName);
  if (!match) return false;
  const stem = match[1];
  if (stem === manifest.id) return true;
  if (!manifest.version) return false;
  const withVersion = `${manifest.id}-${manifest.version}`;
  if (stem === withVersion) return true;
  return stem.startsWith(`${withVersion}-`) && /^[0-9]+$/.test(stem.slice(withVersion.length + 1));
}

/** The accepted names, for error messages. */
export function acceptedFileNames(manifest: Manifest): string {
  return manifest.version
    ? `${manifest.id}-${manifest.version}.zip, ${manifest.id}-${manifest.version}-<build number>.zip or ${manifest.id}.zip`
    : `${manifest.id}.zip`;
}
