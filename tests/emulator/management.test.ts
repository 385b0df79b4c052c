// The Access Management management API as RWS's OpenAPI document describes it: users (only from
// sign-in; access links, read-only identity fields, whole-object PUT, activate/deactivate, delete),
// service accounts (10: create, Location, conflicts, predefined ones; 9.6: listed, not created),
// client secrets (value only from generateClientSecret, at most two, PUT only shortens, DELETE
// revokes), the read-only catalog, accessControlEntry validation, body and id checks, routes in any
// letter case, and the 401/403/404 answers without a body.
import test from "ava";
import * as fs from "node:fs";
import { amAdmin, signIn, type AmAccount, type AmAdmin } from "../helpers/accessManagement";
import {
  bearer,
  buildZip,
  getToken,
  http,
  packageFiles,
  requestToken,
  startTestEmulator,
  uploadPackage,
  type TestEmulator,
} from "../helpers/emulator";
import { amError, emptyAnswer, matchesSchema } from "./amAssertions";

let emu: TestEmulator;
let emu96: TestEmulator;
let adm: AmAdmin;
let adm96: AmAdmin;
const day = 24 * 3600 * 1000;
const addonsAdmin = "Tridion.AddonService.Administrator";

test.before(async () => {
  emu = await startTestEmulator({ seedUsers: ["alice@example.com"] });
  emu96 = await startTestEmulator({ productVersion: "9.6" });
  adm = await amAdmin(emu);
  adm96 = await amAdmin(emu96);
});
test.after.always(async () => {
  await emu?.close();
  await emu96?.close();
});

const emptyAccess = { apiResources: [], apiResourceRoles: [], applications: [] };
const isoNear = (iso: string | null, ms: number, slack = 60_000) => iso !== null && Math.abs(Date.parse(iso) - ms) < slack;
/** A GET body with some fields left out (PUT takes the whole object: what is left out is reset). */
const without = (account: AmAccount, ...fields: string[]) =>
  Object.fromEntries(Object.entries(account).filter(([k]) => !fields.includes(k)));

test("users come only from sign-in: listed with int32 ids and no access; no POST; the same name through two identity providers is two users", async (t) => {
  const idps = (await adm.get("/IdentityProviders")).data as Array<{ id: number; key: string }>;
  const entra = idps.find((p) => p.key === "EntraId")!;
  const windows = idps.find((p) => p.key === "Windows")!;
  const alice = await adm.user("alice@example.com");
  t.true(Number.isInteger(alice.id) && alice.id > 0 && alice.id <= 2147483647);
  t.like(alice, {
    name: "alice@example.com",
    email: null,
    clientId: null,
    isEnabled: true,
    identityProviderKey: "EntraId",
    identityProvider: { id: entra.id, name: "Microsoft Entra ID" },
    clientSecrets: [],
    accessControlEntry: emptyAccess,
  });
  t.is(typeof alice.subject, "string");
  t.true(isoNear(alice.lastLoginAt as string, Date.now(), 600_000), "signing in is a login");
  t.deepEqual((await adm.get(`/Users/${alice.id}`)).data, alice);
  matchesSchema(t, "User", alice);

  emptyAnswer(t, await adm.post("/Users", { name: "made-up" }), 404, "Access Management has no POST /Users");
  t.false((await adm.list("Users")).some((u) => u.name === "made-up"));

  const viaWindows = await signIn(emu, "carol", { identityProvider: "Windows", email: "carol@example.com" });
  t.like(viaWindows, {
    name: "carol",
    email: "carol@example.com",
    identityProviderKey: "Windows",
    identityProvider: { id: windows.id },
    clientId: null,
  });
  const again = await http.post(`${new URL(emu.accessManagementUrl).origin}/__emulator/logged-in-users`, {
    name: "carol",
    identityProvider: "Windows",
  });
  t.is(again.status, 200, "signing in again is the same user");
  t.is(again.data.id, viaWindows.id);
  const viaEntra = await signIn(emu, "carol");
  t.not(viaEntra.id, viaWindows.id);
  t.is(viaEntra.identityProviderKey, "EntraId");
  const carols = (await adm.list("Users")).filter((u) => u.name === "carol");
  t.deepEqual(
    carols.map((u) => [u.id, u.identityProviderKey]).sort(),
    [
      [viaWindows.id, "Windows"],
      [viaEntra.id, "EntraId"],
    ].sort(),
  );
  t.not(carols[0].subject, carols[1].subject);

  const badIdp = await http.post(`${new URL(emu.accessManagementUrl).origin}/__emulator/logged-in-users`, {
    name: "dave",
    identityProvider: "Okta",
  });
  t.is(badIdp.status, 400);
  t.regex(badIdp.data.detail, /no identity provider "Okta"\. Known: Windows, EntraId/);
  t.false((await adm.list("Users")).some((u) => u.name === "dave"));
});

test("users: PUT with access links, then GET shows them; PUT takes the whole object, so omitting accessControlEntry clears access", async (t) => {
  const user = await signIn(emu, "erin", { email: "erin@example.com" });
  const entry = adm.roleLinks([addonsAdmin]);
  const put = await adm.put(`/Users/${user.id}`, { ...user, accessControlEntry: entry, language: "en-GB" });
  t.is(put.status, 200, JSON.stringify(put.data));
  const addonsApi = adm.resources.find((r) => r.key === "Tridion.AddonService")!;
  t.deepEqual(put.data.accessControlEntry, {
    apiResources: [{ id: addonsApi.id, name: "Add-ons API" }],
    apiResourceRoles: [{ id: addonsApi.roles.find((r) => r.key === addonsAdmin)!.id, name: "Administrator" }],
    applications: [],
  });
  const held = (await adm.account("Users", user.id))!;
  t.deepEqual(held, put.data, "GET shows what PUT answered");
  t.deepEqual(adm.rolesOf(held), [addonsAdmin]);
  t.is(held.language, "en-GB");
  t.is(held.email, "erin@example.com");
  t.true(Date.parse(held.modifiedAt as string) >= Date.parse(user.modifiedAt as string));
  matchesSchema(t, "User", held);

  const secret = await adm.generateSecret("Users", user.id);
  t.is((await requestToken(emu.accessManagementUrl, secret.clientId, secret.clientSecret)).status, 200);

  const cleared = await adm.put(`/Users/${user.id}`, without(held, "accessControlEntry", "email", "language"));
  t.is(cleared.status, 200, JSON.stringify(cleared.data));
  const after = (await adm.account("Users", user.id))!;
  t.deepEqual(after.accessControlEntry, emptyAccess, "an omitted accessControlEntry is an empty one");
  t.is(after.email, null, "an omitted email is no email");
  t.is(after.language, null);
  t.deepEqual(
    after.clientSecrets.map((s) => s.id),
    [secret.id],
    "secrets are not part of the PUT",
  );
  const refused = await requestToken(emu.accessManagementUrl, secret.clientId, secret.clientSecret);
  t.is(refused.status, 400);
  t.is(refused.data.error, "invalid_scope", "no API access left, so no token");
});

