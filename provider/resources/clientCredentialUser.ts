// ClientCredentialUser: the Tridion Sites 9.5/9.6 way to get a deployment identity. A user who
// has signed in once (Access Management creates users at their first sign-in through an identity
// provider; its API cannot create them) gets client credentials and API roles, and then acts as a
// service account. This resource never creates or deletes the user: it adds its roles and its
// client secret, and delete takes exactly those away again. Works on 10.x too, where client
// credentials on users are deprecated (a warning says so).
import * as pulumi from "@pulumi/pulumi";
import { Account, User, userUpdateBody } from "../clients/accessManagement";
import { findUser } from "../clients/accountLookup";
import { warnOnce } from "../clients/engineLog";
import type { ProductVersion } from "../clients/productVersion";
import { hasCode, PartialFailure, TridionError } from "../errors/tridionError";
import { isAmbiguousFailure } from "../http/policy";
import { compact, InputChecker } from "./common";
import { sameAccess } from "./identity/accessControl";
import { identityProvider } from "./identity/identityProvider";
import { userState, type ClientCredentialUserInputs } from "./identity/identityState";
import { IdentityArgs, IdentityResource } from "./identity/identityResource";
import { shims } from "./shim";

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

/** What findUser and refuseDeactivated report about the user these inputs name (preview shows them as input failures). */
const USER_FINDINGS = ["USER_AMBIGUOUS", "USER_NOT_OF_PROVIDER", "NAME_DIFFERS_IN_CASE", "USER_NOT_SIGNED_IN", "USER_DEACTIVATED"] as const;

function refuseDeactivated(user: User): void {
  if (user.isEnabled === false) {
    throw new TridionError(
      "USER_DEACTIVATED",
      `The user "${user.name}" (id ${user.id}) is deactivated in Access Management: its client credentials get no token. ` +
        "Fix: activate the user in Access Management (Users > the user > Activate), or choose another userName.",
    );
  }
}

export const clientCredentialUserProvider = identityProvider<ClientCredentialUserInputs>({
  kind: "user",
  resource: "ClientCredentialUser",
  nameKey: "userName",
  idKey: "userId",
  replaceKeys: ["userName", "identityProvider"],
  ownKeys: ["identityProvider"],
  updateKeys: [],
  checkInputs(checker: InputChecker) {
    checker.optionalString("identityProvider");
  },
  async checkServer(am, news, checker, isNew) {
    if (!isNew) return;
    try {
      refuseDeactivated(await findUser(am, news.userName, news.identityProvider));
    } catch (e) {
      if (!hasCode(e, ...USER_FINDINGS)) throw e;
      checker.fail(e.code === "USER_NOT_OF_PROVIDER" ? "identityProvider" : "userName", e.message);
    }
  },
  async establish(am, inputs, grant) {
    const user = await findUser(am, inputs.userName, inputs.identityProvider);
    refuseDeactivated(user);
    const granted = grant(user.accessControlEntry);
    if (sameAccess(user.accessControlEntry, granted.entry)) return { account: user, createdAccount: false, original: granted.original };
    try {
      const updated = (await am.update(user.id, userUpdateBody(user, granted.entry))) as User;
      return { account: { ...user, ...updated }, createdAccount: false, original: granted.original };
    } catch (e) {
      // The roles may have changed: keep what they were before, so delete can put them back.
      if (!isAmbiguousFailure(e)) throw e;
      throw new PartialFailure(
        e,
        String(user.id),
        compact({ ...inputs, ...userState(user), userId: user.id, originalAccess: granted.original, secretStatus: "none" }),
      );
    }
  },
  updateBody(account: Account, _news, entry) {
    refuseDeactivated(account as User);
    return userUpdateBody(account as User, entry);
  },
  fromAccount: (account: Account) => userState(account as User),
  async versionGuard(version: ProductVersion) {
    if (version === "10") {
      await warnOnce(
        "ClientCredentialUser: client credentials on users are deprecated in Tridion Sites 10 (they still work). " +
          "Consider a ServiceAccount with the same roles instead.",
      );
    }
  },
});
