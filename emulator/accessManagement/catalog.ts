// What Access Management knows before anyone changes anything: its APIs and their roles
// (ApiResources, read only: real installations get new ones from bootstrap files), the
// applications it secures and the identity providers users sign in through. Ids are int32 and
// start at a base chosen per data dir, because they differ per installation: a client must look
// them up by key, never hard-code them.

export const AccessManagementApi = "Tridion.AccessManagement";
export const AddonServiceApi = "Tridion.AddonService";
export const ContentManagerApi = "Tridion.ContentManager";

export interface CatalogRole {
  id: number;
  key: string;
  name: string;
}

export interface CatalogApi {
  id: number;
  key: string;
  name: string;
  roles: CatalogRole[];
}

export interface CatalogApplication {
  id: number;
  name: string;
  clientId: string;
  redirectUrls: string[];
  allowedAuthenticationFlowType: "AuthorizationCodeWithPkce" | "AuthorizationCode" | "Implicit";
}

export interface CatalogIdentityProvider {
  id: number;
  key: string;
  name: string;
  type: "OpenIdConnect" | "SAML2P" | "LDAP" | "Windows";
  description: string;
}

const apiDefinitions = [
  { key: AccessManagementApi, name: "Access Management API", roles: [["Administrator", "Administrator"]] },
  {
    key: AddonServiceApi,
    name: "Add-ons API",
    roles: [
      ["Administrator", "Administrator"],
      ["Service", "Service"],
      ["ReadOnly", "Read only"],
    ],
  },
  { key: ContentManagerApi, name: "Tridion Sites Content Manager API", roles: [["Administrator", "Administrator"]] },
] as const;

const applicationDefinitions = [
  { name: "Access Management", clientId: "access_management_ui" },
  { name: "Tridion Sites Experience Space", clientId: "tridion_sites_experience_space" },
] as const;

const identityProviderDefinitions = [
  { key: "Windows", name: "Windows", type: "Windows", description: "Windows authentication" },
  { key: "EntraId", name: "Microsoft Entra ID", type: "OpenIdConnect", description: "The organisation's Entra ID tenant" },
] as const;

/** The default identity provider of users who sign in without naming one. */
export const defaultIdentityProviderKey = "EntraId";

export class Catalog {
  readonly apis: CatalogApi[];
  readonly applications: CatalogApplication[];
  readonly identityProviders: CatalogIdentityProvider[];

  /** Each table numbers from its own start, far apart, so an id of the wrong kind never matches by chance. */
  constructor(base: number, origin: () => string) {
    let roleId = base + 100;
    this.apis = apiDefinitions.map((api, index) => ({
      id: base + index,
      key: api.key,
      name: api.name,
      roles: api.roles.map(([role, name]) => ({ id: roleId++, key: `${api.key}.${role}`, name })),
    }));
    this.applications = applicationDefinitions.map((app, index) => ({
      id: base + 200 + index,
      name: app.name,
      clientId: app.clientId,
      get redirectUrls() {
        return [`${origin()}/signin-oidc`];
      },
      allowedAuthenticationFlowType: "AuthorizationCodeWithPkce",
    }));
    this.identityProviders = identityProviderDefinitions.map((idp, index) => ({ id: base + 300 + index, ...idp }));
  }

  api(id: number): CatalogApi | undefined {
    return this.apis.find((a) => a.id === id);
  }

  apiByKey(key: string): CatalogApi | undefined {
    return this.apis.find((a) => a.key === key);
  }

  /** A role with the API it belongs to. */
  role(id: number): { role: CatalogRole; api: CatalogApi } | undefined {
    for (const api of this.apis) {
      const role = api.roles.find((r) => r.id === id);
      if (role) return { role, api };
    }
    return undefined;
  }

  roleByKey(key: string): { role: CatalogRole; api: CatalogApi } | undefined {
    for (const api of this.apis) {
      const role = api.roles.find((r) => r.key === key);
      if (role) return { role, api };
    }
    return undefined;
  }

  application(id: number): CatalogApplication | undefined {
    return this.applications.find((a) => a.id === id);
  }

  identityProvider(id: number): CatalogIdentityProvider | undefined {
    return this.identityProviders.find((p) => p.id === id);
  }

  identityProviderByKey(key: string): CatalogIdentityProvider | undefined {
    return this.identityProviders.find((p) => p.key.toLowerCase() === key.toLowerCase());
  }
}
