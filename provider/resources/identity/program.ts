// The resource-class half shared by ClientCredentialUser and ServiceAccount: the inputs for roles
// and the client secret's lifecycle, and the outputs both expose.
import * as pulumi from "@pulumi/pulumi";
import { deleteFirst } from "../resourceOptions";
import { ownerKeyFor } from "../ownership";

export interface IdentityArgs {
  /** Role keys `<api>.<role>`, e.g. `Tridion.AddonService.Administrator`; one role per API. */
  roles: pulumi.Input<pulumi.Input<string>[]>;
  /** Lifetime of the client secret, 1-365 days (default 365, Access Management's maximum). */
  secretExpiresInDays?: pulumi.Input<number>;
  /** `up` rotates a secret that expires within this many days (default 30); preview shows it coming. */
  rotateBeforeDays?: pulumi.Input<number>;
  /** Change it (any string or number) to rotate the client secret now. */
  secretVersion?: pulumi.Input<string | number>;
  /**
   * Hours the previous client secret stays valid after a rotation, for consumers outside the
   * stack (default 0: it is revoked as soon as a token with the new one holds the roles). The
   * first `up` after `previousSecret.revokeAfter` revokes it.
   */
  secretOverlapHours?: pulumi.Input<number>;
}

/** The client secret before the last rotation, while its overlap lasts. */
export interface PreviousSecretOutput {
  secretId: number;
  expiresAt: string;
  /** ISO 8601, on Access Management's clock: the first `up` from then on revokes it. */
  revokeAfter: string;
}

export abstract class IdentityResource extends pulumi.dynamic.Resource {
  declare public readonly roles: pulumi.Output<string[]>;
  /** The client id to request tokens with. */
  declare public readonly clientId: pulumi.Output<string>;
  /** The client secret (a Pulumi secret; Access Management shows it only once). */
  declare public readonly clientSecret: pulumi.Output<string>;
  /** Access Management id of the client secret in use. */
  declare public readonly secretId: pulumi.Output<number>;
  /** ISO 8601 expiry of the client secret. */
  declare public readonly secretExpiresAt: pulumi.Output<string>;
  /** "active", or after a refresh "revoked"/"expired" (the next `up` issues a new secret). */
  declare public readonly secretStatus: pulumi.Output<string>;
  /** Roles this resource granted (delete takes them away again; roles the account held before stay). */
  declare public readonly grantedRoles: pulumi.Output<string[]>;
  /** Ids of older secrets of ours not revoked yet (a revoke failed); the next `up` revokes them. */
  declare public readonly pendingRevocations: pulumi.Output<number[] | undefined>;
  /** The client secret before the last rotation, valid until `revokeAfter` (secretOverlapHours); absent otherwise. */
  declare public readonly previousSecret: pulumi.Output<PreviousSecretOutput | undefined>;

  /** `ownOutputs`: the outputs of the concrete resource, each `undefined` (the engine fills them). */
  protected constructor(
    provider: pulumi.dynamic.ResourceProvider,
    type: string,
    ownOutputs: Record<string, undefined>,
    name: string,
    args: object,
    opts?: pulumi.CustomResourceOptions,
  ) {
    const outputs = {
      ...ownOutputs,
      clientId: undefined,
      clientSecret: undefined,
      secretId: undefined,
      secretExpiresAt: undefined,
      secretStatus: undefined,
      grantedRoles: undefined,
      originalAccess: undefined,
      pendingRevocations: undefined,
      previousSecret: undefined,
    };
    // The server generates the secret, so no secret input marks it: ask the engine to.
    const secretOutputs = { additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "clientSecret"] };
    const ownerKey = ownerKeyFor(`tridion:${type}`, name, opts);
    super(
      provider,
      name,
      { ...outputs, ...args, ownerKey },
      { ...opts, ...secretOutputs, deleteBeforeReplace: deleteFirst(opts) },
      "tridion",
      type,
    );
  }
}
