// Bootstrap secrets across restarts on one data dir: issued once (expiring 9999-12-31), then
// managed like any other secret (a revoked one stays revoked, a shortened expiry stays, never more
// than two secrets); --admin-client-secret and a new admin client id replace the value in place.
import test from "ava";
import * as fs from "node:fs";
import { amAdmin, type AmAccount, type ClientSecret } from "../helpers/accessManagement";
import { getToken, requestToken, startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { amError, emptyAnswer } from "./amAssertions";

const day = 24 * 3600 * 1000;
const addonsAccountName = "Add-ons API Client (service)";
const adminAccountName = "Emulator Bootstrap Administrator";
const bootstrapExpiry = "9999-12-31T23:59:59.000Z";

/** The service account of that name, as an administrator (the given credential, default the bootstrap admin) sees it. */
async function serviceAccount(e: TestEmulator, name: string, credential?: { clientId: string; clientSecret: string }): Promise<AmAccount> {
  const admin = await amAdmin(e, credential);
  const found = (await admin.list("ServiceAccounts")).filter((a) => a.name === name);
  if (found.length !== 1) throw new Error(`expected one service account ${name}, found ${found.length}`);
  return found[0];
}

const secretsOf = async (e: TestEmulator, name: string, credential?: { clientId: string; clientSecret: string }): Promise<ClientSecret[]> =>
  (await serviceAccount(e, name, credential)).clientSecrets;

/** What the CLI prints for the credentials (JSON.stringify of the result). */
const printed = (e: TestEmulator) => JSON.parse(JSON.stringify(e.credentials));

test("a revoked Add-ons API bootstrap secret stays revoked across restarts; the account never holds a third secret", async (t) => {
  let emu = await startTestEmulator();
  try {
    const original = emu.credentials.addonsService;
    let admin = await amAdmin(emu);
    const account = await serviceAccount(emu, addonsAccountName);
    t.is(account.clientId, original.clientId);
    const [bootstrap] = account.clientSecrets;
    t.deepEqual(
      bootstrap,
      { id: bootstrap.id, clientSecret: "********", expiresAt: bootstrapExpiry, lastLoginAt: null },
      "the bootstrap secret does not run out",
    );
    t.true(Number.isInteger(bootstrap.id));
    emptyAnswer(t, await admin.revokeSecret("ServiceAccounts", account.id, bootstrap.id), 204);

    emu = await emu.restart();
    const refused = await requestToken(emu.accessManagementUrl, original.clientId, original.clientSecret);
    t.is(refused.status, 401, "the restart did not bring the revoked secret back");
    t.is(refused.data.error, "invalid_client");
    t.deepEqual(await secretsOf(emu, addonsAccountName), []);
    const shown = printed(emu).addonsService;
    t.is(shown.clientId, original.clientId);
    t.is(shown.clientSecret, null);
    t.regex(shown.note, /"Add-ons API Client \(service\)" was revoked in this data dir and is not re-created/);
    t.regex(shown.note, /generateClientSecret/, "the note says how to get a new one");
    t.throws(
      () => emu.credentials.addonsService.clientSecret,
      { message: /was revoked/ },
      "code reading the value learns why it is missing",
    );

    admin = await amAdmin(emu);
    const created = [await admin.generateSecret("ServiceAccounts", account.id), await admin.generateSecret("ServiceAccounts", account.id)];
    for (let i = 0; i < 2; i++) {
      emu = await emu.restart();
      const ids = (await secretsOf(emu, addonsAccountName)).map((s) => s.id);
      t.deepEqual(ids.sort(), created.map((c) => c.id).sort(), `restart ${i + 1}: the same two secrets, no bootstrap one added`);
      t.is((await requestToken(emu.accessManagementUrl, account.clientId!, created[0].clientSecret)).status, 200);
    }
    admin = await amAdmin(emu);
    amError(t, await admin.post(`/ServiceAccounts/${account.id}/generateClientSecret`), 400, "MaxClientSecretsReached");
  } finally {
    await emu.close();
  }
});

test("a shortened bootstrap expiry survives a restart: the record is kept as it is and the value still works", async (t) => {
  let emu = await startTestEmulator();
  try {
    const credentials = printed(emu);
    const admin = await amAdmin(emu);
    const account = await serviceAccount(emu, adminAccountName);
    const [bootstrap] = account.clientSecrets;
    t.is(bootstrap.expiresAt, bootstrapExpiry);
    const shorterAt = new Date(Date.now() + 10 * day).toISOString();
    const shortened = await admin.setSecretExpiry("ServiceAccounts", account.id, bootstrap.id, shorterAt);
    t.is(shortened.status, 200, JSON.stringify(shortened.data));
    const before = await secretsOf(emu, adminAccountName);

    emu = await emu.restart();
    t.deepEqual(printed(emu), credentials, "same values, no note");
    const after = await secretsOf(emu, adminAccountName);
    t.deepEqual(
      after.map((s) => ({ ...s, lastLoginAt: null })),
      before.map((s) => ({ ...s, lastLoginAt: null })),
    );
    t.is(after[0].expiresAt, shorterAt, "not reset to 9999-12-31");
    t.is((await requestToken(emu.accessManagementUrl, credentials.admin.clientId, credentials.admin.clientSecret)).status, 200);
  } finally {
    await emu.close();
  }
});

test("--admin-client-secret replaces the value in place; later starts without it keep it; a revoked one returns only when asked", async (t) => {
  let emu = await startTestEmulator();
  try {
    const derived = emu.credentials.admin;
    let admin = await amAdmin(emu);
    const account = await serviceAccount(emu, adminAccountName);
    const spare = await admin.generateSecret("ServiceAccounts", account.id);
    const [bootstrap] = (await serviceAccount(emu, adminAccountName)).clientSecrets;
    const spareCredential = { clientId: derived.clientId, clientSecret: spare.clientSecret };

    emu = await emu.restart({ adminClientSecret: "chosen-secret-number-one" });
    t.deepEqual(printed(emu).admin, { clientId: derived.clientId, clientSecret: "chosen-secret-number-one" });
    t.is(
      (await requestToken(emu.accessManagementUrl, derived.clientId, derived.clientSecret)).status,
      401,
      "the derived value was replaced",
    );
    const replaced = await secretsOf(emu, adminAccountName);
    t.deepEqual(
      replaced.map((s) => s.id),
      [bootstrap.id, spare.id],
      "replaced in place: still two secrets",
    );
    t.is(replaced[0].expiresAt, bootstrapExpiry);

    emu = await emu.restart({ adminClientSecret: undefined });
    t.is(printed(emu).admin.clientSecret, null);
    t.regex(printed(emu).admin.note, /set with --admin-client-secret at an earlier start and is kept/);
    t.is(
      (await requestToken(emu.accessManagementUrl, derived.clientId, "chosen-secret-number-one")).status,
      200,
      "the chosen secret keeps working",
    );

    admin = await amAdmin(emu, spareCredential);
    emptyAnswer(t, await admin.revokeSecret("ServiceAccounts", account.id, bootstrap.id), 204);
    emu = await emu.restart();
    t.regex(printed(emu).admin.note, /was revoked in this data dir and is not re-created\. Start with --admin-client-secret/);
    t.deepEqual(
      (await secretsOf(emu, adminAccountName, spareCredential)).map((s) => s.id),
      [spare.id],
    );

    emu = await emu.restart({ adminClientSecret: "chosen-secret-number-two" });
    t.is((await requestToken(emu.accessManagementUrl, derived.clientId, "chosen-secret-number-two")).status, 200, "re-issued on request");
    const reissued = await secretsOf(emu, adminAccountName);
    t.is(reissued.length, 2);
    const newBootstrap = reissued.find((s) => s.id !== spare.id)!;
    t.is(newBootstrap.expiresAt, bootstrapExpiry);

    // with the bootstrap secret revoked again and two other secrets, re-issuing would make three
    admin = await amAdmin(emu, spareCredential);
    emptyAnswer(t, await admin.revokeSecret("ServiceAccounts", account.id, newBootstrap.id), 204);
    t.is((await admin.post(`/ServiceAccounts/${account.id}/generateClientSecret`)).status, 200);
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
    const [bootstrap] = await secretsOf(emu, adminAccountName);
    emu = await emu.restart({ adminClientId: "renamed-admin" });
    const after = emu.credentials.admin;
    t.is(after.clientId, "renamed-admin");
    t.not(after.clientSecret, before.clientSecret, "derived from the new client id");
    t.is((await requestToken(emu.accessManagementUrl, before.clientId, before.clientSecret)).status, 401, "the old client id is gone");
    const account = await serviceAccount(emu, adminAccountName);
    t.is(account.clientId, "renamed-admin");
    t.deepEqual(
      account.clientSecrets.map((s) => [s.id, s.expiresAt]),
      [[bootstrap.id, bootstrapExpiry]],
      "the same record, one secret",
    );
    await t.throwsAsync(emu.restart({ adminClientId: emu.credentials.addonsService.clientId }), {
      message: /adminClientId .* is already used by another account/,
    });
  } finally {
    await emu.close().catch(() => undefined);
  }
});

test("bootstrap secrets are the first of their account's two, issued on the first start of a data dir only (state.json remembers them)", async (t) => {
  let emu = await startTestEmulator();
  try {
    const account = await serviceAccount(emu, addonsAccountName);
    const admin = await amAdmin(emu);
    const extra = await admin.generateSecret("ServiceAccounts", account.id);
    amError(t, await admin.post(`/ServiceAccounts/${account.id}/generateClientSecret`), 400, "MaxClientSecretsReached", "clientSecrets");
    const state = JSON.parse(fs.readFileSync(`${emu.dataDir}/state.json`, "utf8"));
    t.is(state.formatVersion, 2);
    t.is(state.bootstrap.issuedSecrets.addonsService.secretId, account.clientSecrets[0].id);
    t.is(state.bootstrap.issuedSecrets.admin.secretId, (await serviceAccount(emu, adminAccountName)).clientSecrets[0].id);
    emu = await emu.restart();
    t.deepEqual(
      (await secretsOf(emu, addonsAccountName)).map((s) => s.id),
      [account.clientSecrets[0].id, extra.id],
    );
    t.is((await getToken(emu, emu.credentials.addonsService)).length > 0, true, "the printed value still works");
  } finally {
    await emu.close();
  }
});
