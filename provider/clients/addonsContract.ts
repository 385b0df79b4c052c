// What the provider needs of the Add-ons Service's answers, in one place: the status spellings RWS
// documents and the one status each means, the fields of an add-on answer (which the provider
// cannot do without, which it reads when they are there) and the routes whose answer is an add-on
// (the form fields it sends, and their defaults, are the route profile's: config/routeProfile.ts).
// The Add-ons client reads answers by it, and `pulumi-tridion doctor` compares a service's OpenAPI
// document with it, so the two can never disagree about what the provider understands.

import type { AddonForms } from "../config/routeProfile";

/** The statuses the provider outputs (AddonPackage `status`). */
export const ADDON_STATUSES = ["WaitingForConfiguration", "PendingActivation", "Success", "Failed", "Disabled"] as const;
export type AddonStatusValue = (typeof ADDON_STATUSES)[number];

/**
 * Every spelling of a status RWS documents, and the status it means: Tridion Sites 10 writes
 * `Failed`, 9.5 `Fail`; the UI shows "Pending Activation" and "Waiting for configuration".
 */
export const DOCUMENTED_STATUS_SPELLINGS: Readonly<Record<string, AddonStatusValue>> = {
  PendingActivation: "PendingActivation",
  "Pending Activation": "PendingActivation",
  WaitingForConfiguration: "WaitingForConfiguration",
  "Waiting for configuration": "WaitingForConfiguration",
  Success: "Success",
  Fail: "Failed",
  Failed: "Failed",
  Disabled: "Disabled",
};

/** Letter case, spaces, "_" and "-" aside, the documented spellings are told apart by their letters alone. */
const normalized = (spelling: string) => spelling.replace(/[\s_-]+/g, "").toLowerCase();
const BY_NORMALIZED = new Map(Object.entries(DOCUMENTED_STATUS_SPELLINGS).map(([spelling, status]) => [normalized(spelling), status]));

/**
 * The status a value of the service means, or undefined when it is none of the documented
 * spellings (compared without regard to letter case, spaces, "_" and "-"). An unknown value is never
 * guessed: the caller reports it.
 */
export function addonStatusOf(value: string): AddonStatusValue | undefined {
  return DOCUMENTED_STATUS_SPELLINGS[value] ?? BY_NORMALIZED.get(normalized(value));
}

/** Which documented family a set of status values belongs to, in words (undefined: none stands out). */
export function statusSpellingOf(values: string[]): string | undefined {
  if (values.some((v) => /\s/.test(v.trim()))) return 'as the UI shows them ("Pending Activation", "Waiting for configuration")';
  if (values.includes("Fail")) return "as Tridion Sites 9.5 documents them (Fail)";
  if (values.includes("Failed") || values.includes("PendingActivation") || values.includes("WaitingForConfiguration")) {
    return "as Tridion Sites 10 documents them (PendingActivation, WaitingForConfiguration, Failed)";
  }
  return undefined;
}

export type FieldType = "string" | "boolean" | "number" | "array";

/** A field of an answer the provider reads. */
export interface AnswerField {
  /** As the provider names it (camelCase); the service may write it in any letter case. */
  name: string;
  type: FieldType;
  /** Without it the provider cannot go on (an error naming the field); without the others it does less. */
  required: boolean;
  /** Null is a value the service may send (meaning "none"). */
  nullable?: boolean;
  /** What the provider does with it, for people. */
  use: string;
}

/** The fields of an add-on, as the list, get, upload, replace and enable/disable answers carry it. */
export const ADDON_FIELDS: readonly AnswerField[] = [
  { name: "id", type: "string", required: true, use: "the add-on's id: every later call names it" },
  { name: "status", type: "string", required: true, use: "the status output, waiting for activation, and whether the add-on is enabled" },
  { name: "name", type: "string", required: false, use: "the name output" },
  { name: "version", type: "string", required: false, use: "the version output and drift of the version" },
  { name: "message", type: "string", required: false, use: "statusMessage, and what an activation failure quotes" },
  {
    name: "packageSha256",
    type: "string",
    required: false,
    use: "drift of the package, and telling an upload of ours from someone else's after a lost answer",
  },
  {
    name: "packageFileName",
    type: "string",
    required: false,
    use: "the packageFileName output and the ownership of an interrupted create",
  },
  {
    name: "configurationSha256",
    type: "string",
    required: false,
    nullable: true,
    use: "drift of the configuration without downloading it",
  },
  { name: "hasConfiguration", type: "boolean", required: false, use: "whether a configuration is there to compare" },
  { name: "extensions", type: "array", required: false, use: "the extensions output and what an activation failure quotes" },
];

/** The fields of each entry of an add-on's `extensions`. */
export const EXTENSION_FIELDS: readonly AnswerField[] = [
  { name: "name", type: "string", required: true, use: "the extension's name in the extensions output" },
  { name: "type", type: "string", required: false, use: "the extension's type in the extensions output" },
  { name: "status", type: "string", required: false, use: "the extension's status in the extensions output" },
  { name: "message", type: "string", required: false, use: "what an activation failure quotes" },
];

/** The answers the provider reads as an add-on (a list of them for `list`), by route key and method. */
export const ADDON_ANSWERS = [
  { route: "addons", method: "get", list: true, what: "the list" },
  { route: "addons", method: "post", list: false, what: "the upload" },
  { route: "addon", method: "get", list: false, what: "reading one add-on" },
  { route: "addon", method: "put", list: false, what: "replacing the package" },
  { route: "addonStatus", method: "put", list: false, what: "enabling or disabling" },
] as const;

export type ConfigurationTransport = AddonForms["addonConfigurationTransport"];

/** The value of `name` in a JSON object, whatever the letter case the service wrote it in (an exact match first). */
export function fieldValue(answer: Record<string, unknown>, name: string): unknown {
  if (name in answer) return answer[name];
  const lower = name.toLowerCase();
  const key = Object.keys(answer).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : answer[key];
}

/** "camelCase", "PascalCase" or "mixed" for a set of property names (undefined when none tells). */
export function letterCaseOf(names: string[]): "camelCase" | "PascalCase" | "mixed" | undefined {
  const telling = names.filter((n) => /^[A-Za-z]/.test(n));
  if (!telling.length) return undefined;
  const upper = telling.filter((n) => /^[A-Z]/.test(n)).length;
  if (upper === telling.length) return "PascalCase";
  if (upper === 0) return "camelCase";
  return "mixed";
}
