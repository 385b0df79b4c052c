// The main job as a newcomer runs it: the demo drives the real Pulumi CLI in the repository root
// (the root Pulumi.yaml runs examples/quickstart) against its embedded emulator. It must deploy
// what the quickstart declares, leave an env file (0600) to run the CLI by hand, never print the
// passphrase, and `destroy` (on the emulator restarted from its data dir) must remove it again.
import test from "ava";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../../demo/pulumiEngine";
import { runLines, shellEnvironment } from "../helpers/folderMode";

function demo(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      path.join(repoRoot, "node_modules", ".bin", "node"),
      ["--require", "ts-node/register/transpile-only", "demo/main.ts", ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, ...env, PULUMI_CONFIG_PASSPHRASE: "" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString("utf8");
    });
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

test.serial(
  "npm run demo: `pulumi up` in the repository root deploys the quickstart; the env file runs the CLI by hand; destroy removes it",
  async (t) => {
    t.timeout(600_000);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tridion-demo-"));
    t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const env = shellEnvironment(fs.mkdtempSync(path.join(os.tmpdir(), "tridion-demo-home-")));
    // A stack of its own: its settings file (Pulumi.<stack>.yaml in the root) must not meet a developer's demo.
    const stack = `demo-test-${process.pid}`;
    t.teardown(() => fs.rmSync(path.join(repoRoot, `Pulumi.${stack}.yaml`), { force: true }));

    const up = await demo(["--once", "--port", "0", "--addons-port", "0", "--data-dir", dataDir, "--stack", stack], env);
    t.is(up.code, 0, up.output);
    t.regex(up.output, new RegExp(`\\$ pulumi up --yes --stack ${stack}`), "it shows the command it runs");
    t.regex(up.output, /\+ {2}pulumi-nodejs:dynamic\/tridion:ClientCredentialUser addon-deployer created/);
    t.regex(up.output, /\+ {2}pulumi-nodejs:dynamic\/tridion:AddonPackage acme-publishing-tools created/);
    t.regex(up.output, /addonStatus +"Success"/);
    t.regex(up.output, /deployerClientSecret +"\[secret\]"/);
    const envFile = path.join(dataDir, "pulumi.env");
    t.is(fs.statSync(envFile).mode & 0o777, 0o600, "the env file is readable by its owner only");
    const passphrase = fs.readFileSync(path.join(dataDir, "passphrase"), "utf8").trim();
    t.false(up.output.includes(passphrase), "the passphrase is never printed");
    t.regex(up.output, new RegExp(`source .*${path.basename(dataDir)}/pulumi\\.env`), "it says how to run the CLI by hand");

    // By hand, as printed: the state holds what the quickstart declares.
    const [exported] = await runLines([`source ${envFile} && pulumi stack select ${stack} && pulumi stack export`], { cwd: repoRoot, env });
    const resources = (JSON.parse(exported.stdout).deployment.resources as Array<{ type: string; urn: string }>)
      .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"))
      .map((r) => `${r.type.replace("pulumi-nodejs:dynamic/", "")}::${r.urn.split("::").pop()}`)
      .sort();
    t.deepEqual(resources, ["tridion:AddonPackage::acme-publishing-tools", "tridion:ClientCredentialUser::addon-deployer"]);

    const destroy = await demo(["destroy", "--port", "0", "--addons-port", "0", "--data-dir", dataDir, "--stack", stack], env);
    t.is(destroy.code, 0, destroy.output);
    t.regex(destroy.output, /- 3 deleted/);
  },
);
