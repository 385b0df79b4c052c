// Fault injection: error bursts, 429 with Retry-After, latency, token endpoint down,
// short-lived tokens, connections dropped mid-upload. All off by default.
import anyTest, { type TestFn } from "ava";
import { amAdmin } from "../helpers/accessManagement";
import {
  bearer,
  buildZip,
  getToken,
  http,
  packageFiles,
  requestToken,
  startTestEmulator,
  uploadPackage,
  type TestEmulator,
} from "../helpers/emulator";
import { amError, emptyAnswer } from "./amAssertions";

/** Each test has an emulator of its own: faults change what it answers. */
const test = anyTest as TestFn<{ emu: TestEmulator }>;

test.beforeEach(async (t) => {
  t.context.emu = await startTestEmulator();
});
test.afterEach.always(async (t) => {
  await t.context.emu?.close();
});

test("a burst of 503 then 502 on matching requests only, then normal answers", async (t) => {
  const { emu } = t.context;
  const token = await getToken(emu, emu.credentials.admin);
  const list = `${emu.addonsUrl}/api/v1/addons`;
  emu.setFaults({
    errorBursts: [
      { status: 503, count: 2, method: "GET", path: "^/addon/api/v1/addons$", retryAfterSeconds: 3 },
      { status: 502, count: 1, path: "^/addon/" },
    ],
  });
  const first = await http.get(list, bearer(token));
  t.is(first.status, 503);
  t.is(first.headers["retry-after"], "3");
  t.regex(String(first.headers["content-type"]), /^application\/problem\+json/);
  t.is((await http.get(list, bearer(token))).status, 503);
  t.is((await http.get(list, bearer(token))).status, 502);
  t.is((await http.get(list, bearer(token))).status, 200);
  t.is((await requestToken(emu.accessManagementUrl, emu.credentials.admin.clientId, emu.credentials.admin.clientSecret)).status, 200);
  t.deepEqual(
    emu
      .requestLog()
      .filter((e) => e.path === "/addon/api/v1/addons")
      .map((e) => e.status),
    [503, 503, 502, 200],
  );
});

test("429 with Retry-After, latency, token endpoint down and short-lived tokens via the HTTP control", async (t) => {
  const { emu } = t.context;
  const controls = `${new URL(emu.addonsUrl).origin}/__emulator`;
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
  t.is(
    (await requestToken(emu.accessManagementUrl, emu.credentials.admin.clientId, emu.credentials.admin.clientSecret)).data.expires_in,
    3600,
  );
});

test("a connection dropped mid-upload leaves nothing on the server; the retry succeeds", async (t) => {
  const { emu } = t.context;
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
  await t.throwsAsync(startTestEmulator({ faults: { tokenLifetime: 5 } as never }), {
    message: /Unknown fault setting tokenLifetime; known: errorBursts, latencyMs/,
  });
});

test("the faults control refuses unknown keys and bad values with a 400 problem naming them, and keeps the old settings", async (t) => {
  const { emu } = t.context;
  const controls = `${new URL(emu.addonsUrl).origin}/__emulator`;
  const before = { errorBursts: [{ status: 503, count: 1, path: "^/nothing$" }] };
  t.is((await http.put(`${controls}/faults`, before)).status, 200);
  const refused: Array<[unknown, RegExp]> = [
    [
      { latencyMS: 10 },
      /Unknown fault setting latencyMS; known: errorBursts, latencyMs, dropUploads, lostResponses, hangResponses, tokenEndpointDown, tokenLifetimeSeconds, propagationDelayMs/,
    ],
    [{ errorBursts: [{ status: 503, count: 1, paths: "/x" }] }, /Unknown fault setting errorBursts\[0\]\.paths/],
    [{ dropUploads: { count: 1, after: 10 } }, /Unknown fault setting dropUploads\.after/],
    [
      { errorBursts: [{ status: 503, count: 1, retryAfterSeconds: -1 }] },
      /errorBursts\[0\]\.retryAfterSeconds must be an integer from 0 to 2147483647, got -1/,
    ],
    [{ errorBursts: [{ status: 503, count: 1, retryAfterSeconds: "2" }] }, /retryAfterSeconds must be an integer/],
    [
      { errorBursts: [{ status: 503, count: 1, method: "FETCH" }] },
      /errorBursts\[0\]\.method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got "FETCH"/,
    ],
    [{ errorBursts: [{ status: 503, count: 1, path: "(" }] }, /errorBursts\[0\]\.path is not a valid regular expression/],
    [{ errorBursts: [{ status: 503 }] }, /errorBursts\[0\]\.count must be an integer >= 0, got nothing/],
    [{ errorBursts: {} }, /errorBursts must be a list/],
    [{ dropUploads: { count: 1, afterBytes: 1.5 } }, /dropUploads\.afterBytes must be an integer >= 0, got 1\.5/],
    [{ tokenLifetimeSeconds: 0 }, /tokenLifetimeSeconds must be an integer from 1 to 2147483647, got 0/],
    [{ tokenEndpointDown: "yes" }, /tokenEndpointDown must be true or false/],
    [{ propagationDelayMs: -1 }, /propagationDelayMs must be an integer from 0 to 2147483647, got -1/],
    [[], /must be a JSON object/],
  ];
  for (const [body, detail] of refused) {
    const res = await http.put(`${controls}/faults`, body);
    t.is(res.status, 400, JSON.stringify(body));
    t.regex(String(res.headers["content-type"]), /^application\/problem\+json/);
    t.regex(res.data.detail, detail);
  }
  t.deepEqual((await http.get(`${controls}/faults`)).data, before, "a refused update changes nothing");
  const lowerCase = await http.put(`${controls}/faults`, { errorBursts: [{ status: 502, count: 1, method: "get" }] });
  t.is(lowerCase.status, 200, "methods are matched case-insensitively");
});

