// ServiceAccount, the engine side: check, diff, create, read, update and delete over a Tridion
// Sites 10 service account, its roles and client secret (the lifecycle it shares with
// ClientCredentialUser is ../identity/identityProvider.ts). The class a program constructs is
// ./program.ts.
import { AccessManagementClient, Account, serviceAccountBody } from "../../clients/accessManagement";
import { findServiceAccount as findByName } from "../../clients/accountLookup";
import { isPredefinedAccountName, type ProductVersion } from "../../clients/productVersion";
import { hasCode, TridionError } from "../../errors/tridionError";
import { isAmbiguousFailure } from "../../http/policy";
import { getSession } from "../../clients/session";
import { InputChecker, isUnknown, withDefault } from "../common";
import { DEFAULT_SECRET_DAYS, type ProofWindow, revokeSecrets, usedOnlyByProof } from "../identity/clientSecrets";
import { RESOURCE_WORDING } from "../identity/lookupWording";
import { identityProvider } from "../identity/identityProvider";
import { ownedClientId, ownerKeyOf } from "../ownership";
import { serviceAccountState, type ServiceAccountInputs } from "../identity/identityState";

const ON_9X = "Tridion Sites 9.5/9.6 cannot create service accounts (they exist from 10.0).";
const ON_9X_FIX =
  "use ClientCredentialUser instead: a user with client credentials and the roles you need (for uploads: Tridion.AddonService.Administrator) acts as a service account on 9.x.";

function refuseExisting(existing: Account, inputs: ServiceAccountInputs, chosenClientId: string | undefined): void {
  if (isPredefinedAccountName(existing.name)) {
    throw new TridionError(
      "ACCOUNT_PREDEFINED",
      `Cannot manage the service account "${existing.name}": it is a predefined account of Access Management, whose access cannot be changed.`,
      { fix: "choose another accountName (a new account gets the roles you need).", details: { accountName: existing.name } },
    );
  }
  if (!inputs.adopt) {
    // With a client id of the program's choosing, an account an interrupted `up` made looks like anyone's.
    const maybeOurs =
      chosenClientId !== undefined && existing.clientId === chosenClientId
        ? ` If an interrupted \`pulumi up\` of this stack created it (a client id chosen in the program leaves no mark to tell), delete it and run \`pulumi up\` again: \`npx pulumi-tridion delete-service-account --name "${existing.name}" --id ${existing.id}\`.`
        : "";
    throw new TridionError(
      "ACCOUNT_EXISTS",
      `Cannot create the service account "${existing.name}": it already exists in Access Management (id ${existing.id}, client id ${existing.clientId ?? "?"}), and this resource did not create it: another stack or a person owns it.`,
      {
        fix: `set \`adopt: true\` on this ServiceAccount to take it over (it keeps the account on delete and only undoes what it changed), or choose another accountName.${maybeOurs}`,
        details: { accountName: existing.name, accountId: existing.id },
      },
    );
  }
}

/**
 * The ownership key is the same for stacks of one organization, project and stack name (on file
 * backends every organization is "organization"): an account with the key whose secret signed
 * in is such a stack's, never what an interrupted create left (its secrets' values were lost),
 * unless its only sign-in was the proof of that create, right after the secret was issued.
 */
function refuseUsed(existing: Account, window: ProofWindow): void {
  const used = (existing.clientSecrets ?? []).filter((s) => s.lastLoginAt && !usedOnlyByProof(s, window));
  if (used.length === 0) return;
  throw new TridionError(
    "ACCOUNT_EXISTS",
    `Cannot create the service account "${existing.name}": it already exists in Access Management (id ${existing.id}) with the client id this resource derives, but its client secret ${used.map((s) => `${s.id} signed in at ${s.lastLoginAt}`).join(", ")}, so no interrupted run of this stack left it: another stack with the same project and stack name (another backend) owns it.`,
    {
      fix: "give this stack another name, choose another accountName, or set `adopt: true` on this ServiceAccount to take it over.",
      details: { accountName: existing.name, accountId: existing.id },
    },
  );
}

