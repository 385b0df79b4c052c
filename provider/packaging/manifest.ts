import { PackageError, describeJsonType, truncate } from "./errors";

/** The add-on manifest (`manifest.json` at the package root), as validated and normalised. */
export interface Manifest {
  manifestVersion?: string;
  id: string;
  version?: string;
  name?: string;
  author?: string;
  description: string;
  icon?: string;
  requireConfiguration: "yes" | "no" | "optional";
  extensions: { name: string; type: string; properties?: Record<string, unknown>; supportedVersions?: unknown }[];
  minVersion?: string;
  maxVersion?: string;
}

export const MAX_ID_LENGTH = 255;

/** Extension types documented for 9.5-10.x; others are accepted (newer products add types). */
export const KNOWN_EXTENSION_TYPES: readonly string[] = [
  "CMEventHandler",
  "CMResolver",
  "CMApplicationDataConfiguration",
  "Connector",
  "ECLProvider",
  "UIEditor",
  "UIModel",
  "CDDeployerExtension",
  "CDModelTransformerExtension",
  "CDGraphQLSchemaExtension",
  "CDMergeableConfigurationExtension",
  "ExperienceSpaceExtension",
];

const REQUIRE_CONFIGURATION = ["yes", "no", "optional"] as const;

/**
 * Characters Windows (where Tridion CM runs) refuses in a file name; the id and version become
 * the package file name `ID-VERSION.zip`, so they must be usable there.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what a file name may not hold
const FILE_NAME_FORBIDDEN = /[<>:"/\\|?*\u0000-\u001f\u007f]/;

/** Why `text` cannot be part of a file name, or null. */
export function fileNameProblem(text: string): string | null {
  const bad = FILE_NAME_FORBIDDEN.exec(text);
  if (bad) {
    const ch = bad[0];
    const shown =
      ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f
        ? `control character U+${ch.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}`
        : `"${ch}"`;
    return `contains ${shown}, which cannot appear in a file name`;
  }
  if (text.trim() !== text) return "starts or ends with whitespace";
  if (text.endsWith(".")) return "ends with a dot, which Windows drops from file names";
  if (text === "." || text === "..") return `is "${text}"`;
  return null;
}

function manifestFix(what: string): string {
  return `Correct ${what} in manifest.json and try again.`;
}

function optionalString(raw: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw new PackageError(
      "MANIFEST_INVALID",
      `${where}: "${key}" must be a string, but it is ${describeJsonType(value)}.`,
      `Write it as a JSON string, e.g. "${key}": "${typeof value === "number" ? String(value) : "..."}".`,
    );
  }
  return value;
}

/** Validates a parsed manifest.json; `where` names it in errors (e.g. `/src/addon/manifest.json`). */
export function validateManifest(raw: unknown, where: string): Manifest {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new PackageError(
      "MANIFEST_INVALID",
      `${where} must hold a JSON object, but it holds ${describeJsonType(raw)}.`,
      `Write the manifest as an object: { "id": "...", "description": "...", "extensions": [...] }.`,
    );
  }
  const fields = raw as Record<string, unknown>;

  const id = validateId(fields.id, where);
  const version = optionalString(fields, "version", where);
  if (version !== undefined && version !== "") {
    const problem = fileNameProblem(version);
    if (problem) {
      throw new PackageError(
        "MANIFEST_INVALID",
        `${where}: "version" ${JSON.stringify(truncate(version, 60))} ${problem}; the package file name is ID-VERSION.zip.`,
        manifestFix(`"version" (use something like "1.4.0")`),
      );
    }
  }

  const description = fields.description;
  if (typeof description !== "string" || description.trim() === "") {
    throw new PackageError(
      "MANIFEST_INVALID",
      `${where}: "description" must be a non-empty string, but it is ${describeJsonType(description)}.`,
      `Add a short description, e.g. "description": "Event handler that ...". The Add-ons Service rejects an empty one.`,
    );
  }

  const manifest: Manifest = {
    id,
    description,
    requireConfiguration: validateRequireConfiguration(fields.requireConfiguration, where),
    extensions: validateExtensions(fields.extensions, where),
  };
  const optional = { manifestVersion: 0, version: 0, name: 0, author: 0, icon: 0, minVersion: 0, maxVersion: 0 } as const;
  for (const key of Object.keys(optional) as (keyof typeof optional)[]) {
    const value = key === "version" ? version : optionalString(fields, key, where);
    if (value !== undefined) manifest[key] = value;
  }
  return manifest;
}

function validateId(id: unknown, where: string): string {
  if (id === undefined || id === null) {
    throw new PackageError(
      "MANIFEST_INVALID",
      `${where} has no "id".`,
      `Add the mandatory add-on id, e.g. "id": "acme-publishing-tools"; it names the add-on and the package file.`,
    );
  }
  if (typeof id !== "string") {
    throw new PackageError(
      "MANIFEST_INVALID",
      `${where}: "id" must be a string, but it is ${describeJsonType(id)}.`,
      `Write the id as a JSON string, e.g. "id": "${typeof id === "number" ? id : "acme-publishing-tools"}".`,
    );
  }
  if (id === "") {
    throw new PackageError("MANIFEST_INVALID", `${where}: "id" is empty.`, `Set "id" to the add-on's id, e.g. "acme-publishing-tools".`);
  }
  if (id.length > MAX_ID_LENGTH) {
    throw new PackageError(
      "MANIFEST_INVALID",
      `${where}: "id" is ${id.length} characters long; the Add-ons Service allows at most ${MAX_ID_LENGTH}.`,
      `Shorten "id" to ${MAX_ID_LENGTH} characters or fewer.`,
    );
  }
  const problem = fileNameProblem(id);
  if (problem) {
    throw new PackageError(
      "MANIFEST_INVALID",
      `${where}: "id" ${JSON.stringify(truncate(id, 60))} ${problem}; the id is part of the package file name.`,
      manifestFix(`"id" (letters, digits, dots, dashes and underscores are safe)`),
    );
  }
  return id;
}

