// The provider against a misbehaving service (the emulator's fault injection), through the real
// engine: bursts of 5xx and 429 + Retry-After are retried and `up` succeeds; a connection dropped
// mid-upload makes the provider look at what the server holds before it uploads again; the token
// endpoint down ends in a clear error once the retries run out; after every failure the next `up`
// converges and a preview shows no changes. Tokens expiring mid-run are renewed once (in process).
// The steps build on one stack, so they run serially, in order.
import test, { type ExecutionContext } from "ava";
import * as crypto from "node:crypto";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import type { FaultSettings, RequestLogEntry } from "../../emulator";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { changesIn, EngineLog, failureOf, openStack, openWorkspace, quiet, tridionConfig, type E2eWorkspace } from "../helpers/pulumi";
import { SecretScanner } from "../helpers/secrets";
import { configFor, configure, impl } from "../provider/support";
import { amApi, managedResources, storedStateText, writeAddon } from "./support";

let emulator: TestEmulator;
let ws: E2eWorkspace;
let stack: Stack;
const log = new EngineLog();
const secrets = new SecretScanner();

/** The add-ons the inline program declares (it runs in this process). */
const addons = new Map<string, { source: string; configuration?: Record<string, unknown> }>();

const config = (threshold: number) => ({
  configuration: { AcmeEventHandler: { threshold } },
  sitesCm: { isEnabled: true, AcmeEventHandler: {} },
});

function addAddon(id: string, extraFiles: Record<string, string | Buffer> = {}, threshold?: number): void {
  const source = writeAddon(path.join(ws.dir, "addons", id), { id, version: "1.0.0" }, extraFiles);
  addons.set(id, { source, configuration: threshold === undefined ? undefined : config(threshold) });
}

test.before(async () => {
  emulator = await startTestEmulator({ activationDelayMs: 100 });
  secrets.add(emulator.credentials.admin.clientSecret, emulator.credentials.addonsService.clientSecret);
  ws = await openWorkspace();
  const program = async () => {
    const tridion = require("pulumi-tridion");
    for (const [id, spec] of addons) new tridion.AddonPackage(id, { ...spec, activationTimeoutSeconds: 30 });
  };
  stack = await openStack(ws, { stackName: "faults", projectName: "tridion-reliability-faults", program, config: tridionConfig(emulator) });
});

test.after.always(async () => {
  await emulator?.close();
  ws?.remove();
});

function faults(settings: FaultSettings): void {
  emulator.setFaults(settings);
  emulator.clearRequestLog();
}

const step = log.step.bind(log);

type T = ExecutionContext;

/** Server and state agree on every add-on, a preview shows no changes, and no secret leaked. */
async function assertConverged(t: T): Promise<void> {
  const api = await amApi(emulator);
  const onServer = await api.addons();
  t.deepEqual(onServer.map((a) => a.id).sort(), [...addons.keys()].sort(), "the server holds exactly the declared add-ons, once each");
  const state = managedResources(await stack.exportStack()).filter((r) => r.type === "pulumi-nodejs:dynamic/tridion:AddonPackage");
  t.is(state.length, addons.size, "state holds every add-on");
  for (const r of state) {
    const held = onServer.find((a) => a.id === r.outputs.addonId)!;
    t.is(r.outputs.packageSha256, held.packageSha256, `${r.outputs.addonId}: state and server hold the same package`);
    t.is(
      r.outputs.configurationSha256 ?? null,
      held.configurationSha256 ?? null,
      `${r.outputs.addonId}: state and server hold the same configuration`,
    );
  }
  const preview = await step(t, "preview", () => stack.preview(quiet(log)));
  t.deepEqual(changesIn(preview.changeSummary), {}, "a preview shows no changes");
  t.deepEqual(secrets.findIn(log.take()), [], "no secret in the engine output");
  t.deepEqual(secrets.findIn(storedStateText(ws.dir)), [], "no secret in plain text in the stored state");
}

const statuses = (entries: RequestLogEntry[], method: string, pathPattern: RegExp) =>
  entries.filter((r) => r.method === method && pathPattern.test(r.path)).map((r) => r.status);

