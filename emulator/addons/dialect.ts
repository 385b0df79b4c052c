// The Add-ons Service as another installation may answer: RWS has not published the API, so
// installations can differ in the letter case of JSON property names (System.Text.Json writes
// camelCase, Newtonsoft.Json PascalCase), in how statuses are spelled (9.5's "Fail", the UI's
// "Pending Activation"), in the upload's form field and in how the configuration is sent.
import type { AddonsDialect } from "../types";
import type { addonView, AddonStatus } from "./status";

export type ResolvedAddonsDialect = Required<AddonsDialect>;

export const defaultAddonsDialect: ResolvedAddonsDialect = {
  jsonCase: "camel",
  statusSpelling: "10",
  uploadField: "file",
  configurationTransport: "json",
  configurationField: "configuration",
};

/** The dialect's options over the defaults (checked by addonsDialectProblem first). */
export function resolveAddonsDialect(dialect: AddonsDialect = {}): ResolvedAddonsDialect {
  const set = Object.fromEntries(Object.entries(dialect).filter(([, v]) => v !== undefined));
  return { ...defaultAddonsDialect, ...set };
}

const spellings: Record<ResolvedAddonsDialect["statusSpelling"], Partial<Record<AddonStatus, string>>> = {
  "10": {},
  "9.5": { Failed: "Fail" },
  display: { PendingActivation: "Pending Activation", WaitingForConfiguration: "Waiting for configuration" },
};

/** A status as this installation spells it. */
export function spellStatus(status: string, dialect: ResolvedAddonsDialect): string {
  return spellings[dialect.statusSpelling][status as AddonStatus] ?? status;
}

/** The spellings of "Success" and "Failed" an extension may report (the contract's and the dialect's). */
export function reportedStatus(value: unknown, dialect: ResolvedAddonsDialect): "Success" | "Failed" | undefined {
  if (value === "Success") return "Success";
  if (value === "Failed" || value === spellStatus("Failed", dialect)) return "Failed";
  return undefined;
}

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** Property names in the dialect's case, recursively (only the service's own objects: never a configuration). */
export function inJsonCase<T>(value: T, dialect: ResolvedAddonsDialect): unknown {
  if (dialect.jsonCase === "camel") return value;
  if (Array.isArray(value)) return value.map((item) => inJsonCase(item, dialect));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [pascal(key), inJsonCase(inner, dialect)]));
  }
  return value;
}

/**
 * A property of a JSON request body in any letter case, as ASP.NET Core binds it (System.Text.Json
 * with the web defaults and Newtonsoft.Json both match names case-insensitively).
 */
export function bodyField(body: unknown, name: string): unknown {
  if (!body || typeof body !== "object" || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  if (name in record) return record[name];
  const key = Object.keys(record).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : record[key];
}

/** An add-on's metadata as this installation answers with it: its statuses spelled, its names cased. */
export function renderAddon(view: ReturnType<typeof addonView>, dialect: ResolvedAddonsDialect): unknown {
  return inJsonCase(
    {
      ...view,
      status: spellStatus(view.status, dialect),
      extensions: view.extensions.map((ext) => ({ ...ext, status: spellStatus(ext.status, dialect) })),
    },
    dialect,
  );
}
