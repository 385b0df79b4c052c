// ClientCredentialUser: the Tridion Sites 9.5/9.6 way to get a deployment identity. A user
// (as if they had logged in) with client credentials and API roles acts as a service account.
// Works on 10.x too, where Access Management marks it deprecated (a warning says so).
import * as pulumi from "@pulumi/pulumi";
import type { Account, AccessSetting } from "../clients/accessManagement";
import type { ProductVersion } from "../clients/errors";
import { warnOnce } from "../dynamic/diagnostics";
import { shims } from "../dynamic/shim";
import { compact } from "./common";
import { IdentityArgs, IdentityResource } from "./identityClass";
import { identityProvider } from "./identityResource";

export interface ClientCredentialUserArgs extends IdentityArgs {
  /** The user's name in Access Management (unique). Changing it replaces the user. */
  userName: pulumi.Input<string>;
  displayName?: pulumi.Input<string>;
  email?: pulumi.Input<string>;
}

export class ClientCredentialUser extends IdentityResource {
  declare public readonly userName: pulumi.Output<string>;
  declare public readonly displayName: pulumi.Output<string | undefined>;
  declare public readonly email: pulumi.Output<string | undefined>;
  /** Access Management id of the user. */
  declare public readonly userId: pulumi.Output<string>;

  constructor(name: string, args: ClientCredentialUserArgs, opts?: pulumi.CustomResourceOptions) {
    super(shims.clientCredentialUser, "ClientCredentialUser", "userId", name, args, opts);
  }
}

export const clientCredentialUserProvider = identityProvider({
  kind: "user",
  resource: "ClientCredentialUser",
  nameKey: "userName",
  idKey: "userId",
  replaceKeys: ["userName"],
  updateKeys: ["displayName", "email", "roles"],
  checkInputs(checker, news) {
    checker.optionalString("displayName");
    checker.optionalString("email");
    const email = news.email;
    if (typeof email === "string" && email !== "" && !/^[^@\s]+@[^@\s]+$/.test(email)) checker.fail("email", `${JSON.stringify(email)} is not an e-mail address.`);
  },
  body(news: Record<string, unknown>, accessSettings: AccessSetting[], existing?: Account) {
    return compact({
      name: (news.userName as string) ?? existing?.name,
      displayName: (news.displayName as string | undefined) ?? existing?.displayName,
      email: (news.email as string | undefined) ?? existing?.email,
      accessSettings,
    });
  },
  fromAccount(account: Account) {
    return compact({ userName: account.name, displayName: account.displayName, email: account.email });
  },
  async versionGuard(version: ProductVersion) {
    if (version === "10") {
      await warnOnce(
        "ClientCredentialUser: client credentials on users are deprecated in Tridion Sites 10 (they still work). " +
          "Consider a ServiceAccount with the same roles instead.",
      );
    }
  },
});
