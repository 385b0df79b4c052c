// The Access Management management API as RWS's OpenAPI document describes it (docs/tridion-contract.md §2.1):
// users (from sign-in only), service accounts, their client secrets, and the read-only catalog.
// Every route needs a token for Tridion.AccessManagement with its Administrator role, except
// System/userInfo (any valid token for that API).
import type { FastifyInstance } from "fastify";
import { toFastifyPath } from "../routes";
import { AccessManagementApi } from "./catalog";
import { registerCatalogRoutes } from "./catalogRoutes";
import { registerClientSecretRoutes } from "./clientSecrets";
import type { ManagementContext, ManagementRoutes } from "./managementRoutes";
import { registerServiceAccountRoutes } from "./serviceAccounts";
import { registerUserRoutes } from "./users";

export type { ManagementContext } from "./managementRoutes";

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
