// Persistence across restarts, the route profile override, and the seed question's story.
import test from "ava";
import * as fs from "node:fs";
import {
  bearer, buildZip, getToken, http, manifest, packageFiles, requestToken, startTestEmulator, uploadPackage,
} from "../helpers/emulator";

test("restart on the same data dir keeps add-ons, configuration, users, secrets, signing key and bootstrap credentials", async (t) => {
  let emu = await startTestEmulator({ productVersion: "9.6" });
  try {
    const admin = await getToken(emu, emu.credentials.admin);
    const am = `${emu.accessManagementUrl}/api/v1`;
    const user = (await http.post(`${am}/users`, { name: "ci", accessSettings: [{ api: "Tridion.AddonService", role: "Administrator" }] }, bearer(admin))).data;
    const secret = (await http.post(`${am}/users/${user.id}/client-secrets`, { description: "pipeline" }, bearer(admin))).data;
    const zip = await buildZip(packageFiles());
    t.is((await uploadPackage(`${emu.addonsUrl}/api/v1/addons`, admin, zip, "acme-publishing-tools.zip")).status, 201);
    await http.put(`${emu.addonsUrl}/api/v1/addons/acme-publishing-tools/configuration`, { configuration: { AcmeEventHandler: { x: 1 } } }, bearer(admin));
    const before = (await http.get(`${emu.addonsUrl}/api/v1/addons/acme-publishing-tools`, bearer(admin))).data;
    const credentials = emu.credentials;

    emu = await emu.restart();
    t.deepEqual(emu.credentials, credentials, "bootstrap credentials are stable across restarts");
    const oldTokenStillValid = await http.get(`${emu.addonsUrl}/api/v1/addons`, bearer(admin));
    t.is(oldTokenStillValid.status, 401, "new port, so new issuer: old tokens are refused");
    const admin2 = await getToken(emu, emu.credentials.admin);
    const after = (await http.get(`${emu.addonsUrl}/api/v1/addons/acme-publishing-tools`, bearer(admin2))).data;
    for (const key of ["packageSha256", "packageSize", "uploadedAt", "configurationSha256", "hasConfiguration", "version"]) t.deepEqual(after[key], before[key], key);
    const download = await http.get(`${emu.addonsUrl}/api/v1/addons/acme-publishing-tools/package`, { ...bearer(admin2), responseType: "arraybuffer" });
    t.true(Buffer.from(download.data).equals(zip));
    const users = (await http.get(`${emu.accessManagementUrl}/api/v1/users`, bearer(admin2))).data;
    t.deepEqual(users.map((u: { id: string }) => u.id), [user.id]);
    const secrets = (await http.get(`${emu.accessManagementUrl}/api/v1/users/${user.id}/client-secrets`, bearer(admin2))).data;
    t.like(secrets[0], { id: secret.id, description: "pipeline", expiresAt: secret.expiresAt });
    t.is((await requestToken(emu.accessManagementUrl, user.clientId, secret.secret)).status, 200, "the secret still works");
    t.true(fs.existsSync(`${emu.dataDir}/signing-key.json`));
    await t.throwsAsync(emu.restart({ productVersion: "10" }), { message: /holds a Tridion Sites 9\.6 emulator/ });
  } finally {
    await emu.close().catch(() => undefined);
  }
});

test("admin client id and secret can be fixed by options", async (t) => {
  const emu = await startTestEmulator({ adminClientId: "pipeline-admin", adminClientSecret: "s3cret-from-env-variable" });
  try {
    t.deepEqual(emu.credentials.admin, { clientId: "pipeline-admin", clientSecret: "s3cret-from-env-variable" });
    t.is((await requestToken(emu.accessManagementUrl, "pipeline-admin", "s3cret-from-env-variable")).status, 200);
    t.false(fs.readFileSync(`${emu.dataDir}/state.json`, "utf8").includes("s3cret-from-env-variable"));
  } finally {
    await emu.close();
  }
});

