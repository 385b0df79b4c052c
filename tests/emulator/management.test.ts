// The Access Management management API: users (create, adopt, update, delete), client secrets
// (one-time value, at most two, expiry rules, revocation), predefined accounts, service accounts
// (10 vs 9.6), api-resources, OpenAPI document, and its 401/403 checks.
import test from "ava";
import * as fs from "node:fs";
import { bearer, getToken, http, requestToken, startTestEmulator, type TestEmulator } from "../helpers/emulator";

let emu: TestEmulator;
let emu96: TestEmulator;
let admin: string;
let admin96: string;
const api = (e: TestEmulator) => `${e.accessManagementUrl}/api/v1`;
const day = 24 * 3600 * 1000;

test.before(async () => {
  emu = await startTestEmulator({ seedUsers: ["alice@example.com"] });
  emu96 = await startTestEmulator({ productVersion: "9.6" });
  admin = await getToken(emu, emu.credentials.admin);
  admin96 = await getToken(emu96, emu96.credentials.admin);
});
test.after.always(async () => {
  await emu?.close();
  await emu96?.close();
});

const auth = (token = admin) => bearer(token);

test("users: create 201, get, list by name, put, duplicate 409, delete 204 then 404", async (t) => {
  const created = await http.post(`${api(emu)}/users`, { name: "deployer-1", email: "d@example.com", accessSettings: [{ api: "Tridion.AddonService", role: "Administrator" }] }, auth());
  t.is(created.status, 201);
  t.like(created.data, { name: "deployer-1", displayName: "deployer-1", email: "d@example.com", predefined: false });
  t.truthy(created.data.clientId);
  const id = created.data.id;
  t.like((await http.get(`${api(emu)}/users/${id}`, auth())).data, { id, name: "deployer-1" });
  const listed = await http.get(`${api(emu)}/users?name=deployer-1`, auth());
  t.deepEqual(listed.data.map((u: { id: string }) => u.id), [id]);
  const dup = await http.post(`${api(emu)}/users`, { name: "deployer-1" }, auth());
  t.is(dup.status, 409);
  t.regex(String(dup.headers["content-type"]), /^application\/problem\+json/);
  t.is(dup.data.existingId, id);
  t.regex(dup.data.detail, /already exists/);
  const put = await http.put(`${api(emu)}/users/${id}`, { name: "deployer-1", displayName: "Deployer", accessSettings: [{ api: "Tridion.AddonService", role: "ReadOnly" }] }, auth());
  t.is(put.status, 200);
  t.deepEqual(put.data.accessSettings, [{ api: "Tridion.AddonService", role: "ReadOnly" }]);
  t.is(put.data.email, null, "PUT replaces the whole object");
  t.is((await http.delete(`${api(emu)}/users/${id}`, auth())).status, 204);
  t.is((await http.get(`${api(emu)}/users/${id}`, auth())).status, 404);
});

test("users: a user who has logged in is adopted by POST (200, same id), then a second POST is 409", async (t) => {
  const before = (await http.get(`${api(emu)}/users?name=alice@example.com`, auth())).data[0];
  t.is(before.origin, "identityProvider");
  const adopted = await http.post(`${api(emu)}/users`, { name: "alice@example.com", accessSettings: [{ api: "Tridion.AddonService", role: "Administrator" }] }, auth());
  t.is(adopted.status, 200);
  t.is(adopted.data.id, before.id);
  t.is(adopted.data.origin, "api");
  t.is((await http.post(`${api(emu)}/users`, { name: "alice@example.com" }, auth())).status, 409);
  // and the HTTP test control seeds more logged-in users
  const seeded = await http.post(`${emu.accessManagementUrl.replace("/access-management", "")}/__emulator/logged-in-users`, { name: "bob" });
  t.is(seeded.status, 201);
  t.is(seeded.data.origin, "identityProvider");
});

