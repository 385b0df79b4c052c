// The provider's settings as the plugin receives them: `Configure` and `CheckConfig` carry the
// provider's inputs (the stack's `tridion:*` config for the default provider, or an explicit
// `pulumi:providers:tridion` resource's inputs) with un-namespaced keys (`accessManagementUrl`);
// `variables` repeats them namespaced. They become the same config source the dynamic face sets,
// so the TRIDION_* environment variables fill the gaps exactly as they do there.
import { resolveSettings, SETTINGS, type ConfigSource, type SettingName } from "../config/settings";
import { TridionError } from "../errors/tridionError";
import { isUnknown } from "../resources/common";
import { renderError } from "../errors/render";

type Values = Record<string, unknown>;

/** Secrets arrive wrapped when the engine keeps them: `{ <sig>: <secret sig>, value }`. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

function unwrap(value: unknown): unknown {
  if (value && typeof value === "object" && (value as Values)[SIG_KEY] === SECRET_SIG) return (value as Values).value;
  return value;
}

/** A setting's value as text, as the settings parser reads it (YAML may give a boolean or a number; routes an object). */
function asText(value: unknown): string | undefined {
  const v = unwrap(value);
  if (v === undefined || v === null || isUnknown(v)) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/** A config source over the provider's inputs: `args` (un-namespaced) first, then `variables` (namespaced). */
export function configSourceOf(args: Values, variables: Record<string, string> = {}): ConfigSource {
  const byKey = new Map<string, string>();
  for (const [key, value] of Object.entries(variables)) {
    const text = asText(value);
    if (text !== undefined) byKey.set(key.includes(":") ? key : `tridion:${key}`, text);
  }
  for (const [key, value] of Object.entries(args)) {
    const text = asText(value);
    if (text !== undefined) byKey.set(key.includes(":") ? key : `tridion:${key}`, text);
  }
  return (key) => byKey.get(key);
}

/** Which setting an error of the settings parser is about (its message names the config key). */
function settingNamedIn(error: TridionError): SettingName | undefined {
  const names = (Object.keys(SETTINGS) as SettingName[]).filter((name) => new RegExp(`${SETTINGS[name].key}\\b`).test(error.message));
  return names[0];
}

export interface SettingFailure {
  property: string;
  reason: string;
}

/**
 * Each setting's form, checked by the provider's own parser: one failure per bad setting, naming
 * its config key and environment variable. Whether a setting is missing is not judged here: the
 * operation that needs it says so (an add-on with `credentials` needs no `clientId`).
 */
export function checkSettings(source: ConfigSource): SettingFailure[] {
  const failures = new Map<string, string>();
  const alongside = new Set<string>([SETTINGS.allowInsecureHttp.key]);
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const key = SETTINGS[name].key;
    try {
      // One setting at a time (with the opt-in that decides whether plain http is allowed), so
      // every bad one is named, not just the first.
      resolveSettings((k) => (k === key || alongside.has(k) ? source(k) : undefined));
    } catch (e) {
      if (!(e instanceof TridionError) || e.code !== "SETTING_INVALID") throw e;
      const bad = settingNamedIn(e) ?? name;
      if (failures.has(bad)) continue;
      const spec = SETTINGS[bad];
      const text = renderError(e);
      failures.set(bad, text.includes(spec.env) ? text : `${text} (environment variable ${spec.env})`);
    }
  }
  return [...failures].map(([property, reason]) => ({ property, reason }));
}
