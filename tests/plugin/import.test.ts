// `pulumi import` and the `import` resource option through the plugin, as the engine drives them
// (pkg/resource/deploy/step.go, ImportStep): Read with nothing but the id, then Check of what was
// read against itself (`pulumi import`) or against the program's inputs (the option), then Diff.
// An import writes nothing to Tridion; the program that declares the object as it is previews no
// changes. And `pulumi up --replace` (create first, then delete the old one): the object stays.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import test from "ava";
import { buildZip, packageFiles, requestToken, startTestEmulator, uploadPackage, type TestEmulator } from "../helpers/emulator";
import { DIFF_NONE, DIFF_SOME, pluginOnEmulator, type PluginHost } from "../helpers/pluginHost";
import { adminApi } from "../provider/support";

const ADDONS_ADMIN = "Tridion.AddonService.Administrator";
const CM_ADMIN = "Tridion.ContentManager.Administrator";
const urn = (type: string, name: string) => `urn:pulumi:dev::tridion-yaml::tridion:index:${type}::${name}`;

/** What the emulator was asked to change (tokens aside). */
const writes = (emulator: TestEmulator) =>
  emulator
    .requestLog()
    .filter((e) => e.method !== "GET" && !e.path.endsWith("/connect/token"))
    .map((e) => `${e.method} ${e.path}`);

async function zipFile(extra: Record<string, string> = {}): Promise<string> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tridion-import-")), "acme-publishing-tools-1.4.0.zip");
  fs.writeFileSync(file, await buildZip({ ...packageFiles(), ...extra }));
  return file;
}

const failureOf = (e: unknown) => (e as { details?: string }).details ?? String(e);

