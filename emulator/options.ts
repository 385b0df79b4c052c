// Range checks of the numeric startEmulator options and their CLI flags: one table, so that both
// refuse the same values with a message naming the option (or flag) and the valid range.
import type { AddonsDialect, EmulatorOptions } from "./types";

/** setTimeout's ceiling, and the int32 IdentityServer uses for token lifetimes. */
export const maxInt32 = 2_147_483_647;

interface IntegerRange {
  flag: string;
  min: number;
  max: number;
}

export const numericOptions = {
  port: { flag: "--port", min: 0, max: 65535 },
  addonsPort: { flag: "--addons-port", min: 0, max: 65535 },
  tokenLifetimeSeconds: { flag: "--token-lifetime-seconds", min: 1, max: maxInt32 },
  activationDelayMs: { flag: "--activation-delay-ms", min: 0, max: Number.MAX_SAFE_INTEGER },
  maxPackageBytes: { flag: "--max-package-bytes", min: 1, max: Number.MAX_SAFE_INTEGER },
} satisfies Record<string, IntegerRange>;

export type NumericOption = keyof typeof numericOptions;

export function describeRange(range: { min: number; max: number }): string {
  return range.max === Number.MAX_SAFE_INTEGER ? `an integer >= ${range.min}` : `an integer from ${range.min} to ${range.max}`;
}

export function inRange(value: unknown, range: { min: number; max: number }): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= range.min && value <= range.max;
}

/** Throws when a numeric option is not an integer in its range (NaN, negative, 0 where 1 is the minimum). */
export function validateNumericOptions(options: EmulatorOptions): void {
  for (const [name, range] of Object.entries(numericOptions) as Array<[NumericOption, IntegerRange]>) {
    const value = options[name];
    if (value !== undefined && !inRange(value, range)) {
      throw new Error(`${name} must be ${describeRange(range)}, got ${typeof value === "number" ? String(value) : JSON.stringify(value)}.`);
    }
  }
}

/** Parses a CLI flag's text; the error names the flag and the range. */
export function parseIntegerFlag(name: NumericOption, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const range = numericOptions[name];
  const value = /^[+-]?\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!inRange(value, range)) throw new Error(`${range.flag} must be ${describeRange(range)}, got "${text}"`);
  return value;
}

/**
 * Why an Access Management base path cannot be used (undefined when it can): URL-safe segments
 * such as /access-management (Sites) or /ISHAM (Docs). The Add-ons Service has a listener of its
 * own, so no path is taken by it.
 */
export function amBasePathProblem(name: string, value: string): string | undefined {
  if (/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(value)) return undefined;
  return `${name} must be a path like /access-management or /ISHAM, got ${JSON.stringify(value)}`;
}

/** Why the two listeners' ports cannot be used together (undefined when they can). */
export function portsProblem(port: number | undefined, addonsPort: number | undefined): string | undefined {
  if (port && addonsPort && port === addonsPort) {
    return `port and addonsPort must differ (Access Management and the Add-ons Service each have a listener), both are ${port}`;
  }
  return undefined;
}

/** The Add-ons dialect's options, their CLI flags and their values (a form field name when `values` is absent). */
export const addonsDialectOptions = {
  jsonCase: { flag: "--addons-json-case", values: ["camel", "pascal"] },
  statusSpelling: { flag: "--addons-status-spelling", values: ["10", "9.5", "display"] },
  uploadField: { flag: "--addons-upload-field" },
  configurationTransport: { flag: "--addons-configuration-transport", values: ["json", "file"] },
  configurationField: { flag: "--addons-configuration-field" },
} satisfies Record<keyof AddonsDialect, { flag: string; values?: string[] }>;

/** A multipart form field name: letters, digits, "_", "-", ".". */
const formFieldName = /^[A-Za-z0-9_.-]+$/;

/**
 * Why an Add-ons dialect cannot be used (undefined when it can), naming the option
 * (`addonsDialect.jsonCase`) or, with `flags`, the CLI flag.
 */
export function addonsDialectProblem(dialect: unknown, flags = false): string | undefined {
  if (dialect === undefined) return undefined;
  if (dialect === null || typeof dialect !== "object" || Array.isArray(dialect)) {
    return `addonsDialect must be an object such as {"jsonCase": "pascal"}, got ${JSON.stringify(dialect)}`;
  }
  for (const [key, value] of Object.entries(dialect)) {
    const spec = (addonsDialectOptions as Record<string, { flag: string; values?: string[] }>)[key];
    if (!spec) return `addonsDialect has no option "${key}" (known: ${Object.keys(addonsDialectOptions).join(", ")})`;
    if (value === undefined) continue;
    const name = flags ? spec.flag : `addonsDialect.${key}`;
    if (spec.values && !spec.values.includes(value as string)) {
      return `${name} must be ${spec.values.join(", ").replace(/, ([^,]*)$/, " or $1")}, got ${JSON.stringify(value)}`;
    }
    if (!spec.values && (typeof value !== "string" || !formFieldName.test(value))) {
      return `${name} must be a form field name (letters, digits, "_", "-", "."), got ${JSON.stringify(value)}`;
    }
  }
  return undefined;
}
