// The Add-ons Service: routes, the role matrix of docs/tridion-contract.md §3.1 (401 vs 403), statuses,
// configuration, downloads and extension status reports.
import test from "ava";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { calculateJwkThumbprint, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from "jose";
import { canonicalJson } from "../../emulator";
import { amAdmin, signIn } from "../helpers/accessManagement";
import {
  bearer,
  buildZip,
  eventually,
  getToken,
  http,
  manifest,
  packageFiles,
  startTestEmulator,
  uploadPackage,
  type TestEmulator,
} from "../helpers/emulator";
import { multipartFrame, openUpload } from "./rawUpload";

let emu: TestEmulator;
const tokens: Record<"admin" | "service" | "readOnly", string> = { admin: "", service: "", readOnly: "" };
let addons: string;
let validZip: Buffer;

test.before(async () => {
  emu = await startTestEmulator({ activationDelayMs: 300 });
  addons = `${emu.addonsUrl}/api/v1/addons`;
  tokens.admin = await getToken(emu, emu.credentials.admin);
  tokens.service = await getToken(emu, emu.credentials.addonsService);
  const admin = await amAdmin(emu);
  const user = await signIn(emu, "reader");
  await admin.setRoles("Users", user.id, ["Tridion.AddonService.ReadOnly"]);
  const secret = await admin.generateSecret("Users", user.id);
  tokens.readOnly = await getToken(emu, { clientId: secret.clientId, clientSecret: secret.clientSecret });
  validZip = await buildZip(packageFiles());
});
test.after.always(async () => {
  await emu?.close();
});

async function uploadAs(id: string, m: Record<string, unknown> = manifest({ id })) {
  const zip = await buildZip(packageFiles(m));
  const res = await uploadPackage(addons, tokens.admin, zip, `${id}-${m.version}.zip`);
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.data)}`);
  return res.data;
}

test("upload (201) returns metadata exactly as the contract, then PendingActivation -> Success", async (t) => {
  const res = await uploadPackage(addons, tokens.admin, validZip, "acme-publishing-tools-1.4.0-7.zip");
  t.is(res.status, 201);
  t.deepEqual(Object.keys(res.data).sort(), [
    "author",
    "configurationSha256",
    "description",
    "extensions",
    "hasConfiguration",
    "id",
    "manifestVersion",
    "message",
    "name",
    "packageFileName",
    "packageSha256",
    "packageSize",
    "requireConfiguration",
    "status",
    "uploadedAt",
    "version",
  ]);
  t.like(res.data, {
    id: "acme-publishing-tools",
    version: "1.4.0",
    name: "ACME Publishing Tools",
    author: "ACME",
    manifestVersion: "1.0",
    requireConfiguration: "optional",
    status: "PendingActivation",
    packageFileName: "acme-publishing-tools-1.4.0-7.zip",
    packageSize: validZip.length,
    packageSha256: createHash("sha256").update(validZip).digest("hex"),
    hasConfiguration: false,
    configurationSha256: null,
  });
  t.deepEqual(
    res.data.extensions.map((e: { name: string; type: string; status: string }) => [e.name, e.type, e.status]),
    [
      ["AcmeEventHandler", "CMEventHandler", "PendingActivation"],
      ["acme-action", "ExperienceSpaceExtension", "PendingActivation"],
    ],
  );
  const done = await eventually(async () => {
    const { data } = await http.get(`${addons}/acme-publishing-tools`, bearer(tokens.readOnly));
    return data.status === "Success" ? data : undefined;
  });
  t.true(done.extensions.every((e: { status: string }) => e.status === "Success"));
  const dup = await uploadPackage(addons, tokens.admin, validZip, "acme-publishing-tools.zip");
  t.is(dup.status, 409);
  t.regex(dup.data.detail, /already exists/);
});

test("download returns the same bytes; PUT replaces the package; DELETE removes add-on and configuration", async (t) => {
  await uploadAs("replace-me");
  const download = await http.get(`${addons}/replace-me/package`, { ...bearer(tokens.service), responseType: "arraybuffer" });
  t.is(download.status, 200);
  t.is(download.headers["content-type"], "application/zip");
  const original = (await http.get(`${addons}/replace-me`, bearer(tokens.admin))).data;
  t.is(createHash("sha256").update(Buffer.from(download.data)).digest("hex"), original.packageSha256);
  const v2 = manifest({ id: "replace-me", version: "2.0.0" });
  const put = await uploadPackage(`${addons}/replace-me`, tokens.admin, await buildZip(packageFiles(v2)), "replace-me-2.0.0.zip", "PUT");
  t.is(put.status, 200);
  t.is(put.data.version, "2.0.0");
  t.not(put.data.packageSha256, original.packageSha256);
  const mismatch = await uploadPackage(`${addons}/replace-me`, tokens.admin, validZip, "acme-publishing-tools.zip", "PUT");
  t.is(mismatch.status, 400);
  t.regex(mismatch.data.detail, /does not match the add-on "replace-me"/);
  const missing = await uploadPackage(`${addons}/nope`, tokens.admin, validZip, "acme-publishing-tools.zip", "PUT");
  t.is(missing.status, 404);
  t.is((await http.put(`${addons}/replace-me/configuration`, { configuration: {} }, bearer(tokens.admin))).status, 200);
  t.is((await http.delete(`${addons}/replace-me`, bearer(tokens.admin))).status, 204);
  t.is((await http.get(`${addons}/replace-me`, bearer(tokens.admin))).status, 404);
  t.is((await http.get(`${addons}/replace-me/configuration`, bearer(tokens.admin))).status, 404);
  t.is((await http.delete(`${addons}/replace-me`, bearer(tokens.admin))).status, 404);
});

test("role matrix: Service and ReadOnly get exactly the operations of the role matrix, 403 otherwise", async (t) => {
  await uploadAs("matrix");
  await http.put(`${addons}/matrix/configuration`, { configuration: { AcmeEventHandler: { a: 1 } } }, bearer(tokens.admin));
  const zip = await buildZip(packageFiles(manifest({ id: "matrix" })));
  const newZip = await buildZip(packageFiles(manifest({ id: "matrix-new" })));
  const operations: Record<string, (token: string) => Promise<{ status: number }>> = {
    list: (tk) => http.get(addons, bearer(tk)),
    get: (tk) => http.get(`${addons}/matrix`, bearer(tk)),
    upload: (tk) => uploadPackage(addons, tk, newZip, "matrix-new.zip"),
    update: (tk) => uploadPackage(`${addons}/matrix`, tk, zip, "matrix.zip", "PUT"),
    setStatus: (tk) => http.put(`${addons}/matrix/status`, { enabled: true }, bearer(tk)),
    delete: (tk) => http.delete(`${addons}/matrix`, bearer(tk)),
    downloadPackage: (tk) => http.get(`${addons}/matrix/package`, bearer(tk)),
    putConfiguration: (tk) => http.put(`${addons}/matrix/configuration`, { configuration: {} }, bearer(tk)),
    deleteConfiguration: (tk) => http.delete(`${addons}/matrix/configuration`, bearer(tk)),
    downloadConfiguration: (tk) => http.get(`${addons}/matrix/configuration`, bearer(tk)),
    extensionStatus: (tk) =>
      http.put(`${addons}/matrix/extensions/AcmeEventHandler/status`, { environment: "live", status: "Success" }, bearer(tk)),
  };
  const allowed = {
    service: ["list", "get", "setStatus", "downloadPackage", "downloadConfiguration", "extensionStatus"],
    readOnly: ["list", "get"],
  };
  for (const role of ["service", "readOnly"] as const) {
    for (const [operation, call] of Object.entries(operations)) {
      const { status } = await call(tokens[role]);
      if (allowed[role].includes(operation)) t.true(status >= 200 && status < 300, `${role} ${operation}: ${status}`);
      else t.is(status, 403, `${role} ${operation}`);
    }
  }
  t.is((await http.get(`${addons}/matrix`, bearer(tokens.admin))).status, 200, "nothing was deleted by a refused call");
  t.is((await http.get(`${addons}/matrix-new`, bearer(tokens.admin))).status, 404, "nothing was uploaded by a refused call");
  const forbidden = await http.delete(`${addons}/matrix`, bearer(tokens.service));
  t.regex(String(forbidden.headers["content-type"]), /^application\/problem\+json/);
  t.regex(forbidden.data.detail, /Tridion\.AddonService\.Administrator/);
  t.is(
    forbidden.headers["www-authenticate"],
    'Bearer error="insufficient_scope", error_description="Needs one of the roles Tridion.AddonService.Administrator"',
  );
});

test("401 for no token, garbage, bad signature, other issuer, wrong audience, expired token", async (t) => {
  const list = (headers: Record<string, string> = {}) => http.get(addons, { headers });
  const none = await list();
  t.is(none.status, 401);
  t.is(none.headers["www-authenticate"], "Bearer", "RFC 6750 §3.1: no error code without a token");
  const garbage = await list({ Authorization: "Bearer garbage" });
  t.is(garbage.status, 401);
  t.is(garbage.headers["www-authenticate"], 'Bearer error="invalid_token", error_description="The token is malformed"');
  const basic = await list({ Authorization: `Basic ${Buffer.from("a:b").toString("base64")}` });
  t.is(basic.status, 401);
  t.is(basic.headers["www-authenticate"], "Bearer");
  const foreign = await generateKeyPair("RS256");
  const forged = await new SignJWT({ client_id: "x", role: ["Tridion.AddonService.Administrator"] })
    .setProtectedHeader({ alg: "RS256" })
    .setIssuer(emu.accessManagementUrl)
    .setAudience("Tridion.AddonService")
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(foreign.privateKey);
  const badSignature = await list({ Authorization: `Bearer ${forged}` });
  t.is(badSignature.status, 401);
  t.regex(badSignature.data.detail, /signature|key/);
  t.regex(
    String(badSignature.headers["www-authenticate"]),
    /^Bearer error="invalid_token", error_description="The (signature is invalid|signing key is not found)"$/,
  );
  // an Access-Management-only token: valid signature, wrong audience
  const admin = await amAdmin(emu);
  const amOnlyAccount = await admin.createServiceAccount("am-only", ["Tridion.AccessManagement.Administrator"]);
  const secret = await admin.generateSecret("ServiceAccounts", amOnlyAccount.id);
  const amOnly = await getToken(emu, { clientId: secret.clientId, clientSecret: secret.clientSecret });
  const wrongAudience = await list({ Authorization: `Bearer ${amOnly}` });
  t.is(wrongAudience.status, 401);
  t.regex(wrongAudience.data.detail, /audience/);
  t.is(
    wrongAudience.headers["www-authenticate"],
    'Bearer error="invalid_token", error_description="The audience is invalid (expected Tridion.AddonService)"',
  );
  // a token from another emulator (other key and issuer); then expiry, on that emulator's clock
  // (moving this file's shared emulator clock would expire the other tests' tokens)
  const other = await startTestEmulator();
  try {
    const otherToken = await getToken(other, other.credentials.admin);
    t.is((await list({ Authorization: `Bearer ${otherToken}` })).status, 401);
    const otherList = `${other.addonsUrl}/api/v1/addons`;
    t.is((await http.get(otherList, bearer(otherToken))).status, 200);
    other.advanceClock(3601);
    const expired = await http.get(otherList, bearer(otherToken));
    t.is(expired.status, 401);
    t.regex(expired.data.detail, /expired/);
  } finally {
    await other.close();
  }
});

/** Signs with the emulator's own key (from its data dir), so only the claims can be wrong. */
async function signWithEmulatorKey(claims: JWTPayload): Promise<string> {
  const jwk = JSON.parse(fs.readFileSync(`${emu.dataDir}/signing-key.json`, "utf8")) as JWK;
  const key = await importJWK({ ...jwk, alg: "RS256" }, "RS256");
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: await calculateJwkThumbprint(jwk) }).sign(key);
}

test("tokens signed with the emulator's real key: each wrong claim alone is a 401 naming it", async (t) => {
  const now = Math.floor(Date.now() / 1000);
  const good: JWTPayload = {
    iss: emu.accessManagementUrl,
    aud: "Tridion.AddonService",
    exp: now + 3600,
    iat: now,
    client_id: "hand-made",
    role: "Tridion.AddonService.ReadOnly",
  };
  const list = async (claims: JWTPayload) => http.get(addons, bearer(await signWithEmulatorKey(claims)));
  t.is((await list(good)).status, 200, "the hand-made token is accepted when its claims are right");

  const otherIssuer = await list({ ...good, iss: "https://elsewhere.example/access-management" });
  t.is(otherIssuer.status, 401);
  t.regex(otherIssuer.data.detail, /issuer \(https:\/\/elsewhere\.example\/access-management\) is not this Access Management/);
  t.is(otherIssuer.headers["www-authenticate"], 'Bearer error="invalid_token", error_description="The issuer is invalid"');

  const { exp: _exp, ...noExpiry } = good;
  const unbounded = await list(noExpiry);
  t.is(unbounded.status, 401, "a token without exp would never expire");
  t.regex(unbounded.data.detail, /no exp \(expiry\) claim/);

  const expired = await list({ ...good, iat: now - 7200, exp: now - 3600 });
  t.is(expired.status, 401);
  t.regex(expired.data.detail, /has expired/);
  t.is(expired.headers["www-authenticate"], 'Bearer error="invalid_token", error_description="The token expired"');

  const otherAudience = await list({ ...good, aud: "Tridion.ContentManager" });
  t.is(otherAudience.status, 401);
  t.regex(otherAudience.data.detail, /audience does not include Tridion\.AddonService/);
});

test("statuses: Failed with messages for a missing file, WaitingForConfiguration, Disabled and back", async (t) => {
  const broken = manifest({ id: "broken" });
  const files = packageFiles(broken);
  delete files["CM/Acme.EventHandler.dll"];
  const failed = await uploadPackage(addons, tokens.admin, await buildZip(files), "broken.zip");
  t.is(failed.status, 201);
  t.is(failed.data.status, "Failed");
  t.regex(failed.data.message, /CM\\Acme\.EventHandler\.dll/);
  const ext = failed.data.extensions.find((e: { name: string }) => e.name === "AcmeEventHandler");
  t.is(ext.status, "Failed");
  t.regex(ext.message, /not in the package/);

  const waiting = await uploadAs("needs-config", manifest({ id: "needs-config", requireConfiguration: "Yes" }));
  t.is(waiting.status, "WaitingForConfiguration");
  t.is(waiting.requireConfiguration, "yes");
  const configured = await http.put(
    `${addons}/needs-config/configuration`,
    { configuration: { AcmeEventHandler: {} } },
    bearer(tokens.admin),
  );
  t.is(configured.data.status, "PendingActivation");
  await eventually(async () =>
    (await http.get(`${addons}/needs-config`, bearer(tokens.admin))).data.status === "Success" ? true : undefined,
  );

  const disabled = await http.put(`${addons}/needs-config/status`, { enabled: false }, bearer(tokens.service));
  t.is(disabled.status, 200);
  t.is(disabled.data.status, "Disabled");
  t.is((await http.put(`${addons}/needs-config/status`, { enabled: "no" }, bearer(tokens.admin))).status, 400);
  const enabled = await http.put(`${addons}/needs-config/status`, { enabled: true }, bearer(tokens.admin));
  t.is(enabled.data.status, "PendingActivation");
});

test("extension status reports: all Success activates at once; one Failed fails the add-on", async (t) => {
  const slow = await startTestEmulator({ activationDelayMs: 3_600_000 });
  try {
    const admin = await getToken(slow, slow.credentials.admin);
    const list = `${slow.addonsUrl}/api/v1/addons`;
    await uploadPackage(list, admin, validZip, "acme-publishing-tools.zip");
    const report = (name: string, body: object) => http.put(`${list}/acme-publishing-tools/extensions/${name}/status`, body, bearer(admin));
    const first = await report("AcmeEventHandler", { environment: "sitesCm", status: "Success" });
    t.is(first.status, 200);
    t.is(first.data.status, "PendingActivation");
    t.is(first.data.extensions[0].status, "Success");
    const second = await report("acme-action", { environment: "live", status: "Success" });
    t.is(second.data.status, "Success");
    const failed = await report("acme-action", { environment: "staging", status: "Failed", message: "main.js threw" });
    t.is(failed.data.status, "Failed");
    t.regex(failed.data.message, /acme-action.*staging.*main\.js threw/);
    t.is((await report("nope", { environment: "live", status: "Success" })).status, 404);
    t.is((await report("acme-action", { environment: "live", status: "Loaded" })).status, 400);
    t.is((await report("acme-action", { status: "Success" })).status, 400);
  } finally {
    await slow.close();
  }
});

test("a package update whose manifest drops an extension the configuration names fails the add-on, naming it", async (t) => {
  await uploadAs("shrinking");
  const configured = await http.put(
    `${addons}/shrinking/configuration`,
    { configuration: { AcmeEventHandler: { threshold: 5 } }, live: { "acme-action": {} } },
    bearer(tokens.admin),
  );
  t.is(configured.status, 200);
  const onlyAction = manifest({ id: "shrinking", version: "2.0.0", extensions: [(manifest().extensions as object[])[1]] });
  const put = await uploadPackage(
    `${addons}/shrinking`,
    tokens.admin,
    await buildZip(packageFiles(onlyAction)),
    "shrinking-2.0.0.zip",
    "PUT",
  );
  t.is(put.status, 200, "the package itself is accepted, as the product fails at load time");
  t.is(put.data.status, "Failed");
  t.regex(put.data.message, /configuration names extensions that are not in the package's manifest: configuration\.AcmeEventHandler/);
  t.regex(put.data.message, /the manifest has acme-action/);
  t.true(put.data.hasConfiguration, "the configuration is kept across package updates");
  const fixed = await http.put(`${addons}/shrinking/configuration`, { live: { "acme-action": {} } }, bearer(tokens.admin));
  t.is(fixed.status, 200);
  t.not(fixed.data.status, "Failed", "a matching configuration clears the failure");
});

test("DELETE configuration clears extension reports like PUT configuration does", async (t) => {
  await uploadAs("reported");
  const url = `${addons}/reported`;
  t.is((await http.put(`${url}/configuration`, { configuration: { AcmeEventHandler: {} } }, bearer(tokens.admin))).status, 200);
  const failed = await http.put(
    `${url}/extensions/acme-action/status`,
    { environment: "live", status: "Failed", message: "boom" },
    bearer(tokens.service),
  );
  t.is(failed.data.status, "Failed");
  t.is((await http.delete(`${url}/configuration`, bearer(tokens.admin))).status, 204);
  const after = (await http.get(url, bearer(tokens.admin))).data;
  t.not(after.status, "Failed", "the report of the old configuration no longer applies");
  t.false(/boom/.test(JSON.stringify(after)));
});

test("an add-on deleted while its PUT upload streams: 404, and no temp file is left behind", async (t) => {
  const own = await startTestEmulator();
  try {
    const admin = await getToken(own, own.credentials.admin);
    const list = `${own.addonsUrl}/api/v1/addons`;
    const zip = await buildZip(packageFiles(manifest({ id: "vanishing" })));
    t.is((await uploadPackage(list, admin, zip, "vanishing.zip")).status, 201);
    const frame = multipartFrame('form-data; name="file"; filename="vanishing.zip"');
    const upload = openUpload(`${list}/vanishing`, "PUT", {
      "Content-Type": frame.contentType,
      "Content-Length": frame.head.length + zip.length + frame.tail.length,
      Authorization: `Bearer ${admin}`,
    });
    const half = Math.floor(zip.length / 2);
    await upload.write(Buffer.concat([frame.head, zip.subarray(0, half)]));
    // the upload streams to tmp/ once the handler has checked the add-on exists
    await eventually(async () => (fs.readdirSync(`${own.dataDir}/tmp`).length > 0 ? true : undefined));
    t.is((await http.delete(`${list}/vanishing`, bearer(admin))).status, 204);
    const answer = await upload.end(Buffer.concat([zip.subarray(half), frame.tail]));
    t.is(answer.status, 404);
    t.regex(String(answer.body.detail), /No add-on with id "vanishing"/);
    t.deepEqual(fs.readdirSync(`${own.dataDir}/tmp`), []);
    t.deepEqual(fs.readdirSync(`${own.dataDir}/packages`), []);
  } finally {
    await own.close();
  }
});

test("configuration: validated against the manifest, sha256 of canonical JSON, download, delete", async (t) => {
  await uploadAs("configurable");
  const url = `${addons}/configurable/configuration`;
  const config = {
    sitesCm: { isEnabled: true, AcmeEventHandler: { b: 2, a: 1 } },
    configuration: { AcmeEventHandler: { threshold: 5 } },
    live: { isEnabled: true, configuration: { SOME_VAR: "x" }, "acme-action": {} },
  };
  const put = await http.put(url, config, bearer(tokens.admin));
  t.is(put.status, 200);
  t.true(put.data.hasConfiguration);
  t.is(put.data.configurationSha256, createHash("sha256").update(canonicalJson(config)).digest("hex"));
  t.is(canonicalJson({ b: [2, { d: 1, c: 0 }], a: "x" }), '{"a":"x","b":[2,{"c":0,"d":1}]}');
  const download = await http.get(url, bearer(tokens.service));
  t.is(download.status, 200);
  t.deepEqual(download.data, config);
  const unknown = await http.put(url, { configuration: { NotThere: {} }, live: { Other: {} } }, bearer(tokens.admin));
  t.is(unknown.status, 400);
  t.regex(unknown.data.detail, /configuration\.NotThere, live\.Other/);
  t.regex(unknown.data.detail, /AcmeEventHandler, acme-action/);
  for (const bad of [[1, 2], { live: "x" }, { sitesCm: { isEnabled: "yes" } }, { live: { configuration: 3 } }]) {
    const res = await http.put(url, bad, bearer(tokens.admin));
    t.is(res.status, 400, JSON.stringify(bad));
    t.regex(String(res.headers["content-type"]), /^application\/problem\+json/);
  }
  const notJson = await http.put(url, "{nope", { headers: { ...bearer(tokens.admin).headers, "Content-Type": "application/json" } });
  t.is(notJson.status, 400);
  t.deepEqual((await http.get(url, bearer(tokens.admin))).data, config, "refused uploads change nothing");
  t.is((await http.delete(url, bearer(tokens.admin))).status, 204);
  const after = await http.get(`${addons}/configurable`, bearer(tokens.admin));
  t.false(after.data.hasConfiguration);
  t.is(after.data.configurationSha256, null);
  t.is((await http.get(url, bearer(tokens.admin))).status, 404);
});

test.serial("the Add-ons OpenAPI document is served where Swashbuckle serves it, without hints of our profile", async (t) => {
  const doc = await http.get(`${emu.addonsUrl}/swagger/v1/swagger.json`);
  t.is(doc.status, 200);
  t.is(doc.data.openapi, "3.0.1");
  t.truthy(doc.data.paths["/api/v1/addons"].post);
  t.truthy(doc.data.paths["/api/v1/addons/{addonId}/extensions/{extensionName}/status"].put, "the service's own parameter names");
  t.false(JSON.stringify(doc.data).includes("x-route-key"), "no route keys: a client must match by shape");
  t.is(doc.data.servers, undefined, "paths are relative to the service's base, as Swashbuckle's are");
  t.is((await http.get(`${emu.addonsUrl}/api/v1/openapi.json`)).status, 404, "not at the contract's old place");
  const ui = await http.get(`${emu.addonsUrl}/ui`);
  t.is(ui.status, 200);
  t.regex(String(ui.headers["content-type"]), /^text\/html/);
});

test.serial("the request log carries identities", async (t) => {
  emu.clearRequestLog();
  await http.get(addons, bearer(tokens.service));
  const log = emu.requestLog().filter((e) => e.identity === emu.credentials.addonsService.clientId && e.path === "/addon/api/v1/addons");
  t.is(log.length, 1);
  t.like(log[0], { method: "GET", path: "/addon/api/v1/addons", status: 200, identity: emu.credentials.addonsService.clientId });
  t.false(JSON.stringify(log).includes(tokens.service));
});
