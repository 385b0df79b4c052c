// Role keys and Access Management's accessControlEntry, both ways. A role key such as
// `Tridion.AddonService.Administrator` means two links on the account: the API resource
// (`Tridion.AddonService`) in `apiResources` and its role in `apiResourceRoles`, by the ids that
// `ApiResources` gives (they differ per installation). A resource only ever adds or removes the
// links of the APIs it manages, and remembers what each of those held before, so that dropping a
// role, or deleting the resource, puts the account back as it found it.
import type { AccessControlEntry, ApiResource, Link } from "../../clients/accessManagement";
import { TridionError } from "../../errors/tridionError";
import { isUnknown, type InputChecker } from "../common";

/** Per managed API (by key): whether the account was linked to it, and the role it held, before. */
export type OriginalAccess = Record<string, { linked: boolean; role: string | null }>;

interface CatalogRole {
  id: number;
  key: string;
  apiId: number;
  apiKey: string;
}

/** ApiResources, indexed for the lookups the mapping needs. */
export class RoleCatalog {
  private readonly roles = new Map<string, CatalogRole>();
  private readonly rolesById = new Map<number, CatalogRole>();
  private readonly apis = new Map<string, ApiResource>();

  constructor(resources: ApiResource[]) {
    for (const api of resources) {
      this.apis.set(api.key, api);
      for (const role of api.roles ?? []) {
        const entry = { id: role.id, key: role.key, apiId: api.id, apiKey: api.key };
        this.roles.set(role.key, entry);
        this.rolesById.set(role.id, entry);
      }
    }
  }

  /** The API and role ids of a role key; an error naming the roles that exist when it is unknown. */
  role(key: string): CatalogRole {
    const found = this.roles.get(key);
    if (found) return found;
    const api = this.apis.get(apiKeyOf(key));
    const known = api ? (api.roles ?? []).map((r) => r.key).join(", ") : [...this.apis.keys()].join(", ");
    throw new TridionError(
      "ROLE_UNKNOWN",
      `Access Management has no role ${key}. ${api ? `The roles of ${api.key} are: ${known}.` : `Its APIs are: ${known}.`}`,
      { fix: "use one of those role keys.", details: { role: key } },
    );
  }

  apiKey(apiId: number): string | undefined {
    return [...this.apis.values()].find((a) => a.id === apiId)?.key;
  }

  roleById(id: number): CatalogRole | undefined {
    return this.rolesById.get(id);
  }

  apiIdOf(apiKey: string): number | undefined {
    return this.apis.get(apiKey)?.id;
  }

  /** api key -> its role keys, for checking role inputs in preview. */
  offered(): Map<string, string[]> {
    return new Map([...this.apis.values()].map((api) => [api.key, (api.roles ?? []).map((r) => r.key)]));
  }
}

/** `Tridion.AddonService.Administrator` -> `Tridion.AddonService` */
export function apiKeyOf(roleKey: string): string {
  return roleKey.slice(0, roleKey.lastIndexOf("."));
}

const ids = (links: Link[] | null | undefined): number[] => (links ?? []).map((l) => l.id);

/** The role key the account holds for an API, or null. */
function roleOfApi(roleIds: number[], catalog: RoleCatalog, apiKey: string): string | null {
  return roleIds.map((id) => catalog.roleById(id)).find((r) => r?.apiKey === apiKey)?.key ?? null;
}

/**
 * The entry with the desired roles granted and the APIs this resource no longer manages put back
 * as they were; `original` keeps what each managed API held before this resource first touched it.
 */
export function grantRoles(
  entry: AccessControlEntry | null | undefined,
  desired: string[],
  catalog: RoleCatalog,
  original: OriginalAccess = {},
): { entry: AccessControlEntry; original: OriginalAccess } {
  const apiIds = new Set(ids(entry?.apiResources));
  let roleIds = ids(entry?.apiResourceRoles);
  const dropRolesOf = (apiKey: string) => {
    roleIds = roleIds.filter((id) => catalog.roleById(id)?.apiKey !== apiKey);
  };
  const wanted = new Map(desired.map((key) => [apiKeyOf(key), catalog.role(key)]));
  const kept: OriginalAccess = {};

  for (const [apiKey, before] of Object.entries(original)) {
    if (wanted.has(apiKey)) continue;
    const apiId = catalog.apiIdOf(apiKey);
    dropRolesOf(apiKey);
    if (before.role) roleIds.push(catalog.role(before.role).id);
    if (apiId !== undefined && !before.linked) apiIds.delete(apiId);
  }
  for (const [apiKey, role] of wanted) {
    kept[apiKey] = original[apiKey] ?? { linked: apiIds.has(role.apiId), role: roleOfApi(roleIds, catalog, apiKey) };
    apiIds.add(role.apiId);
    dropRolesOf(apiKey);
    roleIds.push(role.id);
  }
  return {
    entry: {
      apiResources: [...apiIds].map((id) => ({ id })),
      apiResourceRoles: [...new Set(roleIds)].map((id) => ({ id })),
      applications: ids(entry?.applications).map((id) => ({ id })),
    },
    original: kept,
  };
}

/** Undo: every API this resource manages back to what it held before. */
export function restoreAccess(
  entry: AccessControlEntry | null | undefined,
  original: OriginalAccess,
  catalog: RoleCatalog,
): AccessControlEntry {
  return grantRoles(entry, [], catalog, original).entry;
}

