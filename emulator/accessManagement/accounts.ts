// Accounts (users and service accounts), the APIs and roles they can hold, and the predefined ones.
import { randomUUID } from "node:crypto";
import type { Clock } from "../clock";
import { Problem } from "../problem";
import type { AccessSetting, Account, BootstrapRole, State, Store } from "../store";
import type { BootstrapCredential, ProductVersion, SeedUser } from "../types";
import { settleBootstrapSecret, type BootstrapSecretRequest } from "./bootstrapSecrets";
import type { SigningKey } from "./keys";

export const AddonServiceApi = "Tridion.AddonService";
export const AccessManagementApi = "Tridion.AccessManagement";
export const ContentManagerApi = "Tridion.ContentManager";

/** The APIs AM knows and the roles each offers (GET /api-resources). */
export const apiResources = [
  { name: AccessManagementApi, displayName: "Access Management API", roles: ["Administrator"] },
  { name: AddonServiceApi, displayName: "Add-ons API", roles: ["Administrator", "Service", "ReadOnly"] },
  { name: ContentManagerApi, displayName: "Tridion Sites Content Manager API", roles: ["Administrator"] },
];

export function apiResourcesView() {
  return apiResources.map((api) => ({
    name: api.name,
    displayName: api.displayName,
    roles: api.roles.map((role) => ({ name: role, key: `${api.name}.${role}` })),
  }));
}

export const roleKey = (s: AccessSetting) => `${s.api}.${s.role}`;

/** Validates an accessSettings body value: a list of {api, role}, known values, one role per API. */
export function parseAccessSettings(value: unknown): AccessSetting[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new Problem(400, 'accessSettings must be a list of {"api", "role"} objects, e.g. [{"api": "Tridion.AddonService", "role": "Administrator"}].');
  }
  const seen = new Set<string>();
  return value.map((item, index) => {
    const api = (item as AccessSetting | null)?.api;
    const role = (item as AccessSetting | null)?.role;
    const resource = apiResources.find((r) => r.name === api);
    if (!resource) {
      throw new Problem(400, `accessSettings[${index}].api ${JSON.stringify(api)} is not a known API. Use one of: ${apiResources.map((r) => r.name).join(", ")}.`);
    }
    if (typeof role !== "string" || !resource.roles.includes(role)) {
      throw new Problem(400, `accessSettings[${index}].role ${JSON.stringify(role)} is not a role of ${api}. Use one of: ${resource.roles.join(", ")}.`);
    }
    if (seen.has(api as string)) {
      throw new Problem(400, `accessSettings gives ${api} more than one role; an account holds at most one role per API. Keep one entry for ${api}.`);
    }
    seen.add(api as string);
    return { api: api as string, role };
  });
}

const predefinedByVersion: Record<ProductVersion, Array<{ name: string; accessSettings: AccessSetting[] }>> = {
  "9.6": [
    { name: "Access Management API", accessSettings: [{ api: AccessManagementApi, role: "Administrator" }] },
    { name: "Add-ons API", accessSettings: [{ api: AddonServiceApi, role: "Service" }] },
    { name: "Tridion Sites Content Manager API", accessSettings: [{ api: ContentManagerApi, role: "Administrator" }] },
  ],
  "10": [
    { name: "Access Management API Client (admin)", accessSettings: [{ api: AccessManagementApi, role: "Administrator" }] },
    { name: "Add-ons API Client (service)", accessSettings: [{ api: AddonServiceApi, role: "Service" }] },
    { name: "Tridion Sites Content Manager API Client (admin)", accessSettings: [{ api: ContentManagerApi, role: "Administrator" }] },
  ],
};

export const adminAccountName = "Emulator Bootstrap Administrator";
const addonsServiceIndex = 1;

