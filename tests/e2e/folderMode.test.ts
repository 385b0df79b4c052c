// What users run: `pulumi` in a folder that holds Pulumi.yaml, with the real CLI and its Node.js
// language host. Each example's README section "Try it on the emulator" is run line by line, as
// written: its emulators in the background, its commands in bash. Once in a copy of the example
// inside the repository (it resolves pulumi-tridion to the workspace), and for the quickstart and
// the service account once more in a user's project outside the repository that installs the
// packed tarballs. The Pulumi YAML example runs with Pulumi's YAML language host and the provider
// plugin's tarball (`npm run plugin:pack`), which its README installs from $PLUGIN_TARBALL. After every `pulumi up` the state must hold exactly the resources the program
// declares (a run that "succeeds" with only the stack resource is the failure this guards against)
// and the emulator must hold them too; after `destroy` the emulator is as before.
import test, { type ExecutionContext } from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../../demo/pulumiEngine";
import { amAdmin } from "../helpers/accessManagement";
import { bearer, getToken, http } from "../helpers/emulator";
import { readmeBlocks, runLines, shellEnvironment, startEmulatorLine, type BackgroundEmulator, type Shell } from "../helpers/folderMode";
import { installUserProject, packWorkspaces, PUBLISHED_PACKAGES, type Packed } from "../helpers/userProject";
import { pluginTarball, PLUGIN_VERSION } from "../helpers/pluginTarball";
import { yamlHostDir } from "../helpers/yamlProject";
import { obtainPulumiCli } from "../../demo/pulumiEngine";

type Example = "quickstart" | "service-account" | "promotion" | "yaml";

/** What each example's program declares, per stack: `type::name` of every resource but the stack. */
const declared: Record<Example, Record<string, string[]>> = {
  quickstart: { dev: ["tridion:AddonPackage::acme-publishing-tools", "tridion:ClientCredentialUser::addon-deployer"] },
  "service-account": { dev: ["tridion:AddonPackage::acme-publishing-tools", "tridion:ServiceAccount::addon-deployer"] },
  yaml: { dev: ["tridion:index:AddonPackage::acme-publishing-tools", "tridion:index:ClientCredentialUser::addon-deployer"] },
  promotion: {
    dev: ["tridion:AddonPackage::acme-publishing-tools"],
    prod: ["pulumi:pulumi:StackReference::upstream", "tridion:AddonPackage::acme-publishing-tools"],
  },
};

/** The stack's resources as `type::name`, the stack itself and providers left out. */
async function stateOf(shell: Shell): Promise<{ stack: string; resources: string[]; outputs: Record<string, unknown> }> {
  const stack = (await shell("pulumi stack --show-name --non-interactive")).stdout.trim();
  const exported = JSON.parse((await shell("pulumi stack export --non-interactive")).stdout) as {
    deployment: { resources?: Array<{ type: string; urn: string }> };
  };
  const resources = (exported.deployment.resources ?? [])
    .filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"))
    .map((r) => `${r.type.replace("pulumi-nodejs:dynamic/", "")}::${r.urn.split("::").pop()}`)
    .sort();
  const outputs = JSON.parse((await shell("pulumi stack output --json --non-interactive")).stdout || "{}") as Record<string, unknown>;
  return { stack, resources, outputs };
}

/** What the emulator holds that a stack could have made: add-ons, roles and secrets of users, service accounts. */
async function serverHolds(emulator: BackgroundEmulator["info"]) {
  const am = await amAdmin(emulator);
  const token = await getToken(emulator, emulator.credentials.admin);
  const addons = (await http.get(`${emulator.addonsUrl}/api/v1/addons`, bearer(token))).data as Array<{ id: string; status: string }>;
  const users = (await am.list("Users")).map((u) => ({ name: u.name, roles: am.rolesOf(u), secrets: u.clientSecrets.length }));
  const accounts = (await am.list("ServiceAccounts")).map((a) => a.name).sort();
  return { addons, users, accounts };
}

async function runExample(t: ExecutionContext, example: Example, dir: string, env: Record<string, string>): Promise<void> {
  const heading = example === "promotion" ? "Try it on two emulators" : "Try it on the emulator";
  const [emulatorLines, commands] = readmeBlocks(path.join(repoRoot, "examples", example, "README.md"), heading);
  t.true(
    emulatorLines.every((line) => line.startsWith("npx tridion-emulator ")),
    "the first block starts the emulators",
  );
  const emulators: BackgroundEmulator[] = [];
  t.teardown(async () => {
    await Promise.all(emulators.map((e) => e.stop()));
  });
  for (const line of emulatorLines) emulators.push(await startEmulatorLine(line, { cwd: dir, env }));
  const before = await Promise.all(emulators.map((e) => serverHolds(e.info)));
  const emulatorOf = (stack: string) => emulators[example === "promotion" && stack === "prod" ? 1 : 0].info;

  await runLines(commands, {
    cwd: dir,
    env,
    after: async ({ line, stdout }, shell) => {
      if (/^npx pulumi-tridion doctor\b/.test(line)) {
        // Exit 0 (the line passed), and the verdict says so, from the stack's settings or the environment.
        const verdict = line.includes("--json") ? JSON.parse(stdout).verdict : /^Ready: /m.test(stdout) ? "ready" : stdout;
        t.is(verdict, "ready", `${example}: \`${line}\` finds the emulator ready`);
        t.false(stdout.includes(emulators[0].info.credentials.admin.clientSecret), "doctor prints no secret");
      }
      if (/^pulumi up\b/.test(line)) {
        const { stack, resources, outputs } = await stateOf(shell);
        t.deepEqual(
          resources,
          declared[example][stack],
          `${example}/${stack}: after \`${line}\` the state holds every resource the program declares`,
        );
        const held = await serverHolds(emulatorOf(stack));
        t.deepEqual(
          held.addons.map((a) => [a.id, a.status]),
          [["acme-publishing-tools", "Success"]],
          `${example}/${stack}: the add-on is active on the emulator`,
        );
        if (example === "quickstart" || example === "yaml")
          t.like(
            held.users.find((u) => u.name === "addon-deployer"),
            { roles: ["Tridion.AddonService.Administrator"], secrets: 1 },
          );
        if (example === "service-account") t.true(held.accounts.includes("Add-on deployer"));
        t.truthy(outputs.packageSha256 ?? outputs.addonStatus, "the stack has its outputs");
        t.false(JSON.stringify(outputs).includes(emulatorOf(stack).credentials.admin.clientSecret), "no secret in the outputs as shown");
      }
      if (/^pulumi destroy\b/.test(line)) {
        const { resources } = await stateOf(shell);
        t.deepEqual(resources, [], `${example}: \`${line}\` leaves nothing in the state`);
      }
    },
  });
  const after = await Promise.all(emulators.map((e) => serverHolds(e.info)));
  t.deepEqual(after, before, `${example}: after the README's commands the emulators hold what they held before`);
}

