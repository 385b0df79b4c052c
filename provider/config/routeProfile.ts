// The route profile (docs/tridion-contract.md §4): every path is a template; a user can override any of them
// (tridion:routes). The Access Management routes are RWS's published API; the Add-ons Service's
// are this project's contract, because RWS has not published them. Building URLs from a profile
// is clients/routes.ts. Beside the templates, a profile holds how the Add-ons Service takes the
// package and the configuration (form field names, JSON body or file part).

import { PROVIDER_ROUTES, RETIRED_ROUTE_KEYS, placeholdersOf } from "tridion-sites-contract";

/** The routes the provider calls, and doctor's OpenAPI locations: the emulator serves the same. */
export const DEFAULT_ROUTES = PROVIDER_ROUTES;

export type RouteKey = keyof typeof DEFAULT_ROUTES;

/**
 * How the Add-ons Service takes the package and the configuration: values beside the route
 * templates (installations differ, and RWS has not published the API). The defaults are the
 * contract's: the ZIP in the multipart field `file`, the configuration as a JSON body.
 */
export const DEFAULT_ADDON_FORMS = {
  /** The multipart form field of the package upload (POST and PUT). */
  addonPackageField: "file",
  /** "json": the configuration is the JSON body of the PUT; "file": a multipart file part. */
  addonConfigurationTransport: "json" as "json" | "file",
  /** The file part's name when addonConfigurationTransport is "file". */
  addonConfigurationField: "configuration",
};

export type AddonForms = typeof DEFAULT_ADDON_FORMS;

/** A form field name the settings accept (and `doctor` proposes): letters, digits, "_", "-", ".". */
export const FORM_FIELD_NAME = /^[A-Za-z0-9_.-]+$/;
export type AddonFormKey = keyof AddonForms;

export type RouteOverrides = Partial<Record<RouteKey, string>> & Partial<AddonForms>;

const ROUTE_KEYS = Object.keys(DEFAULT_ROUTES) as RouteKey[];
const FORM_KEYS = Object.keys(DEFAULT_ADDON_FORMS) as AddonFormKey[];

/** The Add-ons forms of a profile: the overrides over the defaults. */
export function addonForms(overrides: RouteOverrides = {}): AddonForms {
  return {
    addonPackageField: overrides.addonPackageField ?? DEFAULT_ADDON_FORMS.addonPackageField,
    addonConfigurationTransport: overrides.addonConfigurationTransport ?? DEFAULT_ADDON_FORMS.addonConfigurationTransport,
    addonConfigurationField: overrides.addonConfigurationField ?? DEFAULT_ADDON_FORMS.addonConfigurationField,
  };
}

/** A form value of tridion:routes, checked; throws with the reason. */
function parseFormValue(key: AddonFormKey, value: unknown): string {
  if (key === "addonConfigurationTransport") {
    if (value !== "json" && value !== "file") {
      throw new Error(`"${key}" must be "json" (a JSON body) or "file" (a multipart file part), got ${JSON.stringify(value)}`);
    }
    return value;
  }
  if (typeof value !== "string" || !FORM_FIELD_NAME.test(value)) {
    throw new Error(`"${key}" must be a form field name (letters, digits, "_", "-", "."), got ${JSON.stringify(value)}`);
  }
  return value;
}

const RETIRED_KEYS = RETIRED_ROUTE_KEYS;

/** Parse `tridion:routes` (a JSON object); throws with the reason on bad input. */
export function parseRouteOverrides(json: string | object): RouteOverrides {
  let value: unknown = json;
  if (typeof json === "string") {
    try {
      value = JSON.parse(json);
    } catch {
      throw new Error("not valid JSON (expected an object of route templates)");
    }
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("expected a JSON object of route templates");
  const out: RouteOverrides = {};
  for (const [key, template] of Object.entries(value)) {
    if (key in RETIRED_KEYS) {
      throw new Error(`route key "${key}" is retired: Access Management has no such route; use ${RETIRED_KEYS[key]} instead`);
    }
    if (FORM_KEYS.includes(key as AddonFormKey)) {
      (out as Record<string, string>)[key] = parseFormValue(key as AddonFormKey, template);
      continue;
    }
    if (!ROUTE_KEYS.includes(key as RouteKey)) {
      throw new Error(`unknown route key "${key}" (known keys: ${[...ROUTE_KEYS, ...FORM_KEYS].join(", ")})`);
    }
    if (typeof template !== "string" || !template.startsWith("/")) {
      throw new Error(`route "${key}" must be a path starting with "/", got ${JSON.stringify(template)}`);
    }
    const needed = placeholdersOf(DEFAULT_ROUTES[key as RouteKey]);
    const missing = needed.filter((p) => !template.includes(`{${p}}`));
    if (missing.length) throw new Error(`route "${key}" must contain ${missing.map((p) => `{${p}}`).join(" and ")}`);
    out[key as RouteKey] = template;
  }
  return out;
}
