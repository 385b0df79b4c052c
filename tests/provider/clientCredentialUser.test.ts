// ClientCredentialUser against the emulator (9.6 and 10), calling the provider implementation
// directly: the lifecycle as steps on a user who has signed in, drift made out of band through
// the real API, error texts.
import test from "ava";
import { signIn } from "../helpers/accessManagement";
import { requestToken } from "../helpers/emulator";
import { adminApi, configFor, configure, failure, impl, start, UNKNOWN } from "./support";

const p = impl.clientCredentialUser;
const ADDONS_ADMIN = "Tridion.AddonService.Administrator";
const ADDONS_READONLY = "Tridion.AddonService.ReadOnly";
const CM_ADMIN = "Tridion.ContentManager.Administrator";

async function tokenWorks(accessManagementUrl: string, clientId: string, clientSecret: string): Promise<boolean> {
  return (await requestToken(accessManagementUrl, clientId, clientSecret)).status === 200;
}

test.serial("lifecycle on 9.6: grant, no-op, update, rotate, drift, replace, delete", async (t) => {
  const emulator = await start({ productVersion: "9.6", seedUsers: ["addon-deployer", "other"] });
  t.teardown(() => emulator.close());
  const { access } = await adminApi(emulator);
  const user = await access.user("addon-deployer");
  t.is(user.clientId, null, "a user who only signed in has no client id yet");
  const inputs = { userName: "addon-deployer", roles: [ADDONS_ADMIN], secretExpiresInDays: 90 };

  // Step 1: check accepts the inputs; create grants the role and issues one secret.
  const checked = await p.check!({}, inputs);
  t.deepEqual(checked.failures ?? [], []);
  const created = await p.create(checked.inputs);
  const outs = created.outs;
  t.is(created.id, String(user.id));
  t.is(outs.userId, user.id);
  t.truthy(outs.clientId);
  t.truthy(outs.clientSecret);
  t.is(outs.secretStatus, "active");
  t.is(outs.createdAccount, undefined, "users are never created");
  t.deepEqual(outs.grantedRoles, [ADDONS_ADMIN]);
  t.is(outs.identityProviderKey, "EntraId");
  const held = (await access.account("Users", user.id))!;
  t.deepEqual(access.rolesOf(held), [ADDONS_ADMIN]);
  t.is(held.clientId, outs.clientId, "the client id appeared with the first secret");
  t.deepEqual(
    held.clientSecrets.map((s) => s.id),
    [outs.secretId],
  );
  const days = (Date.parse(outs.secretExpiresAt) - Date.now()) / 86_400_000;
  t.true(days > 89 && days <= 90, `secret expires in ${days} days`);
  t.is(held.clientSecrets[0].expiresAt, outs.secretExpiresAt, "the expiry was set on the server");
  t.true(await tokenWorks(emulator.accessManagementUrl, outs.clientId, outs.clientSecret), "the user now gets a token");

  // Step 2: the same inputs diff to nothing; read reports no drift.
  const same = await p.check!(checked.inputs, inputs);
  t.false((await p.diff!(created.id, outs, same.inputs)).changes);
  const read = await p.read!(created.id, outs);
  t.is(read.props.secretId, outs.secretId);
  t.deepEqual(read.props.roles, [ADDONS_ADMIN]);
  t.false((await p.diff!(created.id, read.props, same.inputs)).changes);

  // Step 3: update in place: a second role; the secret stays.
  const changedInputs = { ...inputs, roles: [ADDONS_ADMIN, CM_ADMIN] };
  const d1 = await p.diff!(created.id, outs, (await p.check!(same.inputs, changedInputs)).inputs);
  t.true(d1.changes);
  t.deepEqual(d1.replaces, []);
  const u1 = (await p.update!(created.id, outs, changedInputs)).outs;
  t.is(u1.secretId, outs.secretId, "no rotation for a role change");
  t.is(u1.clientSecret, outs.clientSecret);
  t.deepEqual(access.rolesOf((await access.account("Users", user.id))!), [ADDONS_ADMIN, CM_ADMIN].sort());

  // Step 4: rotate now with secretVersion: new secret first, old one revoked, never more than two.
  const rotateInputs = { ...changedInputs, secretVersion: 2 };
  t.true((await p.diff!(created.id, u1, rotateInputs)).changes);
  const u2 = (await p.update!(created.id, u1, rotateInputs)).outs;
  t.not(u2.secretId, u1.secretId);
  t.not(u2.clientSecret, u1.clientSecret);
  t.is(u2.clientId, u1.clientId, "rotation keeps the client id");
  t.deepEqual(await access.secretIds("Users", user.id), [u2.secretId]);
  t.false(await tokenWorks(emulator.accessManagementUrl, u1.clientId, u1.clientSecret), "the old secret is revoked");
  t.true(await tokenWorks(emulator.accessManagementUrl, u2.clientId, u2.clientSecret));
  t.false((await p.diff!(created.id, u2, rotateInputs)).changes);

  // Step 5: drift made out of band: the Add-ons role lowered, the secret revoked.
  await access.setRoles("Users", user.id, [ADDONS_READONLY, CM_ADMIN]);
  await access.revokeSecret("Users", user.id, u2.secretId);
  const drifted = await p.read!(created.id, u2);
  t.deepEqual(drifted.props.roles, [ADDONS_READONLY, CM_ADMIN]);
  t.is(drifted.props.secretStatus, "revoked");
  t.is(drifted.props.secretId, undefined);
  t.is(drifted.props.clientSecret, undefined);
  t.deepEqual(drifted.inputs.roles, [ADDONS_READONLY, CM_ADMIN]);
  t.true((await p.diff!(created.id, drifted.props, rotateInputs)).changes, "drift shows as a change");
  const healed = (await p.update!(created.id, drifted.props, rotateInputs)).outs;
  t.is(healed.secretStatus, "active");
  t.true(await tokenWorks(emulator.accessManagementUrl, healed.clientId, healed.clientSecret));
  t.deepEqual(access.rolesOf((await access.account("Users", user.id))!), [ADDONS_ADMIN, CM_ADMIN].sort());

  // Step 6: both slots full (ours + one made elsewhere): rotation revokes ours first, keeps theirs.
  const foreign = await access.generateSecret("Users", user.id);
  const u3 = (await p.update!(created.id, healed, { ...rotateInputs, secretVersion: 3 })).outs;
  t.deepEqual(
    await access.secretIds("Users", user.id),
    [foreign.id, u3.secretId].sort((a, b) => a - b),
  );

  // Step 7: another user name or identity provider replaces; an unknown one (preview) counts as a change.
  t.deepEqual((await p.diff!(created.id, u3, { ...rotateInputs, secretVersion: 3, userName: "other" })).replaces, ["userName"]);
  t.deepEqual((await p.diff!(created.id, u3, { ...rotateInputs, secretVersion: 3, identityProvider: "Windows" })).replaces, [
    "identityProvider",
  ]);
  t.true((await p.diff!(created.id, u3, { ...rotateInputs, secretVersion: 3, roles: UNKNOWN })).changes);

  // Step 8: delete takes away exactly what it added: its secret and its roles; the user stays.
  await p.delete!(created.id, u3);
  const after = (await access.account("Users", user.id))!;
  t.is(after.name, "addon-deployer", "the user is never deleted");
  t.deepEqual(access.rolesOf(after), [], "the roles it granted are gone");
  t.deepEqual(
    after.clientSecrets.map((s) => s.id),
    [foreign.id],
    "its secret is revoked, the foreign one kept",
  );
  t.deepEqual(after.accessControlEntry.apiResources, [], "and the API links it added");
});

