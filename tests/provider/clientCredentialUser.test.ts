// ClientCredentialUser against the emulator (9.6 and 10), calling the provider implementation
// directly: the lifecycle as steps, drift made out of band through the real API, error texts.
import test from "ava";
import { requestToken } from "../helpers/emulator";
import { adminApi, configFor, configure, failure, impl, start, UNKNOWN } from "./support";

const p = impl.clientCredentialUser;
const ADDONS_ADMIN = "Tridion.AddonService.Administrator";
const CM_ADMIN = "Tridion.ContentManager.Administrator";

async function tokenWorks(accessManagementUrl: string, clientId: string, clientSecret: string): Promise<boolean> {
  return (await requestToken(accessManagementUrl, clientId, clientSecret)).status === 200;
}

test.serial("lifecycle on 9.6: create, no-op, update, rotate, drift, replace, delete", async (t) => {
  const emulator = await start({ productVersion: "9.6" });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const inputs = { userName: "addon-deployer", displayName: "Add-on pipeline", roles: [ADDONS_ADMIN], secretExpiresInDays: 90 };

  // Step 1: check accepts the inputs; create makes the user, the role and one secret.
  const checked = await p.check!({}, inputs);
  t.deepEqual(checked.failures ?? [], []);
  const created = await p.create(checked.inputs);
  const outs = created.outs;
  t.is(created.id, outs.userId);
  t.truthy(outs.clientId);
  t.truthy(outs.clientSecret);
  t.is(outs.secretStatus, "active");
  t.true(outs.createdAccount);
  t.deepEqual(outs.grantedRoles, [ADDONS_ADMIN]);
  const user = (await api.get(api.am(`/users/${outs.userId}`))).data;
  t.is(user.name, "addon-deployer");
  t.deepEqual(user.accessSettings, [{ api: "Tridion.AddonService", role: "Administrator" }]);
  const secrets = (await api.get(api.am(`/users/${outs.userId}/client-secrets`))).data;
  t.is(secrets.length, 1);
  t.is(secrets[0].id, outs.secretId);
  const days = (Date.parse(outs.secretExpiresAt) - Date.now()) / 86_400_000;
  t.true(days > 89 && days <= 90, `secret expires in ${days} days`);
  t.true(await tokenWorks(emulator.accessManagementUrl, outs.clientId, outs.clientSecret), "the new identity gets a token");

  // Step 2: the same inputs diff to nothing; read reports no drift.
  const same = await p.check!(checked.inputs, inputs);
  t.false((await p.diff!(created.id, outs, same.inputs)).changes);
  const read = await p.read!(created.id, outs);
  t.is(read.props.secretId, outs.secretId);
  t.deepEqual(read.props.roles, [ADDONS_ADMIN]);
  t.false((await p.diff!(created.id, read.props, same.inputs)).changes);

  // Step 3: update in place: display name and a second role; the secret stays.
  const changedInputs = { ...inputs, displayName: "Pipeline", roles: [ADDONS_ADMIN, CM_ADMIN] };
  const d1 = await p.diff!(created.id, outs, (await p.check!(same.inputs, changedInputs)).inputs);
  t.true(d1.changes);
  t.deepEqual(d1.replaces, []);
  const u1 = (await p.update!(created.id, outs, changedInputs)).outs;
  t.is(u1.secretId, outs.secretId, "no rotation for a role change");
  t.is(u1.clientSecret, outs.clientSecret);
  t.is(u1.userId, outs.userId);
  const user2 = (await api.get(api.am(`/users/${outs.userId}`))).data;
  t.is(user2.displayName, "Pipeline");
  t.is(user2.accessSettings.length, 2);

  // Step 4: rotate now with secretVersion: new secret first, old one revoked, never more than two.
  const rotateInputs = { ...changedInputs, secretVersion: 2 };
  t.true((await p.diff!(created.id, u1, rotateInputs)).changes);
  const u2 = (await p.update!(created.id, u1, rotateInputs)).outs;
  t.not(u2.secretId, u1.secretId);
  t.not(u2.clientSecret, u1.clientSecret);
  t.is(u2.clientId, u1.clientId, "rotation keeps the client id");
  const afterRotation = (await api.get(api.am(`/users/${outs.userId}/client-secrets`))).data;
  t.deepEqual(afterRotation.map((s: { id: string }) => s.id), [u2.secretId]);
  t.false(await tokenWorks(emulator.accessManagementUrl, u1.clientId, u1.clientSecret), "the old secret is revoked");
  t.true(await tokenWorks(emulator.accessManagementUrl, u2.clientId, u2.clientSecret));
  t.false((await p.diff!(created.id, u2, rotateInputs)).changes);

  // Step 5: drift made out of band: a role removed, the secret revoked.
  await api.put(api.am(`/users/${outs.userId}`), { name: "addon-deployer", displayName: "Pipeline", accessSettings: [{ api: "Tridion.AddonService", role: "ReadOnly" }] });
  await api.del(api.am(`/users/${outs.userId}/client-secrets/${u2.secretId}`));
  const drifted = await p.read!(created.id, u2);
  t.deepEqual(drifted.props.roles, ["Tridion.AddonService.ReadOnly"]);
  t.is(drifted.props.secretStatus, "revoked");
  t.is(drifted.props.secretId, undefined);
  t.is(drifted.props.clientSecret, undefined);
  t.deepEqual(drifted.inputs.roles, ["Tridion.AddonService.ReadOnly"]);
  t.true((await p.diff!(created.id, drifted.props, rotateInputs)).changes, "drift shows as a change");
  const healed = (await p.update!(created.id, drifted.props, rotateInputs)).outs;
  t.is(healed.secretStatus, "active");
  t.truthy(healed.clientSecret);
  t.true(await tokenWorks(emulator.accessManagementUrl, healed.clientId, healed.clientSecret));
  const healedUser = (await api.get(api.am(`/users/${outs.userId}`))).data;
  t.deepEqual(healedUser.accessSettings.map((s: { api: string; role: string }) => `${s.api}.${s.role}`).sort(), [ADDONS_ADMIN, CM_ADMIN].sort());

  // Step 6: both slots full (ours + one made elsewhere): rotation revokes ours first, keeps theirs.
  const foreign = (await api.post(api.am(`/users/${outs.userId}/client-secrets`), {})).data;
  const u3 = (await p.update!(created.id, healed, { ...rotateInputs, secretVersion: 3 })).outs;
  const slots = (await api.get(api.am(`/users/${outs.userId}/client-secrets`))).data.map((s: { id: string }) => s.id).sort();
  t.deepEqual(slots, [foreign.id, u3.secretId].sort());

  // Step 7: a new user name replaces; an unknown one (preview) counts as a change.
  t.deepEqual((await p.diff!(created.id, u3, { ...rotateInputs, secretVersion: 3, userName: "other" })).replaces, ["userName"]);
  t.true((await p.diff!(created.id, u3, { ...rotateInputs, secretVersion: 3, roles: UNKNOWN })).changes);

  // Step 8: delete removes the user it created (and its secrets with it).
  await p.delete!(created.id, u3);
  t.is((await api.get(api.am(`/users/${outs.userId}`))).status, 404);
  t.deepEqual(await p.read!(created.id, u3), {}, "gone: refresh drops it from state");
});

