// Read-only routes: ApiResources (the APIs and their role keys), Applications, IdentityProviders,
// and System/userInfo (the caller).
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AccessManagementApi } from "./catalog";
import { notFound } from "./errors";
import { intParam, type ManagementRoutes } from "./managementRoutes";
import { apiResourceView, applicationView, identityProviderView } from "./views";

const idParam = (request: FastifyRequest) => intParam(request, "id");

export function registerCatalogRoutes(app: FastifyInstance, m: ManagementRoutes) {
  const { catalog } = m;

  app.get(m.path("apiResources"), async (request) => {
    await m.admin(request);
    return catalog.apis.map(apiResourceView);
  });
  app.get(m.path("apiResource"), async (request) => {
    await m.admin(request);
    const api = catalog.api(idParam(request));
    if (!api) throw notFound("The API resource", idParam(request), `List them with GET ${m.routes.apiResources}.`);
    return apiResourceView(api);
  });

  app.get(m.path("applications"), async (request) => {
    await m.admin(request);
    return catalog.applications.map(applicationView);
  });
  app.get(m.path("application"), async (request) => {
    await m.admin(request);
    const found = catalog.application(idParam(request));
    if (!found) throw notFound("The application", idParam(request), `List them with GET ${m.routes.applications}.`);
    return applicationView(found);
  });

  app.get(m.path("identityProviders"), async (request) => {
    await m.admin(request);
    return catalog.identityProviders.map(identityProviderView);
  });
  app.get(m.path("identityProvider"), async (request) => {
    await m.admin(request);
    const found = catalog.identityProvider(idParam(request));
    if (!found) throw notFound("The identity provider", idParam(request), `List them with GET ${m.routes.identityProviders}.`);
    return identityProviderView(found);
  });

  // Any valid token for Access Management: who am I, and what may I do.
  app.get(m.path("userInfo"), async (request) => {
    const caller = await m.authenticate(request, AccessManagementApi, []);
    const account = m.store.data.accounts.find((a) => a.clientId === caller.clientId);
    return {
      name: account?.name ?? caller.clientId,
      subject: account?.user?.subject ?? caller.clientId,
      avatar: null,
      roles: caller.roles,
      isAnonymous: false,
    };
  });
}
