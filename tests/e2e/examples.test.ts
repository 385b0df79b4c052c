// The examples/ programs as users run them, through the real Pulumi engine (Automation API inline
// programs: this machine has no Node.js language host). Each program is loaded from its folder
// with ts-node, exactly the file its Pulumi.yaml runs.
import * as fs from "node:fs";
import * as path from "node:path";
import test from "ava";
import { bearer, getToken, http, startTestEmulator, TestEmulator } from "../helpers/emulator";
import { changesIn, EngineLog, failureOf, openStack, openWorkspace, quiet, repoRoot, tridionConfig } from "../helpers/pulumi";
import { amAdmin } from "../helpers/accessManagement";
import { adminApi, snapshot } from "./support";

type Program = () => Record<string, unknown>;
function example(folder: string, exportName: string): Program {
  const mod = require(path.join(repoRoot, "examples", folder, "program")) as Record<string, Program>; // eslint-disable-line @typescript-eslint/no-require-imports
  return mod[exportName];
}

async function serviceAccounts(emulator: TestEmulator): Promise<Array<Record<string, any>>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const token = await getToken(emulator, emulator.credentials.admin);
  return (await http.get(`${emulator.accessManagementUrl}/api/v1/ServiceAccounts`, bearer(token))).data;
}

test.serial("quickstart (9.6): the deployer user uploads the add-on; no changes after; destroy restores the emulator", async (t) => {
  t.timeout(240_000);
  const emulator = await startTestEmulator({ productVersion: "9.6", seedUsers: ["addon-deployer"] });
  const ws = await openWorkspace();
  t.teardown(async () => { await emulator.close(); ws.remove(); });
  const before = await snapshot(emulator);
  const program = example("quickstart", "quickstart");
  const stack = await openStack(ws, { stackName: "dev", projectName: "tridion-quickstart", program: async () => program(), config: tridionConfig(emulator) });
  const log = new EngineLog();

  const up = await stack.up(quiet(log));
  t.is(up.outputs.addonStatus.value, "Success");
  t.true(up.outputs.deployerClientSecret.secret, "the client secret stays a Pulumi secret");
  t.deepEqual(await adminApi(emulator).rolesOf("addon-deployer"), ["Tridion.AddonService.Administrator"]);
  const upload = emulator.requestLog().find((e) => e.method === "POST" && e.path.endsWith("/api/v1/addons"));
  t.is(upload?.identity, up.outputs.deployerClientId.value, "uploaded as addon-deployer, not as the admin");

  const preview = await stack.preview({ ...quiet(log), refresh: true });
  t.deepEqual(changesIn(preview.changeSummary), {});
  await stack.destroy(quiet(log));
  t.deepEqual(await snapshot(emulator), before);
});

test.serial("service-account (10.x): the account deploys the add-on; secretVersion rotates its secret", async (t) => {
  t.timeout(240_000);
  const emulator = await startTestEmulator({ productVersion: "10" });
  const ws = await openWorkspace();
  t.teardown(async () => { await emulator.close(); ws.remove(); });
  const program = example("service-account", "serviceAccountExample");
  const stack = await openStack(ws, { stackName: "dev", projectName: "tridion-service-account", program: async () => program(), config: tridionConfig(emulator) });
  const log = new EngineLog();

  const first = await stack.up(quiet(log));
  t.is(first.outputs.addonStatus.value, "Success");
  const account = (await serviceAccounts(emulator)).find((a) => a.name === "Add-on deployer");
  t.truthy(account, "the service account exists");
  t.deepEqual((await amAdmin(emulator)).rolesOf(account! as never), ["Tridion.AddonService.Administrator"]);
  t.is(first.outputs.clientId.value, account!.clientId);
  const upload = emulator.requestLog().find((e) => e.method === "POST" && e.path.endsWith("/api/v1/addons"));
  t.is(upload?.identity, account!.clientId, "uploaded as the service account");

  await stack.setConfig("example:secretVersion", { value: "2" });
  const rotated = await stack.up(quiet(log));
  t.is(rotated.outputs.clientId.value, first.outputs.clientId.value, "rotation keeps the client id");
  t.not(rotated.outputs.secretExpiresAt.value, undefined);
  t.deepEqual(changesIn((await stack.preview(quiet(log))).changeSummary), {});

  await stack.destroy(quiet(log));
  t.false((await serviceAccounts(emulator)).some((a) => a.name === "Add-on deployer"), "destroy removes the account it created");
});

test.serial("promotion: prod deploys exactly dev's package, by config alone, and refuses a different one", async (t) => {
  t.timeout(300_000);
  const dev = await startTestEmulator({ productVersion: "10" });
  const prod = await startTestEmulator({ productVersion: "10" });
  const ws = await openWorkspace();
  t.teardown(async () => { await dev.close(); await prod.close(); ws.remove(); });
  const program = example("promotion", "promotion");
  const projectName = "tridion-promotion";
  const log = new EngineLog();
  const devStack = await openStack(ws, {
    stackName: "dev", projectName, program: async () => program(),
    config: { ...tridionConfig(dev), "promotion:threshold": { value: "1" }, "promotion:liveEnabled": { value: "false" } },
  });
  const prodStack = await openStack(ws, {
    stackName: "prod", projectName, program: async () => program(),
    config: { ...tridionConfig(prod), "promotion:threshold": { value: "5" }, "promotion:promoteFrom": { value: `organization/${projectName}/dev` } },
  });

  const devUp = await devStack.up(quiet(log));
  const prodUp = await prodStack.up(quiet(log));
  t.is(prodUp.outputs.packageSha256.value, devUp.outputs.packageSha256.value, "prod runs dev's bytes");
  t.not(prodUp.outputs.configurationSha256.value, devUp.outputs.configurationSha256.value, "with its own configuration");
  t.is((await adminApi(prod).addon())?.packageSha256, devUp.outputs.packageSha256.value);

  // Someone builds prod from a changed folder: preview refuses before anything is uploaded.
  const changed = path.join(ws.dir, "changed-addon");
  fs.cpSync(path.join(repoRoot, "examples", "quickstart", "addon"), changed, { recursive: true });
  fs.writeFileSync(path.join(changed, "CM", "Hotfix.txt"), "not tested in dev");
  await prodStack.setConfig("promotion:addonSource", { value: changed });
  prod.clearRequestLog();
  const refused = await failureOf(prodStack.preview(quiet(log)));
  t.regex(refused.message, /not the package that was approved/);
  t.false(prod.requestLog().some((e) => e.method !== "GET" && e.path.includes("/api/v1/addons")), "nothing was written to prod");
  await prodStack.removeConfig("promotion:addonSource");

  await prodStack.destroy(quiet(log));
  await devStack.destroy(quiet(log));
  t.deepEqual(await adminApi(prod).addons(), []);
  t.deepEqual(await adminApi(dev).addons(), []);
});
