// Accounts (users and service accounts): the predefined ones, the emulator's bootstrap admin,
// users who sign in through an identity provider, and what their access links mean.
import { randomUUID } from "node:crypto";
import type { Clock } from "../clock";
import type { AccessLinks, Account, BootstrapRole, State, Store } from "../store";
import { FORMAT_VERSION } from "../store";
import type { BootstrapCredential, ProductVersion, SeedUser } from "../types";
import { settleBootstrapSecret, type BootstrapSecretRequest } from "./bootstrapSecrets";
import { AccessManagementApi, AddonServiceApi, defaultIdentityProviderKey, type Catalog } from "./catalog";
import { invalid } from "./errors";
import type { SigningKey } from "./keys";
import { PREDEFINED_ACCOUNTS } from "tridion-sites-contract";

/** The predefined service accounts per product version (their names are how 9.x and 10 differ). */
export const predefinedAccounts: Record<ProductVersion, Array<{ name: string; roles: string[] }>> = {
  "9.6": PREDEFINED_ACCOUNTS["9"].map(({ name, role }) => ({ name, roles: [role] })),
  "10": PREDEFINED_ACCOUNTS["10"].map(({ name, role }) => ({ name, roles: [role] })),
};

export const adminAccountName = "Emulator Bootstrap Administrator";
const adminRoles = [`${AccessManagementApi}.Administrator`, `${AddonServiceApi}.Administrator`];
const addonsServiceIndex = 1;
/** Catalog ids start between 1 and 40: every data dir numbers its APIs and roles differently. */
const randomCatalogBase = () => 1 + Math.floor(Math.random() * 40);

export const emptyLinks = (): AccessLinks => ({ apiResources: [], apiResourceRoles: [], applications: [] });

/** The links that grant these role keys (each role with its API). */
export function linksForRoles(catalog: Catalog, roleKeys: string[]): AccessLinks {
  const links = emptyLinks();
  for (const key of roleKeys) {
    const found = catalog.roleByKey(key);
    if (!found) throw new Error(`unknown role key ${key}`);
    if (!links.apiResources.includes(found.api.id)) links.apiResources.push(found.api.id);
    links.apiResourceRoles.push(found.role.id);
  }
  return links;
}

/** What a token of this account carries: the API keys it may call (aud, scope) and its role keys. */
export function grantedKeys(catalog: Catalog, links: AccessLinks): { apis: string[]; roles: string[] } {
  return {
    apis: links.apiResources.map((id) => catalog.api(id)?.key).filter((k): k is string => !!k),
    roles: links.apiResourceRoles.map((id) => catalog.role(id)?.role.key).filter((k): k is string => !!k),
  };
}

interface LinkBody {
  apiResources?: Array<{ id?: number }> | null;
  apiResourceRoles?: Array<{ id?: number }> | null;
  applications?: Array<{ id?: number }> | null;
}

/**
 * Checks an accessControlEntry from a request body: every link names an existing id, every role
 * comes with its API, and an API holds at most one role (as the Access Management UI offers it).
 */
