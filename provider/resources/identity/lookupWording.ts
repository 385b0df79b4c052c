// How the identity resources word the fixes of an account lookup (clients/accountLookup.ts finds
// the account; the caller names its own inputs): a resource's inputs, not a command's flags.
import type { LookupWording } from "../../clients/accountLookup";

/** The wording of the ClientCredentialUser and ServiceAccount resources. */
export const RESOURCE_WORDING: LookupWording = {
  userName: "userName",
  identityProvider: "identityProvider",
  chooseProvider: (key) => `set identityProvider on this ClientCredentialUser to the one you mean (e.g. identityProvider: "${key}")`,
  again: "`pulumi up`",
  adopt: " (with adopt: true to take that account over)",
};
