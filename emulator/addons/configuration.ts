// Custom configuration of an add-on (docs/tridion-contract.md §3.5): validation against the manifest, and the
// canonical form whose sha256 is configurationSha256.
import { createHash } from "node:crypto";
import { Problem } from "../problem";

const environmentKeys = new Set(["isEnabled", "configuration"]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted (recursively) and no whitespace. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function configurationSha256(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value), "utf8").digest("hex");
}

/**
 * Top-level keys: "configuration" (per-extension settings), "sitesCm" and CD environment names
 * (each an object with optional "isEnabled", an optional "configuration" of variables, and
 * per-extension objects). Every other key inside must be an extension name from the manifest.
 * Returns the paths ("live.Other") naming extensions that `extensionNames` does not hold.
 */
export function unknownExtensionPaths(document: unknown, extensionNames: string[]): string[] {
  if (!isPlainObject(document)) {
    throw new Problem(
      400,
      'The configuration must be a JSON object, e.g. {"configuration": {"MyExtension": {}}, "sitesCm": {"isEnabled": true}}.',
    );
  }
  const known = new Set(extensionNames);
  const unknown: string[] = [];
  for (const [section, value] of Object.entries(document)) {
    if (!isPlainObject(value)) {
      throw new Problem(400, `Configuration section "${section}" must be a JSON object.`);
    }
    for (const [key, inner] of Object.entries(value)) {
      if (section !== "configuration" && environmentKeys.has(key)) {
        if (key === "isEnabled" && typeof inner !== "boolean") {
          throw new Problem(400, `Configuration "${section}.isEnabled" must be true or false.`);
        }
        if (key === "configuration" && !isPlainObject(inner)) {
          throw new Problem(400, `Configuration "${section}.configuration" must be a JSON object of variables.`);
        }
        continue;
      }
      if (!known.has(key)) unknown.push(`${section}.${key}`);
      else if (!isPlainObject(inner)) throw new Problem(400, `Configuration "${section}.${key}" must be a JSON object.`);
    }
  }
  return unknown;
}

export const manifestNamesText = (extensionNames: string[]) =>
  extensionNames.length ? extensionNames.join(", ") : "(the manifest declares no extensions)";

/** 400 unless the document is a configuration for exactly these extension names. */
export function validateConfiguration(document: unknown, extensionNames: string[]): void {
  const unknown = unknownExtensionPaths(document, extensionNames);
  if (unknown.length) {
    throw new Problem(
      400,
      `The configuration names extensions that are not in the add-on's manifest: ${unknown.join(", ")}. Extension names must match the manifest: ${manifestNamesText(extensionNames)}.`,
    );
  }
}
