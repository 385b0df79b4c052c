// URLs from the route profile (config/routeProfile.ts): the settings' overrides over the defaults,
// placeholders URL-encoded, never into a segment that a URL would resolve away (`.`, `..`, empty).
import { DEFAULT_ROUTES, type RouteKey, type RouteOverrides } from "../config/routeProfile";
import { TridionError } from "../errors/tridionError";

export type { RouteKey } from "../config/routeProfile";
export type RouteParams = Partial<Record<"id" | "name" | "secretId", string | number>>;

export class RouteProfile {
  constructor(private readonly overrides: RouteOverrides = {}) {}

  template(key: RouteKey): string {
    return this.overrides[key] ?? DEFAULT_ROUTES[key];
  }

  /**
   * Expand a route: each placeholder URL-encoded, so ids with spaces or slashes stay one segment.
   * A segment that would come out empty, `.` or `..` is refused: a URL parser (and the server's
   * router) would drop it or step up a level, so the call would reach another object's URL.
   */
  path(key: RouteKey, params: RouteParams = {}): string {
    return this.template(key)
      .split("/")
      .map((segment) => {
        if (!/\{\w+\}/.test(segment)) return segment;
        const expanded = segment.replace(/\{(\w+)\}/g, (_, name: string) => {
          const value = params[name as keyof RouteParams];
          if (value === undefined) {
            throw new TridionError(
              "SETTING_INVALID",
              `Cannot call the route ${key} (${this.template(key)}): it holds the placeholder {${name}}, which this call has no value for.`,
              {
                fix: `write the "${key}" route in tridion:routes with only the placeholders of its default, ${DEFAULT_ROUTES[key]}.`,
                details: { route: key, template: this.template(key), placeholder: name },
              },
            );
          }
          return encodeURIComponent(String(value));
        });
        if (isDotOrEmpty(expanded)) {
          const values = [...segment.matchAll(/\{(\w+)\}/g)].map(
            (m) => `${m[1]} = ${JSON.stringify(String(params[m[1] as keyof RouteParams]))}`,
          );
          throw new TridionError(
            "UNSAFE_ID",
            `Refusing to call the route ${key} (${this.template(key)}) with ${values.join(", ")}: the path segment would be ${JSON.stringify(expanded)}, which a URL resolves to another address (the parent's, or this one's without the segment).`,
            {
              fix: "the value is not an id the service gives out; if it came from Pulumi state, run `pulumi refresh`; if it came from an answer of the service, check that tridion:accessManagementUrl / tridion:addonsUrl point at the real service.",
            },
          );
        }
        return expanded;
      })
      .join("/");
  }

  /** Absolute URL: base URL (with its own path, e.g. /addons) + expanded route. */
  url(base: string, key: RouteKey, params: RouteParams = {}): string {
    return base.replace(/\/+$/, "") + this.path(key, params);
  }
}

/** Empty, `.` or `..`, also when written with %2e (URL parsers decode it in dot segments). */
function isDotOrEmpty(segment: string): boolean {
  const plain = segment.replace(/%2e/gi, ".");
  return plain === "" || plain === "." || plain === "..";
}
