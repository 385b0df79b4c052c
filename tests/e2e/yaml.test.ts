// Pulumi YAML with the real CLI and Pulumi's YAML language host, the `tridion` provider plugin
// installed from its tarball, a program in a folder outside the repository: the quickstart's story
// (the deployer user gets client credentials and the Add-ons Administrator role, the add-on is
// deployed as it), then a no-change preview, an add-on deleted by hand found by refresh and put
// back by up, two explicit providers against two emulators, and destroy (add-ons gone, the user
// kept, our secret revoked). After every `up` the state holds exactly what the program declares;
// the exported state (as anyone holding it reads it) holds no plaintext secret and no `__provider`.
// The steps build on each other: the tests run serially, in order.
import test, { type ExecutionContext } from "ava";
import * as path from "node:path";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { tridionConfig } from "../helpers/pulumi";
import { SecretScanner } from "../helpers/secrets";
import { SAMPLE_ADDON_DIR } from "../helpers/sampleAddon";
import { keyPaths, openYamlProject, type YamlProject } from "../helpers/yamlProject";
import { ADDON_ID, ADDONS_ADMIN, adminApi, DEPLOYER, quickstartConfiguration, tokenRoles } from "./support";

const ADDON_TYPE = "tridion:index:AddonPackage";
const USER_TYPE = "tridion:index:ClientCredentialUser";

/** The quickstart in Pulumi YAML (the add-on folder given as a plain path). */
function quickstartYaml(source: string) {
  return {
    resources: {
      deployer: {
        type: "tridion:ClientCredentialUser",
        properties: { userName: DEPLOYER, roles: [ADDONS_ADMIN], secretExpiresInDays: 90 },
      },
      tools: {
        type: "tridion:AddonPackage",
        properties: {
          source,
          configuration: quickstartConfiguration(5),
          credentials: { clientId: "${deployer.clientId}", clientSecret: "${deployer.clientSecret}" },
          activationTimeoutSeconds: 30,
        },
      },
    },
    outputs: {
      deployerClientId: "${deployer.clientId}",
      deployerClientSecret: "${deployer.clientSecret}",
      deployerSecretId: "${deployer.secretId}",
      addonStatus: "${tools.status}",
      packageSha256: "${tools.packageSha256}",
    },
  };
}

const DECLARED = [`${ADDON_TYPE}::tools`, `${USER_TYPE}::deployer`];

let emulator: TestEmulator;
let project: YamlProject;
/** Every secret value the tests learn; none may appear in plain text in the exported state. */
const secrets = new SecretScanner();

test.before(async () => {
  emulator = await startTestEmulator({ productVersion: "9.6", seedUsers: [DEPLOYER] });
  secrets.add(emulator.credentials.admin.clientSecret, emulator.credentials.addonsService.clientSecret);
  project = await openYamlProject("tridion-yaml-e2e");
  project.writeProgram(quickstartYaml(SAMPLE_ADDON_DIR));
  await project.initStack("dev", tridionConfig(emulator));
});

test.after.always(async () => {
  await emulator?.close();
  project?.remove();
});

/** What anyone holding the state reads: no known secret in plain text, no `__provider` anywhere. */
async function assertStoredStateClean(t: ExecutionContext, p: YamlProject, what: string) {
  const { text, resources } = await p.exportStack();
  t.deepEqual(secrets.findIn(text), [], `${what}: the exported state holds no plaintext secret`);
  t.deepEqual(keyPaths(JSON.parse(text), "__provider"), [], `${what}: the exported state holds no __provider`);
  return resources;
}

