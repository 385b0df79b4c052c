// Many add-ons at once, through the real engine (Automation API): 20 AddonPackages in one `up` at
// the default parallelism, then two stacks deploying at the same time against one emulator; all
// consistent afterwards (server, state, a no-change preview), and destroy leaves the emulator empty.
import test, { type ExecutionContext } from "ava";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { changesIn, EngineLog, openStack, openWorkspace, quiet, tridionConfig, type E2eWorkspace } from "../helpers/pulumi";
import { SecretScanner } from "../helpers/secrets";
import { amApi, managedResources, storedStateText, writeAddon } from "./support";

let emulator: TestEmulator;
const secrets = new SecretScanner();

interface Deployment {
  ws: E2eWorkspace;
  stack: Stack;
  log: EngineLog;
  ids: string[];
}
const deployments: Deployment[] = [];

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(2, "0")}`);

/** A stack of its own (own folder, backend and project) declaring one small add-on per id. */
async function deployment(project: string, addonIds: string[]): Promise<Deployment> {
  const ws = await openWorkspace();
  const sources = addonIds.map((id) => writeAddon(path.join(ws.dir, "addons", id), { id, version: "1.0.0", name: `Add-on ${id}` }));
  const program = async () => {
    const tridion = require("pulumi-tridion");
    const statuses: Record<string, unknown> = {};
    addonIds.forEach((id, i) => {
      statuses[id] = new tridion.AddonPackage(id, { source: sources[i], activationTimeoutSeconds: 60 }).status;
    });
    return { statuses };
  };
  const stack = await openStack(ws, { stackName: "dev", projectName: project, program, config: tridionConfig(emulator) });
  const d = { ws, stack, log: new EngineLog(), ids: addonIds };
  deployments.push(d);
  return d;
}

test.before(async () => {
  emulator = await startTestEmulator({ activationDelayMs: 200 });
  secrets.add(emulator.credentials.admin.clientSecret, emulator.credentials.addonsService.clientSecret);
});

test.after.always(async () => {
  await emulator?.close();
  for (const d of deployments) d.ws.remove();
});

type T = ExecutionContext;

async function run<R>(t: T, d: Deployment, name: string, fn: () => Promise<R>): Promise<R> {
  try {
    return await fn();
  } catch (e) {
    t.log(`${d.stack.name} ${name} failed; engine output:\n${d.log.take()}`);
    throw e;
  }
}

/** State and server agree for this stack's add-ons, every one is Success, and a preview shows no changes. */
async function assertConsistent(t: T, d: Deployment): Promise<void> {
  const onServer = new Map((await (await amApi(emulator)).addons()).map((a) => [a.id, a]));
  const state = managedResources(await d.stack.exportStack()).filter((r) => r.type === "pulumi-nodejs:dynamic/tridion:AddonPackage");
  t.deepEqual(state.map((r) => r.outputs.addonId).sort(), d.ids, `${d.stack.name}: state holds each add-on once`);
  for (const r of state) {
    t.is(r.outputs.status, "Success", `${r.outputs.addonId} is Success`);
    t.is(
      onServer.get(r.outputs.addonId)?.packageSha256,
      r.outputs.packageSha256,
      `${r.outputs.addonId}: the server holds the package state records`,
    );
  }
  const preview = await run(t, d, "preview", () => d.stack.preview(quiet(d.log)));
  t.deepEqual(changesIn(preview.changeSummary), {}, `${d.ws.dir}: a preview shows no changes`);
  t.deepEqual(secrets.findIn(d.log.take()), [], "no secret in the engine output");
  t.deepEqual(secrets.findIn(storedStateText(d.ws.dir)), [], "no secret in plain text in the stored state");
}

test.serial("20 AddonPackages in one up at the default parallelism: all Success, the emulator holds exactly 20", async (t) => {
  t.timeout(300_000);
  const d = await deployment("tridion-reliability-twenty", ids("twenty", 20));
  emulator.clearRequestLog();
  const up = await run(t, d, "up", () => d.stack.up(quiet(d.log)));
  t.deepEqual(changesIn(up.summary.resourceChanges), { create: 21 }, "the stack and 20 add-ons are created");
  t.deepEqual(Object.values(up.outputs.statuses.value as Record<string, string>), Array(20).fill("Success"));
  const onServer = await (await amApi(emulator)).addons();
  t.deepEqual(onServer.map((a) => a.id).sort(), d.ids, "exactly the 20 add-ons, once each");
  const uploads = emulator.requestLog().filter((r) => r.method === "POST" && r.path === "/addon/api/v1/addons");
  t.deepEqual(
    uploads.map((r) => r.status),
    Array(20).fill(201),
    "one upload per add-on, none refused",
  );
  await assertConsistent(t, d);
});

test.serial("two stacks deploying at once against one emulator: both consistent afterwards", async (t) => {
  t.timeout(300_000);
  const [x, y] = await Promise.all([
    deployment("tridion-reliability-x", ids("stack-x", 6)),
    deployment("tridion-reliability-y", ids("stack-y", 6)),
  ]);
  const [upX, upY] = await Promise.all([run(t, x, "up", () => x.stack.up(quiet(x.log))), run(t, y, "up", () => y.stack.up(quiet(y.log)))]);
  t.deepEqual(changesIn(upX.summary.resourceChanges), { create: 7 });
  t.deepEqual(changesIn(upY.summary.resourceChanges), { create: 7 });
  const onServer = (await (await amApi(emulator)).addons()).map((a) => a.id).sort();
  t.deepEqual(onServer, [...deployments[0].ids, ...x.ids, ...y.ids].sort(), "the server holds every stack's add-ons, once each");
  for (const d of deployments) await assertConsistent(t, d);
});

test.serial("destroying the stacks (two at once) leaves the emulator empty", async (t) => {
  t.timeout(300_000);
  const results = await Promise.all(deployments.map((d) => run(t, d, "destroy", () => d.stack.destroy(quiet(d.log)))));
  t.deepEqual(
    results.map((r) => r.summary.resourceChanges?.delete),
    deployments.map((d) => d.ids.length + 1),
  );
  t.deepEqual(await (await amApi(emulator)).addons(), [], "no add-on is left");
  for (const d of deployments) {
    t.deepEqual(managedResources(await d.stack.exportStack()), [], `${d.stack.name}: state is empty`);
    t.deepEqual(secrets.findIn(d.log.take()), [], "no secret in the engine output");
  }
});
