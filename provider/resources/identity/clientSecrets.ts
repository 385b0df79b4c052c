// What ClientCredentialUser and ServiceAccount share about client secrets: issue, rotate, detect
// drift.
//
// Access Management generates a secret (POST .../generateClientSecret, no body, a one-year
// expiry) and shows its value once; a PUT then shortens the expiry to what the resource asks.
// Rotation and AM's limit of two secrets per account: a new secret is created *before* the old
// one is revoked, so consumers never see a gap. When the account already holds two secrets
// (ours plus one we did not create), a third cannot be created. We then revoke *our own* old
// secret first: everything that uses it is managed by this stack and receives the new value in
// the same `pulumi up`, while the other secret may be in use by something we do not know about.
// If neither secret is ours, we stop with an error rather than revoke someone else's.
// Our secrets are never forgotten: an expired one keeps its id in state (it still fills a slot),
// and one whose revoke failed is kept as `pendingRevocations` until the next `up` or delete.
import type { AccessManagementClient, ClientSecret } from "../../clients/accessManagement";
import { hasCode, toTridionError, TridionError } from "../../errors/tridionError";
import { isAmbiguousFailure } from "../../http/policy";
import { isUnknown } from "../common";
import type { IssuedSecret, SecretStatus } from "./identityState";

export const DEFAULT_SECRET_DAYS = 365;
export const DEFAULT_ROTATE_BEFORE_DAYS = 30;
const DAY_MS = 86_400_000;

// ---- secrets --------------------------------------------------------------------------------

export function expiryFor(days: number, now = Date.now()): string {
  // A minute under the full lifetime: AM refuses an expiry beyond now + 365 days.
  return new Date(now + days * DAY_MS - 60_000).toISOString();
}

/** What became of our secret (by its id) among the account's secrets. */
export function secretStatus(
  secrets: ClientSecret[],
  secretId: number | undefined,
  now = Date.now(),
): { state: SecretStatus; info?: ClientSecret } {
  if (secretId === undefined || secretId === null) return { state: "none" };
  const info = secrets.find((s) => s.id === secretId);
  if (!info) return { state: "revoked" };
  if (info.expiresAt && Date.parse(info.expiresAt) <= now) return { state: "expired", info };
  return { state: "active", info };
}

/** Why the current secret must be replaced, or [] when it may stay. */
export function rotationReasons(
  olds: { secretId?: number; secretStatus?: string; secretExpiresAt?: string; secretVersion?: unknown; secretExpiresInDays?: unknown },
  news: { secretVersion?: unknown; secretExpiresInDays?: unknown; rotateBeforeDays?: unknown },
  now = Date.now(),
): string[] {
  const reasons: string[] = [];
  const hasSecret = olds.secretId !== undefined && olds.secretId !== null;
  if (!hasSecret) reasons.push(olds.secretStatus === "none" ? "no client secret has been issued yet" : "the client secret was revoked");
  else if (olds.secretStatus === "expired") reasons.push("the client secret has expired");
  if (isUnknown(news.secretVersion) || (news.secretVersion ?? null) !== (olds.secretVersion ?? null)) reasons.push("secretVersion changed");
  const oldDays = olds.secretExpiresInDays ?? DEFAULT_SECRET_DAYS;
  const newDays = news.secretExpiresInDays ?? DEFAULT_SECRET_DAYS;
  if (isUnknown(newDays) || oldDays !== newDays) reasons.push("secretExpiresInDays changed");
  const before = typeof news.rotateBeforeDays === "number" ? news.rotateBeforeDays : DEFAULT_ROTATE_BEFORE_DAYS;
  if (hasSecret && olds.secretStatus !== "expired" && olds.secretExpiresAt) {
    const left = Date.parse(olds.secretExpiresAt) - now;
    if (left <= before * DAY_MS) reasons.push(`the client secret expires within ${before} days (${olds.secretExpiresAt})`);
  }
  return reasons;
}

/** The secrets this resource owns on the account. */
export interface OwnedSecrets {
  /** The secret in use (it may have expired: it still fills one of the two slots until revoked). */
  secretId?: number;
  /** Older secrets of ours whose revoke failed: revoked by the next `up` (or delete). */
  pendingRevocations?: number[];
}

/**
 * A failure while rotating; says which of our secrets were already revoked, which secrets a lost
 * answer left behind that could not be revoked, and the new secret when it exists but its expiry
 * could not be set, so state can follow.
 */
export type RotationError = TridionError & { revokedSecretIds?: number[]; orphanedSecretIds?: number[]; issued?: IssuedSecret };

/** Revoke each secret (already gone counts as done); what could not be revoked stays pending. */
export async function revokeSecrets(
  am: AccessManagementClient,
  accountId: number,
  secretIds: readonly number[],
): Promise<{ pending: number[]; error?: TridionError }> {
  const pending: number[] = [];
  let error: TridionError | undefined;
  for (const id of secretIds) {
    try {
      await am.revokeSecret(accountId, id);
    } catch (e) {
      pending.push(id);
      error ??= toTridionError(e);
    }
  }
  return { pending, error };
}

/**
 * The answer to generateClientSecret was lost, but the secret may exist: its value is gone for
 * good, so the secret that appeared meanwhile (an id the account did not hold before; the API
 * gives secrets no other mark) is revoked, or it would fill a slot forever. Returns those that
 * could not be revoked now.
 */
async function revokeOrphans(am: AccessManagementClient, accountId: number, before: Set<number>): Promise<number[]> {
  const now = await am.get(accountId).catch(() => undefined);
  if (!now) return [];
  const orphans = (now.clientSecrets ?? []).map((s) => s.id).filter((id) => !before.has(id));
  return (await revokeSecrets(am, accountId, orphans)).pending;
}

