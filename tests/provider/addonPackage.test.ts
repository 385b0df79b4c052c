// AddonPackage against the emulator, calling the provider implementation directly: lifecycle
// steps, drift made out of band, retries under injected faults, and the error texts users read.
import * as fs from "node:fs";
import * as path from "node:path";
import test from "ava";
import { buildZip, manifest, packageFiles, uploadPackage, eventually } from "../helpers/emulator";
import { addonFolder, adminApi, configFor, configure, failure, impl, start, UNKNOWN } from "./support";

const p = impl.addonPackage;
const ADDONS_ADMIN = "Tridion.AddonService.Administrator";
const CONFIG = {
  configuration: { AcmeEventHandler: { threshold: 5 } },
  sitesCm: { isEnabled: true, AcmeEventHandler: {} },
  live: { isEnabled: true, "acme-action": {} },
};

async function deployer(productVersion: "9.6" | "10" = "10") {
  const emulator = await start({ productVersion, seedUsers: ["deployer"] });
  const user = await impl.clientCredentialUser.create({ userName: "deployer", roles: [ADDONS_ADMIN] });
  const credentials = { clientId: user.outs.clientId as string, clientSecret: user.outs.clientSecret as string };
  return { emulator, credentials };
}

test.serial("lifecycle: create, no-op, configuration-only update, new content, disable, replace, drift, delete", async (t) => {
  const { emulator, credentials } = await deployer();
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const dir = addonFolder();
  const inputs = { source: dir, configuration: CONFIG, credentials, activationTimeoutSeconds: 30 };

  // Step 1: check computes what diff needs; create uploads, configures and waits for Success.
  const checked = await p.check!({}, inputs);
  t.deepEqual(checked.failures ?? [], []);
  t.is(checked.inputs.addonId, "acme-publishing-tools");
  t.is(checked.inputs.version, "1.4.0");
  t.regex(checked.inputs.packageSha256, /^[0-9a-f]{64}$/);
  t.is(checked.inputs.packageFileName, "acme-publishing-tools-1.4.0.zip");
  const created = await p.create(checked.inputs);
  t.is(created.id, "acme-publishing-tools");
  const outs = created.outs;
  t.is(outs.status, "Success");
  t.is(outs.packageSha256, checked.inputs.packageSha256);
  t.is(outs.configurationSha256, checked.inputs.configurationSha256);
  t.is(outs.extensions.length, 2);
  const held = (await api.get(api.addons("/acme-publishing-tools"))).data;
  t.is(held.packageSha256, checked.inputs.packageSha256, "the server holds our bytes");
  t.is(held.configurationSha256, checked.inputs.configurationSha256, "and our configuration");
  t.is(held.packageFileName, "acme-publishing-tools-1.4.0.zip");
  const uploadsBy = emulator.requestLog().filter((e) => e.method === "POST" && e.path.endsWith("/api/v1/addons"));
  t.deepEqual(
    uploadsBy.map((e) => e.identity),
    [credentials.clientId],
    "uploaded as the deploying identity",
  );

  // Step 2: no-op: same inputs, nothing to do; refresh agrees.
  const again = await p.check!(checked.inputs, inputs);
  t.false((await p.diff!(created.id, outs, again.inputs)).changes);
  const read = await p.read!(created.id, outs);
  t.is(read.id, created.id);
  t.false((await p.diff!(created.id, read.props, again.inputs)).changes);

  // Step 3: configuration only: an update that does not re-upload the package.
  const cfg2 = { ...CONFIG, configuration: { AcmeEventHandler: { threshold: 7 } } };
  const c2 = await p.check!(again.inputs, { ...inputs, configuration: cfg2 });
  const d2 = await p.diff!(created.id, outs, c2.inputs);
  t.true(d2.changes);
  t.deepEqual(d2.replaces, []);
  emulator.clearRequestLog();
  const u2 = (await p.update!(created.id, outs, c2.inputs)).outs;
  t.is(u2.configurationSha256, c2.inputs.configurationSha256);
  t.is(u2.addonId, "acme-publishing-tools", "update returns full outputs");
  t.is(u2.packageSha256, outs.packageSha256);
  const writes = emulator.requestLog().filter((e) => e.method !== "GET");
  t.deepEqual(
    writes.map((e) => `${e.method} ${e.path}`),
    ["PUT /addon/api/v1/addons/acme-publishing-tools/configuration"],
  );

  // Step 4: new content (same id): updated in place, preview already knows the new sha.
  fs.writeFileSync(path.join(dir, "dist", "acme-action", "main.js"), "export default { v: 2 };\n");
  const c3 = await p.check!(c2.inputs, { ...inputs, configuration: cfg2 });
  t.not(c3.inputs.packageSha256, c2.inputs.packageSha256);
  const d3 = await p.diff!(created.id, u2, c3.inputs);
  t.true(d3.changes);
  t.deepEqual(d3.replaces, []);
  const u3 = (await p.update!(created.id, u2, c3.inputs)).outs;
  t.is(u3.packageSha256, c3.inputs.packageSha256);
  t.is((await api.get(api.addons("/acme-publishing-tools"))).data.packageSha256, c3.inputs.packageSha256);
  t.is(u3.status, "Success");

  // Step 5: disable.
  const c4 = await p.check!(c3.inputs, { ...inputs, configuration: cfg2, enabled: false });
  t.true((await p.diff!(created.id, u3, c4.inputs)).changes);
  const u4 = (await p.update!(created.id, u3, c4.inputs)).outs;
  t.is(u4.status, "Disabled");
  t.false(u4.enabled);

  // Step 6: a new manifest id replaces; an unknown source (preview) is a change.
  const other = addonFolder({ id: "acme-other-tools" });
  const c5 = await p.check!(c4.inputs, { ...inputs, source: other });
  t.deepEqual((await p.diff!(created.id, u4, c5.inputs)).replaces, ["addonId"]);
  t.true((await p.diff!(created.id, u4, { ...c4.inputs, source: UNKNOWN, packageSha256: undefined })).changes);

  // Step 7: drift out of band: re-enabled, configuration deleted, another package uploaded.
  await api.put(api.addons("/acme-publishing-tools/status"), { enabled: true });
  await api.del(api.addons("/acme-publishing-tools/configuration"));
  const foreignZip = await buildZip(packageFiles(manifest({ version: "9.9.9" })));
  const replaced = await uploadPackage(
    api.addons("/acme-publishing-tools"),
    api.token,
    foreignZip,
    "acme-publishing-tools-9.9.9.zip",
    "PUT",
  );
  t.is(replaced.status, 200);
  const drift = await p.read!(created.id, u4);
  t.is(drift.props.version, "9.9.9");
  t.not(drift.props.packageSha256, u4.packageSha256);
  t.is(drift.props.configurationSha256, undefined);
  t.true(drift.props.enabled);
  t.is(drift.inputs.packageSha256, drift.props.packageSha256);
  t.true((await p.diff!(created.id, drift.props, c4.inputs)).changes, "the next up puts it back");
  const healed = (await p.update!(created.id, drift.props, c4.inputs)).outs;
  const server = (await api.get(api.addons("/acme-publishing-tools"))).data;
  t.is(server.packageSha256, c4.inputs.packageSha256);
  t.is(server.configurationSha256, c4.inputs.configurationSha256);
  t.is(server.status, "Disabled");
  t.false((await p.diff!(created.id, healed, c4.inputs)).changes, "and converges");

  // Step 8: delete; a later refresh drops it.
  await p.delete!(created.id, healed);
  t.is((await api.get(api.addons("/acme-publishing-tools"))).status, 404);
  t.deepEqual(await p.read!(created.id, healed), {});
});

