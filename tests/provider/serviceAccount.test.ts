// ServiceAccount against a 10.x emulator (and the clear error on 9.6), calling the provider
// implementation directly.
import test from "ava";
import { requestToken } from "../helpers/emulator";
import { adminApi, configFor, configure, failure, impl, start } from "./support";

const p = impl.serviceAccount;
const ADDONS_ADMIN = "Tridion.AddonService.Administrator";

test.serial("lifecycle on 10: create, no-op, update, rotate, drift, replace, delete", async (t) => {
  const emulator = await start({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const { access } = api;
  const inputs = { accountName: "addon-pipeline", roles: [ADDONS_ADMIN] };

  const checked = await p.check!({}, inputs);
  t.deepEqual(checked.failures ?? [], []);
  const created = await p.create(checked.inputs);
  const outs = created.outs;
  t.is(created.id, String(outs.serviceAccountId));
  t.is(typeof outs.serviceAccountId, "number");
  t.true(outs.createdAccount);
  const held = (await access.account("ServiceAccounts", outs.serviceAccountId))!;
  t.is(held.name, "addon-pipeline");
  t.is(held.clientId, outs.clientId);
  t.deepEqual(access.rolesOf(held), [ADDONS_ADMIN]);
  t.deepEqual(
    held.clientSecrets.map((s) => s.id),
    [outs.secretId],
  );
  const token = await requestToken(emulator.accessManagementUrl, outs.clientId, outs.clientSecret);
  t.is(token.status, 200);

  // no-op (a generated clientId the user did not set is not a change)
  t.false((await p.diff!(created.id, outs, inputs)).changes);
  const read = await p.read!(created.id, outs);
  t.false((await p.diff!(created.id, read.props, inputs)).changes);

  // update in place: a new name
  const renamed = { ...inputs, accountName: "addon-pipeline-2" };
  const d = await p.diff!(created.id, outs, renamed);
  t.true(d.changes);
  t.deepEqual(d.replaces, []);
  const u1 = (await p.update!(created.id, outs, renamed)).outs;
  t.is(u1.secretId, outs.secretId);
  const renamedOnServer = (await access.account("ServiceAccounts", outs.serviceAccountId))!;
  t.is(renamedOnServer.name, "addon-pipeline-2");
  t.is(renamedOnServer.clientId, outs.clientId, "the PUT sent the client id unchanged");
  t.deepEqual(access.rolesOf(renamedOnServer), [ADDONS_ADMIN], "and the access it holds");

  // rotate
  const u2 = (await p.update!(created.id, u1, { ...renamed, secretVersion: "b" })).outs;
  t.not(u2.secretId, u1.secretId);
  t.deepEqual(await access.secretIds("ServiceAccounts", outs.serviceAccountId), [u2.secretId]);

  // a chosen clientId replaces
  t.deepEqual((await p.diff!(created.id, u2, { ...renamed, secretVersion: "b", clientId: "my-client" })).replaces, ["clientId"]);

  // deleted out of band: refresh drops it; update says what to do
  await access.del(`/ServiceAccounts/${outs.serviceAccountId}`);
  t.deepEqual(await p.read!(created.id, u2), {});
  const gone = await failure(p.update!(created.id, u2, { ...renamed, roles: [ADDONS_ADMIN, "Tridion.ContentManager.Administrator"] }));
  t.regex(gone.message, /deleted outside Pulumi\)\.\nFix: run `pulumi refresh`/);
  await p.delete!(created.id, u2); // already gone: fine
});

test.serial(
  "on 9.6 a ServiceAccount is a clear error that points to ClientCredentialUser, told by the predefined accounts' names",
  async (t) => {
    const emulator = await start({ productVersion: "9.6" });
    t.teardown(() => emulator.close());
    const { access } = await adminApi(emulator);
    const shape = async () =>
      JSON.stringify(
        (await access.list("ServiceAccounts")).map((a) => [a.id, a.name, a.clientSecrets.map((s) => s.id), a.accessControlEntry]),
      );
    const before = await shape();
    const inputs = { accountName: "pipeline", roles: [ADDONS_ADMIN] };
    const err = await failure(p.check!({}, inputs));
    t.regex(err.message, /Tridion Sites 9\.5\/9\.6 cannot create service accounts/);
    t.regex(err.message, /use ClientCredentialUser instead/);
    const err2 = await failure(p.create(inputs));
    t.regex(err2.message, /ClientCredentialUser/);
    t.is(await shape(), before, "nothing was written");
  },
);

test.serial("when the version cannot be told, the 9.x refusal (a 400) still points to ClientCredentialUser", async (t) => {
  const emulator = await start({ productVersion: "9.6" });
  t.teardown(() => emulator.close());
  const { versionFromAccountNames } =
    require("../../provider/clients/productVersion") as typeof import("../../provider/clients/productVersion");
  t.is(versionFromAccountNames(["Add-ons API", "Emulator Bootstrap Administrator"]), "9");
  t.is(versionFromAccountNames(["Add-ons API Client (service)"]), "10");
  t.is(versionFromAccountNames(["Emulator Bootstrap Administrator", "Something else"]), "unknown");
  // The read-only look at the predefined accounts fails once (no retries): the version stays unknown.
  await configure(configFor(emulator, { "tridion:maxRetries": "0" }));
  emulator.setFaults({ errorBursts: [{ status: 503, count: 1, method: "GET", path: "ServiceAccounts$" }] });
  const refused = await failure(p.create({ accountName: "pipeline", roles: [ADDONS_ADMIN] }));
  emulator.setFaults({});
  t.regex(refused.message, /rejected the request \(400\)/);
  t.regex(refused.message, /Service accounts cannot be created in this version/, "the server's own words");
  t.regex(
    refused.message,
    /If this is Tridion Sites 9\.5\/9\.6: Tridion Sites 9\.5\/9\.6 cannot create service accounts.*\nFix: .*On Tridion Sites 9\.5\/9\.6: use ClientCredentialUser instead/s,
  );
  const { access } = await adminApi(emulator);
  t.false((await access.list("ServiceAccounts")).some((a) => a.name === "pipeline"));
});

test.serial("predefined accounts cannot be taken over; an existing one needs adopt", async (t) => {
  const emulator = await start({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const { access } = api;
  const predefined = await failure(p.create({ accountName: "Add-ons API Client (service)", roles: [ADDONS_ADMIN], adopt: true }));
  t.regex(predefined.message, /predefined account/);
  const existing = await access.createServiceAccount("existing", ["Tridion.AddonService.ReadOnly"]);
  const preview = await p.check!({}, { accountName: "Add-ons API Client (service)", roles: [ADDONS_ADMIN] });
  t.regex(preview.failures?.[0]?.reason ?? "", /is a predefined account of Access Management/, "preview says it for a predefined name");
  const needsAdopt = await failure(p.create({ accountName: "existing", roles: [ADDONS_ADMIN] }));
  t.regex(needsAdopt.message, /adopt: true/);
  const adopted = await p.create({ accountName: "existing", roles: [ADDONS_ADMIN], adopt: true });
  t.false(adopted.outs.createdAccount);
  t.deepEqual(access.rolesOf((await access.account("ServiceAccounts", existing.id))!), [ADDONS_ADMIN]);
  await p.delete!(adopted.id, adopted.outs);
  const after = (await access.account("ServiceAccounts", existing.id))!;
  t.deepEqual(access.rolesOf(after), ["Tridion.AddonService.ReadOnly"], "the role it replaced is back");
  t.deepEqual(after.clientSecrets, [], "its secret is revoked; the account stays");
});

test.serial(
  "an expired secret keeps its id after refresh, and the next up revokes it: a foreign secret and ours, never a third",
  async (t) => {
    const emulator = await start({ productVersion: "10" });
    t.teardown(() => emulator.close());
    const api = await adminApi(emulator);
    const inputs = { accountName: "expiring", roles: [ADDONS_ADMIN] };
    const created = await p.create(inputs);
    const id = created.outs.serviceAccountId;
    const foreign = await api.access.generateSecret("ServiceAccounts", id);
    // An administrator makes our secret run out almost at once; then it expires.
    const soon = new Date(Date.now() + 1500).toISOString();
    t.is((await api.access.setSecretExpiry("ServiceAccounts", id, created.outs.secretId, soon)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const read = await p.read!(created.id, created.outs);
    t.is(read.props.secretStatus, "expired");
    t.is(read.props.secretId, created.outs.secretId, "the expired secret is still ours: it fills a slot");
    t.is(read.props.clientSecret, undefined, "an expired value is not handed out");
    t.true((await p.diff!(created.id, read.props, inputs)).changes, "preview shows the new secret coming");

    const healed = (await p.update!(created.id, read.props, inputs)).outs;
    t.is(healed.secretStatus, "active");
    t.deepEqual(
      await api.access.secretIds("ServiceAccounts", id),
      [foreign.id, healed.secretId].sort((a, b) => a - b),
      "ours replaced, the foreign one untouched",
    );
    t.is((await requestToken(emulator.accessManagementUrl, healed.clientId, healed.clientSecret)).status, 200);
    t.false((await p.diff!(created.id, healed, inputs)).changes);
  },
);

test.serial("a revoke that fails after a rotation is remembered, and the next up finishes it", async (t) => {
  const emulator = await start({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const inputs = { accountName: "rotating", roles: [ADDONS_ADMIN] };
  const created = await p.create(inputs);
  const rotate = { ...inputs, secretVersion: 2 };

  // Every revoke fails (more 503s than the retries): the new secret exists, the old one too.
  const id = created.outs.serviceAccountId;
  emulator.setFaults({ errorBursts: [{ status: 503, count: 50, method: "DELETE", path: "/clientSecrets/" }] });
  const err = await failure(p.update!(created.id, created.outs, rotate));
  emulator.setFaults({});
  t.regex(err.message, /Cannot revoke the client secret/);
  t.regex(err.message, /the next `pulumi up` finishes the remaining steps/);
  t.not(err.properties?.secretId, created.outs.secretId, "state holds the new secret");
  t.deepEqual(err.properties?.pendingRevocations, [created.outs.secretId], "and remembers the old one to revoke");
  t.is(err.properties?.secretVersion, 2);
  t.is((await api.access.secretIds("ServiceAccounts", id)).length, 2);

  // Refresh keeps the reminder while the old secret is still there; the next up revokes it.
  const read = await p.read!(created.id, err.properties!);
  t.deepEqual(read.props.pendingRevocations, [created.outs.secretId]);
  t.true((await p.diff!(created.id, read.props, rotate)).changes, "preview shows work left");
  const done = (await p.update!(created.id, read.props, rotate)).outs;
  t.is(done.secretId, err.properties?.secretId, "no second rotation");
  t.is(done.pendingRevocations, undefined);
  t.deepEqual(await api.access.secretIds("ServiceAccounts", id), [done.secretId]);
  t.is(
    (await requestToken(emulator.accessManagementUrl, created.outs.clientId, created.outs.clientSecret)).status,
    401,
    "the old secret no longer works",
  );
  t.false((await p.diff!(created.id, done, rotate)).changes);
});
