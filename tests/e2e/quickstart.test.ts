// The quickstart through the real Pulumi engine (Automation API, inline program, file backend,
// passphrase secrets) against one emulator: up, no-op preview, drift made behind Pulumi's back,
// secret rotation, a bad package, what the exported state holds, destroy. The steps build on each
// other, so the tests run serially, in order.
import test from "ava";
import * as crypto from "node:crypto";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { packageFiles, startTestEmulator, type TestEmulator } from "../helpers/emulator";
import {
  changesIn,
  EngineLog,
  exportStackAsStored,
  failureOf,
  openStack,
  openWorkspace,
  quiet,
  resourcesOfType,
  tridionConfig,
  type E2eWorkspace,
} from "../helpers/pulumi";
import { SecretScanner } from "../helpers/secrets";
import {
  ADDON_ID,
  ADDONS_ADMIN,
  addonZip,
  adminApi,
  DEPLOYER,
  plaintextSecretPaths,
  quickstartConfiguration,
  quickstartProgram,
  snapshot,
  tokenRoles,
  values,
  writeAddonFolder,
} from "./support";

const DAY_MS = 86_400_000;

let emulator: TestEmulator;
let ws: E2eWorkspace;
let stack: Stack;
let before: Awaited<ReturnType<typeof snapshot>>;
const log = new EngineLog();
/** Every secret value the tests learn; none may appear in plain text in the exported state. */
const secrets = new SecretScanner();
let addonSource: string;

test.before(async () => {
  emulator = await startTestEmulator({ productVersion: "9.6", seedUsers: [DEPLOYER] });
  secrets.add(emulator.credentials.admin.clientSecret, emulator.credentials.addonsService.clientSecret);
  ws = await openWorkspace();
  addonSource = writeAddonFolder(path.join(ws.dir, "addon"));
  stack = await openStack(ws, {
    stackName: "dev",
    projectName: "tridion-e2e-quickstart",
    program: quickstartProgram(),
    config: { ...tridionConfig(emulator), "e2e:addonSource": { value: addonSource } },
  });
  before = await snapshot(emulator);
});

test.after.always(async () => {
  await emulator?.close();
  ws?.remove();
});

const step = log.step.bind(log);

/** Outputs fit for an assertion message (which AVA prints on failure): the secret left out. */
function withoutSecret(out: Record<string, unknown>) {
  const { deployerClientSecret: _secret, ...rest } = out;
  return rest;
}

async function outputs() {
  const out = values(await stack.outputs());
  secrets.add(out.deployerClientSecret);
  return out;
}

async function assertNoChanges(
  t: { deepEqual: (a: unknown, b: unknown, m?: string) => void; log: (...v: unknown[]) => void },
  what: string,
  refresh = false,
) {
  const preview = await step(t, `preview after ${what}`, () => stack.preview({ ...quiet(log), refresh }));
  t.deepEqual(changesIn(preview.changeSummary), {}, `preview${refresh ? " --refresh" : ""} after ${what} shows no changes`);
}

