// The route profile (docs/tridion-contract.md §4): every path is a template; a user can override any of them
// (tridion:routes). The Access Management routes are RWS's published API; the Add-ons Service's
// are this project's contract, because RWS has not published them. Building URLs from a profile
// is clients/routes.ts.

export const DEFAULT_ROUTES = {
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
  // The services' own OpenAPI documents: not called by the resources (one profile serves the
  // emulator and the provider); `pulumi-tridion doctor` looks for the Add-ons Service's here
  // first (Swashbuckle's location), then at the other usual places.
  addonsOpenApi: "/swagger/v1/swagger.json",
  managementOpenApi: "/api/api-docs/v1/openapi.json",
} as const;

export type RouteKey = keyof typeof DEFAULT_ROUTES;
export type RouteOverrides = Partial<Record<RouteKey, string>>;

const ROUTE_KEYS = Object.keys(DEFAULT_ROUTES) as RouteKey[];

/** Keys of the project's earlier, invented Access Management contract, and what replaced them. */
const RETIRED_KEYS: Record<string, string> = {
  userSecrets: "userGenerateSecret (POST .../generateClientSecret) and userSecret",
  serviceAccountSecrets: "serviceAccountGenerateSecret (POST .../generateClientSecret) and serviceAccountSecret",
};

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
    const needed = placeholders(DEFAULT_ROUTES[key as RouteKey]);
    const missing = needed.filter((p) => !template.includes(`{${p}}`));
    if (missing.length) throw new Error(`route "${key}" must contain ${missing.map((p) => `{${p}}`).join(" and ")}`);
    out[key as RouteKey] = template;
  }
  return out;
}

function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
}