/** Revoke every secret of an account this resource made (their values are lost). */
async function revokeAll(am: AccessManagementClient, account: Account): Promise<void> {
  const { error } = await revokeSecrets(
    am,
    account.id,
    (account.clientSecrets ?? []).map((s) => s.id),
  );
  if (error) throw error;
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
    const chosen = typeof inputs.clientId === "string" && !isUnknown(inputs.clientId) ? inputs.clientId : undefined;
    const key = ownerKeyOf(undefined, inputs);
    const clientId = chosen ?? (key ? ownedClientId(key) : undefined);
    const existing = await findByName(am, inputs.accountName, RESOURCE_WORDING);
    if (existing && chosen === undefined && clientId !== undefined && existing.clientId === clientId) {
      // Made by an interrupted create of this resource: finish it. Its secrets' values died with
      // that run, so they are revoked; the access becomes what the program asks. A secret that has
      // signed in was never lost: then a stack of the same name elsewhere made it.
      refuseUsed(existing, {
        days: withDefault(inputs.secretExpiresInDays, DEFAULT_SECRET_DAYS),
        verifyTimeoutMs: getSession().settings.verifyTimeoutMs,
      });
      await revokeAll(am, existing);
      const granted = grant(undefined);
      const updated = await am.update(existing.id, serviceAccountBody(existing.name, existing.clientId, granted.entry));
      return { account: { ...existing, ...updated, clientSecrets: [] }, createdAccount: true, original: granted.original };
    }
    if (existing) {
      refuseExisting(existing, inputs, chosen);
      const granted = grant(existing.accessControlEntry);
      const updated = await am.update(existing.id, serviceAccountBody(existing.name, existing.clientId, granted.entry));
      return { account: { ...existing, ...updated }, createdAccount: false, original: granted.original };
    }
    const granted = grant(undefined);
    const account = await createOrFindLanded(
      am,
      serviceAccountBody(inputs.accountName, clientId, granted.entry),
      inputs.accountName,
      clientId,
    );
    return { account, createdAccount: true, original: granted.original };
  },
  updateBody(account: Account, news, entry) {
    return serviceAccountBody((news.accountName as string | undefined) ?? account.name, account.clientId, entry);
  },
  fromAccount: serviceAccountState,
  async versionGuard(version: ProductVersion, name: string) {
    if (version === "9")
      throw new TridionError("UNSUPPORTED_VERSION", `Cannot manage the service account "${name}": ${ON_9X}`, { fix: ON_9X_FIX });
  },
});

/**
 * POST the account. A POST is not retried blindly, so after an unclear failure (no answer, 5xx)
 * look: if the account is there now, the POST landed and it is ours. A 400 from an installation
 * whose version could not be told may be 9.x refusing service accounts: the message says so.
 */
async function createOrFindLanded(
  am: AccessManagementClient,
  body: Record<string, unknown>,
  accountName: string,
  clientId: string | undefined,
): Promise<Account> {
  try {
    return await am.create(body);
  } catch (e) {
    if (hasCode(e, "BAD_REQUEST")) {
      throw new TridionError("BAD_REQUEST", `${e.message} If this is Tridion Sites 9.5/9.6: ${ON_9X}`, {
        fix: `${e.fix ? `${e.fix} ` : ""}On Tridion Sites 9.5/9.6: ${ON_9X_FIX}`,
        details: e.details,
        status: 400,
        cause: e,
      });
    }
    if (!isAmbiguousFailure(e)) throw e;
    const landed = await findByName(am, accountName, RESOURCE_WORDING).catch(() => undefined);
    if (landed && (clientId === undefined || landed.clientId === clientId)) return landed;
    if (landed) refuseExisting(landed, { accountName } as ServiceAccountInputs, undefined);
    throw e;
  }
}
