// Bootstrap secrets (admin, Add-ons API): issued once, on the first start of a data dir, then
// managed like any other secret. A restart leaves the record alone (a shortened expiry stays, a
// revoked secret stays revoked) and replaces it only when the value asked for changes.
import type { Account, IssuedBootstrapSecret, SecretRecord } from "../store";
import type { BootstrapCredential } from "../types";
import { bootstrapExpiry, isExpired, maxSecretsPerAccount, newSecretRecord, secretMatches } from "./secrets";

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
  /** undefined when nothing was issued. */
  issued: IssuedBootstrapSecret | undefined;
}

function usable(clientId: string, value: string, record: SecretRecord, now: Date): BootstrapCredential {
  if (!isExpired(record, now)) return { clientId, clientSecret: value };
  return {
    clientId,
    clientSecret: value,
    note: `This bootstrap secret expired at ${record.expiresAt} (its expiry was shortened); the token endpoint refuses it.`,
  };
}

/** The value is not known to this start: JSON shows null, and reading it in code fails loudly. */
function unavailable(clientId: string, note: string): BootstrapCredential {
  const credential = { clientId, note } as BootstrapCredential;
  Object.defineProperties(credential, {
    clientSecret: {
      enumerable: false,
      get: () => {
        throw new Error(`No bootstrap client secret for ${clientId}: ${note}`);
      },
    },
    toJSON: { enumerable: false, value: () => ({ clientId, clientSecret: null, note }) },
  });
  return credential;
}

/**
 * Decides the bootstrap secret of `account` for this start. `previous` is what the state
 * remembers (undefined on the first start of a data dir); `nextId` allocates a secret id.
 */
export function settleBootstrapSecret(
  account: Account,
  previous: IssuedBootstrapSecret | undefined,
  request: BootstrapSecretRequest,
  now: Date,
  nextId: () => number,
): SettledBootstrapSecret {
  const explicit = request.explicit !== undefined;
  const value = request.explicit ?? request.derived;
  const clientId = account.clientId!;
  const fresh = (id = nextId()) => newSecretRecord(id, value, now, bootstrapExpiry);
  const issuedAs = (record: SecretRecord): IssuedBootstrapSecret => ({ issuedAt: now.toISOString(), secretId: record.id, explicit });

  if (!previous) {
    const created = fresh();
    account.secrets = [created, ...account.secrets];
    return { credential: usable(clientId, value, created, now), issued: issuedAs(created) };
  }
  const record = account.secrets.find((s) => s.id === previous.secretId);
  if (record && secretMatches(record, value)) {
    return { credential: usable(clientId, value, record, now), issued: { ...previous, explicit } };
  }
  if (record && previous.explicit && !explicit) {
    // The value was chosen at an earlier start and only its hash is stored: keep it working.
    return {
      credential: unavailable(
        clientId,
        "The bootstrap secret was set with --admin-client-secret at an earlier start and is kept; pass the same value again to print it, or another value to replace it.",
      ),
      issued: previous,
    };
  }
  if (record) {
    const replacement = fresh(record.id);
    account.secrets = account.secrets.map((s) => (s === record ? replacement : s));
    return { credential: usable(clientId, value, replacement, now), issued: issuedAs(replacement) };
  }
  if (explicit) {
    if (account.secrets.length >= maxSecretsPerAccount) {
      throw new Error(
        `Cannot issue the bootstrap secret of "${account.name}" again: the account already has ${account.secrets.length} client secrets, the maximum. Delete one through the management API first.`,
      );
    }
    const created = fresh();
    account.secrets = [created, ...account.secrets];
    return { credential: usable(clientId, value, created, now), issued: issuedAs(created) };
  }
  return {
    credential: unavailable(
      clientId,
      `The bootstrap secret of "${account.name}" was revoked in this data dir and is not re-created. ${request.reissueHint}`,
    ),
    issued: previous,
  };
}
