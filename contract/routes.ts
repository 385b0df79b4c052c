// Route templates (docs/tridion-contract.md §4). The Access Management paths are RWS's published
// API; the Add-ons Service's are this project's defaults, because RWS has not published them.
// A caller may override any of them (the provider's tridion:routes, the emulator's --routes).

/**
 * Where the Add-ons Service lives on its own listener, as the product hosts it
 * (`https://host:83/addon`, its UI at `/addon/ui`), apart from Access Management.
 */
export const ADDONS_PREFIX = "/addon";

/** The routes the provider calls (and `pulumi-tridion doctor` reads). */
export const PROVIDER_ROUTES = {
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
  // The services' own OpenAPI documents: not called by the resources; `pulumi-tridion doctor`
  // looks for the Add-ons Service's here first (Swashbuckle's location), then elsewhere.
  addonsOpenApi: "/swagger/v1/swagger.json",
  managementOpenApi: "/api/api-docs/v1/openapi.json",
} as const;

/** Routes the emulator serves too (an administrator's or a test's), which the provider never calls. */
export const OTHER_ROUTES = {
  apiResource: "/api/v1/ApiResources/{id}",
  userActivate: "/api/v1/Users/{id}/activate",
  userDeactivate: "/api/v1/Users/{id}/deactivate",
  identityProviders: "/api/v1/IdentityProviders",
  identityProvider: "/api/v1/IdentityProviders/{id}",
  applications: "/api/v1/Applications",
  application: "/api/v1/Applications/{id}",
} as const;

/** Keys of an earlier, invented Access Management profile, and what replaced them. */
export const RETIRED_ROUTE_KEYS: Readonly<Record<string, string>> = {
  userSecrets: "userGenerateSecret (POST .../generateClientSecret) and userSecret",
  serviceAccountSecrets: "serviceAccountGenerateSecret (POST .../generateClientSecret) and serviceAccountSecret",
};

/** The `{name}` placeholders of a template, in order. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
}
