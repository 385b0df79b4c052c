// One scenario, two faces of one implementation: a ClientCredentialUser and an AddonPackage with
// configuration (deployed as that user), then an update (another configuration, a secret rotated
// by secretVersion), then destroy; once through the dynamic resources (a TypeScript program, the
// real engine) and once through the `tridion` provider plugin (Pulumi YAML, the real CLI), each on
// a fresh emulator. After each step the two emulators hold the same objects, normalized only where
// they differ by design: the upload's COUNTER (derived from the ownership key, which comes from the
// URN), client ids and secret ids Access Management hands out, secret values, timestamps. The
// outputs users see agree: the same output properties per resource, and the same of them secret.
import test, { type ExecutionContext } from "ava";
import * as pulumi from "@pulumi/pulumi";
import type { Stack } from "@pulumi/pulumi/automation";
import { amAdmin } from "../helpers/accessManagement";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { EngineLog, exportStackAsStored, openStack, openWorkspace, quiet, tridionConfig, type E2eWorkspace } from "../helpers/pulumi";
import { SAMPLE_ADDON_DIR } from "../helpers/sampleAddon";
import { openYamlProject, type StoredResource, type YamlProject } from "../helpers/yamlProject";
import { ADDONS_ADMIN, adminApi, DEPLOYER, quickstartConfiguration } from "./support";

/** The scenario's knobs, per step. */
const STEPS = [
  { name: "create", threshold: 5, secretVersion: "1" },
  { name: "update", threshold: 7, secretVersion: "2" },
] as const;

/** The scenario as a TypeScript program of dynamic resources (knobs in `parity:` config). */
function dynamicProgram() {
  return async () => {
    const tridion = require("pulumi-tridion") as typeof import("../../provider");
    const config = new pulumi.Config("parity");
    const deployer = new tridion.ClientCredentialUser("deployer", {
      userName: DEPLOYER,
      roles: [ADDONS_ADMIN],
      secretExpiresInDays: 90,
      secretVersion: config.require("secretVersion"),
    });
    new tridion.AddonPackage("tools", {
      source: SAMPLE_ADDON_DIR,
      configuration: quickstartConfiguration(config.requireNumber("threshold")),
      credentials: { clientId: deployer.clientId, clientSecret: deployer.clientSecret },
      activationTimeoutSeconds: 30,
    });
    return {};
  };
}

/** The same scenario in Pulumi YAML (knobs in the project's config). */
function yamlProgram() {
  return {
    config: { threshold: { type: "integer" }, secretVersion: { type: "string" } },
    resources: {
      deployer: {
        type: "tridion:ClientCredentialUser",
        properties: { userName: DEPLOYER, roles: [ADDONS_ADMIN], secretExpiresInDays: 90, secretVersion: "${secretVersion}" },
      },
      tools: {
        type: "tridion:AddonPackage",
        properties: {
          source: SAMPLE_ADDON_DIR,
          configuration: {
            configuration: { AcmeEventHandler: { threshold: "${threshold}" } },
            sitesCm: { isEnabled: true, AcmeEventHandler: {} },
            live: { isEnabled: true, "acme-action": {} },
          },
          credentials: { clientId: "${deployer.clientId}", clientSecret: "${deployer.clientSecret}" },
          activationTimeoutSeconds: 30,
        },
      },
    },
  };
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/;

/** A value with what differs by design replaced: timestamps, the upload's COUNTER, the given ids. */
function normalize(value: unknown, ids: Map<string, string>): unknown {
  if (typeof value === "string") {
    if (ids.has(value)) return ids.get(value);
    if (ISO_TIME.test(value)) return "<time>";
    return value.replace(/-\d{12}\.zip$/, "-<COUNTER>.zip");
  }
  if (Array.isArray(value)) return value.map((v) => normalize(v, ids));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v, ids)]));
  }
  return value;
}