/** A copy of an example inside the repository (pulumi-tridion resolves to the workspace), without its local state. */
function inRepoCopy(example: Example): string {
  const root = fs.mkdtempSync(path.join(repoRoot, ".cache", "folder-mode-"));
  const dir = path.join(root, example);
  fs.cpSync(path.join(repoRoot, "examples", example), dir, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|\.state)([/\\]|$)/.test(src),
  });
  return dir;
}

const home = () => fs.mkdtempSync(path.join(os.tmpdir(), "tridion-folder-mode-home-"));

for (const example of ["quickstart", "service-account", "promotion"] as const) {
  test.serial(`${example}: the README's commands, \`pulumi\` in the folder, inside the repository`, async (t) => {
    t.timeout(600_000);
    fs.mkdirSync(path.join(repoRoot, ".cache"), { recursive: true });
    const dir = inRepoCopy(example);
    const env = shellEnvironment(home());
    t.teardown(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));
    await runExample(t, example, dir, env);
  });
}

test.serial("yaml: the README's commands, `pulumi` in the folder, with the YAML language host and the plugin's tarball", async (t) => {
  t.timeout(600_000);
  const readme = fs.readFileSync(path.join(repoRoot, "examples", "yaml", "README.md"), "utf8");
  const installs = [...readme.matchAll(/pulumi plugin install resource tridion (\S+) --file/g)].map((m) => m[1]);
  t.true(installs.length > 0 && installs.every((v) => v === PLUGIN_VERSION), "the README installs the plugin at the provider's version");
  fs.mkdirSync(path.join(repoRoot, ".cache"), { recursive: true });
  const dir = inRepoCopy("yaml");
  t.teardown(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));
  const env = shellEnvironment(home());
  const hostDir = yamlHostDir(obtainPulumiCli().pathDirs);
  if (!env.PATH.split(path.delimiter).includes(hostDir)) env.PATH = `${env.PATH}${path.delimiter}${hostDir}`;
  // What the README asks the user to set: the plugin's tarball for this platform.
  env.PLUGIN_TARBALL = await pluginTarball();
  await runExample(t, "yaml", dir, env);
  t.true(
    fs.existsSync(path.join(env.PULUMI_HOME, "plugins", `resource-tridion-v${PLUGIN_VERSION}`)),
    "the plugin was installed from its tarball into the user's Pulumi home",
  );
});

let packed: Promise<Record<string, Packed>> | undefined;

for (const example of ["quickstart", "service-account"] as const) {
  test.serial(
    `${example}: the README's commands in a user's project outside the repository that installs the packed packages`,
    async (t) => {
      t.timeout(600_000);
      const env = shellEnvironment(home());
      packed ??= packWorkspaces(PUBLISHED_PACKAGES, env);
      const tarballs = await packed;
      const providerFiles = tarballs["pulumi-tridion"].files;
      t.true(providerFiles.includes("dist/dynamic/index.js"), "the tarball holds the implementation the shim loads");
      t.true(providerFiles.includes("README.md") && providerFiles.includes("CHANGELOG.md"), "and the README and CHANGELOG");
      t.deepEqual(
        providerFiles.filter((f) => /\.ts$/.test(f) && !f.endsWith(".d.ts")),
        [],
        "no TypeScript sources",
      );
      t.deepEqual(
        providerFiles.filter((f) => /^(tests|demo|bench|emulator|node_modules)\//.test(f)),
        [],
        "no tests, demo, bench, emulator or node_modules",
      );
      t.true(tarballs["tridion-sites-emulator"].files.includes("bin/tridion-emulator.js"), "the emulator's tarball has its command");
      const project = await installUserProject(path.join(repoRoot, "examples", example), tarballs, env);
      t.teardown(() => project.remove());
      const installed = path.join(project.dir, "node_modules", "pulumi-tridion");
      t.false(fs.lstatSync(installed).isSymbolicLink(), "pulumi-tridion is a real install, not a link into the repository");
      t.false(fs.realpathSync(installed).startsWith(repoRoot + path.sep));
      await runExample(t, example, project.dir, env);
    },
  );
}
