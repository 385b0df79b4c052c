// The AM management API of the contract (§2.1): users, service accounts (10.x), client secrets,
// api-resources. Every route needs Tridion.AccessManagement.Administrator.
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Clock } from "../clock";
import { Problem } from "../problem";
import type { RouteProfile } from "../routes";
import { toFastifyPath } from "../routes";
import type { Account, AccountKind, Store } from "../store";
import type { ProductVersion } from "../types";
import {
  AccessManagementApi, accountView, apiResourcesView, newAccount, parseAccessSettings,
} from "./accounts";
import {
  dayMs, expiryToleranceMs, generateSecretValue, isExpired, maxExpiryDays, maxSecretsPerAccount,
  minExpiryDays, newSecretRecord, secretView,
} from "./secrets";
import type { Caller } from "./bearer";
import { amPrefix } from "./tokens";

export interface ManagementContext {
  store: Store;
  clock: Clock;
  productVersion: ProductVersion;
  routes: RouteProfile;
  authenticate: (request: FastifyRequest, audience: string, roles: string[]) => Promise<Caller>;
}

type Body = Record<string, unknown>;

const kindLabel: Record<AccountKind, string> = { user: "user", serviceAccount: "service account" };

function bodyOf(request: FastifyRequest): Body {
  const body = request.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== "object" || Array.isArray(body)) throw new Problem(400, "The request body must be a JSON object.");
  return body as Body;
}

function optionalString(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new Problem(400, `"${field}" must be a string.`);
  return value;
}

function requiredName(body: Body): string {
  const name = body.name;
  if (typeof name !== "string" || !name.trim()) throw new Problem(400, '"name" is required: a non-empty string.');
  if (name.length > 255) throw new Problem(400, '"name" is longer than 255 characters; shorten it.');
  return name;
}

/** RFC 3339 (the ISO 8601 profile JSON APIs use): date, time with seconds, and a time zone. */
const isoDateTime = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;

function isRealDateTime(match: RegExpExecArray): boolean {
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetOk = match[8] === "Z" || (Number(match[9]) <= 23 && Number(match[10]) <= 59);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59 && offsetOk;
}

function parseExpiry(value: unknown, field = "expiresAt"): Date {
  const match = typeof value === "string" ? isoDateTime.exec(value) : null;
  if (!match || !isRealDateTime(match)) {
    throw new Problem(400, `"${field}" must be an ISO 8601 date-time with seconds and a time zone, YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM), e.g. "2030-01-31T00:00:00Z"; got ${JSON.stringify(value)}.`);
  }
  return new Date(Date.parse(value as string));
}

