// What ClientCredentialUser and ServiceAccount share: role keys <-> access settings, the roles
// this resource manages (and how to undo them), client secrets: issue, rotate, detect drift.
//
// Rotation and AM's limit of two secrets per account: a new secret is created *before* the old
// one is revoked, so consumers never see a gap. When the account already holds two secrets
// (ours plus one we did not create), a third cannot be created. We then revoke *our own* old
// secret first: everything that uses it is managed by this stack and receives the new value in
// the same `pulumi up`, while the other secret may be in use by something we do not know about.
// If neither secret is ours, we stop with an error rather than revoke someone else's.
// Our secrets are never forgotten: an expired one keeps its id in state (it still fills a slot),
// and one whose revoke failed is kept as `pendingRevocations` until the next `up` or delete.
import type { AccessManagementClient, AccessSetting, NewSecret, SecretInfo } from "../clients/accessManagement";
import { isAmbiguousFailure, TridionError } from "../clients/errors";
import type { InputChecker } from "./common";
import { isUnknown } from "./common";

export const DEFAULT_SECRET_DAYS = 365;
export const DEFAULT_ROTATE_BEFORE_DAYS = 30;
const DAY_MS = 86_400_000;

// ---- roles ----------------------------------------------------------------------------------

/** `Tridion.AddonService.Administrator` -> { api: "Tridion.AddonService", role: "Administrator" } */
export function roleKeyToSetting(key: string): AccessSetting {
  const dot = key.lastIndexOf(".");
  return { api: key.slice(0, dot), role: key.slice(dot + 1) };
}

export function settingToRoleKey(s: AccessSetting): string {
  return `${s.api}.${s.role}`;
}

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
    const { api } = roleKeyToSetting(role);
    const other = apis.get(api);
    if (other && other !== role) {
      checker.fail("roles", `${other} and ${role} are two roles on the same API (${api}); Access Management allows one role per API. Keep one of them.`);
    }
    apis.set(api, role);
  }
}

/** Role keys that Access Management does not offer (from its api-resources list), each with the fix. */
export function unknownRoles(roles: unknown, offered: Map<string, string[]>): string[] {
  if (!Array.isArray(roles)) return [];
  const reasons: string[] = [];
  for (const key of roles) {
    if (typeof key !== "string" || isUnknown(key)) continue;
    const { api, role } = roleKeyToSetting(key);
    const apiRoles = offered.get(api);
    if (!apiRoles) {
      reasons.push(`${key}: Access Management has no API "${api}". Known APIs: ${[...offered.keys()].join(", ")}.`);
    } else if (!apiRoles.includes(role)) {
      reasons.push(`${key}: ${api} has no role "${role}". Its roles: ${apiRoles.map((r) => `${api}.${r}`).join(", ")}.`);
    }
  }
  return reasons;
}

/**
 * The roles a resource manages, and what each API held before it touched it (`null` = nothing),
 * so delete (or dropping a role) can put the account back the way it was.
 */
export interface RoleState {
  accessSettings: AccessSetting[];
  /** api -> role it had before this resource managed it */
  originalRoles: Record<string, string | null>;
}

export function applyRoles(current: AccessSetting[] = [], desired: string[], originalRoles: Record<string, string | null> = {}): RoleState {
  const byApi = new Map(current.map((s) => [s.api, s.role]));
  const originals: Record<string, string | null> = {};
  const wanted = new Map(desired.map((k) => { const s = roleKeyToSetting(k); return [s.api, s.role] as const; }));
  // APIs no longer managed go back to what they had before.
  for (const [api, original] of Object.entries(originalRoles)) {
    if (wanted.has(api)) continue;
    if (original === null) byApi.delete(api);
    else byApi.set(api, original);
  }
  for (const [api, role] of wanted) {
    originals[api] = api in originalRoles ? originalRoles[api] : byApi.get(api) ?? null;
    byApi.set(api, role);
  }
  return { accessSettings: [...byApi].map(([api, role]) => ({ api, role })), originalRoles: originals };
}

/** Undo: every managed API back to its original role. */
export function restoreRoles(current: AccessSetting[] = [], originalRoles: Record<string, string | null> = {}): AccessSetting[] {
  return applyRoles(current, [], originalRoles).accessSettings;
}

/** The roles granted by this resource (an API now holding a role it did not hold before). */
export function grantedRoles(desired: string[], originalRoles: Record<string, string | null>): string[] {
  return desired.filter((k) => { const s = roleKeyToSetting(k); return originalRoles[s.api] !== s.role; });
}

/** The managed roles as the server holds them now (for drift): one key per managed API that has a role. */
export function managedRolesOnServer(current: AccessSetting[] = [], desired: string[]): string[] {
  const byApi = new Map(current.map((s) => [s.api, s.role]));
  const out: string[] = [];
  for (const key of desired) {
    const { api } = roleKeyToSetting(key);
    const role = byApi.get(api);
    if (role) out.push(`${api}.${role}`);
  }
  return out;
}

// ---- secrets --------------------------------------------------------------------------------

export function expiryFor(days: number, now = Date.now()): string {
  // A minute under the full lifetime: AM refuses an expiry beyond now + 365 days.
  return new Date(now + days * DAY_MS - 60_000).toISOString();
}

export type SecretState = "active" | "revoked" | "expired" | "none";

export function secretState(secrets: SecretInfo[], secretId: string | undefined, now = Date.now()): { state: SecretState; info?: SecretInfo } {
  if (!secretId) return { state: "none" };
  const info = secrets.find((s) => s.id === secretId);
  if (!info) return { state: "revoked" };
  if (info.expired === true || (info.expiresAt && Date.parse(info.expiresAt) <= now)) return { state: "expired", info };
  return { state: "active", info };
}