test.serial("bursts of 503, 502 and 500 on idempotent calls (and the token endpoint) are retried: up succeeds", async (t) => {
  t.timeout(240_000);
  addAddon("fault-bursts", {}, 5);
  faults({
    errorBursts: [
      { status: 503, count: 1, path: "/connect/token$" },
      { status: 503, count: 2, method: "GET", path: "^/addon/api/v1/addons/fault-bursts$" },
      { status: 502, count: 2, method: "PUT", path: "/fault-bursts/configuration$" },
      { status: 500, count: 2, method: "GET", path: "^/addon/api/v1/addons/fault-bursts$" },
    ],
  });
  const up = await step(t, "up", () => stack.up(quiet(log)));
  t.deepEqual(changesIn(up.summary.resourceChanges), { create: 2 }, "the stack and the add-on are created");
  const requests = emulator.requestLog();
  t.true(statuses(requests, "POST", /\/connect\/token$/).includes(503), "the token endpoint answered 503 once");
  const reads = statuses(requests, "GET", /^\/addon\/api\/v1\/addons\/fault-bursts$/);
  t.deepEqual(reads.filter((s) => s >= 500).sort(), [500, 500, 503, 503], "every injected read error was answered");
  t.is(reads.at(-1), 200, "the reads succeeded in the end");
  t.deepEqual(
    statuses(requests, "PUT", /\/fault-bursts\/configuration$/),
    [502, 502, 200],
    "the configuration upload was repeated until it succeeded",
  );
  t.deepEqual(statuses(requests, "POST", /^\/addon\/api\/v1\/addons$/), [201], "one upload");
  await assertConverged(t);
});

test.serial("429 with Retry-After on reads and 503 on the upload: the provider waits, looks, uploads once more; up succeeds", async (t) => {
  t.timeout(240_000);
  addAddon("fault-throttled");
  faults({
    errorBursts: [
      { status: 429, count: 2, method: "GET", path: "^/addon/api/v1/addons/fault-throttled$", retryAfterSeconds: 1 },
      { status: 503, count: 1, method: "POST", path: "^/addon/api/v1/addons$", retryAfterSeconds: 1 },
    ],
  });
  const up = await step(t, "up", () => stack.up(quiet(log)));
  t.deepEqual(changesIn(up.summary.resourceChanges), { create: 1 });
  const requests = emulator.requestLog();
  t.deepEqual(statuses(requests, "POST", /^\/addon\/api\/v1\/addons$/), [503, 201], "the refused upload was made again, once");
  const firstUpload = requests.findIndex((r) => r.method === "POST" && r.status === 503);
  const secondUpload = requests.findIndex((r) => r.method === "POST" && r.status === 201);
  t.true(
    requests.slice(firstUpload + 1, secondUpload).some((r) => r.method === "GET" && r.path === "/addon/api/v1/addons/fault-throttled"),
    "between the two uploads the provider looked at what the server holds",
  );
  t.true(
    statuses(requests, "GET", /^\/addon\/api\/v1\/addons\/fault-throttled$/).filter((s) => s === 429).length === 2,
    "both 429s were answered",
  );
  await assertConverged(t);
});

test.serial("a connection dropped mid-upload: the provider checks what the server holds, uploads again, no duplicate", async (t) => {
  t.timeout(240_000);
  // random bytes do not compress: the upload is well past the drop point
  addAddon("fault-dropped", { "dist/acme-action/blob.bin": crypto.randomBytes(256 << 10) });
  faults({ dropUploads: { count: 1, afterBytes: 16 << 10 } });
  const up = await step(t, "up", () => stack.up(quiet(log)));
  t.deepEqual(changesIn(up.summary.resourceChanges), { create: 1 });
  const requests = emulator.requestLog();
  const uploads = requests.filter((r) => r.method === "POST" && r.path === "/addon/api/v1/addons");
  t.is(uploads.filter((r) => r.status === 201).length, 1, "exactly one upload was stored");
  const stored = requests.findIndex((r) => r.method === "POST" && r.path === "/addon/api/v1/addons" && r.status === 201);
  const looks = requests.slice(0, stored).filter((r) => r.method === "GET" && r.path === "/addon/api/v1/addons/fault-dropped");
  t.true(looks.length >= 2, "the provider looked before the first upload and again before uploading once more");
  t.is(looks.at(-1)!.status, 404, "the dropped upload left nothing on the server");
  await assertConverged(t);
});

test.serial("token endpoint down: a clear error once the retries run out, nothing half done; the next up converges", async (t) => {
  t.timeout(240_000);
  addAddon("fault-no-tokens");
  faults({ tokenEndpointDown: true });
  const error = await step(t, "up (fails)", () => failureOf(stack.up(quiet(log))));
  t.regex(
    error.message,
    /Cannot get a token for "[^"]+" from Access Management \(http:\/\/127\.0\.0\.1:\d+\/access-management\): the token endpoint answered 503 \(unavailable\), and the retries ran out/,
  );
  t.regex(error.message, /Fix: check that Access Management is running and healthy, then run the command again; nothing is lost/);
  t.deepEqual(secrets.findIn(error.message), [], "no secret in the error");
  const tokenAnswers = statuses(emulator.requestLog(), "POST", /\/connect\/token$/);
  t.true(
    tokenAnswers.length >= 5 && tokenAnswers.every((s) => s === 503),
    `the token request was tried 1 + 4 times at least (${tokenAnswers.length})`,
  );
  t.false(
    managedResources(await stack.exportStack()).some((r) => r.outputs?.addonId === "fault-no-tokens"),
    "state does not hold it",
  );

  faults({});
  t.is(await (await amApi(emulator)).addon("fault-no-tokens"), undefined, "nothing was uploaded");
  const up = await step(t, "up", () => stack.up(quiet(log)));
  t.deepEqual(changesIn(up.summary.resourceChanges), { create: 1 });
  await assertConverged(t);
});

