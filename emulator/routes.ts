// The route profile (contract §4): every path is a template that a caller may override.

export const defaultRoutes = {
  addons: "/api/v1/addons",
  addon: "/api/v1/addons/{id}",
  addonPackage: "/api/v1/addons/{id}/package",
  addonStatus: "/api/v1/addons/{id}/status",
  addonConfiguration: "/api/v1/addons/{id}/configuration",
  extensionStatus: "/api/v1/addons/{id}/extensions/{name}/status",
  users: "/api/v1/users",
  user: "/api/v1/users/{id}",
  userSecrets: "/api/v1/users/{id}/client-secrets",
  userSecret: "/api/v1/users/{id}/client-secrets/{secretId}",
  serviceAccounts: "/api/v1/service-accounts",
  serviceAccount: "/api/v1/service-accounts/{id}",
  serviceAccountSecrets: "/api/v1/service-accounts/{id}/client-secrets",
  serviceAccountSecret: "/api/v1/service-accounts/{id}/client-secrets/{secretId}",
  apiResources: "/api/v1/api-resources",
  // Not in the contract's §4 table but overridable the same way (emulator choice).
  addonsOpenApi: "/api/v1/openapi.json",
  managementOpenApi: "/api/api-docs/v1/openapi.json",
} as const;

export type RouteKey = keyof typeof defaultRoutes;
export type RouteProfile = Record<RouteKey, string>;

const placeholders: Record<RouteKey, string[]> = Object.fromEntries(
  Object.entries(defaultRoutes).map(([key, path]) => [key, [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])]),
) as Record<RouteKey, string[]>;

/** Merge overrides over the defaults; refuse unknown keys and templates missing a placeholder. */
export function resolveRouteProfile(overrides: Partial<Record<string, string>> = {}): RouteProfile {
  const profile: Record<string, string> = { ...defaultRoutes };
  for (const [key, template] of Object.entries(overrides)) {
    if (template === undefined) continue;
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
