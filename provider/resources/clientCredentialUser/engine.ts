// ClientCredentialUser, the engine side: check, diff, create, read, update and delete over a
// user's roles and client secret (the lifecycle it shares with ServiceAccount is
// ../identity/identityProvider.ts). The class a program constructs is ./program.ts.
import { Account, User, userUpdateBody } from "../../clients/accessManagement";
import { findUser } from "../../clients/accountLookup";
import { warnOnce } from "../../clients/engineLog";
import type { ProductVersion } from "../../clients/productVersion";
import { isInputFinding, PartialFailure, TridionError } from "../../errors/tridionError";
import { renderError } from "../../errors/render";
import { isAmbiguousFailure } from "../../http/policy";
import { compact, InputChecker } from "../common";
import { sameAccess } from "../identity/accessControl";
import { identityProvider } from "../identity/identityProvider";
import { RESOURCE_WORDING } from "../identity/lookupWording";
import { userState, type ClientCredentialUserInputs } from "../identity/identityState";

function refuseDeactivated(user: User): void {
  if (user.isEnabled === false) {
    throw new TridionError(
      "USER_DEACTIVATED",
      `The user "${user.name}" (id ${user.id}) is deactivated in Access Management: its client credentials get no token.`,
      {
        fix: "activate the user in Access Management (Users > the user > Activate), or choose another userName.",
        details: { userName: user.name, userId: user.id },
      },
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
      refuseDeactivated(await findUser(am, news.userName, news.identityProvider, RESOURCE_WORDING));
    } catch (e) {
      // What findUser and refuseDeactivated find about the user these inputs name is an input
      // failure in preview (errors/codes.ts, inputFinding).
      if (!isInputFinding(e)) throw e;
      checker.fail(e.code === "USER_NOT_OF_PROVIDER" ? "identityProvider" : "userName", renderError(e));
    }
  },
  async establish(am, inputs, grant) {
    const user = await findUser(am, inputs.userName, inputs.identityProvider, RESOURCE_WORDING);
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
