// A stack deployed by an earlier release, taken over by this code: the state and the emulator's
// data dir it left (tests/upgrade/recorded/, made by recordFixture.ts) are restored, then the
// real CLI previews, refreshes and destroys it with the code of this checkout. The serialized
// `__provider` of the old state require()s `pulumi-tridion/dynamic` by kind at call time, so the
// kinds and their methods must still be there. Preview and refresh show no changes and write
// nothing to Tridion; destroy removes what the stack made.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import test from "ava";
import { startEmulator, type RunningEmulator } from "tridion-sites-emulator";
import { obtainPulumiCli, pulumiEnvironment, repoRoot } from "../../demo/pulumiEngine";
import { amAdmin } from "../helpers/accessManagement";
import { http, bearer, getToken } from "../helpers/emulator";
import { PASSPHRASE, SCENARIOS, STACK, placeholders, shiftTimes, type Scenario } from "./scenarios";

const RECORDED = path.join(__dirname, "recorded", "0.2.0");
const { recordedAt } = JSON.parse(fs.readFileSync(path.join(RECORDED, "recording.json"), "utf8")) as { recordedAt: string };

interface Restored {
  emulator: RunningEmulator;
  project: string;
  pulumi(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** The recorded data dir served on free ports, the project and its stack restored with those origins. */
async function restore(t: { teardown(fn: () => unknown): void }, scenario: Scenario): Promise<Restored> {
  const recorded = path.join(RECORDED, scenario.name);
  // Inside the repository, so `pulumi-tridion` resolves to this checkout (as in the examples).
  const work = fs.mkdtempSync(path.join(repoRoot, ".upgrade-work-"));
  t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));
  const dataDir = path.join(work, "emulator");
  fs.cpSync(path.join(recorded, "emulator"), dataDir, { recursive: true });
  const age = Date.now() - Date.parse(recordedAt);
  const emulatorState = path.join(dataDir, "state.json");
  fs.writeFileSync(emulatorState, shiftTimes(fs.readFileSync(emulatorState, "utf8"), age));
  const emulator = await startEmulator({
    port: 0,
    addonsPort: 0,
    productVersion: scenario.productVersion,
    dataDir,
    adminClientId: scenario.admin.clientId,
    adminClientSecret: scenario.admin.clientSecret,
    activationDelayMs: 200,
  });
  t.teardown(() => emulator.close());
  const origins = {
    accessManagement: new URL(emulator.accessManagementUrl).origin,
    addons: new URL(emulator.addonsUrl).origin,
  };
  const project = path.join(work, scenario.name);
  fs.cpSync(path.join(recorded, "project"), project, { recursive: true });
  const stackConfig = placeholders.fill(fs.readFileSync(path.join(recorded, `Pulumi.${STACK}.yaml`), "utf8"), origins);
  const state = path.join(work, "state.json");
  fs.writeFileSync(state, shiftTimes(placeholders.fill(fs.readFileSync(path.join(recorded, "state.json"), "utf8"), origins), age));

  const env = { ...process.env, ...pulumiEnvironment(obtainPulumiCli(), path.join(work, "pulumi"), PASSPHRASE) };
  const pulumi = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile("pulumi", args, { cwd: project, env, timeout: 240_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const must = async (...args: string[]) => {
    const result = await pulumi(...args);
    if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  };
  await must("stack", "init", STACK);
  fs.writeFileSync(path.join(project, `Pulumi.${STACK}.yaml`), stackConfig);
  await must("stack", "import", "--file", state);
  return { emulator, project, pulumi };
}

/** Requests that change something on Tridion (a token request changes nothing the stack owns). */
function writes(emulator: RunningEmulator): string[] {
  return emulator
    .requestLog()
    .filter((entry) => entry.method !== "GET" && entry.method !== "HEAD" && !/\/connect\/token$/i.test(entry.path))
    .map((entry) => `${entry.method} ${entry.path}`);
}

function resourcesOf(exported: string): { type: string; outputs: Record<string, unknown> }[] {
  return (JSON.parse(exported).deployment.resources ?? []) as { type: string; outputs: Record<string, unknown> }[];
}

for (const scenario of SCENARIOS) {
  test.serial(`a ${scenario.name} stack deployed by the earlier release: no changes, no writes, then destroyed`, async (t) => {
    t.timeout(600_000);
    const { emulator, pulumi } = await restore(t, scenario);
    const before = emulator.requestLog().length;

    const preview = await pulumi("preview", "--expect-no-changes", "--diff");
    t.is(preview.code, 0, `preview with this code shows no changes:\n${preview.stdout}\n${preview.stderr}`);
    const refresh = await pulumi("refresh", "--yes", "--expect-no-changes", "--skip-preview");
    t.is(refresh.code, 0, `refresh with this code finds what the earlier release recorded:\n${refresh.stdout}\n${refresh.stderr}`);
    const previewAfterRefresh = await pulumi("preview", "--expect-no-changes");
    t.is(previewAfterRefresh.code, 0, `and preview after it still shows none:\n${previewAfterRefresh.stdout}`);
    t.true(emulator.requestLog().length > before, "the provider did read the services");
    t.deepEqual(writes(emulator), [], "nothing was written to Tridion before the destroy");

    const exported = await pulumi("stack", "export");
    const addon = resourcesOf(exported.stdout).find((r) => r.type === "pulumi-nodejs:dynamic/tridion:AddonPackage");
    t.truthy(addon, "the recorded stack holds an add-on");
    const addonId = String(addon!.outputs.addonId);
    const admin = await getToken(emulator, scenario.admin);
    t.is(
      (await http.get(`${emulator.addonsUrl}/api/v1/addons/${addonId}`, bearer(admin))).status,
      200,
      "the add-on is there before the destroy",
    );

    const destroy = await pulumi("destroy", "--yes", "--skip-preview");
    t.is(destroy.code, 0, `destroy with this code:\n${destroy.stdout}\n${destroy.stderr}`);
    t.is((await http.get(`${emulator.addonsUrl}/api/v1/addons/${addonId}`, bearer(admin))).status, 404, "the add-on is gone");
    const am = await amAdmin({ accessManagementUrl: emulator.accessManagementUrl, credentials: { admin: scenario.admin } });
    if (scenario.productVersion === "9.6") {
      const [user] = (await am.get("/Users")).data.filter((u: { name: string }) => u.name === "addon-deployer");
      const full = (await am.get(`/Users/${user.id}`)).data;
      t.deepEqual(full.clientSecrets ?? [], [], "the deployer's secret is revoked");
    } else {
      const accounts = (await am.get("/ServiceAccounts")).data as { name: string; predefined?: boolean }[];
      const recordedAccount = resourcesOf(fs.readFileSync(path.join(RECORDED, scenario.name, "state.json"), "utf8")).find(
        (r) => r.type === "pulumi-nodejs:dynamic/tridion:ServiceAccount",
      );
      t.false(
        accounts.some((a) => a.name === recordedAccount?.outputs.name),
        "the service account the stack made is deleted",
      );
    }
  });
}
