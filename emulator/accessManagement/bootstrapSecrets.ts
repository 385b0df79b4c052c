// Bootstrap secrets (admin, Add-ons API): issued once, on the first start of a data dir, then
// managed like any other secret. A restart leaves the record alone (a shortened expiry stays, a
// revoked secret stays revoked) and replaces it only when the value asked for changes.
import type { Account, IssuedBootstrapSecret, SecretRecord } from "../store";
import type { BootstrapCredential } from "../types";
import { isExpired, maxSecretsPerAccount, newSecretRecord, secretMatches } from "./secrets";

export interface BootstrapSecretRequest {
  /** A value chosen by the caller (--admin-client-secret): replaces or re-issues the secret. */
  explicit?: string;
  /** The value derived from the signing key, used when there is no explicit one. */
  derived: string;
  /** How to get a secret again once this one is revoked (for the note). */
  reissueHint: string;
}

export interface SettledBootstrapSecret {
  credential: BootstrapCredential;
  /** undefined when nothing was issued (first start never reaches that). */
  issued: IssuedBootstrapSecret | undefined;
}

const recordDescription = "bootstrap secret (printed by the emulator at start)";

export const bootstrapSecretId = (account: Account) => `bootstrap-${account.id}`;

function usable(clientId: string, value: string, record: SecretRecord, now: Date): BootstrapCredential {
  if (!isExpired(record, now)) return { clientId, clientSecret: value };
  return { clientId, clientSecret: value, note: `This bootstrap secret expired at ${record.expiresAt} (its expiry was shortened); the token endpoint refuses it.` };
}

/** The value is not known to this start: JSON shows null, and reading it in code fails loudly. */
function unavailable(clientId: string, note: string): BootstrapCredential {
  const credential = { clientId, note } as BootstrapCredential;
  Object.defineProperties(credential, {
    clientSecret: { enumerable: false, get: () => { throw new Error(`No bootstrap client secret for ${clientId}: ${note}`); } },
    toJSON: { enumerable: false, value: () => ({ clientId, clientSecret: null, note }) },
  });
  return credential;
}

/**
 * Decides the bootstrap secret of `account` for this start. `previous` is what the state
 * remembers; `firstStart` is true when the data dir was just created.
 */
export function settleBootstrapSecret(
  account: Account,
  previous: IssuedBootstrapSecret | undefined,
  firstStart: boolean,
  request: BootstrapSecretRequest,
  now: Date,
): SettledBootstrapSecret {
  const explicit = request.explicit !== undefined;
  const value = request.explicit ?? request.derived;
  const id = bootstrapSecretId(account);
  const record = account.secrets.find((s) => s.id === id);
  const issued = { issuedAt: now.toISOString(), explicit };
  const fresh = () => ({ ...newSecretRecord(value, now, null, recordDescription), id });

  // Data dirs from before `issuedSecrets` re-created the record on every start, so it was issued
  // there (a missing record means it was revoked during the last run).
  const remembered = previous ?? (firstStart ? undefined : { issuedAt: record?.createdAt ?? now.toISOString(), explicit: false });

  if (!remembered) {
    const created = fresh();
    account.secrets = [created, ...account.secrets];
    return { credential: usable(account.clientId, value, created, now), issued };
  }
  if (record && secretMatches(record, value)) {
    return { credential: usable(account.clientId, value, record, now), issued: { ...remembered, explicit } };
  }
  if (record && remembered.explicit && !explicit) {
    // The value was chosen at an earlier start and only its hash is stored: keep it working.
    return {
      credential: unavailable(account.clientId, "The bootstrap secret was set with --admin-client-secret at an earlier start and is kept; pass the same value again to print it, or another value to replace it."),
      issued: remembered,
    };
  }
  if (record) {
    const replacement = fresh();
    account.secrets = account.secrets.map((s) => (s === record ? replacement : s));
    return { credential: usable(account.clientId, value, replacement, now), issued };
  }
  if (explicit) {
    if (account.secrets.length >= maxSecretsPerAccount) {
      throw new Error(`Cannot issue the bootstrap secret of "${account.name}" again: the account already has ${account.secrets.length} client secrets, the maximum. Delete one through the management API first.`);
    }
    const created = fresh();
    account.secrets = [created, ...account.secrets];
    return { credential: usable(account.clientId, value, created, now), issued };
  }
  return {
    credential: unavailable(account.clientId, `The bootstrap secret of "${account.name}" was revoked in this data dir and is not re-created. ${request.reissueHint}`),
    issued: remembered,
  };
}
