// The route profile (docs/tridion-contract.md §4): every path is a template that a caller may override. The
// Access Management keys follow RWS's published API; the Add-ons keys are the project's contract.

/**
 * Where the Add-ons Service lives on its own listener, as the product hosts it
 * (`https://host:83/addon`, its UI at `/addon/ui`), apart from Access Management.
 */
export const addonsPrefix = "/addon";

export const defaultRoutes = {
  addons: "/api/v1/addons",
  addon: "/api/v1/addons/{id}",
  addonPackage: "/api/v1/addons/{id}/package",
  addonStatus: "/api/v1/addons/{id}/status",
  addonConfiguration: "/api/v1/addons/{id}/configuration",
  extensionStatus: "/api/v1/addons/{id}/extensions/{name}/status",
  users: "/api/v1/Users",
  user: "/api/v1/Users/{id}",
  userGenerateSecret: "/api/v1/Users/{id}/generateClientSecret",
  userSecret: "/api/v1/Users/{id}/clientSecrets/{secretId}",
  serviceAccounts: "/api/v1/ServiceAccounts",
  serviceAccount: "/api/v1/ServiceAccounts/{id}",
  serviceAccountGenerateSecret: "/api/v1/ServiceAccounts/{id}/generateClientSecret",
  serviceAccountSecret: "/api/v1/ServiceAccounts/{id}/clientSecrets/{secretId}",
  apiResources: "/api/v1/ApiResources",
  userInfo: "/api/v1/System/userInfo",
  // Not in docs/tridion-contract.md's §4 table (the provider does not call them) but overridable the same way.
  apiResource: "/api/v1/ApiResources/{id}",
  userActivate: "/api/v1/Users/{id}/activate",
  userDeactivate: "/api/v1/Users/{id}/deactivate",
  identityProviders: "/api/v1/IdentityProviders",
  identityProvider: "/api/v1/IdentityProviders/{id}",
  applications: "/api/v1/Applications",
  application: "/api/v1/Applications/{id}",
  // Where Swashbuckle (ASP.NET Core) serves a service's document.
  addonsOpenApi: "/swagger/v1/swagger.json",
  managementOpenApi: "/api/api-docs/v1/openapi.json",
} as const;

export type RouteKey = keyof typeof defaultRoutes;
export type RouteProfile = Record<RouteKey, string>;

/** Keys of the project's earlier, invented Access Management contract, and what replaced them. */
export const retiredRouteKeys: Record<string, string> = {
  userSecrets: "userGenerateSecret (POST .../generateClientSecret) and userSecret",
  serviceAccountSecrets: "serviceAccountGenerateSecret (POST .../generateClientSecret) and serviceAccountSecret",
};

const placeholders: Record<RouteKey, string[]> = Object.fromEntries(
  Object.entries(defaultRoutes).map(([key, path]) => [key, [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])]),
) as Record<RouteKey, string[]>;

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