test("users: subject, identityProviderKey and identityProvider come from the identity provider: changing one is 400 ReadOnlyOnUpdate", async (t) => {
  const user = await signIn(emu, "frank");
  const changes: Array<[string, Record<string, unknown>]> = [
    ["subject", { subject: "someone-else" }],
    ["identityProviderKey", { identityProviderKey: "Windows" }],
    [
      "identityProvider.id",
      { identityProvider: { id: (await adm.get("/IdentityProviders")).data.find((p: { key: string }) => p.key === "Windows").id } },
    ],
  ];
  for (const [target, change] of changes) {
    const res = await adm.put(`/Users/${user.id}`, { ...user, ...change, accessControlEntry: adm.roleLinks([addonsAdmin]) });
    const error = amError(t, res, 400, "ReadOnlyOnUpdate", target);
    t.regex(error.message, /comes from the identity provider and cannot change/);
  }
  const missing = await adm.put(`/Users/${user.id}`, without(user, "subject"));
  amError(t, missing, 400, "InvalidInput", "subject", /"subject" is required/);
  t.deepEqual((await adm.account("Users", user.id))!, user, "no refused PUT changed anything");
});

test("users: deactivate makes the user's secret invalid_client, activate brings it back; DELETE 204, then 404, the secret is refused, and the next sign-in is a new user", async (t) => {
  const user = await signIn(emu, "grace");
  await adm.setRoles("Users", user.id, [addonsAdmin]);
  const secret = await adm.generateSecret("Users", user.id);
  t.is((await requestToken(emu.accessManagementUrl, secret.clientId, secret.clientSecret)).status, 200);

  const off = await adm.put(`/Users/${user.id}/deactivate`, undefined);
  t.is(off.status, 200);
  t.is(off.data, "");
  t.false((await adm.account("Users", user.id))!.isEnabled);
  const refused = await requestToken(emu.accessManagementUrl, secret.clientId, secret.clientSecret);
  t.is(refused.status, 401);
  t.is(refused.data.error, "invalid_client");
  t.is((await adm.put(`/Users/${user.id}/activate`, undefined)).status, 200);
  t.true((await adm.account("Users", user.id))!.isEnabled);
  t.is((await requestToken(emu.accessManagementUrl, secret.clientId, secret.clientSecret)).status, 200);
  amError(t, await adm.put("/Users/2147483647/deactivate", undefined), 404, "NotFound", null, /user with ID 2147483647 does not exist/);

  emptyAnswer(t, await adm.del(`/Users/${user.id}`), 204);
  amError(t, await adm.get(`/Users/${user.id}`), 404, "NotFound", null, /Users appear once they have signed in/);
  amError(t, await adm.del(`/Users/${user.id}`), 404, "NotFound");
  t.false((await adm.list("Users")).some((u) => u.id === user.id));
  t.is((await requestToken(emu.accessManagementUrl, secret.clientId, secret.clientSecret)).data.error, "invalid_client");
  const back = await signIn(emu, "grace");
  t.not(back.id, user.id);
  t.like(back, { clientId: null, clientSecrets: [], accessControlEntry: emptyAccess });
});

