// `npm run demo`: the main job. Starts the embedded Tridion Sites emulator, runs the quickstart
// (root Pulumi.yaml) through the real Pulumi engine, prints the outputs and what to try next,
// then keeps the emulator up until Ctrl-C (`--once` stops after the run).
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { startEmulator, RunningEmulator } from "../emulator";
import { obtainPulumiCli, pulumiEnvironment, repoRoot } from "./pulumiEngine";

const STACK = "demo";
const PASSPHRASE = process.env.PULUMI_CONFIG_PASSPHRASE ?? "tridion-demo";

interface DemoOptions { once: boolean; port: number; dataDir: string }

function parseArgs(argv: string[]): DemoOptions {
  const options: DemoOptions = { once: false, port: 8765, dataDir: path.join(repoRoot, ".demo-data") };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--once") options.once = true;
    else if (arg === "--port") options.port = Number(argv[++i]);
    else if (arg === "--data-dir") options.dataDir = path.resolve(argv[++i]);
    else if (arg === "--help" || arg === "-h") {
      console.log("Usage: npm run demo -- [--once] [--port N (default 8765, 0 = any)] [--data-dir DIR (default .demo-data)]");
      process.exit(0);
    } else throw new Error(`Unknown option ${arg}. Run \`npm run demo -- --help\` for the options.`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error("--port takes a whole number from 0 to 65535.");
  }
  return options;
}

async function startDemoEmulator(options: DemoOptions): Promise<RunningEmulator> {
  const dataDir = path.join(options.dataDir, "emulator");
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    return await startEmulator({ port: options.port, dataDir, productVersion: "9.6", activationDelayMs: 1500 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    console.log(`Port ${options.port} is taken; the emulator takes any free port instead.`);
    return startEmulator({ port: 0, dataDir, productVersion: "9.6", activationDelayMs: 1500 });
  }
}

async function openStack(emulator: RunningEmulator, options: DemoOptions): Promise<{ stack: Stack; env: Record<string, string>; mode: string }> {
  const cli = obtainPulumiCli((line) => console.log(line));
  const env = pulumiEnvironment(cli, path.join(options.dataDir, "pulumi"), PASSPHRASE);
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(cli.binDir), skipVersionCheck: true });
  const workspace = { pulumiCommand, envVars: env, pulumiHome: env.PULUMI_HOME };
  let stack: Stack;
  let mode: string;
  if (cli.hasLanguageHost) {
    // The same as `pulumi up` in the repository root.
    stack = await LocalWorkspace.createOrSelectStack({ stackName: STACK, workDir: repoRoot }, workspace);
    mode = "the root Pulumi.yaml (examples/quickstart), run by the Pulumi CLI and its Node.js language host";
  } else {
    // No language host could be built here: drive the same program inline; still the real engine.
    const { quickstart } = await import("../examples/quickstart/program");
    stack = await LocalWorkspace.createOrSelectStack(
      { stackName: STACK, projectName: "tridion-quickstart", program: async () => quickstart() },
      { ...workspace, workDir: repoRoot },
    );
    mode = "the quickstart program, inline through the Automation API (the real engine; no Node.js language host here)";
  }
  const { admin } = emulator.credentials;
  await stack.setAllConfig({
    "tridion:accessManagementUrl": { value: emulator.accessManagementUrl },
    "tridion:addonsUrl": { value: emulator.addonsUrl },
    "tridion:clientId": { value: admin.clientId },
    "tridion:clientSecret": { value: admin.clientSecret, secret: true },
  });
  return { stack, env, mode };
}

function printNextSteps(emulator: RunningEmulator, env: Record<string, string>, outputs: Record<string, { value: unknown; secret: boolean }>, once: boolean): void {
  console.log("\nOutputs:");
  for (const [key, output] of Object.entries(outputs)) {
    console.log(`  ${key.padEnd(26)} ${output.secret ? "[secret]" : JSON.stringify(output.value)}`);
  }
  const shellEnv = ["PATH", "PULUMI_BACKEND_URL", "PULUMI_HOME", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_SKIP_UPDATE_CHECK", "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"]
    .map((key) => `export ${key}='${env[key]}'`).join("\n  ");
  console.log(`
Access Management: ${emulator.accessManagementUrl}
Add-ons Service:   ${emulator.addonsUrl}
The emulator is Tridion Sites ${emulator.productVersion}; the admin identity's credentials are in ${path.join(".demo-data", "emulator")}.

What to try next${once ? " (start `npm run demo` without --once to keep the emulator up)" : " (in another terminal, while this one runs)"}:
  ${shellEnv}
  cd ${repoRoot}
  pulumi stack select ${STACK}
  pulumi stack output --show-secrets         # the deployer's client secret, decrypted
  pulumi preview                             # no changes
  # edit examples/quickstart/addon/manifest.json ("version") or the configuration in program.ts, then:
  pulumi preview --diff && pulumi up
  pulumi refresh                             # shows drift done behind Pulumi's back
  pulumi destroy                             # removes the add-on, the user's secret and its role
  curl -s ${emulator.addonsUrl.replace(/\/addons$/, "")}/__emulator/requests | head   # the emulator's request log
`);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const emulator = await startDemoEmulator(options);
  console.log(`Tridion Sites emulator up: ${emulator.accessManagementUrl} and ${emulator.addonsUrl}`);
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await emulator.close();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  try {
    const { stack, env, mode } = await openStack(emulator, options);
    console.log(`Running \`pulumi up\` on ${mode}.\n`);
    const result = await stack.up({ onOutput: (text) => process.stdout.write(text), color: "never" });
    printNextSteps(emulator, env, result.outputs, options.once);
  } catch (error) {
    console.error(`\nThe demo failed: ${(error as Error).message}`);
    await stop(1);
    return;
  }
  if (options.once) await stop(0);
  else console.log("The emulator keeps running. Press Ctrl-C to stop it.");
}

void main();
