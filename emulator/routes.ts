// The route profile (docs/tridion-contract.md §4): every path is a template that a caller may override. The
// Access Management keys follow RWS's published API; the Add-ons keys are the project's contract.

import { ADDONS_PREFIX, OTHER_ROUTES, PROVIDER_ROUTES, RETIRED_ROUTE_KEYS, placeholdersOf } from "tridion-sites-contract";

/** Where the Add-ons Service lives on its own listener, as the product hosts it. */
export const addonsPrefix = ADDONS_PREFIX;

/** Every route the emulator serves: the provider's, and those of an administrator or a test. */
export const defaultRoutes = { ...PROVIDER_ROUTES, ...OTHER_ROUTES } as const;

export type RouteKey = keyof typeof defaultRoutes;
export type RouteProfile = Record<RouteKey, string>;

export const retiredRouteKeys = RETIRED_ROUTE_KEYS;

const placeholders = Object.fromEntries(Object.entries(defaultRoutes).map(([key, path]) => [key, placeholdersOf(path)])) as Record<
  RouteKey,
  string[]
>;

/** Merge overrides over the defaults; refuse unknown keys and templates missing a placeholder. */
export function resolveRouteProfile(overrides: Partial<Record<string, string>> = {}): RouteProfile {
  const profile: Record<string, string> = { ...defaultRoutes };
  for (const [key, template] of Object.entries(overrides)) {
    if (template === undefined) continue;
    if (key in retiredRouteKeys) {
      throw new Error(
        `Route profile key "${key}" is retired: Access Management's real API has no such route. Use ${retiredRouteKeys[key]} instead.`,
      );
    }
    if (!(key in defaultRoutes)) {
      throw new Error(`Unknown route profile key "${key}". Known keys: ${Object.keys(defaultRoutes).join(", ")}.`);
    }
    if (typeof template !== "string" || !template.startsWith("/")) {
      throw new Error(`Route "${key}" must be a path starting with "/", got ${JSON.stringify(template)}.`);
    }
    for (const name of placeholders[key as RouteKey]) {
      if (!template.includes(`{${name}}`)) {
        throw new Error(`Route "${key}" (${template}) must contain the placeholder {${name}}.`);
      }
    }
    profile[key] = template;
  }
  return profile as RouteProfile;
}

/** "/api/v1/addons/{id}" -> "/api/v1/addons/:id" (fastify syntax). */
export function toFastifyPath(template: string): string {
  return template.replace(/\{(\w+)\}/g, ":$1");
}

/** A template with its placeholders filled in (URL-encoded). */
export function expandRoute(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params[name])));
}