export function registerManagementRoutes(app: FastifyInstance, ctx: ManagementContext) {
  const { store, clock, routes } = ctx;
  const admin = (request: FastifyRequest) =>
    ctx.authenticate(request, AccessManagementApi, [`${AccessManagementApi}.Administrator`]);
  const path = (template: string) => amPrefix + toFastifyPath(template);

  const accountsOf = (kind: AccountKind) => store.data.accounts.filter((a) => a.kind === kind);
  const find = (kind: AccountKind, id: string): Account => {
    const account = store.data.accounts.find((a) => a.kind === kind && a.id === id);
    if (!account) throw new Problem(404, `No ${kindLabel[kind]} with id ${id}. List them with GET ${kind === "user" ? routes.users : routes.serviceAccounts}.`);
    return account;
  };
  const ensureServiceAccountsExist = () => {
    if (ctx.productVersion === "9.6") {
      throw new Problem(404, "Service accounts are not available before Tridion Sites 10.0 (this is 9.6). In 9.x, add client credentials to a user and give that user the role you need (e.g. Add-ons API Administrator): the user then acts as a service account.");
    }
  };
  const ensureClientIdFree = (clientId: string, except?: Account) => {
    const other = store.data.accounts.find((a) => a.clientId === clientId && a !== except);
    if (other) throw new Problem(409, `Client id ${clientId} is already used by ${kindLabel[other.kind]} "${other.name}". Choose another clientId or omit it to get a generated one.`);
  };
  const refusePredefined = (account: Account, action: string) => {
    if (account.predefined) {
      throw new Problem(403, `"${account.name}" is a predefined service account: its access settings cannot be ${action}. Create your own ${ctx.productVersion === "9.6" ? "user with client credentials" : "service account"} with the roles you need instead.`);
    }
  };

  app.get(path(routes.apiResources), async (request) => {
    await admin(request);
    return apiResourcesView();
  });

  // ---- users ----
  app.get(path(routes.users), async (request) => {
    await admin(request);
    const { name } = request.query as { name?: string };
    return accountsOf("user").filter((a) => name === undefined || a.name === name).map(accountView);
  });

  app.post(path(routes.users), async (request, reply) => {
    await admin(request);
    const body = bodyOf(request);
    const name = requiredName(body);
    const displayName = optionalString(body, "displayName");
    const email = optionalString(body, "email");
    const accessSettings = parseAccessSettings(body.accessSettings);
    const existing = accountsOf("user").find((a) => a.name === name);
    if (existing && existing.origin !== "identityProvider") {
      throw new Problem(409, `A user named "${name}" already exists (id ${existing.id}). Update it with PUT ${routes.user.replace("{id}", existing.id)} instead of creating it again.`, { existingId: existing.id });
    }
    if (existing) {
      // Adoption: the user logged in through an identity provider; the API now manages it.
      existing.origin = "api";
      if (displayName !== undefined) existing.displayName = displayName;
      if (email !== undefined) existing.email = email;
      existing.accessSettings = accessSettings;
      store.save();
      return reply.code(200).send(accountView(existing));
    }
    const account = newAccount(
      { kind: "user", name, displayName: displayName ?? name, ...(email !== undefined ? { email } : {}), clientId: randomUUID(), accessSettings, predefined: false, origin: "api" },
      clock.now(),
    );
    store.data.accounts.push(account);
    store.save();
    return reply.code(201).send(accountView(account));
  });

  app.get(path(routes.user), async (request) => {
    await admin(request);
    return accountView(find("user", (request.params as { id: string }).id));
  });

  app.put(path(routes.user), async (request) => {
    await admin(request);
    const account = find("user", (request.params as { id: string }).id);
    const body = bodyOf(request);
    const name = requiredName(body);
    if (accountsOf("user").some((a) => a !== account && a.name === name)) {
      throw new Problem(409, `Another user is already named "${name}". Choose another name.`);
    }
    const displayName = optionalString(body, "displayName");
    const email = optionalString(body, "email");
    const accessSettings = parseAccessSettings(body.accessSettings);
    account.name = name;
    account.displayName = displayName ?? name;
    if (email !== undefined) account.email = email;
    else delete account.email;
    account.accessSettings = accessSettings;
    account.origin = "api";
    store.save();
    return accountView(account);
  });

  app.delete(path(routes.user), async (request, reply) => {
    await admin(request);
    const account = find("user", (request.params as { id: string }).id);
    store.data.accounts = store.data.accounts.filter((a) => a !== account);
    store.save();
    return reply.code(204).send();
  });

  // ---- service accounts (10.x) ----
  app.get(path(routes.serviceAccounts), async (request) => {
    await admin(request);
    ensureServiceAccountsExist();
    const { name } = request.query as { name?: string };
    return accountsOf("serviceAccount").filter((a) => name === undefined || a.name === name).map(accountView);
  });

  app.post(path(routes.serviceAccounts), async (request, reply) => {
    await admin(request);
    ensureServiceAccountsExist();
    const body = bodyOf(request);
    const name = requiredName(body);
    if (body.accessSettings === undefined) {
      throw new Problem(400, '"accessSettings" is required for a service account, e.g. [{"api": "Tridion.AddonService", "role": "Administrator"}].');
    }
    const accessSettings = parseAccessSettings(body.accessSettings);
    const description = optionalString(body, "description");
    const clientId = optionalString(body, "clientId") ?? randomUUID();
    if (!clientId.trim()) throw new Problem(400, '"clientId" must not be empty; omit it to get a generated one.');
    const existing = accountsOf("serviceAccount").find((a) => a.name === name);
    if (existing) {
      throw new Problem(409, `A service account named "${name}" already exists (id ${existing.id}). Update it with PUT ${routes.serviceAccount.replace("{id}", existing.id)} or choose another name.`, { existingId: existing.id });
    }
    ensureClientIdFree(clientId);
    const account = newAccount(
      { kind: "serviceAccount", name, ...(description !== undefined ? { description } : {}), clientId, accessSettings, predefined: false },
      clock.now(),
    );
    store.data.accounts.push(account);
    store.save();
    return reply.code(201).send(accountView(account));
  });

  app.get(path(routes.serviceAccount), async (request) => {
    await admin(request);
    ensureServiceAccountsExist();
    return accountView(find("serviceAccount", (request.params as { id: string }).id));
  });

  app.put(path(routes.serviceAccount), async (request) => {
    await admin(request);
    ensureServiceAccountsExist();
    const account = find("serviceAccount", (request.params as { id: string }).id);
    refusePredefined(account, "changed");
    const body = bodyOf(request);
    const name = requiredName(body);
    if (accountsOf("serviceAccount").some((a) => a !== account && a.name === name)) {
      throw new Problem(409, `Another service account is already named "${name}". Choose another name.`);
    }
    const clientId = optionalString(body, "clientId");
    if (clientId !== undefined && clientId !== account.clientId) {
      throw new Problem(400, `The clientId of a service account cannot change (it is ${account.clientId}). Omit clientId, or create a new service account.`);
    }
    if (body.accessSettings === undefined) {
      throw new Problem(400, '"accessSettings" is required (PUT replaces the whole object).');
    }
    account.accessSettings = parseAccessSettings(body.accessSettings);
    account.name = name;
    const description = optionalString(body, "description");
    if (description !== undefined) account.description = description;
    else delete account.description;
    store.save();
    return accountView(account);
  });

  app.delete(path(routes.serviceAccount), async (request, reply) => {
    await admin(request);
    ensureServiceAccountsExist();
    const account = find("serviceAccount", (request.params as { id: string }).id);
    refusePredefined(account, "deleted");
    store.data.accounts = store.data.accounts.filter((a) => a !== account);
    store.save();
    return reply.code(204).send();
  });

  // ---- client secrets (same five routes for both kinds) ----
  const secretRoutes = (kind: AccountKind, listTemplate: string, itemTemplate: string) => {
    const guard = kind === "serviceAccount" ? ensureServiceAccountsExist : () => undefined;

    app.get(path(listTemplate), async (request) => {
      await admin(request);
      guard();
      const account = find(kind, (request.params as { id: string }).id);
      const now = clock.now();
      return account.secrets.map((s) => secretView(s, now));
    });

    app.post(path(listTemplate), async (request, reply) => {
      await admin(request);
      guard();
      const account = find(kind, (request.params as { id: string }).id);
      const body = bodyOf(request);
      const now = clock.now();
      if (account.secrets.length >= maxSecretsPerAccount) {
        throw new Problem(409, `${kindLabel[kind]} "${account.name}" already has ${account.secrets.length} client secrets, the maximum (two allow a rollover). Delete one with DELETE ${itemTemplate.replace("{id}", account.id)} (expired ones count too) before creating another.`);
      }
      const expiresAt = body.expiresAt === undefined || body.expiresAt === null
        ? new Date(now.getTime() + maxExpiryDays * dayMs)
        : parseExpiry(body.expiresAt);
      const ahead = expiresAt.getTime() - now.getTime();
      if (ahead > maxExpiryDays * dayMs + expiryToleranceMs) {
        throw new Problem(400, `"expiresAt" ${body.expiresAt} is more than ${maxExpiryDays} days away; a client secret lives at most one year. Choose a date within ${maxExpiryDays} days, or omit it for the maximum.`);
      }
      if (ahead < minExpiryDays * dayMs - expiryToleranceMs) {
        throw new Problem(400, `"expiresAt" ${body.expiresAt} is less than ${minExpiryDays} day away; a client secret lives 1 to ${maxExpiryDays} days. Choose a later date.`);
      }
      const description = optionalString(body, "description");
      const value = generateSecretValue();
      const record = newSecretRecord(value, now, expiresAt, description);
      account.secrets.push(record);
      store.save();
      return reply.code(201).header("Cache-Control", "no-store").send({
        id: record.id,
        clientId: account.clientId,
        secret: value,
        createdAt: record.createdAt,
        expiresAt: record.expiresAt,
        ...(description !== undefined ? { description } : {}),
      });
    });

    const findSecret = (request: FastifyRequest) => {
      const { id, secretId } = request.params as { id: string; secretId: string };
      const account = find(kind, id);
      const secret = account.secrets.find((s) => s.id === secretId);
      if (!secret) throw new Problem(404, `${kindLabel[kind]} "${account.name}" has no client secret with id ${secretId}. List them with GET ${listTemplate.replace("{id}", id)}.`);
      return { account, secret };
    };

    app.patch(path(itemTemplate), async (request) => {
      await admin(request);
      guard();
      const { secret } = findSecret(request);
      const body = bodyOf(request);
      if (body.expiresAt === undefined) throw new Problem(400, '"expiresAt" is required: the new, earlier expiry (ISO 8601).');
      const expiresAt = parseExpiry(body.expiresAt);
      const now = clock.now();
      if (secret.expiresAt !== null && expiresAt.getTime() > Date.parse(secret.expiresAt)) {
        throw new Problem(400, `The expiry of a client secret can only be shortened: ${body.expiresAt} is later than the current ${secret.expiresAt}. Create a new secret to extend.`);
      }
      if (secret.expiresAt === null && expiresAt.getTime() > now.getTime() + maxExpiryDays * dayMs + expiryToleranceMs) {
        throw new Problem(400, `"expiresAt" is more than ${maxExpiryDays} days away; choose an earlier date.`);
      }
      if (expiresAt.getTime() <= now.getTime()) {
        throw new Problem(400, `"expiresAt" ${body.expiresAt} is in the past; to revoke the secret, DELETE it.`);
      }
      secret.expiresAt = expiresAt.toISOString();
      store.save();
      return secretView(secret, now);
    });

    app.delete(path(itemTemplate), async (request, reply) => {
      await admin(request);
      guard();
      const { account, secret } = findSecret(request);
      account.secrets = account.secrets.filter((s) => s !== secret);
      store.save();
      return reply.code(204).send();
    });
  };
  secretRoutes("user", routes.userSecrets, routes.userSecret);
  secretRoutes("serviceAccount", routes.serviceAccountSecrets, routes.serviceAccountSecret);
}

export { isExpired };
