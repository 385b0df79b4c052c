// Users: listed once they have signed in through an identity provider (there is no POST: Access
// Management creates users at first sign-in). An administrator changes their access (PUT takes
// the whole object), activates or deactivates them, or deletes them (they come back at the next
// sign-in).
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Account } from "../store";
import { parseAccessEntry } from "./accounts";
import { invalid, notFound } from "./errors";
import { intParam, type ManagementRoutes } from "./managementRoutes";
import { requestBodySchema } from "./schemas";
import { userView } from "./views";

interface UserBody {
  name: string;
  email?: string | null;
  language?: string | null;
  region?: string | null;
  subject: string;
  identityProvider: { id?: number };
  identityProviderKey: string;
  isEnabled?: boolean;
  accessControlEntry?: Parameters<typeof parseAccessEntry>[1];
}

export function findUser(m: ManagementRoutes, request: FastifyRequest, param = "id"): Account {
  const id = intParam(request, param);
  const account = m.store.data.accounts.find((a) => a.kind === "user" && a.id === id);
  if (!account) throw notFound("The user", id, `Users appear once they have signed in; list them with GET ${m.routes.users}.`);
  return account;
}

export function registerUserRoutes(app: FastifyInstance, m: ManagementRoutes) {
  const { store, catalog } = m;
  const view = (account: Account) => userView(catalog, account);

  app.get(m.path("users"), async (request) => {
    await m.admin(request);
    return store.data.accounts.filter((a) => a.kind === "user").map(view);
  });

  app.get(m.path("user"), async (request) => {
    await m.admin(request);
    return view(findUser(m, request));
  });

  app.put(m.path("user"), { schema: { body: requestBodySchema("User") } }, async (request) => {
    await m.admin(request);
    const account = findUser(m, request);
    const user = account.user!;
    const body = request.body as UserBody;
    // What the identity provider owns is read only on update.
    const unchanged: Array<[string, unknown, unknown]> = [
      ["subject", body.subject, user.subject],
      ["identityProviderKey", body.identityProviderKey, user.identityProviderKey],
      ["identityProvider.id", body.identityProvider?.id, user.identityProviderId],
    ];
    for (const [field, sent, held] of unchanged) {
      if (sent !== held)
        throw invalid(
          field,
          `${field} comes from the identity provider and cannot change (it is ${JSON.stringify(held)}); send it as GET returns it.`,
          "ReadOnlyOnUpdate",
        );
    }
    const access = parseAccessEntry(catalog, body.accessControlEntry);
    account.name = body.name;
    user.email = body.email ?? null;
    user.language = body.language ?? null;
    user.region = body.region ?? null;
    user.isEnabled = body.isEnabled ?? true;
    m.propagation.accessChanging(account, account.access);
    account.access = access;
    m.touched(account);
    return view(account);
  });

  app.delete(m.path("user"), async (request, reply) => {
    await m.admin(request);
    const account = findUser(m, request);
    store.data.accounts = store.data.accounts.filter((a) => a !== account);
    store.save();
    return reply.code(204).send();
  });

  for (const [key, enabled] of [
    ["userActivate", true],
    ["userDeactivate", false],
  ] as const) {
    app.put(m.path(key), async (request, reply) => {
      await m.admin(request);
      const account = findUser(m, request);
      account.user!.isEnabled = enabled;
      m.touched(account);
      return reply.code(200).send();
    });
  }
}
