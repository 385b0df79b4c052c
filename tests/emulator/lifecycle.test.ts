// Persistence across restarts (add-ons, users, service accounts, secrets, lastLoginAt, catalog
// ids, signing key), data dirs of an older format, the route profile override, and the
// story of the predefined Add-ons API account that can list but not upload.
import test from "ava";
import * as fs from "node:fs";
import { Agent } from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { amAdmin, signIn, type AmAccount } from "../helpers/accessManagement";
import {
  bearer,
  buildZip,
  freePort,
  getToken,
  http,
  manifest,
  packageFiles,
  requestToken,
  startTestEmulator,
  uploadPackage,
  type TestEmulator,
} from "../helpers/emulator";

// Restarts come back on the same ports: a keep-alive connection pooled before a restart would be
// reused afterwards and hang up, so this file opens a connection per request.
http.defaults.httpAgent = new Agent({ keepAlive: false });

/** What Access Management holds, as an administrator reads it (the bootstrap admin's own lastLoginAt moves with every token). */
async function amSnapshot(e: TestEmulator) {
  const admin = await amAdmin(e);
  const adminClientId = e.credentials.admin.clientId;
  const settle = (a: AmAccount) =>
    a.clientId === adminClientId
      ? { ...a, lastLoginAt: null, clientSecrets: a.clientSecrets.map((s) => ({ ...s, lastLoginAt: null })) }
      : a;
  return {
    users: await admin.list("Users"),
    serviceAccounts: (await admin.list("ServiceAccounts")).map(settle),
    apiResources: (await admin.get("/ApiResources")).data,
    applications: (await admin.get("/Applications")).data,
    identityProviders: (await admin.get("/IdentityProviders")).data,
  };
}

test("restart on the same data dir keeps add-ons, configuration, users, secrets, lastLoginAt, catalog ids, signing key and bootstrap credentials", async (t) => {
  let emu = await startTestEmulator({
    productVersion: "9.6",
    port: await freePort(),
    addonsPort: await freePort(),
    seedUsers: ["jane@acme.example"],
  });
  try {
    const admin = await getToken(emu, emu.credentials.admin);
    const am = await amAdmin(emu);
    const user = await signIn(emu, "ci", { email: "ci@example.com", identityProvider: "Windows" });
    await am.setRoles("Users", user.id, ["Tridion.AddonService.Administrator"]);
    const secret = await am.generateSecret("Users", user.id);
    const userToken = await getToken(emu, { clientId: secret.clientId, clientSecret: secret.clientSecret });
    const zip = await buildZip(packageFiles());
    t.is((await uploadPackage(`${emu.addonsUrl}/api/v1/addons`, userToken, zip, "acme-publishing-tools.zip")).status, 201);
    await http.put(
      `${emu.addonsUrl}/api/v1/addons/acme-publishing-tools/configuration`,
      { configuration: { AcmeEventHandler: { x: 1 } } },
      bearer(admin),
    );
    const before = (await http.get(`${emu.addonsUrl}/api/v1/addons/acme-publishing-tools`, bearer(admin))).data;
    const credentials = emu.credentials;
    const amBefore = await amSnapshot(emu);
    const ci = amBefore.users.find((u) => u.id === user.id)!;
    t.truthy(ci.lastLoginAt, "the token was a login");
    t.is(ci.clientSecrets[0].lastLoginAt, ci.lastLoginAt as string);

    const urls = [emu.accessManagementUrl, emu.addonsUrl];
    emu = await emu.restart();
    t.deepEqual([emu.accessManagementUrl, emu.addonsUrl], urls, "same port, same issuer");
    t.deepEqual(emu.credentials, credentials, "bootstrap credentials are stable across restarts");
    const oldTokenStillValid = await http.get(`${emu.addonsUrl}/api/v1/addons`, bearer(admin));
    t.is(oldTokenStillValid.status, 200, "the signing key is kept, so a token from before the restart still verifies");
    const admin2 = await getToken(emu, emu.credentials.admin);
    const after = (await http.get(`${emu.addonsUrl}/api/v1/addons/acme-publishing-tools`, bearer(admin2))).data;
    for (const key of ["packageSha256", "packageSize", "uploadedAt", "configurationSha256", "hasConfiguration", "version"])
      t.deepEqual(after[key], before[key], key);
    const download = await http.get(`${emu.addonsUrl}/api/v1/addons/acme-publishing-tools/package`, {
      ...bearer(admin2),
      responseType: "arraybuffer",
    });
    t.true(Buffer.from(download.data).equals(zip));
    const amAfter = await amSnapshot(emu);
    t.deepEqual(amAfter, amBefore, "users (seeded ones too), service accounts, secrets, lastLoginAt and catalog ids as they were");
    t.deepEqual(amAfter.users.map((u) => u.name).sort(), ["ci", "jane@acme.example"]);
    t.is((await requestToken(emu.accessManagementUrl, secret.clientId, secret.clientSecret)).status, 200, "the secret still works");
    t.true(fs.existsSync(`${emu.dataDir}/signing-key.json`));
    await t.throwsAsync(emu.restart({ productVersion: "10" }), { message: /holds a Tridion Sites 9\.6 emulator/ });
  } finally {
    await emu.close().catch(() => undefined);
  }
});