test.serial("a user who holds roles already: they come back on delete, and a role it replaced too", async (t) => {
  const emulator = await start({ productVersion: "9.6", seedUsers: ["jane"] });
  t.teardown(() => emulator.close());
  const { access } = await adminApi(emulator);
  const jane = await access.user("jane");
  await access.setRoles("Users", jane.id, [CM_ADMIN, ADDONS_READONLY]);
  const before = (await access.account("Users", jane.id))!;

  const created = await p.create((await p.check!({}, { userName: "jane", roles: [ADDONS_ADMIN] })).inputs);
  t.deepEqual(
    access.rolesOf((await access.account("Users", jane.id))!),
    [ADDONS_ADMIN, CM_ADMIN].sort(),
    "one role per API: Administrator replaces ReadOnly",
  );
  t.deepEqual(created.outs.grantedRoles, [ADDONS_ADMIN]);
  t.deepEqual(created.outs.originalAccess, { "Tridion.AddonService": { linked: true, role: ADDONS_READONLY } });

  await p.delete!(created.id, created.outs);
  const after = (await access.account("Users", jane.id))!;
  t.deepEqual(access.rolesOf(after), [ADDONS_READONLY, CM_ADMIN].sort(), "roles as before");
  t.deepEqual(
    after.accessControlEntry.apiResources.map((l) => l.id).sort(),
    before.accessControlEntry.apiResources.map((l) => l.id).sort(),
  );
  t.deepEqual(after.clientSecrets, [], "its secret is revoked");
});