/** The roles this resource granted (an API now holding a role it did not hold before). */
export function grantedRoles(desired: string[], original: OriginalAccess): string[] {
  return desired.filter((key) => original[apiKeyOf(key)]?.role !== key);
}

/** The managed roles as the server holds them now (drift): per managed API, the role it holds. */
export function heldRoles(entry: AccessControlEntry | null | undefined, desired: string[], catalog: RoleCatalog): string[] {
  const roleIds = ids(entry?.apiResourceRoles);
  const apiIds = new Set(ids(entry?.apiResources));
  const out: string[] = [];
  for (const key of desired) {
    const apiKey = apiKeyOf(key);
    const apiId = catalog.apiIdOf(apiKey);
    const role = roleOfApi(roleIds, catalog, apiKey);
    if (role && apiId !== undefined && apiIds.has(apiId)) out.push(role);
  }
  return out;
}

/**
 * Every API the entry links or holds a role of (key -> linked, role): what the account held when
 * this resource last wrote or read it (state's `accessSeen`).
 */
export function accessOf(entry: AccessControlEntry | null | undefined, catalog: RoleCatalog): OriginalAccess {
  const roleIds = ids(entry?.apiResourceRoles);
  const apiKeys = new Set<string>();
  for (const id of ids(entry?.apiResources)) {
    const key = catalog.apiKey(id);
    if (key) apiKeys.add(key);
  }
  for (const id of roleIds) {
    const role = catalog.roleById(id);
    if (role) apiKeys.add(role.apiKey);
  }
  const linked = new Set(ids(entry?.apiResources));
  return Object.fromEntries(
    [...apiKeys]
      .sort()
      .map((apiKey) => [apiKey, { linked: linked.has(catalog.apiIdOf(apiKey) ?? -1), role: roleOfApi(roleIds, catalog, apiKey) }]),
  );
}

/**
 * What the APIs of roles this resource starts to manage held before. The server's entry is the
 * truth, except where it already holds exactly the role this update grants and held something
 * else when this resource last wrote (`seen`): then an update whose result was lost has granted
 * it, and what was seen counts (never more than the server still has: a link removed since stays
 * removed). Unknown without `seen` (state from before 0.3): the server's entry then.
 */
export function originalFromSeen(
  seen: OriginalAccess | undefined,
  current: AccessControlEntry | null | undefined,
  desired: string[],
  managed: OriginalAccess,
  catalog: RoleCatalog,
): OriginalAccess {
  if (!seen) return {};
  const now = accessOf(current, catalog);
  const out: OriginalAccess = {};
  for (const role of desired) {
    const apiKey = apiKeyOf(role);
    if (managed[apiKey]) continue;
    const before = seen[apiKey] ?? { linked: false, role: null };
    const held = now[apiKey] ?? { linked: false, role: null };
    if (held.role !== role || before.role === role) continue; // nothing of ours to tell apart
    out[apiKey] = { linked: before.linked && held.linked, role: before.role };
  }
  return out;
}

/** Whether two entries grant the same APIs and roles (applications are never ours to change). */
export function sameAccess(a: AccessControlEntry | null | undefined, b: AccessControlEntry | null | undefined): boolean {
  const same = (x: number[], y: number[]) => x.length === y.length && [...x].sort().every((v, i) => v === [...y].sort()[i]);
  return same(ids(a?.apiResources), ids(b?.apiResources)) && same(ids(a?.apiResourceRoles), ids(b?.apiResourceRoles));
}

// ---- role inputs: their form in check, and whether Access Management offers them -------------

export function checkRoles(checker: InputChecker, roles: unknown, resource: string): void {
  if (isUnknown(roles)) return;
  if (!Array.isArray(roles) || roles.length === 0) {
    checker.fail("roles", `${resource} needs \`roles\`: a list of role keys such as ["Tridion.AddonService.Administrator"].`);
    return;
  }
  const apis = new Map<string, string>();
  for (const role of roles) {
    if (isUnknown(role)) continue;
    if (typeof role !== "string" || !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/.test(role)) {
      checker.fail("roles", `${JSON.stringify(role)} is not a role key: write "<api>.<role>", e.g. "Tridion.AddonService.Administrator".`);
      continue;
    }
    const api = apiKeyOf(role);
    const other = apis.get(api);
    if (other && other !== role) {
      checker.fail(
        "roles",
        `${other} and ${role} are two roles on the same API (${api}); Access Management allows one role per API. Keep one of them.`,
      );
    }
    apis.set(api, role);
  }
}

/** Role keys that Access Management does not offer (from ApiResources), each with the fix. */
export function unknownRoles(roles: unknown, offered: Map<string, string[]>): string[] {
  if (!Array.isArray(roles)) return [];
  const reasons: string[] = [];
  for (const key of roles) {
    if (typeof key !== "string" || isUnknown(key)) continue;
    const api = apiKeyOf(key);
    const apiRoles = offered.get(api);
    if (!apiRoles) {
      reasons.push(`${key}: Access Management has no API "${api}". Known APIs: ${[...offered.keys()].join(", ")}.`);
    } else if (!apiRoles.includes(key)) {
      reasons.push(`${key}: ${api} has no such role. Its roles: ${apiRoles.join(", ")}.`);
    }
  }
  return reasons;
}
