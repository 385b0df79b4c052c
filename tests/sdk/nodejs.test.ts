// The generated TypeScript SDK compiles (as Pulumi builds an SDK package: tsc into bin/), and a
// TypeScript program in a folder that uses it deploys the quickstart with `pulumi up` through the
// tridion provider plugin, previews no changes and destroys it.
import * as fs from "node:fs";
import * as path from "node:path";
import test from "ava";
import { startTestEmulator } from "../helpers/emulator";
import { openWorkspace } from "../helpers/pulumi";
import { SAMPLE_ADDON_DIR } from "../helpers/sampleAddon";
import { ADDON_ID, ADDONS_ADMIN, adminApi, DEPLOYER, quickstartConfiguration, snapshot } from "../e2e/support";
import { buildNodejsSdk, installSdk, pulumiIn, SDK_PACKAGE } from "./nodejsSdk";
import { RESOURCES } from "../../provider/plugin/schema";

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as tridion from "${SDK_PACKAGE}";

const deployer = new tridion.ClientCredentialUser("addon-deployer", {
  userName: "addon-deployer",
  roles: ["Tridion.AddonService.Administrator"],
  secretExpiresInDays: 90,
  rotateBeforeDays: 30,
});

const addon = new tridion.AddonPackage("acme-publishing-tools", {
  source: ${JSON.stringify(SAMPLE_ADDON_DIR)},
  configuration: {
    configuration: { AcmeEventHandler: { threshold: 5 } },
    sitesCm: { isEnabled: true, AcmeEventHandler: {} },
    live: { isEnabled: true, "acme-action": {} },
  },
  credentials: {
    clientId: deployer.clientId.apply((id) => id ?? ""),
    clientSecret: deployer.clientSecret.apply((secret) => secret ?? ""),
  },
  activationTimeoutSeconds: 60,
});

export const deployerClientId = deployer.clientId;
export const deployerClientSecret = deployer.clientSecret;
export const addonId = addon.addonId;
export const addonStatus = addon.status;
`;

test("the TypeScript SDK compiles, and pulumi up in a folder deploys the quickstart with it through the plugin", async (t) => {
  t.timeout(10 * 60_000);
  const sdk = await buildNodejsSdk();
  t.teardown(sdk.remove);
  for (const token of Object.keys(RESOURCES)) {
    const file = `${token.split(":").pop()!.replace(/^./, (c) => c.toLowerCase())}`;
    t.true(fs.existsSync(path.join(sdk.packageDir, `${file}.js`)) && fs.existsSync(path.join(sdk.packageDir, `${file}.d.ts`)), file);
  }

  const emulator = await startTestEmulator({ productVersion: "9.6", seedUsers: [DEPLOYER] });
  t.teardown(() => emulator.close());
  const ws = await openWorkspace();
  t.teardown(() => ws.remove());
  const before = await snapshot(emulator);
  fs.writeFileSync(
    path.join(ws.dir, "Pulumi.yaml"),
    "name: quickstart-sdk\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n",
  );
  fs.writeFileSync(path.join(ws.dir, "index.ts"), PROGRAM);
  installSdk(ws.dir, sdk.packageDir);
  const pulumi = pulumiIn(ws);

  await pulumi("stack", "init", "dev");
  await pulumi("config", "set", "tridion:accessManagementUrl", emulator.accessManagementUrl);
  await pulumi("config", "set", "tridion:addonsUrl", emulator.addonsUrl);
  await pulumi("config", "set", "tridion:clientId", emulator.credentials.admin.clientId);
  await pulumi("config", "set", "--secret", "tridion:clientSecret", emulator.credentials.admin.clientSecret);
  await pulumi("up", "--yes", "--skip-preview");

  const state = JSON.parse((await pulumi("stack", "export")).stdout) as { deployment: { resources: Array<{ type: string; urn: string }> } };
  t.deepEqual(
    state.deployment.resources.map((r) => `${r.type}::${r.urn.split("::").pop()}`).filter((r) => !r.startsWith("pulumi:")).sort(),
    ["tridion:index:AddonPackage::acme-publishing-tools", "tridion:index:ClientCredentialUser::addon-deployer"],
    "the plugin's resources, not dynamic ones",
  );
  const outputs = JSON.parse((await pulumi("stack", "output", "--json")).stdout) as Record<string, string | null>;
  t.is(outputs.deployerClientSecret, "[secret]");
  const api = adminApi(emulator);
  t.is(outputs.deployerClientId, (await api.userByName(DEPLOYER))!.clientId);
  t.deepEqual(await api.rolesOf(DEPLOYER), [ADDONS_ADMIN]);
  t.is(outputs.addonId, ADDON_ID);
  t.like(await api.addon(), { id: ADDON_ID, status: "Success" });
  t.deepEqual(await api.configuration(), quickstartConfiguration(5));

  await pulumi("preview", "--expect-no-changes");
  await pulumi("destroy", "--yes", "--skip-preview");
  t.deepEqual(await snapshot(emulator), before);
});
