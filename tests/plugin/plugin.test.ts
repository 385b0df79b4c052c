// The `tridion` provider plugin as the engine drives it: the launcher started with the engine's
// address, its port read from the first stdout line, every method through the SDK's generated
// gRPC client, against the emulator; after each step, what the emulator holds.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import test from "ava";
import { requestToken, startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { initFailure } from "../helpers/grpcHost";
import { DIFF_NONE, DIFF_SOME, emulatorSettings, LAUNCHER, startPlugin, type PluginHost } from "../helpers/pluginHost";
import { SecretScanner } from "../helpers/secrets";
import { addonFolder, adminApi } from "../provider/support";
import { ownedClientId, ownerKeyFromParts, packageCounter } from "../../provider/resources/ownership";
import { INTERNAL_FIELDS, RESOURCES } from "../../provider/plugin/schema";

const ADDONS_ADMIN = "Tridion.AddonService.Administrator";
const ADDONS_READONLY = "Tridion.AddonService.ReadOnly";
const urn = (type: string, name: string) => `urn:pulumi:dev::tridion-yaml::tridion:index:${type}::${name}`;
/** The key the plugin derives from such a URN (no organization: the engine tells a provider none). */
const keyOf = (type: string, name: string) =>
  ownerKeyFromParts({ organization: "", project: "tridion-yaml", stack: "dev", type: `tridion:index:${type}`, parent: "", name });
const pluginEnv = {
  TRIDION_RETRY_BASE_DELAY_MS: "20",
  TRIDION_POLL_INTERVAL_MS: "50",
  PULUMI_TRIDION_CACHE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-tridion-cache-")),
};

async function pluginFor(t: { teardown(fn: () => Promise<void>): void }, emulator?: TestEmulator): Promise<PluginHost> {
  const host = await startPlugin(pluginEnv);
  t.teardown(() => host.close());
  if (emulator) {
    const answer = await host.configure(emulatorSettings(emulator));
    if (answer.acceptSecrets || !answer.supportsPreview) throw new Error(`unexpected Configure answer ${JSON.stringify(answer)}`);
  }
  return host;
}

/**
 * `pulumi destroy` runs in a process of its own: in the process that created or updated a
 * resource, a delete of the same URN and id is the replaced resource's (create-first), which
 * leaves the object to its replacement (provider/plugin/replacement.ts).
 */
const destroyer = (t: { teardown(fn: () => Promise<void>): void }, emulator: TestEmulator) => pluginFor(t, emulator);

/** Every output key the engine returned is a schema property or an internal field. */
function undocumented(type: string, props: Record<string, unknown>): string[] {
  const known = new Set<string>([
    ...Object.keys(RESOURCES[`tridion:index:${type}` as keyof typeof RESOURCES].properties),
    ...INTERNAL_FIELDS,
  ]);
  return Object.keys(props).filter((k) => !known.has(k));
}

/** stdout holds the port and nothing else; no secret in stdout or stderr. */
function assertQuiet(
  t: { deepEqual(a: unknown, b: unknown, m?: string): void; regex(s: string, r: RegExp): void },
  host: PluginHost,
  scanner: SecretScanner,
) {
  t.regex(host.stdout(), /^\d+\n$/);
  t.deepEqual(scanner.findIn(host.stdout() + host.stderr()), [], "no secret printed by the plugin");
}

test("GetPluginInfo, GetSchema, CheckConfig and DiffConfig", async (t) => {
  const host = await pluginFor(t);
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "provider", "package.json"), "utf8"));
  t.is((await host.getPluginInfo()).version, pkg.version);
  const schema = await host.getSchema();
  t.is(schema.name, "tridion");
  t.is(schema.version, pkg.version);
  t.deepEqual(Object.keys(schema.resources as object).sort(), [
    "tridion:index:AddonPackage",
    "tridion:index:ClientCredentialUser",
    "tridion:index:ServiceAccount",
  ]);

  // Each bad setting is named with its config key and environment variable; the good ones pass.
  const bad = await host.checkConfig({
    accessManagementUrl: "not a url",
    maxRetries: "many",
    addonsUrl: "https://sites.example.com:83/addon",
  });
  t.deepEqual(bad.failures.map((f) => f.property).sort(), ["accessManagementUrl", "maxRetries"]);
  const url = bad.failures.find((f) => f.property === "accessManagementUrl")!.reason;
  t.regex(url, /tridion:accessManagementUrl/);
  t.regex(url, /TRIDION_ACCESS_MANAGEMENT_URL/);
  t.regex(bad.failures.find((f) => f.property === "maxRetries")!.reason, /TRIDION_MAX_RETRIES/);
  // A missing clientId is judged where it is needed (an add-on with credentials needs none).
  const good = await host.checkConfig({
    accessManagementUrl: "https://sites.example.com/access-management",
    allowInsecureHttp: true,
    maxRetries: 2,
  });
  t.deepEqual(good.failures, []);
  t.is(good.inputs.accessManagementUrl, "https://sites.example.com/access-management");
  // Plain http to another host, without the opt-in, is refused as the dynamic face refuses it.
  const insecure = await host.checkConfig({ addonsUrl: "http://sites.example.com/addon" });
  t.deepEqual(
    insecure.failures.map((f) => f.property),
    ["addonsUrl"],
  );
  t.regex(insecure.failures[0].reason, /TRIDION_ADDONS_URL/);

  // Another installation's URL updates the provider; it never replaces the resources.
  const changed = await host.diffConfig(
    { accessManagementUrl: "https://a.example.com/am" },
    { accessManagementUrl: "https://b.example.com/am" },
  );
  t.is(changed.changes, DIFF_SOME);
  t.deepEqual(changed.replaces, []);
  t.deepEqual(changed.diffs, ["accessManagementUrl"]);
  t.is((await host.diffConfig({ clientId: "x" }, { clientId: "x" })).changes, DIFF_NONE);
  await host.cancel();
});

