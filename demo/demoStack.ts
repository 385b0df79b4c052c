// The demo's Pulumi stack: the root Pulumi.yaml when the Node.js language host is there (exactly
// `pulumi up` in the repository root), otherwise the same program inline through the Automation
// API. Either way the real Pulumi engine and CLI do the work.
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, OutputMap, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import type { DemoEmulator } from "./demoEmulator";
import type { DemoAction, DemoOptions } from "./options";
import { PulumiCli, obtainPulumiCli, pulumiEnvironment, repoRoot } from "./pulumiEngine";

export const STACK = "demo";
/** The demo's own passphrase, printed in its hints; a passphrase of yours (from the environment) never is. */
export const DEMO_PASSPHRASE = "tridion-demo";
const PASSPHRASE = process.env.PULUMI_CONFIG_PASSPHRASE ?? DEMO_PASSPHRASE;

export interface DemoStack {
  stack: Stack;
  cli: PulumiCli;
  env: Record<string, string>;
  mode: string;
  /** Where the stack's settings file (Pulumi.demo.yaml) lives: run the Pulumi CLI from here. */
  workDir: string;
}

function loadQuickstart(): () => Record<string, unknown> {
  // TypeScript through ts-node, as the Node.js language host would load it.
  require("ts-node").register({ transpileOnly: true });
  const program = require(path.join(repoRoot, "examples", "quickstart", "program")) as { quickstart: () => Record<string, unknown> };
  return program.quickstart;
}

export async function openDemoStack(emulator: DemoEmulator, options: DemoOptions): Promise<DemoStack> {
  const cli = obtainPulumiCli((line) => console.log(line));
  const env = pulumiEnvironment(cli, path.join(options.dataDir, "pulumi"), PASSPHRASE);
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(cli.binDir), skipVersionCheck: true });
  const workspace = { pulumiCommand, envVars: env, pulumiHome: env.PULUMI_HOME };
  let stack: Stack;
  let mode: string;
  let workDir = repoRoot;
  if (cli.hasLanguageHost) {
    stack = await LocalWorkspace.createOrSelectStack({ stackName: STACK, workDir: repoRoot }, workspace);
    mode = "the root Pulumi.yaml (examples/quickstart) with the Pulumi CLI and its Node.js language host";
  } else {
    const quickstart = loadQuickstart();
    // Inside the repository (the provider resolves pulumi-tridion from here), away from its files.
    workDir = path.join(options.dataDir, "workspace");
    fs.mkdirSync(workDir, { recursive: true });
    stack = await LocalWorkspace.createOrSelectStack(
      { stackName: STACK, projectName: "tridion-quickstart", program: async () => quickstart() },
      { ...workspace, workDir },
    );
    mode = "the quickstart program inline through the Automation API (the real engine; this machine has no Node.js language host)";
  }
  await stack.setAllConfig({
    "tridion:accessManagementUrl": { value: emulator.accessManagementUrl },
    "tridion:addonsUrl": { value: emulator.addonsUrl },
  });
  if (emulator.admin) {
    await stack.setAllConfig({
      "tridion:clientId": { value: emulator.admin.clientId },
      "tridion:clientSecret": { value: emulator.admin.clientSecret, secret: true },
    });
  }
  return { stack, cli, env, mode, workDir };
}

/** Runs one operation, streaming the engine's output; returns the stack outputs afterwards. */
export async function runAction(demo: DemoStack, action: DemoAction): Promise<OutputMap> {
  console.log(`Running \`pulumi ${action}\` on ${demo.mode}.\n`);
  const onOutput = (text: string) => process.stdout.write(text);
  switch (action) {
    case "up":
      return (await demo.stack.up({ onOutput, color: "never" })).outputs;
    case "preview":
      await demo.stack.preview({ onOutput, color: "never", refresh: true, diff: true });
      break;
    case "refresh":
      await demo.stack.refresh({ onOutput, color: "never" });
      break;
    case "destroy":
      await demo.stack.destroy({ onOutput, color: "never" });
      break;
  }
  return demo.stack.outputs();
}
