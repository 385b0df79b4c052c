// ServiceAccount: the Tridion Sites 10 way to get a deployment identity: a service account of
// your own with chosen "Services and roles" and its own client secret. Not available on 9.x (its
// Access Management lists only the predefined service accounts and cannot create others).
import type * as pulumi from "@pulumi/pulumi";
import { IdentityArgs, IdentityResource } from "../identity/program";
import { shims } from "../shim";

export interface ServiceAccountArgs extends IdentityArgs {
  /** The service account's name in Access Management (unique). */
  accountName: pulumi.Input<string>;
  /**
   * Client id to give the account. Changing it replaces the account. Default: one derived from
   * the stack and the resource name (`pulumi-<32 hex digits>`), by which an interrupted create
   * recognises the account it made; with a client id of your own, see the README (Reliability).
   */
  clientId?: pulumi.Input<string>;
  /** Take over a service account that already exists with this name (kept on delete; only what this resource did is undone). */
  adopt?: pulumi.Input<boolean>;
}

export class ServiceAccount extends IdentityResource {
  declare public readonly accountName: pulumi.Output<string>;
  /** Access Management id of the service account. */
  declare public readonly serviceAccountId: pulumi.Output<number>;
  /** Whether this resource created the account (delete removes it only then). */
  declare public readonly createdAccount: pulumi.Output<boolean>;

  constructor(name: string, args: ServiceAccountArgs, opts?: pulumi.CustomResourceOptions) {
    super(shims.serviceAccount, "ServiceAccount", { serviceAccountId: undefined, createdAccount: undefined }, name, args, opts);
  }
}