test("users: bad bodies are 400 problems that name the cause", async (t) => {
  const noName = await http.post(`${api(emu)}/users`, { displayName: "x" }, auth());
  t.is(noName.status, 400);
  t.regex(noName.data.detail, /"name" is required/);
  t.regex(String(noName.headers["content-type"]), /^application\/problem\+json/);
  const badApi = await http.post(`${api(emu)}/users`, { name: "u-bad", accessSettings: [{ api: "Nope", role: "Administrator" }] }, auth());
  t.is(badApi.status, 400);
  t.regex(String(badApi.headers["content-type"]), /^application\/problem\+json/);
  t.regex(badApi.data.detail, /not a known API/);
  const badRole = await http.post(`${api(emu)}/users`, { name: "u-bad", accessSettings: [{ api: "Tridion.AddonService", role: "Owner" }] }, auth());
  t.is(badRole.status, 400);
  t.regex(String(badRole.headers["content-type"]), /^application\/problem\+json/);
  t.regex(badRole.data.detail, /Administrator, Service, ReadOnly/);
  const twoRoles = await http.post(`${api(emu)}/users`, { name: "u-bad", accessSettings: [{ api: "Tridion.AddonService", role: "Service" }, { api: "Tridion.AddonService", role: "ReadOnly" }] }, auth());
  t.is(twoRoles.status, 400);
  t.regex(String(twoRoles.headers["content-type"]), /^application\/problem\+json/);
  t.regex(twoRoles.data.detail, /at most one role per API/);
  t.is((await http.get(`${api(emu)}/users?name=u-bad`, auth())).data.length, 0, "no refused body created a user");
  const notJson = await http.post(`${api(emu)}/users`, "{oops", { headers: { ...auth().headers, "Content-Type": "application/json" } });
  t.is(notJson.status, 400);
  t.regex(String(notJson.headers["content-type"]), /^application\/problem\+json/);
});

test("client secrets: value shown once, listed without values, at most two, revocation refuses tokens", async (t) => {
  const user = (await http.post(`${api(emu)}/users`, { name: "secret-user", accessSettings: [{ api: "Tridion.AddonService", role: "Administrator" }] }, auth())).data;
  const url = `${api(emu)}/users/${user.id}/client-secrets`;
  const first = await http.post(url, {}, auth());
  t.is(first.status, 201);
  t.is(first.data.clientId, user.clientId);
  t.is(typeof first.data.secret, "string");
  t.true(first.data.secret.length >= 32);
  t.true(Math.abs(Date.parse(first.data.expiresAt) - Date.now() - 365 * day) < 60_000, "default expiry is one year");
  const second = await http.post(url, { description: "rollover" }, auth());
  t.is(second.status, 201);
  const third = await http.post(url, {}, auth());
  t.is(third.status, 409);
  t.regex(third.data.detail, /maximum/);
  t.regex(third.data.detail, /Delete one/);
  const list = await http.get(url, auth());
  t.is(list.data.length, 2);
  t.false(JSON.stringify(list.data).includes(first.data.secret));
  t.false("secret" in list.data[0]);
  t.deepEqual(Object.keys(list.data[0]).sort(), ["createdAt", "expired", "expiresAt", "id"]);
  // both secrets work at the token endpoint
  t.is((await requestToken(emu.accessManagementUrl, user.clientId, first.data.secret)).status, 200);
  t.is((await requestToken(emu.accessManagementUrl, user.clientId, second.data.secret)).status, 200);
  // revoke the first
  t.is((await http.delete(`${url}/${first.data.id}`, auth())).status, 204);
  const refused = await requestToken(emu.accessManagementUrl, user.clientId, first.data.secret);
  t.is(refused.status, 401);
  t.is(refused.data.error, "invalid_client");
  t.is((await requestToken(emu.accessManagementUrl, user.clientId, second.data.secret)).status, 200);
  t.is((await http.delete(`${url}/${first.data.id}`, auth())).status, 404);
});

test("client secrets: expiry between 1 and 365 days; PATCH only shortens", async (t) => {
  const user = (await http.post(`${api(emu)}/users`, { name: "expiry-user" }, auth())).data;
  const url = `${api(emu)}/users/${user.id}/client-secrets`;
  const tooLong = await http.post(url, { expiresAt: new Date(Date.now() + 366 * day).toISOString() }, auth());
  t.is(tooLong.status, 400);
  t.regex(tooLong.data.detail, /365 days/);
  const tooShort = await http.post(url, { expiresAt: new Date(Date.now() + 3600_000).toISOString() }, auth());
  t.is(tooShort.status, 400);
  const notDate = await http.post(url, { expiresAt: "next tuesday" }, auth());
  t.regex(notDate.data.detail, /ISO 8601/);
  const ok = await http.post(url, { expiresAt: new Date(Date.now() + 30 * day).toISOString() }, auth());
  t.is(ok.status, 201);
  const item = `${url}/${ok.data.id}`;
  const longer = await http.patch(item, { expiresAt: new Date(Date.now() + 60 * day).toISOString() }, auth());
  t.is(longer.status, 400);
  t.regex(longer.data.detail, /only be shortened/);
  const shorterAt = new Date(Date.now() + 10 * day).toISOString();
  const shorter = await http.patch(item, { expiresAt: shorterAt }, auth());
  t.is(shorter.status, 200);
  t.is(shorter.data.expiresAt, shorterAt);
  const past = await http.patch(item, { expiresAt: new Date(Date.now() - day).toISOString() }, auth());
  t.is(past.status, 400);
});

