// A resource the engine recorded as partly created (the add-on uploaded, but it never activated in
// time) must stay manageable: refresh and destroy find the provider in its stored outputs, and
// the next `up` finishes the job.
import test from "ava";
import { startTestEmulator } from "../helpers/emulator";
import { EngineLog, failureOf, openStack, openWorkspace, quiet, tridionConfig } from "../helpers/pulumi";
import { adminApi, writeAddonFolder } from "./support";
import * as path from "node:path";

test.serial("partial create: up fails on activation, refresh and destroy still work", async (t) => {
  t.timeout(240_000);
  const emulator = await startTestEmulator({ productVersion: "10", activationDelayMs: 600_000 });
  const ws = await openWorkspace();
  t.teardown(async () => {
    await emulator.close();
    ws.remove();
  });
  const source = writeAddonFolder(path.join(ws.dir, "addon"));
  const log = new EngineLog();
  const program = async () => {
    const { AddonPackage } = require("pulumi-tridion");
    const addon = new AddonPackage("slow", { source, activationTimeoutSeconds: 1 });
    return { status: addon.status };
  };
  const stack = await openStack(ws, { stackName: "dev", projectName: "tridion-partial", program, config: tridionConfig(emulator) });

  const failed = await failureOf(stack.up(quiet(log)));
  t.regex(failed.message, /still PendingActivation after 1 s/);
  t.truthy(await adminApi(emulator).addon(), "the add-on was uploaded");
  const recorded = (await stack.exportStack()).deployment.resources.find(
    (r: { type: string }) => r.type === "pulumi-nodejs:dynamic/tridion:AddonPackage",
  );
  t.truthy(recorded, "the engine kept the partly created add-on in the state");
  t.is(typeof recorded.outputs.__provider, "string", "with the provider its refresh and delete need");

  const refreshed = await log.step(t, "refresh", () => stack.refresh(quiet(log)));
  t.is(refreshed.summary.result, "succeeded");
  await log.step(t, "destroy", () => stack.destroy(quiet(log)));
  t.is(await adminApi(emulator).addon(), undefined, "destroy removed the add-on from the service");
});
