// Writes whose answer is lost: the server carried out the request, but the connection closed
// before the response arrived (the emulator's `lostResponses` fault). A POST is never repeated
// blindly, so the provider must look at what the server holds: the add-on or account that landed
// is ours, nothing is created twice, and the next `up` converges without another upload.
import test from "ava";
import { requestToken } from "../helpers/emulator";
import { adminApi, addonFolder, configFor, configure, failure, impl, start } from "../provider/support";

const ADDONS_ADMIN = "Tridion.AddonService.Administrator";
const writes = (log: Array<{ method: string; path: string }>, method: string, path: RegExp) =>
  log.filter((r) => r.method === method && path.test(r.path)).length;

test.serial("an upload whose answer is lost is found on the server: the create succeeds, with one upload", async (t) => {
  const emulator = await start({ productVersion: "10" });
  t.teardown(() => emulator.close());
  await configure(configFor(emulator, { "tridion:maxRetries": "0" })); // the look happens even after the last attempt
  const inputs = (await impl.addonPackage.check!({}, { source: addonFolder({ id: "lost-upload" }), activationTimeoutSeconds: 30 })).inputs;
  emulator.setFaults({ lostResponses: [{ count: 1, method: "POST", path: "/api/v1/addons$" }] });
  emulator.clearRequestLog();

  const created = await impl.addonPackage.create(inputs);
  emulator.setFaults({});
  t.is(created.id, "lost-upload");
  t.is(created.outs.packageSha256, inputs.packageSha256);
  t.is(created.outs.status, "Success");
  t.is(writes(emulator.requestLog(), "POST", /\/api\/v1\/addons$/), 1, "uploaded once");
  const api = await adminApi(emulator);
  const held = (await api.get(api.addons("/lost-upload"))).data;
  t.is(held.packageSha256, inputs.packageSha256);
});

test.serial(
  "when even the look fails, the new add-on is kept as partly created and the next up converges without re-uploading",
  async (t) => {
    const emulator = await start({ productVersion: "10" });
    t.teardown(() => emulator.close());
    await configure(configFor(emulator, { "tridion:maxRetries": "0" }));
    const inputs = (await impl.addonPackage.check!({}, { source: addonFolder({ id: "lost-look" }), activationTimeoutSeconds: 30 })).inputs;
    // The first GET (does it exist?) passes; the POST lands but its answer is lost; so is the look.
    emulator.setFaults({
      lostResponses: [
        { count: 1, method: "POST", path: "/api/v1/addons$" },
        { skip: 1, count: 5, method: "GET", path: "/api/v1/addons/lost-look$" },
      ],
    });

    const err = await failure(impl.addonPackage.create(inputs));
    emulator.setFaults({});
    t.is(err.id, "lost-look", "the engine records the add-on");
    t.regex(err.message, /Cannot upload the add-on package lost-look-1\.4\.0\.zip/);
    t.regex(err.message, /partly created/);

    emulator.clearRequestLog();
    const updated = await impl.addonPackage.update!(err.id!, err.properties!, inputs);
    t.is(updated.outs.packageSha256, inputs.packageSha256);
    t.is(
      writes(emulator.requestLog(), "POST", /\/api\/v1\/addons$/) + writes(emulator.requestLog(), "PUT", /\/api\/v1\/addons\/lost-look$/),
      0,
      "the landed package is not uploaded again",
    );
    t.false((await impl.addonPackage.diff!(err.id!, updated.outs, inputs)).changes);
  },
);

test.serial("a service account POST whose answer is lost is found by name: created once, and ours to delete", async (t) => {
  const emulator = await start({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const { access } = await adminApi(emulator);
  emulator.setFaults({ lostResponses: [{ count: 1, method: "POST", path: "/api/v1/ServiceAccounts$" }] });
  const created = await impl.serviceAccount.create({ accountName: "lost-answer", roles: [ADDONS_ADMIN] });
  emulator.setFaults({});
  t.true(created.outs.createdAccount, "the account that landed is the one this resource created");
  t.truthy(created.outs.clientSecret);
  const named = (await access.list("ServiceAccounts")).filter((a) => a.name === "lost-answer");
  t.is(named.length, 1, "created once");
  await impl.serviceAccount.delete!(created.id, created.outs);
  t.is(await access.account("ServiceAccounts", named[0].id), undefined, "delete removes it");
});

test.serial("a user's grant (PUT) whose answer is lost is simply sent again: PUT is idempotent", async (t) => {
  const emulator = await start({ productVersion: "9.6", seedUsers: ["lost-grant"] });
  t.teardown(() => emulator.close());
  const { access } = await adminApi(emulator);
  emulator.setFaults({ lostResponses: [{ count: 1, method: "PUT", path: "/api/v1/Users/\\d+$" }] });
  const created = await impl.clientCredentialUser.create({ userName: "lost-grant", roles: [ADDONS_ADMIN] });
  emulator.setFaults({});
  t.deepEqual(access.rolesOf((await access.account("Users", created.outs.userId))!), [ADDONS_ADMIN]);
  t.deepEqual(
    created.outs.originalAccess,
    { "Tridion.AddonService": { linked: false, role: null } },
    "what it held before is what it held before the first PUT",
  );
  await impl.clientCredentialUser.delete!(created.id, created.outs);
  t.deepEqual(access.rolesOf((await access.account("Users", created.outs.userId))!), []);
});

for (const kind of ["ServiceAccounts", "Users"] as const) {
  test.serial(
    `a generateClientSecret whose answer is lost (${kind}): the secret that appeared is revoked, and the next up issues one`,
    async (t) => {
      const emulator = await start({ productVersion: "10", seedUsers: ["lost-secret"] });
      t.teardown(() => emulator.close());
      const { access } = await adminApi(emulator);
      emulator.setFaults({ lostResponses: [{ count: 1, method: "POST", path: "/generateClientSecret$" }] });
      const provider = kind === "Users" ? impl.clientCredentialUser : impl.serviceAccount;
      const inputs =
        kind === "Users" ? { userName: "lost-secret", roles: [ADDONS_ADMIN] } : { accountName: "lost-secret", roles: [ADDONS_ADMIN] };
      const err = await failure(provider.create(inputs));
      emulator.setFaults({});
      t.truthy(err.id, "the account is kept in state");
      t.is(err.properties?.secretStatus, "none");
      t.deepEqual(await access.secretIds(kind, Number(err.id)), [], "the secret whose value was lost does not fill a slot");
      t.true(
        emulator.requestLog().some((r) => r.method === "DELETE" && /\/clientSecrets\/\d+$/.test(r.path) && r.status === 204),
        "it was generated, then revoked",
      );

      const healed = (await provider.update!(err.id!, err.properties!, inputs)).outs;
      t.is(healed.secretStatus, "active");
      t.deepEqual(await access.secretIds(kind, Number(err.id)), [healed.secretId]);
      t.is((await requestToken(emulator.accessManagementUrl, healed.clientId, healed.clientSecret)).status, 200);
    },
  );
}
