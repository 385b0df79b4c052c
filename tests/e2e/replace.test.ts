// Replacements through the real engine. Names and add-on ids are unique on the server, so a
// replacement that keeps them must delete the old object before it creates the new one: a new
// clientId on a ServiceAccount, and `pulumi up --replace` on an AddonPackage (with adopt: true,
// which must not hand the add-on to the new resource and then delete it with the old one).
import test from "ava";
import * as path from "node:path";
import { bearer, getToken, http, startTestEmulator } from "../helpers/emulator";
import { changesIn, EngineLog, openStack, openWorkspace, quiet, resourcesOfType, tridionConfig } from "../helpers/pulumi";
import { adminApi, ADDON_ID, ADDONS_ADMIN, writeAddonFolder } from "./support";

test.serial("a new clientId replaces the service account delete-first; --replace redeploys an adopted add-on", async (t) => {
  t.timeout(300_000);
  const emulator = await startTestEmulator({ productVersion: "10" });
  const ws = await openWorkspace();
  t.teardown(async () => {
    await emulator.close();
    ws.remove();
  });
  const source = writeAddonFolder(path.join(ws.dir, "addon"));
  const log = new EngineLog();
  let clientId = "pipeline-client-1";
  const program = async () => {
    const { AddonPackage, ServiceAccount } = require("pulumi-tridion");
    const account = new ServiceAccount("pipeline", { accountName: "pipeline", clientId, roles: [ADDONS_ADMIN] });
    new AddonPackage("addon", { source, adopt: true, activationTimeoutSeconds: 30 });
    return { clientId: account.clientId };
  };
  const stack = await openStack(ws, { stackName: "dev", projectName: "tridion-replace", program, config: tridionConfig(emulator) });
  const api = adminApi(emulator);
  const accounts = async () => {
    const res = await http.get(
      `${emulator.accessManagementUrl}/api/v1/ServiceAccounts`,
      bearer(await getToken(emulator, emulator.credentials.admin)),
    );
    return (res.data as Array<{ name: string; clientId: string }>).filter((a) => a.name === "pipeline");
  };

  await log.step(t, "up", () => stack.up(quiet(log)));
  t.deepEqual(
    (await accounts()).map((a) => a.clientId),
    ["pipeline-client-1"],
  );

  clientId = "pipeline-client-2";
  const replaced = await log.step(t, "up with a new clientId", () => stack.up(quiet(log)));
  t.deepEqual(changesIn(replaced.summary.resourceChanges), { replace: 1 });
  t.deepEqual(
    (await accounts()).map((a) => a.clientId),
    ["pipeline-client-2"],
    "one account named pipeline, with the new client id",
  );
  t.is(replaced.outputs.clientId.value, "pipeline-client-2");

  const addonUrn = resourcesOfType(await stack.exportStack(), "tridion:AddonPackage")[0].urn as string;
  const forced = await log.step(t, "up --replace the add-on", () => stack.up({ ...quiet(log), replace: [addonUrn] }));
  t.deepEqual(changesIn(forced.summary.resourceChanges), { replace: 1 });
  const held = await api.addon(ADDON_ID);
  t.truthy(held, "the add-on is on the service after its replacement");
  t.is(held!.status, "Success");
  const preview = await log.step(t, "preview", () => stack.preview(quiet(log)));
  t.deepEqual(changesIn(preview.changeSummary), {}, "and state agrees with the server");
});
