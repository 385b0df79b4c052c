// Finding an account by the name people know it by, as Access Management lists it: a user by
// exact name (and identity provider when several share it), a service account by exact name. A
// name that differs only in letter case is an error that says so, never a match. Used by the
// identity resources and by the `pulumi-tridion` commands, which word the fix for their own
// inputs (a resource's inputs, a command's flags).
import { TridionError } from "../errors/tridionError";
import type { AccessManagementClient, Account, User } from "./accessManagement";

/** How the caller's user names what the lookup needs: a resource's inputs, or a command's flags. */
export interface LookupWording {
  /** The input naming the user, e.g. "userName" or "--user". */
  userName: string;
  /** The input naming the identity provider, e.g. "identityProvider" or "--identity-provider". */
  identityProvider: string;
  /** How to pick one identity provider, given its key. */
  chooseProvider(key: string): string;
  /** What to run again once the user has signed in. */
  again: string;
  /** How to take an existing service account over, when there is a way ("" when not). */
  adopt: string;
}

const matchesProvider = (user: User, provider: string) =>
  user.identityProviderKey?.toLowerCase() === provider.toLowerCase() ||
  user.identityProvider?.name?.toLowerCase() === provider.toLowerCase();

export const describeUser = (u: User) =>
  `id ${u.id} through ${u.identityProvider?.name ?? u.identityProviderKey} (identityProvider: "${u.identityProviderKey}")${u.email ? `, ${u.email}` : ""}`;

/**
 * The user of this name, or an error that says why there is none: never signed in (Access
 * Management creates users at sign-in, so there is nothing to create here), a name that differs
 * in case, or several users of that name through different identity providers.
 */
export async function findUser(
  am: AccessManagementClient,
  userName: string,
  provider: string | undefined,
  words: LookupWording,
): Promise<User> {
  const users = (await am.list()) as User[];
  const named = users.filter((u) => u.name === userName);
  const candidates = provider ? named.filter((u) => matchesProvider(u, provider)) : named;
  if (candidates.length === 1) return candidates[0];
  if (candidates.length > 1) {
    throw new TridionError(
      "USER_AMBIGUOUS",
      `Cannot choose the user "${userName}": ${candidates.length} users of that name have signed in to Access Management through different identity providers: ${candidates.map(describeUser).join("; ")}.`,
      { fix: `${words.chooseProvider(candidates[0].identityProviderKey)}.` },
    );
  }
  if (provider && named.length > 0) {
    throw new TridionError(
      "USER_NOT_OF_PROVIDER",
      `Cannot find the user "${userName}" signed in through the identity provider "${provider}": the users of that name signed in through ${named.map(describeUser).join("; ")}.`,
      { fix: `set ${words.identityProvider} to one of those, or leave it out.` },
    );
  }
  const nearly = users.find((u) => u.name.toLowerCase() === userName.toLowerCase());
  if (nearly) {
    throw new TridionError(
      "NAME_DIFFERS_IN_CASE",
      `Cannot find the user "${userName}": Access Management lists "${nearly.name}" (${describeUser(nearly)}), which differs only in case.`,
      { fix: `write ${words.userName} exactly as "${nearly.name}".` },
    );
  }
  throw new TridionError(
    "USER_NOT_SIGNED_IN",
    `Cannot find the user "${userName}" in Access Management: nobody of that name has signed in yet. Access Management creates a user when they first sign in through an identity provider; its API cannot create users, so neither can Pulumi.`,
    {
      fix: `sign in once as "${userName}" (e.g. open the Access Management UI, ${am.authority}/, and log in with that account of your identity provider), then run ${words.again} again; or correct ${words.userName} to a user listed under Users in Access Management.`,
    },
  );
}

/** The service account with exactly this name (undefined when none); one that differs only in case is an error, never a match. */
export async function findServiceAccount(am: AccessManagementClient, name: string, words: LookupWording): Promise<Account | undefined> {
  const all = await am.list();
  const exact = all.find((a) => a.name === name);
  if (exact) return exact;
  const nearly = all.find((a) => a.name.toLowerCase() === name.toLowerCase());
  if (nearly) {
    throw new TridionError(
      "NAME_DIFFERS_IN_CASE",
      `Cannot use the service account name "${name}": Access Management holds "${nearly.name}" (id ${nearly.id}), which differs only in case.`,
      { fix: `write the name exactly as "${nearly.name}"${words.adopt}, or choose a name that is clearly different.` },
    );
  }
  return undefined;
}
