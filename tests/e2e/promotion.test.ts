// Stack promotion through the real engine: one inline program, stacks `dev` and `prod` pointing at
// two emulator instances. Dev deploys the add-on folder its config names; prod deploys whatever
// dev exported (by StackReference), so promoting is a config change on dev plus `up` on prod.
import test from "ava";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { Stack } from "@pulumi/pulumi/automation";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { changesIn, EngineLog, openStack, openWorkspace, quiet, tridionConfig, type E2eWorkspace } from "../helpers/pulumi";
import { ADDON_ID, ADDONS_ADMIN, adminApi, DEPLOYER, quickstartConfiguration, snapshot, values, writeAddonFolder } from "./support";

const PROJECT = "tridion-e2e-promotion";

/** One program for every stage; only stack config differs between them. */
function promotionProgram() {
  return async () => {
    const tridion = require("pulumi-tridion") as typeof import("../../provider");
    const config = new pulumi.Config("promotion");
    const promoteFrom = config.get("promoteFrom");
    // The stage before this one says which package passed; the first stage names it in config.
    const source: pulumi.Input<string> = promoteFrom
      ? new pulumi.StackReference(promoteFrom).requireOutput("addonSource").apply((s) => String(s))
      : config.require("addonSource");
    const deployer = new tridion.ClientCredentialUser("addon-deployer", {
      userName: DEPLOYER,
      roles: [ADDONS_ADMIN],
      secretExpiresInDays: 90,
    });
    const addon = new tridion.AddonPackage("acme-publishing-tools", {
      source,
      configuration: quickstartConfiguration(config.getNumber("threshold") ?? 5),
      credentials: { clientId: deployer.clientId, clientSecret: deployer.clientSecret },
      activationTimeoutSeconds: 30,
    });
    return { addonSource: source, addonVersion: addon.version, packageSha256: addon.packageSha256 };
  };
}

/** Changes other than the StackReference's `read` (reported when the referenced outputs changed). */
function resourceChanges(summary: Record<string, number> | undefined) {
  const { read: _read, ...rest } = changesIn(summary);
  return rest;
}

let dev: TestEmulator;
let prod: TestEmulator;
let ws: E2eWorkspace;
const log = new EngineLog();

test.before(async () => {
  [dev, prod] = await Promise.all([
    startTestEmulator({ productVersion: "9.6", seedUsers: [DEPLOYER] }),
    startTestEmulator({ productVersion: "9.6", seedUsers: [DEPLOYER] }),
  ]);
  ws = await openWorkspace();
});

test.after.always(async () => {
  await Promise.all([dev?.close(), prod?.close()]);
  ws?.remove();
});

const step = log.step.bind(log);

test.serial("prod deploys what passed on dev, read by StackReference, promoted by config alone", async (t) => {
  t.timeout(600_000);
  const v1 = writeAddonFolder(path.join(ws.dir, "addon-1.4.0"), { version: "1.4.0" });
  const v2 = writeAddonFolder(path.join(ws.dir, "addon-1.5.0"), { version: "1.5.0" });
  const prodBefore = await snapshot(prod);

  const devStack: Stack = await openStack(ws, {
    stackName: "dev",
    projectName: PROJECT,
    program: promotionProgram(),
    config: { ...tridionConfig(dev), "promotion:addonSource": { value: v1 } },
  });
  const prodStack: Stack = await openStack(ws, {
    stackName: "prod",
    projectName: PROJECT,
    program: promotionProgram(),
    config: { ...tridionConfig(prod), "promotion:promoteFrom": { value: `organization/${PROJECT}/dev` } },
  });

  const devUp = await step(t, "dev up (1.4.0)", () => devStack.up(quiet(log)));
  t.is(devUp.outputs.addonVersion.value, "1.4.0");
  t.is(await adminApi(prod).addon(ADDON_ID), undefined, "dev's up did not touch prod");

  const prodUp = await step(t, "prod up (1.4.0 promoted)", () => prodStack.up(quiet(log)));
  const prodOut = values(prodUp.outputs);
  t.like(
    prodOut,
    { addonSource: v1, addonVersion: "1.4.0", packageSha256: devUp.outputs.packageSha256.value },
    "prod deployed the package that passed on dev",
  );
  t.like(await adminApi(prod).addon(ADDON_ID), { version: "1.4.0", status: "Success", packageSha256: devUp.outputs.packageSha256.value });
  const prodUser = await adminApi(prod).userByName(DEPLOYER);
  const devUser = await adminApi(dev).userByName(DEPLOYER);
  t.truthy(prodUser, "prod has its own deployment user");
  t.not(prodUser!.clientId, devUser!.clientId, "each stage has its own identity");
  const prodUploads = prod.requestLog().filter((r) => r.method === "POST" && r.path === "/addon/api/v1/addons");
  t.deepEqual(
    prodUploads.map((r) => r.identity),
    [prodUser!.clientId],
    "prod's upload was made by prod's deployer",
  );

  // A new version passes on dev: a config change there; prod sees it coming without any change of its own.
  await devStack.setConfig("promotion:addonSource", { value: v2 });
  await step(t, "dev up (1.5.0)", () => devStack.up(quiet(log)));
  t.like(await adminApi(dev).addon(ADDON_ID), { version: "1.5.0" });
  t.like(await adminApi(prod).addon(ADDON_ID), { version: "1.4.0" }, "prod still runs what it had");

  const preview = await step(t, "prod preview", () => prodStack.preview(quiet(log)));
  t.deepEqual(resourceChanges(preview.changeSummary), { update: 1 }, "prod's preview shows the add-on update coming");
  await step(t, "prod up (1.5.0 promoted)", () => prodStack.up(quiet(log)));
  t.like(await adminApi(prod).addon(ADDON_ID), { version: "1.5.0", status: "Success" });
  const again = await step(t, "prod preview after promotion", () => prodStack.preview(quiet(log)));
  t.deepEqual(resourceChanges(again.changeSummary), {}, "then nothing is left to do");

  await step(t, "prod destroy", () => prodStack.destroy(quiet(log)));
  await step(t, "dev destroy", () => devStack.destroy(quiet(log)));
  t.deepEqual(await snapshot(prod), prodBefore, "prod is as it was before");
  t.deepEqual((await adminApi(dev).addons()).length, 0);
});
