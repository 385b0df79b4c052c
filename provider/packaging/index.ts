/**
 * Add-on packaging: manifest rules, deterministic ZIP of a folder, sha256, configuration rules.
 * Used by the AddonPackage resource: check() calls inspectPackage (validate, build into the cache,
 * upload nothing), create/update call preparePackage and upload `filePath`.
 */
export { PackageError, describeJsonKind } from "./errors";
export type { PackageErrorCode } from "./errors";
export { KNOWN_EXTENSION_TYPES, MAX_ID_LENGTH, validateManifest, referencedFiles } from "./manifest";
export type { Manifest, ReferencedFile } from "./manifest";
export { preparePackage, inspectPackage } from "./prepare";
export type { PreparedPackage } from "./prepare";
export { packageFileNameFor, isValidPackageFileName } from "./fileName";
export { sha256File, canonicalJson, configurationSha256 } from "./hashing";
export { parseConfiguration, validateConfiguration } from "./configuration";
export { resolveOptions } from "./options";
export type { PackageOptions } from "./options";
export { IGNORED_FILE_NAMES } from "./directorySource";
export { FIXED_DATE, STORED_EXTENSIONS } from "./deterministicZip";
