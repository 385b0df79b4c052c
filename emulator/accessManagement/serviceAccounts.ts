// Service accounts: listed on every version (the predefined ones exist on 9.x too), created,
// changed and deleted only from Tridion Sites 10. The predefined accounts cannot be changed.
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Account } from "../store";
import { expandRoute } from "../routes";
import { newServiceAccount, parseAccessEntry } from "./accounts";
import { invalid, notFound } from "./errors";
import { intParam, type ManagementRoutes } from "./managementRoutes";
import { requestBodySchema } from "./schemas";
import { serviceAccountView } from "./views";

interface ServiceAccountBody {
  name: string;
  clientId?: string | null;
  accessControlEntry?: Parameters<typeof parseAccessEntry>[1];
}

export function findServiceAccount(m: ManagementRoutes, request: FastifyRequest, param = "id"): Account {
  const id = intParam(request, param);
  const account = m.store.data.accounts.find((a) => a.kind === "serviceAccount" && a.id === id);
  if (!account) throw notFound("The service account", id, `List them with GET ${m.routes.serviceAccounts}.`);
  return account;
}

export function registerServiceAccountRoutes(app: FastifyInstance, m: ManagementRoutes) {
  const { store, catalog } = m;
  const view = (account: Account) => serviceAccountView(catalog, account);
  const serviceAccounts = () => store.data.accounts.filter((a) => a.kind === "serviceAccount");

  const refuseBefore10 = (action: string) => {
    if (m.productVersion === "9.6") {
      throw invalid(
        null,
        `Service accounts cannot be ${action} in this version of Access Management (Tridion Sites 9.6); only the predefined ones exist. Add client credentials to a user and give that user the roles it needs instead.`,
        "NotSupported",
      );
    }
  };
  const refusePredefined = (account: Account, action: string) => {
    if (account.predefined) {
      throw invalid(
        null,
        `"${account.name}" is a predefined service account and cannot be ${action}. Create a service account of your own with the roles you need.`,
        "PredefinedAccount",
      );
    }
  };
  const refuseTakenName = (name: string, except?: Account) => {
    const other = serviceAccounts().find((a) => a !== except && a.name === name);
    if (other)
      throw invalid("name", `A service account named "${name}" already exists (ID ${other.id}). Choose another name.`, "DuplicateName");
  };

  app.get(m.path("serviceAccounts"), async (request) => {
    await m.admin(request);
    return serviceAccounts().map(view);
  });

  app.get(m.path("serviceAccount"), async (request) => {
    await m.admin(request);
    return view(findServiceAccount(m, request));
  });

  app.post(m.path("serviceAccounts"), { schema: { body: requestBodySchema("ServiceAccount") } }, async (request, reply) => {
    await m.admin(request);
    refuseBefore10("created");
    const body = request.body as ServiceAccountBody;
    refuseTakenName(body.name);
    const clientId = body.clientId ?? randomUUID();
    if (!clientId.trim()) throw invalid("clientId", '"clientId" must not be empty; omit it to get a generated one.');
    const holder = store.data.accounts.find((a) => a.clientId === clientId);
    if (holder)
      throw invalid(
        "clientId",
        `The client ID ${clientId} is already used by ${holder.kind === "user" ? "a user" : "the service account"} "${holder.name}". Choose another, or omit it to get a generated one.`,
        "DuplicateClientId",
      );
    const account = newServiceAccount(store, body.name, clientId, parseAccessEntry(catalog, body.accessControlEntry), m.clock.now());
    store.data.accounts.push(account);
    store.save();
    return reply
      .code(201)
      .header("Location", m.authority() + expandRoute(m.routes.serviceAccount, { id: account.id }))
      .send(view(account));
  });

  app.put(m.path("serviceAccount"), { schema: { body: requestBodySchema("ServiceAccount") } }, async (request) => {
    await m.admin(request);
    const account = findServiceAccount(m, request);
    refusePredefined(account, "changed");
    const body = request.body as ServiceAccountBody;
    refuseTakenName(body.name, account);
    if (body.clientId !== undefined && body.clientId !== null && body.clientId !== account.clientId) {
      throw invalid(
        "clientId",
        `The client ID of a service account cannot change (it is ${account.clientId}). Send it unchanged, or create a new service account.`,
        "ReadOnlyOnUpdate",
      );
    }
    const access = parseAccessEntry(catalog, body.accessControlEntry);
    m.propagation.accessChanging(account, account.access);
    account.access = access;
    account.name = body.name;
    m.touched(account);
    return view(account);
  });

  app.delete(m.path("serviceAccount"), async (request, reply) => {
    await m.admin(request);
    const account = findServiceAccount(m, request);
    refusePredefined(account, "deleted");
    store.data.accounts = store.data.accounts.filter((a) => a !== account);
    store.save();
    return reply.code(204).send();
  });
}
