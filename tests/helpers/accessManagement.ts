// A plain client of the emulator's Access Management API for tests: what an administrator does
// in the Access Management UI (or with curl), to set things up out of band and to see what the
// server holds. It speaks the real API (RWS's OpenAPI document): int32 ids, accessControlEntry
// links resolved from role keys through ApiResources, generateClientSecret.
import { bearer, getToken, http } from "./emulator";

interface Emulatorish {
  accessManagementUrl: string;
  credentials: { admin: { clientId: string; clientSecret: string } };
}

export interface Link {
  id: number;
  name?: string | null;
}
export interface AccessControlEntry {
  apiResources: Link[];
  apiResourceRoles: Link[];
  applications: Link[];
}
export interface ClientSecret {
  id: number;
  clientSecret: string;
  expiresAt: string;
  lastLoginAt: string | null;
}
export interface AmAccount {
  id: number;
  name: string;
  clientId: string | null;
  clientSecrets: ClientSecret[];
  accessControlEntry: AccessControlEntry;
  [field: string]: unknown;
}
export interface ApiResource {
  id: number;
  key: string;
  name: string;
  roles: Array<{ id: number; key: string; name: string }>;
}

export type Kind = "Users" | "ServiceAccounts";

export async function amAdmin(emulator: Emulatorish, credential = emulator.credentials.admin) {
  const token = await getToken(emulator, credential);
  const api = (path: string) => `${emulator.accessManagementUrl}/api/v1${path}`;
  const auth = bearer(token);
  const resources = (await http.get(api("/ApiResources"), auth)).data as ApiResource[];

  const roleLinks = (roleKeys: string[]): AccessControlEntry => {
    const entry: AccessControlEntry = { apiResources: [], apiResourceRoles: [], applications: [] };
    for (const key of roleKeys) {
      const resource = resources.find((r) => r.roles.some((role) => role.key === key));
      if (!resource) throw new Error(`no role ${key} in ApiResources`);
      if (!entry.apiResources.some((l) => l.id === resource.id)) entry.apiResources.push({ id: resource.id });
      entry.apiResourceRoles.push({ id: resource.roles.find((role) => role.key === key)!.id });
    }
    return entry;
  };

  /** The role keys an account holds, from its links. */
  const rolesOf = (account: AmAccount): string[] =>
    account.accessControlEntry.apiResourceRoles
      .map((link) => resources.flatMap((r) => r.roles).find((role) => role.id === link.id)?.key)
      .filter((k): k is string => !!k)
      .sort();

  /**
   * The account's writable fields with other access: PUT takes the whole object; the read-only
   * fields (ids, timestamps, secrets, link names, a user's clientId) are left out, as RWS's
   * document asks of a request.
   */
  const withAccess = (kind: Kind, account: AmAccount, roleKeys: string[]) => {
    const {
      id: _id,
      createdAt: _c,
      modifiedAt: _m,
      lastLoginAt: _l,
      clientSecrets: _s,
      createdBy: _cb,
      modifiedBy: _mb,
      accessControlEntry: _a,
      clientId,
      ...rest
    } = account;
    const writable: Record<string, unknown> =
      kind === "Users" ? { ...rest, identityProvider: { id: (account.identityProvider as { id: number }).id } } : { ...rest, clientId };
    return { ...writable, accessControlEntry: roleLinks(roleKeys) };
  };

  return {
    token,
    api,
    resources,
    roleLinks,
    rolesOf,
    get: (path: string) => http.get(api(path), auth),
    put: (path: string, body: unknown) => http.put(api(path), body, auth),
    post: (path: string, body?: unknown) => http.post(api(path), body, auth),
    del: (path: string) => http.delete(api(path), auth),
    async list(kind: Kind): Promise<AmAccount[]> {
      return (await http.get(api(`/${kind}`), auth)).data;
    },
    async account(kind: Kind, id: number): Promise<AmAccount | undefined> {
      const res = await http.get(api(`/${kind}/${id}`), auth);
      return res.status === 200 ? res.data : undefined;
    },
    async user(name: string): Promise<AmAccount> {
      const found = (await http.get(api("/Users"), auth)).data.filter((u: AmAccount) => u.name === name);
      if (found.length !== 1) throw new Error(`expected one user named ${name}, found ${found.length}`);
      return found[0];
    },
    /** Replace the account's roles (an administrator editing its access in the UI). */
    async setRoles(kind: Kind, id: number, roleKeys: string[]) {
      const account = (await http.get(api(`/${kind}/${id}`), auth)).data as AmAccount;
      const res = await http.put(api(`/${kind}/${id}`), withAccess(kind, account, roleKeys), auth);
      if (res.status !== 200) throw new Error(`PUT ${kind}/${id}: ${res.status} ${JSON.stringify(res.data)}`);
      return res.data as AmAccount;
    },
    async createServiceAccount(name: string, roleKeys: string[], clientId?: string) {
      const res = await http.post(
        api("/ServiceAccounts"),
        { name, ...(clientId ? { clientId } : {}), accessControlEntry: roleLinks(roleKeys) },
        auth,
      );
      if (res.status !== 201) throw new Error(`POST ServiceAccounts: ${res.status} ${JSON.stringify(res.data)}`);
      return res.data as AmAccount;
    },
    /** A new client secret: its value is shown only here. */
    async generateSecret(kind: Kind, id: number): Promise<ClientSecret & { clientId: string }> {
      const res = await http.post(api(`/${kind}/${id}/generateClientSecret`), undefined, auth);
      if (res.status !== 200) throw new Error(`generateClientSecret: ${res.status} ${JSON.stringify(res.data)}`);
      const account = (await http.get(api(`/${kind}/${id}`), auth)).data as AmAccount;
      return { ...res.data, clientId: account.clientId! };
    },
    secretIds: async (kind: Kind, id: number): Promise<number[]> =>
      ((await http.get(api(`/${kind}/${id}`), auth)).data as AmAccount).clientSecrets.map((s) => s.id).sort((a, b) => a - b),
    revokeSecret: (kind: Kind, id: number, secretId: number) => http.delete(api(`/${kind}/${id}/clientSecrets/${secretId}`), auth),
    setSecretExpiry: (kind: Kind, id: number, secretId: number, expiresAt: string) =>
      http.put(api(`/${kind}/${id}/clientSecrets/${secretId}`), { expiresAt }, auth),
  };
}

export type AmAdmin = Awaited<ReturnType<typeof amAdmin>>;

/** A user signs in through an identity provider (the emulator's test control): AM lists them from then on. */
export async function signIn(
  emulator: { accessManagementUrl: string },
  name: string,
  extra: { email?: string; identityProvider?: string } = {},
) {
  const origin = new URL(emulator.accessManagementUrl).origin;
  const res = await http.post(`${origin}/__emulator/logged-in-users`, { name, ...extra });
  if (res.status !== 201 && res.status !== 200) throw new Error(`sign-in of ${name}: ${res.status} ${JSON.stringify(res.data)}`);
  return res.data as AmAccount;
}