/** How messages name the secrets on the account that no state records. */
export interface StrangerPolicy {
  /** The command that revokes one secret by hand (we cannot tell whose it is). */
  revokeCommand(secretId: number): string;
}

/**
 * Secrets no state records that were never used: left by an interrupted `up` (the answer to
 * generateClientSecret, the only time a value is shown, died with it), or made by someone who
 * has not used them yet. The API cannot tell which.
 */
export function unusedStrangers(secrets: readonly ClientSecret[], owned: OwnedSecrets): ClientSecret[] {
  const ours = new Set([...(owned.pendingRevocations ?? []), ...(owned.secretId !== undefined ? [owned.secretId] : [])]);
  return secrets.filter((s) => !ours.has(s.id) && !s.lastLoginAt);
}

/** What to say about unused strangers, with the exact command for each; "" when there are none. */
export function strangersAdvice(strangers: readonly ClientSecret[], what: string, policy: StrangerPolicy): string {
  if (strangers.length === 0) return "";
  return `${strangersFound(strangers, what)} Fix, ${strangersFix(strangers, policy)}`;
}

/** Which unused strangers the account holds. */
function strangersFound(strangers: readonly ClientSecret[], what: string): string {
  const list = strangers.map((s) => `${s.id} (expires ${s.expiresAt}, never used)`).join(", ");
  return `${what} holds client secret(s) that no Pulumi state records: ${list}.`;
}

/** What to do about unused strangers: the exact command for each. */
function strangersFix(strangers: readonly ClientSecret[], policy: StrangerPolicy): string {
  const commands = strangers.map((s) => `\`${policy.revokeCommand(s.id)}\``).join(", then ");
  return `if an interrupted \`pulumi up\` issued it (its value is lost, and Access Management gives secrets no mark to tell, so it stays valid until revoked): run ${commands}. If someone else made it, leave it.`;
}

/**
 * Replace our secret(s) with a new one. Create first, then revoke; if AM's two slots are full,
 * revoke one of ours first (a retired one before the one in use; see the header). Whatever could
 * not be revoked afterwards comes back as `pendingRevocations`, never forgotten. Secrets no state
 * records are never touched; the unused ones come back as `strangers` for the caller to name.
 */
export async function rotateSecret(
  am: AccessManagementClient,
  accountId: number,
  owned: OwnedSecrets,
  days: number,
  what: string,
  policy: StrangerPolicy,
): Promise<{ secret: IssuedSecret; pendingRevocations: number[]; revokeError?: TridionError; strangers: ClientSecret[] }> {
  const account = await am.get(accountId);
  if (!account)
    throw new TridionError("ACCOUNT_GONE", `Cannot issue a client secret for ${what}: it no longer exists in Access Management.`, {
      fix: "run `pulumi refresh`, then `pulumi up`.",
    });
  const existing = account.clientSecrets ?? [];
  const listed = new Set(existing.map((s) => s.id));
  const retiring = [...(owned.pendingRevocations ?? []), ...(owned.secretId !== undefined ? [owned.secretId] : [])].filter((id) =>
    listed.has(id),
  );
  const strangers = unusedStrangers(existing, owned);
  const revokedFirst: number[] = [];
  if (existing.length >= 2) {
    if (retiring.length === 0) {
      throw new TridionError(
        "SECRET_SLOTS_FULL",
        `Cannot issue a client secret for ${what}: it already holds two client secrets (Access Management's maximum), and neither was created by this resource, so revoking one could break whatever uses it.` +
          (strangers.length ? ` ${strangersFound(strangers, what)}` : ""),
        {
          fix: strangers.length
            ? `${strangersFix(strangers, policy)} Then run \`pulumi up\` again.`
            : "revoke the secret that is no longer used in Access Management, then run `pulumi up` again.",
          details: { secretIds: existing.map((s) => s.id), unusedStrangerIds: strangers.map((s) => s.id) },
        },
      );
    }
    const first = retiring.shift()!;
    await am.revokeSecret(accountId, first);
    revokedFirst.push(first);
  }
  let generated: ClientSecret & { clientSecret: string };
  try {
    generated = await am.generateSecret(accountId);
  } catch (e) {
    // Tell the caller which of our secrets are gone already, so state does not keep pointing at them.
    const error = toTridionError(e) as RotationError;
    error.revokedSecretIds = revokedFirst;
    // A lost answer, or one the provider cannot use (an id that is not an id): the secret may
    // exist all the same, and no state could ever revoke it.
    if (isAmbiguousFailure(e) || hasCode(e, "UNEXPECTED_ANSWER")) error.orphanedSecretIds = await revokeOrphans(am, accountId, listed);
    throw error;
  }
  // A user's client id may come with its first secret: read it if the account had none.
  const clientId = account.clientId ?? (await am.get(accountId).catch(() => undefined))?.clientId ?? undefined;
  const secret: IssuedSecret = {
    id: generated.id,
    value: generated.clientSecret,
    expiresAt: generated.expiresAt,
    clientId: clientId ?? "",
  };
  try {
    if (!clientId)
      throw new TridionError(
        "UNEXPECTED_ANSWER",
        `Access Management generated a client secret for ${what}, but the account shows no client id.`,
        { fix: "check the account in Access Management, then run `pulumi up` again." },
      );
    secret.expiresAt = (await am.setSecretExpiry(accountId, generated.id, expiryFor(days))).expiresAt ?? expiryFor(days);
  } catch (e) {
    const error = toTridionError(e) as RotationError;
    error.revokedSecretIds = revokedFirst;
    error.issued = secret; // it exists and works, with the server's own expiry
    throw error;
  }
  const { pending, error } = await revokeSecrets(am, accountId, retiring);
  return { secret, pendingRevocations: pending, revokeError: error, strangers };
}
