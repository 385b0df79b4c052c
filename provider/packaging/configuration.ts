import { PackageError, describeJsonKind } from "./errors";
import { MAX_JSON_DEPTH, assertJsonDepth, parseJsonWithPosition } from "./json";
import { Manifest } from "./manifest";

/**
 * Custom configuration (docs/tridion-contract.md §3.5): one JSON document per add-on.
 * - `configuration`: { <extension name>: {...} }
 * - `sitesCm` (literal): { isEnabled?: boolean, <extension name>: {...} }
 * - any other key is a Content Delivery environment name (defaults `live`, `staging`):
 *   { isEnabled?: boolean, configuration?: { <variable>: ... }, <extension name>: {...} }
 * A string is taken as the document's JSON text. A configuration may hold secrets, so errors name
 * paths and kinds of values ("a string"), never a value or the text around a JSON error.
 */
export function validateConfiguration(config: unknown, manifest: Manifest): void {
  const where = `The configuration of add-on "${manifest.id}"`;
  const document = parseConfiguration(config, where);
  const top = requireObject(document, where, `Pass an object such as { "configuration": { "<extension name>": { ... } } }.`);
  const extensionNames = manifest.extensions.map((ext) => ext.name);

  for (const [key, value] of Object.entries(top)) {
    const at = `${where}: "${key}"`;
    if (key === "configuration") {
      const section = requireObject(value, at, `Write it as { "<extension name>": { ... } }.`);
      for (const [name, settings] of Object.entries(section)) {
        checkExtensionSection(`${where}: configuration.${name}`, name, settings, extensionNames, manifest.id);
      }
      continue;
    }
    const lookalike = ["configuration", "sitesCm"].find((reserved) => reserved !== key && reserved.toLowerCase() === key.toLowerCase());
    if (lookalike) {
      invalid(
        `${at} looks like the reserved key "${lookalike}" but differs in case, so it would be read as a Content Delivery environment name.`,
        `Rename it to "${lookalike}".`,
      );
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(key)) {
      invalid(
        `${at} is not "configuration", "sitesCm" or a usable Content Delivery environment name.`,
        `Use "sitesCm" for Content Manager, or the environment's name (such as "live" or "staging"; letters, digits, ".", "_" and "-").`,
      );
    }
    const isCm = key === "sitesCm";
    const section = requireObject(value, at, `Write it as { "isEnabled": true, "<extension name>": { ... } }.`);
    for (const [name, settings] of Object.entries(section)) {
      const path = `${where}: ${key}.${name}`;
      if (name === "isEnabled") {
        if (typeof settings !== "boolean")
          invalid(
            `${path} must be true or false, but it is ${describeJsonKind(settings)}.`,
            `Write "isEnabled": true or "isEnabled": false.`,
          );
        continue;
      }
      if (name === "configuration" && !isCm) {
        requireObject(settings, path, `Write the environment's variables as an object, e.g. { "SOME_VAR": "x" }.`);
        continue;
      }
      checkExtensionSection(path, name, settings, extensionNames, manifest.id);
    }
  }
}

const TEXT_FIX = "Correct the JSON text, or pass the configuration as an object.";
const DEPTH_FIX = `Flatten the configuration: the Add-ons Service reads JSON at most ${MAX_JSON_DEPTH} levels deep.`;

/**
 * The configuration as a value: JSON text parsed (errors give line and column, never the text), an
 * object taken as is; either way nested at most MAX_JSON_DEPTH deep, so no later walk over it can
 * exhaust the stack.
 */
export function parseConfiguration(config: unknown, where = "The configuration"): unknown {
  if (typeof config === "string") return parseJsonWithPosition(config, where, TEXT_FIX, "CONFIGURATION_INVALID");
  assertJsonDepth(config, where, "CONFIGURATION_INVALID", DEPTH_FIX);
  return config;
}

function checkExtensionSection(path: string, name: string, settings: unknown, extensionNames: string[], addonId: string): void {
  if (!extensionNames.includes(name)) {
    const suggestion = closest(name, extensionNames);
    invalid(
      `${path} names the extension "${name}", which manifest "${addonId}" does not have (it has ${extensionNames.length ? extensionNames.map((n) => `"${n}"`).join(", ") : "no extensions"}).`,
      suggestion
        ? `Did you mean "${suggestion}"? Extension names must match the manifest exactly.`
        : `Use an extension name from the manifest, or remove this entry.`,
    );
  }
  requireObject(settings, path, `Write the extension's settings as an object, e.g. "${name}": { ... }.`);
}

function requireObject(value: unknown, at: string, fix: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    invalid(`${at} must be an object, but it is ${describeJsonKind(value)}.`, fix);
  }
  return value as Record<string, unknown>;
}

function invalid(cause: string, fix: string): never {
  throw new PackageError("CONFIGURATION_INVALID", cause, fix);
}

/** The candidate a typo most likely meant: same letters ignoring case, or at most 2 edits away. */
function closest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    if (candidate.toLowerCase() === name.toLowerCase()) return candidate;
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