test("pulumi import of an add-on uploaded by hand: read by its id, nothing written; the same package declared previews no changes", async (t) => {
  const emulator = await startTestEmulator({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const zip = await zipFile();
  const configuration = { sitesCm: { isEnabled: true } };
  t.is((await uploadPackage(api.addons(""), api.token, zip, "acme-publishing-tools-1.4.0.zip")).status, 201);
  t.is((await api.put(api.addons("/acme-publishing-tools/configuration"), configuration)).status, 200);
  const host = await pluginOnEmulator(t, emulator);
  const addonUrn = urn("AddonPackage", "tools");
  emulator.requestLog().length = 0;
  const before = writes(emulator).length;

  // Read with the id alone: the engine's ImportStep sends no properties and no inputs.
  const read = await host.read(addonUrn, "acme-publishing-tools", {});
  t.is(read.id, "acme-publishing-tools");
  t.deepEqual(read.inputs.configuration, configuration, "the configuration itself becomes an input");
  t.is(read.inputs.enabled, true);
  t.false("source" in read.inputs, "the service cannot give the package back");
  const held = (await api.get(api.addons("/acme-publishing-tools"))).data;
  t.is(read.properties.packageSha256, held.packageSha256);
  t.is(read.properties.packageFileName, "acme-publishing-tools-1.4.0.zip");
  t.is(read.properties.status, held.status);
  // `pulumi import` then checks what it read against itself: no failure (no "bug in the provider" warning).
  const own = await host.check(addonUrn, read.inputs, read.inputs);
  t.deepEqual(own.failures, []);
  t.is(writes(emulator).length, before, "an import writes nothing");

  // The program declares it with the very package: no changes.
  const same = await host.check(addonUrn, read.inputs, { source: zip, configuration });
  t.deepEqual(same.failures, []);
  t.is((await host.diff(addonUrn, read.id, read.properties, same.inputs)).changes, DIFF_NONE);
  // The same configuration as JSON text is no change either; another package is an update of source.
  const text = await host.check(addonUrn, read.inputs, { source: zip, configuration: JSON.stringify(configuration) });
  t.is((await host.diff(addonUrn, read.id, read.properties, text.inputs)).changes, DIFF_NONE);
  const other = await host.check(addonUrn, read.inputs, { source: await zipFile({ "CM/notes.txt": "another build" }), configuration });
  const otherDiff = await host.diff(addonUrn, read.id, read.properties, other.inputs);
  t.is(otherDiff.changes, DIFF_SOME);
  t.deepEqual([otherDiff.detailed, otherDiff.replaces], [{ source: "UPDATE" }, []]);
  t.is(writes(emulator).length, before, "preview writes nothing");

  // The code `pulumi import` writes has `source: ""`: the error says to declare it.
  for (const news of [{ configuration }, { source: "", configuration }]) {
    const missing = await host.check(addonUrn, read.inputs, news);
    t.deepEqual(
      missing.failures.map((f) => f.property),
      ["source"],
    );
    t.regex(missing.failures[0].reason, /declare it: the add-on's folder or \.zip file; an imported add-on has none until you add it/);
  }

  // `up` with another package: the update uploads it (named with this resource's COUNTER).
  const updated = await host.update(addonUrn, read.id, read.properties, other.inputs);
  t.is(updated.properties.packageSha256, other.inputs.packageSha256);
  t.is((await api.get(api.addons("/acme-publishing-tools"))).data.packageSha256, other.inputs.packageSha256);
});

test("the import resource option: Read, then Check against the program's inputs, then Diff; a missing source fails Check", async (t) => {
  const emulator = await startTestEmulator({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const zip = await zipFile();
  t.is((await uploadPackage(api.addons(""), api.token, zip, "acme-publishing-tools-1.4.0.zip")).status, 201);
  t.is((await api.put(api.addons("/acme-publishing-tools/status"), { enabled: false })).status, 200);
  const host = await pluginOnEmulator(t, emulator);
  const addonUrn = urn("AddonPackage", "tools");
  const read = await host.read(addonUrn, "acme-publishing-tools", {});
  t.is(read.inputs.enabled, false, "a disabled add-on is read as enabled: false");
  t.false("configuration" in read.inputs);
  const declared = await host.check(addonUrn, read.inputs, { source: zip, enabled: false });
  t.deepEqual(declared.failures, []);
  t.is((await host.diff(addonUrn, read.id, read.properties, declared.inputs)).changes, DIFF_NONE);
  const enabled = await host.check(addonUrn, read.inputs, { source: zip });
  t.deepEqual(
    (await host.diff(addonUrn, read.id, read.properties, enabled.inputs)).detailed,
    { enabled: "DELETE" },
    "enabled as the default (true) now",
  );
  const missing = await host.check(addonUrn, read.inputs, { enabled: false });
  t.regex(missing.failures.map((f) => f.reason).join(" "), /an imported add-on has none until you add it/);
  t.deepEqual(writes(emulator), ["POST /addon/api/v1/addons", "PUT /addon/api/v1/addons/acme-publishing-tools/status"]);
});

test("pulumi import of a ServiceAccount by its id: its roles read, no secret; the next up issues one of its own and destroy keeps the account", async (t) => {
  const emulator = await startTestEmulator({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const account = await api.access.createServiceAccount("pipeline", [ADDONS_ADMIN, CM_ADMIN], "pipeline-client");
  const theirs = await api.access.generateSecret("ServiceAccounts", account.id);
  const host = await pluginOnEmulator(t, emulator);
  const saUrn = urn("ServiceAccount", "pipeline");
  const before = writes(emulator).length;

  const read = await host.read(saUrn, String(account.id), {});
  t.is(read.id, String(account.id));
  t.deepEqual(read.inputs, { accountName: "pipeline", clientId: "pipeline-client", roles: [ADDONS_ADMIN, CM_ADMIN].sort() });
  t.is(read.properties.secretStatus, "none");
  t.false("clientSecret" in read.properties);
  t.false(read.properties.createdAccount as boolean);
  t.deepEqual(read.properties.grantedRoles, [], "the roles were there before: delete leaves them");
  t.true(
    host.engineLogs.some((l) =>
      /imported the service account "pipeline"\. Access Management shows a client secret's value only once/.test(l.message),
    ),
    "the import says why it holds no secret",
  );
  t.is(writes(emulator).length, before, "an import writes nothing");

  // The program as `pulumi import` writes it: the next up issues a secret, and preview says why.
  const news = { ...read.inputs };
  const checked = await host.check(saUrn, read.inputs, news);
  t.deepEqual(checked.failures, []);
  t.is((await host.diff(saUrn, read.id, read.properties, checked.inputs)).changes, DIFF_SOME);
  t.true(host.engineLogs.some((l) => /client secret will be rotated \(no client secret has been issued yet\)/.test(l.message)));
  t.is(writes(emulator).length, before, "preview writes nothing");
  const updated = await host.update(saUrn, read.id, read.properties, checked.inputs);
  const ours = updated.properties.clientSecret as string;
  t.is((await requestToken(emulator.accessManagementUrl, "pipeline-client", ours)).status, 200);
  t.deepEqual(await api.access.secretIds("ServiceAccounts", account.id), [theirs.id, updated.properties.secretId as number].sort());

  // destroy: our secret revoked; the account, its roles and the secret it had stay.
  await (await pluginOnEmulator(t, emulator)).delete(saUrn, read.id, updated.properties); // another run
  const after = (await api.access.account("ServiceAccounts", account.id))!;
  t.deepEqual(api.access.rolesOf(after), [ADDONS_ADMIN, CM_ADMIN].sort());
  t.deepEqual(await api.access.secretIds("ServiceAccounts", account.id), [theirs.id]);
  t.is((await requestToken(emulator.accessManagementUrl, "pipeline-client", theirs.clientSecret)).status, 200);
});

test("pulumi import of a ClientCredentialUser by the user's id: roles from its accessControlEntry, nothing written", async (t) => {
  const emulator = await startTestEmulator({ productVersion: "9.6", seedUsers: ["deployer"] });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const user = await api.access.user("deployer");
  await api.access.setRoles("Users", user.id, [ADDONS_ADMIN]);
  const host = await pluginOnEmulator(t, emulator);
  const userUrn = urn("ClientCredentialUser", "deployer");
  const before = writes(emulator).length;
  const read = await host.read(userUrn, String(user.id), {});
  t.deepEqual(read.inputs, { userName: "deployer", roles: [ADDONS_ADMIN] });
  t.is(read.properties.secretStatus, "none");
  t.is(writes(emulator).length, before);
  const checked = await host.check(userUrn, read.inputs, { userName: "deployer", roles: [ADDONS_ADMIN] });
  t.deepEqual(checked.failures, []);
  t.is((await host.diff(userUrn, read.id, read.properties, checked.inputs)).changes, DIFF_SOME, "the next up issues a secret");
  t.is(writes(emulator).length, before);
});

// ---- pulumi up --replace: the replacement is created first, then the old resource deleted ------

/** The engine's steps for a create-first replacement (no old inputs in Check, no Diff), then the old one's delete. */
async function replaceCreateFirst(
  host: PluginHost,
  resourceUrn: string,
  news: Record<string, unknown>,
  old: { id: string; properties: Record<string, unknown> },
) {
  const checked = await host.check(resourceUrn, {}, news);
  const created = await host.create(resourceUrn, checked.inputs);
  await host.delete(resourceUrn, old.id, old.properties);
  return { checked, created };
}

test("up --replace of an AddonPackage through the plugin: the old one's delete leaves the add-on to its replacement", async (t) => {
  const emulator = await startTestEmulator({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const host = await pluginOnEmulator(t, emulator);
  const addonUrn = urn("AddonPackage", "tools");
  const news = { source: await zipFile(), configuration: { sitesCm: { isEnabled: true } }, activationTimeoutSeconds: 5 };
  const first = await host.create(addonUrn, (await host.check(addonUrn, {}, news)).inputs);

  const { created } = await replaceCreateFirst(host, addonUrn, news, first);
  t.is(created.id, first.id, "ids are unique on the service: the replacement is the same add-on");
  const held = await api.get(api.addons("/acme-publishing-tools"));
  t.is(held.status, 200, "the add-on is still there");
  t.is(held.data.status, "Success");
  t.is(held.data.packageFileName, created.properties.packageFileName);
  t.deepEqual((await api.get(api.addons("/acme-publishing-tools/configuration"))).data, news.configuration);
  t.false(
    writes(emulator).some((w) => w.startsWith("DELETE")),
    "nothing deleted",
  );

  // An `up` killed between the two: the next one (another process) finds the replacement in the
  // state unchanged (Diff), then deletes what the old one left pending: the add-on stays.
  const next = await pluginOnEmulator(t, emulator);
  const again = await next.check(addonUrn, created.properties, news);
  t.is((await next.diff(addonUrn, created.id, created.properties, again.inputs)).changes, DIFF_NONE);
  await next.delete(addonUrn, first.id, first.properties);
  t.is((await api.get(api.addons("/acme-publishing-tools"))).status, 200);

  // destroy still deletes it.
  const destroy = await pluginOnEmulator(t, emulator);
  await destroy.delete(addonUrn, created.id, created.properties);
  t.is((await api.get(api.addons("/acme-publishing-tools"))).status, 404);
});

test("an interrupted create still converges through the plugin: the next up's create (another process, no delete after it) takes the object over", async (t) => {
  const emulator = await startTestEmulator({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const addonUrn = urn("AddonPackage", "tools");
  const saUrn = urn("ServiceAccount", "pipeline");
  const addonNews = { source: await zipFile(), activationTimeoutSeconds: 5 };
  const saNews = { accountName: "pipeline", roles: [ADDONS_ADMIN] };
  // The run that created them was killed before the state was written: the engine forgot both.
  const killed = await pluginOnEmulator(t, emulator);
  await killed.create(addonUrn, (await killed.check(addonUrn, {}, addonNews)).inputs);
  const lost = await killed.create(saUrn, (await killed.check(saUrn, {}, saNews)).inputs);

  const next = await pluginOnEmulator(t, emulator);
  const addon = await next.create(addonUrn, (await next.check(addonUrn, {}, addonNews)).inputs);
  const sa = await next.create(saUrn, (await next.check(saUrn, {}, saNews)).inputs);
  t.is(addon.id, "acme-publishing-tools");
  t.is(sa.id, lost.id, "the account the killed run made");
  t.is((await api.get(api.addons("/acme-publishing-tools"))).data.status, "Success");
  t.deepEqual(await api.access.secretIds("ServiceAccounts", Number(sa.id)), [sa.properties.secretId], "the lost secret revoked");
  t.is(
    (await requestToken(emulator.accessManagementUrl, sa.properties.clientId as string, sa.properties.clientSecret as string)).status,
    200,
  );
});

test("up --replace of a ServiceAccount through the plugin: the account stays with the replacement's secret; one whose secret signed in is refused, naming deleteBeforeReplace", async (t) => {
  const emulator = await startTestEmulator({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const host = await pluginOnEmulator(t, emulator);
  const saUrn = urn("ServiceAccount", "pipeline");
  const news = { accountName: "pipeline", roles: [ADDONS_ADMIN] };
  const first = await host.create(saUrn, (await host.check(saUrn, {}, news)).inputs);

  const { created } = await replaceCreateFirst(host, saUrn, news, first);
  t.is(created.id, first.id);
  const account = await api.access.account("ServiceAccounts", Number(first.id));
  t.truthy(account, "the account is still there");
  t.deepEqual(api.access.rolesOf(account!), [ADDONS_ADMIN]);
  t.deepEqual(await api.access.secretIds("ServiceAccounts", Number(first.id)), [created.properties.secretId]);
  t.is(
    (await requestToken(emulator.accessManagementUrl, created.properties.clientId as string, created.properties.clientSecret as string))
      .status,
    200,
  );
  t.is(
    (await requestToken(emulator.accessManagementUrl, first.properties.clientId as string, first.properties.clientSecret as string)).status,
    401,
  );

  // A secret that has signed in: the create cannot tell this stack's account from another
  // backend's, and refuses before writing anything; the fix names delete-before-replace.
  emulator.advanceClock(900); // past what a create's own proof of its secret could be
  t.is(
    (await requestToken(emulator.accessManagementUrl, created.properties.clientId as string, created.properties.clientSecret as string))
      .status,
    200,
  );
  const before = writes(emulator).length;
  const checked = await host.check(saUrn, {}, news);
  const refused = await host.create(saUrn, checked.inputs).then(
    () => undefined,
    (e: unknown) => failureOf(e),
  );
  t.regex(refused ?? "", /Cannot create the service account "pipeline"/);
  t.regex(
    refused ?? "",
    /if this is `pulumi up --replace` of this resource.*`deleteBeforeReplace: true`.*run `pulumi up --replace` again/s,
  );
  t.is(writes(emulator).length, before, "nothing written");
  t.deepEqual(await api.access.secretIds("ServiceAccounts", Number(first.id)), [created.properties.secretId]);
});

test("up --replace of a ClientCredentialUser through the plugin: the user keeps its roles, the old secret is revoked", async (t) => {
  const emulator = await startTestEmulator({ productVersion: "9.6", seedUsers: ["deployer"] });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const host = await pluginOnEmulator(t, emulator);
  const userUrn = urn("ClientCredentialUser", "deployer");
  const news = { userName: "deployer", roles: [ADDONS_ADMIN] };
  const first = await host.create(userUrn, (await host.check(userUrn, {}, news)).inputs);
  const { created } = await replaceCreateFirst(host, userUrn, news, first);
  const user = (await api.access.account("Users", Number(first.id)))!;
  t.deepEqual(api.access.rolesOf(user), [ADDONS_ADMIN], "the roles the replacement needs stay");
  t.deepEqual(await api.access.secretIds("Users", Number(first.id)), [created.properties.secretId]);
  t.is(
    (await requestToken(emulator.accessManagementUrl, created.properties.clientId as string, created.properties.clientSecret as string))
      .status,
    200,
  );
});
