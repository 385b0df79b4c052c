// Reading the Add-ons Service's answers. RWS has not published its API, and installations answer
// differently: System.Text.Json writes camelCase, Newtonsoft.Json PascalCase; 9.5 says "Fail"
// where 10 says "Failed"; people see "Pending Activation". So every answer the provider relies on
// is read field by field, whatever the letter case of its names, each status mapped to the one set
// the resource outputs; a field that is missing or of another type, and a status that is none of
// the documented spellings, stop the operation with an error saying what to run, never a
// half-read object in the state.
import { TridionError } from "../errors/tridionError";
import type { RouteKey } from "../config/routeProfile";
import { addonStatusOf, DOCUMENTED_STATUS_SPELLINGS, type AddonStatusValue } from "./addonsContract";

/** The statuses AddonPackage outputs (the one set every documented spelling maps to). */
export { ADDON_STATUSES } from "./addonsContract";
export type AddonStatus = AddonStatusValue;

export interface ExtensionMetadata {
  name: string;
  type?: string;
  status?: AddonStatus;
  message?: string;
}

/** An add-on as the provider reads it (field names as the contract spells them, statuses mapped). */
export interface AddonMetadata {
  id: string;
  name?: string;
  version?: string;
  author?: string;
  description?: string;
  manifestVersion?: string;
  requireConfiguration?: string;
  /** A status of the service, mapped; "Unknown" only in a state the provider records after a lost answer. */
  status?: AddonStatus | "Unknown";
  message?: string;
  packageFileName?: string;
  packageSize?: number;
  packageSha256?: string;
  uploadedAt?: string;
  hasConfiguration?: boolean;
  /** null: the service says there is no configuration. */
  configurationSha256?: string | null;
  extensions?: ExtensionMetadata[];
}

/** Where an answer came from: what the provider was doing, and the route (a template: no id, no host). */
export interface AnswerSource {
  action: string;
  method: string;
  routeKey: RouteKey;
  route: string;
}

/** The fields an add-on answer must have for each use. */
export const NEEDED_FOR_DEPLOY = ["id", "status", "packageSha256"] as const;
export const NEEDED_FOR_LIST = ["id", "status"] as const;
type Needed = ReadonlyArray<"id" | "status" | "packageSha256">;

type Expected = "a string" | "a boolean" | "a list" | "an object";

/** How to go on when an answer cannot be read: the settings first, the report when none fits. */
function fixFor(source: AnswerSource): string {
  return (
    `run \`npx pulumi-tridion doctor\`: it compares the service's OpenAPI document with what the provider sends and reads, and proposes the tridion:routes settings that fit (this answer comes from the route "${source.routeKey}"). ` +
    "If no setting fits, report it to the provider's maintainers with the output of `npx pulumi-tridion doctor --report FILE` attached."
  );
}

function answered(source: AnswerSource): string {
  return `Cannot ${source.action}: the Add-ons Service answered ${source.method} ${source.route}`;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

/** An object's fields, looked up by name in any letter case (an exact match first). */
class Fields {
  private readonly byLowerCase = new Map<string, string>();

  constructor(
    private readonly value: Record<string, unknown>,
    private readonly source: AnswerSource,
    /** Where in the answer this object is, e.g. "extensions[1]"; "" for the answer itself. */
    private readonly at: string,
  ) {
    for (const key of Object.keys(value)) if (!this.byLowerCase.has(key.toLowerCase())) this.byLowerCase.set(key.toLowerCase(), key);
  }

  /** Where a field is in the answer, as the service spells it when it sent one. */
  private path(field: string): string {
    const name = this.keyOf(field) ?? field;
    return this.at ? `${this.at}.${name}` : name;
  }

  private keyOf(field: string): string | undefined {
    return field in this.value ? field : this.byLowerCase.get(field.toLowerCase());
  }

  /** The value of `field` (any letter case); undefined when absent. null stays null. */
  raw(field: string): unknown {
    const key = this.keyOf(field);
    return key === undefined ? undefined : this.value[key];
  }

  missing(field: string, expected: Expected): TridionError {
    const names = Object.keys(this.value);
    const where = this.at ? ` in ${this.at}` : "";
    return new TridionError(
      "UNEXPECTED_ANSWER",
      `${answered(this.source)} without the field "${this.path(field)}" (${expected}), which the provider needs; field names are read in any letter case, and the answer${where} has ${names.length ? `only ${names.map((n) => `"${n}"`).join(", ")}` : "no fields"}.`,
      { fix: fixFor(this.source), details: { route: this.source.routeKey, field: this.path(field) } },
    );
  }

  wrongType(field: string, expected: Expected, value: unknown): TridionError {
    return new TridionError(
      "UNEXPECTED_ANSWER",
      `${answered(this.source)} with the field "${this.path(field)}" as ${typeOf(value)}, where the provider needs ${expected}.`,
      { fix: fixFor(this.source), details: { route: this.source.routeKey, field: this.path(field) } },
    );
  }

  /** A string field; absent (or null) is undefined unless required. */
  string(field: string, required = false): string | undefined {
    const value = this.raw(field);
    if (value === undefined || value === null) {
      if (required) throw this.missing(field, "a string");
      return undefined;
    }
    if (typeof value !== "string") throw this.wrongType(field, "a string", value);
    if (required && value === "") throw this.missing(field, "a string");
    return value;
  }

  boolean(field: string): boolean | undefined {
    const value = this.raw(field);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "boolean") throw this.wrongType(field, "a boolean", value);
    return value;
  }

  /** A status, mapped from any documented spelling; anything else fails quoting it. */
  status(field: string, required = false): AddonStatus | undefined {
    const value = this.raw(field);
    if (value === undefined || value === null) {
      if (required) throw this.missing(field, "a string");
      return undefined;
    }
    const status = typeof value === "string" ? addonStatusOf(value) : undefined;
    if (status) return status;
    throw new TridionError(
      "UNEXPECTED_ANSWER",
      `${answered(this.source)} with the status ${JSON.stringify(value)} in "${this.path(field)}", which is none of the documented ones (${Object.keys(DOCUMENTED_STATUS_SPELLINGS).join(", ")}); the provider does not guess what it means.`,
      {
        fix: "report it to the provider's maintainers with the output of `npx pulumi-tridion doctor --report FILE` attached (it lists the statuses the service uses), so that this status can be read.",
        details: { route: this.source.routeKey, field: this.path(field), status: value },
      },
    );
  }

  /** Fields the provider shows but does not rely on: kept when of the right type, left out otherwise. */
  optional<T extends "string" | "number">(field: string, type: T): (T extends "string" ? string : number) | undefined {
    const value = this.raw(field);
    return typeof value === type ? (value as T extends "string" ? string : number) : undefined;
  }

  list(field: string): unknown[] | undefined {
    const value = this.raw(field);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw this.wrongType(field, "a list", value);
    return value;
  }
}

