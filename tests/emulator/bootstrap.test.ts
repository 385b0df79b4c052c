// Bootstrap secrets across restarts on one data dir: issued once, then managed like any other
// secret (a revoked one stays revoked, a shortened expiry stays, never more than two secrets);
// --admin-client-secret and a new admin client id replace the value in place.
import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bearer, getToken, http, requestToken, startTestEmulator, type TestEmulator } from "../helpers/emulator";

const api = (e: TestEmulator) => `${e.accessManagementUrl}/api/v1`;
const day = 24 * 3600 * 1000;
const addonsAccountName = "Add-ons API Client (service)";
const adminAccountName = "Emulator Bootstrap Administrator";

interface SecretItem { id: string; createdAt: string; expiresAt: string | null; description?: string }

async function serviceAccount(e: TestEmulator, token: string, name: string): Promise<{ id: string; clientId: string }> {
  const res = await http.get(`${api(e)}/service-accounts?name=${encodeURIComponent(name)}`, bearer(token));
  if (res.status !== 200 || res.data.length !== 1) throw new Error(`no service account ${name}: ${res.status}`);
  return res.data[0];
}

async function secretsOf(e: TestEmulator, token: string, accountId: string): Promise<SecretItem[]> {
  return (await http.get(`${api(e)}/service-accounts/${accountId}/client-secrets`, bearer(token))).data;
}

/** What the CLI prints for the credentials (JSON.stringify of the result). */
const printed = (e: TestEmulator) => JSON.parse(JSON.stringify(e.credentials));

test("a revoked Add-ons API bootstrap secret stays revoked across restarts; the account never holds a third secret", async (t) => {
  let emu = await startTestEmulator();
  try {
    const original = emu.credentials.addonsService;
    let admin = await getToken(emu, emu.credentials.admin);
    const account = await serviceAccount(emu, admin, addonsAccountName);
    const [bootstrap] = await secretsOf(emu, admin, account.id);
    t.like(bootstrap, { expiresAt: null });
    t.is((await http.delete(`${api(emu)}/service-accounts/${account.id}/client-secrets/${bootstrap.id}`, bearer(admin))).status, 204);

    emu = await emu.restart();
    const refused = await requestToken(emu.accessManagementUrl, original.clientId, original.clientSecret);
    t.is(refused.status, 401, "the restart did not bring the revoked secret back");
    t.is(refused.data.error, "invalid_client");
    admin = await getToken(emu, emu.credentials.admin);
    t.deepEqual(await secretsOf(emu, admin, account.id), []);
    const shown = printed(emu).addonsService;
    t.is(shown.clientId, original.clientId);
    t.is(shown.clientSecret, null);
    t.regex(shown.note, /"Add-ons API Client \(service\)" was revoked in this data dir and is not re-created/);
    t.throws(() => emu.credentials.addonsService.clientSecret, { message: /was revoked/ }, "code reading the value learns why it is missing");

    const secretsUrl = () => `${api(emu)}/service-accounts/${account.id}/client-secrets`;
    const created = [await http.post(secretsUrl(), {}, bearer(admin)), await http.post(secretsUrl(), {}, bearer(admin))];
    t.deepEqual(created.map((r) => r.status), [201, 201]);
    for (let i = 0; i < 2; i++) {
      emu = await emu.restart();
      admin = await getToken(emu, emu.credentials.admin);
      const ids = (await secretsOf(emu, admin, account.id)).map((s) => s.id);
      t.deepEqual(ids.sort(), created.map((r) => r.data.id).sort(), `restart ${i + 1}: the same two secrets, no bootstrap one added`);
      t.is((await requestToken(emu.accessManagementUrl, account.clientId, created[0].data.secret)).status, 200);
    }
    t.is((await http.post(secretsUrl(), {}, bearer(admin))).status, 409);
  } finally {
    await emu.close();
  }
});

test("a shortened bootstrap expiry survives a restart: the record is kept as it is and the value still works", async (t) => {
  let emu = await startTestEmulator();
  try {
    const credentials = printed(emu);
    let admin = await getToken(emu, emu.credentials.admin);
    const account = await serviceAccount(emu, admin, adminAccountName);
    const [bootstrap] = await secretsOf(emu, admin, account.id);
    const shorterAt = new Date(Date.now() + 10 * day).toISOString();
    const patched = await http.patch(`${api(emu)}/service-accounts/${account.id}/client-secrets/${bootstrap.id}`, { expiresAt: shorterAt }, bearer(admin));
    t.is(patched.status, 200);
    const before = await secretsOf(emu, admin, account.id);

    emu = await emu.restart();
    t.deepEqual(printed(emu), credentials, "same values, no note");
    admin = await getToken(emu, emu.credentials.admin);
    const after = await secretsOf(emu, admin, account.id);
    t.deepEqual(after, before);
    t.is(after[0].expiresAt, shorterAt, "not reset to never");
  } finally {
    await emu.close();
  }
});