export function parseAccessEntry(catalog: Catalog, entry: LinkBody | null | undefined): AccessLinks {
  const links = emptyLinks();
  if (!entry) return links;
  const ids = (
    list: Array<{ id?: number }> | null | undefined,
    field: keyof AccessLinks,
    exists: (id: number) => boolean,
    what: string,
  ) => {
    (list ?? []).forEach((link, index) => {
      const target = `accessControlEntry.${field}[${index}].id`;
      if (typeof link?.id !== "number") throw invalid(target, `${target} is required: link ${what} by its id.`);
      if (!exists(link.id))
        throw invalid(
          target,
          `${target}: there is no ${what} with ID ${link.id}. List them with GET ${field === "applications" ? "/api/v1/Applications" : "/api/v1/ApiResources"}.`,
        );
      if (!links[field].includes(link.id)) links[field].push(link.id);
    });
  };
  ids(entry.apiResources, "apiResources", (id) => !!catalog.api(id), "API resource");
  ids(entry.apiResourceRoles, "apiResourceRoles", (id) => !!catalog.role(id), "API resource role");
  ids(entry.applications, "applications", (id) => !!catalog.application(id), "application");
  const rolesPerApi = new Map<number, string[]>();
  links.apiResourceRoles.forEach((roleId) => {
    const { role, api } = catalog.role(roleId)!;
    if (!links.apiResources.includes(api.id)) {
      throw invalid(
        "accessControlEntry.apiResourceRoles",
        `The role ${role.key} (ID ${roleId}) belongs to the API ${api.key} (ID ${api.id}), which is not in accessControlEntry.apiResources. Add {"id": ${api.id}} to apiResources to grant the role.`,
      );
    }
    rolesPerApi.set(api.id, [...(rolesPerApi.get(api.id) ?? []), role.key]);
  });
  for (const [apiId, keys] of rolesPerApi) {
    if (keys.length > 1) {
      throw invalid(
        "accessControlEntry.apiResourceRoles",
        `${keys.join(" and ")} are two roles of the API ${catalog.api(apiId)!.key}; an account holds one role per API. Keep one of them.`,
      );
    }
  }
  return links;
}

function newAccount(
  store: Store,
  fields: Omit<Account, "id" | "createdAt" | "modifiedAt" | "lastLoginAt" | "secrets">,
  now: Date,
): Account {
  const iso = now.toISOString();
  return {
    id: store.nextId(fields.kind === "user" ? "user" : "serviceAccount"),
    createdAt: iso,
    modifiedAt: iso,
    lastLoginAt: null,
    secrets: [],
    ...fields,
  };
}

export function newServiceAccount(
  store: Store,
  name: string,
  clientId: string,
  access: AccessLinks,
  now: Date,
  predefined = false,
): Account {
  return newAccount(store, { kind: "serviceAccount", name, clientId, access, predefined }, now);
}

export interface BootstrapResult {
  admin: BootstrapCredential;
  addonsService: BootstrapCredential;
}

/**
 * Creates the predefined accounts and issues the bootstrap secrets on first start; later starts
 * keep them as they are (see bootstrapSecrets.ts). Bootstrap secret values are derived from the
 * signing key (HMAC), so the data dir holds only their hashes yet a restart prints the same values.
 */