test.serial("up deploys the quickstart as the deployer; preview then shows no changes", async (t) => {
  t.timeout(300_000);
  emulator.clearRequestLog();
  const up = await step(t, "up", () => stack.up(quiet(log)));
  t.deepEqual(changesIn(up.summary.resourceChanges), { create: 3 }, "the stack, the deployer's credentials and the add-on are created");
  const out = await outputs();
  t.true(up.outputs.deployerClientSecret.secret, "the deployer's client secret is a secret output");

  const api = adminApi(emulator);
  const user = await api.userByName(DEPLOYER);
  t.truthy(user, "the deployment user (who signed in) is there");
  t.is(out.deployerUserId, user!.id);
  t.is(out.deployerClientId, user!.clientId);
  t.deepEqual(await api.rolesOf(DEPLOYER), [ADDONS_ADMIN]);
  t.deepEqual(
    await tokenRoles(emulator, out.deployerClientId, out.deployerClientSecret),
    [ADDONS_ADMIN],
    "the output secret gets a token with the Add-ons Administrator role",
  );
  const userSecrets = await api.secrets(user!.id);
  t.deepEqual(
    userSecrets.map((s) => s.id),
    [out.deployerSecretId],
  );
  t.true(Date.parse(out.deployerSecretExpiresAt) > Date.now() + 89 * DAY_MS, "the secret lives the 90 days asked for");

  const addon = await api.addon();
  t.truthy(addon, "the add-on is on the service");
  t.like(withoutSecret(out), {
    addonId: ADDON_ID,
    addonVersion: "1.4.0",
    addonStatus: "Success",
  });
  t.regex(
    out.packageFileName,
    new RegExp(`^${ADDON_ID}-1\\.4\\.0-\\d{12}\\.zip$`),
    "ID-VERSION-COUNTER.zip, COUNTER from the stack and the resource",
  );
  t.like(addon, {
    id: ADDON_ID,
    version: "1.4.0",
    status: "Success",
    packageSha256: out.packageSha256,
    packageFileName: out.packageFileName,
  });
  t.deepEqual(await api.configuration(), quickstartConfiguration(5), "the configuration is on the service as written");
  t.is(addon!.configurationSha256, out.configurationSha256);

  // The predefined account's 403, solved: the upload was made by the deployer, not by the admin.
  const requests = emulator.requestLog();
  const uploads = requests.filter((r) => r.method === "POST" && r.path === "/addon/api/v1/addons");
  t.is(uploads.length, 1, "one upload");
  t.is(uploads[0].status, 201);
  t.is(uploads[0].identity, out.deployerClientId, "the package was uploaded with the deployer's client id");
  const addonWrites = requests.filter((r) => r.path.startsWith("/addon/") && r.method !== "GET");
  t.true(
    addonWrites.every((r) => r.identity === out.deployerClientId),
    "every Add-ons write was made as the deployer",
  );
  const grants = requests.filter((r) => r.method === "PUT" && r.path === `/access-management/api/v1/Users/${user!.id}`);
  t.deepEqual(
    grants.map((r) => r.identity),
    [emulator.credentials.admin.clientId],
    "the role was granted by the admin, once",
  );
  const secretsMade = requests.filter(
    (r) => r.method === "POST" && r.path === `/access-management/api/v1/Users/${user!.id}/generateClientSecret`,
  );
  t.deepEqual(
    secretsMade.map((r) => r.identity),
    [emulator.credentials.admin.clientId],
    "and the secret generated by the admin, once",
  );
  t.false(
    requests.some((r) => r.method === "POST" && /\/Users$/i.test(r.path)),
    "no user was created: Access Management has no such route",
  );

  await assertNoChanges(t, "up");
});

test.serial(
  "drift: a package deleted behind Pulumi's back shows in preview --refresh, refresh drops it, up deploys it again",
  async (t) => {
    t.timeout(300_000);
    const api = adminApi(emulator);
    const deployed = await outputs();
    await api.deleteAddon();

    const preview = await step(t, "preview --refresh", () => stack.preview({ ...quiet(log), refresh: true }));
    t.deepEqual(changesIn(preview.changeSummary), { create: 1 }, "the add-on would be created again");
    t.like(log.steps(), { "acme-publishing-tools": "create" });

    await step(t, "refresh", () => stack.refresh(quiet(log)));
    t.is(resourcesOfType(await stack.exportStack(), "tridion:AddonPackage").length, 0, "refresh dropped the add-on from state");

    const up = await step(t, "up", () => stack.up(quiet(log)));
    t.deepEqual(changesIn(up.summary.resourceChanges), { create: 1 });
    t.like(await api.addon(), { version: "1.4.0", status: "Success", packageSha256: deployed.packageSha256 });
    t.deepEqual(await api.configuration(), quickstartConfiguration(5));
    await assertNoChanges(t, "the repair", true);
  },
);

test.serial(
  "drift: a package replaced and the configuration edited show in preview --refresh and refresh; up puts them back",
  async (t) => {
    t.timeout(300_000);
    const api = adminApi(emulator);
    const deployed = await outputs();
    const otherZip = await addonZip({ version: "1.4.1", description: "Someone else's build" });
    const otherSha = crypto.createHash("sha256").update(otherZip).digest("hex");
    await api.replacePackage(otherZip, `${ADDON_ID}-1.4.1.zip`);
    await api.putConfiguration(quickstartConfiguration(99));

    const preview = await step(t, "preview --refresh", () => stack.preview({ ...quiet(log), refresh: true }));
    t.deepEqual(changesIn(preview.changeSummary), { update: 1 }, "the add-on would be updated");
    t.like(log.steps(), { "acme-publishing-tools": "update" });

    await step(t, "refresh", () => stack.refresh(quiet(log)));
    const [recorded] = resourcesOfType(await stack.exportStack(), "tridion:AddonPackage");
    t.like(
      recorded.outputs,
      { version: "1.4.1", packageSha256: otherSha, configurationSha256: (await api.addon())!.configurationSha256 },
      "refresh recorded what the service holds",
    );
    t.not(recorded.outputs.configurationSha256, deployed.configurationSha256);

    const up = await step(t, "up", () => stack.up(quiet(log)));
    t.deepEqual(changesIn(up.summary.resourceChanges), { update: 1 });
    t.like(await api.addon(), {
      version: "1.4.0",
      packageSha256: deployed.packageSha256,
      configurationSha256: deployed.configurationSha256,
    });
    t.deepEqual(await api.configuration(), quickstartConfiguration(5));
    await assertNoChanges(t, "the repair", true);
  },
);