test("--admin-client-secret replaces the value in place; later starts without it keep it; a revoked one returns only when asked", async (t) => {
  let emu = await startTestEmulator();
  try {
    const derived = emu.credentials.admin;
    let admin = await getToken(emu, derived);
    const account = await serviceAccount(emu, admin, adminAccountName);
    const url = `${api(emu)}/service-accounts/${account.id}/client-secrets`;
    const spare = (await http.post(url, { description: "spare" }, bearer(admin))).data;
    const [bootstrap] = await secretsOf(emu, admin, account.id);

    emu = await emu.restart({ adminClientSecret: "chosen-secret-number-one" });
    t.deepEqual(printed(emu).admin, { clientId: derived.clientId, clientSecret: "chosen-secret-number-one" });
    t.is((await requestToken(emu.accessManagementUrl, derived.clientId, derived.clientSecret)).status, 401, "the derived value was replaced");
    admin = await getToken(emu, emu.credentials.admin);
    const replaced = await secretsOf(emu, admin, account.id);
    t.deepEqual(replaced.map((s) => s.id), [bootstrap.id, spare.id], "replaced in place: still two secrets");

    emu = await emu.restart({ adminClientSecret: undefined });
    t.is(printed(emu).admin.clientSecret, null);
    t.regex(printed(emu).admin.note, /set with --admin-client-secret at an earlier start and is kept/);
    t.is((await requestToken(emu.accessManagementUrl, derived.clientId, "chosen-secret-number-one")).status, 200, "the chosen secret keeps working");

    admin = await getToken(emu, { clientId: derived.clientId, clientSecret: spare.secret });
    t.is((await http.delete(`${api(emu)}/service-accounts/${account.id}/client-secrets/${bootstrap.id}`, bearer(admin))).status, 204);
    emu = await emu.restart();
    t.regex(printed(emu).admin.note, /was revoked in this data dir and is not re-created\. Start with --admin-client-secret/);
    admin = await getToken(emu, { clientId: derived.clientId, clientSecret: spare.secret });
    t.deepEqual((await secretsOf(emu, admin, account.id)).map((s) => s.id), [spare.id]);

    emu = await emu.restart({ adminClientSecret: "chosen-secret-number-two" });
    t.is((await requestToken(emu.accessManagementUrl, derived.clientId, "chosen-secret-number-two")).status, 200, "re-issued on request");
    admin = await getToken(emu, emu.credentials.admin);
    t.is((await secretsOf(emu, admin, account.id)).length, 2);

    // with the bootstrap secret revoked again and two other secrets, re-issuing would make three
    t.is((await http.delete(`${api(emu)}/service-accounts/${account.id}/client-secrets/${bootstrap.id}`, bearer(admin))).status, 204);
    t.is((await http.post(`${api(emu)}/service-accounts/${account.id}/client-secrets`, {}, bearer(await getToken(emu, { clientId: derived.clientId, clientSecret: spare.secret })))).status, 201);
    await t.throwsAsync(emu.restart({ adminClientSecret: "chosen-secret-number-three" }), {
      message: /Cannot issue the bootstrap secret of "Emulator Bootstrap Administrator" again: the account already has 2 client secrets/,
    });
  } finally {
    await emu.close().catch(() => undefined);
  }
});

test("a new admin client id replaces the derived bootstrap value in place", async (t) => {
  let emu = await startTestEmulator();
  try {
    const before = emu.credentials.admin;
    emu = await emu.restart({ adminClientId: "renamed-admin" });
    const after = emu.credentials.admin;
    t.is(after.clientId, "renamed-admin");
    t.not(after.clientSecret, before.clientSecret, "derived from the new client id");
    const admin = await getToken(emu, after);
    const account = await serviceAccount(emu, admin, adminAccountName);
    t.is(account.clientId, "renamed-admin");
    t.is((await secretsOf(emu, admin, account.id)).length, 1);
  } finally {
    await emu.close();
  }
});

test("a data dir from before the issued-secrets record: an existing bootstrap secret is kept, a missing one stays revoked", async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tridion-emulator-legacy-"));
  let emu = await startTestEmulator({ dataDir });
  try {
    const credentials = printed(emu);
    const admin = await getToken(emu, emu.credentials.admin);
    const account = await serviceAccount(emu, admin, addonsAccountName);
    const [bootstrap] = await secretsOf(emu, admin, account.id);
    t.is((await http.delete(`${api(emu)}/service-accounts/${account.id}/client-secrets/${bootstrap.id}`, bearer(admin))).status, 204);
    await emu.close();
    const stateFile = `${dataDir}/state.json`;
    const state = JSON.parse(fs.readFileSync(stateFile, "utf8"));
    t.truthy(state.bootstrap.issuedSecrets.admin, "the state remembers the issued secrets");
    delete state.bootstrap.issuedSecrets;
    fs.writeFileSync(stateFile, JSON.stringify(state));

    emu = await startTestEmulator({ dataDir });
    t.deepEqual(printed(emu).admin, credentials.admin);
    t.is(printed(emu).addonsService.clientSecret, null);
    t.is((await requestToken(emu.accessManagementUrl, credentials.addonsService.clientId, credentials.addonsService.clientSecret)).status, 401);
  } finally {
    await emu.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