test.serial("adopt: an existing user needs adopt: true; delete keeps it and undoes only what it did", async (t) => {
  const emulator = await start({ productVersion: "9.6" });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const existing = (await api.post(api.am("/users"), { name: "jane", accessSettings: [{ api: "Tridion.ContentManager", role: "Administrator" }, { api: "Tridion.AddonService", role: "ReadOnly" }] })).data;
  const inputs = { userName: "jane", roles: [ADDONS_ADMIN] };

  const err = await failure(p.create((await p.check!({}, inputs)).inputs));
  t.regex(err.message, /already exists in Access Management/);
  t.regex(err.message, /adopt: true/);
  t.is(err.stack, `TridionError: ${err.message}`, "no stack trace for the user");

  const created = await p.create({ ...inputs, adopt: true });
  t.is(created.id, existing.id);
  t.false(created.outs.createdAccount);
  const held = (await api.get(api.am(`/users/${existing.id}`))).data.accessSettings.map((s: { api: string; role: string }) => `${s.api}.${s.role}`).sort();
  t.deepEqual(held, [ADDONS_ADMIN, CM_ADMIN].sort());

  // A name that differs only in case is another user: never adopted (and renamed) by accident.
  const nearly = await failure(p.create({ userName: "Jane", roles: [ADDONS_ADMIN], adopt: true }));
  t.regex(nearly.message, /holds "jane" \(id [^)]+\), which differs only in case/);
  t.regex(nearly.message, /Fix: write the name exactly as "jane"/);

  await p.delete!(created.id, created.outs);
  const after = (await api.get(api.am(`/users/${existing.id}`))).data;
  t.is(after.name, "jane", "the adopted user stays");
  t.deepEqual(after.accessSettings.map((s: { api: string; role: string }) => `${s.api}.${s.role}`).sort(), ["Tridion.AddonService.ReadOnly", CM_ADMIN].sort(), "roles as before");
  t.deepEqual((await api.get(api.am(`/users/${existing.id}/client-secrets`))).data, [], "its secret is revoked");
});