test.serial("drift: the deployer's role removed shows in preview --refresh and refresh; up grants it again", async (t) => {
  t.timeout(300_000);
  const api = adminApi(emulator);
  const user = (await api.userByName(DEPLOYER))!;
  await api.setUserRoles(user.id, []);

  await step(t, "preview --refresh", () => stack.preview({ ...quiet(log), refresh: true }));
  t.like(log.steps(), { "addon-deployer": "update" }, "the user would be updated");

  await step(t, "refresh", () => stack.refresh(quiet(log)));
  const [recorded] = resourcesOfType(await stack.exportStack(), "tridion:ClientCredentialUser");
  t.deepEqual(recorded.outputs.roles, [], "refresh recorded that the role is gone");

  await step(t, "up", () => stack.up(quiet(log)));
  t.deepEqual(await api.rolesOf(DEPLOYER), [ADDONS_ADMIN]);
  const out = await outputs();
  t.deepEqual(await tokenRoles(emulator, out.deployerClientId, out.deployerClientSecret), [ADDONS_ADMIN]);
  await assertNoChanges(t, "the repair", true);
});

test.serial("drift: the deployer's secret revoked shows in preview --refresh and refresh; up issues a new one", async (t) => {
  t.timeout(300_000);
  const api = adminApi(emulator);
  const old = await outputs();
  await api.revokeSecret(old.deployerUserId, old.deployerSecretId);
  t.is(await tokenRoles(emulator, old.deployerClientId, old.deployerClientSecret), "rejected", "the revoked secret no longer gets a token");

  await step(t, "preview --refresh", () => stack.preview({ ...quiet(log), refresh: true }));
  t.like(log.steps(), { "addon-deployer": "update" }, "the user would be updated");

  await step(t, "refresh", () => stack.refresh(quiet(log)));
  const [recorded] = resourcesOfType(await stack.exportStack(), "tridion:ClientCredentialUser");
  t.is(recorded.outputs.secretStatus, "revoked", "refresh recorded the revoked secret");

  await step(t, "up", () => stack.up(quiet(log)));
  const out = await outputs();
  t.not(out.deployerSecretId, old.deployerSecretId);
  t.true(out.deployerClientSecret !== old.deployerClientSecret, "a new secret value");
  t.deepEqual(
    (await api.secrets(out.deployerUserId)).map((s) => s.id),
    [out.deployerSecretId],
  );
  t.deepEqual(await tokenRoles(emulator, out.deployerClientId, out.deployerClientSecret), [ADDONS_ADMIN]);
  await assertNoChanges(t, "the repair", true);
});

test.serial("rotation: bumping secretVersion issues a new secret and revokes the old one", async (t) => {
  t.timeout(300_000);
  const api = adminApi(emulator);
  const old = await outputs();
  await stack.setConfig("e2e:secretVersion", { value: "2" });

  await step(t, "preview", () => stack.preview(quiet(log)));
  t.like(log.steps(), { "addon-deployer": "update" }, "preview shows the rotation coming");

  await step(t, "up", () => stack.up(quiet(log)));
  const out = await outputs();
  t.not(out.deployerSecretId, old.deployerSecretId, "a new secret id");
  t.true(out.deployerClientSecret !== old.deployerClientSecret, "a new secret value");
  t.is(out.deployerClientId, old.deployerClientId, "the same client id");
  const onServer = await api.secrets(out.deployerUserId);
  t.deepEqual(
    onServer.map((s) => s.id),
    [out.deployerSecretId],
    "the old secret is revoked on the server",
  );
  t.is(await tokenRoles(emulator, old.deployerClientId, old.deployerClientSecret), "rejected");
  t.deepEqual(await tokenRoles(emulator, out.deployerClientId, out.deployerClientSecret), [ADDONS_ADMIN]);
  // The add-on's deploying identity follows the rotation: it still reads (refresh) and deploys.
  await assertNoChanges(t, "the rotation", true);
});

test.serial("rotation: a secret expiring within rotateBeforeDays shows in preview --refresh and up rotates it", async (t) => {
  t.timeout(300_000);
  const api = adminApi(emulator);
  const old = await outputs();
  // An administrator shortens the secret's life to 10 days: within the 30 days of rotateBeforeDays.
  await api.shortenSecret(old.deployerUserId, old.deployerSecretId, new Date(Date.now() + 10 * DAY_MS).toISOString());

  await step(t, "preview --refresh", () => stack.preview({ ...quiet(log), refresh: true }));
  t.like(log.steps(), { "addon-deployer": "update" }, "preview shows the rotation coming");

  await step(t, "up --refresh", () => stack.up({ ...quiet(log), refresh: true }));
  const out = await outputs();
  t.not(out.deployerSecretId, old.deployerSecretId);
  t.true(out.deployerClientSecret !== old.deployerClientSecret, "a new secret value");
  t.true(Date.parse(out.deployerSecretExpiresAt) > Date.now() + 89 * DAY_MS, "the new secret lives the full 90 days");
  const onServer = await api.secrets(out.deployerUserId);
  t.true(onServer.length <= 2, "never more than Access Management's two secrets");
  t.deepEqual(
    onServer.map((s) => s.id),
    [out.deployerSecretId],
    "the old secret is revoked",
  );
  t.is(await tokenRoles(emulator, old.deployerClientId, old.deployerClientSecret), "rejected");
  await assertNoChanges(t, "the rotation", true);
});