test("route profile override: every Add-ons route under /v2 and AM routes moved too; defaults are gone", async (t) => {
  const routes = {
    addons: "/v2/packages", addon: "/v2/packages/{id}", addonPackage: "/v2/packages/{id}/zip", addonStatus: "/v2/packages/{id}/state",
    addonConfiguration: "/v2/packages/{id}/config", extensionStatus: "/v2/packages/{id}/ext/{name}/state",
    users: "/mgmt/people", user: "/mgmt/people/{id}", userSecrets: "/mgmt/people/{id}/secrets", userSecret: "/mgmt/people/{id}/secrets/{secretId}",
    addonsOpenApi: "/v2/openapi.json",
  };
  const emu = await startTestEmulator({ routes });
  try {
    const admin = await getToken(emu, emu.credentials.admin);
    const base = `${emu.addonsUrl}/v2/packages`;
    t.is((await uploadPackage(base, admin, await buildZip(packageFiles()), "acme-publishing-tools.zip")).status, 201);
    t.is((await http.get(`${emu.addonsUrl}/api/v1/addons`, bearer(admin))).status, 404);
    t.is((await http.get(`${base}/acme-publishing-tools`, bearer(admin))).status, 200);
    t.is((await http.get(`${base}/acme-publishing-tools/zip`, bearer(admin))).status, 200);
    t.is((await http.put(`${base}/acme-publishing-tools/state`, { enabled: false }, bearer(admin))).data.status, "Disabled");
    t.is((await http.put(`${base}/acme-publishing-tools/config`, { configuration: {} }, bearer(admin))).status, 200);
    t.is((await http.put(`${base}/acme-publishing-tools/ext/AcmeEventHandler/state`, { environment: "live", status: "Success" }, bearer(admin))).status, 200);
    const user = await http.post(`${emu.accessManagementUrl}/mgmt/people`, { name: "x" }, bearer(admin));
    t.is(user.status, 201);
    t.is((await http.post(`${emu.accessManagementUrl}/mgmt/people/${user.data.id}/secrets`, {}, bearer(admin))).status, 201);
    t.is((await http.get(`${emu.accessManagementUrl}/api/v1/service-accounts`, bearer(admin))).status, 200, "keys not overridden keep their default");
    const doc = (await http.get(`${emu.addonsUrl}/v2/openapi.json`)).data;
    t.truthy(doc.paths["/v2/packages/{id}/ext/{name}/state"].put);
    t.is(doc.paths["/v2/packages"].post["x-route-key"], "addons");
    t.is((await http.delete(`${base}/acme-publishing-tools`, bearer(admin))).status, 204);
  } finally {
    await emu.close();
  }
});

test("route profile errors name the key and the fix", async (t) => {
  await t.throwsAsync(startTestEmulator({ routes: { nope: "/x" } as never }), { message: /Unknown route profile key "nope"/ });
  await t.throwsAsync(startTestEmulator({ routes: { addon: "/v2/packages/id" } }), { message: /must contain the placeholder \{id\}/ });
  await t.throwsAsync(startTestEmulator({ routes: { addons: "v2" } }), { message: /must be a path starting with "\/"/ });
});

test("the seed story (9.6): Add-ons API account lists but gets 403 on upload; a user with client credentials and the Administrator role uploads the same package", async (t) => {
  const emu = await startTestEmulator({ productVersion: "9.6", seedUsers: [{ name: "jane@acme.example", displayName: "Jane" }] });
  try {
    const addons = `${emu.addonsUrl}/api/v1/addons`;
    const zip = await buildZip(packageFiles(manifest()));
    const service = await getToken(emu, emu.credentials.addonsService);
    t.is((await http.get(addons, bearer(service))).status, 200);
    const refused = await uploadPackage(addons, service, zip, "acme-publishing-tools-1.4.0.zip");
    t.is(refused.status, 403);
    t.regex(refused.data.detail, /Tridion\.AddonService\.Administrator/);
    t.regex(refused.data.detail, /Tridion\.AddonService\.Service/);

    const admin = await getToken(emu, emu.credentials.admin);
    const am = `${emu.accessManagementUrl}/api/v1`;
    const predefined = await http.get(`${am}/service-accounts`, bearer(admin));
    t.is(predefined.status, 404, "no custom service accounts in 9.6");
    const jane = (await http.get(`${am}/users?name=jane@acme.example`, bearer(admin))).data[0];
    const adopted = await http.put(`${am}/users/${jane.id}`, { name: jane.name, displayName: "Jane", accessSettings: [{ api: "Tridion.AddonService", role: "Administrator" }] }, bearer(admin));
    t.is(adopted.status, 200);
    const secret = (await http.post(`${am}/users/${jane.id}/client-secrets`, {}, bearer(admin))).data;
    const janeToken = await getToken(emu, { clientId: jane.clientId, clientSecret: secret.secret });
    const uploaded = await uploadPackage(addons, janeToken, zip, "acme-publishing-tools-1.4.0.zip");
    t.is(uploaded.status, 201);
    const log = emu.requestLog().filter((e) => e.method === "POST" && e.path === "/addons/api/v1/addons");
    t.deepEqual(log.map((e) => [e.status, e.identity]), [[403, emu.credentials.addonsService.clientId], [201, jane.clientId]]);
  } finally {
    await emu.close();
  }
});