/**
 * Everything on the emulator a stack could have made or changed, normalized: every user and
 * service account as Access Management answers it (client ids by account, secret ids and values
 * left out, a secret's lifetime in whole days; links by name), every add-on as the Add-ons Service answers
 * it, with its configuration.
 */
async function emulatorObjects(emulator: TestEmulator) {
  const am = await amAdmin(emulator);
  const ids = new Map<string, string>();
  const accounts = async (kind: "Users" | "ServiceAccounts") =>
    (await am.list(kind)).map((account) => {
      if (account.clientId) ids.set(account.clientId, `<${account.name} clientId>`);
      const { clientSecrets, accessControlEntry, identityProvider, subject, ...rest } = account;
      const names = (links: Array<{ name?: string | null }>) => links.map((l) => l.name);
      return {
        ...rest,
        // Link ids, identity provider ids and subjects are the installation's own: their names stay.
        accessControlEntry: {
          apiResources: names(accessControlEntry.apiResources),
          apiResourceRoles: names(accessControlEntry.apiResourceRoles),
          applications: names(accessControlEntry.applications),
        },
        ...(identityProvider ? { identityProvider: (identityProvider as { name: string }).name } : {}),
        ...(subject ? { subject: "<subject>" } : {}),
        roles: am.rolesOf(account),
        clientSecrets: clientSecrets.map((s, i) => ({
          secret: `<secret ${i + 1}>`,
          lifetimeDays: Math.round((Date.parse(s.expiresAt) - Date.now()) / 86_400_000),
          used: s.lastLoginAt !== null,
        })),
      };
    });
  const users = await accounts("Users");
  const serviceAccounts = await accounts("ServiceAccounts");
  const api = adminApi(emulator);
  const addons = [];
  for (const addon of await api.addons()) {
    addons.push({ ...(await api.addon(addon.id)), configuration: await api.configuration(addon.id) });
  }
  return normalize({ users, serviceAccounts, addons }, ids);
}

/** What the state's resources show users, per resource: its output properties, and which of them are secret. */
function visibleOutputs(resources: StoredResource[], typeOf: (r: StoredResource) => string | undefined) {
  const internal = new Set(["__provider", "ownerKey", "originalAccess", "accessSeen"]);
  const shown: Record<string, { properties: string[]; secret: string[] }> = {};
  for (const r of resources) {
    const type = typeOf(r);
    if (!type) continue;
    const entries = Object.entries(r.outputs ?? {}).filter(([k]) => !internal.has(k));
    shown[`${type}::${r.urn.split("::").pop()}`] = {
      properties: entries.map(([k]) => k).sort(),
      secret: entries
        .filter(([, v]) => v !== null && typeof v === "object" && "ciphertext" in (v as object))
        .map(([k]) => k)
        .sort(),
    };
  }
  return shown;
}

const dynamicType = (r: StoredResource) =>
  r.type.startsWith("pulumi-nodejs:dynamic/tridion:") ? r.type.replace("pulumi-nodejs:dynamic/tridion:", "") : undefined;
const pluginType = (r: StoredResource) => (r.type.startsWith("tridion:index:") ? r.type.replace("tridion:index:", "") : undefined);

let dynamicEmulator: TestEmulator;
let pluginEmulator: TestEmulator;
let ws: E2eWorkspace;
let stack: Stack;
let yaml: YamlProject;
const log = new EngineLog();

test.before(async () => {
  [dynamicEmulator, pluginEmulator] = await Promise.all(
    [0, 1].map(() => startTestEmulator({ productVersion: "9.6", seedUsers: [DEPLOYER] })),
  );
  ws = await openWorkspace();
  stack = await openStack(ws, {
    stackName: "parity",
    projectName: "tridion-parity",
    program: dynamicProgram(),
    config: tridionConfig(dynamicEmulator),
  });
  yaml = await openYamlProject("tridion-parity");
  yaml.writeProgram(yamlProgram());
  await yaml.initStack("parity", tridionConfig(pluginEmulator));
});