export function bootstrapAccounts(
  store: Store,
  makeCatalog: (base: number) => Catalog,
  clock: Clock,
  key: SigningKey,
  productVersion: ProductVersion,
  admin: { clientId?: string; clientSecret?: string },
  seedUsers: Array<string | SeedUser>,
): { credentials: BootstrapResult; catalog: Catalog } {
  const now = clock.now();
  if (!store.state) {
    const catalogIdBase = randomCatalogBase();
    store.state = {
      formatVersion: FORMAT_VERSION,
      productVersion,
      catalogIdBase,
      nextIds: { user: 1, serviceAccount: 1, secret: 1 },
      bootstrap: { adminAccountId: 0, addonsServiceAccountId: 0, issuedSecrets: {} },
      accounts: [],
      addons: [],
    } satisfies State;
    const catalog = makeCatalog(catalogIdBase);
    const predefined = predefinedAccounts[productVersion].map((p) =>
      newServiceAccount(store, p.name, randomUUID(), linksForRoles(catalog, p.roles), now, true),
    );
    const adminAccount = newServiceAccount(store, adminAccountName, randomUUID(), linksForRoles(catalog, adminRoles), now, true);
    store.data.accounts = [...predefined, adminAccount];
    store.data.bootstrap.adminAccountId = adminAccount.id;
    store.data.bootstrap.addonsServiceAccountId = predefined[addonsServiceIndex].id;
  } else if (store.state.productVersion !== productVersion) {
    throw new Error(
      `The data dir holds a Tridion Sites ${store.state.productVersion} emulator; start it with --product-version ${store.state.productVersion} or use another --data-dir.`,
    );
  }
  const state = store.data;
  const catalog = makeCatalog(state.catalogIdBase);
  const adminAccount = state.accounts.find((a) => a.id === state.bootstrap.adminAccountId && a.kind === "serviceAccount")!;
  const addonsAccount = state.accounts.find((a) => a.id === state.bootstrap.addonsServiceAccountId && a.kind === "serviceAccount")!;
  if (admin.clientId && admin.clientId !== adminAccount.clientId) {
    if (state.accounts.some((a) => a !== adminAccount && a.clientId === admin.clientId)) {
      throw new Error(`adminClientId ${admin.clientId} is already used by another account in the data dir.`);
    }
    adminAccount.clientId = admin.clientId;
  }
  const settle = (role: BootstrapRole, account: Account, request: BootstrapSecretRequest) => {
    const settled = settleBootstrapSecret(account, state.bootstrap.issuedSecrets[role], request, now, () => store.nextId("secret"));
    if (settled.issued) state.bootstrap.issuedSecrets[role] = settled.issued;
    return settled.credential;
  };
  const credentials = {
    admin: settle("admin", adminAccount, {
      explicit: admin.clientSecret || undefined,
      derived: key.derive(`bootstrap:${adminAccount.clientId}`),
      reissueHint: "Start with --admin-client-secret to issue a new one.",
    }),
    addonsService: settle("addonsService", addonsAccount, {
      derived: key.derive(`bootstrap:${addonsAccount.clientId}`),
      reissueHint:
        "Generate a new secret for it through the management API (POST .../ServiceAccounts/{id}/generateClientSecret), or start on a fresh --data-dir.",
    }),
  };
  // Seeded users have signed in before the first start; a restart with the same list is no new sign-in.
  for (const seed of seedUsers) signInUser(store, catalog, typeof seed === "string" ? { name: seed } : seed, now, false);
  store.save();
  return { credentials, catalog };
}

/**
 * A user signs in through an identity provider: Access Management lists them from then on (with
 * no access yet). The same name through another identity provider is another user. A user who is
 * there already gets a new lastLoginAt, unless `again` is false (seeding at start).
 */
export function signInUser(
  store: Store,
  catalog: Catalog,
  seed: SeedUser,
  now: Date,
  again = true,
): { account: Account; created: boolean } {
  if (!seed || typeof seed.name !== "string" || !seed.name.trim() || seed.name.length > 256) {
    throw invalid("name", 'A signed-in user needs a "name" of 1 to 256 characters.');
  }
  const providerKey = seed.identityProvider ?? defaultIdentityProviderKey;
  const provider = catalog.identityProviderByKey(providerKey);
  if (!provider) {
    throw invalid(
      "identityProvider",
      `There is no identity provider "${providerKey}". Known: ${catalog.identityProviders.map((p) => p.key).join(", ")}.`,
    );
  }
  if (seed.email !== undefined && seed.email !== null && (typeof seed.email !== "string" || !/^[^@\s]+@[^@\s]+$/.test(seed.email))) {
    throw invalid("email", `"email" must be an e-mail address, got ${JSON.stringify(seed.email)}.`);
  }
  const existing = store.data.accounts.find((a) => a.kind === "user" && a.name === seed.name && a.user?.identityProviderId === provider.id);
  if (existing) {
    if (again) {
      existing.lastLoginAt = now.toISOString();
      store.save();
    }
    return { account: existing, created: false };
  }
  const account = newAccount(
    store,
    {
      kind: "user",
      name: seed.name,
      clientId: null,
      access: emptyLinks(),
      predefined: false,
      user: {
        email: seed.email ?? null,
        language: null,
        region: null,
        subject: randomUUID(),
        identityProviderId: provider.id,
        identityProviderKey: provider.key,
        isEnabled: true,
      },
    },
    now,
  );
  account.lastLoginAt = now.toISOString();
  store.data.accounts.push(account);
  store.save();
  return { account, created: true };
}