test("late propagation: a new secret is refused and a new grant missing from tokens until the delay has passed; turning it off lets them through", async (t) => {
  const { emu } = t.context;
  const am = await amAdmin(emu);
  const account = await am.createServiceAccount("propagating", ["Tridion.AddonService.Administrator"]);
  const before = await am.generateSecret("ServiceAccounts", account.id);
  const roles = async (secret: string) => {
    const res = await requestToken(emu.accessManagementUrl, account.clientId!, secret);
    return res.status === 200
      ? (JSON.parse(Buffer.from(res.data.access_token.split(".")[1], "base64url").toString()) as { role: unknown }).role
      : res.status;
  };
  t.is(await roles(before.clientSecret!), "Tridion.AddonService.Administrator", "without the fault: at once");

  emu.setFaults({ propagationDelayMs: 800 });
  const fresh = await am.generateSecret("ServiceAccounts", account.id);
  await am.setRoles("ServiceAccounts", account.id, ["Tridion.AddonService.Administrator", "Tridion.ContentManager.Administrator"]);
  const refused = await requestToken(emu.accessManagementUrl, account.clientId!, fresh.clientSecret!);
  t.is(refused.status, 401);
  t.is(refused.data.error, "invalid_client", "the new secret is not known yet");
  t.is(await roles(before.clientSecret!), "Tridion.AddonService.Administrator", "tokens carry the access as it was");
  t.deepEqual(
    am.rolesOf((await am.account("ServiceAccounts", account.id))!),
    ["Tridion.AddonService.Administrator", "Tridion.ContentManager.Administrator"],
    "the management API shows the change at once",
  );
  await new Promise((resolve) => setTimeout(resolve, 900));
  t.deepEqual(await roles(fresh.clientSecret!), ["Tridion.AddonService.Administrator", "Tridion.ContentManager.Administrator"]);

  // A change made while the fault is on waits; turning the fault off lets it through at once.
  emu.setFaults({ propagationDelayMs: 60_000 });
  await am.setRoles("ServiceAccounts", account.id, ["Tridion.AddonService.Administrator"]);
  const third = await am.generateSecret("ServiceAccounts", account.id).catch(() => undefined);
  t.is(third, undefined, "two secrets at most");
  t.deepEqual(await roles(fresh.clientSecret!), ["Tridion.AddonService.Administrator", "Tridion.ContentManager.Administrator"]);
  emu.setFaults({});
  t.is(await roles(fresh.clientSecret!), "Tridion.AddonService.Administrator");
});

test("every answer's Date header is the emulator's clock", async (t) => {
  const { emu } = t.context;
  const discovery = `${emu.accessManagementUrl}/.well-known/openid-configuration`;
  const now = Date.parse((await http.get(discovery)).headers.date as string);
  t.true(Math.abs(now - Date.now()) < 5000);
  emu.advanceClock(3 * 3600);
  const later = Date.parse((await http.get(discovery)).headers.date as string);
  t.true(Math.abs(later - (Date.now() + 3 * 3600 * 1000)) < 5000, new Date(later).toISOString());
  const addons = Date.parse((await http.get(`${emu.addonsUrl}/api/v1/addons`)).headers.date as string);
  t.true(Math.abs(addons - later) < 5000, "one clock for both services");
});

test("numeric startEmulator options out of range are refused, naming the option and the range", async (t) => {
  const refused: Array<[object, RegExp]> = [
    [{ tokenLifetimeSeconds: 0 }, /tokenLifetimeSeconds must be an integer from 1 to 2147483647, got 0/],
    [{ tokenLifetimeSeconds: Number.NaN }, /tokenLifetimeSeconds must be an integer from 1 to 2147483647, got NaN/],
    [{ maxPackageBytes: 0 }, /maxPackageBytes must be an integer >= 1, got 0/],
    [{ maxPackageBytes: -5 }, /maxPackageBytes must be an integer >= 1, got -5/],
    [{ activationDelayMs: -1 }, /activationDelayMs must be an integer >= 0, got -1/],
    [{ activationDelayMs: 1.5 }, /activationDelayMs must be an integer >= 0, got 1\.5/],
    [{ port: 70000 }, /port must be an integer from 0 to 65535, got 70000/],
    [{ port: "8080" }, /port must be an integer from 0 to 65535, got "8080"/],
  ];
  for (const [options, message] of refused) {
    await t.throwsAsync(startTestEmulator(options), { message }, JSON.stringify(options));
  }
});