test.after.always(async () => {
  await Promise.all([dynamicEmulator?.close(), pluginEmulator?.close()]);
  ws?.remove();
  yaml?.remove();
});

async function assertSameObjects(t: ExecutionContext, step: string) {
  const [viaDynamic, viaPlugin] = await Promise.all([emulatorObjects(dynamicEmulator), emulatorObjects(pluginEmulator)]);
  t.deepEqual(viaPlugin, viaDynamic, `${step}: the emulators hold the same objects`);
  return viaPlugin as { users: Array<Record<string, unknown>>; addons: Array<Record<string, unknown>> };
}

/** The dynamic stack's resources as the state shows them (see visibleOutputs). */
async function stateOutputs() {
  return visibleOutputs(((await exportStackAsStored(ws, "parity")).deployment?.resources ?? []) as StoredResource[], dynamicType);
}

async function assertSameOutputs(t: ExecutionContext, step: string) {
  const dynamic = await stateOutputs();
  const plugin = visibleOutputs((await yaml.exportStack()).resources, pluginType);
  t.deepEqual(plugin, dynamic, `${step}: the same output properties, the same of them secret`);
  t.deepEqual(plugin["ClientCredentialUser::deployer"]?.secret, ["clientSecret"], `${step}: the client secret is secret`);
  t.deepEqual(plugin["AddonPackage::tools"]?.secret, ["credentials"], `${step}: the add-on's credentials are secret`);
}

for (const [index, step] of STEPS.entries()) {
  test.serial(`${step.name}: the dynamic resources and the plugin leave the same objects and show the same outputs`, async (t) => {
    t.timeout(300_000);
    await stack.setAllConfig({
      "parity:threshold": { value: String(step.threshold) },
      "parity:secretVersion": { value: step.secretVersion },
    });
    await log.step(t, `up (${step.name})`, () => stack.up(quiet(log)));
    await yaml.pulumi(["config", "set", "threshold", String(step.threshold)]);
    await yaml.pulumi(["config", "set", "secretVersion", step.secretVersion]);
    await yaml.pulumi(["up", "--yes"]);
    const declared = ["AddonPackage::tools", "ClientCredentialUser::deployer"];
    t.deepEqual(Object.keys(await stateOutputs()).sort(), declared, "dynamic: the state holds what the program declares");
    t.deepEqual(
      await yaml.declaredInState(),
      declared.map((d) => `tridion:index:${d}`),
      "plugin: the state holds what the program declares",
    );

    const held = await assertSameObjects(t, step.name);
    const deployer = held.users.find((u) => u.name === DEPLOYER)!;
    t.deepEqual(deployer.roles, [ADDONS_ADMIN], "the scenario did what it says: the role granted");
    t.is((deployer.clientSecrets as unknown[]).length, 1, "one secret of ours (the old one revoked after a rotation)");
    t.like(held.addons[0], { status: "Success", configuration: quickstartConfiguration(step.threshold) });
    for (const emulator of [dynamicEmulator, pluginEmulator]) {
      const uploads = emulator.requestLog().filter((r) => r.path === "/addon/api/v1/addons" && r.method === "POST");
      t.is(uploads.length, 1, index > 0 ? "a configuration change updates in place, without a new upload" : "one upload");
    }
    await assertSameOutputs(t, step.name);
  });
}

test.serial("destroy: both emulators are left the same, as before the scenario", async (t) => {
  t.timeout(300_000);
  await log.step(t, "destroy", () => stack.destroy(quiet(log)));
  await yaml.pulumi(["destroy", "--yes"]);
  const held = await assertSameObjects(t, "destroy");
  t.deepEqual(held.addons, []);
  t.like(
    held.users.find((u) => u.name === DEPLOYER),
    { roles: [], clientSecrets: [] },
  );
});
