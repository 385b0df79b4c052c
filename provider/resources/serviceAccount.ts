// ServiceAccount: the Tridion Sites 10 way to get a deployment identity: a custom service
// account with chosen "Services and roles" and its own client secret. Not available on 9.x.
import * as pulumi from "@pulumi/pulumi";
import type { Account, AccessSetting } from "../clients/accessManagement";
import { ProductVersion, TridionError } from "../clients/errors";
import { shims } from "../dynamic/shim";
import { compact, isUnknown } from "./common";
import { identityProvider } from "./identityResource";

export interface ServiceAccountArgs {
  /** The service account's name in Access Management (unique). */
  accountName: pulumi.Input<string>;
  /** Client id to give the account (default: Access Management generates a GUID). Changing it replaces the account. */
  clientId?: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  /** Role keys `<api>.<role>`, e.g. `Tridion.AddonService.Administrator`; one role per API. */
  roles: pulumi.Input<pulumi.Input<string>[]>;
  /** Lifetime of the client secret, 1-365 days (default 365). */
  secretExpiresInDays?: pulumi.Input<number>;
  /** `up` rotates a secret that expires within this many days (default 30). */
  rotateBeforeDays?: pulumi.Input<number>;
  /** Change it to rotate the client secret now. */
  secretVersion?: pulumi.Input<string | number>;
  /** Take over a service account that already exists with this name. */
  adopt?: pulumi.Input<boolean>;
}

export class ServiceAccount extends pulumi.dynamic.Resource {
  declare public readonly accountName: pulumi.Output<string>;
  declare public readonly description: pulumi.Output<string | undefined>;
  declare public readonly roles: pulumi.Output<string[]>;
  declare public readonly serviceAccountId: pulumi.Output<string>;
  declare public readonly clientId: pulumi.Output<string>;
  declare public readonly clientSecret: pulumi.Output<string>;
  declare public readonly secretId: pulumi.Output<string>;
  declare public readonly secretExpiresAt: pulumi.Output<string>;
  declare public readonly secretStatus: pulumi.Output<string>;
  declare public readonly grantedRoles: pulumi.Output<string[]>;
  declare public readonly createdAccount: pulumi.Output<boolean>;

  constructor(name: string, args: ServiceAccountArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = {
      serviceAccountId: undefined, clientId: undefined, clientSecret: undefined, secretId: undefined, secretExpiresAt: undefined,
      secretStatus: undefined, grantedRoles: undefined, createdAccount: undefined, originalRoles: undefined,
    };
    super(shims.serviceAccount, name, { ...outputs, ...args }, {
      ...opts,
      additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "clientSecret"],
    }, "tridion", "ServiceAccount");
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
