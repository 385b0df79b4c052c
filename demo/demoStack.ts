// The demo's Pulumi stack: the root Pulumi.yaml (the quickstart) run by the real Pulumi CLI in the
// repository root, as a user types it: `pulumi config set`, `pulumi up`, `pulumi preview`... with
// a file backend and passphrase secrets under the demo's data dir. What the demo runs it prints,
// and it writes a 0600 env file so the same commands can be typed by hand.
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { DemoEmulator } from "./demoEmulator";
import type { DemoAction, DemoOptions } from "./options";
import { PulumiCli, obtainPulumiCli, pulumiEnvironment, repoRoot } from "./pulumiEngine";

export interface DemoStack {
  /** The stack's name (default "demo"). */
  stack: string;
  cli: PulumiCli;
  /** The environment of every command (holds the passphrase: never print it). */
  env: Record<string, string>;
  /** Where the project (Pulumi.yaml) is: the commands run here. */
  workDir: string;
  /** `source` it to run the CLI on this stack by hand. */
  envFile: string;
  /** True when the passphrase came from the caller's environment (then the env file leaves it out). */
  ownPassphrase: boolean;
}

/** The caller's passphrase, or the demo's own: random, made once, kept in a 0600 file. */
function passphrase(dataDir: string): { value: string; own: boolean } {
  if (process.env.PULUMI_CONFIG_PASSPHRASE) return { value: process.env.PULUMI_CONFIG_PASSPHRASE, own: true };
  const file = path.join(dataDir, "passphrase");
  if (!fs.existsSync(file)) fs.writeFileSync(file, crypto.randomBytes(24).toString("base64url"), { mode: 0o600 });
  return { value: fs.readFileSync(file, "utf8").trim(), own: false };
}

const quote = (value: string) => `'${value.replace(/'/g, "'\\''")}'`;

function writeEnvFile(file: string, env: Record<string, string>, ownPassphrase: boolean): void {
  const keys = ["PATH", "PULUMI_BACKEND_URL", "PULUMI_HOME", "PULUMI_SKIP_UPDATE_CHECK", "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"];
  const lines = [
    "# The demo's Pulumi environment: `source` this file, then run pulumi in the repository root.",
    ...keys.map((key) => `export ${key}=${quote(env[key])}`),
    ownPassphrase
      ? "# PULUMI_CONFIG_PASSPHRASE: yours (the demo was given it in the environment; export it yourself)"
      : `export PULUMI_CONFIG_PASSPHRASE=${quote(env.PULUMI_CONFIG_PASSPHRASE)}`,
    `cd ${quote(repoRoot)}`,
    "",
  ];
  fs.writeFileSync(file, lines.join("\n"), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

/**
 * Runs `pulumi <args>` in the project folder; `show` streams its output, else it is returned.
 * Asynchronous: the demo's emulator serves the CLI from this very process.
 */
export function pulumi(
  demo: Pick<DemoStack, "env" | "workDir">,
  args: string[],
  options: { show?: boolean; input?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", [...args, "--non-interactive"], {
      cwd: demo.workDir,
      env: { ...process.env, ...demo.env },
      stdio: [options.input === undefined ? "ignore" : "pipe", options.show ? "inherit" : "pipe", options.show ? "inherit" : "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    child.on("error", (error) => reject(new Error(`Cannot run pulumi: ${error.message}`)));
    child.on("close", (code) => {
      if (code === 0) return resolve(stdout);
      const said = options.show ? "" : `\n${(stderr || stdout).trim()}`;
      reject(new PulumiFailed(`\`pulumi ${args.join(" ")}\` failed (exit ${code}).${said}`));
    });
  });
}

/** A pulumi command that failed; its own diagnostics were printed (or are in the message). */
export class PulumiFailed extends Error {}

export async function openDemoStack(emulator: DemoEmulator, options: DemoOptions): Promise<DemoStack> {
  const cli = obtainPulumiCli((line) => console.log(line));
  const secret = passphrase(options.dataDir);
  const env = pulumiEnvironment(cli, path.join(options.dataDir, "pulumi"), secret.value);
  const demo: DemoStack = {
    stack: options.stack,
    cli,
    env,
    workDir: repoRoot,
    envFile: path.join(options.dataDir, "pulumi.env"),
    ownPassphrase: secret.own,
  };
  writeEnvFile(demo.envFile, env, secret.own);
  await forgetStaleSettings(demo);
  await pulumi(demo, ["stack", "select", "--create", demo.stack]);
  const settings: Array<[string, string]> = [
    ["tridion:accessManagementUrl", emulator.accessManagementUrl],
    ["tridion:addonsUrl", emulator.addonsUrl],
  ];
  if (emulator.admin) settings.push(["tridion:clientId", emulator.admin.clientId]);
  for (const [key, value] of settings) {
    console.log(`$ pulumi config set ${key} ${value}`);
    await pulumi(demo, ["config", "set", "--stack", demo.stack, key, value]);
  }
  if (emulator.admin) {
    // The secret goes in on stdin: never on a command line (ps) nor in the output.
    console.log("$ pulumi config set --secret tridion:clientSecret   # the emulator's admin secret, read from stdin");
    await pulumi(demo, ["config", "set", "--stack", demo.stack, "--secret", "tridion:clientSecret"], {
      input: emulator.admin.clientSecret,
    });
  }
  return demo;
}

/**
 * The stack's settings file (Pulumi.<stack>.yaml, git-ignored) belongs to the demo's backend: when
 * that backend has no such stack (a new data dir), a file left from an earlier one holds another
 * passphrase's salt and secrets, and would make every command fail. It goes.
 */
async function forgetStaleSettings(demo: DemoStack): Promise<void> {
  const settings = path.join(demo.workDir, `Pulumi.${demo.stack}.yaml`);
  if (!fs.existsSync(settings)) return;
  const stacks = JSON.parse((await pulumi(demo, ["stack", "ls", "--json"])) || "[]") as Array<{ name: string }>;
  if (stacks.some((s) => s.name === demo.stack)) return;
  console.log(`Removing ${path.basename(settings)}: it belongs to a demo stack this data dir does not have.`);
  fs.rmSync(settings);
}

const commands: Record<DemoAction, string[]> = {
  up: ["up", "--yes"],
  preview: ["preview", "--refresh", "--diff"],
  refresh: ["refresh", "--yes"],
  destroy: ["destroy", "--yes"],
};

/** Runs one operation as `pulumi <action>` in the project folder, streaming the CLI's own output. */
export async function runAction(demo: DemoStack, action: DemoAction): Promise<Record<string, unknown>> {
  const args = [...commands[action], "--stack", demo.stack];
  console.log(`\n$ pulumi ${args.join(" ")}        (in ${demo.workDir}, the root Pulumi.yaml: examples/quickstart)\n`);
  await pulumi(demo, args, { show: true });
  return JSON.parse((await pulumi(demo, ["stack", "output", "--json", "--stack", demo.stack])) || "{}") as Record<string, unknown>;
}