test("client secrets: expiresAt must be a full ISO 8601 date-time with a time zone (POST and PATCH)", async (t) => {
  const user = (await http.post(`${api(emu)}/users`, { name: "iso-user" }, auth())).data;
  const url = `${api(emu)}/users/${user.id}/client-secrets`;
  const at = new Date(Date.now() + 30 * day);
  const iso = at.toISOString();
  const [date, time] = iso.split("T");
  // each is a date Date.parse accepts, 30 days ahead, but not a full date-time with a zone
  const daysInMonth = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 0)).getUTCDate();
  const dayAfterMonthEnd = `${date.slice(0, 8)}${daysInMonth + 1}T00:00:00Z`; // Date.parse may roll it over
  const loose = [date, `${date}T${time.slice(0, 8)}`, `${date} ${time}`, `${date}T${time.slice(0, 5)}Z`, at.toUTCString(), dayAfterMonthEnd];
  for (const expiresAt of loose) {
    const res = await http.post(url, { expiresAt }, auth());
    t.is(res.status, 400, expiresAt);
    t.regex(String(res.headers["content-type"]), /^application\/problem\+json/);
    t.regex(res.data.detail, /ISO 8601 date-time with seconds and a time zone, YYYY-MM-DDTHH:MM:SS\[\.fff\]\(Z\|\+HH:MM\)/, expiresAt);
  }
  t.is((await http.get(url, auth())).data.length, 0, "no refused body created a secret");
  const withOffset = await http.post(url, { expiresAt: `${date}T12:00:00.5+02:00` }, auth());
  t.is(withOffset.status, 201, JSON.stringify(withOffset.data));
  t.is(withOffset.data.expiresAt, new Date(`${date}T10:00:00.500Z`).toISOString());
  const patch = await http.patch(`${url}/${withOffset.data.id}`, { expiresAt: date }, auth());
  t.is(patch.status, 400);
  t.regex(patch.data.detail, /ISO 8601 date-time with seconds and a time zone/);
});

test("an expired secret is refused with invalid_client (clock advanced), tokens expire too", async (t) => {
  const e = await startTestEmulator();
  try {
    const token = await getToken(e, e.credentials.admin);
    const user = (await http.post(`${api(e)}/users`, { name: "short", accessSettings: [{ api: "Tridion.AddonService", role: "ReadOnly" }] }, bearer(token))).data;
    const secret = (await http.post(`${api(e)}/users/${user.id}/client-secrets`, { expiresAt: new Date(Date.now() + 2 * day).toISOString() }, bearer(token))).data;
    t.is((await requestToken(e.accessManagementUrl, user.clientId, secret.secret)).status, 200);
    e.advanceClock(3 * 24 * 3600);
    const refused = await requestToken(e.accessManagementUrl, user.clientId, secret.secret);
    t.is(refused.status, 401);
    t.is(refused.data.error, "invalid_client");
    const list = await http.get(`${api(e)}/users`, bearer(token));
    t.is(list.status, 401, "the admin token issued before the jump has expired");
    t.regex(list.data.detail, /expired/);
    const fresh = await getToken(e, e.credentials.admin);
    const secrets = await http.get(`${api(e)}/users/${user.id}/client-secrets`, bearer(fresh));
    t.true(secrets.data[0].expired);
  } finally {
    await e.close();
  }
});

