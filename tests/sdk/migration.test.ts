// A TypeScript stack deployed with the dynamic resources (`pulumi-tridion`) moves to the plugin's
// SDK: the program changes its imports, nothing else. The schema's aliases name the dynamic types,
// so the engine keeps every resource (no replacement); the dynamic face's serialized provider
// (`__provider`) leaves the state through an update that writes nothing to Tridion; a preview then
// shows no changes.
import * as fs from "node:fs";
import * as path from "node:path";
import test from "ava";
import { startTestEmulator } from "../helpers/emulator";
import { openWorkspace } from "../helpers/pulumi";
import { SAMPLE_ADDON_DIR } from "../helpers/sampleAddon";
import { ADDON_ID, adminApi, DEPLOYER, snapshot } from "../e2e/support";
import { buildNodejsSdk, installSdk, pulumiIn, SDK_PACKAGE } from "./nodejsSdk";

/** The quickstart's resources, from the dynamic package or from the SDK (the only difference). */
const program = (from: "dynamic" | "sdk") => `import * as tridion from "${from === "dynamic" ? "pulumi-tridion" : SDK_PACKAGE}";

const deployer = new tridion.ClientCredentialUser("addon-deployer", {
  userName: "addon-deployer",
  roles: ["Tridion.AddonService.Administrator"],
  secretExpiresInDays: 90,
  rotateBeforeDays: 30,
});

const addon = new tridion.AddonPackage("acme-publishing-tools", {
  source: ${JSON.stringify(SAMPLE_ADDON_DIR)},
  configuration: { configuration: { AcmeEventHandler: { threshold: 5 } }, sitesCm: { isEnabled: true, AcmeEventHandler: {} } },
  credentials: { clientId: deployer.clientId.apply((id) => id ?? ""), clientSecret: deployer.clientSecret.apply((s) => s ?? "") },
  activationTimeoutSeconds: 60,
});

export const deployerClientId = deployer.clientId;
export const addonId = addon.addonId;
export const packageFileName = addon.packageFileName;
`;

interface StateResource {
  type: string;
  urn: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

test("a stack of dynamic resources moves to the plugin's SDK without a replacement, without a write, and without __provider", async (t) => {
  t.timeout(10 * 60_000);
  const sdk = await buildNodejsSdk();
  t.teardown(sdk.remove);
  const emulator = await startTestEmulator({ productVersion: "9.6", seedUsers: [DEPLOYER] });
  t.teardown(() => emulator.close());
  const ws = await openWorkspace();
  t.teardown(() => ws.remove());
  const before = await snapshot(emulator);
  fs.writeFileSync(path.join(ws.dir, "Pulumi.yaml"), "name: moving\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
  installSdk(ws.dir, sdk.packageDir);
  const pulumi = pulumiIn(ws);
  const resources = async () =>
    ((JSON.parse((await pulumi("stack", "export")).stdout) as { deployment: { resources: StateResource[] } }).deployment.resources ?? []).filter(
      (r) => !r.type.startsWith("pulumi:"),
    );

  await pulumi("stack", "init", "dev");
  await pulumi("config", "set", "tridion:accessManagementUrl", emulator.accessManagementUrl);
  await pulumi("config", "set", "tridion:addonsUrl", emulator.addonsUrl);
  await pulumi("config", "set", "tridion:clientId", emulator.credentials.admin.clientId);
  await pulumi("config", "set", "--secret", "tridion:clientSecret", emulator.credentials.admin.clientSecret);
  fs.writeFileSync(path.join(ws.dir, "index.ts"), program("dynamic"));
  await pulumi("up", "--yes", "--skip-preview");
  const dynamic = await resources();
  t.deepEqual(dynamic.map((r) => r.type).sort(), [
    "pulumi-nodejs:dynamic/tridion:AddonPackage",
    "pulumi-nodejs:dynamic/tridion:ClientCredentialUser",
  ]);
  t.true(dynamic.every((r) => typeof r.outputs?.__provider === "string"), "dynamic resources keep their serialized provider");
  const deployed = await snapshot(emulator);
  const outputsBefore = JSON.parse((await pulumi("stack", "output", "--json")).stdout);

  // The move: the program imports the SDK instead; nothing else changes.
  fs.writeFileSync(path.join(ws.dir, "index.ts"), program("sdk"));
  emulator.clearRequestLog();
  const preview = JSON.parse((await pulumi("preview", "--json")).stdout) as { steps: Array<{ op: string; urn: string }> };
  const ops = preview.steps.filter((s) => !s.urn.includes("::pulumi:")).map((s) => `${s.op} ${s.urn.split("::").pop()}`);
  t.deepEqual(ops.sort(), ["update acme-publishing-tools", "update addon-deployer"], "preview: updates (the state's __provider goes), no replacement");
  const up = (await pulumi("up", "--yes", "--skip-preview")).stdout;
  t.regex(up, /2 updated/, up);
  t.notRegex(up, /created|deleted|replaced/, up);

  const writes = emulator.requestLog().filter((r) => r.method !== "GET" && !r.path.endsWith("/connect/token"));
  t.deepEqual(
    writes.map((r) => `${r.method} ${r.path}`),
    [],
    "moving writes nothing to Tridion",
  );
  t.deepEqual(await snapshot(emulator), deployed, "Tridion holds what it held");
  const moved = await resources();
  t.deepEqual(moved.map((r) => r.type).sort(), ["tridion:index:AddonPackage", "tridion:index:ClientCredentialUser"]);
  for (const r of moved) {
    t.false("__provider" in (r.outputs ?? {}), `${r.urn}: no __provider left in its outputs`);
    t.false("__provider" in (r.inputs ?? {}), `${r.urn}: no __provider left in its inputs`);
    const old = dynamic.find((d) => d.urn.split("::").pop() === r.urn.split("::").pop())!;
    t.is(r.id, old.id, `${r.urn} keeps its id`);
  }
  t.deepEqual(JSON.parse((await pulumi("stack", "output", "--json")).stdout), outputsBefore, "the outputs are unchanged");

  await pulumi("preview", "--expect-no-changes");
  await pulumi("destroy", "--yes", "--skip-preview");
  t.deepEqual(await snapshot(emulator), before);
  t.deepEqual(await adminApi(emulator).rolesOf(DEPLOYER), []);
  t.falsy(await adminApi(emulator).addon(ADDON_ID));
});