test.serial("errors a user reads: 403 preflight names identity and role; missing settings; bad inputs", async (t) => {
  const emulator = await start({ productVersion: "9.6" });
  t.teardown(() => emulator.close());
  const inputs = { userName: "pipeline", roles: [ADDONS_ADMIN] };

  // The predefined "Add-ons API" identity has no Access Management role: preview already says so.
  // (It cannot see whether this is 9.x or 10, so tridion:productVersion tells it.)
  const service = emulator.credentials.addonsService;
  await configure(configFor(emulator, { "tridion:clientId": service.clientId, "tridion:clientSecret": service.clientSecret, "tridion:productVersion": "9.6" }));
  const denied = await failure(p.check!({}, inputs));
  t.regex(denied.message, new RegExp(service.clientId));
  t.regex(denied.message, /lacks the role Tridion\.AccessManagement\.Administrator/);
  t.regex(denied.message, /"Access Management API" service account/, "9.x names the 9.x account");
  t.false(denied.message.includes(service.clientSecret));
  const deniedCreate = await failure(p.create(inputs));
  t.regex(deniedCreate.message, /Tridion\.AccessManagement\.Administrator/);
  t.is((await adminApi(emulator).then((a) => a.get(a.am("/users")))).data.filter((u: { name: string }) => u.name === "pipeline").length, 0, "nothing written");

  // Missing settings name the config key and the env var.
  await configure({});
  const missing = await failure(p.create(inputs));
  t.regex(missing.message, /tridion:accessManagementUrl/);
  t.regex(missing.message, /TRIDION_ACCESS_MANAGEMENT_URL/);

  // A wrong secret: invalid_client explained, the secret never echoed.
  await configure(configFor(emulator, { "tridion:clientSecret": "definitely-wrong-secret-value" }));
  const wrong = await failure(p.create(inputs));
  t.regex(wrong.message, /invalid_client/);
  t.false(wrong.message.includes("definitely-wrong-secret-value"));

  // Input validation in check.
  await configure(configFor(emulator));
  const bad = await p.check!({}, { userName: "", roles: ["Administrator", "Tridion.AddonService.Administrator", "Tridion.AddonService.ReadOnly"], secretExpiresInDays: 400, rotateBeforeDays: 10 });
  const reasons = (bad.failures ?? []).map((f) => `${f.property}: ${f.reason}`).join("\n");
  t.regex(reasons, /userName: ClientCredentialUser needs `userName`/);
  t.regex(reasons, /"Administrator" is not a role key/);
  t.regex(reasons, /one role per API/);
  t.regex(reasons, /secretExpiresInDays.*1 to 365/);
});

test.serial("rotation is previewed when the secret expires within rotateBeforeDays", async (t) => {
  const emulator = await start({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const inputs = { userName: "soon", roles: [ADDONS_ADMIN], secretExpiresInDays: 60, rotateBeforeDays: 30 };
  const created = await p.create(inputs);
  t.false((await p.diff!(created.id, created.outs, inputs)).changes);
  // An administrator shortens the secret's expiry to 10 days out of band; refresh sees it.
  const soon = new Date(Date.now() + 10 * 86_400_000).toISOString();
  t.is((await api.patch(api.am(`/users/${created.id}/client-secrets/${created.outs.secretId}`), { expiresAt: soon })).status, 200);
  const read = await p.read!(created.id, created.outs);
  t.is(Date.parse(read.props.secretExpiresAt), Date.parse(soon));
  t.true((await p.diff!(created.id, read.props, inputs)).changes, "preview shows the rotation coming");
  const rotated = (await p.update!(created.id, read.props, inputs)).outs;
  t.not(rotated.secretId, created.outs.secretId);
  t.true(Date.parse(rotated.secretExpiresAt) > Date.now() + 59 * 86_400_000);
  await p.delete!(created.id, rotated);
});

test.serial("a create that fails after the user exists is recorded as partial, and delete cleans it up", async (t) => {
  const emulator = await start({ productVersion: "9.6" });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  // The secret POST fails with a 500: not retried blindly (a POST), so the create stops there.
  emulator.setFaults({ errorBursts: [{ status: 500, count: 1, method: "POST", path: "client-secrets$" }] });
  const err = await failure(p.create({ userName: "half", roles: [ADDONS_ADMIN] }));
  emulator.setFaults({});
  t.regex(err.message, /Cannot create a client secret/);
  t.regex(err.message, /partly created/);
  t.truthy(err.id, "the engine gets the id");
  t.true(err.properties?.createdAccount as boolean);
  t.is(err.properties?.secretStatus, "none");
  t.is(err.properties?.clientSecret, undefined);
  t.deepEqual((await api.get(api.am(`/users/${err.id}/client-secrets`))).data, [], "no secret was created twice");
  // The next up (an update from the partial state) issues the secret.
  const t2 = (await p.update!(err.id!, err.properties!, { userName: "half", roles: [ADDONS_ADMIN] })).outs;
  t.truthy(t2.clientSecret);
  await p.delete!(err.id!, t2);
  t.is((await api.get(api.am(`/users/${err.id}`))).status, 404);
});
