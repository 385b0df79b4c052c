// Records what an earlier release left behind, for tests/upgrade/upgrade.test.ts: a stack deployed
// by the code of this checkout, as a user would (`pulumi up` in a copy of an example, settings in
// stack config), kept as the stack's exported state, its stack config (secrets encrypted with the
// fixture's passphrase) and the emulator's data dir. Run once, at the commit being recorded:
//
//   node --require ts-node/register/transpile-only tests/upgrade/recordFixture.ts tests/upgrade/recorded/NAME
//
// The emulator's origins are replaced by placeholders, so the test can serve the data dir on any
// free port. Nothing here is secret: the emulator stores only salted hashes of client secrets, and
// the stack's secrets are encrypted with the passphrase written beside them (an emulator's).
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { obtainPulumiCli, pulumiEnvironment, repoRoot } from "../../demo/pulumiEngine";
import { SCENARIOS, PASSPHRASE, STACK, placeholders, type Scenario } from "./scenarios";

const RECORD_PORTS = { accessManagement: 18795, addons: 18895 };

async function record(scenario: Scenario, out: string): Promise<void> {
  const dir = path.join(out, scenario.name);
  fs.rmSync(dir, { recursive: true, force: true });
  const dataDir = path.join(dir, "emulator");
  fs.mkdirSync(dataDir, { recursive: true });
  // The project is run from inside the repository, so `pulumi-tridion` resolves to this checkout.
  const work = fs.mkdtempSync(path.join(repoRoot, ".upgrade-work-"));
  const project = path.join(work, scenario.name);
  fs.cpSync(path.join(repoRoot, "examples", scenario.example), project, {
    recursive: true,
    filter: (src) => !/(^|[\\/])(node_modules|\.state)$/.test(src),
  });
  const emulator = spawn(
    process.execPath,
    [
      path.join(repoRoot, "emulator", "bin", "tridion-emulator.js"),
      "--port",
      String(RECORD_PORTS.accessManagement),
      "--addons-port",
      String(RECORD_PORTS.addons),
      "--product-version",
      scenario.productVersion,
      "--data-dir",
      dataDir,
      "--admin-client-id",
      scenario.admin.clientId,
      "--admin-client-secret",
      scenario.admin.clientSecret,
      ...(scenario.seedUsers ? ["--seed-users", scenario.seedUsers.join(",")] : []),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise<void>((resolve, reject) => {
    emulator.stdout!.once("data", () => resolve());
    emulator.once("exit", (code) => reject(new Error(`the emulator exited (${code})`)));
  });
  try {
    const cli = obtainPulumiCli();
    const env = { ...process.env, ...pulumiEnvironment(cli, work, PASSPHRASE) };
    const pulumi = (...args: string[]) =>
      execFileSync("pulumi", args, { cwd: project, env, stdio: ["ignore", "pipe", "inherit"] }).toString();
    const origins = {
      accessManagement: `http://127.0.0.1:${RECORD_PORTS.accessManagement}`,
      addons: `http://127.0.0.1:${RECORD_PORTS.addons}`,
    };
    pulumi("stack", "init", STACK);
    for (const [key, value] of Object.entries(scenario.config(origins))) pulumi("config", "set", key, value);
    pulumi("config", "set", "--secret", "tridion:clientSecret", scenario.admin.clientSecret);
    process.stdout.write(pulumi("up", "--yes", "--skip-preview"));
    const state = pulumi("stack", "export");
    const config = fs.readFileSync(path.join(project, `Pulumi.${STACK}.yaml`), "utf8");
    fs.mkdirSync(path.join(dir, "project"));
    for (const name of fs.readdirSync(project)) {
      if (name === `Pulumi.${STACK}.yaml`) continue;
      fs.cpSync(path.join(project, name), path.join(dir, "project", name), { recursive: true });
    }
    fs.writeFileSync(path.join(dir, "state.json"), placeholders.insert(state, origins));
    fs.writeFileSync(path.join(dir, `Pulumi.${STACK}.yaml`), placeholders.insert(config, origins));
  } finally {
    emulator.kill("SIGTERM");
    await new Promise((resolve) => emulator.once("exit", resolve));
    fs.rmSync(work, { recursive: true, force: true });
  }
  // The signing key is the emulator's own (a restart makes a new one; no state holds a token).
  fs.rmSync(path.join(dataDir, "signing-key.json"), { force: true });
  fs.rmSync(path.join(dataDir, "tmp"), { recursive: true, force: true });
  fs.rmSync(path.join(dir, "project", "README.md"), { force: true });
  console.log(`recorded ${scenario.name} into ${dir}`);
}

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error("usage: recordFixture.ts OUTDIR");
  const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repoRoot }).toString().trim();
  const recordedAt = new Date().toISOString();
  for (const scenario of SCENARIOS) await record(scenario, path.resolve(out));
  fs.writeFileSync(
    path.join(out, "recording.json"),
    JSON.stringify({ recordedBy: "tests/upgrade/recordFixture.ts", commit, recordedAt }, null, 2) + "\n",
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