function fieldsOf(value: unknown, source: AnswerSource, at: string): Fields {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TridionError(
      "UNEXPECTED_ANSWER",
      `${answered(source)} with ${value === undefined || value === "" ? "no body" : typeOf(value)}${at ? ` in ${at}` : ""}, where the provider needs a JSON object describing an add-on.`,
      { fix: fixFor(source), details: { route: source.routeKey } },
    );
  }
  return new Fields(value as Record<string, unknown>, source, at);
}

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * One add-on of an answer, checked for the fields `needed` and every field the provider reads
 * (names in any letter case, statuses mapped). `at` names it inside a list answer.
 */
export function readAddonMetadata(body: unknown, source: AnswerSource, needed: Needed, at = ""): AddonMetadata {
  const fields = fieldsOf(body, source, at);
  const configurationSha256 = fields.raw("configurationSha256") === null ? null : fields.string("configurationSha256");
  const extensions = fields.list("extensions")?.map((item, index) => {
    const ext = fieldsOf(item, source, `${at ? `${at}.` : ""}extensions[${index}]`);
    return compact({
      name: ext.string("name", true)!,
      type: ext.string("type"),
      status: ext.status("status"),
      message: ext.string("message"),
    }) satisfies ExtensionMetadata;
  });
  return compact({
    id: fields.string("id", true)!,
    name: fields.string("name"),
    version: fields.string("version"),
    author: fields.optional("author", "string"),
    description: fields.optional("description", "string"),
    manifestVersion: fields.optional("manifestVersion", "string"),
    requireConfiguration: fields.optional("requireConfiguration", "string"),
    status: fields.status("status", needed.includes("status")),
    message: fields.string("message"),
    packageFileName: fields.string("packageFileName"),
    packageSize: fields.optional("packageSize", "number"),
    packageSha256: fields.string("packageSha256", needed.includes("packageSha256")),
    uploadedAt: fields.optional("uploadedAt", "string"),
    hasConfiguration: fields.boolean("hasConfiguration"),
    configurationSha256,
    extensions,
  }) satisfies AddonMetadata;
}

/** A list answer: a JSON array of add-ons, each checked for `needed`. */
export function readAddonList(body: unknown, source: AnswerSource, needed: Needed): AddonMetadata[] {
  if (!Array.isArray(body)) {
    throw new TridionError(
      "UNEXPECTED_ANSWER",
      `${answered(source)}, but not with a JSON array of add-ons (it sent ${body === undefined || body === "" ? "no body" : typeOf(body)}).`,
      {
        fix: `check that tridion:addonsUrl is the Add-ons Service's base URL (e.g. https://host:83/addon); then run \`npx pulumi-tridion doctor\`, which finds the service's routes in its OpenAPI document and proposes the tridion:routes value (route "${source.routeKey}").`,
        details: { route: source.routeKey },
      },
    );
  }
  return body.map((item, index) => readAddonMetadata(item, source, needed, `[${index}]`));
}
