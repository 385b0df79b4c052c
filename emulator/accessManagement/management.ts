// The Access Management management API as RWS's OpenAPI document describes it (contract §2.1):
// users (from sign-in only), service accounts, their client secrets, and the read-only catalog.
// Every route needs a token for Tridion.AccessManagement with its Administrator role, except
// System/userInfo (any valid token for that API).
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Clock } from "../clock";
import type { RouteProfile } from "../routes";
import { toFastifyPath } from "../routes";
import type { Store } from "../store";
import type { ProductVersion } from "../types";
import type { Caller } from "./bearer";
import { AccessManagementApi, type Catalog } from "./catalog";
import { registerCatalogRoutes } from "./catalogRoutes";
import { registerClientSecretRoutes } from "./clientSecrets";
import { registerServiceAccountRoutes } from "./serviceAccounts";
import { invalid } from "./errors";
import { registerUserRoutes } from "./users";

export interface ManagementContext {
  store: Store;
  catalog: Catalog;
  clock: Clock;
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

export function registerManagementRoutes(app: FastifyInstance, ctx: ManagementContext) {
  const routes: ManagementRoutes = {
    ...ctx,
    path: (key) => ctx.basePath + toFastifyPath(ctx.routes[key]),
    admin: (request) => ctx.authenticate(request, AccessManagementApi, [`${AccessManagementApi}.Administrator`]),
    touched: (account) => {
      account.modifiedAt = ctx.clock.now().toISOString();
      ctx.store.save();
    },
  };
  registerCatalogRoutes(app, routes);
  registerUserRoutes(app, routes);
  registerServiceAccountRoutes(app, routes);
  registerClientSecretRoutes(app, routes);
}