test.serial("adopt: an add-on already on the service needs adopt: true", async (t) => {
  const { emulator, credentials } = await deployer();
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const zip = await buildZip(packageFiles(manifest({ version: "1.0.0" })));
  t.is((await uploadPackage(api.addons(""), api.token, zip, "acme-publishing-tools-1.0.0.zip")).status, 201);
  const inputs = (await p.check!({}, { source: addonFolder(), credentials })).inputs;
  const err = await failure(p.create(inputs));
  t.regex(err.message, /already holds an add-on with that id \(version 1\.0\.0/);
  t.regex(err.message, /set `adopt: true`/);
  t.is(err.id, undefined, "nothing was created, nothing recorded");
  t.is((await api.get(api.addons("/acme-publishing-tools"))).data.version, "1.0.0", "the server is untouched");
  const adopted = await p.create({ ...inputs, adopt: true });
  t.is(adopted.outs.version, "1.4.0");
  t.is((await api.get(api.addons("/acme-publishing-tools"))).data.packageSha256, inputs.packageSha256);
});

test.serial("check reports a bad package or configuration before anything is uploaded", async (t) => {
  const { emulator, credentials } = await deployer();
  t.teardown(() => emulator.close());
  const noDescription = addonFolder({ description: "" });
  const r1 = await p.check!({}, { source: noDescription, credentials });
  t.is(r1.failures?.[0].property, "source");
  t.regex(r1.failures![0].reason, /description/);
  const r2 = await p.check!({}, { source: path.join(noDescription, "nope.zip"), credentials });
  t.is(r2.failures?.[0].property, "source");
  const r3 = await p.check!({}, { source: addonFolder(), credentials, configuration: { configuration: { NoSuchExtension: {} } } });
  t.is(r3.failures?.[0].property, "configuration");
  t.regex(r3.failures![0].reason, /NoSuchExtension/);
  const r4 = await p.check!({}, { source: addonFolder(), credentials, configuration: "{not json" });
  t.is(r4.failures?.[0].property, "configuration");
  const r5 = await p.check!({}, { source: addonFolder({ requireConfiguration: "yes" }), credentials });
  t.regex(r5.failures![0].reason, /requireConfiguration: yes/);
  const r6 = await p.check!({}, { source: addonFolder(), credentials: { clientId: "x" }, activationTimeoutSeconds: -1 });
  t.deepEqual(r6.failures!.map((f) => f.property).sort(), ["activationTimeoutSeconds", "credentials"]);
  t.deepEqual(
    emulator.requestLog().filter((e) => e.path.includes("/addon/api") && e.method !== "GET"),
    [],
    "nothing uploaded",
  );
});

for (const version of ["9.6", "10"] as const) {
  test.serial(`403 preflight on ${version}: names the identity, the role and the ${version} fix`, async (t) => {
    const emulator = await start({ productVersion: version });
    t.teardown(() => emulator.close());
    const service = emulator.credentials.addonsService; // the predefined "Add-ons API" account: Service role only
    const inputs = { source: addonFolder(), credentials: service };
    const err = await failure(p.check!({}, inputs));
    t.regex(err.message, new RegExp(`identity "${service.clientId}" lacks the role ${ADDONS_ADMIN.replace(/\./g, "\\.")}`));
    t.regex(err.message, /Tridion\.AddonService\.Service/);
    if (version === "9.6") t.regex(err.message, /ClientCredentialUser/);
    else t.regex(err.message, /ServiceAccount/);
    t.false(err.message.includes(service.clientSecret));
    // create preflights too (e.g. when preview could not): same message, nothing uploaded.
    const asAdmin = (await p.check!({}, { source: inputs.source })).inputs;
    const err2 = await failure(p.create({ ...asAdmin, credentials: service }));
    t.regex(err2.message, /lacks the role/);
    t.is((await adminApi(emulator).then((a) => a.get(a.addons("")))).data.length, 0, "nothing uploaded by the Service identity");
  });
}

test.serial("settings: missing URL names key and env var; plain http refused except loopback", async (t) => {
  const emulator = await start();
  t.teardown(() => emulator.close());
  await configure({ "tridion:accessManagementUrl": emulator.accessManagementUrl, "tridion:clientId": "a", "tridion:clientSecret": "b" });
  const missing = await failure(p.check!({}, { source: addonFolder() }));
  t.regex(missing.message, /Missing provider setting tridion:addonsUrl/);
  t.regex(missing.message, /TRIDION_ADDONS_URL/);
  await configure(configFor(emulator, { "tridion:addonsUrl": "http://tridion.example.com/addons" }));
  const refused = await failure(p.check!({}, { source: addonFolder() }));
  t.regex(refused.message, /Refusing plain http for tridion:addonsUrl/);
  t.regex(refused.message, /tridion:allowInsecureHttp/);
  await configure(configFor(emulator, { "tridion:routes": '{"addon": "/x"}' }));
  const badRoutes = await failure(p.check!({}, { source: addonFolder() }));
  t.regex(badRoutes.message, /tridion:routes.*must contain \{id\}/);
  await configure(configFor(emulator, { "tridion:caCertificate": "/no/such/ca.pem" }));
  t.regex((await failure(p.check!({}, { source: addonFolder() }))).message, /tridion:caCertificate.*neither PEM text nor a readable file/);
});

test.serial("activation: Failed quotes the service and records a partial create; a timeout too", async (t) => {
  const emulator = await start({ activationDelayMs: 3_600_000 });
  t.teardown(() => emulator.close());
  const api = await adminApi(emulator);
  const inputs = (await p.check!({}, { source: addonFolder(), activationTimeoutSeconds: 60 })).inputs;
  const creating = failure(p.create(inputs));
  // Content Manager reports that the event handler failed to load, while create waits.
  await eventually(async () => ((await api.get(api.addons("/acme-publishing-tools"))).status === 200 ? true : undefined), 200);
  await api.put(api.addons("/acme-publishing-tools/extensions/AcmeEventHandler/status"), {
    environment: "sitesCm",
    status: "Failed",
    message: "Could not load Acme.EventHandler.dll",
  });
  const err = await creating;
  t.regex(err.message, /failed to activate \(status Failed\)/);
  t.regex(err.message, /Could not load Acme\.EventHandler\.dll/);
  t.regex(err.message, /Extension AcmeEventHandler/);
  t.is(err.id, "acme-publishing-tools", "recorded as partially created");
  t.is(err.properties?.status, "Failed");
  t.is(err.properties?.packageSha256, inputs.packageSha256);
  await p.delete!("acme-publishing-tools", err.properties!);

  const timeoutInputs = (await p.check!({}, { source: addonFolder(), activationTimeoutSeconds: 1 })).inputs;
  const timedOut = await failure(p.create(timeoutInputs));
  t.regex(timedOut.message, /still PendingActivation after 1 s/);
  t.regex(timedOut.message, /activationTimeoutSeconds/);
  t.is(timedOut.id, "acme-publishing-tools");
  // activationTimeoutSeconds: 0 does not wait: the next up converges without an error.
  const noWait = await p.update!("acme-publishing-tools", timedOut.properties!, { ...timeoutInputs, activationTimeoutSeconds: 0 });
  t.is(noWait.outs.status, "PendingActivation");
});

test.serial("retries: 503 bursts and 429 Retry-After are retried; a dropped upload is checked before re-sending", async (t) => {
  const emulator = await start();
  t.teardown(() => emulator.close());
  const inputs = (await p.check!({}, { source: addonFolder(), activationTimeoutSeconds: 30 })).inputs;
  emulator.setFaults({
    errorBursts: [
      { status: 503, count: 2, method: "GET" },
      { status: 429, count: 1, method: "POST", path: "/api/v1/addons$", retryAfterSeconds: 0 },
    ],
    dropUploads: { count: 1, afterBytes: 10 },
  });
  emulator.clearRequestLog();
  const created = await p.create(inputs);
  t.is(created.outs.status, "Success");
  const log = emulator.requestLog();
  const posts = log.filter((e) => e.method === "POST" && e.path.endsWith("/api/v1/addons"));
  t.true(posts.length >= 2, "the refused/dropped upload was sent again");
  t.is(posts.filter((e) => e.status === 201).length, 1, "and landed exactly once");
  emulator.setFaults({});
  const api = await adminApi(emulator);
  t.is((await api.get(api.addons("/acme-publishing-tools"))).data.packageSha256, inputs.packageSha256);
});

test.serial("a rotated deployer secret: the add-on records the new credentials without re-uploading", async (t) => {
  const emulator = await start({ seedUsers: ["deployer"] });
  t.teardown(() => emulator.close());
  const userInputs = { userName: "deployer", roles: [ADDONS_ADMIN] };
  const user = await impl.clientCredentialUser.create(userInputs);
  const creds1 = { clientId: user.outs.clientId, clientSecret: user.outs.clientSecret };
  const inputs = (await p.check!({}, { source: addonFolder(), credentials: creds1, activationTimeoutSeconds: 0 })).inputs;
  const addon = await p.create(inputs);
  const rotated = (await impl.clientCredentialUser.update!(user.id, user.outs, { ...userInputs, secretVersion: 2 })).outs;
  const creds2 = { clientId: rotated.clientId, clientSecret: rotated.clientSecret };

  // refresh with the revoked secret still in state: falls back to the provider's identity
  const read = await p.read!(addon.id, addon.outs);
  t.is(read.id, addon.id);

  const news = (await p.check!(inputs, { ...inputs, credentials: creds2 })).inputs;
  t.true((await p.diff!(addon.id, addon.outs, news)).changes);
  emulator.clearRequestLog();
  const updated = (await p.update!(addon.id, addon.outs, news)).outs;
  t.deepEqual(updated.credentials, creds2);
  t.deepEqual(
    emulator.requestLog().filter((e) => e.method !== "GET" && !e.path.endsWith("/connect/token")),
    [],
    "nothing re-uploaded",
  );
  await p.delete!(addon.id, updated);
  t.is((await (await adminApi(emulator)).get((await adminApi(emulator)).addons("/acme-publishing-tools"))).status, 404);
});

test.serial("expectedPackageSha256: only the approved package passes check; an unknown value waits for up", async (t) => {
  const { emulator, credentials } = await deployer();
  t.teardown(() => emulator.close());
  const dir = addonFolder();
  const approved = (await p.check!({}, { source: dir, credentials })).inputs.packageSha256 as string;

  const ok = await p.check!({}, { source: dir, credentials, expectedPackageSha256: approved.toUpperCase() });
  t.deepEqual(ok.failures ?? [], [], "the same bytes pass, whatever the hex case");
  const pending = await p.check!({}, { source: dir, credentials, expectedPackageSha256: UNKNOWN });
  t.deepEqual(pending.failures ?? [], [], "a value not known in preview is not a failure");

  fs.writeFileSync(path.join(dir, "CM", "Extra.txt"), "changed after approval");
  const other = await p.check!({}, { source: dir, credentials, expectedPackageSha256: approved });
  t.is(other.failures?.length, 1);
  t.is(other.failures![0].property, "expectedPackageSha256");
  t.regex(other.failures![0].reason, /not the package that was approved/);
  t.regex(other.failures![0].reason, /Fix: deploy from the same source/);
  t.false(
    emulator.requestLog().some((e) => e.method !== "GET" && e.path.includes("/addon/api")),
    "nothing was written",
  );
});
