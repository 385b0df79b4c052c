// URLs from the route profile (config/routeProfile.ts): the settings' overrides over the defaults,
// placeholders URL-encoded.
import { DEFAULT_ROUTES, type RouteKey, type RouteOverrides } from "../config/routeProfile";

export type { RouteKey } from "../config/routeProfile";
export type RouteParams = Partial<Record<"id" | "name" | "secretId", string | number>>;

export class RouteProfile {
  constructor(private readonly overrides: RouteOverrides = {}) {}

  template(key: RouteKey): string {
    return this.overrides[key] ?? DEFAULT_ROUTES[key];
  }

  /** Expand a route: each placeholder URL-encoded, so ids with spaces or slashes stay one segment. */
  path(key: RouteKey, params: RouteParams = {}): string {
    return this.template(key).replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = params[name as keyof RouteParams];
      if (value === undefined) throw new Error(`route ${key} needs {${name}}`);
      return encodeURIComponent(String(value));
    });
  }

  /** Absolute URL: base URL (with its own path, e.g. /addons) + expanded route. */
  url(base: string, key: RouteKey, params: RouteParams = {}): string {
    return base.replace(/\/+$/, "") + this.path(key, params);
  }
}