test("predefined service accounts (10): the right names, access settings immutable, cannot be deleted", async (t) => {
  const list = await http.get(`${api(emu)}/service-accounts`, auth());
  t.is(list.status, 200);
  const names = list.data.filter((a: { predefined: boolean }) => a.predefined).map((a: { name: string }) => a.name);
  for (const name of ["Access Management API Client (admin)", "Add-ons API Client (service)", "Tridion Sites Content Manager API Client (admin)"]) {
    t.true(names.includes(name), name);
  }
  const addons = list.data.find((a: { name: string }) => a.name === "Add-ons API Client (service)");
  t.is(addons.clientId, emu.credentials.addonsService.clientId);
  t.deepEqual(addons.accessSettings, [{ api: "Tridion.AddonService", role: "Service" }]);
  const change = await http.put(`${api(emu)}/service-accounts/${addons.id}`, { name: addons.name, accessSettings: [{ api: "Tridion.AddonService", role: "Administrator" }] }, auth());
  t.is(change.status, 403);
  t.regex(change.data.detail, /predefined/);
  t.regex(change.data.detail, /cannot be changed/);
  t.is((await http.delete(`${api(emu)}/service-accounts/${addons.id}`, auth())).status, 403);
});

test("custom service accounts (10): create with or without clientId, conflicts, update, secrets, delete", async (t) => {
  const generated = await http.post(`${api(emu)}/service-accounts`, { name: "pipeline", accessSettings: [{ api: "Tridion.AddonService", role: "Administrator" }] }, auth());
  t.is(generated.status, 201);
  t.regex(generated.data.clientId, /^[0-9a-f-]{36}$/);
  t.false(generated.data.predefined);
  const chosen = await http.post(`${api(emu)}/service-accounts`, { name: "pipeline-2", clientId: "my-pipeline", description: "CI", accessSettings: [] }, auth());
  t.is(chosen.data.clientId, "my-pipeline");
  t.is((await http.post(`${api(emu)}/service-accounts`, { name: "pipeline-3", clientId: "my-pipeline", accessSettings: [] }, auth())).status, 409);
  t.is((await http.post(`${api(emu)}/service-accounts`, { name: "pipeline", accessSettings: [] }, auth())).status, 409);
  t.is((await http.post(`${api(emu)}/service-accounts`, { name: "no-settings" }, auth())).status, 400);
  const updated = await http.put(`${api(emu)}/service-accounts/${chosen.data.id}`, { name: "pipeline-2", accessSettings: [{ api: "Tridion.AddonService", role: "Service" }] }, auth());
  t.deepEqual(updated.data.accessSettings, [{ api: "Tridion.AddonService", role: "Service" }]);
  const clientIdChange = await http.put(`${api(emu)}/service-accounts/${chosen.data.id}`, { name: "pipeline-2", clientId: "other", accessSettings: [] }, auth());
  t.is(clientIdChange.status, 400);
  const secret = await http.post(`${api(emu)}/service-accounts/${generated.data.id}/client-secrets`, {}, auth());
  t.is(secret.status, 201);
  const token = await requestToken(emu.accessManagementUrl, generated.data.clientId, secret.data.secret);
  t.is(token.status, 200);
  t.is((await http.delete(`${api(emu)}/service-accounts/${generated.data.id}`, auth())).status, 204);
  t.is((await requestToken(emu.accessManagementUrl, generated.data.clientId, secret.data.secret)).data.error, "invalid_client");
});

test("9.6: service-account routes answer 404 explaining 10.0 and client credentials on a user", async (t) => {
  for (const [method, path] of [["get", "/service-accounts"], ["post", "/service-accounts"], ["get", "/service-accounts/x/client-secrets"]] as const) {
    const res = await http.request({ method, url: `${api(emu96)}${path}`, data: method === "post" ? { name: "x", accessSettings: [] } : undefined, ...bearer(admin96) });
    t.is(res.status, 404);
    t.regex(String(res.headers["content-type"]), /^application\/problem\+json/);
    t.regex(res.data.detail, /not available before Tridion Sites 10\.0/);
    t.regex(res.data.detail, /client credentials to a user/);
  }
});

test("9.6: a user with client credentials and the Add-ons Administrator role gets a token for the Add-ons Service", async (t) => {
  const user = (await http.post(`${api(emu96)}/users`, { name: "ci", accessSettings: [{ api: "Tridion.AddonService", role: "Administrator" }] }, bearer(admin96))).data;
  const secret = (await http.post(`${api(emu96)}/users/${user.id}/client-secrets`, {}, bearer(admin96))).data;
  const token = await requestToken(emu96.accessManagementUrl, user.clientId, secret.secret);
  t.is(token.status, 200);
  const list = await http.get(`${emu96.addonsUrl}/api/v1/addons`, bearer(token.data.access_token));
  t.is(list.status, 200);
});