test("10.x restart on the same data dir and port keeps service accounts, disabled add-ons, extension reports, revoked and shortened secrets, lastLoginAt, and old tokens", async (t) => {
  let emu = await startTestEmulator({ port: await freePort(), addonsPort: await freePort(), activationDelayMs: 3_600_000 });
  try {
    const admin = await getToken(emu, emu.credentials.admin);
    const am = await amAdmin(emu);
    const addons = `${emu.addonsUrl}/api/v1/addons`;
    const pipeline = await am.createServiceAccount("pipeline", ["Tridion.AddonService.Administrator"], "ci-pipeline");
    const revoked = await am.generateSecret("ServiceAccounts", pipeline.id);
    const kept = await am.generateSecret("ServiceAccounts", pipeline.id);
    t.is((await am.revokeSecret("ServiceAccounts", pipeline.id, revoked.id)).status, 204);
    const shortenedTo = new Date(Date.now() + 20 * 24 * 3600 * 1000).toISOString();
    t.is((await am.setSecretExpiry("ServiceAccounts", pipeline.id, kept.id, shortenedTo)).status, 200);

    const pipelineToken = await getToken(emu, { clientId: pipeline.clientId!, clientSecret: kept.clientSecret });
    t.is(
      (await uploadPackage(addons, pipelineToken, await buildZip(packageFiles(manifest({ id: "switched-off" }))), "switched-off.zip"))
        .status,
      201,
    );
    t.is((await http.put(`${addons}/switched-off/status`, { enabled: false }, bearer(admin))).data.status, "Disabled");
    t.is(
      (await uploadPackage(addons, pipelineToken, await buildZip(packageFiles(manifest({ id: "reported" }))), "reported.zip")).status,
      201,
    );
    const report = (name: string, body: object) => http.put(`${addons}/reported/extensions/${name}/status`, body, bearer(admin));
    t.is((await report("AcmeEventHandler", { environment: "sitesCm", status: "Success" })).status, 200);
    t.is((await report("acme-action", { environment: "live", status: "Failed", message: "main.js threw" })).data.status, "Failed");
    const view = async (id: string) => (await http.get(`${addons}/${id}`, bearer(admin))).data;
    const before = { switchedOff: await view("switched-off"), reported: await view("reported"), am: await amSnapshot(emu) };
    const pipelineBefore = before.am.serviceAccounts.find((a) => a.id === pipeline.id)!;
    t.truthy(pipelineBefore.lastLoginAt);

    emu = await emu.restart();
    t.is(
      (await http.get(addons, bearer(pipelineToken))).status,
      200,
      "a token from before the restart still works: same issuer, same signing key",
    );
    const after = { switchedOff: await view("switched-off"), reported: await view("reported"), am: await amSnapshot(emu) };
    t.deepEqual(after, before);
    t.is(after.switchedOff.status, "Disabled");
    t.like(after.reported, { status: "Failed" });
    t.regex(after.reported.message, /acme-action.*live.*main\.js threw/);
    t.deepEqual(
      after.reported.extensions.map((e: { status: string }) => e.status),
      ["Success", "Failed"],
    );
    const pipelineAfter = after.am.serviceAccounts.find((a) => a.id === pipeline.id)!;
    t.deepEqual(
      pipelineAfter.clientSecrets.map((s) => [s.id, s.expiresAt, s.lastLoginAt]),
      [[kept.id, shortenedTo, pipelineBefore.lastLoginAt]],
    );
    t.is(pipelineAfter.clientId, "ci-pipeline");
    t.is(
      (await requestToken(emu.accessManagementUrl, pipeline.clientId!, revoked.clientSecret)).data.error,
      "invalid_client",
      "the revoked secret stays revoked",
    );
    t.is((await requestToken(emu.accessManagementUrl, pipeline.clientId!, kept.clientSecret)).status, 200);
    const next = await (await amAdmin(emu)).createServiceAccount("after-restart", []);
    t.true(next.id > pipeline.id, "ids keep counting after a restart, never reused");

    // On another port the issuer (the URL) changes, so the same token is refused as foreign.
    emu = await emu.restart({ port: 0 });
    const elsewhere = await http.get(`${emu.addonsUrl}/api/v1/addons`, bearer(pipelineToken));
    t.is(elsewhere.status, 401);
    t.regex(elsewhere.data.detail, /issuer .* is not this Access Management/);
  } finally {
    await emu.close();
  }
});

