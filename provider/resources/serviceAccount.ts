// ServiceAccount: the Tridion Sites 10 way to get a deployment identity: a service account of
// your own with chosen "Services and roles" and its own client secret. Not available on 9.x (its
// Access Management lists only the predefined service accounts and cannot create others).
import * as pulumi from "@pulumi/pulumi";
import { AccessManagementClient, Account, serviceAccountBody } from "../clients/accessManagement";
import { findServiceAccount as findByName } from "../clients/accountLookup";
import { isPredefinedAccountName, type ProductVersion } from "../clients/productVersion";
import { hasCode, TridionError } from "../errors/tridionError";
import { isAmbiguousFailure } from "../http/policy";
import { InputChecker, isUnknown } from "./common";
import { identityProvider } from "./identity/identityProvider";
import { serviceAccountState, type ServiceAccountInputs } from "./identity/identityState";
import { IdentityArgs, IdentityResource } from "./identity/identityResource";
import { shims } from "./shim";

export interface ServiceAccountArgs extends IdentityArgs {
  /** The service account's name in Access Management (unique). */
  accountName: pulumi.Input<string>;
  /** Client id to give the account (default: Access Management generates one). Changing it replaces the account. */
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

const ON_9X =
  "Tridion Sites 9.5/9.6 cannot create service accounts (they exist from 10.0). Fix: use ClientCredentialUser instead: a user with client credentials and the roles you need (for uploads: Tridion.AddonService.Administrator) acts as a service account on 9.x.";

function refuseExisting(existing: Account, inputs: ServiceAccountInputs): void {
  if (isPredefinedAccountName(existing.name)) {
    throw new TridionError(
      "ACCOUNT_PREDEFINED",
      `Cannot manage the service account "${existing.name}": it is a predefined account of Access Management, whose access cannot be changed. ` +
        "Fix: choose another accountName (a new account gets the roles you need).",
    );
  }
  if (!inputs.adopt) {
    throw new TridionError(
      "ACCOUNT_EXISTS",
      `Cannot create the service account "${existing.name}": it already exists in Access Management (id ${existing.id}), and Pulumi did not create it. ` +
        "Fix: set `adopt: true` on this ServiceAccount to take it over (it keeps the account on delete and only undoes what it changed), or choose another accountName.",
    );
  }
}

export const serviceAccountProvider = identityProvider<ServiceAccountInputs>({
  kind: "serviceAccount",
  resource: "ServiceAccount",
  nameKey: "accountName",
  idKey: "serviceAccountId",
  replaceKeys: ["clientId"],
  ownKeys: ["clientId", "adopt"],
  updateKeys: ["accountName"],
  checkInputs(checker: InputChecker) {
    checker.optionalString("clientId");
    checker.optionalBoolean("adopt");
  },
  // Whether the name is taken is decided at create, not in preview: a replacement is checked as
  // if new while the account it replaces (deleted first) still exists.
  async checkServer(_am, news, checker) {
    if (isPredefinedAccountName(news.accountName)) {
      checker.fail(
        "accountName",
        `"${news.accountName}" is a predefined account of Access Management, whose access cannot be changed. Fix: choose another accountName (a new account gets the roles you need).`,
      );
    }
  },
  async establish(am, inputs, grant) {
    const existing = await findByName(am, inputs.accountName);
    if (existing) {
      refuseExisting(existing, inputs);
      const granted = grant(existing.accessControlEntry);
      const updated = await am.update(existing.id, serviceAccountBody(existing.name, existing.clientId, granted.entry));
      return { account: { ...existing, ...updated }, createdAccount: false, original: granted.original };
    }
    const granted = grant(undefined);
    const clientId = typeof inputs.clientId === "string" && !isUnknown(inputs.clientId) ? inputs.clientId : undefined;
    const account = await createOrFindLanded(am, serviceAccountBody(inputs.accountName, clientId, granted.entry), inputs.accountName);
    return { account, createdAccount: true, original: granted.original };
  },
  updateBody(account: Account, news, entry) {
    return serviceAccountBody((news.accountName as string | undefined) ?? account.name, account.clientId, entry);
  },
  fromAccount: serviceAccountState,
  async versionGuard(version: ProductVersion, name: string) {
    if (version === "9") throw new TridionError("UNSUPPORTED_VERSION", `Cannot manage the service account "${name}": ${ON_9X}`);
  },
});

/**
 * POST the account. A POST is not retried blindly, so after an unclear failure (no answer, 5xx)
 * look: if the account is there now, the POST landed and it is ours. A 400 from an installation
 * whose version could not be told may be 9.x refusing service accounts: the message says so.
 */
async function createOrFindLanded(am: AccessManagementClient, body: Record<string, unknown>, accountName: string): Promise<Account> {
  try {
    return await am.create(body);
  } catch (e) {
    if (hasCode(e, "BAD_REQUEST")) {
      throw new TridionError("BAD_REQUEST", `${e.message} If this is Tridion Sites 9.5/9.6: ${ON_9X}`, { status: 400, cause: e });
    }
    if (!isAmbiguousFailure(e)) throw e;
    const landed = await findByName(am, accountName).catch(() => undefined);
    if (landed) return landed;
    throw e;
  }
}