test.serial(
  "up as the deployer: its credentials and role, the add-on deployed as it; the state holds what the program declares",
  async (t) => {
    t.timeout(300_000);
    emulator.clearRequestLog();
    const up = await project.pulumi(["up", "--yes"]);
    t.regex(up.stdout, /\+ 3 created/, "the stack, the deployer's credentials and the add-on are created");
    t.deepEqual(await project.declaredInState(), DECLARED, "the state holds exactly the resources the program declares");

    const shown = await project.outputs();
    t.is(shown.deployerClientSecret, "[secret]", "the deployer's client secret is a secret output");
    const out = await project.outputs(true);
    secrets.add(out.deployerClientSecret);

    const api = adminApi(emulator);
    const user = await api.userByName(DEPLOYER);
    t.truthy(user);
    t.is(out.deployerClientId, user!.clientId);
    t.deepEqual(await api.rolesOf(DEPLOYER), [ADDONS_ADMIN]);
    t.deepEqual(
      (await api.secrets(user!.id)).map((s) => s.id),
      [out.deployerSecretId],
      "the user holds the one secret the stack issued",
    );
    t.deepEqual(await tokenRoles(emulator, out.deployerClientId as string, out.deployerClientSecret as string), [ADDONS_ADMIN]);
    t.like(await api.addon(), { id: ADDON_ID, status: "Success", packageSha256: out.packageSha256 });
    t.is(out.addonStatus, "Success");
    t.deepEqual(await api.configuration(), quickstartConfiguration(5), "the configuration is on the service as written");
    const uploads = emulator.requestLog().filter((r) => r.method === "POST" && r.path === "/addon/api/v1/addons");
    t.deepEqual(
      uploads.map((u) => [u.status, u.identity]),
      [[201, out.deployerClientId]],
      "one upload, made as the deployer (not as the provider's admin identity)",
    );

    const resources = await assertStoredStateClean(t, project, "after up");
    const addon = resources.find((r) => r.type === ADDON_TYPE)!;
    t.deepEqual(
      Object.keys(addon.outputs!.credentials as object),
      ["4dabf18193072939515e22adb298388d", "ciphertext"],
      "credentials are stored encrypted",
    );
  },
);

test.serial("a no-change preview: `pulumi preview --expect-no-changes` passes", async (t) => {
  emulator.clearRequestLog();
  const preview = await project.pulumi(["preview", "--expect-no-changes"]);
  t.regex(preview.stdout, /3 unchanged/);
  t.deepEqual(
    emulator.requestLog().filter((r) => r.method !== "GET" && !r.path.endsWith("/connect/token")),
    [],
    "preview writes nothing",
  );
});

test.serial("an add-on deleted by hand: refresh drops it from the state, up puts it back", async (t) => {
  t.timeout(300_000);
  const api = adminApi(emulator);
  await api.deleteAddon();
  const refresh = await project.pulumi(["refresh", "--yes"]);
  t.regex(refresh.stdout, /- {1,4}tridion:index:AddonPackage tools deleted|1 deleted/, "refresh reports the add-on gone");
  t.deepEqual(await project.declaredInState(), [`${USER_TYPE}::deployer`], "refresh dropped the add-on from the state");
  const drift = await project.pulumi(["preview", "--expect-no-changes"], { allowFailure: true });
  t.not(drift.code, 0, "preview now shows the add-on to create");
  t.regex(drift.stdout, /\+ 1 to create/);

  await project.pulumi(["up", "--yes"]);
  t.deepEqual(await project.declaredInState(), DECLARED, "the state holds exactly the resources the program declares");
  t.like(await api.addon(), { id: ADDON_ID, status: "Success" }, "the add-on is back on the service");
  t.deepEqual(await api.configuration(), quickstartConfiguration(5));
  await project.pulumi(["preview", "--expect-no-changes"]);
  await assertStoredStateClean(t, project, "after the add-on was put back");
});

test.serial("destroy: the add-on gone, the user kept without our secret or role", async (t) => {
  t.timeout(300_000);
  const api = adminApi(emulator);
  const out = await project.outputs(true);
  const user = await api.userByName(DEPLOYER);
  await project.pulumi(["destroy", "--yes"]);
  t.deepEqual(await project.declaredInState(), [], "nothing is left in the state");
  t.deepEqual(await api.addons(), [], "the add-on is gone");
  const kept = await api.userByName(DEPLOYER);
  t.is(kept?.id, user!.id, "the user is kept");
  t.deepEqual(await api.secrets(user!.id), [], "our secret is revoked");
  t.deepEqual(await api.rolesOf(DEPLOYER), [], "the role is taken back");
  t.is(
    await tokenRoles(emulator, out.deployerClientId as string, out.deployerClientSecret as string),
    "rejected",
    "the old secret gets no token",
  );
  await assertStoredStateClean(t, project, "after destroy");
});

