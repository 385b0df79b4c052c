// ClientCredentialUser: the Tridion Sites 9.5/9.6 way to get a deployment identity. A user who
// has signed in once (Access Management creates users at their first sign-in through an identity
// provider; its API cannot create them) gets client credentials and API roles, and then acts as a
// service account. This resource never creates or deletes the user: it adds its roles and its
// client secret, and delete takes exactly those away again. Works on 10.x too, where client
// credentials on users are deprecated (a warning says so).
import type * as pulumi from "@pulumi/pulumi";
import { IdentityArgs, IdentityResource } from "../identity/program";
import { shims } from "../shim";

export interface ClientCredentialUserArgs extends IdentityArgs {
  /** The user's name in Access Management, exactly as it is listed there (the identity provider sets it). Changing it means another user. */
  userName: pulumi.Input<string>;
  /**
   * The identity provider the user signs in with (its key, e.g. "EntraId", or its name), when
   * users of several identity providers share the name.
   */
  identityProvider?: pulumi.Input<string>;
}

export class ClientCredentialUser extends IdentityResource {
  declare public readonly userName: pulumi.Output<string>;
  declare public readonly identityProvider: pulumi.Output<string | undefined>;
  /** Access Management id of the user. */
  declare public readonly userId: pulumi.Output<number>;
  /** The key of the identity provider the user signs in with. */
  declare public readonly identityProviderKey: pulumi.Output<string>;
  /** The user's e-mail address as the identity provider gave it (read only). */
  declare public readonly email: pulumi.Output<string | undefined>;
  /** False when the user is deactivated in Access Management (its credentials then get no token). */
  declare public readonly userEnabled: pulumi.Output<boolean>;

  constructor(name: string, args: ClientCredentialUserArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      shims.clientCredentialUser,
      "ClientCredentialUser",
      { userId: undefined, identityProviderKey: undefined, email: undefined, userEnabled: undefined },
      name,
      args,
      opts,
    );
  }
}