test("api-resources lists APIs and role keys; the OpenAPI document describes the routes", async (t) => {
  const res = await http.get(`${api(emu)}/api-resources`, auth());
  t.is(res.status, 200);
  const addons = res.data.find((r: { name: string }) => r.name === "Tridion.AddonService");
  t.deepEqual(addons.roles.map((r: { key: string }) => r.key), ["Tridion.AddonService.Administrator", "Tridion.AddonService.Service", "Tridion.AddonService.ReadOnly"]);
  const doc = await http.get(`${emu.accessManagementUrl}/api/api-docs/v1/openapi.json`);
  t.is(doc.status, 200);
  t.is(doc.data.openapi, "3.0.3");
  t.truthy(doc.data.paths["/api/v1/users/{id}/client-secrets"].post);
  t.truthy(doc.data.paths["/api/v1/service-accounts"].get);
});

test("9.6: the management OpenAPI document leaves out the service-account routes, which answer 404 there", async (t) => {
  const doc = await http.get(`${emu96.accessManagementUrl}/api/api-docs/v1/openapi.json`);
  t.is(doc.status, 200);
  t.truthy(doc.data.paths["/api/v1/users"].post);
  t.truthy(doc.data.paths["/api/v1/users/{id}/client-secrets/{secretId}"].patch);
  t.truthy(doc.data.paths["/api/v1/api-resources"].get);
  const listed = Object.values(doc.data.paths as Record<string, Record<string, { "x-route-key": string }>>)
    .flatMap((ops) => Object.values(ops).map((op) => op["x-route-key"]));
  t.deepEqual(listed.filter((key) => key.startsWith("serviceAccount")), []);
  t.deepEqual(Object.keys(doc.data.paths).filter((p) => p.includes("service-accounts")), []);
});

test("management API: 401 without a token, with garbage or with a token for another audience; an AM Administrator user passes", async (t) => {
  const none = await http.get(`${api(emu)}/users`);
  t.is(none.status, 401);
  t.regex(String(none.headers["content-type"]), /^application\/problem\+json/);
  t.is(none.headers["www-authenticate"], "Bearer");
  const garbage = await http.get(`${api(emu)}/users`, bearer("not.a.jwt"));
  t.is(garbage.status, 401);
  t.is(garbage.headers["www-authenticate"], 'Bearer error="invalid_token", error_description="The token is malformed"');
  // Add-ons API account's token has audience Tridion.AddonService only: wrong audience -> 401
  const addonsToken = await getToken(emu, emu.credentials.addonsService);
  const wrongAudience = await http.get(`${api(emu)}/users`, bearer(addonsToken));
  t.is(wrongAudience.status, 401);
  t.regex(wrongAudience.data.detail, /audience/);
  t.is(wrongAudience.headers["www-authenticate"], 'Bearer error="invalid_token", error_description="The audience is invalid (expected Tridion.AccessManagement)"');
  // Access Management has a single role (Administrator), so a user holding it passes everywhere here.
  const amUser = (await http.post(`${api(emu)}/users`, { name: "am-admin", accessSettings: [{ api: "Tridion.AccessManagement", role: "Administrator" }] }, auth())).data;
  const amSecret = (await http.post(`${api(emu)}/users/${amUser.id}/client-secrets`, {}, auth())).data;
  const amToken = await getToken(emu, { clientId: amUser.clientId, clientSecret: amSecret.secret });
  t.is((await http.get(`${api(emu)}/users`, bearer(amToken))).status, 200);
  t.is((await http.get(`${emu.addonsUrl}/api/v1/addons`, bearer(amToken))).status, 401, "no Add-ons audience");
});

test("the data dir holds no secret value in plain text", async (t) => {
  const user = (await http.post(`${api(emu)}/users`, { name: "disk-check" }, auth())).data;
  const secret = (await http.post(`${api(emu)}/users/${user.id}/client-secrets`, {}, auth())).data.secret as string;
  const state = fs.readFileSync(`${emu.dataDir}/state.json`, "utf8");
  t.false(state.includes(secret));
  t.false(state.includes(emu.credentials.admin.clientSecret));
  t.false(state.includes(emu.credentials.addonsService.clientSecret));
  for (const f of fs.readdirSync(emu.dataDir)) {
    if (fs.statSync(`${emu.dataDir}/${f}`).isFile()) t.false(fs.readFileSync(`${emu.dataDir}/${f}`, "utf8").includes(secret), f);
  }
});
