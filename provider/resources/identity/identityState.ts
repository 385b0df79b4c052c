// The inputs and state of the identity resources, typed, and the named mappers between Access
// Management's objects and that state (flatten: API object -> state; expand: state -> request body
// is in clients/accessManagement.ts: userUpdateBody, serviceAccountBody).
import type { ServiceAccount, User } from "../../clients/accessManagement";
import { compact } from "../common";
import type { OriginalAccess } from "./accessControl";

/** What both identity resources take besides their own inputs. */
export interface IdentityInputs {
  roles: string[];
  secretExpiresInDays?: number;
  rotateBeforeDays?: number;
  secretVersion?: string | number;
  /** Hours the previous secret stays valid after a rotation (default 0: revoked once the new one is proven). */
  secretOverlapHours?: number;
  /** Hidden: recognises what an interrupted create of this resource made (see ownership.ts). */
  ownerKey?: string;
}

export type SecretStatus = "active" | "revoked" | "expired" | "none";

/** The secret a rotation with an overlap kept: valid until `revokeAfter` (Access Management's clock). */
export interface PreviousSecret {
  secretId: number;
  expiresAt: string;
  /** ISO 8601: the first `up` from then on revokes it. */
  revokeAfter: string;
}

/** What both hold in state besides their own fields. */
export interface IdentityState extends IdentityInputs {
  clientId?: string;
  clientSecret?: string;
  secretId?: number;
  secretExpiresAt?: string;
  secretStatus?: SecretStatus;
  grantedRoles?: string[];
  originalAccess?: OriginalAccess;
  /** Every API the account held, as this resource last wrote or read it (see originalFromSeen). */
  accessSeen?: OriginalAccess;
  pendingRevocations?: number[];
  /** The secret before the last rotation, while its overlap lasts. */
  previousSecret?: PreviousSecret;
  /** Hidden: the current secret (or a role change) is not proven yet; the next `up` proves it before revoking anything. */
  proofPending?: boolean;
}

export interface ClientCredentialUserInputs extends IdentityInputs {
  userName: string;
  identityProvider?: string;
}

export interface ClientCredentialUserState extends IdentityState, ClientCredentialUserInputs {
  userId: number;
  identityProviderKey?: string;
  email?: string;
  userEnabled?: boolean;
}

export interface ServiceAccountInputs extends IdentityInputs {
  accountName: string;
  clientId?: string;
  adopt?: boolean;
}

export interface ServiceAccountState extends IdentityState, ServiceAccountInputs {
  serviceAccountId: number;
  createdAccount: boolean;
}

/** State as the shared lifecycle handles it: the shared fields typed, the resource's own by key. */
export type IdentityProps = Partial<IdentityState> & { [key: string]: unknown };

/** A secret Access Management just generated, with the value it showed once. */
export interface IssuedSecret {
  id: number;
  value: string;
  expiresAt: string;
  clientId: string;
}

/** flatten: a new secret of ours as state. */
export function issuedSecretState(
  secret: IssuedSecret,
): Required<Pick<IdentityState, "clientId" | "clientSecret" | "secretId" | "secretExpiresAt" | "secretStatus">> {
  return {
    clientId: secret.clientId,
    clientSecret: secret.value,
    secretId: secret.id,
    secretExpiresAt: secret.expiresAt,
    secretStatus: "active",
  };
}

/** flatten: what a user's own fields say (the identity provider owns them; nothing here is written back). */
export function userState(user: User): Partial<ClientCredentialUserState> {
  return compact({
    userName: user.name,
    identityProviderKey: user.identityProviderKey,
    email: user.email ?? undefined,
    userEnabled: user.isEnabled !== false,
  } satisfies Partial<ClientCredentialUserState>);
}

/** flatten: a service account's own fields. */
export function serviceAccountState(account: ServiceAccount): Partial<ServiceAccountState> {
  return compact({ accountName: account.name, clientId: account.clientId ?? undefined } satisfies Partial<ServiceAccountState>);
}