test.serial("the user must have signed in: preview and up say how, and nothing is written", async (t) => {
  const emulator = await start({
    productVersion: "9.6",
    seedUsers: ["jane", { name: "twin" }, { name: "twin", identityProvider: "Windows" }],
  });
  t.teardown(() => emulator.close());
  const { access } = await adminApi(emulator);
  const shape = async () => JSON.stringify((await access.list("Users")).map((u) => [u.id, u.name, u.clientSecrets, u.accessControlEntry]));
  const usersBefore = await shape();

  const missing = await p.check!({}, { userName: "pipeline", roles: [ADDONS_ADMIN] });
  const reason = missing.failures?.find((f) => f.property === "userName")?.reason ?? "";
  t.regex(reason, /nobody of that name has signed in yet/);
  t.regex(reason, /creates a user when they first sign in through an identity provider/);
  t.regex(reason, /Fix: sign in once as "pipeline"/);
  const missingUp = await failure(p.create({ userName: "pipeline", roles: [ADDONS_ADMIN] }));
  t.regex(missingUp.message, /nobody of that name has signed in yet/);

  // A name that differs only in case is another user: never taken by accident.
  const nearly = await p.check!({}, { userName: "Jane", roles: [ADDONS_ADMIN] });
  t.regex(nearly.failures?.[0]?.reason ?? "", /lists "jane" \(id \d+ through Microsoft Entra ID .*\), which differs only in case/);

  // Two users of one name through two identity providers: the error lists them; identityProvider picks one.
  const ambiguous = await p.check!({}, { userName: "twin", roles: [ADDONS_ADMIN] });
  const listed = ambiguous.failures?.[0]?.reason ?? "";
  t.regex(listed, /2 users of that name/);
  t.regex(listed, /identityProvider: "EntraId"/);
  t.regex(listed, /identityProvider: "Windows"/);
  t.regex(listed, /Fix: set identityProvider/);
  const wrongProvider = await p.check!({}, { userName: "twin", identityProvider: "Okta", roles: [ADDONS_ADMIN] });
  t.is(wrongProvider.failures?.[0]?.property, "identityProvider");
  t.is(await shape(), usersBefore, "nothing changed on the server");

  const windowsTwin = (await access.list("Users")).find((u) => u.name === "twin" && u.identityProviderKey === "Windows")!;
  const picked = await p.create((await p.check!({}, { userName: "twin", identityProvider: "Windows", roles: [ADDONS_ADMIN] })).inputs);
  t.is(picked.outs.userId, windowsTwin.id);
  t.is(picked.outs.identityProviderKey, "Windows");
  await p.delete!(picked.id, picked.outs);
});

