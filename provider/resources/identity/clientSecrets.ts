// What ClientCredentialUser and ServiceAccount share about client secrets: issue, rotate, detect
// drift.
//
// Access Management generates a secret (POST .../generateClientSecret, no body, a one-year
// expiry) and shows its value once; a PUT then shortens the expiry to what the resource asks.
// Rotation and AM's limit of two secrets per account: a new secret is created *before* the old
// one is revoked, and the old one is revoked only once the new one is proven (secretProof.ts), or,
// with `secretOverlapHours`, at the first `up` after the overlap (the caller decides; this module
// issues). When the account already holds two secrets (ours plus one we did not create), a third
// cannot be created. We then revoke *our own* old secret first: everything that uses it is managed
// by this stack and receives the new value in the same `pulumi up`, while the other secret may be
// in use by something we do not know about; an overlap cannot happen then (OVERLAP_IMPOSSIBLE).
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
  /** The secret before the last rotation, kept for the overlap. */
  previousSecretId?: number;
  /** Older secrets of ours whose revoke failed: revoked by the next `up` (or delete). */
  pendingRevocations?: number[];
}

/** Our secrets on the account, oldest role first: leftovers, the previous one, the one in use. */
export function ownedIds(owned: OwnedSecrets): number[] {
  return [
    ...(owned.pendingRevocations ?? []),
    ...(owned.previousSecretId !== undefined ? [owned.previousSecretId] : []),
    ...(owned.secretId !== undefined ? [owned.secretId] : []),
  ];
}

/**
 * How long after its issue a lost secret may have signed in by the proof of the run that issued
 * it (that run takes a token with it): the proof's wait, and slack for the steps around it.
 */
export interface ProofWindow {
  /** The resource's secretExpiresInDays: the issuing run set the expiry to issue + that. */
  days: number;
  /** tridion:verifyTimeoutSeconds, in ms. */
  verifyTimeoutMs: number;
}

const PROOF_SLACK_MS = 5 * 60_000;

/**
 * When an `up` that issued this secret was interrupted after its proof: it was used once, right
 * after it was issued (its expiry tells when: issue + days, as the run set it, or AM's default
 * year when the run died before), and never since. A used secret signed in later than that.
 */