test.serial("a 503 burst longer than the retries during an update: a partial update is kept, the next up converges", async (t) => {
  t.timeout(240_000);
  addons.get("fault-bursts")!.configuration = config(7);
  faults({ errorBursts: [{ status: 503, count: 50, method: "PUT", path: "/fault-bursts/configuration$" }] });
  const error = await step(t, "up (fails)", () => failureOf(stack.up(quiet(log))));
  t.regex(error.message, /Cannot upload the custom configuration of the add-on "fault-bursts": the Add-ons Service failed with 503/);
  t.regex(error.message, /and the retries ran out/);
  t.regex(error.message, /Fix: check the service's health and logs, then run the command again; nothing is lost, the next run resumes/);
  t.deepEqual(secrets.findIn(error.message), [], "no secret in the error");
  t.deepEqual(
    statuses(emulator.requestLog(), "PUT", /\/fault-bursts\/configuration$/),
    [503, 503, 503, 503, 503],
    "1 + 4 attempts, then the provider gave up",
  );

  faults({});
  const up = await step(t, "up", () => stack.up(quiet(log)));
  t.is(changesIn(up.summary.resourceChanges).update, 1, "the next up finishes the update");
  t.deepEqual(await (await amApi(emulator)).configuration("fault-bursts"), config(7), "the server holds the new configuration");
  await assertConverged(t);
});

test.serial("short-lived tokens (2 s) with added latency: the provider renews them as it goes; up succeeds", async (t) => {
  t.timeout(240_000);
  addons.get("fault-bursts")!.configuration = config(9);
  addAddon("fault-short-tokens", {}, 3);
  // every request waits 700 ms, so the run outlives a 2 s token, and a token (1-2 s left) outlives one request
  faults({ tokenLifetimeSeconds: 2, latencyMs: 700 });
  const up = await step(t, "up", () => stack.up(quiet(log)));
  t.deepEqual(changesIn(up.summary.resourceChanges), { create: 1, update: 1 });
  const requests = emulator.requestLog();
  t.true(statuses(requests, "POST", /\/connect\/token$/).length >= 2, "tokens were renewed during the run");
  // A token can still run out while a request waits in the added latency: one fresh token and a retry fix that.
  const refused = requests.map((r, i) => ({ r, i })).filter(({ r }) => r.status === 401);
  for (const { r, i } of refused) {
    t.true(
      requests.slice(i + 1).some((x) => x.method === r.method && x.path === r.path && x.status < 300),
      `${r.method} ${r.path} succeeded after its 401`,
    );
  }
  faults({});
  await assertConverged(t);
});

test.serial("a token the server considers expired (clock moved on) is refreshed once, and the call succeeds", async (t) => {
  // In process: the provider's token cache lives as long as its process, as in one `pulumi up`.
  await configure(configFor(emulator));
  const props = { source: addons.get("fault-throttled")!.source, activationTimeoutSeconds: 30 };
  faults({});
  const first = await impl.addonPackage.read!("fault-throttled", props);
  t.is(first.props?.addonId, "fault-throttled");
  t.is(statuses(emulator.requestLog(), "POST", /\/connect\/token$/).length, 1, "one token for the first read");

  emulator.advanceClock(2 * 3600); // the emulator's tokens live an hour; the provider's clock did not move
  emulator.clearRequestLog();
  const second = await impl.addonPackage.read!("fault-throttled", props);
  t.is(second.props?.packageSha256, first.props?.packageSha256, "the read succeeded with a fresh token");
  const requests = emulator.requestLog();
  t.is(requests.filter((r) => r.status === 401).length, 1, "the stale token was refused once");
  t.is(statuses(requests, "POST", /\/connect\/token$/).length, 1, "and refreshed once");

  emulator.clearRequestLog();
  await impl.addonPackage.read!("fault-throttled", props);
  t.is(statuses(emulator.requestLog(), "POST", /\/connect\/token$/).length, 0, "the refreshed token is reused");
  t.deepEqual(
    emulator.requestLog().filter((r) => r.status === 401),
    [],
  );
});
