// Persistence across restarts, the route profile override, and the seed question's story.
import test from "ava";
import * as fs from "node:fs";
import { Agent } from "node:http";
import * as net from "node:net";
import {
  bearer, buildZip, getToken, http, manifest, packageFiles, requestToken, startTestEmulator, uploadPackage,
} from "../helpers/emulator";

// Restarts come back on the same port: a keep-alive connection pooled before a restart would be
// reused afterwards and hang up, so this file opens a connection per request.
http.defaults.httpAgent = new Agent({ keepAlive: false });

/** A port that was free a moment ago, so that a restart can come back on the same URLs. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test("restart on the same data dir keeps add-ons, configuration, users, secrets, signing key and bootstrap credentials", async (t) => {
  let emu = await startTestEmulator({ productVersion: "9.6", port: await freePort() });
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

    const urls = [emu.accessManagementUrl, emu.addonsUrl];
    emu = await emu.restart();
    t.deepEqual([emu.accessManagementUrl, emu.addonsUrl], urls, "same port, same issuer");
    t.deepEqual(emu.credentials, credentials, "bootstrap credentials are stable across restarts");
    const oldTokenStillValid = await http.get(`${emu.addonsUrl}/api/v1/addons`, bearer(admin));
    t.is(oldTokenStillValid.status, 200, "the signing key is kept, so a token from before the restart still verifies");
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

test("10.x restart on the same data dir and port keeps service accounts, disabled add-ons, extension reports, revoked and shortened secrets, and old tokens", async (t) => {
  let emu = await startTestEmulator({ port: await freePort(), activationDelayMs: 3_600_000 });
  try {
    const admin = await getToken(emu, emu.credentials.admin);
    const am = `${emu.accessManagementUrl}/api/v1`;
    const addons = `${emu.addonsUrl}/api/v1/addons`;
    const pipeline = (await http.post(`${am}/service-accounts`, { name: "pipeline", description: "CI", accessSettings: [{ api: "Tridion.AddonService", role: "Administrator" }] }, bearer(admin))).data;
    const secrets = `${am}/service-accounts/${pipeline.id}/client-secrets`;
    const revoked = (await http.post(secrets, { description: "old" }, bearer(admin))).data;
    const kept = (await http.post(secrets, { description: "current" }, bearer(admin))).data;
    t.is((await http.delete(`${secrets}/${revoked.id}`, bearer(admin))).status, 204);
    const shortenedTo = new Date(Date.now() + 20 * 24 * 3600 * 1000).toISOString();
    t.is((await http.patch(`${secrets}/${kept.id}`, { expiresAt: shortenedTo }, bearer(admin))).status, 200);

    const pipelineToken = await getToken(emu, { clientId: pipeline.clientId, clientSecret: kept.secret });
    t.is((await uploadPackage(addons, pipelineToken, await buildZip(packageFiles(manifest({ id: "switched-off" }))), "switched-off.zip")).status, 201);
    t.is((await http.put(`${addons}/switched-off/status`, { enabled: false }, bearer(admin))).data.status, "Disabled");
    t.is((await uploadPackage(addons, pipelineToken, await buildZip(packageFiles(manifest({ id: "reported" }))), "reported.zip")).status, 201);
    const report = (name: string, body: object) => http.put(`${addons}/reported/extensions/${name}/status`, body, bearer(admin));
    t.is((await report("AcmeEventHandler", { environment: "sitesCm", status: "Success" })).status, 200);
    t.is((await report("acme-action", { environment: "live", status: "Failed", message: "main.js threw" })).data.status, "Failed");
    const view = async (id: string) => (await http.get(`${addons}/${id}`, bearer(admin))).data;
    const before = { switchedOff: await view("switched-off"), reported: await view("reported"), pipeline: (await http.get(`${am}/service-accounts/${pipeline.id}`, bearer(admin))).data };
    const secretsBefore = (await http.get(secrets, bearer(admin))).data;

    emu = await emu.restart();
    t.is((await http.get(addons, bearer(pipelineToken))).status, 200, "a token from before the restart still works: same issuer, same signing key");
    const after = { switchedOff: await view("switched-off"), reported: await view("reported"), pipeline: (await http.get(`${am}/service-accounts/${pipeline.id}`, bearer(admin))).data };
    t.deepEqual(after, before);
    t.is(after.switchedOff.status, "Disabled");
    t.like(after.reported, { status: "Failed" });
    t.regex(after.reported.message, /acme-action.*live.*main\.js threw/);
    t.deepEqual(after.reported.extensions.map((e: { status: string }) => e.status), ["Success", "Failed"]);
    const secretsAfter = (await http.get(secrets, bearer(admin))).data;
    t.deepEqual(secretsAfter, secretsBefore);
    t.deepEqual(secretsAfter.map((s: { id: string; expiresAt: string }) => [s.id, s.expiresAt]), [[kept.id, shortenedTo]]);
    t.is((await requestToken(emu.accessManagementUrl, pipeline.clientId, revoked.secret)).data.error, "invalid_client", "the revoked secret stays revoked");
    t.is((await requestToken(emu.accessManagementUrl, pipeline.clientId, kept.secret)).status, 200);

    // On another port the issuer (the URL) changes, so the same token is refused as foreign.
    emu = await emu.restart({ port: 0 });
    const elsewhere = await http.get(`${emu.addonsUrl}/api/v1/addons`, bearer(pipelineToken));
    t.is(elsewhere.status, 401);
    t.regex(elsewhere.data.detail, /issuer .* is not this Access Management/);
  } finally {
    await emu.close();
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
