import { TridionError } from "../errors/tridionError";

/** The codes of the packaging layer (a part of ErrorCode). */
export type PackageErrorCode =
  | "SOURCE_MISSING"
  | "SOURCE_TYPE"
  | "SOURCE_CHANGED"
  | "CACHE_UNSAFE"
  | "ZIP_CORRUPT"
  | "ZIP_ENCRYPTED"
  | "ZIP_ENTRY_ESCAPES"
  | "ZIP_DUPLICATE_ENTRY"
  | "ZIP_BOMB"
  | "PACKAGE_TOO_LARGE"
  | "MANIFEST_MISSING"
  | "MANIFEST_NOT_AT_ROOT"
  | "MANIFEST_INVALID_JSON"
  | "MANIFEST_INVALID"
  | "FILE_NAME"
  | "REFERENCED_FILE_MISSING"
  | "SYMLINK_OUTSIDE"
  | "SYMLINK_BROKEN"
  | "SPECIAL_FILE"
  | "BAD_ENTRY_NAME"
  | "ZIP_ENTRY_NAME_AMBIGUOUS"
  | "CONFIGURATION_INVALID";

/**
 * A rejection of the packaging layer: a TridionError with a package code. Every one says what is
 * wrong (the message, naming the source path or the manifest field) and what the user can do
 * about it (the fix), so `pulumi preview` output is actionable.
 */
export class PackageError extends TridionError {
  declare readonly code: PackageErrorCode;
  declare readonly fix: string;

  constructor(code: PackageErrorCode, message: string, fix: string) {
    super(code, message, { fix });
  }
}

/**
 * A short human description of a JSON value, for "expected X, got Y" messages. It shows short
 * values (`the string "maybe"`), so it is only for public documents such as the manifest; anything
 * that may hold a secret (a configuration, a resource input) takes describeJsonKind.
 */
export function describeJsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return value === "" ? "an empty string" : `the string ${JSON.stringify(truncate(value, 40))}`;
    case "number":
      return `the number ${value}`;
    case "boolean":
      return `the boolean ${value}`;
    case "undefined":
      return "nothing";
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The kind of a JSON value and never its content ("a string", "a number", "an array"), for
 * messages about what may hold a secret: a configuration, a resource input.
 */
export function describeJsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return value === "" ? "an empty string" : "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    case "undefined":
      return "nothing";
    case "object":
      return "an object";
    default:
      return `a ${typeof value}`;
  }
}
