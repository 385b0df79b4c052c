// An example program in a situation its README does not walk through, where the Automation API's
// structured results are the better tool: the promotion example refusing, in preview, a package
// other than the one that passed in dev. (folderMode.test.ts runs every example's README as
// written, with `pulumi` in the folder.) The program is loaded from its folder with ts-node,
// exactly the file its Pulumi.yaml runs.
import * as fs from "node:fs";
import * as path from "node:path";
import test from "ava";
import { startTestEmulator } from "../helpers/emulator";
import { EngineLog, failureOf, openStack, openWorkspace, quiet, repoRoot, tridionConfig } from "../helpers/pulumi";
import { adminApi } from "./support";

type Program = () => Record<string, unknown>;
function example(folder: string, exportName: string): Program {
  const mod = require(path.join(repoRoot, "examples", folder, "program")) as Record<string, Program>;
  return mod[exportName];
}

test.serial("promotion: prod deploys exactly dev's package, by config alone, and refuses a different one", async (t) => {
  t.timeout(300_000);
  const dev = await startTestEmulator({ productVersion: "10" });
  const prod = await startTestEmulator({ productVersion: "10" });
  const ws = await openWorkspace();
  t.teardown(async () => {
    await dev.close();
    await prod.close();
    ws.remove();
  });
  const program = example("promotion", "promotion");
  const projectName = "tridion-promotion";
  const log = new EngineLog();
  const devStack = await openStack(ws, {
    stackName: "dev",
    projectName,
    program: async () => program(),
    config: { ...tridionConfig(dev), "promotion:threshold": { value: "1" }, "promotion:liveEnabled": { value: "false" } },
  });
  const prodStack = await openStack(ws, {
    stackName: "prod",
    projectName,
    program: async () => program(),
    config: {
      ...tridionConfig(prod),
      "promotion:threshold": { value: "5" },
      "promotion:promoteFrom": { value: `organization/${projectName}/dev` },
    },
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
  t.false(
    prod.requestLog().some((e) => e.method !== "GET" && e.path.includes("/api/v1/addons")),
    "nothing was written to prod",
  );
  await prodStack.removeConfig("promotion:addonSource");

  await prodStack.destroy(quiet(log));
  await devStack.destroy(quiet(log));
  t.deepEqual(await adminApi(prod).addons(), []);
  t.deepEqual(await adminApi(dev).addons(), []);
});