test("on 10: an AddonPackage and a ServiceAccount through Configure, Check, Create, Read, Diff, Update and Delete", async (t) => {
  const emulator = await startTestEmulator({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const host = await pluginFor(t, emulator);
  const api = await adminApi(emulator);
  const scanner = new SecretScanner().add(emulator.credentials.admin.clientSecret, api.token);

  // AddonPackage: the ownership key comes from the URN, and names the upload.
  const addonUrn = urn("AddonPackage", "tools");
  const key = keyOf("AddonPackage", "tools");
  const news = { source: addonFolder(), configuration: { sitesCm: { isEnabled: true } }, activationTimeoutSeconds: 5 };
  const checked = await host.check(addonUrn, {}, news);
  t.deepEqual(checked.failures, []);
  t.is(checked.inputs.ownerKey, key);
  t.is(checked.inputs.packageFileName, `acme-publishing-tools-1.4.0-${packageCounter(key)}.zip`);
  t.is((await api.get(api.addons("/acme-publishing-tools"))).status, 404, "check writes nothing");
  const preview = await host.create(addonUrn, checked.inputs, true);
  t.is(preview.id, "");
  t.is((await api.get(api.addons("/acme-publishing-tools"))).status, 404, "a previewed create writes nothing");

  const addon = await host.create(addonUrn, checked.inputs);
  t.is(addon.id, "acme-publishing-tools");
  t.is(addon.properties.status, "Success");
  t.deepEqual(undocumented("AddonPackage", addon.properties), []);
  let held = (await api.get(api.addons("/acme-publishing-tools"))).data;
  t.is(held.packageSha256, checked.inputs.packageSha256);
  t.is(held.packageFileName, checked.inputs.packageFileName);
  t.is(held.configurationSha256, checked.inputs.configurationSha256);

  // Read returns the inputs (refresh, import): what the program set, not what the service reports.
  const read = await host.read(addonUrn, addon.id, addon.properties);
  t.is(read.id, addon.id);
  t.is(read.properties.status, "Success");
  t.is(read.inputs.source, news.source);
  t.deepEqual(read.inputs.configuration, news.configuration);
  t.is(read.inputs.ownerKey, key);
  t.false("status" in read.inputs);

  t.is(
    (await host.diff(addonUrn, addon.id, addon.properties, (await host.check(addonUrn, checked.inputs, news)).inputs)).changes,
    DIFF_NONE,
  );
  // The same configuration as JSON text is no change; another configuration updates that property.
  const asText = { ...news, configuration: JSON.stringify(news.configuration) };
  t.is(
    (await host.diff(addonUrn, addon.id, addon.properties, (await host.check(addonUrn, checked.inputs, asText)).inputs)).changes,
    DIFF_NONE,
  );
  const news2 = { ...news, configuration: JSON.stringify({ sitesCm: { isEnabled: false } }) };
  const checked2 = await host.check(addonUrn, checked.inputs, news2);
  const configDiff = await host.diff(addonUrn, addon.id, addon.properties, checked2.inputs);
  t.is(configDiff.changes, DIFF_SOME);
  t.true(configDiff.hasDetailedDiff);
  t.deepEqual(configDiff.detailed, { configuration: "UPDATE" });
  t.deepEqual(configDiff.replaces, []);
  // Another manifest id is another add-on: a replace of `source`, the old one deleted first.
  const otherId = await host.check(addonUrn, checked.inputs, { ...news, source: addonFolder({ id: "acme-other-tools" }) });
  const replaceDiff = await host.diff(addonUrn, addon.id, addon.properties, otherId.inputs);
  t.deepEqual(replaceDiff.replaces, ["source"]);
  t.deepEqual(replaceDiff.detailed, { source: "UPDATE_REPLACE" });
  t.true(replaceDiff.deleteBeforeReplace);

  const updated = await host.update(addonUrn, addon.id, addon.properties, checked2.inputs);
  t.is(updated.properties.configurationSha256, checked2.inputs.configurationSha256);
  t.deepEqual(undocumented("AddonPackage", updated.properties), []);
  t.is(updated.properties.packageSha256, addon.properties.packageSha256);
  held = (await api.get(api.addons("/acme-publishing-tools"))).data;
  t.is(held.configurationSha256, checked2.inputs.configurationSha256);
  t.deepEqual((await api.get(api.addons("/acme-publishing-tools/configuration"))).data, { sitesCm: { isEnabled: false } });

  await (await destroyer(t, emulator)).delete(addonUrn, addon.id, updated.properties);
  t.is((await api.get(api.addons("/acme-publishing-tools"))).status, 404);
  t.is((await host.read(addonUrn, addon.id, updated.properties)).id, "", "gone: refresh drops it from the state");

  // ServiceAccount: the default client id comes from the URN's key.
  const saUrn = urn("ServiceAccount", "pipeline");
  const saNews = { accountName: "pipeline", roles: [ADDONS_ADMIN] };
  const saChecked = await host.check(saUrn, {}, saNews);
  t.deepEqual(saChecked.failures, []);
  const sa = await host.create(saUrn, saChecked.inputs);
  const secret = sa.properties.clientSecret as string;
  scanner.add(secret);
  t.is(sa.properties.clientId, ownedClientId(keyOf("ServiceAccount", "pipeline")));
  t.truthy(secret, "the client secret is in the outputs (the schema marks it secret)");
  t.is((await requestToken(emulator.accessManagementUrl, sa.properties.clientId as string, secret)).status, 200);
  let account = (await api.access.account("ServiceAccounts", Number(sa.id)))!;
  t.is(account.clientId, sa.properties.clientId as string);
  t.deepEqual(api.access.rolesOf(account), [ADDONS_ADMIN]);
  t.deepEqual(
    (account.clientSecrets ?? []).map((s) => s.id),
    [sa.properties.secretId],
  );

  const saRead = await host.read(saUrn, sa.id, sa.properties);
  t.deepEqual(saRead.inputs, {
    accountName: "pipeline",
    clientId: sa.properties.clientId,
    roles: [ADDONS_ADMIN],
    ownerKey: keyOf("ServiceAccount", "pipeline"),
  });
  t.is(saRead.properties.clientSecret, secret);

  // A client id of the program's choosing is another account: a replace, delete first.
  const newClient = await host.check(saUrn, saChecked.inputs, { ...saNews, clientId: "pipeline-2" });
  const clientDiff = await host.diff(saUrn, sa.id, sa.properties, newClient.inputs);
  t.is(clientDiff.changes, DIFF_SOME);
  t.deepEqual(clientDiff.replaces, ["clientId"]);
  t.deepEqual(clientDiff.detailed, { clientId: "UPDATE_REPLACE" });
  t.true(clientDiff.deleteBeforeReplace);

  // Rotation: a detailed diff naming secretVersion, a warning through the engine's log, a new secret.
  const rotate = await host.check(saUrn, saChecked.inputs, { ...saNews, roles: [ADDONS_READONLY], secretVersion: 2 });
  const rotateDiff = await host.diff(saUrn, sa.id, sa.properties, rotate.inputs);
  t.deepEqual(rotateDiff.detailed, { roles: "UPDATE", secretVersion: "ADD" });
  t.deepEqual(rotateDiff.replaces, []);
  t.true(
    host.engineLogs.some((l) => /will be rotated/.test(l.message)),
    "the warning reaches the engine's log",
  );
  // A previewed update writes nothing and knows no new secret yet.
  const previewed = await host.update(saUrn, sa.id, sa.properties, rotate.inputs, true);
  t.false("clientSecret" in previewed.properties);
  t.deepEqual(
    ((await api.access.account("ServiceAccounts", Number(sa.id)))!.clientSecrets ?? []).map((s) => s.id),
    [sa.properties.secretId],
  );
  const rotated = await host.update(saUrn, sa.id, sa.properties, rotate.inputs);
  scanner.add(rotated.properties.clientSecret);
  t.not(rotated.properties.secretId, sa.properties.secretId);
  t.deepEqual(undocumented("ServiceAccount", sa.properties), []);
  t.deepEqual(undocumented("ServiceAccount", rotated.properties), []);
  account = (await api.access.account("ServiceAccounts", Number(sa.id)))!;
  t.deepEqual(api.access.rolesOf(account), [ADDONS_READONLY]);
  t.deepEqual(
    (account.clientSecrets ?? []).map((s) => s.id),
    [rotated.properties.secretId],
  );

  await (await destroyer(t, emulator)).delete(saUrn, sa.id, rotated.properties);
  t.is((await api.get(api.am(`/ServiceAccounts/${sa.id}`))).status, 404);
  assertQuiet(t, host, scanner);
});

test("on 9.6: a ClientCredentialUser through Configure, Check, Create, Read, Diff, Update and Delete", async (t) => {
  const emulator = await startTestEmulator({ productVersion: "9.6", seedUsers: ["deployer"] });
  t.teardown(() => emulator.close());
  const host = await pluginFor(t, emulator);
  const api = await adminApi(emulator);
  const scanner = new SecretScanner().add(emulator.credentials.admin.clientSecret, api.token);

  const userUrn = urn("ClientCredentialUser", "deployer");
  const news = { userName: "deployer", roles: [ADDONS_ADMIN] };
  const checked = await host.check(userUrn, {}, news);
  t.deepEqual(checked.failures, []);
  t.is(checked.inputs.ownerKey, keyOf("ClientCredentialUser", "deployer"));
  const user = await host.create(userUrn, checked.inputs);
  const secret = user.properties.clientSecret as string;
  scanner.add(secret);
  t.truthy(secret);
  t.is((await requestToken(emulator.accessManagementUrl, user.properties.clientId as string, secret)).status, 200);
  let held = (await api.access.account("Users", Number(user.id)))!;
  t.deepEqual(api.access.rolesOf(held), [ADDONS_ADMIN]);
  t.deepEqual(
    (held.clientSecrets ?? []).map((s) => s.id),
    [user.properties.secretId],
  );

  const read = await host.read(userUrn, user.id, user.properties);
  t.deepEqual(read.inputs, { userName: "deployer", roles: [ADDONS_ADMIN], ownerKey: keyOf("ClientCredentialUser", "deployer") });
  t.is((await host.diff(userUrn, user.id, user.properties, (await host.check(userUrn, checked.inputs, news)).inputs)).changes, DIFF_NONE);

  // Another user is a replace; other roles an update of `roles`.
  const other = await host.diff(userUrn, user.id, user.properties, { ...checked.inputs, userName: "someone-else" });
  t.deepEqual([other.replaces, other.detailed, other.deleteBeforeReplace], [["userName"], { userName: "UPDATE_REPLACE" }, true]);
  const news2 = { ...news, roles: [ADDONS_READONLY] };
  const checked2 = await host.check(userUrn, checked.inputs, news2);
  const rolesDiff = await host.diff(userUrn, user.id, user.properties, checked2.inputs);
  t.deepEqual([rolesDiff.changes, rolesDiff.detailed, rolesDiff.replaces], [DIFF_SOME, { roles: "UPDATE" }, []]);
  const updated = await host.update(userUrn, user.id, user.properties, checked2.inputs);
  t.is(updated.properties.clientSecret, secret, "a role change keeps the secret");
  t.deepEqual(undocumented("ClientCredentialUser", user.properties), []);
  t.deepEqual(undocumented("ClientCredentialUser", updated.properties), []);
  held = (await api.access.account("Users", Number(user.id)))!;
  t.deepEqual(api.access.rolesOf(held), [ADDONS_READONLY]);

  // Errors reach the engine as the provider's messages, never stack traces.
  const refused = (await host.check(urn("ServiceAccount", "s"), {}, { accountName: "s", roles: [ADDONS_ADMIN] }).then(
    () => undefined,
    (e: unknown) => e,
  )) as { details?: string } | undefined;
  t.regex(refused?.details ?? "", /use ClientCredentialUser instead/);
  t.notRegex(refused?.details ?? "", /\n\s+at /);
  const unknownType = (await host.check("urn:pulumi:dev::p::tridion:index:Nope::n", {}, {}).then(
    () => undefined,
    (e: unknown) => e,
  )) as { details?: string } | undefined;
  t.regex(unknownType?.details ?? "", /no resource type "tridion:index:Nope"/);

  await (await destroyer(t, emulator)).delete(userUrn, user.id, updated.properties);
  held = (await api.access.account("Users", Number(user.id)))!;
  t.deepEqual([held.clientSecrets ?? [], api.access.rolesOf(held)], [[], []], "the user stays, without our secret and role");
  assertQuiet(t, host, scanner);
});

test("rotation with an overlap through the plugin: previousSecret until revokeAfter on Access Management's clock, proven before anything is revoked", async (t) => {
  const emulator = await startTestEmulator({ productVersion: "10" });
  t.teardown(() => emulator.close());
  const host = await pluginFor(t, emulator);
  const scanner = new SecretScanner().add(emulator.credentials.admin.clientSecret);
  const saUrn = urn("ServiceAccount", "overlap");
  const news = { accountName: "overlap", roles: [ADDONS_ADMIN], secretOverlapHours: 3 };
  const checked = await host.check(saUrn, {}, news);
  t.deepEqual(checked.failures, []);
  const sa = await host.create(saUrn, checked.inputs);
  scanner.add(sa.properties.clientSecret);
  const secretIds = async () =>
    (
      ((await (await adminApi(emulator)).access.account("ServiceAccounts", Number(sa.id)))!.clientSecrets ?? []) as Array<{ id: number }>
    ).map((s) => s.id);

  const rotate = await host.check(saUrn, checked.inputs, { ...news, secretVersion: 2 });
  const rotated = await host.update(saUrn, sa.id, sa.properties, rotate.inputs);
  scanner.add(rotated.properties.clientSecret);
  t.deepEqual(undocumented("ServiceAccount", rotated.properties), [], "previousSecret is a documented output");
  t.like(rotated.properties.previousSecret, { secretId: sa.properties.secretId });
  t.false("proofPending" in rotated.properties, "proven");
  t.is((await secretIds()).length, 2);
  t.is(
    (await requestToken(emulator.accessManagementUrl, sa.properties.clientId as string, sa.properties.clientSecret as string)).status,
    200,
  );
  t.is((await host.diff(saUrn, sa.id, rotated.properties, rotate.inputs)).changes, DIFF_NONE, "within the window: nothing to do");

  emulator.advanceClock(3 * 3600 + 60);
  t.is((await host.diff(saUrn, sa.id, rotated.properties, rotate.inputs)).changes, DIFF_SOME, "preview shows the revocation coming");
  t.true(host.engineLogs.some((l) => /the previous client secret \d+ will be revoked/.test(l.message)));
  const done = await host.update(saUrn, sa.id, rotated.properties, rotate.inputs);
  t.false("previousSecret" in done.properties);
  t.deepEqual(await secretIds(), [rotated.properties.secretId]);
  await host.delete(saUrn, sa.id, done.properties);
  assertQuiet(t, host, scanner);
});

test("two providers, two installations: Configure's settings first, then the TRIDION_* variables", async (t) => {
  const [a, b] = await Promise.all([startTestEmulator({ productVersion: "10" }), startTestEmulator({ productVersion: "10" })]);
  t.teardown(() => Promise.all([a.close(), b.close()]).then(() => undefined));
  // One plugin process per provider. The first gets its URLs from Configure's args, which win
  // over the environment's (pointing at the other installation), and its secret from the environment.
  const first = await startPlugin({
    ...pluginEnv,
    TRIDION_ACCESS_MANAGEMENT_URL: b.accessManagementUrl,
    TRIDION_CLIENT_SECRET: a.credentials.admin.clientSecret,
  });
  t.teardown(() => first.close());
  await first.configure({ accessManagementUrl: a.accessManagementUrl, addonsUrl: a.addonsUrl, clientId: a.credentials.admin.clientId });
  // The second, as older engines send it: namespaced variables only.
  const second = await startPlugin(pluginEnv);
  t.teardown(() => second.close());
  const variables = Object.fromEntries(Object.entries(emulatorSettings(b)).map(([k, v]) => [`tridion:${k}`, v]));
  await second.configure({}, variables);

  const saUrn = urn("ServiceAccount", "pipeline");
  const news = { accountName: "pipeline", roles: [ADDONS_ADMIN] };
  const inA = await first.create(saUrn, (await first.check(saUrn, {}, news)).inputs);
  const inB = await second.create(saUrn, (await second.check(saUrn, {}, news)).inputs);
  const [apiA, apiB] = await Promise.all([adminApi(a), adminApi(b)]);
  t.is((await apiA.access.account("ServiceAccounts", Number(inA.id)))?.name, "pipeline");
  t.is((await apiB.access.account("ServiceAccounts", Number(inB.id)))?.name, "pipeline");
  t.is((await requestToken(a.accessManagementUrl, inA.properties.clientId as string, inA.properties.clientSecret as string)).status, 200);
  t.is((await requestToken(b.accessManagementUrl, inB.properties.clientId as string, inB.properties.clientSecret as string)).status, 200);
  t.is(
    (await requestToken(b.accessManagementUrl, inA.properties.clientId as string, inA.properties.clientSecret as string)).status,
    401,
    "each in its own installation",
  );
});

test("a partial create is the engine's initialization failure, with the partial state", async (t) => {
  const emulator = await startTestEmulator({ productVersion: "10", activationDelayMs: 3_600_000 });
  t.teardown(() => emulator.close());
  const host = await pluginFor(t, emulator);
  const api = await adminApi(emulator);
  const addonUrn = urn("AddonPackage", "slow");
  const checked = await host.check(addonUrn, {}, { source: addonFolder(), activationTimeoutSeconds: 1 });
  const failed = initFailure(
    await host.create(addonUrn, checked.inputs).then(
      () => undefined,
      (e: unknown) => e,
    ),
  );
  t.regex(failed.message, /still PendingActivation after 1 s/);
  t.is(failed.id, "acme-publishing-tools", "the engine records the partially created add-on");
  t.is(failed.properties?.packageSha256, checked.inputs.packageSha256);
  t.is(failed.properties?.ownerKey, keyOf("AddonPackage", "slow"));
  t.false("__provider" in (failed.properties ?? {}));
  t.is((await api.get(api.addons("/acme-publishing-tools"))).data.status, "PendingActivation");
  // The partial state is enough for delete.
  await host.delete(addonUrn, failed.id!, failed.properties!);
  t.is((await api.get(api.addons("/acme-publishing-tools"))).status, 404);
});

test("the launcher says so when node is missing or older than 22", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "old-node-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, "node"), '#!/bin/sh\ncase "$1" in -p) echo 20 ;; *) echo v20.11.1 ;; esac\n', { mode: 0o755 });
  const old = spawnSync(LAUNCHER, [], {
    env: { ...process.env, PATH: `${dir}${path.delimiter}/usr/bin${path.delimiter}/bin` },
    encoding: "utf8",
  });
  t.is(old.status, 1);
  t.is(old.stdout, "");
  t.regex(old.stderr, /needs Node\.js 22 or later, and `node` on PATH is v20\.11\.1/);
  const none = spawnSync("/bin/sh", [LAUNCHER], { env: { ...process.env, PATH: dir.replace(/old-node-.*/, "nowhere") }, encoding: "utf8" });
  t.is(none.status, 1);
  t.regex(none.stderr, /Node\.js was not found on PATH/);
});
