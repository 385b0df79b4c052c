// Accounts and the catalog as the API shows them: exactly the fields of the schemas (schemas.ts),
// in their order, links with their (read-only) names.
import type { AccessLinks, Account } from "../store";
import type { Catalog } from "./catalog";
import { secretView } from "./secrets";

function accessControlEntryView(catalog: Catalog, links: AccessLinks) {
  return {
    apiResources: links.apiResources.map((id) => ({ id, name: catalog.api(id)?.name ?? null })),
    apiResourceRoles: links.apiResourceRoles.map((id) => ({ id, name: catalog.role(id)?.role.name ?? null })),
    applications: links.applications.map((id) => ({ id, name: catalog.application(id)?.name ?? null })),
  };
}

export function serviceAccountView(catalog: Catalog, account: Account) {
  return {
    id: account.id,
    createdAt: account.createdAt,
    modifiedAt: account.modifiedAt,
    name: account.name,
    clientId: account.clientId,
    lastLoginAt: account.lastLoginAt,
    clientSecrets: account.secrets.map((s) => secretView(s)),
    accessControlEntry: accessControlEntryView(catalog, account.access),
  };
}

export function userView(catalog: Catalog, account: Account) {
  const user = account.user!;
  return {
    id: account.id,
    createdAt: account.createdAt,
    modifiedAt: account.modifiedAt,
    name: account.name,
    email: user.email,
    language: user.language,
    region: user.region,
    subject: user.subject,
    identityProvider: { id: user.identityProviderId, name: catalog.identityProvider(user.identityProviderId)?.name ?? null },
    identityProviderKey: user.identityProviderKey,
    clientId: account.clientId,
    isEnabled: user.isEnabled,
    lastLoginAt: account.lastLoginAt,
    clientSecrets: account.secrets.map((s) => secretView(s)),
    accessControlEntry: accessControlEntryView(catalog, account.access),
  };
}

export function apiResourceView(api: Catalog["apis"][number]) {
  return { id: api.id, key: api.key, name: api.name, roles: api.roles.map((r) => ({ id: r.id, key: r.key, name: r.name })) };
}

export function applicationView(app: Catalog["applications"][number]) {
  return {
    id: app.id,
    clientId: app.clientId,
    name: app.name,
    redirectUrls: app.redirectUrls,
    allowedAuthenticationFlowType: app.allowedAuthenticationFlowType,
  };
}

export function identityProviderView(idp: Catalog["identityProviders"][number]) {
  const parameters =
    idp.type === "OpenIdConnect"
      ? {
          $type: "OpenIdParameters",
          authority: "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0",
          clientId: "access-management",
          usernameClaim: "preferred_username",
          fullNameClaim: "name",
        }
      : { $type: "WindowsParameters" };
  return { id: idp.id, key: idp.key, name: idp.name, isEnabled: true, description: idp.description, type: idp.type, parameters };
}
