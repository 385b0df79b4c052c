// Client secrets of users and service accounts (the same three routes for each; the users' ones
// are deprecated in 10.x but still served): generateClientSecret shows the value once, PUT
// shortens the expiry, DELETE revokes. At most two per account; expired ones count too.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { randomUUID } from "node:crypto";
import type { Account, AccountKind } from "../store";
import { invalid, notFound } from "./errors";
import { intParam, type ManagementRoutes } from "./managementRoutes";
import { requestBodySchema } from "./schemas";
import {
  dateTimeForm,
  dayMs,
  expiryToleranceMs,
  generateSecretValue,
  maxExpiryDays,
  maxSecretsPerAccount,
  newSecretRecord,
  parseDateTime,
  secretView,
} from "./secrets";
import { findServiceAccount } from "./serviceAccounts";
import { findUser } from "./users";

export function registerClientSecretRoutes(app: FastifyInstance, m: ManagementRoutes) {
  const { store, clock } = m;
  const kinds: Array<{
    kind: AccountKind;
    generate: "userGenerateSecret" | "serviceAccountGenerateSecret";
    item: "userSecret" | "serviceAccountSecret";
  }> = [
    { kind: "user", generate: "userGenerateSecret", item: "userSecret" },
    { kind: "serviceAccount", generate: "serviceAccountGenerateSecret", item: "serviceAccountSecret" },
  ];
  for (const { kind, generate, item } of kinds) {
    const find = (request: FastifyRequest): Account => (kind === "user" ? findUser(m, request) : findServiceAccount(m, request));
    const label = kind === "user" ? "user" : "service account";
    const findSecret = (request: FastifyRequest) => {
      const account = find(request);
      const secretId = intParam(request, "secretId");
      const secret = account.secrets.find((s) => s.id === secretId);
      if (!secret)
        throw notFound(
          "The client secret",
          secretId,
          `The ${label} "${account.name}" holds the secrets listed in its clientSecrets (GET it).`,
        );
      return { account, secret };
    };

    // No body: the server picks the value and a one-year expiry; PUT shortens it afterwards.
    app.post(m.path(generate), async (request, reply) => {
      await m.admin(request);
      const account = find(request);
      if (account.secrets.length >= maxSecretsPerAccount) {
        throw invalid(
          "clientSecrets",
          `The ${label} "${account.name}" already holds ${account.secrets.length} client secrets, the maximum (two allow a rollover). Delete one (expired ones count too) before generating another.`,
          "MaxClientSecretsReached",
        );
      }
      const now = clock.now();
      const value = generateSecretValue();
      const record = newSecretRecord(store.nextId("secret"), value, now, new Date(now.getTime() + maxExpiryDays * dayMs));
      account.secrets.push(record);
      m.propagation.secretGenerated(record.id);
      account.clientId ??= randomUUID(); // a user gets a client id with the first secret
      m.touched(account);
      return reply.code(200).header("Cache-Control", "no-store").send(secretView(record, value));
    });

    app.put(m.path(item), { schema: { body: requestBodySchema("UserClientSecret") } }, async (request) => {
      await m.admin(request);
      const { account, secret } = findSecret(request);
      const sent = (request.body as { expiresAt: string }).expiresAt;
      const expiresAt = parseDateTime(sent);
      if (!expiresAt) {
        throw invalid("expiresAt", `"expiresAt" must be ${dateTimeForm}; got ${JSON.stringify(sent)}.`);
      }
      const now = clock.now();
      if (expiresAt.getTime() > Date.parse(secret.expiresAt) + expiryToleranceMs) {
        throw invalid(
          "expiresAt",
          `The expiry of a client secret can only be shortened: ${sent} is later than the current ${secret.expiresAt}. Generate a new secret to get a later one.`,
        );
      }
      if (expiresAt.getTime() > now.getTime() + maxExpiryDays * dayMs + expiryToleranceMs) {
        throw invalid("expiresAt", `"expiresAt" ${sent} is more than ${maxExpiryDays} days away; a client secret lives at most one year.`);
      }
      if (expiresAt.getTime() <= now.getTime()) {
        throw invalid("expiresAt", `"expiresAt" ${sent} is not in the future; to revoke the secret, DELETE it.`);
      }
      secret.expiresAt = expiresAt.toISOString();
      m.touched(account);
      return secretView(secret);
    });

    app.delete(m.path(item), async (request, reply) => {
      await m.admin(request);
      const { account, secret } = findSecret(request);
      account.secrets = account.secrets.filter((s) => s !== secret);
      m.touched(account);
      return reply.code(204).send();
    });
  }
}