function newAccount(fields: Omit<Account, "id" | "createdAt" | "secrets">, now: Date): Account {
  return { id: randomUUID(), createdAt: now.toISOString(), secrets: [], ...fields };
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
  clock: Clock,
  key: SigningKey,
  productVersion: ProductVersion,
  admin: { clientId?: string; clientSecret?: string },
  seedUsers: Array<string | SeedUser>,
): BootstrapResult {
  const now = clock.now();
  const firstStart = !store.state;
  if (!store.state) {
    const predefined = predefinedByVersion[productVersion].map((p) =>
      newAccount({ kind: "serviceAccount", name: p.name, clientId: randomUUID(), accessSettings: p.accessSettings, predefined: true }, now),
    );
    const adminAccount = newAccount(
      {
        kind: "serviceAccount",
        name: adminAccountName,
        description: "Bootstrap identity of the emulator (not a product account)",
        clientId: randomUUID(),
        accessSettings: [
          { api: AccessManagementApi, role: "Administrator" },
          { api: AddonServiceApi, role: "Administrator" },
        ],
        predefined: true,
      },
      now,
    );
    const state: State = {
      formatVersion: 1,
      productVersion,
      bootstrap: { adminAccountId: adminAccount.id, addonsServiceAccountId: predefined[addonsServiceIndex].id, issuedSecrets: {} },
      accounts: [adminAccount, ...predefined],
      addons: [],
    };
    store.state = state;
  } else if (store.state.productVersion !== productVersion) {
    throw new Error(
      `The data dir holds a Tridion Sites ${store.state.productVersion} emulator; start it with --product-version ${store.state.productVersion} or use another --data-dir.`,
    );
  }
  const state = store.data;
  const adminAccount = state.accounts.find((a) => a.id === state.bootstrap.adminAccountId)!;
  const addonsAccount = state.accounts.find((a) => a.id === state.bootstrap.addonsServiceAccountId)!;
  if (admin.clientId && admin.clientId !== adminAccount.clientId) {
    if (state.accounts.some((a) => a !== adminAccount && a.clientId === admin.clientId)) {
      throw new Error(`adminClientId ${admin.clientId} is already used by another account in the data dir.`);
    }
    adminAccount.clientId = admin.clientId;
  }
  const issued = (state.bootstrap.issuedSecrets ??= {});
  const settle = (role: BootstrapRole, account: Account, request: BootstrapSecretRequest) => {
    const settled = settleBootstrapSecret(account, issued[role], firstStart, request, now);
    if (settled.issued) issued[role] = settled.issued;
    return settled.credential;
  };
  const result = {
    admin: settle("admin", adminAccount, {
      explicit: admin.clientSecret || undefined,
      derived: key.derive(`bootstrap:${adminAccount.clientId}`),
      reissueHint: "Start with --admin-client-secret to issue a new one.",
    }),
    addonsService: settle("addonsService", addonsAccount, {
      derived: key.derive(`bootstrap:${addonsAccount.clientId}`),
      reissueHint: "Create a new secret for it through the management API, or start on a fresh --data-dir.",
    }),
  };
  for (const seed of seedUsers) addLoggedInUser(store, typeof seed === "string" ? { name: seed } : seed, now);
  store.save();
  return result;
}

/** A user "who has logged in" through an identity provider: listed, without client credentials. */
export function addLoggedInUser(store: Store, seed: SeedUser, now: Date): { account: Account; created: boolean } {
  if (!seed || typeof seed.name !== "string" || !seed.name.trim()) {
    throw new Problem(400, 'A logged-in user needs a non-empty "name".');
  }
  const existing = store.data.accounts.find((a) => a.kind === "user" && a.name === seed.name);
  if (existing) return { account: existing, created: false };
  const account = newAccount(
    {
      kind: "user",
      name: seed.name,
      displayName: seed.displayName ?? seed.name,
      ...(seed.email ? { email: seed.email } : {}),
      clientId: randomUUID(),
      accessSettings: [],
      predefined: false,
      origin: "identityProvider",
    },
    now,
  );
  store.data.accounts.push(account);
  store.save();
  return { account, created: true };
}

export function accountView(account: Account) {
  return {
    id: account.id,
    name: account.name,
    clientId: account.clientId,
    ...(account.kind === "user"
      ? { displayName: account.displayName ?? account.name, email: account.email ?? null, origin: account.origin ?? "api" }
      : { description: account.description ?? "" }),
    accessSettings: account.accessSettings,
    predefined: account.predefined,
    createdAt: account.createdAt,
  };
}

export { newAccount };