test("service accounts (10): POST 201 with a Location that GETs the account; generated or chosen clientId; duplicates 400; clientId cannot change; PUT whole object; DELETE 204", async (t) => {
  const created = await adm.post("/ServiceAccounts", { name: "pipeline", accessControlEntry: adm.roleLinks([addonsAdmin]) });
  t.is(created.status, 201, JSON.stringify(created.data));
  t.is(created.headers.location, `${emu.accessManagementUrl}/api/v1/ServiceAccounts/${created.data.id}`);
  const located = await http.get(created.headers.location, bearer(adm.token));
  t.is(located.status, 200);
  t.deepEqual(located.data, created.data);
  t.deepEqual(Object.keys(created.data).sort(), [
    "accessControlEntry",
    "clientId",
    "clientSecrets",
    "createdAt",
    "id",
    "lastLoginAt",
    "modifiedAt",
    "name",
  ]);
  t.regex(created.data.clientId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  t.true(Number.isInteger(created.data.id));
  t.like(created.data, { name: "pipeline", lastLoginAt: null, clientSecrets: [] });
  t.deepEqual(adm.rolesOf(created.data), [addonsAdmin]);
  matchesSchema(t, "ServiceAccount", created.data);

  const chosen = await adm.post("/ServiceAccounts", { name: "pipeline-2", clientId: "my-pipeline" });
  t.is(chosen.status, 201);
  t.is(chosen.data.clientId, "my-pipeline");
  t.deepEqual(chosen.data.accessControlEntry, emptyAccess, "no accessControlEntry: no access");
  const before = await adm.list("ServiceAccounts");
  amError(t, await adm.post("/ServiceAccounts", { name: "pipeline" }), 400, "DuplicateName", "name", /"pipeline" already exists/);
  amError(
    t,
    await adm.post("/ServiceAccounts", { name: "pipeline-3", clientId: "my-pipeline" }),
    400,
    "DuplicateClientId",
    "clientId",
    /already used by the service account "pipeline-2"/,
  );
  amError(
    t,
    await adm.post("/ServiceAccounts", { name: "pipeline-4", clientId: emu.credentials.admin.clientId }),
    400,
    "DuplicateClientId",
    "clientId",
  );
  amError(
    t,
    await adm.post("/ServiceAccounts", { name: "pipeline-5", clientId: "  " }),
    400,
    "InvalidInput",
    "clientId",
    /must not be empty/,
  );
  amError(t, await adm.post("/ServiceAccounts", { clientId: "nameless" }), 400, "InvalidInput", "name", /"name" is required/);
  amError(t, await adm.post("/ServiceAccounts", { name: "" }), 400, "InvalidInput", "name");
  const after = await adm.list("ServiceAccounts");
  t.deepEqual(
    after.filter((a) => a.name === "pipeline").map((a) => a.id),
    [created.data.id],
    "no second pipeline",
  );
  t.false(
    after.some((a) => /^pipeline-[345]$/.test(a.name) || a.clientId === "nameless"),
    "no refused POST created an account",
  );
  t.false(after.some((a) => !before.some((b) => b.id === a.id) && a.name.startsWith("pipeline")));

  const id = chosen.data.id;
  const renamed = await adm.put(`/ServiceAccounts/${id}`, {
    ...chosen.data,
    name: "pipeline-two",
    accessControlEntry: adm.roleLinks(["Tridion.AddonService.Service"]),
  });
  t.is(renamed.status, 200, JSON.stringify(renamed.data));
  t.like((await adm.account("ServiceAccounts", id))!, { name: "pipeline-two", clientId: "my-pipeline" });
  t.deepEqual(adm.rolesOf((await adm.account("ServiceAccounts", id))!), ["Tridion.AddonService.Service"]);
  amError(
    t,
    await adm.put(`/ServiceAccounts/${id}`, { ...renamed.data, clientId: "other" }),
    400,
    "ReadOnlyOnUpdate",
    "clientId",
    /cannot change \(it is my-pipeline\)/,
  );
  amError(t, await adm.put(`/ServiceAccounts/${id}`, { ...renamed.data, name: "pipeline" }), 400, "DuplicateName", "name");
  const kept = await adm.put(`/ServiceAccounts/${id}`, without(renamed.data, "clientId", "accessControlEntry"));
  t.is(kept.status, 200);
  t.is(kept.data.clientId, "my-pipeline", "an omitted clientId stays as it is");
  t.deepEqual(kept.data.accessControlEntry, emptyAccess, "an omitted accessControlEntry is no access");
  amError(t, await adm.put("/ServiceAccounts/2147483647", { name: "ghost" }), 404, "NotFound");

  const secret = await adm.generateSecret("ServiceAccounts", created.data.id);
  t.is((await requestToken(emu.accessManagementUrl, created.data.clientId, secret.clientSecret)).status, 200);
  emptyAnswer(t, await adm.del(`/ServiceAccounts/${created.data.id}`), 204);
  amError(t, await adm.get(`/ServiceAccounts/${created.data.id}`), 404, "NotFound");
  amError(t, await adm.del(`/ServiceAccounts/${created.data.id}`), 404, "NotFound");
  t.is((await requestToken(emu.accessManagementUrl, created.data.clientId, secret.clientSecret)).data.error, "invalid_client");
});

test("predefined service accounts (10): the 10.x names and the bootstrap admin; PUT and DELETE are 400 PredefinedAccount", async (t) => {
  const list = await adm.list("ServiceAccounts");
  const names = list.map((a) => a.name);
  for (const name of [
    "Access Management API Client (admin)",
    "Add-ons API Client (service)",
    "Tridion Sites Content Manager API Client (admin)",
    "Emulator Bootstrap Administrator",
  ]) {
    t.true(names.includes(name), name);
  }
  t.false(names.includes("Add-ons API"), "the 9.x name is not used on 10");
  const addons = list.find((a) => a.name === "Add-ons API Client (service)")!;
  t.is(addons.clientId, emu.credentials.addonsService.clientId);
  t.deepEqual(adm.rolesOf(addons), ["Tridion.AddonService.Service"]);
  const bootstrapAdmin = list.find((a) => a.name === "Emulator Bootstrap Administrator")!;
  t.is(bootstrapAdmin.clientId, emu.credentials.admin.clientId);
  t.deepEqual(adm.rolesOf(bootstrapAdmin), ["Tridion.AccessManagement.Administrator", addonsAdmin]);

  const change = await adm.put(`/ServiceAccounts/${addons.id}`, { ...addons, accessControlEntry: adm.roleLinks([addonsAdmin]) });
  amError(
    t,
    change,
    400,
    "PredefinedAccount",
    null,
    /"Add-ons API Client \(service\)" is a predefined service account and cannot be changed/,
  );
  amError(t, await adm.del(`/ServiceAccounts/${addons.id}`), 400, "PredefinedAccount", null, /cannot be deleted/);
  amError(t, await adm.del(`/ServiceAccounts/${bootstrapAdmin.id}`), 400, "PredefinedAccount");
  t.deepEqual((await adm.account("ServiceAccounts", addons.id))!, addons, "unchanged");
});

test("9.6: service accounts are listed with the 9.x names; POST is 400 NotSupported; the predefined ones cannot change, but their secrets can be generated", async (t) => {
  const list = await adm96.list("ServiceAccounts");
  t.deepEqual(list.map((a) => a.name).sort(), [
    "Access Management API",
    "Add-ons API",
    "Emulator Bootstrap Administrator",
    "Tridion Sites Content Manager API",
  ]);
  list.forEach((a) => matchesSchema(t, "ServiceAccount", a, a.name));
  const refused = await adm96.post("/ServiceAccounts", { name: "pipeline", accessControlEntry: adm96.roleLinks([addonsAdmin]) });
  const error = amError(
    t,
    refused,
    400,
    "NotSupported",
    null,
    /cannot be created in this version of Access Management \(Tridion Sites 9\.6\)/,
  );
  t.regex(error.message, /client credentials to a user/);
  t.is((await adm96.list("ServiceAccounts")).length, list.length, "nothing created");

  const addons = list.find((a) => a.name === "Add-ons API")!;
  t.is(addons.clientId, emu96.credentials.addonsService.clientId);
  amError(
    t,
    await adm96.put(`/ServiceAccounts/${addons.id}`, { ...addons, accessControlEntry: adm96.roleLinks([addonsAdmin]) }),
    400,
    "PredefinedAccount",
  );
  amError(t, await adm96.del(`/ServiceAccounts/${addons.id}`), 400, "PredefinedAccount");

  const secret = await adm96.generateSecret("ServiceAccounts", addons.id);
  const token = await getToken(emu96, { clientId: addons.clientId!, clientSecret: secret.clientSecret });
  const list2 = `${emu96.addonsUrl}/api/v1/addons`;
  t.is((await http.get(list2, bearer(token))).status, 200, "the Service role reads");
  t.is((await uploadPackage(list2, token, await buildZip(packageFiles()), "acme-publishing-tools.zip")).status, 403, "and cannot upload");
  const cm = list.find((a) => a.name === "Tridion Sites Content Manager API")!;
  const cmSecret = await adm96.generateSecret("ServiceAccounts", cm.id);
  t.is((await requestToken(emu96.accessManagementUrl, cm.clientId!, cmSecret.clientSecret)).status, 200);
  t.deepEqual((await adm96.secretIds("ServiceAccounts", addons.id)).length, 2, "the bootstrap secret and the new one");
});

test("9.6: a user with client credentials and the Add-ons Administrator role gets a token for the Add-ons Service and uploads", async (t) => {
  const user = await signIn(emu96, "ci@example.com");
  await adm96.setRoles("Users", user.id, [addonsAdmin]);
  const secret = await adm96.generateSecret("Users", user.id);
  const token = await getToken(emu96, { clientId: secret.clientId, clientSecret: secret.clientSecret });
  const addons = `${emu96.addonsUrl}/api/v1/addons`;
  t.is((await http.get(addons, bearer(token))).status, 200);
  t.is((await uploadPackage(addons, token, await buildZip(packageFiles()), "acme-publishing-tools.zip")).status, 201);
});

test("client secrets: the value only from generateClientSecret, a placeholder elsewhere; at most two; DELETE revokes; a user's clientId appears with the first secret", async (t) => {
  const user = await signIn(emu, "secret-user");
  await adm.setRoles("Users", user.id, [addonsAdmin]);
  t.is((await adm.account("Users", user.id))!.clientId, null, "no client id before the first secret");
  const url = `/Users/${user.id}/generateClientSecret`;
  const first = await adm.post(url);
  t.is(first.status, 200, JSON.stringify(first.data));
  t.is(first.headers["cache-control"], "no-store");
  t.deepEqual(Object.keys(first.data), ["id", "clientSecret", "expiresAt", "lastLoginAt"]);
  matchesSchema(t, "UserClientSecret", first.data);
  t.true(Number.isInteger(first.data.id));
  t.true(first.data.clientSecret.length >= 32);
  t.is(first.data.lastLoginAt, null);
  t.true(isoNear(first.data.expiresAt, Date.now() + 365 * day), "a generated secret lives one year");
  const withId = (await adm.account("Users", user.id))!;
  t.regex(String(withId.clientId), /^[0-9a-f-]{36}$/, "the first secret gives the user a client id");
  const second = await adm.post(url);
  t.is(second.status, 200);
  t.not(second.data.clientSecret, first.data.clientSecret);
  t.is((await adm.account("Users", user.id))!.clientId, withId.clientId, "the second secret keeps the client id");
  const third = await adm.post(url);
  amError(t, third, 400, "MaxClientSecretsReached", "clientSecrets", /already holds 2 client secrets, the maximum/);

  const held = (await adm.account("Users", user.id))!;
  t.deepEqual(
    held.clientSecrets.map((s) => [s.id, s.clientSecret, s.expiresAt]),
    [
      [first.data.id, "********", first.data.expiresAt],
      [second.data.id, "********", second.data.expiresAt],
    ],
  );
  const everywhere = JSON.stringify([held, await adm.list("Users"), (await adm.get(`/Users/${user.id}`)).data]);
  t.false(everywhere.includes(first.data.clientSecret) || everywhere.includes(second.data.clientSecret), "no GET shows a value");
  emptyAnswer(t, await adm.get(`/Users/${user.id}/clientSecrets`), 404, "no route lists secrets");
  emptyAnswer(t, await adm.get(`/Users/${user.id}/clientSecrets/${first.data.id}`), 404, "no route reads a secret");

  const clientId = withId.clientId!;
  t.is((await requestToken(emu.accessManagementUrl, clientId, first.data.clientSecret)).status, 200);
  t.is((await requestToken(emu.accessManagementUrl, clientId, second.data.clientSecret)).status, 200);
  emptyAnswer(t, await adm.revokeSecret("Users", user.id, first.data.id), 204);
  t.deepEqual(await adm.secretIds("Users", user.id), [second.data.id]);
  const refused = await requestToken(emu.accessManagementUrl, clientId, first.data.clientSecret);
  t.is(refused.status, 401);
  t.is(refused.data.error, "invalid_client");
  t.is((await requestToken(emu.accessManagementUrl, clientId, second.data.clientSecret)).status, 200);
  amError(t, await adm.revokeSecret("Users", user.id, first.data.id), 404, "NotFound", null, /client secret with ID/);
  t.is((await adm.post(url)).status, 200, "a freed slot can be used again");
  t.is((await adm.account("Users", user.id))!.clientId, clientId);
  amError(t, await adm.post("/ServiceAccounts/2147483647/generateClientSecret"), 404, "NotFound");
  const other = await signIn(emu, "other-secret-user");
  amError(
    t,
    await adm.revokeSecret("Users", other.id, second.data.id),
    404,
    "NotFound",
    null,
    /The user "other-secret-user" holds the secrets listed in its clientSecrets/,
  );
  t.true((await adm.secretIds("Users", user.id)).includes(second.data.id), "another account's route cannot revoke it");
});

test("client secrets: a token sets lastLoginAt on the account and on the secret used", async (t) => {
  const account = await adm.createServiceAccount("login-tracker", [addonsAdmin]);
  const a = await adm.generateSecret("ServiceAccounts", account.id);
  const b = await adm.generateSecret("ServiceAccounts", account.id);
  const before = (await adm.account("ServiceAccounts", account.id))!;
  t.is(before.lastLoginAt, null);
  t.deepEqual(
    before.clientSecrets.map((s) => s.lastLoginAt),
    [null, null],
  );
  t.is((await requestToken(emu.accessManagementUrl, account.clientId!, b.clientSecret)).status, 200);
  const after = (await adm.account("ServiceAccounts", account.id))!;
  t.true(isoNear(after.lastLoginAt as string, Date.now()));
  const used = after.clientSecrets.find((s) => s.id === b.id)!;
  t.is(used.lastLoginAt, after.lastLoginAt as string);
  t.is(after.clientSecrets.find((s) => s.id === a.id)!.lastLoginAt, null, "the other secret was not used");
  t.is((await requestToken(emu.accessManagementUrl, account.clientId!, "wrong")).status, 401);
  t.is((await adm.account("ServiceAccounts", account.id))!.lastLoginAt, after.lastLoginAt, "a refused attempt is no login");
});

test("client secrets: PUT {expiresAt} only shortens; a later, past or malformed date is 400 naming expiresAt; nothing else may be sent", async (t) => {
  const account = await adm.createServiceAccount("expiry-account", [addonsAdmin]);
  const secret = await adm.generateSecret("ServiceAccounts", account.id);
  const at = (days: number) => new Date(Date.now() + days * day).toISOString();
  const longer = await adm.setSecretExpiry("ServiceAccounts", account.id, secret.id, at(400));
  amError(t, longer, 400, "InvalidInput", "expiresAt", /can only be shortened/);
  const shorterAt = at(10);
  const shorter = await adm.setSecretExpiry("ServiceAccounts", account.id, secret.id, shorterAt);
  t.is(shorter.status, 200, JSON.stringify(shorter.data));
  t.deepEqual(shorter.data, { id: secret.id, clientSecret: "********", expiresAt: shorterAt, lastLoginAt: null });
  matchesSchema(t, "UserClientSecret", shorter.data);
  t.is((await adm.account("ServiceAccounts", account.id))!.clientSecrets[0].expiresAt, shorterAt);
  amError(
    t,
    await adm.setSecretExpiry("ServiceAccounts", account.id, secret.id, at(20)),
    400,
    "InvalidInput",
    "expiresAt",
    /can only be shortened/,
  );
  amError(
    t,
    await adm.setSecretExpiry("ServiceAccounts", account.id, secret.id, at(-1)),
    400,
    "InvalidInput",
    "expiresAt",
    /not in the future; to revoke the secret, DELETE it/,
  );
  const same = await adm.setSecretExpiry("ServiceAccounts", account.id, secret.id, shorterAt);
  t.is(same.status, 200, "the same date is no change");
  // A GET item sent back is fine (read-only fields are ignored); another property is not.
  t.is((await adm.put(`/ServiceAccounts/${account.id}/clientSecrets/${secret.id}`, { ...shorter.data })).status, 200);
  amError(
    t,
    await adm.put(`/ServiceAccounts/${account.id}/clientSecrets/${secret.id}`, { expiresAt: shorterAt, description: "x" }),
    400,
    "InvalidInput",
    "description",
    /not part of this object/,
  );
  amError(
    t,
    await adm.put(`/ServiceAccounts/${account.id}/clientSecrets/${secret.id}`, {}),
    400,
    "InvalidInput",
    "expiresAt",
    /"expiresAt" is required/,
  );

  const date = at(5).slice(0, 10);
  const time = at(5).slice(11);
  const fiveDays = new Date(Date.now() + 5 * day);
  const daysInMonth = new Date(Date.UTC(fiveDays.getUTCFullYear(), fiveDays.getUTCMonth() + 1, 0)).getUTCDate();
  const loose = [
    date,
    `${date}T${time.slice(0, 8)}`,
    `${date} ${time}`,
    `${date}T${time.slice(0, 5)}Z`,
    fiveDays.toUTCString(),
    `${date.slice(0, 8)}${daysInMonth + 1}T00:00:00Z`,
    "next tuesday",
  ];
  for (const expiresAt of loose) {
    const res = await adm.setSecretExpiry("ServiceAccounts", account.id, secret.id, expiresAt);
    amError(
      t,
      res,
      400,
      "InvalidInput",
      "expiresAt",
      /ISO 8601 date-time with seconds and a time zone, YYYY-MM-DDTHH:MM:SS\[\.fff\]\(Z\|\+HH:MM\)/,
    );
  }
  t.is((await adm.account("ServiceAccounts", account.id))!.clientSecrets[0].expiresAt, shorterAt, "no refused PUT changed the expiry");
  const withOffset = await adm.setSecretExpiry("ServiceAccounts", account.id, secret.id, `${date}T12:00:00.5+02:00`);
  t.is(withOffset.status, 200, JSON.stringify(withOffset.data));
  t.is(withOffset.data.expiresAt, new Date(`${date}T10:00:00.500Z`).toISOString());
  amError(t, await adm.setSecretExpiry("ServiceAccounts", account.id, 2147483647, shorterAt), 404, "NotFound");
});

test("an expired secret is refused with invalid_client (clock advanced) and still fills one of the two slots; tokens expire too", async (t) => {
  const e = await startTestEmulator();
  try {
    const admin = await amAdmin(e);
    const account = await admin.createServiceAccount("short", ["Tridion.AddonService.ReadOnly"]);
    const secret = await admin.generateSecret("ServiceAccounts", account.id);
    t.is((await admin.setSecretExpiry("ServiceAccounts", account.id, secret.id, new Date(Date.now() + 2 * day).toISOString())).status, 200);
    t.is((await requestToken(e.accessManagementUrl, account.clientId!, secret.clientSecret)).status, 200);
    e.advanceClock(3 * 24 * 3600);
    const refused = await requestToken(e.accessManagementUrl, account.clientId!, secret.clientSecret);
    t.is(refused.status, 401);
    t.is(refused.data.error, "invalid_client");
    const stale = await http.get(admin.api("/ServiceAccounts"), bearer(admin.token));
    emptyAnswer(t, stale, 401, "the admin token issued before the jump has expired");
    t.is(stale.headers["www-authenticate"], 'Bearer error="invalid_token", error_description="The token expired"');
    const fresh = await amAdmin(e);
    t.deepEqual(await fresh.secretIds("ServiceAccounts", account.id), [secret.id], "the expired secret is still listed");
    t.is((await fresh.post(`/ServiceAccounts/${account.id}/generateClientSecret`)).status, 200);
    amError(
      t,
      await fresh.post(`/ServiceAccounts/${account.id}/generateClientSecret`),
      400,
      "MaxClientSecretsReached",
      "clientSecrets",
      /expired ones count too/,
    );
  } finally {
    await e.close();
  }
});

test("ApiResources, Applications and IdentityProviders: read-only lists with int32 ids, each readable by id", async (t) => {
  const resources = (await adm.get("/ApiResources")).data as Array<{
    id: number;
    key: string;
    name: string;
    roles: Array<{ id: number; key: string; name: string }>;
  }>;
  matchesSchema(t, ["ApiResource"], resources);
  t.deepEqual(
    resources.map((r) => [r.key, r.name]),
    [
      ["Tridion.AccessManagement", "Access Management API"],
      ["Tridion.AddonService", "Add-ons API"],
      ["Tridion.ContentManager", "Tridion Sites Content Manager API"],
    ],
  );
  const addons = resources.find((r) => r.key === "Tridion.AddonService")!;
  t.deepEqual(
    addons.roles.map((r) => [r.key, r.name]),
    [
      ["Tridion.AddonService.Administrator", "Administrator"],
      ["Tridion.AddonService.Service", "Service"],
      ["Tridion.AddonService.ReadOnly", "Read only"],
    ],
  );
  const ids = [...resources.map((r) => r.id), ...resources.flatMap((r) => r.roles.map((role) => role.id))];
  t.true(ids.every((id) => Number.isInteger(id) && id > 0 && id <= 2147483647));
  t.is(new Set(ids).size, ids.length, "API and role ids never collide");
  t.deepEqual((await adm.get(`/ApiResources/${addons.id}`)).data, addons);
  amError(t, await adm.get("/ApiResources/2147483647"), 404, "NotFound", null, /API resource with ID 2147483647 does not exist/);
  emptyAnswer(t, await adm.post("/ApiResources", { key: "Mine", name: "Mine" }), 404, "read only: new APIs come from bootstrap files");

  const apps = (await adm.get("/Applications")).data as Array<{ id: number; clientId: string; name: string }>;
  matchesSchema(t, ["Application"], apps);
  t.deepEqual(
    apps.map((a) => a.name),
    ["Access Management", "Tridion Sites Experience Space"],
  );
  t.deepEqual((await adm.get(`/Applications/${apps[1].id}`)).data, apps[1]);
  amError(t, await adm.get("/Applications/2147483647"), 404, "NotFound");

  const idps = (await adm.get("/IdentityProviders")).data as Array<{ id: number; key: string; type: string }>;
  matchesSchema(t, ["IdentityProvider"], idps);
  t.deepEqual(
    idps.map((p) => [p.key, p.type]),
    [
      ["Windows", "Windows"],
      ["EntraId", "OpenIdConnect"],
    ],
  );
  t.deepEqual((await adm.get(`/IdentityProviders/${idps[0].id}`)).data, idps[0]);
  amError(t, await adm.get("/IdentityProviders/2147483647"), 404, "NotFound");
});

test("accessControlEntry: an unknown id, a role without its API, or two roles of one API is 400 with errorMessage and target; nothing changes", async (t) => {
  const user = await signIn(emu, "ace-user");
  const sa = await adm.createServiceAccount("ace-account", ["Tridion.AddonService.ReadOnly"]);
  const addons = adm.resources.find((r) => r.key === "Tridion.AddonService")!;
  const am = adm.resources.find((r) => r.key === "Tridion.AccessManagement")!;
  const role = (key: string) => adm.resources.flatMap((r) => r.roles).find((r) => r.key === key)!.id;
  const apps = (await adm.get("/Applications")).data as Array<{ id: number }>;
  const cases: Array<[string, object, string, RegExp]> = [
    ["unknown API", { apiResources: [{ id: 999999 }] }, "accessControlEntry.apiResources[0].id", /no API resource with ID 999999/],
    [
      "unknown role",
      { apiResources: [{ id: addons.id }], apiResourceRoles: [{ id: 999999 }] },
      "accessControlEntry.apiResourceRoles[0].id",
      /no API resource role with ID 999999/,
    ],
    [
      "unknown application",
      { applications: [{ id: apps[0].id }, { id: 999999 }] },
      "accessControlEntry.applications[1].id",
      /no application with ID 999999/,
    ],
    [
      "an API id used as a role",
      { apiResources: [{ id: addons.id }], apiResourceRoles: [{ id: addons.id }] },
      "accessControlEntry.apiResourceRoles[0].id",
      /no API resource role/,
    ],
    ["a link without id", { apiResources: [{ name: "Add-ons API" }] }, "accessControlEntry.apiResources[0].id", /is required/],
    [
      "role without its API",
      { apiResources: [{ id: am.id }], apiResourceRoles: [{ id: role(addonsAdmin) }] },
      "accessControlEntry.apiResourceRoles",
      new RegExp(`belongs to the API Tridion\\.AddonService \\(ID ${addons.id}\\), which is not in accessControlEntry\\.apiResources`),
    ],
    [
      "two roles of one API",
      {
        apiResources: [{ id: addons.id }],
        apiResourceRoles: [{ id: role("Tridion.AddonService.Service") }, { id: role("Tridion.AddonService.ReadOnly") }],
      },
      "accessControlEntry.apiResourceRoles",
      /two roles of the API Tridion\.AddonService; an account holds one role per API/,
    ],
    ["an id that is not an int32", { apiResources: [{ id: 2147483648 }] }, "accessControlEntry.apiResources[0].id", /int32/],
    ["an id that is a string", { apiResources: [{ id: String(addons.id) }] }, "accessControlEntry.apiResources[0].id", /must be integer/],
  ];
  const userBefore = (await adm.account("Users", user.id))!;
  const saBefore = (await adm.account("ServiceAccounts", sa.id))!;
  for (const [what, accessControlEntry, target, message] of cases) {
    amError(t, await adm.put(`/Users/${user.id}`, { ...userBefore, accessControlEntry }), 400, "InvalidInput", target, message);
    amError(t, await adm.put(`/ServiceAccounts/${sa.id}`, { ...saBefore, accessControlEntry }), 400, "InvalidInput", target, message);
    amError(t, await adm.post("/ServiceAccounts", { name: `ace-${what}`, accessControlEntry }), 400, "InvalidInput", target, message);
  }
  t.deepEqual((await adm.account("Users", user.id))!, userBefore);
  t.deepEqual((await adm.account("ServiceAccounts", sa.id))!, saBefore);
  t.false(
    (await adm.list("ServiceAccounts")).some((a) => a.name.startsWith("ace-") && a.id !== sa.id),
    "no refused POST created an account",
  );

  // An API without a role, and an application, are fine; the same link twice counts once.
  const ok = await adm.put(`/ServiceAccounts/${sa.id}`, {
    ...saBefore,
    accessControlEntry: { apiResources: [{ id: am.id }, { id: am.id }], apiResourceRoles: [], applications: [{ id: apps[0].id }] },
  });
  t.is(ok.status, 200, JSON.stringify(ok.data));
  t.deepEqual(ok.data.accessControlEntry, {
    apiResources: [{ id: am.id, name: "Access Management API" }],
    apiResourceRoles: [],
    applications: [{ id: apps[0].id, name: "Access Management" }],
  });
});

test("request bodies: an unknown property is 400 naming it; read-only properties from a GET are accepted; a body that is not JSON is 400", async (t) => {
  const user = await signIn(emu, "body-user");
  const sa = await adm.createServiceAccount("body-account", [addonsAdmin]);
  amError(
    t,
    await adm.put(`/Users/${user.id}`, { ...user, displayName: "Body" }),
    400,
    "InvalidInput",
    "displayName",
    /The property "displayName" is not part of this object/,
  );
  amError(t, await adm.put(`/Users/${user.id}`, { ...user, accessSettings: [] }), 400, "InvalidInput", "accessSettings");
  amError(
    t,
    await adm.put(`/Users/${user.id}`, { ...user, accessControlEntry: { apiResources: [{ id: 1, key: "x" }] } }),
    400,
    "InvalidInput",
    "accessControlEntry.apiResources[0].key",
  );
  amError(t, await adm.post("/ServiceAccounts", { name: "with-description", description: "CI" }), 400, "InvalidInput", "description");
  amError(t, await adm.put(`/ServiceAccounts/${sa.id}`, { ...sa, predefined: false }), 400, "InvalidInput", "predefined");
  amError(t, await adm.put(`/Users/${user.id}`, { ...user, email: "not an address" }), 400, "InvalidInput", "email");
  t.false((await adm.list("ServiceAccounts")).some((a) => a.name === "with-description"));

  const userAgain = await adm.put(`/Users/${user.id}`, user);
  t.is(userAgain.status, 200, "a GET body sent back as it is: id, clientId, createdAt, clientSecrets... are read only and ignored");
  const forged = await adm.put(`/ServiceAccounts/${sa.id}`, {
    ...sa,
    id: 424242,
    createdAt: "2000-01-01T00:00:00Z",
    lastLoginAt: "2000-01-01T00:00:00Z",
    clientSecrets: [],
  });
  t.is(forged.status, 200);
  const held = (await adm.account("ServiceAccounts", sa.id))!;
  t.like(held, { id: sa.id, createdAt: sa.createdAt, lastLoginAt: null });
  amError(t, await adm.get("/ServiceAccounts/424242"), 404, "NotFound");

  const notJson = await http.put(adm.api(`/ServiceAccounts/${sa.id}`), "{oops", {
    headers: { ...bearer(adm.token).headers, "Content-Type": "application/json" },
    transformRequest: [(d) => d],
  });
  amError(t, notJson, 400, "InvalidInput", null, /not valid JSON/);
  const array = await adm.put(`/ServiceAccounts/${sa.id}`, [held]);
  amError(t, array, 400, "InvalidInput", null, /must be object/);
  const textJson = await http.put(adm.api(`/ServiceAccounts/${sa.id}`), JSON.stringify({ ...held, name: "body-account-2" }), {
    headers: { ...bearer(adm.token).headers, "Content-Type": "text/json" },
  });
  t.is(textJson.status, 200, "text/json is JSON too, as ASP.NET Core reads it");
  t.is((await adm.account("ServiceAccounts", sa.id))!.name, "body-account-2");
});

test("ids are int32: anything else in the path is 400 naming the parameter", async (t) => {
  const sa = await adm.createServiceAccount("id-account", [addonsAdmin]);
  for (const id of ["abc", "1.5", "1e3", "2147483648", "-2147483649", "0x10"]) {
    amError(
      t,
      await adm.get(`/Users/${id}`),
      400,
      "InvalidInput",
      "id",
      new RegExp(`The value '${id.replace(".", "\\.")}' is not valid for id: it must be an integer \\(int32\\)`),
    );
    amError(t, await adm.get(`/ServiceAccounts/${id}`), 400, "InvalidInput", "id");
    amError(t, await adm.get(`/ApiResources/${id}`), 400, "InvalidInput", "id");
  }
  amError(t, await adm.revokeSecret("ServiceAccounts", sa.id, "first" as never), 400, "InvalidInput", "secretId");
  amError(t, await adm.get("/Users/2147483647"), 404, "NotFound");
  amError(t, await adm.get("/Users/-2147483648"), 404, "NotFound");
  t.is((await adm.get(`/ServiceAccounts/${sa.id}`)).status, 200);
  t.is((await adm.get(`/ServiceAccounts/0${sa.id}`)).data.id, sa.id, "a leading zero is the same int32, as ASP.NET Core binds it");
});

test("routes match in any letter case, as ASP.NET Core's; an unknown route is an empty 404", async (t) => {
  const sa = await adm.createServiceAccount("case-account", [addonsAdmin]);
  const base = emu.accessManagementUrl;
  for (const path of [`/api/v1/serviceaccounts/${sa.id}`, `/API/V1/SERVICEACCOUNTS/${sa.id}`, `/Api/V1/ServiceAccounts/${sa.id}`]) {
    const res = await http.get(`${base}${path}`, bearer(adm.token));
    t.is(res.status, 200, path);
    t.is(res.data.id, sa.id, path);
  }
  t.is(
    (await http.get(`${base.replace("/access-management", "/Access-Management")}/api/v1/apiresources`, bearer(adm.token))).status,
    200,
    "the base path too",
  );
  const generated = await http.post(`${base}/api/v1/serviceaccounts/${sa.id}/GENERATECLIENTSECRET`, undefined, bearer(adm.token));
  t.is(generated.status, 200);
  t.deepEqual(await adm.secretIds("ServiceAccounts", sa.id), [generated.data.id]);
  t.is((await http.get(`${base}/api/v1/system/USERINFO`, bearer(adm.token))).status, 200);

  for (const [method, path] of [
    ["get", "/api/v1/Nope"],
    ["get", "/api/v2/Users"],
    ["post", "/api/v1/Users"],
    ["patch", `/api/v1/ServiceAccounts/${sa.id}`],
    ["get", `/api/v1/ServiceAccounts/${sa.id}/clientSecrets`],
    ["get", "/api/v1/AuditLogs"],
  ] as const) {
    emptyAnswer(t, await http.request({ method, url: `${base}${path}`, ...bearer(adm.token) }), 404, `${method} ${path}`);
    emptyAnswer(t, await http.request({ method, url: `${base}${path}` }), 404, `${method} ${path} without a token`);
  }
});

test("401 without a token or with a refused one, 403 without the Administrator role: empty bodies with WWW-Authenticate; System/userInfo needs only access to the API", async (t) => {
  const none = await http.get(adm.api("/Users"));
  emptyAnswer(t, none, 401);
  t.is(none.headers["www-authenticate"], "Bearer");
  const garbage = await http.get(adm.api("/Users"), bearer("not.a.jwt"));
  emptyAnswer(t, garbage, 401);
  t.is(garbage.headers["www-authenticate"], 'Bearer error="invalid_token", error_description="The token is malformed"');
  const addonsToken = await getToken(emu, emu.credentials.addonsService);
  const wrongAudience = await http.get(adm.api("/ServiceAccounts"), bearer(addonsToken));
  emptyAnswer(t, wrongAudience, 401);
  t.is(
    wrongAudience.headers["www-authenticate"],
    'Bearer error="invalid_token", error_description="The audience is invalid (expected Tridion.AccessManagement)"',
  );
  emptyAnswer(t, await http.get(adm.api("/System/userInfo"), bearer(addonsToken)), 401);
  emptyAnswer(t, await http.get(adm.api("/System/userInfo")), 401);

  // An account with access to the Access Management API but no role in it.
  const am = adm.resources.find((r) => r.key === "Tridion.AccessManagement")!;
  const reader = await adm.post("/ServiceAccounts", { name: "am-reader", accessControlEntry: { apiResources: [{ id: am.id }] } });
  t.is(reader.status, 201);
  const readerSecret = await adm.generateSecret("ServiceAccounts", reader.data.id);
  const readerToken = await getToken(emu, { clientId: reader.data.clientId, clientSecret: readerSecret.clientSecret });
  for (const [method, path, body] of [
    ["get", "/Users"],
    ["get", "/ApiResources"],
    ["post", "/ServiceAccounts", { name: "by-reader" }],
    ["post", `/ServiceAccounts/${reader.data.id}/generateClientSecret`],
    ["delete", `/ServiceAccounts/${reader.data.id}`],
  ] as const) {
    const forbidden = await http.request({ method, url: adm.api(path), data: body, ...bearer(readerToken) });
    emptyAnswer(t, forbidden, 403, `${method} ${path}`);
    t.is(
      forbidden.headers["www-authenticate"],
      'Bearer error="insufficient_scope", error_description="Needs one of the roles Tridion.AccessManagement.Administrator"',
    );
  }
  t.truthy(await adm.account("ServiceAccounts", reader.data.id), "nothing was deleted by a refused call");
  t.deepEqual(await adm.secretIds("ServiceAccounts", reader.data.id), [readerSecret.id], "no secret was generated by a refused call");
  t.false((await adm.list("ServiceAccounts")).some((a) => a.name === "by-reader"));

  const me = await http.get(adm.api("/System/userInfo"), bearer(readerToken));
  t.is(me.status, 200);
  t.deepEqual(me.data, { name: "am-reader", subject: reader.data.clientId, avatar: null, roles: [], isAnonymous: false });
  matchesSchema(t, "UserInfo", me.data);
  const adminInfo = await adm.get("/System/userInfo");
  t.deepEqual(adminInfo.data, {
    name: "Emulator Bootstrap Administrator",
    subject: emu.credentials.admin.clientId,
    avatar: null,
    roles: ["Tridion.AccessManagement.Administrator", addonsAdmin],
    isAnonymous: false,
  });

  // A user holding the Access Management Administrator role passes everywhere here.
  const amUser = await signIn(emu, "am-admin");
  await adm.setRoles("Users", amUser.id, ["Tridion.AccessManagement.Administrator"]);
  const amSecret = await adm.generateSecret("Users", amUser.id);
  const amToken = await getToken(emu, { clientId: amSecret.clientId, clientSecret: amSecret.clientSecret });
  t.is((await http.get(adm.api("/Users"), bearer(amToken))).status, 200);
  const userInfo = await http.get(adm.api("/System/userInfo"), bearer(amToken));
  t.like(userInfo.data, { name: "am-admin", subject: amUser.subject, roles: ["Tridion.AccessManagement.Administrator"] });
  t.is((await http.get(`${emu.addonsUrl}/api/v1/addons`, bearer(amToken))).status, 401, "no Add-ons audience");
});

test("the data dir holds no secret value in plain text", async (t) => {
  const user = await signIn(emu, "disk-check");
  const secret = (await adm.generateSecret("Users", user.id)).clientSecret;
  const state = fs.readFileSync(`${emu.dataDir}/state.json`, "utf8");
  t.false(state.includes(secret));
  t.false(state.includes(emu.credentials.admin.clientSecret));
  t.false(state.includes(emu.credentials.addonsService.clientSecret));
  for (const f of fs.readdirSync(emu.dataDir)) {
    if (fs.statSync(`${emu.dataDir}/${f}`).isFile()) t.false(fs.readFileSync(`${emu.dataDir}/${f}`, "utf8").includes(secret), f);
  }
});