test.serial("a bad package fails preview with a message naming the cause and the fix, and changes nothing", async (t) => {
  t.timeout(300_000);
  const stateBefore = JSON.stringify(resourcesOfType(await stack.exportStack(), "tridion:AddonPackage"));
  const serverBefore = await snapshot(emulator);
  const badPackages = [
    {
      what: "an empty description",
      dir: writeAddonFolder(path.join(ws.dir, "bad-description"), { description: "" }),
      expect: [/"description" must be a non-empty string/, /Add a short description/],
    },
    {
      what: "manifest.json not at the root",
      dir: writeAddonFolder(
        path.join(ws.dir, "bad-nested"),
        {},
        Object.fromEntries(Object.entries(packageFiles()).map(([name, content]) => [`acme/${name}`, content])),
      ),
      expect: [/no manifest\.json at its root/, /subfolder "acme\/"/, /Point source at the folder "acme"/],
    },
  ];
  for (const bad of badPackages) {
    await stack.setConfig("e2e:addonSource", { value: bad.dir });
    emulator.clearRequestLog();
    log.take();
    const error = await failureOf(stack.preview(quiet(log)));
    const output = `${error.message}\n${log.take()}`;
    for (const pattern of bad.expect) t.regex(output, pattern, `preview of a package with ${bad.what} explains it`);
    t.false(/\n\s+at .+\(.+:\d+:\d+\)/.test(output.split("Diagnostics:")[1] ?? ""), `no stack trace for ${bad.what}`);
    const writes = emulator.requestLog().filter((r) => r.method !== "GET" && r.path !== "/access-management/connect/token");
    t.deepEqual(writes, [], `preview of ${bad.what} wrote nothing to the server`);
  }
  await stack.setConfig("e2e:addonSource", { value: addonSource });
  t.deepEqual(await snapshot(emulator), serverBefore, "the server holds what it held");
  t.is(JSON.stringify(resourcesOfType(await stack.exportStack(), "tridion:AddonPackage")), stateBefore, "the state holds what it held");
  await assertNoChanges(t, "restoring the good package");
});

test.serial("`pulumi stack export` holds no plaintext secret, and __provider is a small shim", async (t) => {
  t.timeout(120_000);
  await outputs();
  t.true(secrets.size >= 5, "the admin, Add-ons API and several deployer secrets are known");
  const exported = await exportStackAsStored(ws, "dev");
  const text = JSON.stringify(exported);
  t.deepEqual(
    plaintextSecretPaths(exported, (s) => secrets.findIn(s)),
    [],
    "where known secrets appear in plain text",
  );
  t.deepEqual(secrets.findIn(text), [], "no known secret appears in the exported state");
  t.false(text.includes(ws.passphrase), "nor the passphrase");

  const [user] = resourcesOfType(exported, "tridion:ClientCredentialUser");
  t.is(
    user.outputs.clientSecret?.["4dabf18193072939515e22adb298388d"],
    "1b47061264138c4ac30d75fd1eb44270",
    "the client secret is stored as a Pulumi secret",
  );
  t.truthy(user.outputs.clientSecret.ciphertext, "as ciphertext");
  const [addon] = resourcesOfType(exported, "tridion:AddonPackage");
  t.truthy(addon.inputs.credentials?.ciphertext, "the deploying credentials are stored as ciphertext");

  for (const resource of [user, addon]) {
    const provider = String(resource.inputs.__provider ?? resource.outputs.__provider);
    t.true(provider.length < 4000, `__provider of ${resource.type} is a small shim (${provider.length} characters)`);
    t.regex(provider, /pulumi-tridion\/dynamic/, "it loads the installed implementation");
    t.deepEqual(secrets.findIn(provider), []);
  }
});

test.serial("destroy leaves the emulator as it was before up", async (t) => {
  t.timeout(300_000);
  const destroy = await step(t, "destroy", () => stack.destroy(quiet(log)));
  t.deepEqual(changesIn(destroy.summary.resourceChanges), { delete: 3 });
  t.deepEqual(await snapshot(emulator), before, "users, their secrets and add-ons are as before up");
  t.is(resourcesOfType(await stack.exportStack(), "tridion:AddonPackage").length, 0);
});