test.serial(
  "two explicit providers against two emulators: each add-on on its own emulator, deployed with its own credentials",
  async (t) => {
    t.timeout(600_000);
    const [staging, production] = await Promise.all(
      ["staging", "production"].map(() => startTestEmulator({ productVersion: "9.6", seedUsers: [DEPLOYER] })),
    );
    t.teardown(async () => {
      await Promise.all([staging.close(), production.close()]);
    });
    const two = await openYamlProject("tridion-yaml-two-sites");
    t.teardown(() => two.remove());
    const sites = { staging, production } as const;
    const resources: Record<string, unknown> = {};
    const outputs: Record<string, string> = {};
    for (const [site, em] of Object.entries(sites)) {
      secrets.add(em.credentials.admin.clientSecret);
      resources[site] = {
        type: "pulumi:providers:tridion",
        properties: {
          accessManagementUrl: em.accessManagementUrl,
          addonsUrl: em.addonsUrl,
          clientId: em.credentials.admin.clientId,
          clientSecret: `\${${site}AdminSecret}`,
        },
      };
      resources[`${site}Deployer`] = {
        type: "tridion:ClientCredentialUser",
        properties: { userName: DEPLOYER, roles: [ADDONS_ADMIN] },
        options: { provider: `\${${site}}` },
      };
      resources[`${site}Tools`] = {
        type: "tridion:AddonPackage",
        properties: {
          source: path.join(SAMPLE_ADDON_DIR),
          configuration: quickstartConfiguration(site === "staging" ? 1 : 9),
          credentials: { clientId: `\${${site}Deployer.clientId}`, clientSecret: `\${${site}Deployer.clientSecret}` },
          activationTimeoutSeconds: 30,
        },
        options: { provider: `\${${site}}` },
      };
      outputs[`${site}ClientId`] = `\${${site}Deployer.clientId}`;
      outputs[`${site}ClientSecret`] = `\${${site}Deployer.clientSecret}`;
      outputs[`${site}Sha256`] = `\${${site}Tools.packageSha256}`;
    }
    two.writeProgram({
      config: { stagingAdminSecret: { type: "string", secret: true }, productionAdminSecret: { type: "string", secret: true } },
      resources,
      outputs,
    });
    // No tridion:* config and no TRIDION_* variables: each provider has only its own inputs.
    await two.initStack("sites", {
      stagingAdminSecret: { value: staging.credentials.admin.clientSecret, secret: true },
      productionAdminSecret: { value: production.credentials.admin.clientSecret, secret: true },
    });

    await two.pulumi(["up", "--yes"]);
    t.deepEqual(
      await two.declaredInState(),
      [
        `${ADDON_TYPE}::productionTools`,
        `${ADDON_TYPE}::stagingTools`,
        `${USER_TYPE}::productionDeployer`,
        `${USER_TYPE}::stagingDeployer`,
      ],
      "the state holds exactly the resources the program declares",
    );
    const out = await two.outputs(true);
    for (const [site, em] of Object.entries(sites)) {
      secrets.add(out[`${site}ClientSecret`]);
      const api = adminApi(em);
      const user = await api.userByName(DEPLOYER);
      t.is(user?.clientId, out[`${site}ClientId`] as string, `${site}: the deployer's credentials come from its own emulator`);
      t.deepEqual(await api.rolesOf(DEPLOYER), [ADDONS_ADMIN]);
      t.deepEqual(await api.configuration(), quickstartConfiguration(site === "staging" ? 1 : 9), `${site}: its own add-on configuration`);
      const uploads = em.requestLog().filter((r) => r.method === "POST" && r.path === "/addon/api/v1/addons");
      t.deepEqual(
        uploads.map((u) => [u.status, u.identity]),
        [[201, out[`${site}ClientId`]]],
        `${site}: one upload, made as its own deployer`,
      );
      const other = site === "staging" ? production : staging;
      t.is(
        await tokenRoles(other, out[`${site}ClientId`] as string, out[`${site}ClientSecret`] as string),
        "rejected",
        `${site}'s secret means nothing to the other emulator`,
      );
    }
    t.not(out.stagingClientId, out.productionClientId);
    const stored = await assertStoredStateClean(t, two, "two providers, after up");
    const providers = stored.filter((r) => r.type === "pulumi:providers:tridion").map((r) => r.urn.split("::").pop());
    t.deepEqual(providers.sort(), ["production", "staging"], "two explicit providers, no default one");
    await two.pulumi(["preview", "--expect-no-changes"]);

    await two.pulumi(["destroy", "--yes"]);
    t.deepEqual(await two.declaredInState(), []);
    for (const em of Object.values(sites)) {
      const api = adminApi(em);
      t.deepEqual(await api.addons(), []);
      t.deepEqual(await api.secrets((await api.userByName(DEPLOYER))!.id), []);
    }
  },
);