test.serial("a deactivated user is reported in preview, at up, and after a refresh", async (t) => {
  const emulator = await start({ productVersion: "9.6", seedUsers: ["sleeper"] });
  t.teardown(() => emulator.close());
  const { access, put } = await adminApi(emulator);
  const sleeper = await access.user("sleeper");
  const inputs = { userName: "sleeper", roles: [ADDONS_ADMIN] };
  const created = await p.create(inputs);
  t.true(created.outs.userEnabled);

  t.is((await put(access.api(`/Users/${sleeper.id}/deactivate`), undefined)).status, 200);
  const read = await p.read!(created.id, created.outs);
  t.false(read.props.userEnabled, "refresh shows it");
  const rotate = await failure(p.update!(created.id, read.props, { ...inputs, roles: [CM_ADMIN] }));
  t.regex(rotate.message, /"sleeper" \(id \d+\) is deactivated in Access Management/);
  t.regex(rotate.message, /Fix: activate the user/);
  const preview = await p.check!({}, { userName: "sleeper", roles: [ADDONS_ADMIN] });
  t.regex(preview.failures?.[0]?.reason ?? "", /is deactivated/);
  t.deepEqual(access.rolesOf((await access.account("Users", sleeper.id))!), [ADDONS_ADMIN], "the refused update wrote nothing");
});