/** Why the current secret must be replaced, or [] when it may stay. */
export function rotationReasons(
  olds: { secretId?: string; secretStatus?: string; secretExpiresAt?: string; secretVersion?: unknown; secretExpiresInDays?: unknown },
  news: { secretVersion?: unknown; secretExpiresInDays?: unknown; rotateBeforeDays?: unknown },
  now = Date.now(),
): string[] {
  const reasons: string[] = [];
  if (!olds.secretId) reasons.push(olds.secretStatus === "none" ? "no client secret has been issued yet" : "the client secret was revoked");
  else if (olds.secretStatus === "expired") reasons.push("the client secret has expired");
  if (isUnknown(news.secretVersion) || (news.secretVersion ?? null) !== (olds.secretVersion ?? null)) reasons.push("secretVersion changed");
  const oldDays = olds.secretExpiresInDays ?? DEFAULT_SECRET_DAYS;
  const newDays = news.secretExpiresInDays ?? DEFAULT_SECRET_DAYS;
  if (isUnknown(newDays) || oldDays !== newDays) reasons.push("secretExpiresInDays changed");
  const before = typeof news.rotateBeforeDays === "number" ? news.rotateBeforeDays : DEFAULT_ROTATE_BEFORE_DAYS;
  if (olds.secretId && olds.secretStatus !== "expired" && olds.secretExpiresAt) {
    const left = Date.parse(olds.secretExpiresAt) - now;
    if (left <= before * DAY_MS) reasons.push(`the client secret expires within ${before} days (${olds.secretExpiresAt})`);
  }
  return reasons;
}

export function secretDescription(name: string): string {
  return `pulumi-tridion: ${name}`;
}

/** The secrets this resource owns on the account. */
export interface OwnedSecrets {
  /** The secret in use (it may have expired: it still fills one of the two slots until revoked). */
  secretId?: string;
  /** Older secrets of ours whose revoke failed: revoked by the next `up` (or delete). */
  pendingRevocations?: string[];
}

/**
 * A failure while rotating; says which of our secrets were already revoked, and which secrets a
 * lost answer left behind that could not be revoked, so state can follow.
 */
export type RotationError = TridionError & { revokedSecretIds?: string[]; orphanedSecretIds?: string[] };

/** Revoke each secret (already gone counts as done); what could not be revoked stays pending. */
export async function revokeSecrets(am: AccessManagementClient, accountId: string, ids: readonly string[]): Promise<{ pending: string[]; error?: TridionError }> {
  const pending: string[] = [];
  let error: TridionError | undefined;
  for (const id of ids) {
    try {
      await am.revokeSecret(accountId, id);
    } catch (e) {
      pending.push(id);
      error ??= e instanceof TridionError ? e : new TridionError(String(e));
    }
  }
  return { pending, error };
}

/**
 * The answer to a secret POST was lost, but the secret may exist: its value is gone for good, so
 * the secret that appeared meanwhile with our description is revoked (it would fill a slot
 * forever). One without our description was made by someone else and is left alone; so is every
 * secret when the service does not list descriptions. Returns those that could not be revoked now.
 */
async function revokeOrphans(am: AccessManagementClient, accountId: string, before: Set<string>, description: string): Promise<string[]> {
  const now = await am.listSecrets(accountId).catch(() => undefined);
  if (!now) return [];
  const orphans = now.filter((s) => !before.has(s.id) && s.description === description).map((s) => s.id);
  return (await revokeSecrets(am, accountId, orphans)).pending;
}

/**
 * Replace our secret(s) with a new one. Create first, then revoke; if AM's two slots are full,
 * revoke one of ours first (a retired one before the one in use; see the header). Whatever could
 * not be revoked afterwards comes back as `pendingRevocations`, never forgotten.
 */
export async function rotateSecret(
  am: AccessManagementClient,
  accountId: string,
  owned: OwnedSecrets,
  days: number,
  description: string,
  what: string,
): Promise<{ secret: NewSecret; pendingRevocations: string[]; revokeError?: TridionError }> {
  const existing = await am.listSecrets(accountId);
  const listed = new Set(existing.map((s) => s.id));
  const retiring = [...(owned.pendingRevocations ?? []), ...(owned.secretId ? [owned.secretId] : [])].filter((id) => listed.has(id));
  const revokedFirst: string[] = [];
  if (existing.length >= 2) {
    if (retiring.length === 0) {
      throw new TridionError(
        `Cannot issue a client secret for ${what}: it already holds two client secrets (Access Management's maximum), and neither was created by this resource, so revoking one could break whatever uses it. ` +
          `Fix: revoke the secret that is no longer used in Access Management, then run \`pulumi up\` again.`,
      );
    }
    const first = retiring.shift()!;
    await am.revokeSecret(accountId, first);
    revokedFirst.push(first);
  }
  let secret: NewSecret;
  try {
    secret = await am.createSecret(accountId, expiryFor(days), description);
  } catch (e) {
    // Tell the caller which of our secrets are gone already, so state does not keep pointing at them.
    const error = (e instanceof TridionError ? e : new TridionError(String(e))) as RotationError;
    error.revokedSecretIds = revokedFirst;
    if (isAmbiguousFailure(e)) error.orphanedSecretIds = await revokeOrphans(am, accountId, listed, description);
    throw error;
  }
  const { pending, error } = await revokeSecrets(am, accountId, retiring);
  return { secret, pendingRevocations: pending, revokeError: error };
}
