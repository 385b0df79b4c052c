// What the routes of the management API share (management.ts registers them): their context,
// the fastify path of a route key, the admin check, and int32 path parameters.
import type { FastifyRequest } from "fastify";
import type { Clock } from "../clock";
import type { RouteProfile } from "../routes";
import type { Store } from "../store";
import type { ProductVersion } from "../types";
import type { Caller } from "./bearer";
import type { Catalog } from "./catalog";
import { invalid } from "./errors";
import type { Propagation } from "./propagation";

export interface ManagementContext {
  store: Store;
  catalog: Catalog;
  clock: Clock;
  /** New secrets and grants on their way to the token endpoint (the propagationDelayMs fault). */
  propagation: Propagation;
  productVersion: ProductVersion;
  routes: RouteProfile;
  /** The AM base path, e.g. /access-management. */
  basePath: string;
  /** The AM base URL as served (origin + base path). */
  authority: () => string;
  authenticate: (request: FastifyRequest, audience: string, roles: string[]) => Promise<Caller>;
}

/** What the route registrations share: the fastify path of a route, and the admin check. */
export interface ManagementRoutes extends ManagementContext {
  path(key: keyof RouteProfile): string;
  admin(request: FastifyRequest): Promise<Caller>;
  /** Persist after a change, bumping the account's modifiedAt. */
  touched(account: { modifiedAt: string }): void;
}

/** An int32 path parameter, as ASP.NET Core binds it (anything else is a 400 naming it). */
export function intParam(request: FastifyRequest, name: string): number {
  const text = (request.params as Record<string, string>)[name];
  const value = /^-?\d{1,10}$/.test(text ?? "") ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < -2147483648 || value > 2147483647) {
    throw invalid(name, `The value '${text}' is not valid for ${name}: it must be an integer (int32).`);
  }
  return value;
}
