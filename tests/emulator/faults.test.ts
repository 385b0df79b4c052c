// Fault injection (issue 5): error bursts, 429 with Retry-After, latency, token endpoint down,
// short-lived tokens, connections dropped mid-upload. All off by default.
import test from "ava";
import { bearer, buildZip, getToken, http, packageFiles, requestToken, startTestEmulator, uploadPackage, type TestEmulator } from "../helpers/emulator";

test.beforeEach(async (t) => {
  (t.context as { emu: TestEmulator }).emu = await startTestEmulator();
});
test.afterEach.always(async (t) => {
  await (t.context as { emu?: TestEmulator }).emu?.close();
});
const ctx = (t: { context: unknown }) => (t.context as { emu: TestEmulator }).emu;

test("a burst of 503 then 502 on matching requests only, then normal answers", async (t) => {
  const emu = ctx(t);
  const token = await getToken(emu, emu.credentials.admin);
  const list = `${emu.addonsUrl}/api/v1/addons`;
  emu.setFaults({ errorBursts: [{ status: 503, count: 2, method: "GET", path: "^/addons/api/v1/addons$", retryAfterSeconds: 3 }, { status: 502, count: 1, path: "/addons" }] });
  const first = await http.get(list, bearer(token));
  t.is(first.status, 503);
  t.is(first.headers["retry-after"], "3");
  t.regex(String(first.headers["content-type"]), /^application\/problem\+json/);
  t.is((await http.get(list, bearer(token))).status, 503);
  t.is((await http.get(list, bearer(token))).status, 502);
  t.is((await http.get(list, bearer(token))).status, 200);
  t.is((await requestToken(emu.accessManagementUrl, emu.credentials.admin.clientId, emu.credentials.admin.clientSecret)).status, 200);
  t.deepEqual(emu.requestLog().filter((e) => e.path === "/addons/api/v1/addons").map((e) => e.status), [503, 503, 502, 200]);
});

test("429 with Retry-After, latency, token endpoint down and short-lived tokens via the HTTP control", async (t) => {
  const emu = ctx(t);
  const controls = emu.addonsUrl.replace(/\/addons$/, "/__emulator");
  const set = await http.put(`${controls}/faults`, { errorBursts: [{ status: 429, count: 1 }], latencyMs: 20, tokenEndpointDown: true });
  t.is(set.status, 200);
  const limited = await http.get(`${emu.addonsUrl}/api/v1/addons`);
  t.is(limited.status, 429);
  t.is(limited.headers["retry-after"], "1");
  const down = await requestToken(emu.accessManagementUrl, emu.credentials.admin.clientId, emu.credentials.admin.clientSecret);
  t.is(down.status, 503);
  t.is(down.data.error, "temporarily_unavailable");
  t.is((await http.put(`${controls}/faults`, { tokenLifetimeSeconds: 1 })).status, 200);
  const short = await requestToken(emu.accessManagementUrl, emu.credentials.admin.clientId, emu.credentials.admin.clientSecret);
  t.is(short.status, 200);
  t.is(short.data.expires_in, 1);
  const clock = await http.post(`${controls}/clock`, { advanceSeconds: 2 });
  t.is(clock.status, 200);
  const expired = await http.get(`${emu.addonsUrl}/api/v1/addons`, bearer(short.data.access_token));
  t.is(expired.status, 401);
  t.regex(expired.data.detail, /expired/);
  const invalid = await http.put(`${controls}/faults`, { errorBursts: [{ status: 418, count: 1 }] });
  t.is(invalid.status, 400);
  t.deepEqual((await http.put(`${controls}/faults`, {})).data, {});
  t.is((await requestToken(emu.accessManagementUrl, emu.credentials.admin.clientId, emu.credentials.admin.clientSecret)).data.expires_in, 3600);
});

test("a connection dropped mid-upload leaves nothing on the server; the retry succeeds", async (t) => {
  const emu = ctx(t);
  const token = await getToken(emu, emu.credentials.admin);
  const list = `${emu.addonsUrl}/api/v1/addons`;
  const zip = await buildZip({ ...packageFiles(), "big.bin": Buffer.alloc(512 * 1024, 1) }, { store: true });
  emu.setFaults({ dropUploads: { count: 1, afterBytes: 100 * 1024 } });
  await t.throwsAsync(uploadPackage(list, token, zip, "acme-publishing-tools.zip"));
  t.deepEqual((await http.get(list, bearer(token))).data, []);
  const fs = await import("node:fs");
  t.deepEqual(fs.readdirSync(`${emu.dataDir}/tmp`), []);
  const retry = await uploadPackage(list, token, zip, "acme-publishing-tools.zip");
  t.is(retry.status, 201);
});

test("invalid fault settings are refused at start", async (t) => {
  await t.throwsAsync(startTestEmulator({ faults: { latencyMs: -1 } }), { message: /latencyMs/ });
});
