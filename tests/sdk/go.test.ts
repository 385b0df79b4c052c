// A Go program using the generated Go SDK deploys the quickstart against the emulator through the
// tridion provider plugin: the deployer user gets its secret and the Add-ons Administrator role,
// the add-on is deployed as that user; a preview then shows no changes, and destroy takes it all
// back. An inline program through the Automation API (tests/sdk/goQuickstart/main.go), the
// engine and the plugin as a user has them: `pulumi` on PATH, the plugin installed from its
// tarball with `pulumi plugin install --file`.
import { spawn } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import test from "ava";
import { startTestEmulator } from "../helpers/emulator";
import { installPlugin } from "../helpers/pluginTarball";
import { openWorkspace } from "../helpers/pulumi";
import { SAMPLE_ADDON_DIR } from "../helpers/sampleAddon";
import { ADDON_ID, ADDONS_ADMIN, adminApi, DEPLOYER, quickstartConfiguration, snapshot } from "../e2e/support";
import { buildGoProgram } from "./goProgram";

test("a Go program with the generated SDK deploys the quickstart through the plugin, previews no changes and destroys it", async (t) => {
  t.timeout(20 * 60_000);
  const program = await buildGoProgram(path.join(__dirname, "goQuickstart"));
  t.teardown(program.remove);
  const emulator = await startTestEmulator({ productVersion: "9.6", seedUsers: [DEPLOYER] });
  t.teardown(() => emulator.close());
  const ws = await openWorkspace();
  t.teardown(() => ws.remove());
  await installPlugin(ws.env, ws.dir);
  const before = await snapshot(emulator);

  const child = spawn(program.binary, [SAMPLE_ADDON_DIR], {
    cwd: ws.dir,
    env: {
      ...process.env,
      ...ws.env,
      QUICKSTART_ACCESS_MANAGEMENT_URL: emulator.accessManagementUrl,
      QUICKSTART_ADDONS_URL: emulator.addonsUrl,
      QUICKSTART_CLIENT_ID: emulator.credentials.admin.clientId,
      QUICKSTART_CLIENT_SECRET: emulator.credentials.admin.clientSecret,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let engineOutput = "";
  child.stderr.on("data", (chunk: Buffer) => (engineOutput += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  t.teardown(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (step: string): Promise<Record<string, any>> => {
    const { value, done } = await lines.next();
    const report = done ? { error: "the program ended" } : JSON.parse(value as string);
    if (report.step !== step || report.error) t.log(`engine output:\n${engineOutput}`);
    t.is(report.step, step, `the program's ${step} step: ${report.error ?? ""}`);
    return report;
  };

  const up = await next("up");
  t.deepEqual(up.summary, { create: 3 }, "the stack, the deployer's credentials and the add-on are created");
  t.true(up.secret.deployerClientSecret, "the deployer's client secret is a secret output");
  const api = adminApi(emulator);
  const user = await api.userByName(DEPLOYER);
  t.is(up.outputs.deployerClientId, user!.clientId);
  t.deepEqual(await api.rolesOf(DEPLOYER), [ADDONS_ADMIN]);
  t.like(await api.addon(), { id: ADDON_ID, status: "Success" });
  t.is(up.outputs.addonId, ADDON_ID);
  t.is(up.outputs.addonStatus, "Success");
  t.deepEqual(await api.configuration(), quickstartConfiguration(5));
  const uploads = emulator.requestLog().filter((r) => r.method === "POST" && r.path === "/addon/api/v1/addons");
  t.is(uploads.length, 1);
  t.is(uploads[0].identity, user!.clientId, "the package was uploaded as the deployer");

  child.stdin.write("\n");
  const preview = await next("preview");
  t.deepEqual(preview.changes, { same: 3 }, "a preview right after shows no changes");
  await next("destroy");
  t.is(await exited, 0);
  t.deepEqual(await snapshot(emulator), before, "destroy took the role, the secret and the add-on back");
});
