// The package as users get it: `npm pack` the repository (dist/ must be built: `npm test` builds
// it first), install the tarball into a fresh program folder OUTSIDE the repository tree, and run
// `up` there with the real engine. The program and the Automation API come from that folder's
// node_modules, so the dynamic provider's `require("pulumi-tridion/dynamic")` can only resolve
// from the user's install.
import test from "ava";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { changesIn, EngineLog, openWorkspace, quiet, repoRoot, tridionConfig, type E2eWorkspace } from "../helpers/pulumi";
import { ADDON_ID, ADDONS_ADMIN, adminApi, DEPLOYER, snapshot, tokenRoles, values, writeAddonFolder } from "./support";

const run = promisify(execFile);

let emulator: TestEmulator;
let ws: E2eWorkspace;
let packDir: string;
const log = new EngineLog();

test.before(async () => {
  emulator = await startTestEmulator({ productVersion: "9.6", seedUsers: [DEPLOYER] });
  packDir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-tridion-pack-"));
  ws = await openWorkspace({ dir: fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-tridion-user-program-")) });
});

test.after.always(async () => {
  await emulator?.close();
  ws?.remove();
  if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
});

/** npm with the project's Node first on PATH; output only in the error when it fails. */
async function npm(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run("npm", args, { cwd, env: { ...process.env, PATH: ws.env.PATH }, maxBuffer: 64 << 20 });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npm ${args.join(" ")} failed in ${cwd}: ${err.message}\n${err.stderr ?? ""}`);
  }
}

test.serial("npm pack, install into a fresh program outside the repository, up, preview, destroy", async (t) => {
  t.timeout(600_000);
  t.true(fs.existsSync(path.join(repoRoot, "dist", "provider", "index.js")), "dist/ is built (`npm run build`; `npm test` does it first)");

  // 1. The tarball, as `npm publish` would make it (dist/ is already built; no rebuild here, since
  //    other test files load dist/ at the same time).
  const packed = JSON.parse(await npm(["pack", "--ignore-scripts", "--json", "--pack-destination", packDir], repoRoot)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = path.join(packDir, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  t.true(files.includes("dist/provider/dynamic/index.js"), "the tarball holds the implementation the shim loads");
  t.false(files.some((f) => f.startsWith("tests/") || f.startsWith("provider/") || f.startsWith("node_modules/")), "and no sources, tests or node_modules");

  // 2. A user's program folder: the tarball and the same @pulumi/pulumi as the lockfile.
  const pulumiVersion = require(path.join(repoRoot, "node_modules", "@pulumi", "pulumi", "package.json")).version as string; // eslint-disable-line @typescript-eslint/no-require-imports
  fs.writeFileSync(path.join(ws.dir, "package.json"), JSON.stringify({
    name: "tridion-user-program",
    private: true,
    dependencies: { "pulumi-tridion": `file:${tarball}`, "@pulumi/pulumi": pulumiVersion },
  }, null, 2));
  await npm(["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], ws.dir);
  const installed = path.join(ws.dir, "node_modules", "pulumi-tridion");
  t.false(fs.lstatSync(installed).isSymbolicLink(), "pulumi-tridion is a real install, not a link to the repository");
  t.false(fs.realpathSync(installed).startsWith(repoRoot + path.sep), "and lives outside the repository");
  const addonSource = writeAddonFolder(path.join(ws.dir, "addon"));

  // 3. The quickstart, written as a user would, with everything from the user's node_modules.
  const userRequire = (id: string) => require(require.resolve(id, { paths: [ws.dir] })); // eslint-disable-line @typescript-eslint/no-require-imports
  const automation = userRequire("@pulumi/pulumi/automation") as typeof import("@pulumi/pulumi/automation");
  t.false(require.resolve("@pulumi/pulumi/automation", { paths: [ws.dir] }).startsWith(repoRoot + path.sep), "the Automation API comes from the user's install");
  const program = async () => {
    const { AddonPackage, ClientCredentialUser } = require(path.join(ws.dir, "node_modules", "pulumi-tridion")); // eslint-disable-line @typescript-eslint/no-require-imports
    const deployer = new ClientCredentialUser("addon-deployer", { userName: DEPLOYER, roles: [ADDONS_ADMIN], secretExpiresInDays: 90 });
    const addon = new AddonPackage("acme-publishing-tools", {
      source: addonSource,
      configuration: { configuration: { AcmeEventHandler: { threshold: 5 } } },
      credentials: { clientId: deployer.clientId, clientSecret: deployer.clientSecret },
      activationTimeoutSeconds: 30,
    });
    return { deployerClientId: deployer.clientId, deployerClientSecret: deployer.clientSecret, addonVersion: addon.version, addonStatus: addon.status };
  };
  const pulumiCommand = await automation.PulumiCommand.get({ root: path.dirname(path.dirname(ws.pulumiCommand.command)), skipVersionCheck: true });
  const stack = await automation.LocalWorkspace.createOrSelectStack(
    { stackName: "dev", projectName: "tridion-user-program", program },
    { workDir: ws.dir, pulumiCommand, envVars: ws.env, pulumiHome: ws.env.PULUMI_HOME },
  );
  await stack.setAllConfig(tridionConfig(emulator));
  const before = await snapshot(emulator);

  const step = <T>(name: string, fn: () => Promise<T>) => log.step(t, name, fn);
  const up = await step("up", () => stack.up(quiet(log)));
  t.deepEqual(changesIn(up.summary.resourceChanges), { create: 3 });
  const out = values(up.outputs);
  t.is(out.addonVersion, "1.4.0");
  t.is(out.addonStatus, "Success");
  t.like(await adminApi(emulator).addon(ADDON_ID), { version: "1.4.0", status: "Success" });
  t.deepEqual(await tokenRoles(emulator, out.deployerClientId, out.deployerClientSecret), [ADDONS_ADMIN]);

  const exported = await stack.exportStack();
  const providers = (exported.deployment?.resources ?? []).filter((r: { type: string }) => r.type.startsWith("pulumi-nodejs:dynamic/")).map((r: { inputs: { __provider: string } }) => r.inputs.__provider);
  t.is(providers.length, 2);
  for (const text of providers) t.regex(text, /require\("pulumi-tridion\/dynamic"\)/, "__provider loads pulumi-tridion/dynamic, resolved from the user's node_modules");

  const preview = await step("preview", () => stack.preview(quiet(log)));
  t.deepEqual(changesIn(preview.changeSummary), {}, "preview shows no changes");
  await step("destroy", () => stack.destroy(quiet(log)));
  t.deepEqual(await snapshot(emulator), before, "destroy leaves the emulator as it was");
});
