// The route profile (docs/tridion-contract.md §4): every path is a template; a user can override any of them
// (tridion:routes). The Access Management routes are RWS's published API; the Add-ons Service's
// are this project's contract, because RWS has not published them. Building URLs from a profile
// is clients/routes.ts.

import { PROVIDER_ROUTES, RETIRED_ROUTE_KEYS, placeholdersOf } from "tridion-sites-contract";

/** The routes the provider calls, and doctor's OpenAPI locations: the emulator serves the same. */
export const DEFAULT_ROUTES = PROVIDER_ROUTES;

export type RouteKey = keyof typeof DEFAULT_ROUTES;
export type RouteOverrides = Partial<Record<RouteKey, string>>;

const ROUTE_KEYS = Object.keys(DEFAULT_ROUTES) as RouteKey[];

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
    if (!ROUTE_KEYS.includes(key as RouteKey)) {
      throw new Error(`unknown route key "${key}" (known keys: ${ROUTE_KEYS.join(", ")})`);
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