test("lost responses: the request is carried out, its answer never arrives; skip lets the first matches through", async (t) => {
  const { emu } = t.context;
  const admin = await amAdmin(emu);
  const accounts = admin.api("/ServiceAccounts");
  emu.setFaults({ lostResponses: [{ count: 1, method: "POST", path: "/api/v1/ServiceAccounts$", skip: 1 }] });
  t.is((await admin.post("/ServiceAccounts", { name: "first" })).status, 201, "skipped: answered");
  const lost = await http.post(accounts, { name: "second" }, bearer(admin.token)).then(
    () => undefined,
    (e: { code?: string }) => e.code,
  );
  t.truthy(lost, "the caller sees the connection close, not an answer");
  t.is((await admin.post("/ServiceAccounts", { name: "third" })).status, 201, "the count is used up");
  const names = (await admin.list("ServiceAccounts")).map((a) => a.name);
  t.true(
    ["first", "second", "third"].every((n) => names.includes(n)),
    "the lost one was carried out too",
  );
  t.deepEqual(
    emu
      .requestLog()
      .filter((e) => e.method === "POST" && e.path.endsWith("/ServiceAccounts"))
      .map((e) => [e.status, e.lost ?? false]),
    [
      [201, false],
      [201, true],
      [201, false],
    ],
  );
  t.throws(() => emu.setFaults({ lostResponses: [{ count: 1, paht: "/users" } as never] }), {
    message: /Unknown fault setting lostResponses\[0\]\.paht/,
  });
});

test("hung responses: the request is carried out and logged as hung, the caller waits for an answer that never comes", async (t) => {
  const { emu } = t.context;
  const admin = await amAdmin(emu);
  emu.setFaults({ hangResponses: [{ count: 1, method: "POST", path: "/api/v1/ServiceAccounts$" }] });
  const controller = new AbortController();
  const hung = http.post(admin.api("/ServiceAccounts"), { name: "hung" }, { ...bearer(admin.token), signal: controller.signal }).then(
    () => "answered",
    () => "aborted",
  );
  for (let i = 0; i < 100 && !emu.requestLog().some((e) => e.hung); i++) await new Promise((r) => setTimeout(r, 20));
  t.deepEqual(
    emu
      .requestLog()
      .filter((e) => e.hung)
      .map((e) => [e.method, e.status]),
    [["POST", 201]],
    "logged once the write is done",
  );
  t.true(
    (await admin.list("ServiceAccounts")).some((a) => a.name === "hung"),
    "the account exists while its creator still waits",
  );
  const waited = await Promise.race([hung, new Promise((r) => setTimeout(() => r("still waiting"), 300))]);
  t.is(waited, "still waiting");
  controller.abort();
  t.is(await hung, "aborted");
  t.is((await admin.post("/ServiceAccounts", { name: "next" })).status, 201, "the count is used up");
  t.throws(() => emu.setFaults({ hangResponses: [{ count: -1 }] as never }), { message: /hangResponses\[0\]\.count must be/ });
});

test("injected errors on Access Management answer as ASP.NET Core does: 500 with an errorMessage (and a stack trace), 502/503/429 without a body; the Add-ons Service keeps problems", async (t) => {
  const { emu } = t.context;
  const admin = await amAdmin(emu);
  emu.setFaults({
    errorBursts: [
      { status: 500, count: 1, path: "/api/v1/Users$" },
      { status: 502, count: 1, path: "/api/v1/Users$" },
      { status: 503, count: 1, path: "/api/v1/Users$", retryAfterSeconds: 4 },
      { status: 429, count: 1, path: "/api/v1/Users$" },
      { status: 500, count: 1, path: "^/addon/" },
    ],
  });
  const internal = await admin.get("/Users");
  const error = amError(t, internal, 500, "InternalServerError", null, /emulator fault injection/);
  t.regex(String(error.stackTrace), /at Tridion\.AccessManagement\./);
  for (const [status, retryAfter] of [
    [502, undefined],
    [503, "4"],
    [429, "1"],
  ] as const) {
    const res = await admin.get("/Users");
    emptyAnswer(t, res, status);
    t.is(res.headers["retry-after"], retryAfter, String(status));
  }
  t.is((await admin.get("/Users")).status, 200, "the bursts are used up");
  const addons = await http.get(`${emu.addonsUrl}/api/v1/addons`, bearer(admin.token));
  t.is(addons.status, 500);
  t.regex(String(addons.headers["content-type"]), /^application\/problem\+json/);
  t.regex(addons.data.detail, /Injected fault: 500/);
  t.deepEqual(
    emu
      .requestLog()
      .filter((e) => e.path === "/access-management/api/v1/Users")
      .map((e) => e.status),
    [500, 502, 503, 429, 200],
  );
});