test.serial("errors a user reads: 403 preflight names identity and role; missing settings; bad inputs", async (t) => {
  const emulator = await start({ productVersion: "9.6", seedUsers: ["pipeline"] });
  t.teardown(() => emulator.close());
  const inputs = { userName: "pipeline", roles: [ADDONS_ADMIN] };

  // The predefined "Add-ons API" identity has no Access Management access: preview already says
  // so, and which API access to grant (its token's aud lacks Tridion.AccessManagement).
  const service = emulator.credentials.addonsService;
  await configure(configFor(emulator, { "tridion:clientId": service.clientId, "tridion:clientSecret": service.clientSecret }));
  const denied = await failure(p.check!({}, inputs));
  t.regex(denied.message, new RegExp(service.clientId));
  t.regex(denied.message, /is not issued for Access Management \(its aud holds Tridion\.AddonService/);
  t.regex(
    denied.message,
    /has no access to the API Tridion\.AccessManagement, let alone the role Tridion\.AccessManagement\.Administrator/,
  );
  // It cannot list the service accounts, so the version stays unknown: the fix names both accounts.
  t.regex(
    denied.message,
    /Fix: set tridion:clientId \/ tridion:clientSecret to the predefined Access Management API service account \("Access Management API" in 9\.5\/9\.6, "Access Management API Client \(admin\)" in 10\.x\)/,
  );
  t.false(denied.message.includes(service.clientSecret));
  const deniedCreate = await failure(p.create(inputs));
  t.regex(deniedCreate.message, /Tridion\.AccessManagement\.Administrator/);

  // An identity with access to the AM API but no role there: the service's 403 names the missing
  // role and, on 9.x, the predefined account that holds it.
  await configure(configFor(emulator));
  const { access, put } = await adminApi(emulator);
  const reader = await signIn(emulator, "reader");
  const amApi = access.resources.find((r) => r.key === "Tridion.AccessManagement")!;
  t.is(
    (
      await put(access.api(`/Users/${reader.id}`), {
        ...reader,
        accessControlEntry: { apiResources: [{ id: amApi.id }], apiResourceRoles: [], applications: [] },
      })
    ).status,
    200,
  );
  const readerSecret = await access.generateSecret("Users", reader.id);
  await configure(
    configFor(emulator, {
      "tridion:clientId": readerSecret.clientId,
      "tridion:clientSecret": readerSecret.clientSecret,
      "tridion:productVersion": "9.6",
    }),
  );
  const noRole = await failure(p.check!({}, inputs));
  t.regex(noRole.message, /lacks the role Tridion\.AccessManagement\.Administrator/);
  t.regex(noRole.message, /"Access Management API" service account/, "9.x names the 9.x account");
  t.false(noRole.message.includes(readerSecret.clientSecret));

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
  const bad = await p.check!(
    {},
    {
      userName: "",
      roles: ["Administrator", "Tridion.AddonService.Administrator", "Tridion.AddonService.ReadOnly"],
      secretExpiresInDays: 400,
      rotateBeforeDays: 10,
    },
  );
  const reasons = (bad.failures ?? []).map((f) => `${f.property}: ${f.reason}`).join("\n");
  t.regex(reasons, /userName: ClientCredentialUser needs `userName`/);
  t.regex(reasons, /"Administrator" is not a role key/);
  t.regex(reasons, /one role per API/);
  t.regex(reasons, /secretExpiresInDays.*1 to 365/);
  // A role key Access Management does not offer fails preview, naming the roles that exist.
  const typo = await p.check!({}, { userName: "pipeline", roles: ["Tridion.AddonService.Superuser"] });
  t.regex(
    typo.failures?.[0]?.reason ?? "",
    /Tridion\.AddonService has no such role\. Its roles: Tridion\.AddonService\.Administrator, Tridion\.AddonService\.Service, Tridion\.AddonService\.ReadOnly/,
  );
  const usersNow = await access.list("Users");
  t.deepEqual(usersNow.find((u) => u.name === "pipeline")!.clientSecrets, [], "nothing was written by any refused call");
});

test.serial("rotation is previewed when the secret expires within rotateBeforeDays", async (t) => {
  const emulator = await start({ productVersion: "10", seedUsers: ["soon"] });
  t.teardown(() => emulator.close());
  const { access } = await adminApi(emulator);
  const inputs = { userName: "soon", roles: [ADDONS_ADMIN], secretExpiresInDays: 60, rotateBeforeDays: 30 };
  const created = await p.create(inputs);
  t.false((await p.diff!(created.id, created.outs, inputs)).changes);
  // An administrator shortens the secret's expiry to 10 days out of band; refresh sees it.
  const soon = new Date(Date.now() + 10 * 86_400_000).toISOString();
  t.is((await access.setSecretExpiry("Users", created.outs.userId, created.outs.secretId, soon)).status, 200);
  const read = await p.read!(created.id, created.outs);
  t.is(Date.parse(read.props.secretExpiresAt), Date.parse(soon));
  t.true((await p.diff!(created.id, read.props, inputs)).changes, "preview shows the rotation coming");
  const rotated = (await p.update!(created.id, read.props, inputs)).outs;
  t.not(rotated.secretId, created.outs.secretId);
  t.true(Date.parse(rotated.secretExpiresAt) > Date.now() + 59 * 86_400_000);
  await p.delete!(created.id, rotated);
});

test.serial(
  "a create that fails after the roles are granted is recorded as partial; the next up finishes it, delete cleans up",
  async (t) => {
    const emulator = await start({ productVersion: "9.6", seedUsers: ["half"] });
    t.teardown(() => emulator.close());
    const { access } = await adminApi(emulator);
    const half = await access.user("half");
    // generateClientSecret fails with a 500 (not retried blindly: a POST): the create stops after the grant.
    emulator.setFaults({ errorBursts: [{ status: 500, count: 1, method: "POST", path: "generateClientSecret$" }] });
    const err = await failure(p.create({ userName: "half", roles: [ADDONS_ADMIN] }));
    emulator.setFaults({});
    t.regex(err.message, /Cannot generate a client secret/);
    t.regex(err.message, /partly created/);
    t.false(err.message.includes("Tridion.AccessManagement.Api.Controllers"), "the server's stack trace is never shown");
    t.is(err.id, String(half.id), "the engine gets the id");
    t.is(err.properties?.secretStatus, "none");
    t.is(err.properties?.clientSecret, undefined);
    t.deepEqual(err.properties?.originalAccess, { "Tridion.AddonService": { linked: false, role: null } });
    const held = (await access.account("Users", half.id))!;
    t.deepEqual(held.clientSecrets, [], "no secret was generated (the fault answered before the server acted)");
    t.deepEqual(access.rolesOf(held), [ADDONS_ADMIN], "the grant landed");
    // The next up (an update from the partial state) issues the secret (a lost one is revoked).
    const t2 = (await p.update!(err.id!, err.properties!, { userName: "half", roles: [ADDONS_ADMIN] })).outs;
    t.truthy(t2.clientSecret);
    t.deepEqual(await access.secretIds("Users", half.id), [t2.secretId]);
    await p.delete!(err.id!, t2);
    const after = (await access.account("Users", half.id))!;
    t.deepEqual(access.rolesOf(after), []);
    t.deepEqual(after.clientSecrets, []);
  },
);
