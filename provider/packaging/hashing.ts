import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { PackageError } from "./errors";
import { MAX_JSON_DEPTH, parseJsonWithPosition } from "./json";

/** sha256 of a file, hex, streamed in 1 MiB chunks (never the whole file in memory). */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/**
 * JSON with object keys sorted recursively (UTF-16 code unit order) and no whitespace, so equal
 * values hash equally whatever their key order. Follows JSON.stringify otherwise: `toJSON` is
 * honoured, undefined/function members are left out of objects and become null in arrays,
 * non-finite numbers become null. Throws on cycles, BigInt and a top-level value JSON cannot hold,
 * and (CONFIGURATION_INVALID) on arrays and objects nested deeper than MAX_JSON_DEPTH, before the
 * recursion could reach the stack limit.
 */
export function canonicalJson(value: unknown): string {
  const out = write(value, new Set(), 0);
  if (out === undefined) throw new TypeError(`canonicalJson: ${typeof value} has no JSON form`);
  return out;
}

function write(value: unknown, ancestors: Set<object>, depth: number): string | undefined {
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "bigint":
      throw new TypeError("canonicalJson: BigInt has no JSON form");
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return "null";
  const object = value as object;
  if (ancestors.has(object)) throw new TypeError("canonicalJson: circular structure");
  if (depth >= MAX_JSON_DEPTH) {
    throw new PackageError(
      "CONFIGURATION_INVALID",
      `The configuration nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep; the Add-ons Service reads JSON at most ${MAX_JSON_DEPTH} levels deep.`,
      `Flatten the configuration.`,
    );
  }
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      return `[${object.map((item) => write(item, ancestors, depth + 1) ?? "null").join(",")}]`;
    }
    const record = object as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const item = write(record[key], ancestors, depth + 1);
      if (item !== undefined) parts.push(`${JSON.stringify(key)}:${item}`);
    }
    return `{${parts.join(",")}}`;
  } finally {
    ancestors.delete(object);
  }
}

/**
 * sha256 (hex) of the configuration's canonical JSON. A string is taken as JSON text and parsed
 * first, so `configuration` given as an object or as its JSON text hashes the same.
 */
export function configurationSha256(config: unknown): string {
  const value =
    typeof config === "string"
      ? parseJsonWithPosition(config, "The configuration", "Correct the JSON text of the configuration.", "CONFIGURATION_INVALID")
      : config;
  return createHash("sha256").update(canonicalJson(value), "utf8").digest("hex");
}
