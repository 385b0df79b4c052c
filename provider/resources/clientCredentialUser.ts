// ClientCredentialUser: the Tridion Sites 9.5/9.6 way to get a deployment identity. A user
// (as if they had logged in) with client credentials and API roles acts as a service account.
// Works on 10.x too, where Access Management marks it deprecated (a warning says so).
import * as pulumi from "@pulumi/pulumi";
import type { Account, AccessSetting } from "../clients/accessManagement";
import type { ProductVersion } from "../clients/errors";
import { warnOnce } from "../dynamic/diagnostics";
import { shims } from "../dynamic/shim";
import { compact } from "./common";
import { identityProvider } from "./identityResource";

export interface ClientCredentialUserArgs {
  /** The user's name in Access Management (unique). Changing it replaces the user. */
  userName: pulumi.Input<string>;
  displayName?: pulumi.Input<string>;
  email?: pulumi.Input<string>;
  /** Role keys `<api>.<role>`, e.g. `Tridion.AddonService.Administrator`; one role per API. */
  roles: pulumi.Input<pulumi.Input<string>[]>;
  /** Lifetime of the client secret, 1-365 days (default 365, Access Management's maximum). */
  secretExpiresInDays?: pulumi.Input<number>;
  /** `up` rotates a secret that expires within this many days (default 30); preview shows it coming. */
  rotateBeforeDays?: pulumi.Input<number>;
  /** Change it (any string or number) to rotate the client secret now. */
  secretVersion?: pulumi.Input<string | number>;
  /** Take over a user that already exists with this name (it is kept on delete; only the roles this resource granted are undone). */
  adopt?: pulumi.Input<boolean>;
}

export class ClientCredentialUser extends pulumi.dynamic.Resource {
  declare public readonly userName: pulumi.Output<string>;
  declare public readonly displayName: pulumi.Output<string | undefined>;
  declare public readonly email: pulumi.Output<string | undefined>;
  declare public readonly roles: pulumi.Output<string[]>;
  /** Access Management id of the user. */
  declare public readonly userId: pulumi.Output<string>;
  /** The client id to request tokens with. */
  declare public readonly clientId: pulumi.Output<string>;
  /** The client secret (a Pulumi secret; Access Management shows it only once). */
  declare public readonly clientSecret: pulumi.Output<string>;
  declare public readonly secretId: pulumi.Output<string>;
  /** ISO 8601 expiry of the client secret. */
  declare public readonly secretExpiresAt: pulumi.Output<string>;
  /** "active", or after a refresh "revoked"/"expired" (the next `up` issues a new secret). */
  declare public readonly secretStatus: pulumi.Output<string>;
  /** Roles this resource granted (delete removes them from an adopted user). */
  declare public readonly grantedRoles: pulumi.Output<string[]>;
  /** Whether this resource created the user (delete removes it only then). */
  declare public readonly createdAccount: pulumi.Output<boolean>;

  constructor(name: string, args: ClientCredentialUserArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = {
      userId: undefined, clientId: undefined, clientSecret: undefined, secretId: undefined, secretExpiresAt: undefined,
      secretStatus: undefined, grantedRoles: undefined, createdAccount: undefined, originalRoles: undefined,
    };
    super(shims.clientCredentialUser, name, { ...outputs, ...args }, {
      ...opts,
      additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "clientSecret"],
    }, "tridion", "ClientCredentialUser");
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