function validateRequireConfiguration(value: unknown, where: string): Manifest["requireConfiguration"] {
  if (value === undefined || value === null) return "optional"; // the documented default
  const normalised = typeof value === "string" ? value.trim().toLowerCase() : undefined;
  const match = REQUIRE_CONFIGURATION.find((allowed) => allowed === normalised);
  if (!match) {
    throw new PackageError(
      "MANIFEST_INVALID",
      `${where}: "requireConfiguration" must be "yes", "no" or "optional", but it is ${describeJsonType(value)}.`,
      `Set "requireConfiguration" to "yes", "no" or "optional" (or leave it out: the default is "optional").`,
    );
  }
  return match;
}

function validateExtensions(value: unknown, where: string): Manifest["extensions"] {
  if (!Array.isArray(value)) {
    throw new PackageError(
      "MANIFEST_INVALID",
      `${where}: "extensions" must be an array, but it is ${describeJsonType(value)}.`,
      `List the add-on's extensions as "extensions": [{ "name": "...", "type": "CMEventHandler", "properties": {...} }].`,
    );
  }
  const seen = new Map<string, number>();
  return value.map((entry, index) => {
    const at = `${where}: extensions[${index}]`;
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      throw new PackageError(
        "MANIFEST_INVALID",
        `${at} must be an object, but it is ${describeJsonType(entry)}.`,
        `Write each extension as { "name": "...", "type": "...", "properties": {...} }.`,
      );
    }
    const ext = entry as Record<string, unknown>;
    for (const key of ["name", "type"] as const) {
      if (typeof ext[key] !== "string" || (ext[key] as string).trim() === "") {
        throw new PackageError(
          "MANIFEST_INVALID",
          `${at} has no "${key}" (it is ${describeJsonType(ext[key])}).`,
          key === "name"
            ? `Give the extension a "name"; configuration and status reports refer to extensions by name.`
            : `Give the extension a "type", e.g. ${KNOWN_EXTENSION_TYPES.slice(0, 3)
                .map((t) => `"${t}"`)
                .join(", ")}.`,
        );
      }
    }
    const name = ext.name as string;
    const previous = seen.get(name);
    if (previous !== undefined) {
      throw new PackageError(
        "MANIFEST_INVALID",
        `${at}: the extension name "${name}" is already used by extensions[${previous}].`,
        `Give every extension a distinct name; configuration is keyed by extension name.`,
      );
    }
    seen.set(name, index);
    const properties = ext.properties;
    if (properties !== undefined && (properties === null || typeof properties !== "object" || Array.isArray(properties))) {
      throw new PackageError(
        "MANIFEST_INVALID",
        `${at} ("${name}"): "properties" must be an object, but it is ${describeJsonType(properties)}.`,
        `Write "properties" as an object, e.g. { "assemblyFileSource": "CM\\\\Acme.dll" }, or leave it out.`,
      );
    }
    const result: Manifest["extensions"][number] = { name, type: ext.type as string };
    if (properties !== undefined) result.properties = properties as Record<string, unknown>;
    if (ext.supportedVersions !== undefined) result.supportedVersions = ext.supportedVersions;
    return result;
  });
}

/** A file the manifest points at, as written (backslashes) and as a ZIP path (forward slashes). */
export interface ReferencedFile {
  extension: string;
  property: string;
  written: string;
}

/**
 * Files the manifest references (`properties.assemblyFileSource`, `properties.main`,
 * `properties.files[]`), which must exist in the package. Wrong types here are manifest errors.
 */
export function referencedFiles(manifest: Manifest, where: string): ReferencedFile[] {
  const found: ReferencedFile[] = [];
  for (const ext of manifest.extensions) {
    const props = ext.properties ?? {};
    for (const key of ["assemblyFileSource", "main"]) {
      const value = props[key];
      if (value === undefined || value === null) continue;
      if (typeof value !== "string" || value.trim() === "") {
        throw new PackageError(
          "MANIFEST_INVALID",
          `${where}: extension "${ext.name}" properties.${key} must be a path string, but it is ${describeJsonType(value)}.`,
          `Set it to the file's path inside the package, e.g. "${key === "main" ? "dist\\\\app\\\\main.js" : "CM\\\\Acme.EventHandler.dll"}".`,
        );
      }
      found.push({ extension: ext.name, property: `properties.${key}`, written: value });
    }
    const files = props.files;
    if (files === undefined || files === null) continue;
    if (!Array.isArray(files)) {
      throw new PackageError(
        "MANIFEST_INVALID",
        `${where}: extension "${ext.name}" properties.files must be an array of paths, but it is ${describeJsonType(files)}.`,
        `Write it as "files": ["dist\\\\app\\\\main.js", ...].`,
      );
    }
    files.forEach((file, index) => {
      if (typeof file !== "string" || file.trim() === "") {
        throw new PackageError(
          "MANIFEST_INVALID",
          `${where}: extension "${ext.name}" properties.files[${index}] must be a path string, but it is ${describeJsonType(file)}.`,
          `List only paths inside the package in "files".`,
        );
      }
      found.push({ extension: ext.name, property: `properties.files[${index}]`, written: file });
    });
  }
  return found;
}