test("catalog ids (APIs, roles, applications, identity providers) are chosen per data dir, so clients must look them up", async (t) => {
  const seen = new Set<string>();
  for (let i = 0; i < 4 && seen.size < 2; i++) {
    const e = await startTestEmulator();
    try {
      const admin = await amAdmin(e);
      seen.add(JSON.stringify(admin.resources.map((r) => [r.key, r.id, r.roles.map((role) => role.id)])));
    } finally {
      await e.close();
    }
  }
  t.is(seen.size, 2, "fresh data dirs number their catalog differently");
});

test("a data dir of format 1 (the emulator's earlier, invented Access Management) is refused, untouched, with a message saying to delete it", async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tridion-emulator-format1-"));
  try {
    const old = JSON.stringify({
      formatVersion: 1,
      productVersion: "10",
      users: [{ id: "u-1", name: "ci", accessSettings: [] }],
      serviceAccounts: [],
      addons: [],
    });
    fs.writeFileSync(path.join(dataDir, "state.json"), old);
    await t.throwsAsync(startTestEmulator({ dataDir }), {
      message:
        /The data dir .* was written by an older emulator \(format 1; this one writes format 2.*It cannot be read\. Fix: delete the data dir \(or choose another --data-dir\)/,
    });
    t.is(fs.readFileSync(path.join(dataDir, "state.json"), "utf8"), old, "the old state is left as it was");
    t.deepEqual(fs.readdirSync(dataDir), ["state.json"], "nothing written beside it");
    fs.writeFileSync(path.join(dataDir, "state.json"), JSON.stringify({ productVersion: "10", users: [] }));
    await t.throwsAsync(startTestEmulator({ dataDir }), { message: /format undefined; this one writes format 2.*delete the data dir/ });
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
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
    addons: "/v2/packages",
    addon: "/v2/packages/{id}",
    addonPackage: "/v2/packages/{id}/zip",
    addonStatus: "/v2/packages/{id}/state",
    addonConfiguration: "/v2/packages/{id}/config",
    extensionStatus: "/v2/packages/{id}/ext/{name}/state",
    users: "/mgmt/people",
    user: "/mgmt/people/{id}",
    userGenerateSecret: "/mgmt/people/{id}/newSecret",
    userSecret: "/mgmt/people/{id}/secrets/{secretId}",
    addonsOpenApi: "/v2/openapi.json",
  };
  const emu = await startTestEmulator({ routes, seedUsers: ["x"] });
  try {
    const admin = await getToken(emu, emu.credentials.admin);
    const base = `${emu.addonsUrl}/v2/packages`;
    t.is((await uploadPackage(base, admin, await buildZip(packageFiles()), "acme-publishing-tools.zip")).status, 201);
    t.is((await http.get(`${emu.addonsUrl}/api/v1/addons`, bearer(admin))).status, 404);
    t.is((await http.get(`${base}/acme-publishing-tools`, bearer(admin))).status, 200);
    t.is((await http.get(`${base}/acme-publishing-tools/zip`, bearer(admin))).status, 200);
    t.is((await http.put(`${base}/acme-publishing-tools/state`, { enabled: false }, bearer(admin))).data.status, "Disabled");
    t.is((await http.put(`${base}/acme-publishing-tools/config`, { configuration: {} }, bearer(admin))).status, 200);
    t.is(
      (
        await http.put(
          `${base}/acme-publishing-tools/ext/AcmeEventHandler/state`,
          { environment: "live", status: "Success" },
          bearer(admin),
        )
      ).status,
      200,
    );
    const people = await http.get(`${emu.accessManagementUrl}/mgmt/people`, bearer(admin));
    t.is(people.status, 200);
    const user = people.data.find((u: { name: string }) => u.name === "x");
    t.is((await http.get(`${emu.accessManagementUrl}/mgmt/people/${user.id}`, bearer(admin))).data.id, user.id);
    const secret = await http.post(`${emu.accessManagementUrl}/mgmt/people/${user.id}/newSecret`, undefined, bearer(admin));
    t.is(secret.status, 200);
    t.is(
      (
        await http.put(
          `${emu.accessManagementUrl}/mgmt/people/${user.id}/secrets/${secret.data.id}`,
          { expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
          bearer(admin),
        )
      ).status,
      200,
    );
    t.is((await http.delete(`${emu.accessManagementUrl}/mgmt/people/${user.id}/secrets/${secret.data.id}`, bearer(admin))).status, 204);
    t.is((await http.get(`${emu.accessManagementUrl}/api/v1/Users`, bearer(admin))).status, 404, "the default users route is gone");
    t.is(
      (await http.get(`${emu.accessManagementUrl}/api/v1/ServiceAccounts`, bearer(admin))).status,
      200,
      "keys not overridden keep their default",
    );
    const amDoc = (await http.get(`${emu.accessManagementUrl}/api/api-docs/v1/openapi.json`)).data;
    t.truthy(amDoc.paths["/mgmt/people/{id}/newSecret"].post);
    t.falsy(amDoc.paths["/api/v1/Users"]);
    const doc = (await http.get(`${emu.addonsUrl}/v2/openapi.json`)).data;
    t.truthy(doc.paths["/v2/packages/{addonId}/ext/{extensionName}/state"].put);
    t.truthy(doc.paths["/v2/packages"].post);
    t.false(JSON.stringify(doc).includes("x-route-key"));
    t.is((await http.delete(`${base}/acme-publishing-tools`, bearer(admin))).status, 204);
  } finally {
    await emu.close();
  }
});

test("route profile errors name the key and the fix", async (t) => {
  await t.throwsAsync(startTestEmulator({ routes: { nope: "/x" } as never }), { message: /Unknown route profile key "nope"/ });
  await t.throwsAsync(startTestEmulator({ routes: { addon: "/v2/packages/id" } }), { message: /must contain the placeholder \{id\}/ });
  await t.throwsAsync(startTestEmulator({ routes: { addons: "v2" } }), { message: /must be a path starting with "\/"/ });
  await t.throwsAsync(startTestEmulator({ routes: { userGenerateSecret: "/api/v1/Users/generate" } }), {
    message: /must contain the placeholder \{id\}/,
  });
  // The keys of the earlier, invented contract: a profile written for it must not silently do nothing.
  await t.throwsAsync(startTestEmulator({ routes: { userSecrets: "/api/v1/users/{id}/client-secrets" } as never }), {
    message:
      /Route profile key "userSecrets" is retired: Access Management's real API has no such route\. Use userGenerateSecret \(POST \.\.\.\/generateClientSecret\) and userSecret instead/,
  });
  await t.throwsAsync(startTestEmulator({ routes: { serviceAccountSecrets: "/x/{id}" } as never }), {
    message: /"serviceAccountSecrets" is retired.*serviceAccountGenerateSecret/,
  });
});

test("9.6: the predefined Add-ons API account lists but gets 403 on upload; a signed-in user with client credentials and the Administrator role uploads the same package", async (t) => {
  const emu = await startTestEmulator({ productVersion: "9.6", seedUsers: [{ name: "jane@acme.example", email: "jane@acme.example" }] });
  try {
    const addons = `${emu.addonsUrl}/api/v1/addons`;
    const zip = await buildZip(packageFiles(manifest()));
    const service = await getToken(emu, emu.credentials.addonsService);
    t.is((await http.get(addons, bearer(service))).status, 200);
    const refused = await uploadPackage(addons, service, zip, "acme-publishing-tools-1.4.0.zip");
    t.is(refused.status, 403);
    t.regex(refused.data.detail, /Tridion\.AddonService\.Administrator/);
    t.regex(refused.data.detail, /Tridion\.AddonService\.Service/);

    const am = await amAdmin(emu);
    const addonsApi = (await am.list("ServiceAccounts")).find((a) => a.name === "Add-ons API")!;
    t.deepEqual(am.rolesOf(addonsApi), ["Tridion.AddonService.Service"]);
    t.is(
      (
        await am.put(`/ServiceAccounts/${addonsApi.id}`, {
          ...addonsApi,
          accessControlEntry: am.roleLinks(["Tridion.AddonService.Administrator"]),
        })
      ).status,
      400,
      "its access settings cannot be modified",
    );
    t.is((await am.post("/ServiceAccounts", { name: "pipeline" })).status, 400, "no custom service accounts in 9.6");
    const jane = await am.user("jane@acme.example");
    t.is(jane.email, "jane@acme.example");
    await am.setRoles("Users", jane.id, ["Tridion.AddonService.Administrator"]);
    const secret = await am.generateSecret("Users", jane.id);
    const janeToken = await getToken(emu, { clientId: secret.clientId, clientSecret: secret.clientSecret });
    const uploaded = await uploadPackage(addons, janeToken, zip, "acme-publishing-tools-1.4.0.zip");
    t.is(uploaded.status, 201);
    const log = emu.requestLog().filter((e) => e.method === "POST" && e.path === "/addon/api/v1/addons");
    t.deepEqual(
      log.map((e) => [e.status, e.identity]),
      [
        [403, emu.credentials.addonsService.clientId],
        [201, secret.clientId],
      ],
    );
  } finally {
    await emu.close();
  }
});