export function usedOnlyByProof(secret: ClientSecret, window: ProofWindow | undefined): boolean {
  if (!window || !secret.lastLoginAt || !secret.expiresAt) return false;
  const login = Date.parse(secret.lastLoginAt);
  const expires = Date.parse(secret.expiresAt);
  const issuedAt = [expires - window.days * DAY_MS + 60_000, expires - DEFAULT_SECRET_DAYS * DAY_MS];
  return issuedAt.some((at) => login >= at - PROOF_SLACK_MS && login <= at + window.verifyTimeoutMs + PROOF_SLACK_MS);
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
export function unusedStrangers(secrets: readonly ClientSecret[], owned: OwnedSecrets, window?: ProofWindow): ClientSecret[] {
  const ours = new Set(ownedIds(owned));
  return secrets.filter((s) => !ours.has(s.id) && (!s.lastLoginAt || usedOnlyByProof(s, window)));
}

/** What to say about unused strangers, with the exact command for each; "" when there are none. */
export function strangersAdvice(strangers: readonly ClientSecret[], what: string, policy: StrangerPolicy): string {
  if (strangers.length === 0) return "";
  return `${strangersFound(strangers, what)} Fix, ${strangersFix(strangers, policy)}`;
}

/** Which unused strangers the account holds. */
function strangersFound(strangers: readonly ClientSecret[], what: string): string {
  const list = strangers
    .map((s) =>
      s.lastLoginAt
        ? `${s.id} (expires ${s.expiresAt}, used only at ${s.lastLoginAt}, right after it was issued: the proof of an interrupted \`pulumi up\` takes a token with it)`
        : `${s.id} (expires ${s.expiresAt}, never used)`,
    )
    .join(", ");
  return `${what} holds client secret(s) that no Pulumi state records: ${list}.`;
}

/** What to do about unused strangers: the exact command for each. */
function strangersFix(strangers: readonly ClientSecret[], policy: StrangerPolicy): string {
  const commands = strangers.map((s) => `\`${policy.revokeCommand(s.id)}\``).join(", then ");
  return `if an interrupted \`pulumi up\` issued it (its value is lost, and Access Management gives secrets no mark to tell, so it stays valid until revoked): run ${commands}. If someone else made it, leave it.`;
}

/** The error when an overlap is asked but the account's other slot holds a secret no state records. */
export function overlapImpossible(what: string, others: readonly ClientSecret[], hours: number, policy: StrangerPolicy): TridionError {
  const list = others
    .map((s) => `${s.id} (expires ${s.expiresAt}, ${s.lastLoginAt ? `last used ${s.lastLoginAt}` : "never used"})`)
    .join(", ");
  const commands = others.map((s) => `\`${policy.revokeCommand(s.id)}\``).join(", then ");
  return new TridionError(
    "SECRET_OVERLAP_IMPOSSIBLE",
    `Cannot rotate the client secret of ${what} with an overlap of ${hours} hours (secretOverlapHours): Access Management holds two client secrets per account at most, and the other slot holds client secret ${list}, which no Pulumi state records, so the old secret would have to be revoked before the new one exists.`,
    {
      fix: `choose one: set secretOverlapHours to 0 (the old secret is then revoked first, the only room there is, and the new one proven after), or, if nothing uses client secret ${others.map((s) => s.id).join(", ")}, remove it: ${commands}. Then run \`pulumi up\` again.`,
      details: { foreignSecretIds: others.map((s) => s.id), secretOverlapHours: hours },
    },
  );
}

/** What a rotation issued, and what it left for the caller to revoke once the new secret is proven. */
export interface Rotated {
  secret: IssuedSecret;
  /** Our secrets still on the account besides the new one (oldest first; the one that was in use last). */
  retired: number[];
  /** Ours revoked before the new one existed (the two slots were full). */
  revokedFirst: number[];
  /** The secrets besides ours that filled the other slot when ours had to go first. */
  crowdedBy: ClientSecret[];
  strangers: ClientSecret[];
}

/**
 * Issue a new secret for the account. Create first; if AM's two slots are full, revoke one of ours
 * first (a retired one before the one in use; see the header), unless `overlapHours` asks to keep
 * the one in use: then OVERLAP_IMPOSSIBLE. The rest of ours are returned as `retired` for the
 * caller to revoke once the new secret is proven. Secrets no state records are never touched; the
 * ones an interrupted run may have left come back as `strangers` for the caller to name.
 */
export async function rotateSecret(
  am: AccessManagementClient,
  accountId: number,
  owned: OwnedSecrets,
  days: number,
  what: string,
  policy: StrangerPolicy,
  options: { overlapHours?: number; proofWindow?: ProofWindow } = {},
): Promise<Rotated> {
  const account = await am.get(accountId);
  if (!account)
    throw new TridionError("ACCOUNT_GONE", `Cannot issue a client secret for ${what}: it no longer exists in Access Management.`, {
      fix: "run `pulumi refresh`, then `pulumi up`.",
    });
  const existing = account.clientSecrets ?? [];
  const listed = new Set(existing.map((s) => s.id));
  const retiring = ownedIds(owned).filter((id) => listed.has(id));
  const strangers = unusedStrangers(existing, owned, options.proofWindow);
  const revokedFirst: number[] = [];
  let crowdedBy: ClientSecret[] = [];
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
    const first = retiring[0];
    if (first === owned.secretId) {
      crowdedBy = existing.filter((s) => !retiring.includes(s.id));
      if (options.overlapHours) throw overlapImpossible(what, crowdedBy, options.overlapHours, policy);
    }
    retiring.shift();
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
    const expiry = expiryFor(days, am.serverNow());
    secret.expiresAt = (await am.setSecretExpiry(accountId, generated.id, expiry)).expiresAt ?? expiry;
  } catch (e) {
    const error = toTridionError(e) as RotationError;
    error.revokedSecretIds = revokedFirst;
    error.issued = secret; // it exists and works, with the server's own expiry
    throw error;
  }
  return { secret, retired: retiring, revokedFirst, crowdedBy, strangers };
}
