// ServiceAccount: the Tridion Sites 10 way to get a deployment identity: a custom service
// account with chosen "Services and roles" and its own client secret. Not available on 9.x.
import * as pulumi from "@pulumi/pulumi";
import type { Account, AccessSetting } from "../clients/accessManagement";
import { ProductVersion, TridionError } from "../clients/errors";
import { shims } from "../dynamic/shim";
import { compact, isUnknown } from "./common";
import { IdentityArgs, IdentityResource } from "./identityClass";
import { identityProvider } from "./identityResource";

export interface ServiceAccountArgs extends IdentityArgs {
  /** The service account's name in Access Management (unique). */
  accountName: pulumi.Input<string>;
  /** Client id to give the account (default: Access Management generates a GUID). Changing it replaces the account. */
  clientId?: pulumi.Input<string>;
  description?: pulumi.Input<string>;
}

export class ServiceAccount extends IdentityResource {
  declare public readonly accountName: pulumi.Output<string>;
  declare public readonly description: pulumi.Output<string | undefined>;
  /** Access Management id of the service account. */
  declare public readonly serviceAccountId: pulumi.Output<string>;

  constructor(name: string, args: ServiceAccountArgs, opts?: pulumi.CustomResourceOptions) {
    super(shims.serviceAccount, "ServiceAccount", "serviceAccountId", name, args, opts);
  }
}

export const serviceAccountProvider = identityProvider({
  kind: "serviceAccount",
  resource: "ServiceAccount",
  nameKey: "accountName",
  idKey: "serviceAccountId",
  replaceKeys: ["clientId"],
  updateKeys: ["accountName", "description", "roles"],
  checkInputs(checker) {
    checker.optionalString("clientId");
    checker.optionalString("description");
  },
  body(news: Record<string, unknown>, accessSettings: AccessSetting[], existing?: Account) {
    const clientId = news.clientId;
    return compact({
      name: (news.accountName as string) ?? existing?.name,
      clientId: typeof clientId === "string" && !isUnknown(clientId) ? clientId : existing?.clientId,
      description: (news.description as string | undefined) ?? existing?.description,
      accessSettings,
    });
  },
  fromAccount(account: Account) {
    return compact({ accountName: account.name, description: account.description, clientId: account.clientId });
  },
  async versionGuard(version: ProductVersion, name: string) {
    if (version === "9") {
      throw new TridionError(
        `Cannot manage the service account "${name}": Tridion Sites 9.5/9.6 does not let you create service accounts (they exist from 10.0). ` +
          `Fix: use ClientCredentialUser instead: a user with client credentials and the roles you need (for uploads: Tridion.AddonService.Administrator) acts as a service account on 9.x.`,
      );
    }
  },
});
